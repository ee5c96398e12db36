/* sim/cli/cli_sweep.c — `mcusim sweep MATRIX.json [-j N] [--shard i/n] [--out DIR]` and
 * `mcusim merge DIR... [--format csv|json|html] [-o OUT]` (issue 9, docs/sweep.md).
 *
 * Contract between them (what GNU parallel or a Slurm array needs, nothing more): every job of shard i/n writes
 * DIR/jobs/<id>/report.json, and the shard writes DIR/sweep-<i>-of-<n>.json listing its jobs (index, id, status,
 * report). merge reads any number of such folders, joins the rows by job index and names the missing ones. */
#define _GNU_SOURCE
#include <dirent.h>
#include <getopt.h>
#include <libgen.h>
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

typedef struct {
  const char *matrix_path, *out_dir;
  int parallel, shard_i, shard_n, progress;
  xp_sweep_matrix_t m;
  prof_t *profiles[XP_SWEEP_MAX_AXIS];
  xp_fw_tools_t tools;
  int codes[4096];
  double seconds[4096];
  unsigned char ran[4096]; /* the job started (its `done` came): the manifest lists it */
} sweep_t;

static void sweep_usage(FILE *out) {
  fprintf(out,
          "usage: mcusim sweep MATRIX.json [-j N] [--shard i/n] [--out DIR] [--quiet]\n"
          "  runs every model x schedule x profile of the matrix (JSON, \"version\": 1; docs/sweep.md): each job\n"
          "  generates and cross-compiles its firmware and runs it (`mcusim run`) into DIR/jobs/<id>/report.json;\n"
          "  -j N jobs at once (default: the online cores); --shard i/n runs jobs j with j %% n == i-1;\n"
          "  DIR/sweep-<i>-of-<n>.json lists the shard's jobs for `mcusim merge`. Default DIR: sweep-out.\n");
}

static int parse_sweep_args(int argc, char **argv, sweep_t *s) {
  static const struct option longopts[] = {{"jobs", required_argument, 0, 'j'}, {"shard", required_argument, 0, 's'},
                                           {"out", required_argument, 0, 'o'},  {"quiet", no_argument, 0, 'q'},
                                           {"help", no_argument, 0, 'h'},       {0}};
  uint64_t v;
  s->parallel = (int)sysconf(_SC_NPROCESSORS_ONLN);
  s->shard_i = s->shard_n = 1;
  s->out_dir = "sweep-out";
  s->progress = isatty(STDERR_FILENO) ? 2 : 1;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "j:o:qh", longopts, NULL)) != -1;) {
    if (c == 'j') {
      if (cli_parse_range(optarg, "-j", 1, 256, &v)) return -1;
      s->parallel = (int)v;
    } else if (c == 's' && cli_parse_shard(optarg, &s->shard_i, &s->shard_n)) {
      return -1;
    } else if (c == 'o') {
      s->out_dir = optarg;
    } else if (c == 'q') {
      s->progress = 0;
    } else if (c == 'h') {
      sweep_usage(stdout);
      exit(cli_io_finish("mcusim", CLI_EXIT_OK)); /* --help: what main() would check */
    } else if (c == '?') {
      return sweep_usage(stderr), -1;
    }
  }
  if (optind + 1 != argc)
    return fprintf(stderr, "mcusim: sweep needs exactly one matrix file\n"), sweep_usage(stderr), -1;
  s->matrix_path = argv[optind];
  return 0;
}

static int load_matrix(sweep_t *s) {
  char *text = cm_read_file(s->matrix_path, RPT_MAX_REPORT_BYTES, NULL), err[256], models_dir[XP_FW_PATH_MAX + 32],
       base[XP_FW_PATH_MAX];
  if (!text) return fprintf(stderr, "mcusim: cannot read %s\n", s->matrix_path), -1;
  snprintf(base, sizeof base, "%s", s->matrix_path);
  snprintf(models_dir, sizeof models_dir, "%s/workloads/models", s->tools.root);
  int rc = xp_sweep_matrix_parse(text, dirname(base), models_dir, &s->m, err, sizeof err);
  free(text);
  if (rc) return fprintf(stderr, "mcusim: %s: %s\n", s->matrix_path, err), -1;
  if (xp_sweep_job_count(&s->m) > 4096) return fprintf(stderr, "mcusim: %s: more than 4096 jobs\n", s->matrix_path), -1;
  return 0;
}

/* Profiles are loaded (and checked) once in the parent; children inherit them. */
static int load_profiles(sweep_t *s) {
  char err[256];
  const char *cores[XP_SWEEP_MAX_AXIS];
  size_t n_cores = 0;
  for (size_t p = 0; p < s->m.n_profiles; p++) {
    if (!(s->profiles[p] = cli_load_profile(s->m.profiles[p]))) return -1;
    int seen = 0;
    for (size_t c = 0; c < n_cores; c++) seen |= !strcmp(cores[c], s->profiles[p]->core);
    if (!seen) cores[n_cores++] = s->profiles[p]->core;
  }
  if (xp_fw_prepare_cores(&s->tools, cores, n_cores, s->parallel, err, sizeof err))
    return fprintf(stderr, "mcusim: %s\n", err), -1;
  return 0;
}

static int sweep_job(void *ctx, size_t j) {
  sweep_t *s = ctx;
  size_t mi, si, pi;
  char id[160], dir[XP_FW_PATH_MAX + 200];
  xp_sweep_job_cell(&s->m, j, &mi, &si, &pi);
  xp_sweep_job_id(&s->m, j, id, sizeof id);
  snprintf(dir, sizeof dir, "%s/jobs/%s", s->out_dir, id);
  return xp_fw_job(&s->tools, s->m.models[mi], s->m.schedules[si], s->profiles[pi], s->m.profiles[pi], dir);
}

static void sweep_done(void *ctx, size_t j, int code, double seconds) {
  sweep_t *s = ctx;
  s->ran[j] = 1;
  s->codes[j] = code == 128 + SIGTERM ? XP_FW_INTERRUPTED : code; /* ended by a stop (cli_pool_stop_on_signal) */
  s->seconds[j] = seconds;
}

static int write_manifest(const sweep_t *s, const size_t *jobs, size_t n, double wall) {
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
  cJSON_AddStringToObject(root, "schema", "mcusim-sweep/1");
  cJSON_AddStringToObject(root, "matrix", s->matrix_path);
  cJSON_AddNumberToObject(root, "jobs_total", (double)xp_sweep_job_count(&s->m));
  cJSON_AddNumberToObject(root, "shard", s->shard_i);
  cJSON_AddNumberToObject(root, "shards", s->shard_n);
  cJSON_AddNumberToObject(root, "parallel", s->parallel);
  cJSON_AddNumberToObject(root, "wall_seconds", wall);
  for (size_t k = 0; k < n; k++) {
    char id[160], report[200];
    xp_sweep_job_id(&s->m, jobs[k], id, sizeof id);
    snprintf(report, sizeof report, "jobs/%s/report.json", id);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)jobs[k]);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "status", xp_fw_status(s->codes[jobs[k]]));
    cJSON_AddStringToObject(o, "report", report);
    cJSON_AddNumberToObject(o, "seconds", s->seconds[jobs[k]]);
    cJSON_AddItemToArray(arr, o);
  }
  cJSON_AddItemToObject(root, "jobs", arr);
  char path[XP_FW_PATH_MAX + 64], *text = cJSON_Print(root);
  snprintf(path, sizeof path, "%s/sweep-%d-of-%d.json", s->out_dir, s->shard_i, s->shard_n);
  int rc = text ? cm_write_file(path, text, strlen(text)) : -1;
  if (!rc) fprintf(stderr, "sweep: manifest %s\n", path);
  free(text);
  cJSON_Delete(root);
  return rc;
}

int cli_sweep(int argc, char **argv) {
  static sweep_t s; /* large; one per process */
  memset(&s, 0, sizeof s);
  if (parse_sweep_args(argc, argv, &s)) return CLI_EXIT_BAD_INPUT;
  if (xp_fw_mkdirs(s.out_dir)) return fprintf(stderr, "mcusim: cannot create %s\n", s.out_dir), CLI_EXIT_BAD_INPUT;
  char err[256];
  if (xp_fw_tools_init(&s.tools, s.out_dir, cli_profile_dirs(), err, sizeof err))
    return fprintf(stderr, "mcusim: %s\n", err), CLI_EXIT_INTERNAL;
  int rc = CLI_EXIT_BAD_INPUT;
  size_t *jobs = NULL, n = 0;
  if (load_matrix(&s) || load_profiles(&s)) goto done;
  const size_t total = xp_sweep_job_count(&s.m);
  jobs = malloc(total * sizeof *jobs);
  for (size_t j = 0; jobs && j < total; j++)
    if (xp_sweep_in_shard(j, s.shard_i, s.shard_n)) jobs[n++] = j;
  fprintf(stderr, "sweep: %zu of %zu jobs (shard %d/%d), %d at a time, into %s\n", n, total, s.shard_i, s.shard_n,
          s.parallel, s.out_dir);
  const double t0 = xp_pool_now();
  cli_progress_t progress = {"sweep", s.progress};
  xp_pool_opts_t po = cli_progress_opts(&progress, s.parallel);
  cli_pool_stop_on_signal(&po);
  int failed = xp_pool_run(&po, n, jobs, sweep_job, sweep_done, &s);
  const int stopped = cli_pool_stopped();
  const double wall = xp_pool_now() - t0;
  if (failed >= 0) cli_progress_end(&progress);
  if (failed < 0) {
    fprintf(stderr, "mcusim: cannot start jobs\n");
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  /* stopped: the manifest lists the jobs that ran (the ended ones as interrupted); merge names the rest missing */
  size_t ran = 0;
  for (size_t k = 0; k < n; k++)
    if (s.ran[jobs[k]]) jobs[ran++] = jobs[k];
  if (stopped)
    fprintf(stderr, "sweep: interrupted after %zu of %zu jobs; the manifest lists them, merge names the rest\n", ran,
            n);
  else
    fprintf(stderr, "sweep: %zu jobs in %.1f s wall (-j %d): %zu ok, %d failed\n", n, wall, s.parallel,
            n - (size_t)failed, failed);
  rc = write_manifest(&s, jobs, ran, wall) ? CLI_EXIT_INTERNAL
       : stopped                           ? CLI_EXIT_INTERRUPTED
       : failed                            ? CLI_EXIT_FAIL
                                           : CLI_EXIT_OK;
done:
  free(jobs);
  for (size_t p = 0; p < s.m.n_profiles; p++) prof_free(s.profiles[p]);
  xp_sweep_matrix_free(&s.m);
  return rc;
}
