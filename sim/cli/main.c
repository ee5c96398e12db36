/* sim/main.c — the mcusim command line: a thin layer over libmcusim.
 *
 * Exit codes (README "Exit codes"): 0 firmware exited 0; 1 firmware exited non-zero; 2 bad input or
 * usage; 3 firmware fault; 4 instruction or time limit; 5 interrupted; 70 internal error. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reports/export.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/mcusim.h"

#ifndef MCUSIM_PROFILES_DIR
#define MCUSIM_PROFILES_DIR "profiles"
#endif

static mcusim_t *volatile running_sim;

static void on_signal(int signo) {
  if (running_sim) mcusim_request_stop(running_sim);
  (void)signo;
}

static void install_signal_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

const char *const *cli_profile_dirs(void) {
  static const char *dirs[3];
  const char *env = getenv("MCUSIM_PROFILES");
  int n = 0;
  if (env && *env) dirs[n++] = env;
  dirs[n++] = MCUSIM_PROFILES_DIR;
  dirs[n] = NULL;
  return dirs;
}

prof_t *cli_load_profile(const char *name) {
  prof_t *p = NULL;
  char msg[512];
  if (prof_load(name, cli_profile_dirs(), &p, msg, sizeof msg) != PROF_OK) {
    fprintf(stderr, "mcusim: %s\n", msg);
    return NULL;
  }
  return p;
}

int cli_parse_u64(const char *text, const char *what, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 0);
  if (errno || end == text || *end || text[0] == '-') {
    fprintf(stderr, "mcusim: %s must be a whole number, not '%s'\n", what, text);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_seconds(const char *text, double *out) {
  char *end;
  double v = strtod(text, &end);
  if (end == text || *end || !(v > 0)) {
    fprintf(stderr, "mcusim: --timeout must be a positive number of seconds, not '%s'\n", text);
    return -1;
  }
  *out = v;
  return 0;
}

/* ---- run ---- */

typedef struct {
  const char *profile, *report, *firmware;
  const char *exports[4];  /* output paths by format: html, perfetto, massif, csv */
  const char *folded;      /* issue 10: folded stacks out */
  const char *annotate[8]; /* annotation files or bundled preset names */
  int annotate_count;
  mcusim_limits_t limits;
  int quiet, progress, strict_sram;
} run_opts_t;

const char *const cli_export_formats[CLI_EXPORT_FORMATS] = {"html", "perfetto", "massif", "csv"};

static void usage_run(FILE *out) {
  fprintf(out,
          "usage: mcusim run --profile NAME|FILE [options] FIRMWARE.elf\n"
          "\n"
          "Runs a Cortex-M firmware ELF under the simulator and prints a summary; writes a JSON report.\n"
          "\n"
          "  -p, --profile NAME|FILE  MCU profile (see 'mcusim profiles') or a profile JSON file\n"
          "  -r, --report OUT.json    write the JSON report (schema mcusim-report/1); also on a fault\n"
          "      --max-insns N        stop after N instructions (exit 4)\n"
          "      --timeout SECONDS    stop after this much host time (exit 4)\n"
          "  -q, --quiet              do not echo the firmware's output\n"
          "      --precise-flash      also charge flash wait states of data reads (weights): slower\n"
          "      --strict-sram        refuse firmware that needs more SRAM than the profile has (default: run it\n"
          "                           with overflow SRAM mapped behind the device's and report the overflow)\n"
          "      --check-alignment    fault unaligned LDRD/STRD/LDM/STM as ARMv7-M silicon does (code hooks)\n"
          "      --html OUT.html      also render the report as a self-contained HTML page\n"
          "      --perfetto OUT.json  ... as a Chrome/Perfetto trace; --massif OUT, --csv OUT (per-layer table)\n"
          "      --progress           progress line on stderr (default when stderr is a terminal)\n"
          "      --profile-functions  cycles per function and source line (DWARF), call slices (docs/annotate.md)\n"
          "      --folded OUT         write folded stacks (flamegraph.pl, speedscope); implies --profile-functions\n"
          "      --annotate FILE|NAME layers, allocations, markers from symbols (docs/annotate.md); repeatable;\n"
          "                           NAME: a bundled preset (newlib-malloc, malloc, cmsis-nn)\n"
          "  -h, --help               this text\n"
          "\n"
          "Exit codes: 0 firmware exited 0, 1 firmware exited non-zero, 2 bad input, 3 firmware fault,\n"
          "4 limit reached, 5 interrupted, 70 internal error.\n");
}

static int parse_run(int argc, char **argv, run_opts_t *o) {
  static const struct option longopts[] = {{"profile", required_argument, 0, 'p'},
                                           {"report", required_argument, 0, 'r'},
                                           {"max-insns", required_argument, 0, 'n'},
                                           {"timeout", required_argument, 0, 't'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"precise-flash", no_argument, 0, 'F'},
                                           {"strict-sram", no_argument, 0, 'S'},
                                           {"check-alignment", no_argument, 0, 'A'},
                                           {"html", required_argument, 0, CLI_EXPORT_OPTION_BASE},
                                           {"perfetto", required_argument, 0, CLI_EXPORT_OPTION_BASE + 1},
                                           {"massif", required_argument, 0, CLI_EXPORT_OPTION_BASE + 2},
                                           {"csv", required_argument, 0, CLI_EXPORT_OPTION_BASE + 3},
                                           {"progress", no_argument, 0, 'P'},
                                           {"profile-functions", no_argument, 0, 'f'},
                                           {"folded", required_argument, 0, 'o'},
                                           {"annotate", required_argument, 0, 'a'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->limits.accounting = 1;
  o->progress = isatty(STDERR_FILENO);
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "p:r:qh", longopts, NULL)) != -1;) {
    switch (c) {
    case 'p':
      o->profile = optarg;
      break;
    case 'r':
      o->report = optarg;
      break;
    case 'n':
      if (cli_parse_u64(optarg, "--max-insns", &o->limits.max_instructions)) return CLI_EXIT_BAD_INPUT;
      break;
    case 't':
      if (parse_seconds(optarg, &o->limits.timeout_seconds)) return CLI_EXIT_BAD_INPUT;
      break;
    case 'q':
      o->quiet = 1;
      break;
    case 'F':
      o->limits.precise_flash = 1;
      break;
    case 'S':
      o->strict_sram = 1;
      break;
    case 'A':
      o->limits.check_alignment = 1;
      break;
    case CLI_EXPORT_OPTION_BASE:
    case CLI_EXPORT_OPTION_BASE + 1:
    case CLI_EXPORT_OPTION_BASE + 2:
    case CLI_EXPORT_OPTION_BASE + 3:
      o->exports[c - CLI_EXPORT_OPTION_BASE] = optarg;
      break;
    case 'P':
      o->progress = 1;
      break;
    case 'f':
      o->limits.profile_functions = 1;
      break;
    case 'o':
      o->folded = optarg;
      o->limits.profile_functions = 1;
      break;
    case 'a':
      if (o->annotate_count == (int)(sizeof o->annotate / sizeof *o->annotate)) {
        fprintf(stderr, "mcusim run: at most 8 --annotate files\n");
        return CLI_EXIT_BAD_INPUT;
      }
      o->annotate[o->annotate_count++] = optarg;
      break;
    case 'h':
      usage_run(stdout);
      return -1;
    default:
      usage_run(stderr);
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (optind != argc - 1 || !o->profile) {
    fprintf(stderr, "mcusim run: %s\n", !o->profile ? "--profile is required" : "exactly one FIRMWARE.elf is needed");
    usage_run(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  o->firmware = argv[optind];
  return 0;
}

static void echo_output(void *opaque, int fd, const char *data, size_t len) {
  fwrite(data, 1, len, fd == 2 ? stderr : stdout);
  if (fd == 2) fflush(stderr);
  (void)opaque;
}

static void show_progress(void *opaque, const mcusim_totals_t *t, double wall) {
  char insns[32];
  rpt_group_digits(t->instructions, insns, sizeof insns);
  fprintf(stderr, "\r  %s instructions, %.1f s, %.0f MIPS   ", insns, wall, t->instructions / wall / 1e6);
  fflush(stderr);
  *(int *)opaque = 1;
}

static int exit_code_for(mcusim_err err, const mcusim_result_t *r) {
  switch (err) {
  case MCUSIM_OK:
    return r->exit_code == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  case MCUSIM_E_FAULT:
    return CLI_EXIT_FAULT;
  case MCUSIM_E_LIMIT:
    return CLI_EXIT_LIMIT;
  case MCUSIM_E_INTERRUPTED:
    return CLI_EXIT_INTERRUPTED;
  default:
    return CLI_EXIT_INTERNAL;
  }
}

static int write_report(const mcusim_t *sim, const char *path, cJSON **report_out) {
  cJSON *report = rpt_build(sim);
  if (!report) {
    fprintf(stderr, "mcusim: out of memory building the report\n");
    return -1;
  }
  *report_out = report;
  if (path && rpt_write_json(report, path)) {
    fprintf(stderr, "mcusim: %s: cannot write the report: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

int cli_write_exports(const char *const paths[CLI_EXPORT_FORMATS], const cJSON *const *reports, size_t n) {
  int failed = 0;
  for (int i = 0; i < CLI_EXPORT_FORMATS; i++) {
    if (!paths[i]) continue;
    char msg[512];
    if (rpt_export(reports, n, cli_export_formats[i], paths[i], msg, sizeof msg) != RPT_EXPORT_OK) {
      fprintf(stderr, "mcusim: %s\n", msg);
      failed = 1;
    } else {
      printf("  %-13s %s\n", cli_export_formats[i], paths[i]);
    }
  }
  return failed;
}

static int write_exports(const run_opts_t *o, const cJSON *report) {
  const cJSON *reports[1] = {report};
  return cli_write_exports(o->exports, reports, 1);
}

#ifndef MCUSIM_ANNOTATIONS_DIR
#define MCUSIM_ANNOTATIONS_DIR "annotations"
#endif

/* --annotate: a file, or the name of a bundled preset (annotations/NAME.json). */
static int annotate(const run_opts_t *o, mcusim_t *sim) {
  for (int i = 0; i < o->annotate_count; i++) {
    char preset[4096];
    const char *path = o->annotate[i];
    snprintf(preset, sizeof preset, "%s/%s.json", MCUSIM_ANNOTATIONS_DIR, path);
    if (!strchr(path, '/') && access(path, R_OK) != 0 && access(preset, R_OK) == 0) path = preset;
    mcusim_err err = mcusim_annotate(sim, path);
    if (err) {
      fprintf(stderr, "mcusim: %s\n", mcusim_last_error(sim));
      return err == MCUSIM_E_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_BAD_INPUT;
    }
  }
  return 0;
}

static int open_and_load(const run_opts_t *o, prof_t **profile, mcusim_t **sim) {
  *profile = cli_load_profile(o->profile);
  if (!*profile) return CLI_EXIT_BAD_INPUT;
  mcusim_err err = mcusim_open(*profile, sim);
  if (err) {
    fprintf(stderr, "mcusim: %s: %s (core '%s')\n", (*profile)->path, mcusim_strerror(err), (*profile)->core);
    return err == MCUSIM_E_BAD_PROFILE ? CLI_EXIT_BAD_INPUT : CLI_EXIT_INTERNAL;
  }
  mcusim_set_strict_sram(*sim, o->strict_sram);
  err = mcusim_load_elf(*sim, o->firmware);
  if (err) {
    fprintf(stderr, "mcusim: %s\n", mcusim_last_error(*sim));
    return err == MCUSIM_E_NOMEM || err == MCUSIM_E_ENGINE ? CLI_EXIT_INTERNAL : CLI_EXIT_BAD_INPUT;
  }
  return annotate(o, *sim);
}

int cli_run(int argc, char **argv) {
  run_opts_t o;
  int rc = parse_run(argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  prof_t *profile = NULL;
  mcusim_t *sim = NULL;
  cJSON *report = NULL;
  int progress_shown = 0;
  rc = open_and_load(&o, &profile, &sim);
  if (rc) goto done;
  if (!o.quiet) mcusim_set_output(sim, echo_output, NULL);
  if (o.progress) mcusim_set_progress(sim, show_progress, &progress_shown);
  running_sim = sim;
  install_signal_handlers();
  mcusim_err err = mcusim_run(sim, &o.limits);
  running_sim = NULL;
  if (progress_shown) fprintf(stderr, "\r%60s\r", "");
  fflush(stdout);
  if (err == MCUSIM_E_STATE || err == MCUSIM_E_NOMEM || err == MCUSIM_E_ENGINE) {
    fprintf(stderr, "mcusim: %s\n", mcusim_last_error(sim));
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  const mcusim_result_t *r = mcusim_result(sim);
  if (r->stdout_len && r->stdout_text[r->stdout_len - 1] != '\n' && !o.quiet) putchar('\n');
  if (err) fprintf(stderr, "mcusim: %s\n", mcusim_last_error(sim));
  if (write_report(sim, o.report, &report)) {
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  rpt_print_text(report, stdout);
  if (o.report) printf("  report        %s\n", o.report);
  if (o.folded && mcusim_write_folded(sim, o.folded)) {
    fprintf(stderr, "mcusim: %s: cannot write the folded stacks: %s\n", o.folded, strerror(errno));
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  if (o.folded) printf("  folded        %s\n", o.folded);
  rc = exit_code_for(err, r);
  if (write_exports(&o, report)) rc = CLI_EXIT_BAD_INPUT;
done:
  cJSON_Delete(report);
  mcusim_close(sim);
  prof_free(profile);
  return rc;
}

/* ---- profiles ---- */

int cli_profiles(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf("usage: mcusim profiles\n\nLists the bundled MCU profiles (from %s, or $MCUSIM_PROFILES).\n",
           MCUSIM_PROFILES_DIR);
    return 0;
  }
  int rc = 0;
  for (const char *const *dir = cli_profile_dirs(); *dir; dir++) {
    char **names = prof_list(*dir);
    for (char **n = names; n && *n; n++) {
      prof_t *p = NULL;
      char path[4096], msg[512];
      snprintf(path, sizeof path, "%s/%s.json", *dir, *n);
      if (prof_load(path, NULL, &p, msg, sizeof msg) == PROF_OK)
        printf("%-18s %-7s %4llu MHz  %6llu KiB SRAM  %6u KiB flash  %s\n", p->name, p->core,
               (unsigned long long)(p->clock_hz / 1000000), (unsigned long long)(prof_sram_bytes(p) / 1024),
               p->flash.size / 1024, p->description);
      else {
        fprintf(stderr, "mcusim: %s\n", msg);
        rc = CLI_EXIT_BAD_INPUT;
      }
      prof_free(p);
      free(*n);
    }
    free(names);
  }
  return rc;
}

/* ---- bench ---- */

static void usage_bench(FILE *out) {
  fprintf(out,
          "usage: mcusim bench --profile NAME|FILE [--runs N] FIRMWARE.elf\n"
          "\n"
          "Runs the firmware N times (default 5) in three ways: bare Unicorn (no hooks, no accounting), cycle\n"
          "accounting without memory tracking (trace events ignored), and full accounting with tracking; prints\n"
          "simulated MIPS of each (medians of the runs' CPU time), the ratio mcusim / bare and the cost of tracking.\n"
          "With --profile-functions, a fourth way: full accounting with the function profile, and its cost.\n");
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The three ways the benchmark runs a firmware. */
enum { BENCH_BARE, BENCH_NO_TRACKING, BENCH_FULL, BENCH_PROFILE, BENCH_MODES };

static int bench_once(const run_opts_t *o, int mode, double *seconds, uint64_t *insns) {
  prof_t *profile = NULL;
  mcusim_t *sim = NULL;
  int rc = open_and_load(o, &profile, &sim);
  if (!rc) {
    mcusim_limits_t lim = o->limits;
    lim.accounting = mode != BENCH_BARE;
    lim.no_tracking = mode == BENCH_NO_TRACKING;
    lim.profile_functions = mode == BENCH_PROFILE;
    struct timespec cpu0, cpu1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    mcusim_err err = mcusim_run(sim, &lim);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    if (err) {
      fprintf(stderr, "mcusim bench: %s\n", mcusim_last_error(sim));
      rc = CLI_EXIT_FAULT;
    }
    /* CPU time of the run: on a shared machine it moves less than wall time (another process taking the core
     * does not count); report preparation and SRAM painting are outside mcusim_run and not counted either. */
    *seconds = (double)(cpu1.tv_sec - cpu0.tv_sec) + (cpu1.tv_nsec - cpu0.tv_nsec) * 1e-9;
    if (mode == BENCH_FULL) *insns = mcusim_result(sim)->totals.instructions;
  }
  mcusim_close(sim);
  prof_free(profile);
  return rc;
}

static int parse_bench(int argc, char **argv, run_opts_t *o, uint64_t *runs) {
  static const struct option longopts[] = {{"profile", required_argument, 0, 'p'},
                                           {"runs", required_argument, 0, 'n'},
                                           {"profile-functions", no_argument, 0, 'f'},
                                           {"help", no_argument, 0, 'h'},
                                           {0}};
  memset(o, 0, sizeof *o);
  *runs = 5;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1;) {
    if (c == 'p')
      o->profile = optarg;
    else if (c == 'f')
      o->limits.profile_functions = 1; /* adds the BENCH_PROFILE mode */
    else if (c == 'n') {
      if (cli_parse_u64(optarg, "--runs", runs) || *runs == 0 || *runs > 100) return CLI_EXIT_BAD_INPUT;
    } else if (c == 'h') {
      usage_bench(stdout);
      return -1;
    } else {
      usage_bench(stderr);
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (optind != argc - 1 || !o->profile) {
    usage_bench(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  o->firmware = argv[optind];
  return 0;
}

int cli_bench(int argc, char **argv) {
  run_opts_t o;
  uint64_t runs;
  int rc = parse_bench(argc, argv, &o, &runs);
  if (rc) return rc < 0 ? 0 : rc;
  double t[BENCH_MODES][100];
  uint64_t insns = 0;
  for (uint64_t i = 0; i < runs; i++) {
    int modes = o.limits.profile_functions ? BENCH_MODES : BENCH_PROFILE;
    for (int mode = modes; mode-- > 0;)
      if ((rc = bench_once(&o, mode, &t[mode][i], &insns))) return rc;
    fprintf(stderr, "  run %llu: bare %.3f s, accounting %.3f s, accounting + tracking %.3f s\n",
            (unsigned long long)i + 1, t[BENCH_BARE][i], t[BENCH_NO_TRACKING][i], t[BENCH_FULL][i]);
  }
  double mips[BENCH_MODES], median[BENCH_MODES];
  for (int mode = 0; mode < (o.limits.profile_functions ? BENCH_MODES : BENCH_PROFILE); mode++) {
    qsort(t[mode], runs, sizeof t[mode][0], compare_doubles);
    median[mode] = t[mode][runs / 2];
    mips[mode] = insns / median[mode] / 1e6;
  }
  char grouped_insns[32];
  rpt_group_digits(insns, grouped_insns, sizeof grouped_insns);
  printf("firmware      %s (%s instructions per run, %llu runs)\n", o.firmware, grouped_insns,
         (unsigned long long)runs);
  printf("bare unicorn  %.1f MIPS (median %.3f s)\n", mips[BENCH_BARE], median[BENCH_BARE]);
  printf("accounting    %.1f MIPS (median %.3f s, cycles without memory tracking)\n", mips[BENCH_NO_TRACKING],
         median[BENCH_NO_TRACKING]);
  printf("mcusim        %.1f MIPS (median %.3f s, full accounting and tracking)\n", mips[BENCH_FULL],
         median[BENCH_FULL]);
  printf("ratio         %.3f (mcusim / bare, medians); %.3f (fastest runs, least disturbed by other load)\n",
         mips[BENCH_FULL] / mips[BENCH_BARE], t[BENCH_BARE][0] / t[BENCH_FULL][0]);
  printf("tracking      %+.1f%% run time (mcusim / accounting)\n",
         (median[BENCH_FULL] / median[BENCH_NO_TRACKING] - 1) * 100);
  if (o.limits.profile_functions)
    printf("functions     %.1f MIPS, %+.1f%% run time (--profile-functions / mcusim)\n", mips[BENCH_PROFILE],
           (median[BENCH_PROFILE] / median[BENCH_FULL] - 1) * 100);
  return 0;
}

/* ---- main ---- */

/* One row per command: name, what it does (for the usage text), entry point. */
static const struct {
  const char *name, *summary;
  int (*run)(int argc, char **argv);
} commands[] = {
    {"run", "simulate a firmware ELF: cycles, instructions, memory; JSON report", cli_run},
    {"profiles", "list the bundled MCU profiles", cli_profiles},
    {"bench", "speed of full accounting against bare Unicorn on a firmware", cli_bench},
    {"compare", "two reports side by side: peak reduction, MAC/cycle overhead, per-layer rows", cli_compare},
    {"plan", "analytic memory and MAC plan of a model JSON, layer-wise and patch-based", cli_plan},
    {"check", "regression gate: a report against a baseline, with limits and budgets; JUnit, GitHub", cli_check},
    {"export", "render reports: HTML page, Perfetto trace, massif, CSV", cli_export},
    {"search", "schedule search: plan, build and simulate schedules; Pareto front, chosen schedule", cli_search},
    {"sweep", "models x schedules x profiles from a JSON matrix, in parallel, shardable", cli_sweep},
    {"merge", "join the reports of sweep shards into one table (CSV, JSON, HTML)", cli_merge},
};

static void usage(FILE *out) {
  fprintf(out, "usage: mcusim COMMAND [options]\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "  %-9s %s\n\n'mcusim COMMAND --help' describes each command.\n", "version", "print the version");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  const char *cmd = argv[1];
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("mcusim %s\n", MCUSIM_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "mcusim: unknown command '%s'\n", cmd);
  usage(stderr);
  return CLI_EXIT_BAD_INPUT;
}
