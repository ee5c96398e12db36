/* sim/cli/cli_search.c — `mcusim search MODEL.json --profile P [--sram-budget BYTES] [--max-latency-overhead PCT]
 * [-j N] [--out DIR] [--exhaustive]`: enumerate schedules, prune with the analytic plan, build and simulate the
 * promising ones, print the Pareto front of peak SRAM vs cycles and the chosen schedule, and write it as a
 * schedule file (DIR/schedule.json) the generator reads with --schedule-file. docs/sweep.md. */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "sim/cli/cli_search.h"
#include "workloads/explore/fwbuild.h"
#include "workloads/explore/jobpool.h"
#include "workloads/explore/sweep.h"
#include "workloads/gen/gen_plan.h"

static void search_usage(FILE *out) {
  fprintf(
      out,
      "usage: mcusim search MODEL.json --profile P [--sram-budget BYTES] [--max-latency-overhead PCT] [-j N]\n"
      "                     [--out DIR] [--exhaustive] [--top N] [--input flash|sram|any] [--quiet] [--json[=OUT]]\n"
      "  enumerates schedules (layer-wise; n x n patches, n = 2..8 as the resolution allows, over the first K\n"
      "  blocks for every K of the memory-heavy stage; input frame in flash or in SRAM), predicts each with the\n"
      "  analytic plan, prunes those over the budget (default: the device's SRAM) or the latency limit and those\n"
      "  the plan dominates (keeping the --top N (3) with fewest MACs), builds and simulates the rest (-j N at a\n"
      "  time), prints the Pareto front (peak SRAM vs cycles) and the chosen schedule: the fewest cycles among\n"
      "  those within the budget. Writes DIR/search.json and DIR/schedule.json (mcusim-gen --schedule-file).\n"
      "  --exhaustive simulates every valid schedule and says whether the pruned search chooses the same.\n"
      "  --json prints search.json (mcusim-search/1, docs/search.schema.json) on standard output or OUT; the\n"
      "  text then goes to stderr.\n");
}

static int parse_inputs(const char *text, int *inputs) {
  if (!strcmp(text, "flash"))
    *inputs = 1;
  else if (!strcmp(text, "sram"))
    *inputs = 2;
  else if (!strcmp(text, "any"))
    *inputs = 3;
  else
    return fprintf(stderr, "mcusim: --input must be flash, sram or any\n"), -1;
  return 0;
}

static int parse_search_opt(int c, cli_search_t *s) {
  uint64_t v;
  switch (c) {
  case 'p':
    s->profile_arg = optarg;
    return 0;
  case 'b':
    return cli_parse_u64(optarg, "--sram-budget", &s->budget_bytes);
  case 'l':
    if (cli_parse_u64(optarg, "--max-latency-overhead", &v)) return -1;
    s->max_latency_overhead = (double)v / 100.0;
    return 0;
  case 'j':
    if (cli_parse_range(optarg, "-j", 1, 256, &v)) return -1;
    s->parallel = (int)v;
    return 0;
  case 'o':
    s->out_dir = optarg;
    return 0;
  case 'x':
    s->exhaustive = 1;
    return 0;
  case 't':
    if (cli_parse_range(optarg, "--top", 0, 64, &v)) return -1;
    s->top = (int)v;
    return 0;
  case 'i':
    return parse_inputs(optarg, &s->inputs);
  case 'q':
    s->progress = 0;
    return 0;
  case 'J':
    s->json = cli_io_json_path(s->argc, s->argv);
    return 0;
  case 'h':
    search_usage(stdout);
    exit(cli_io_finish("mcusim", CLI_EXIT_OK)); /* --help: what main() would check */
  default:
    return search_usage(stderr), -1;
  }
}

static int parse_search_args(int argc, char **argv, cli_search_t *s) {
  static const struct option longopts[] = {{"profile", required_argument, 0, 'p'},
                                           {"sram-budget", required_argument, 0, 'b'},
                                           {"max-latency-overhead", required_argument, 0, 'l'},
                                           {"jobs", required_argument, 0, 'j'},
                                           {"out", required_argument, 0, 'o'},
                                           {"exhaustive", no_argument, 0, 'x'},
                                           {"top", required_argument, 0, 't'},
                                           {"input", required_argument, 0, 'i'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"help", no_argument, 0, 'h'},
                                           {"json", optional_argument, 0, 'J'},
                                           {0}};
  s->argc = argc, s->argv = argv;
  s->parallel = (int)sysconf(_SC_NPROCESSORS_ONLN);
  s->max_latency_overhead = -1;
  s->top = 3;
  s->inputs = 3;
  s->out_dir = "search-out";
  s->progress = isatty(STDERR_FILENO) ? 2 : 1;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "p:j:o:qh", longopts, NULL)) != -1;)
    if (parse_search_opt(c, s)) return -1;
  if (optind + 1 != argc)
    return fprintf(stderr, "mcusim: search needs exactly one model JSON\n"), search_usage(stderr), -1;
  if (!s->profile_arg) return fprintf(stderr, "mcusim: search needs --profile\n"), search_usage(stderr), -1;
  s->model_path = argv[optind];
  return 0;
}

/* The space: the heavy stage from the layer-wise plan, the stage output heights, then every candidate planned. */
static int enumerate(cli_search_t *s) {
  static gen_plan_t plan;
  char name[128], err[256];
  rt_schedule_t sched;
  if (gen_schedule_parse(&s->model, "layerwise", &sched, name, sizeof name, err, sizeof err) ||
      gen_plan(&s->model, &sched, &plan, err, sizeof err))
    return fprintf(stderr, "mcusim: %s: %s\n", s->model_path, err), -1;
  uint64_t live[RT_MAX_LAYERS];
  int32_t stage_h[GEN_MAX_BLOCKS + 1] = {0};
  for (int32_t i = 0; i < plan.n_layers; i++) live[i] = plan.layers[i].live_bytes;
  for (int k = 1; k <= s->model.n_blocks; k++) stage_h[k] = s->model.layers[s->model.block_first_layer[k] - 1].out_h;
  const int heavy = xp_search_heavy_blocks(&s->model, live);
  s->n = xp_search_enumerate(heavy, stage_h, s->inputs, s->cand, XP_SEARCH_MAX_CANDIDATES);
  for (size_t i = 0; i < s->n; i++) xp_search_predict(&s->model, &s->cand[i]);
  xp_search_opts_t o = {s->budget_bytes, CLI_SEARCH_OVERHEAD_ESTIMATE, s->max_latency_overhead, s->top, s->inputs};
  xp_search_prune(s->cand, s->n, &o);
  char peak[32];
  rpt_group_digits((unsigned long long)plan.peak_live_bytes, peak, sizeof peak);
  printf("model %s: %d blocks; memory-heavy stage: the first %d blocks (layer-wise live peak %s B at %s)\n",
         s->model.name, s->model.n_blocks, heavy, peak, plan.layers[plan.peak_live_layer].name);
  return 0;
}

static void print_progress(void *opaque, const xp_pool_progress_t *p) {
  const cli_progress_t *c = opaque;
  fprintf(stderr, "%s%s: %zu/%zu done, %zu running, %zu failed, %.1f s%s", c->mode == 2 ? "\r" : "", c->label, p->done,
          p->total, p->running, p->failed, p->seconds, c->mode == 2 ? "\033[K" : "\n");
  fflush(stderr);
}

xp_pool_opts_t cli_progress_opts(cli_progress_t *c, int parallel) {
  return (xp_pool_opts_t){.parallel = parallel, .progress = c->mode ? print_progress : NULL, .progress_opaque = c};
}

void cli_progress_end(const cli_progress_t *c) {
  if (c->mode == 2) fputc('\n', stderr);
}

static volatile sig_atomic_t pool_stop;

static void request_pool_stop(void *opaque) {
  (void)opaque;
  pool_stop = 1;
}

void cli_pool_stop_on_signal(xp_pool_opts_t *po) {
  pool_stop = 0;
  po->stop = &pool_stop;
  cli_io_set_stop(request_pool_stop, NULL);
}

int cli_pool_stopped(void) {
  cli_io_set_stop(NULL, NULL);
  return pool_stop;
}

static void cand_dir(const cli_search_t *s, size_t i, char *buf, size_t len) {
  char safe[128];
  size_t k = 0;
  for (const char *p = s->cand[i].spec; *p && k + 1 < sizeof safe; p++)
    if (*p != '=') safe[k++] = *p == ':' || *p == ',' ? '-' : *p;
  safe[k] = 0;
  snprintf(buf, len, "%s/candidates/%03zu_%s", s->out_dir, i, safe);
}

static int search_job(void *ctx, size_t i) {
  cli_search_t *s = ctx;
  char dir[XP_FW_PATH_MAX + 200];
  cand_dir(s, i, dir, sizeof dir);
  return xp_fw_job(&s->tools, s->model_path, s->cand[i].spec, s->profile, s->profile_arg, dir);
}

static void search_done(void *ctx, size_t i, int code, double seconds) {
  cli_search_t *s = ctx;
  s->codes[i] = code;
  s->cand[i].simulated = 1;
}

/* Figures of candidate i from its report and job file. */
static void collect(cli_search_t *s, size_t i) {
  char dir[XP_FW_PATH_MAX + 200], path[XP_FW_PATH_MAX + 240], msg[256];
  xp_search_cand_t *c = &s->cand[i];
  cand_dir(s, i, dir, sizeof dir);
  snprintf(path, sizeof path, "%s/report.json", dir);
  cJSON *rep = s->codes[i] == XP_FW_BUILD_FAILED ? NULL : rpt_read(path, msg, sizeof msg);
  xp_sweep_figures_t f;
  if (rep && !xp_sweep_figures(rep, &f)) {
    c->sim_ok = s->codes[i] == 0;
    c->peak_bytes = f.value[RPT_FIGURE_PEAK], c->arena_peak_bytes = f.value[RPT_FIGURE_ARENA_PEAK];
    c->cycles = f.value[RPT_FIGURE_CYCLES], c->macs = f.value[RPT_FIGURE_MACS], c->latency_us = f.latency_us;
  }
  cJSON_Delete(rep);
  snprintf(path, sizeof path, "%s/job.json", dir);
  char *text = cm_read_file(path, RPT_MAX_REPORT_BYTES, NULL);
  cJSON *job = text ? cJSON_Parse(text) : NULL;
  const uint64_t over = rpt_u64_or(job, "flash_over_bytes", 0); /* checked conversion (issue 21 F19) */
  if (over > s->flash_over_bytes) s->flash_over_bytes = over;
  cJSON_Delete(job);
  free(text);
}

static int simulate(cli_search_t *s) {
  size_t idx[XP_SEARCH_MAX_CANDIDATES], n = 0;
  char err[256];
  for (size_t i = 0; i < s->n; i++)
    if (s->exhaustive ? s->cand[i].plan_ok : s->cand[i].prune == XP_SEARCH_KEEP) idx[n++] = i;
  const char *cores[] = {s->profile->core};
  if (xp_fw_prepare_cores(&s->tools, cores, 1, s->parallel, err, sizeof err))
    return fprintf(stderr, "mcusim: %s\n", err), -1;
  printf("simulating %zu of %zu schedules (%s), %d at a time, in %s/candidates\n", n, s->n,
         s->exhaustive ? "exhaustive: every valid one" : "the promising ones", s->parallel, s->out_dir);
  fflush(stdout);
  const double t0 = xp_pool_now();
  cli_progress_t progress = {"search", s->progress};
  xp_pool_opts_t po = cli_progress_opts(&progress, s->parallel);
  cli_pool_stop_on_signal(&po);
  int failed = xp_pool_run(&po, n, idx, search_job, search_done, s);
  if (cli_pool_stopped()) return fprintf(stderr, "\nmcusim: search interrupted: no schedule chosen\n"), -2;
  if (failed < 0) return fprintf(stderr, "mcusim: cannot start jobs\n"), -1;
  cli_progress_end(&progress);
  for (size_t k = 0; k < n; k++) collect(s, idx[k]);
  printf("simulated in %.1f s wall\n", xp_pool_now() - t0);
  return 0;
}

int cli_search(int argc, char **argv) {
  static cli_search_t s;
  memset(&s, 0, sizeof s);
  if (parse_search_args(argc, argv, &s)) return CLI_EXIT_BAD_INPUT;
  const cli_io_path_t outs[] = {{"--json", s.json}}, ins[] = {{"MODEL", s.model_path}};
  int io_rc = cli_io_check_outputs("mcusim search", outs, 1, ins, 1);
  if (io_rc) return io_rc;
  if (!(s.profile = cli_load_profile(s.profile_arg))) return CLI_EXIT_BAD_INPUT;
  int rc = CLI_EXIT_BAD_INPUT;
  char err[256];
  if (gen_model_load(s.model_path, &s.model, err, sizeof err)) {
    fprintf(stderr, "mcusim: %s: %s\n", s.model_path, err);
    prof_free(s.profile);
    return CLI_EXIT_BAD_INPUT;
  }
  if (!s.budget_bytes) s.budget_bytes = prof_sram_bytes(s.profile);
  if (xp_fw_mkdirs(s.out_dir)) {
    fprintf(stderr, "mcusim: cannot create %s\n", s.out_dir);
    goto done;
  }
  if (xp_fw_tools_init(&s.tools, s.out_dir, cli_profile_dirs(), err, sizeof err)) {
    fprintf(stderr, "mcusim: %s\n", err);
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  if (enumerate(&s)) goto done;
  int sim_rc = simulate(&s);
  rc = sim_rc == -2 ? CLI_EXIT_INTERRUPTED : CLI_EXIT_INTERNAL;
  if (sim_rc) goto done;
  rc = cli_search_report(&s);
done:
  gen_model_free(&s.model);
  prof_free(s.profile);
  return rc;
}
