/* sim/fetch.c — flash fetch timing (see fetch.h). Until the ART/cache model lands (issue 4), profiles are
 * treated as zero-wait-state: nothing is created and the engine adds no fetch cycles. */
#include "sim/fetch.h"

#include <stdlib.h>

struct sim_fetch {
  sim_fetch_stats_t stats;
};

sim_fetch_t *sim_fetch_create(const prof_t *profile, int *err) {
  (void)profile;
  if (err) *err = 0;
  return NULL;
}

void sim_fetch_destroy(sim_fetch_t *fetch) { free(fetch); }

uint32_t sim_fetch_block_cycles(sim_fetch_t *fetch, const isa_block_t *block) {
  (void)fetch;
  (void)block;
  return 0;
}

int sim_fetch_enable_data_reads(sim_fetch_t *fetch, uc_engine *uc, uint64_t *cycles) {
  (void)fetch;
  (void)uc;
  (void)cycles;
  return 0;
}

void sim_fetch_stats(const sim_fetch_t *fetch, sim_fetch_stats_t *out) {
  *out = fetch ? fetch->stats : (sim_fetch_stats_t){0};
}
