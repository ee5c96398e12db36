/* sim/cli/cli_bench.c — `mcusim bench`: the speed of full accounting against bare Unicorn on one firmware. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/mcusim.h"

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

static int bench_once(const cli_run_opts_t *o, int mode, double *seconds, uint64_t *insns) {
  prof_t *profile = NULL;
  mcusim_t *sim = NULL;
  int rc = cli_open_and_load(o, &profile, &sim);
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

static int parse_bench(int argc, char **argv, cli_run_opts_t *o, uint64_t *runs) {
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
      if (cli_parse_range(optarg, "--runs", 1, 100, runs)) return CLI_EXIT_BAD_INPUT;
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
  cli_run_opts_t o;
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
