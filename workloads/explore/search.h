/* workloads/explore/search.h — schedule search (issue 9): enumerate the schedules of a model, predict each with the
 * analytic planner (workloads/gen/gen_plan.h), pick the promising ones to build and simulate, then the Pareto front of
 * peak SRAM vs cycles and the chosen schedule. Pure functions on an array of candidates: the CLI (sim/cli/cli_search.c)
 * builds and runs the firmware; tests/explore/ drives these directly.
 *
 * Space (docs/sweep.md): layer-wise, and n x n patches (n = 2..8 while every patch keeps at least
 * XP_SEARCH_MIN_PATCH_ROWS rows of the stage output) over the first K blocks for every block boundary K of the
 * memory-heavy stage; each with the input frame read from flash or copied into SRAM (input=arena). */
#ifndef MCUSIM_SEARCH_H
#define MCUSIM_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/gen/gen_model.h"

#define XP_SEARCH_MAX_CANDIDATES 512
#define XP_SEARCH_MIN_PATCH_N 2
#define XP_SEARCH_MAX_PATCH_N 8
#define XP_SEARCH_MIN_PATCH_ROWS 2 /* rows of the stage output per patch: fewer is all halo */

/* Why a candidate is not simulated (XP_SEARCH_KEEP: it is). */
typedef enum {
  XP_SEARCH_KEEP = 0,
  XP_SEARCH_PRUNE_INVALID,   /* the planner / runtime refuses the schedule */
  XP_SEARCH_PRUNE_BUDGET,    /* predicted peak SRAM over the budget */
  XP_SEARCH_PRUNE_LATENCY,   /* predicted MAC overhead over --max-latency-overhead */
  XP_SEARCH_PRUNE_DOMINATED, /* another candidate predicts less memory and fewer MACs, and it is not in the top */
  XP_SEARCH_PRUNE_DUPLICATE, /* an earlier candidate predicts exactly the same memory and MACs */
} xp_search_prune_t;

const char *xp_search_prune_name(xp_search_prune_t why);

typedef struct {
  int patch_n;        /* 0: layer-wise */
  int split_blocks;   /* K: the stage is the first K blocks (0 for layer-wise) */
  int input_in_arena; /* 1: the frame is copied into SRAM */
  char spec[96];      /* the generator's schedule string */
  /* prediction (xp_search_predict) */
  int plan_ok;
  uint64_t plan_arena_bytes; /* the planner's live arena peak (+ the frame when input=arena, estimated) */
  uint64_t plan_macs;
  uint64_t plan_peak_bytes; /* plan_arena_bytes + the static/stack estimate */
  xp_search_prune_t prune;
  /* measurement (filled by the caller from the run's report) */
  int simulated, sim_ok; /* sim_ok: built, ran, exited 0 (output = native) */
  uint64_t peak_bytes, arena_peak_bytes, cycles, macs;
  double latency_us;
  int on_front; /* on the measured Pareto front (peak SRAM vs cycles) */
} xp_search_cand_t;

typedef struct {
  uint64_t budget_bytes;       /* SRAM a schedule may use: --sram-budget, else the device's SRAM */
  uint64_t overhead_bytes;     /* static + stack estimate added to the plan's arena */
  double max_latency_overhead; /* fraction (0.5 = +50%) over layer-wise MACs; < 0: no limit */
  int top;                     /* besides the predicted front, simulate this many lowest-MAC fitting ones */
  int inputs;                  /* bit 0: input from flash, bit 1: input in SRAM */
} xp_search_opts_t;

/* Blocks of the memory-heavy stage: the leading blocks up to the last one holding a layer whose layer-wise live
 * bytes (`layer_live`, per layer) exceed a fifth of the layer-wise peak. */
int xp_search_heavy_blocks(const gen_model_t *m, const uint64_t *layer_live);

/* Fills `out` (capacity `cap`) with the space; returns the count. Layer-wise first. `stage_h[K]` is the height
 * of the output of the first K blocks (so that the patch grid fits the resolution). */
size_t xp_search_enumerate(int heavy_blocks, const int32_t *stage_h, int inputs, xp_search_cand_t *out, size_t cap);

/* Plans one candidate with gen_plan; sets plan_* (plan_ok = 0 when refused). */
void xp_search_predict(const gen_model_t *m, xp_search_cand_t *c);

/* Marks every candidate XP_SEARCH_KEEP or a reason. The layer-wise candidates are always kept (the baseline). */
void xp_search_prune(xp_search_cand_t *c, size_t n, const xp_search_opts_t *o);

/* Marks on_front among the simulated, successful candidates (minimal in peak bytes and cycles). */
void xp_search_pareto(xp_search_cand_t *c, size_t n);

/* The chosen schedule: among successful simulated candidates with peak <= budget, cycles <= max_cycles (0: no
 * limit) and, when `only_kept`, not pruned: the fewest cycles (ties: less peak, then enumeration order).
 * -1 if none fits. */
int xp_search_choose(const xp_search_cand_t *c, size_t n, uint64_t budget_bytes, uint64_t max_cycles, int only_kept);

#endif /* MCUSIM_SEARCH_H */
