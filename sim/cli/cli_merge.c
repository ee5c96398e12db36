/* sim/cli/cli_merge.c — `mcusim merge DIR... [--format csv|json|html] [-o OUT]`: joins the shards' reports of a sweep
 * into one table (docs/sweep.md). Each DIR holds sweep-<i>-of-<n>.json manifests written by `mcusim sweep`. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "workloads/explore/sweep.h"

#define MERGE_MAX_ROWS 8192

typedef struct {
  xp_sweep_row_t *rows;
  size_t n, total, manifests;
  size_t dropped; /* jobs past MERGE_MAX_ROWS: an error, never a silently short table */
  int duplicates, inconsistent;
  const char *out_path; /* -o: refused when it is one of the files read (issue 21, F27) */
  int out_is_input;
} merge_t;

/* 1 (and the message) when -o is the file at path, read as what. */
static int is_output(merge_t *g, const char *path, const char *what) {
  if (!g->out_path || !cm_same_file(g->out_path, path)) return 0;
  fprintf(stderr, "mcusim: -o %s is the same file as the input %s %s: refusing to overwrite it\n", g->out_path, what,
          path);
  g->out_is_input = 1;
  return 1;
}

static void merge_usage(FILE *out) {
  fprintf(out, "usage: mcusim merge DIR... [--format csv|json|html] [-o OUT]\n"
               "  joins the reports of sweep shards (DIR/sweep-<i>-of-<n>.json and the reports they list) into one\n"
               "  table, one row per job in matrix order; missing jobs are named (exit 1).\n");
}

static int has_row(const merge_t *g, size_t index) {
  for (size_t i = 0; i < g->n; i++)
    if (g->rows[i].index == index) return 1;
  return 0;
}

static void add_job(merge_t *g, const char *dir, const cJSON *job) {
  const cJSON *index = rpt_get(job, "index"), *id = rpt_get(job, "id");
  const cJSON *status = rpt_get(job, "status"), *report = rpt_get(job, "report");
  if (!cJSON_IsNumber(index) || !cJSON_IsString(id)) return;
  if (g->n >= MERGE_MAX_ROWS) {
    g->dropped++;
    return;
  }
  if (has_row(g, (size_t)rpt_to_u64(index->valuedouble))) {
    g->duplicates++;
    return;
  }
  xp_sweep_row_t *r = &g->rows[g->n++];
  memset(r, 0, sizeof *r);
  r->index = (size_t)rpt_to_u64(index->valuedouble);
  snprintf(r->id, sizeof r->id, "%s", id->valuestring);
  snprintf(r->status, sizeof r->status, "%s", cJSON_IsString(status) ? status->valuestring : "?");
  if (!cJSON_IsString(report)) return;
  char path[4096], msg[256];
  snprintf(path, sizeof path, "%s/%s", dir, report->valuestring);
  if (is_output(g, path, "report")) return;
  cJSON *rep = rpt_read(path, msg, sizeof msg);
  if (rep && !xp_sweep_figures(rep, &r->fig)) r->has_figures = 1;
  cJSON_Delete(rep);
}

static int add_manifest(merge_t *g, const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (is_output(g, path, "manifest")) return -1;
  char *text = cm_read_file(path, RPT_MAX_REPORT_BYTES, NULL);
  cJSON *root = text ? cJSON_Parse(text) : NULL;
  free(text);
  const cJSON *schema = rpt_get(root, "schema");
  size_t total;
  if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "mcusim-sweep/1") || xp_sweep_jobs_total(root, &total)) {
    fprintf(stderr, "mcusim: %s: not a sweep manifest (mcusim-sweep/1, jobs_total a whole number up to %zu)\n", path,
            XP_SWEEP_MAX_JOBS);
    cJSON_Delete(root);
    return -1;
  }
  if (g->manifests && total != g->total) g->inconsistent = 1;
  g->total = total;
  g->manifests++;
  const cJSON *job;
  cJSON_ArrayForEach(job, rpt_get(root, "jobs")) add_job(g, dir, job);
  cJSON_Delete(root);
  return 0;
}

static int is_manifest(const char *name) {
  int i, n, end = 0;
  return sscanf(name, "sweep-%d-of-%d.json%n", &i, &n, &end) == 2 && end && name[end] == 0;
}

static int add_dir(merge_t *g, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return fprintf(stderr, "mcusim: cannot open %s\n", dir), -1;
  int found = 0, rc = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (is_manifest(e->d_name)) found++, rc |= add_manifest(g, dir, e->d_name);
  closedir(d);
  if (!found) return fprintf(stderr, "mcusim: %s holds no sweep-<i>-of-<n>.json\n", dir), -1;
  return rc;
}

static int parse_format(const char *text, xp_sweep_format_t *fmt) {
  if (!strcmp(text, "csv"))
    *fmt = XP_SWEEP_CSV;
  else if (!strcmp(text, "json"))
    *fmt = XP_SWEEP_JSON;
  else if (!strcmp(text, "html"))
    *fmt = XP_SWEEP_HTML;
  else
    return fprintf(stderr, "mcusim: --format must be csv, json or html\n"), -1;
  return 0;
}

/* Through the one writer: a file appears whole or not at all (issue 21, F14); no -o or "-" is standard output. */
static int write_out(const merge_t *g, xp_sweep_format_t fmt, const char *out_path) {
  const char *path = out_path ? out_path : "-";
  fflush(stdout);
  cm_out_t *out = cm_out_open(path);
  int rc = out ? xp_sweep_write_table(g->rows, g->n, g->total, fmt, cm_out_file(out)) : -1;
  if (out && rc)
    cm_out_abort(out);
  else if (out)
    rc = cm_out_close(out);
  if (rc) fprintf(stderr, "mcusim: %s: cannot write: %s\n", out_path ? out_path : "standard output", strerror(errno));
  return rc;
}

int cli_merge(int argc, char **argv) {
  static const struct option longopts[] = {
      {"format", required_argument, 0, 'f'}, {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0}};
  xp_sweep_format_t fmt = XP_SWEEP_CSV;
  const char *out_path = NULL;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1;) {
    if (c == 'f' && parse_format(optarg, &fmt)) return CLI_EXIT_BAD_INPUT;
    if (c == 'o') out_path = optarg;
    if (c == 'h') return merge_usage(stdout), CLI_EXIT_OK;
    if (c == '?') return merge_usage(stderr), CLI_EXIT_BAD_INPUT;
  }
  if (optind >= argc) return merge_usage(stderr), CLI_EXIT_BAD_INPUT;
  merge_t g = {.rows = calloc(MERGE_MAX_ROWS, sizeof(xp_sweep_row_t)), .out_path = out_path};
  int rc = CLI_EXIT_BAD_INPUT;
  if (!g.rows) return CLI_EXIT_INTERNAL;
  for (int i = optind; i < argc; i++)
    if (add_dir(&g, argv[i])) goto done;
  if (g.out_is_input) goto done;
  if (g.dropped) {
    fprintf(stderr, "mcusim: merge holds at most %d jobs; %zu more were not merged: merge fewer shards at a time\n",
            MERGE_MAX_ROWS, g.dropped);
    goto done;
  }
  if (g.inconsistent) {
    fprintf(stderr, "mcusim: the manifests come from different matrices (jobs_total differs)\n");
    goto done;
  }
  if (write_out(&g, fmt, out_path)) goto done;
  fprintf(stderr, "merge: %zu of %zu jobs from %zu manifests%s", g.n, g.total, g.manifests,
          g.duplicates ? " (duplicates ignored)" : "");
  fprintf(stderr, g.n < g.total ? "; %zu missing\n" : "\n", g.total - g.n);
  rc = g.n < g.total ? CLI_EXIT_FAIL : CLI_EXIT_OK;
done:
  free(g.rows);
  return rc;
}
