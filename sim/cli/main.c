/* sim/cli/main.c — the mcusim command line: one row per command, each a thin layer over the libraries, and
 * what the commands share (profile lookup, number parsing).
 *
 * Exit codes (README "Exit codes"): 0 firmware exited 0; 1 firmware exited non-zero; 2 bad input or
 * usage; 3 firmware fault; 4 instruction or time limit; 5 interrupted; 70 internal error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"

/* An installed mcusim (cmake --install, the .deb) finds its data relative to itself: BIN/../share/mcusim
 * (docs/install.md); the build tree's binary finds the source tree's (compile definitions). */
static const char *installed_share(void) {
  static char share[4096 + 32];
  static int looked;
  if (looked) return share[0] ? share : NULL;
  looked = 1;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = 0;
  char *slash = strrchr(exe, '/');
  if (!slash) return NULL;
  *slash = 0;
  char probe[4096 + 64];
  snprintf(share, sizeof share, "%s/../share/mcusim", exe);
  snprintf(probe, sizeof probe, "%s/profiles", share);
  if (access(probe, R_OK | X_OK) != 0) share[0] = 0;
  return share[0] ? share : NULL;
}

const char *const *cli_profile_dirs(void) {
  static const char *dirs[3];
  static char installed[4096 + 48];
  const char *env = getenv("MCUSIM_PROFILES"), *share = installed_share();
  int n = 0;
  if (env && *env) dirs[n++] = env;
  if (share) snprintf(installed, sizeof installed, "%s/profiles", share);
  dirs[n++] = share ? installed : MCUSIM_PROFILES_DIR;
  dirs[n] = NULL;
  return dirs;
}

const char *cli_annotations_dir(void) {
  static char installed[4096 + 48];
  const char *share = installed_share();
  if (!share) return MCUSIM_ANNOTATIONS_DIR;
  snprintf(installed, sizeof installed, "%s/annotations", share);
  return installed;
}

/* sweeps and searches build firmware from the runtime sources and run mcusim-gen: installed, from share/mcusim
 * and beside this binary, unless MCUSIM_ROOT / MCUSIM_GEN say otherwise (workloads/explore/fwsupport.c) */
static void use_installed_tools(void) {
  const char *share = installed_share();
  if (!share) return;
  char exe[4096], gen[4096 + 16];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return;
  exe[n] = 0;
  *strrchr(exe, '/') = 0;
  snprintf(gen, sizeof gen, "%s/mcusim-gen", exe);
  setenv("MCUSIM_ROOT", share, 0);
  if (access(gen, X_OK) == 0) setenv("MCUSIM_GEN", gen, 0);
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

int cli_parse_range(const char *text, const char *what, uint64_t min, uint64_t max, uint64_t *out) {
  if (cli_parse_u64(text, what, out)) return -1;
  if (*out < min || *out > max) {
    fprintf(stderr, "mcusim: %s must be %llu to %llu, not '%s'\n", what, (unsigned long long)min,
            (unsigned long long)max, text);
    return -1;
  }
  return 0;
}

int cli_parse_shard(const char *text, int *shard_i, int *shard_n) {
  char i_text[32], n_text[32];
  const char *slash = strchr(text, '/');
  uint64_t i, n;
  if (!slash || (size_t)(slash - text) >= sizeof i_text || strlen(slash + 1) >= sizeof n_text) {
    fprintf(stderr, "mcusim: --shard must be i/n with 1 <= i <= n <= %d, not '%s'\n", CLI_MAX_SHARDS, text);
    return -1;
  }
  snprintf(i_text, sizeof i_text, "%.*s", (int)(slash - text), text);
  snprintf(n_text, sizeof n_text, "%s", slash + 1);
  if (cli_parse_range(n_text, "--shard's n", 1, CLI_MAX_SHARDS, &n) || cli_parse_range(i_text, "--shard's i", 1, n, &i))
    return -1;
  *shard_i = (int)i;
  *shard_n = (int)n;
  return 0;
}

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
    {"analyze", "does a model fit a part, how fast, what patches buy: plan, build, simulate, verify", cli_analyze},
    {"rerun", "repeat the run a report records (its options, after checking its inputs' hashes)", cli_rerun},
};

static void usage(FILE *out) {
  fprintf(out, "usage: mcusim COMMAND [options]\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "  %-9s %s\n\n'mcusim COMMAND --help' describes each command.\n", "version", "print the version");
}

static int run_command(int argc, char **argv) {
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

int main(int argc, char **argv) {
  cli_io_init();
  use_installed_tools();
  return cli_io_finish("mcusim", run_command(argc, argv));
}
