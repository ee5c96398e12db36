/* sim/cli/cli.h — what the mcusim commands share: exit codes, argument helpers, and the commands themselves.
 * Each command is `int cli_NAME(int argc, char **argv)` (argv[0] is the command name) in its own file and one
 * row of the table in sim/cli/main.c. Commands print; the libraries do not. */
#ifndef MCUSIM_CLI_H
#define MCUSIM_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "profiles/prof.h"
#include "sim/mcusim.h"

/* Where the bundled profiles and annotation presets are (compile definitions from sim/cli/CMakeLists.txt). */
#ifndef MCUSIM_PROFILES_DIR
#define MCUSIM_PROFILES_DIR "profiles"
#endif
#ifndef MCUSIM_ANNOTATIONS_DIR
#define MCUSIM_ANNOTATIONS_DIR "annotations"
#endif

/* Exit codes (README "Exit codes"). */
enum {
  CLI_EXIT_OK = MCUSIM_END_OK,                   /* firmware exited 0; check passed; ... */
  CLI_EXIT_FAIL = MCUSIM_END_FIRMWARE_FAILED,    /* firmware exited non-zero; check found a regression */
  CLI_EXIT_BAD_INPUT = MCUSIM_END_BAD_INPUT,     /* usage, unreadable or invalid input files */
  CLI_EXIT_FAULT = MCUSIM_END_FAULT,             /* the firmware faulted */
  CLI_EXIT_LIMIT = MCUSIM_END_LIMIT,             /* instruction or time limit */
  CLI_EXIT_INTERRUPTED = MCUSIM_END_INTERRUPTED, /* SIGINT/SIGTERM */
  CLI_EXIT_INTERNAL = MCUSIM_END_INTERNAL,
};

/* Profile by name (bundled folder, $MCUSIM_PROFILES) or path; prints the error and returns NULL. */
prof_t *cli_load_profile(const char *name);
/* The folders searched for profiles, NULL-terminated: $MCUSIM_PROFILES, then BIN/../share/mcusim/profiles when
 * installed, else the source tree's. */
const char *const *cli_profile_dirs(void);
/* The bundled annotation presets: BIN/../share/mcusim/annotations when installed, else the source tree's. */
const char *cli_annotations_dir(void);
/* Parses a whole number; prints "mcusim: WHAT must be ..." and returns -1 when it is not one. */
int cli_parse_u64(const char *text, const char *what, uint64_t *out);
/* The same within [min, max]; out of range prints "mcusim: WHAT must be MIN to MAX, not '...'". */
int cli_parse_range(const char *text, const char *what, uint64_t min, uint64_t max, uint64_t *out);
/* --shard i/n: 1 <= i <= n <= CLI_MAX_SHARDS (a matrix has at most 4096 jobs); prints the error, returns -1. */
#define CLI_MAX_SHARDS 4096
int cli_parse_shard(const char *text, int *shard_i, int *shard_n);

/* --html/--perfetto/--massif/--csv OUT, shared by run and compare: the formats in option order, and rendering
 * the reports into each requested path through rpt_export (prints what it wrote; 1 when one failed). */
#define CLI_EXPORT_FORMATS 4
#define CLI_EXPORT_OPTION_BASE 1000 /* getopt value of --html; the others follow in cli_export_formats order */
extern const char *const cli_export_formats[CLI_EXPORT_FORMATS];
/* The four rows of a getopt_long table for them, in cli_export_formats order. */
/* clang-format off */
#define CLI_EXPORT_LONGOPTS                                      \
  {"html", required_argument, 0, CLI_EXPORT_OPTION_BASE},        \
  {"perfetto", required_argument, 0, CLI_EXPORT_OPTION_BASE + 1}, \
  {"massif", required_argument, 0, CLI_EXPORT_OPTION_BASE + 2},   \
  {"csv", required_argument, 0, CLI_EXPORT_OPTION_BASE + 3}
/* clang-format on */
struct cJSON;
int cli_write_exports(const char *const paths[CLI_EXPORT_FORMATS], const struct cJSON *const *reports, size_t n);

/* What `run` and `bench` take from their options. */
typedef struct {
  const char *profile, *report, *firmware;
  const char *exports[4];  /* output paths by format: html, perfetto, massif, csv */
  const char *folded;      /* issue 10: folded stacks out */
  const char *json;        /* issue 19: --json[=OUT], the report again on OUT ("-": standard output) */
  const char *annotate[8]; /* annotation files or bundled preset names */
  int annotate_count;
  const char *stop_after; /* --stop-after FUNCTION:N */
  const char *tflite;     /* issue 17: --tflite FILE, the model of a TFLM image */
  int no_tflm;            /* --no-tflm */
  mcusim_limits_t limits;
  int quiet, progress, strict_sram;
  int strict_periph; /* --strict-peripherals */
} cli_run_opts_t;
/* Loads the profile, opens the simulator, loads the firmware and its annotations; prints what failed and returns
 * an exit code (0 when both are ready; the caller closes and frees them either way). */
int cli_open_and_load(const cli_run_opts_t *o, prof_t **profile, mcusim_t **sim);

/* Reproducibility (cli_rerun.c, issue 19): `run` notes its arguments and options after parsing them, and adds
 * the report's "invocation" (arguments without the outputs, working folder, profile and annotation files with
 * their SHA-256) before writing it; `rerun` repeats a report's run. */
void cli_invocation_note(int argc, char **argv, const cli_run_opts_t *o);
struct cJSON;
void cli_invocation_add(struct cJSON *report, const mcusim_t *sim);
/* An --annotate argument as a path: the file, or the bundled preset of that name. */
const char *cli_annotation_path(const char *arg, char *buf, size_t size);

int cli_run(int argc, char **argv);
int cli_rerun(int argc, char **argv);
int cli_profiles(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_compare(int argc, char **argv); /* reports/cli_compare.c */
int cli_plan(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_search(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_analyze(int argc, char **argv);

#endif /* MCUSIM_CLI_H */
