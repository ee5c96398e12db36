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

/* What the caller keeps per block (zeroed at first): a note that the block's lines were resident, so that until the
 * next cache miss the block costs one compare. */
typedef struct {
  uint32_t epoch1;     /* instruction-cache misses when the lines were last seen resident, + 1 (0: never) */
  uint32_t last_line1; /* the block's last line + 1 */
  uint32_t lines;      /* lines the block spans */
} sim_fetch_memo_t;

/* The part of the model the per-block fast path touches; the first member of sim_fetch_t. */
typedef struct {
  const uint32_t *epoch; /* the instruction cache's miss count */
  uint32_t prev_line;    /* last instruction line fetched + 1 (0: none, or the last block was not in flash) */
  uint64_t line_lookups;
} sim_fetch_hot_t;

uint32_t sim_fetch_block_cycles_slow(sim_fetch_t *fetch, const isa_block_t *block, sim_fetch_memo_t *memo);

/* Extra cycles instruction fetch adds to one execution of `block` (0 when every line hits). Inline: the engine
 * calls it for every block, and nearly always the memo answers. */
static inline uint32_t sim_fetch_block_cycles(sim_fetch_t *fetch, const isa_block_t *block, sim_fetch_memo_t *memo) {
  sim_fetch_hot_t *hot = (sim_fetch_hot_t *)fetch;
  if (memo->epoch1 == *hot->epoch + 1) {
    hot->prev_line = memo->last_line1;
    hot->line_lookups += memo->lines;
    return 0;
  }
  return sim_fetch_block_cycles_slow(fetch, block, memo);
}

/* Precise mode: a UC_HOOK_MEM_READ on the flash range charges data-read wait states into *cycles and, when not
 * NULL, *block_cycles (the engine's dynamic cycles of the current block, so that a DWT->CYCCNT read later in the
 * same block sees them). Returns 0, or -1 when Unicorn refused the hook. */
int sim_fetch_enable_data_reads(sim_fetch_t *fetch, uc_engine *uc, uint64_t *cycles, uint64_t *block_cycles);

/* Figures for the report: lookups and misses of the fetch model, data reads from flash (precise mode). */
typedef struct {
  uint64_t line_lookups, line_misses, stall_cycles, data_reads, data_stall_cycles;
} sim_fetch_stats_t;
void sim_fetch_stats(const sim_fetch_t *fetch, sim_fetch_stats_t *out);

#endif /* MCUSIM_SIM_FETCH_H */
