/* main.c — one inference of a generated model under a generated schedule, on a Cortex-M core.
 * Prints the result through semihosting and marks it in the ITM trace; returns 0 only when the output
 * checksum equals the one the generator computed natively (so "exit 0" means bit-exact on the target). */
#include <stdint.h>
#include <stdio.h>

#include "mcusim_trace.h"
#include "runtime/rt.h"

#ifdef MCUSIM_GRAPH /* a general graph (runtime/rt.h rt_graph_t): the generated tables define mcusim_graph */
extern const rt_graph_t mcusim_graph;
#define mcusim_model (mcusim_graph.model)
#define MCUSIM_INFER(arena, stats) rt_graph_run(&mcusim_graph, &mcusim_schedule, arena, NULL, stats)
#else
extern const rt_model_t mcusim_model;
#define MCUSIM_INFER(arena, stats) rt_run(&mcusim_model, &mcusim_schedule, arena, NULL, stats)
#endif
extern const rt_schedule_t mcusim_schedule;
extern const uint32_t mcusim_expected_checksum;
extern const uint64_t mcusim_expected_macs;
extern const uint32_t mcusim_expected_arena_peak;
extern const uint32_t mcusim_arena_bytes;
extern uint8_t mcusim_arena[];

int main(void) {
  static rt_arena_t arena;
  rt_stats_t stats;
  /* string-valued marks carry a pointer to a NUL-terminated string in flash */
  MCUSIM_MARK_STR("model", mcusim_model.name);
  MCUSIM_MARK_STR("schedule", mcusim_schedule.name);
  MCUSIM_MARK("patch_n", mcusim_schedule.patch_n);
  MCUSIM_MARK("patch_layers", mcusim_schedule.patch_layers);
  MCUSIM_MARK("input_in_arena", mcusim_schedule.input_in_arena);
  MCUSIM_MARK("arena_bytes", mcusim_arena_bytes);
  rt_arena_init(&arena, mcusim_arena, mcusim_arena_bytes);
  rt_err err = MCUSIM_INFER(&arena, &stats);
  if (err != RT_OK) {
    printf("error: %s\n", rt_strerror(err));
    return 2;
  }
  MCUSIM_MARK("checksum", stats.checksum);
  MCUSIM_MARK("macs_lo", (uint32_t)stats.macs);
  MCUSIM_MARK("macs_hi", (uint32_t)(stats.macs >> 32));
  MCUSIM_MARK("arena_peak", arena.live_peak_bytes);
  printf("model=%s schedule=%s input=%s\n", mcusim_model.name, mcusim_schedule.name,
         mcusim_schedule.input_in_arena ? "arena" : "flash");
  printf("macs=%llu patch_stage_macs=%llu arena_peak=%lu arena_bytes=%lu\n", (unsigned long long)stats.macs,
         (unsigned long long)stats.patch_stage_macs, (unsigned long)arena.live_peak_bytes,
         (unsigned long)mcusim_arena_bytes);
  if (mcusim_schedule.patch_n)
    printf("patch_input=%lux%lu patch_peak=%lu\n", (unsigned long)stats.patch_in_h, (unsigned long)stats.patch_in_w,
           (unsigned long)stats.patch_peak_bytes);
  printf("checksum=0x%08lx expected=0x%08lx\n", (unsigned long)stats.checksum, (unsigned long)mcusim_expected_checksum);
  int ok = stats.checksum == mcusim_expected_checksum && stats.macs == mcusim_expected_macs &&
           arena.live_peak_bytes == mcusim_expected_arena_peak;
  printf("%s\n", ok ? "PASS" : "FAIL: differs from the native run");
  return ok ? 0 : 1;
}
