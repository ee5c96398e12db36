/* sim/cli_search.h — what the two halves of `mcusim search` share: cli_search.c (options, enumeration,
 * simulation) and cli_search_out.c (front, choice, text, search.json, schedule.json). Internal to the CLI. */
#ifndef MCUSIM_CLI_SEARCH_H
#define MCUSIM_CLI_SEARCH_H

#include "gen/gen_model.h"
#include "profiles/prof.h"
#include "sim/fwbuild.h"
#include "sim/search.h"

#define SEARCH_OVERHEAD_ESTIMATE (8u << 10) /* static + stack beside the arena: ~10 KiB measured; low on purpose */

typedef struct {
  const char *model_path, *profile_arg, *out_dir;
  uint64_t budget_bytes;
  double max_latency_overhead; /* fraction; < 0: none */
  int parallel, exhaustive, top, inputs, progress;
  prof_t *profile;
  gen_model_t model;
  fw_tools_t tools;
  search_cand_t cand[SEARCH_MAX_CANDIDATES];
  size_t n;
  int codes[SEARCH_MAX_CANDIDATES];
  uint64_t flash_over_bytes;
} search_t;

/* Pareto front, choice, the printed table and the files; returns the command's exit code. */
int search_report(search_t *s);

#endif /* MCUSIM_CLI_SEARCH_H */
