/* sim/fetch.h — memory timing the core's table does not know: flash wait states for instruction fetch behind
 * the profile's ART accelerator or instruction cache, and (precise mode) wait states of data reads from flash.
 * The engine calls sim_fetch_block_cycles once per executed block; it must stay cheap.
 * Ownership: created by sim_fetch_create, freed by sim_fetch_destroy. Never prints. */
#ifndef MCUSIM_SIM_FETCH_H
#define MCUSIM_SIM_FETCH_H

#include <stdint.h>
#include <unicorn/unicorn.h>

#include "isa/isa.h"
#include "profiles/prof.h"

typedef struct sim_fetch sim_fetch_t;

/* NULL when the profile has nothing to model (zero wait states) or on allocation failure (*err set to -1). */
sim_fetch_t *sim_fetch_create(const prof_t *profile, int *err);
void sim_fetch_destroy(sim_fetch_t *fetch);

/* Extra cycles instruction fetch adds to one execution of `block` (0 when every line hits). */
uint32_t sim_fetch_block_cycles(sim_fetch_t *fetch, const isa_block_t *block);

/* Precise mode: a UC_HOOK_MEM_READ on the flash range charges data-read wait states into *cycles.
 * Returns 0, or -1 when Unicorn refused the hook. */
int sim_fetch_enable_data_reads(sim_fetch_t *fetch, uc_engine *uc, uint64_t *cycles);

/* Figures for the report: lookups and misses of the fetch model, data reads from flash (precise mode). */
typedef struct {
  uint64_t line_lookups, line_misses, stall_cycles, data_reads, data_stall_cycles;
} sim_fetch_stats_t;
void sim_fetch_stats(const sim_fetch_t *fetch, sim_fetch_stats_t *out);

#endif /* MCUSIM_SIM_FETCH_H */
