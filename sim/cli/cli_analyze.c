/* sim/cli/cli_analyze.c — `mcusim analyze MODEL --profile PART [--json FILE|-] [--html FILE|-] [-j N] [--out DIR]
 * [--top N] [--input flash|sram|any] [--quiet]`: does the model fit the part, how fast, what do patches buy. The
 * library (workloads/explore/analyze.h) plans, searches, builds, simulates and verifies; this file prints the one
 * verdict block and writes the JSON and HTML outputs. docs/analyze.md.
 *
 * Exit: 0 the model fits the part (layer-wise or with patches) and every firmware computed the same output; 1 it
 * does not fit, the layer-wise firmware did not run, or the outputs differ (the verdict says which); 2 bad input or
 * usage; 5 interrupted; 70 internal (tools missing, ...). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cm.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "sim/cli/cli_search.h"
#include "workloads/explore/analyze.h"

typedef struct {
  const char *model, *profile_arg, *json, *html, *out_dir;
  int parallel, top, inputs, progress;
} analyze_args_t;

static void analyze_usage(FILE *out) {
  fprintf(out,
          "usage: mcusim analyze MODEL --profile PART [--json FILE|-] [--html FILE|-] [-j N] [--out DIR]\n"
          "                      [--top N] [--input flash|sram|any] [--quiet]\n"
          "  does the model (a model JSON, docs/models.md) fit the part, how fast does it run, what do patches buy:\n"
          "  plans the model, builds and simulates the layer-wise firmware and the patch schedules `mcusim search`\n"
          "  finds promising for the part's SRAM (-j N at a time; firmware in DIR, default analyze-out), checks that\n"
          "  all computed the same output, and prints one verdict: fits or not (peak SRAM and flash vs the part),\n"
          "  latency and cycles/MAC per schedule, the patch schedule and what it costs, the peak layer. --json\n"
          "  writes the verdict (schema mcusim-analyze/1, docs/analyze.md), --html a page; '-' is standard output.\n"
          "  Progress on stderr.\n"
          "  Exit 0 when it fits and the outputs agree, 1 when it does not fit (or a run failed), 2 bad input.\n");
}

static int parse_inputs(const char *text, int *inputs) {
  static const char *const names[] = {"flash", "sram", "any"};
  for (int i = 0; i < 3; i++)
    if (!strcmp(text, names[i])) return *inputs = i + 1, 0;
  return fprintf(stderr, "mcusim: --input must be flash, sram or any, not '%s'\n", text), -1;
}

static int parse_opt(int c, analyze_args_t *a) {
  uint64_t v;
  switch (c) {
  case 'p':
    a->profile_arg = optarg;
    return 0;
  case 'J':
    a->json = optarg;
    return 0;
  case 'H':
    a->html = optarg;
    return 0;
  case 'j':
    if (cli_parse_range(optarg, "-j", 1, 256, &v)) return -1;
    a->parallel = (int)v;
    return 0;
  case 'o':
    a->out_dir = optarg;
    return 0;
  case 't':
    if (cli_parse_range(optarg, "--top", 0, 64, &v)) return -1;
    a->top = (int)v;
    return 0;
  case 'i':
    return parse_inputs(optarg, &a->inputs);
  case 'q':
    a->progress = 0;
    return 0;
  case 'h':
    analyze_usage(stdout);
    exit(cli_io_finish("mcusim", CLI_EXIT_OK)); /* --help: what main() would check */
  default:
    return analyze_usage(stderr), -1;
  }
}

static int parse_args(int argc, char **argv, analyze_args_t *a) {
  static const struct option longopts[] = {{"profile", required_argument, 0, 'p'}, {"json", required_argument, 0, 'J'},
                                           {"html", required_argument, 0, 'H'},    {"jobs", required_argument, 0, 'j'},
                                           {"out", required_argument, 0, 'o'},     {"top", required_argument, 0, 't'},
                                           {"input", required_argument, 0, 'i'},   {"quiet", no_argument, 0, 'q'},
                                           {"help", no_argument, 0, 'h'},          {0}};
  a->parallel = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (a->parallel < 1) a->parallel = 1;
  a->top = 3;
  a->inputs = 1;
  a->out_dir = "analyze-out";
  a->progress = isatty(STDERR_FILENO) ? 2 : 1;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "p:j:o:qh", longopts, NULL)) != -1;)
    if (parse_opt(c, a)) return -1;
  if (optind + 1 != argc)
    return fprintf(stderr, "mcusim: analyze needs exactly one model\n"), analyze_usage(stderr), -1;
  if (!a->profile_arg) return fprintf(stderr, "mcusim: analyze needs --profile\n"), analyze_usage(stderr), -1;
  a->model = argv[optind];
  return 0;
}

/* ---- the verdict block ---- */

static const char *digits(double v, char *buf, size_t len) {
  rpt_group_digits(rpt_to_u64(v < 0 ? -v : v), buf, len);
  return buf;
}

static const char *signed_digits(double v, char *buf, size_t len) {
  buf[0] = v < 0 ? '-' : '+';
  digits(v, buf + 1, len - 1);
  return buf;
}

static double num(const cJSON *o, const char *path) { return rpt_num_or(o, path, 0); }

static void print_answer(const cJSON *v) {
  const char *ans = xp_analyze_answer(v), *rec = rpt_str_or(v, "recommended", NULL);
  char a[32];
  if (!strcmp(ans, "fits"))
    printf("  verdict       FITS layer-wise (%s)\n", rec);
  else if (!strcmp(ans, "fits_with_patches"))
    printf("  verdict       FITS WITH PATCHES (%s); layer-wise is over the SRAM by %s B\n", rec,
           digits(num(v, "layerwise.sram_over_bytes"), a, sizeof a));
  else if (!strcmp(ans, "unknown"))
    printf("  verdict       UNKNOWN: the layer-wise firmware ended '%s' (see %s)\n",
           rpt_str_or(v, "layerwise.status", "?"), "the candidates' folders");
  else {
    printf("  verdict       DOES NOT FIT");
    const char *sep = ":";
    if (!cJSON_IsTrue(rpt_get(v, "flash.fits")))
      printf("%s flash over by %s B", sep, digits(num(v, "flash.over_bytes"), a, sizeof a)), sep = ";";
    const cJSON *p = rpt_get(v, "patch");
    const int p_ran = cJSON_IsObject(p) && cJSON_IsBool(rpt_get(p, "fits_sram"));
    if (cJSON_IsTrue(rpt_get(v, "layerwise.fits_sram")))
      printf("%s SRAM fits layer-wise", sep);
    else if (p_ran && cJSON_IsTrue(rpt_get(p, "fits_sram")))
      printf("%s SRAM fits only with patches (%s; layer-wise over by %s B)", sep, rpt_str_or(p, "schedule", "?"),
             digits(num(v, "layerwise.sram_over_bytes"), a, sizeof a));
    else if (p_ran)
      printf("%s SRAM over by %s B even patch-based (%s)", sep, digits(num(p, "sram_over_bytes"), a, sizeof a),
             rpt_str_or(p, "schedule", "?"));
    else
      printf("%s SRAM over by %s B layer-wise, and no patch schedule ran", sep,
             digits(num(v, "layerwise.sram_over_bytes"), a, sizeof a));
    printf("\n");
  }
}

/* One figure of both schedules on a row. */
static void row(const char *label, const cJSON *lw, const cJSON *p, const char *key, const char *fmt) {
  printf("  %-13s", label);
  const cJSON *cols[2] = {lw, p};
  for (int k = 0; k < 1 + cJSON_IsObject(p); k++) {
    const cJSON *x = cJSON_IsObject(cols[k]) ? rpt_get(cols[k], key) : NULL;
    char cell[64], d[32];
    if (!x)
      snprintf(cell, sizeof cell, "%s", k && !cJSON_IsObject(p) ? "" : "-");
    else if (cJSON_IsString(x))
      snprintf(cell, sizeof cell, "%s", x->valuestring);
    else if (!strcmp(fmt, "B"))
      snprintf(cell, sizeof cell, "%s B", digits(x->valuedouble, d, sizeof d));
    else if (!strcmp(fmt, "n"))
      snprintf(cell, sizeof cell, "%s", digits(x->valuedouble, d, sizeof d));
    else
      snprintf(cell, sizeof cell, fmt, x->valuedouble);
    printf(k || !cJSON_IsObject(p) ? " %s" : " %-26s", cell);
  }
  printf("\n");
}

static void print_sram_row(const cJSON *v, const cJSON *lw, const cJSON *p) {
  printf("  %-13s", "vs SRAM");
  const cJSON *cols[2] = {lw, p};
  for (int k = 0; k < 1 + cJSON_IsObject(p); k++) {
    char cell[64], d[32];
    cell[0] = 0;
    if (cJSON_IsObject(cols[k]) && cJSON_IsBool(rpt_get(cols[k], "fits_sram"))) {
      if (cJSON_IsTrue(rpt_get(cols[k], "fits_sram")))
        snprintf(cell, sizeof cell, "fits, %s B free", digits(num(cols[k], "sram_headroom_bytes"), d, sizeof d));
      else
        snprintf(cell, sizeof cell, "over by %s B", digits(num(cols[k], "sram_over_bytes"), d, sizeof d));
    } else if (cJSON_IsObject(cols[k]))
      snprintf(cell, sizeof cell, "-");
    printf(k || !cJSON_IsObject(p) ? " %s" : " %-26s", cell);
  }
  (void)v;
  printf("\n");
}

static void print_verdict(const cJSON *v, const char *out_dir) {
  char a[32], b[32], c[32], d[32];
  const cJSON *lw = rpt_get(v, "layerwise"), *p = rpt_get(v, "patch");
  printf("mcusim analyze: %s on %s (%s at %.0f MHz, %s B SRAM, %s B flash)\n", rpt_str_or(v, "model.name", "?"),
         rpt_str_or(v, "profile.name", "?"), rpt_str_or(v, "profile.core", "?"), num(v, "profile.clock_hz") / 1e6,
         digits(num(v, "profile.sram_bytes"), a, sizeof a), digits(num(v, "profile.flash_bytes"), b, sizeof b));
  print_answer(v);
  printf("  flash         %s B of %s B (model %s B, code and data %s B): %s",
         digits(num(v, "flash.used_bytes"), a, sizeof a), digits(num(v, "profile.flash_bytes"), b, sizeof b),
         digits(num(v, "flash.model_bytes"), c, sizeof c), digits(num(v, "flash.code_bytes"), d, sizeof d),
         cJSON_IsTrue(rpt_get(v, "flash.fits")) ? "fits" : "");
  if (!cJSON_IsTrue(rpt_get(v, "flash.fits")))
    printf("over by %s B (simulated with the flash enlarged)", digits(num(v, "flash.over_bytes"), a, sizeof a));
  if (cJSON_IsObject(p))
    printf("\n\n  %-13s %-26s %s\n", "", "layer-wise", "patch-based");
  else
    printf("\n\n  %-13s %s\n", "", "layer-wise");
  row("schedule", lw, p, "schedule", "");
  row("peak SRAM", lw, p, "peak_bytes", "B");
  print_sram_row(v, lw, p);
  row("  arena", lw, p, "arena_peak_bytes", "B");
  row("  static", lw, p, "static_bytes", "B");
  row("  stack", lw, p, "stack_peak_bytes", "B");
  row("  heap", lw, p, "heap_bytes", "B"); /* newlib's (printf's buffers): in peak SRAM, not in the plan's arena */
  row("MACs", lw, p, "macs", "n");
  row("cycles", lw, p, "cycles", "n");
  row("latency", lw, p, "latency_ms", "%.2f ms");
  row("cycles/MAC", lw, p, "cycles_per_mac", "%.3f");
  row("peak layer", lw, p, "peak_layer.name", "");
  row("  its arena", lw, p, "peak_layer.arena_peak_bytes", "B");
  row("status", lw, p, "status", "");
  printf("\n");
  const cJSON *o = rpt_get(v, "overheads");
  if (cJSON_IsObject(o))
    printf("  patches buy   %s B less peak SRAM (%.1f%%) for %s MACs (%+.1f%%) and %+.2f ms (%+.1f%% cycles)\n",
           signed_digits(num(o, "memory_saved_bytes"), a, sizeof a) + (num(o, "memory_saved_bytes") >= 0),
           100.0 * num(o, "memory_saved_fraction"), signed_digits(num(o, "macs_added"), b, sizeof b),
           100.0 * num(o, "mac_overhead"), num(o, "latency_added_ms"), 100.0 * num(o, "latency_overhead"));
  if (cJSON_IsString(rpt_get(v, "patch_note"))) printf("  patches       %s\n", rpt_str_or(v, "patch_note", ""));
  if (cJSON_IsTrue(rpt_get(v, "outputs.identical")))
    printf("  outputs       identical: checksum %s in %s %d simulated firmware (each equal to its native run)\n",
           rpt_str_or(v, "outputs.checksum", "?"), num(v, "outputs.runs") > 1 ? "all" : "the",
           (int)num(v, "outputs.runs"));
  else
    printf("  outputs       NOT VERIFIED: the %d simulated firmware do not agree (see %s/candidates)\n",
           (int)num(v, "outputs.runs"), out_dir);
  const cJSON *f;
  const char *lead = "  front         "; /* the measured Pareto front: peak SRAM vs latency */
  cJSON_ArrayForEach(f, rpt_get(v, "search.front")) {
    printf("%s%-26s %12s B %10.2f ms\n", lead, rpt_str_or(f, "schedule", "?"),
           digits(num(f, "peak_bytes"), a, sizeof a), num(f, "latency_ms"));
    lead = "                ";
  }
  printf("  search        %d schedules, %d valid, %d simulated (firmware and reports in %s/candidates)\n",
         (int)num(v, "search.schedules"), (int)num(v, "search.valid"), (int)num(v, "search.simulated"), out_dir);
}

/* ---- outputs ---- */

static int write_output(const char *path, const cJSON *v, int html) {
  fflush(stdout);
  cm_out_t *out = cm_out_open(path);
  int rc = -1;
  if (out) {
    if (html)
      rc = xp_analyze_write_html(v, cm_out_file(out));
    else {
      char *text = cJSON_Print(v);
      rc = text && fputs(text, cm_out_file(out)) >= 0 && fputc('\n', cm_out_file(out)) != EOF ? 0 : -1;
      free(text);
    }
    if (rc)
      cm_out_abort(out);
    else
      rc = cm_out_close(out);
  }
  if (rc) fprintf(stderr, "mcusim: %s: cannot write the %s: %s\n", path, html ? "page" : "verdict", strerror(errno));
  return rc;
}

int cli_analyze(int argc, char **argv) {
  analyze_args_t a = {0};
  if (parse_args(argc, argv, &a)) return CLI_EXIT_BAD_INPUT;
  const cli_io_path_t outs[] = {{"--json", a.json}, {"--html", a.html}}, ins[] = {{"MODEL", a.model}};
  if (cli_io_check_outputs("mcusim", outs, 2, ins, 1)) return CLI_EXIT_BAD_INPUT;
  prof_t *profile = cli_load_profile(a.profile_arg);
  if (!profile) return CLI_EXIT_BAD_INPUT;
  cli_progress_t progress = {"analyze", a.progress};
  xp_pool_opts_t po = cli_progress_opts(&progress, a.parallel);
  cli_pool_stop_on_signal(&po);
  const xp_analyze_opts_t o = {.model_path = a.model,
                               .profile_arg = a.profile_arg,
                               .profile = profile,
                               .profile_dirs = cli_profile_dirs(),
                               .work_dir = a.out_dir,
                               .parallel = a.parallel,
                               .top = a.top,
                               .inputs = a.inputs,
                               .progress = po.progress,
                               .progress_opaque = po.progress_opaque,
                               .stop = po.stop};
  cJSON *v = NULL;
  char err[512];
  const xp_analyze_status_t st = xp_analyze(&o, &v, err, sizeof err);
  const int stopped = cli_pool_stopped();
  cli_progress_end(&progress);
  prof_free(profile);
  if (st != XP_ANALYZE_OK) {
    fprintf(stderr, "mcusim: %s\n", err);
    return st == XP_ANALYZE_BAD_INPUT                ? CLI_EXIT_BAD_INPUT
           : st == XP_ANALYZE_INTERRUPTED || stopped ? CLI_EXIT_INTERRUPTED
                                                     : CLI_EXIT_INTERNAL;
  }
  print_verdict(v, a.out_dir);
  int rc =
      cJSON_IsTrue(rpt_get(v, "fits")) && cJSON_IsTrue(rpt_get(v, "outputs.identical")) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  /* an output that cannot be written is bad input, as for every command (README "Exit codes") */
  if (a.json && write_output(a.json, v, 0)) rc = CLI_EXIT_BAD_INPUT;
  if (a.html && write_output(a.html, v, 1)) rc = CLI_EXIT_BAD_INPUT;
  cJSON_Delete(v);
  return rc;
}
