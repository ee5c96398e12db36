/* sim/cli/cli_check.c — `mcusim check REPORT.json --baseline BASE.json`: the regression gate for CI
 * (docs/check.md). Exit 0 pass, 1 regression, 2 bad input. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/check.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"

#define CHECK_MAX_SETTINGS 64

typedef struct {
  const char *report, *baseline, *budget, *junit;
  const char *json; /* --json[=OUT]: mcusim-check/1 */
  int update, allow_mismatch, quiet;
  int n_settings;
  struct {
    int kind; /* 'g' growth, 'm' max */
    const char *spec;
  } settings[CHECK_MAX_SETTINGS];
} check_opts_t;

static void usage_check(FILE *out) {
  fprintf(out, "usage: mcusim check REPORT.json --baseline BASE.json [options]\n"
               "\n"
               "Compares a report of 'mcusim run' with a baseline report: totals (cycles, instructions, latency, peak\n"
               "SRAM, arena peak, stack peak, flash use) and per-layer figures, against growth limits and budgets.\n"
               "Defaults: any growth of peak SRAM, arena or stack fails; cycles, instructions and flash may grow 1%%.\n"
               "\n"
               "  -b, --baseline BASE.json    the committed baseline report (required)\n"
               "      --budget BUDGET.json    limits and budgets from a file (\"version\": 1; docs/check.md)\n"
               "      --max-growth FIG=VAL    allowed growth: cycles=2%%, stack_peak=256, layers.cycles=5%%, or none\n"
               "      --max FIG=VAL           absolute budget: peak_sram=320KiB, latency=100ms, flash_used=1MiB\n"
               "      --junit OUT.xml         JUnit XML: one test case per figure and per layer\n"
               "      --json[=OUT]            the verdict as mcusim-check/1 (docs/check.schema.json) on standard\n"
               "                              output or OUT; the table then goes to stderr\n"
               "      --update-baseline       compare, then rewrite BASE.json from REPORT.json (exit 0)\n"
               "      --allow-mismatch        compare reports of different profiles or firmware models\n"
               "  -q, --quiet                 print only regressions and the verdict\n"
               "  -h, --help                  this text\n"
               "\n"
               "With GITHUB_ACTIONS set: ::error/::warning annotations, and a Markdown table appended to\n"
               "$GITHUB_STEP_SUMMARY. Figures: cycles, instructions, latency, peak_sram, arena_peak, stack_peak,\n"
               "flash_used; per layer: cycles, instructions, arena_peak.\n"
               "\n"
               "Exit codes: 0 pass, 1 regression, 2 bad input (unreadable or mismatched reports, bad budget).\n");
}

static int add_setting(check_opts_t *o, int kind, const char *spec) {
  if (o->n_settings == CHECK_MAX_SETTINGS) {
    fprintf(stderr, "mcusim check: at most %d --max/--max-growth settings\n", CHECK_MAX_SETTINGS);
    return -1;
  }
  o->settings[o->n_settings].kind = kind;
  o->settings[o->n_settings++].spec = spec;
  return 0;
}

static int parse_check(int argc, char **argv, check_opts_t *o) {
  static const struct option longopts[] = {{"baseline", required_argument, 0, 'b'},
                                           {"budget", required_argument, 0, 'B'},
                                           {"junit", required_argument, 0, 'j'},
                                           {"max-growth", required_argument, 0, 'g'},
                                           {"max", required_argument, 0, 'm'},
                                           {"update-baseline", no_argument, 0, 'u'},
                                           {"allow-mismatch", no_argument, 0, 'a'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"help", no_argument, 0, 'h'},
                                           {"json", optional_argument, 0, 'J'},
                                           {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "b:qh", longopts, NULL)) != -1;) {
    if (c == 'b')
      o->baseline = optarg;
    else if (c == 'B')
      o->budget = optarg;
    else if (c == 'j')
      o->junit = optarg;
    else if (c == 'J')
      o->json = cli_io_json_path(argc, argv);
    else if (c == 'g' || c == 'm') {
      if (add_setting(o, c, optarg)) return CLI_EXIT_BAD_INPUT;
    } else if (c == 'u')
      o->update = 1;
    else if (c == 'a')
      o->allow_mismatch = 1;
    else if (c == 'q')
      o->quiet = 1;
    else if (c == 'h') {
      usage_check(stdout);
      return -1;
    } else {
      usage_check(stderr);
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (optind != argc - 1 || !o->baseline) {
    fprintf(stderr, "mcusim check: %s\n",
            !o->baseline ? "--baseline is required" : "exactly one REPORT.json is needed");
    usage_check(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  o->report = argv[optind];
  return 0;
}

static int in_github(void) {
  const char *v = getenv("GITHUB_ACTIONS");
  return v && *v && strcmp(v, "false");
}

/* Bad input: one line on stderr, and an annotation when running in GitHub Actions. */
static int bad_input(const char *report, const char *msg) {
  fprintf(stderr, "mcusim check: %s\n", msg);
  if (in_github()) printf("::error file=%s,title=mcusim check::%s\n", report, msg);
  return CLI_EXIT_BAD_INPUT;
}

static int load_budget(const check_opts_t *o, rpt_budget_t *budget) {
  char msg[512];
  rpt_budget_defaults(budget);
  if (o->budget && rpt_budget_load(budget, o->budget, msg, sizeof msg)) return bad_input(o->report, msg);
  for (int i = 0; i < o->n_settings; i++)
    if (rpt_budget_set(budget, o->settings[i].kind, o->settings[i].spec, msg, sizeof msg))
      return bad_input(o->report, msg);
  return 0;
}

/* Renders into memory, then writes atomically: CI never picks up half a file. */
static int write_junit(const rpt_check_t *check, const char *path) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) return -1;
  rpt_check_write_junit(check, NULL, mem);
  int rc = fclose(mem) ? -1 : cm_write_file(path, text, len);
  free(text);
  return rc;
}

static void github_outputs(const rpt_check_t *check, const char *report) {
  rpt_check_github_annotations(check, report, stdout);
  const char *summary = getenv("GITHUB_STEP_SUMMARY");
  if (!summary || !*summary) return;
  FILE *f = fopen(summary, "a");
  if (!f) {
    fprintf(stderr, "mcusim check: %s: cannot append the step summary: %s\n", summary, strerror(errno));
    return;
  }
  rpt_check_markdown(check, f);
  fclose(f);
}

static int write_baseline(const cJSON *report, const char *path) {
  cJSON *baseline = rpt_check_baseline_of(report);
  char *text = baseline ? cJSON_Print(baseline) : NULL;
  cJSON_Delete(baseline);
  char *with_newline = text ? realloc(text, strlen(text) + 2) : NULL;
  if (!with_newline) {
    free(text);
    fprintf(stderr, "mcusim check: out of memory writing the baseline\n");
    return CLI_EXIT_INTERNAL;
  }
  strcat(with_newline, "\n");
  int rc = cm_write_file(path, with_newline, strlen(with_newline));
  free(with_newline);
  if (rc) {
    fprintf(stderr, "mcusim check: %s: cannot write the baseline: %s\n", path, strerror(errno));
    return CLI_EXIT_BAD_INPUT;
  }
  printf("baseline updated: %s\n", path);
  return CLI_EXIT_OK;
}

static void print_quiet(const rpt_check_t *check, FILE *out) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) return;
  rpt_check_print(check, mem);
  fclose(mem);
  /* the header line, then only regression lines and the verdict */
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
    if (!strncmp(line, "mcusim check:", 13) || !strncmp(line, "regression:", 11) || !strncmp(line, "check:", 6))
      fprintf(out, "%s\n", line);
  free(text);
}

/* mcusim-check/1 (docs/check.schema.json): the verdict and every compared row. */
static cJSON *check_json(const rpt_check_t *check, const check_opts_t *o) {
  static const char *const units[] = {"count", "bytes", "ms", "us", "ratio"};
  static const char *const changes[] = {"same", "grew", "shrank", "added", "removed"};
  static const char *const verdicts[] = {"ok", "warn", "fail"};
  cJSON *j = cJSON_CreateObject(), *rows = cJSON_CreateArray();
  cJSON_AddStringToObject(j, "schema", "mcusim-check/1");
  cJSON_AddStringToObject(j, "report", o->report);
  cJSON_AddStringToObject(j, "baseline", o->baseline);
  cJSON_AddStringToObject(j, "label", check->label);
  cJSON_AddStringToObject(j, "verdict", check->regressions ? "fail" : "pass");
  cJSON_AddNumberToObject(j, "regressions", (double)check->regressions);
  cJSON_AddNumberToObject(j, "warnings", (double)check->warnings);
  cJSON_AddNumberToObject(j, "grown", (double)check->grown);
  cJSON_AddNumberToObject(j, "shrunk", (double)check->shrunk);
  cJSON_AddNumberToObject(j, "added", (double)check->added);
  cJSON_AddNumberToObject(j, "removed", (double)check->removed);
  for (size_t i = 0; i < check->n_rows; i++) {
    const rpt_check_row_t *r = &check->rows[i];
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "layer", r->layer);
    cJSON_AddStringToObject(row, "figure", r->figure);
    cJSON_AddStringToObject(row, "unit", (unsigned)r->unit < 5 ? units[r->unit] : "count");
    if (!strcmp(r->figure, "result")) {
      cJSON_AddStringToObject(row, "old", r->old_text);
      cJSON_AddStringToObject(row, "new", r->new_text);
    } else {
      if (r->has_old)
        cJSON_AddNumberToObject(row, "old", r->old_value);
      else
        cJSON_AddNullToObject(row, "old");
      if (r->has_new)
        cJSON_AddNumberToObject(row, "new", r->new_value);
      else
        cJSON_AddNullToObject(row, "new");
    }
    cJSON_AddStringToObject(row, "change", (unsigned)r->change < 5 ? changes[r->change] : "same");
    cJSON_AddStringToObject(row, "verdict", (unsigned)r->verdict < 3 ? verdicts[r->verdict] : "ok");
    cJSON_AddStringToObject(row, "why", r->why);
    cJSON_AddStringToObject(row, "limit", r->limit);
    cJSON_AddItemToArray(rows, row);
  }
  cJSON_AddItemToObject(j, "rows", rows);
  return j;
}

static int compare(const check_opts_t *o, const cJSON *report, const cJSON *baseline, const rpt_budget_t *budget) {
  char msg[512];
  if (rpt_check_compatible(report, baseline, msg, sizeof msg)) {
    if (!o->allow_mismatch) {
      char line[700];
      snprintf(line, sizeof line, "%s vs %s: %s (--allow-mismatch compares them anyway)", o->report, o->baseline, msg);
      return bad_input(o->report, line);
    }
    fprintf(stderr, "mcusim check: warning: %s\n", msg);
  }
  rpt_check_t *check = rpt_check_run(report, baseline, budget);
  if (!check) {
    fprintf(stderr, "mcusim check: out of memory\n");
    return CLI_EXIT_INTERNAL;
  }
  if (o->quiet)
    print_quiet(check, stdout);
  else
    rpt_check_print(check, stdout);
  int rc = check->regressions ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  fflush(stdout); /* the verdict comes first when --junit is /dev/stdout */
  if (o->junit && write_junit(check, o->junit)) {
    fprintf(stderr, "mcusim check: %s: cannot write the JUnit file: %s\n", o->junit, strerror(errno));
    rc = CLI_EXIT_BAD_INPUT;
  }
  if (in_github()) github_outputs(check, o->report);
  if (o->json) {
    cJSON *j = check_json(check, o);
    if (cli_io_write_json("mcusim check", j, o->json)) rc = CLI_EXIT_BAD_INPUT;
    cJSON_Delete(j);
  }
  rpt_check_free(check);
  return rc;
}

int cli_check(int argc, char **argv) {
  check_opts_t o;
  rpt_budget_t budget;
  char msg[512];
  int rc = parse_check(argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  const cli_io_path_t outs[] = {{"--junit", o.junit}, {"--json", o.json}};
  const cli_io_path_t ins[] = {{"REPORT", o.report}, {"--baseline", o.baseline}, {"--budget", o.budget}};
  if ((rc = cli_io_check_outputs("mcusim check", outs, 2, ins, 3))) return rc;
  if ((rc = load_budget(&o, &budget))) return rc;
  cJSON *report = rpt_read(o.report, msg, sizeof msg), *baseline = NULL;
  if (!report) return bad_input(o.report, msg);
  if (o.update && access(o.baseline, F_OK) != 0) {
    printf("mcusim check: %s does not exist yet\n", o.baseline);
  } else if (!(baseline = rpt_read(o.baseline, msg, sizeof msg))) {
    rc = bad_input(o.report, msg);
    goto done;
  } else {
    rc = compare(&o, report, baseline, &budget);
  }
  if (o.update && rc != CLI_EXIT_BAD_INPUT && rc != CLI_EXIT_INTERNAL) rc = write_baseline(report, o.baseline);
done:
  cJSON_Delete(report);
  cJSON_Delete(baseline);
  return rc;
}
