/* sim/cli/cli_search.h — what the two halves of `mcusim search` share: cli_search.c (options, enumeration,
 * simulation) and cli_search_out.c (front, choice, text, search.json, schedule.json); and the job progress line
 * `search` and `sweep` (cli_sweep.c) print. Internal to the CLI. */
#ifndef MCUSIM_CLI_SEARCH_H
#define MCUSIM_CLI_SEARCH_H

#include "profiles/prof.h"
#include "workloads/explore/fwbuild.h"
#include "workloads/explore/jobpool.h"
#include "workloads/explore/search.h"
#include "workloads/gen/gen_model.h"

/* static + stack beside the arena: ~10 KiB measured; low on purpose */
#define CLI_SEARCH_OVERHEAD_ESTIMATE (8u << 10)

typedef struct {
  const char *model_path, *profile_arg, *out_dir;
  int argc; /* for cli_io_json_path */
  char **argv;
  const char *json; /* --json[=OUT]: search.json's content on OUT too ("-": standard output) */
  uint64_t budget_bytes;
  double max_latency_overhead; /* fraction; < 0: none */
  int parallel, exhaustive, top, inputs, progress;
  prof_t *profile;
  gen_model_t model;
  xp_fw_tools_t tools;
  xp_search_cand_t cand[XP_SEARCH_MAX_CANDIDATES];
  size_t n;
  int codes[XP_SEARCH_MAX_CANDIDATES];
  uint64_t flash_over_bytes;
} cli_search_t;

/* Job progress on stderr, "LABEL: 3/8 done, 1 running, 0 failed, 1.1 s": one line per state (mode 1), or one
 * line rewritten in place on a terminal (mode 2, ended by cli_progress_end); mode 0 is quiet. */
typedef struct {
  const char *label;
  int mode;
} cli_progress_t;
/* Pool options that report to `c` (borrowed). */
xp_pool_opts_t cli_progress_opts(cli_progress_t *c, int parallel);
void cli_progress_end(const cli_progress_t *c);
/* SIGINT, SIGTERM or SIGHUP while the pool runs stop it (no job starts after, the running ones are ended) instead
 * of ending the process and leaving jobs behind (issue 21, F17); cli_pool_stopped() after the pool says whether it
 * was stopped and gives the signals back to cli_io. */
void cli_pool_stop_on_signal(xp_pool_opts_t *po);
int cli_pool_stopped(void);

/* Pareto front, choice, the printed table and the files; returns the command's exit code. */
int cli_search_report(cli_search_t *s);

#endif /* MCUSIM_CLI_SEARCH_H */
