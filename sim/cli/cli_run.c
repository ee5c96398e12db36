/* sim/cli/cli_run.c — `mcusim run`: simulate a firmware ELF, print the summary, write the report and exports;
 * SIGINT/SIGTERM/SIGHUP stop the run cleanly (the report is still written); one during the writing ends the process
 * (exit 5, no temporary left; cli_io.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reports/export.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "sim/mcusim.h"

static void stop_sim(void *sim) { mcusim_request_stop(sim); }

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

const char *const cli_export_formats[CLI_EXPORT_FORMATS] = {"html", "perfetto", "massif", "csv"};

static void usage_run(FILE *out) {
  fprintf(
      out,
      "usage: mcusim run --profile NAME|FILE [options] FIRMWARE.elf\n"
      "\n"
      "Runs a Cortex-M firmware ELF under the simulator and prints a summary; writes a JSON report.\n"
      "\n"
      "  -p, --profile NAME|FILE  MCU profile (see 'mcusim profiles') or a profile JSON file\n"
      "  -r, --report OUT.json    write the JSON report (schema mcusim-report/1); also on a fault. Every OUT\n"
      "                           may be '-' (standard output; the summary then goes to stderr)\n"
      "      --json[=OUT]         the report on standard output (or OUT); the summary then goes to stderr\n"
      "      --max-insns N        stop after N instructions (exit 4)\n"
      "      --timeout SECONDS    stop after this much host time (exit 4)\n"
      "  -q, --quiet              do not echo the firmware's output\n"
      "      --precise-flash      also charge flash wait states of data reads (weights): slower\n"
      "      --strict-sram        refuse firmware that needs more SRAM than the profile has (default: run it\n"
      "                           with overflow SRAM mapped behind the device's and report the overflow)\n"
      "      --check-alignment    fault unaligned LDRD/STRD/LDM/STM as ARMv7-M silicon does (code hooks)\n"
      "      --strict-peripherals an access to a peripheral the profile does not describe faults (default: it\n"
      "                           reads 0 and is reported once per 1 KiB; docs/peripherals.md)\n"
      "      --deliver-faults     run the firmware's HardFault/MemManage/BusFault/UsageFault handler on a fault,\n"
      "                           with CFSR/HFSR/BFAR set (default: stop at the faulting instruction)\n"
      "      --html OUT.html      also render the report as a self-contained HTML page\n"
      "      --perfetto OUT.json  ... as a Chrome/Perfetto trace; --massif OUT, --csv OUT (per-layer table)\n"
      "      --progress           progress line on stderr (default when stderr is a terminal)\n"
      "      --profile-functions  cycles per function and source line (DWARF), call slices (docs/annotate.md)\n"
      "      --folded OUT         write folded stacks (flamegraph.pl, speedscope); implies --profile-functions\n"
      "      --annotate FILE|NAME layers, allocations, markers from symbols (docs/annotate.md); repeatable;\n"
      "                           NAME: a bundled preset (newlib-malloc, malloc, cmsis-nn)\n"
      "      --stop-after FUNCTION:N  end the run normally (exit 0) at the Nth return from FUNCTION (a name,\n"
      "                           pattern, name@file or 0xADDRESS), for firmware that never exits\n"
      "      --tflite FILE        the model of a TFLM image (default: the TFL3 flatbuffer in its flash; docs/tflm.md)\n"
      "      --no-tflm            no tflm mode for a TFLM image (one row per operator invoke by default)\n"
      "  -h, --help               this text\n"
      "\n"
      "Exit codes: 0 firmware exited 0, 1 firmware exited non-zero, 2 bad input, 3 firmware fault,\n"
      "4 limit reached, 5 interrupted, 70 internal error.\n");
}

static int parse_run(int argc, char **argv, cli_run_opts_t *o) {
  static const struct option longopts[] = {{"profile", required_argument, 0, 'p'},
                                           {"report", required_argument, 0, 'r'},
                                           {"max-insns", required_argument, 0, 'n'},
                                           {"timeout", required_argument, 0, 't'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"precise-flash", no_argument, 0, 'F'},
                                           {"strict-sram", no_argument, 0, 'S'},
                                           {"check-alignment", no_argument, 0, 'A'},
                                           {"strict-peripherals", no_argument, 0, 'X'},
                                           {"deliver-faults", no_argument, 0, 'D'},
                                           CLI_EXPORT_LONGOPTS,
                                           {"progress", no_argument, 0, 'P'},
                                           {"profile-functions", no_argument, 0, 'f'},
                                           {"folded", required_argument, 0, 'o'},
                                           {"annotate", required_argument, 0, 'a'},
                                           {"json", optional_argument, 0, 'J'},
                                           {"stop-after", required_argument, 0, 'x'},
                                           {"tflite", required_argument, 0, 'T'},
                                           {"no-tflm", no_argument, 0, 'N'},
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
    case 'X':
      o->strict_periph = 1;
      break;
    case 'D':
      o->limits.deliver_faults = 1;
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
    case 'J':
      o->json = cli_io_json_path(argc, argv);
      break;
    case 'x':
      o->stop_after = optarg;
      break;
    case 'T':
      o->tflite = optarg;
      break;
    case 'N':
      o->no_tflm = 1;
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

static int write_report(const mcusim_t *sim, const char *path, cJSON **report_out) {
  cJSON *report = rpt_build(sim);
  if (!report) {
    fprintf(stderr, "mcusim: out of memory building the report\n");
    return -1;
  }
  *report_out = report;
  cli_invocation_add(report, sim); /* issue 19: what `mcusim rerun` repeats */
  if (path && rpt_write_json(report, path)) {
    fprintf(stderr, "mcusim: %s: cannot write the report: %s\n", path, strerror(errno));
    return 1;
  }
  return 0;
}

/* --folded through the one writer: the engine writes a path, here the writer's own descriptor. */
static int write_folded(const mcusim_t *sim, const char *path) {
  cm_out_t *out = cm_out_open(path);
  if (!out) return -1;
  char fd_path[64];
  snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fileno(cm_out_file(out)));
  if (mcusim_write_folded(sim, fd_path)) {
    cm_out_abort(out);
    return -1;
  }
  return cm_out_close(out);
}

/* Outputs against inputs, before anything runs (cli_io.h). */
static int check_outputs(const cli_run_opts_t *o) {
  const cli_io_path_t outs[] = {{"--report", o->report},     {"--html", o->exports[0]}, {"--perfetto", o->exports[1]},
                                {"--massif", o->exports[2]}, {"--csv", o->exports[3]},  {"--folded", o->folded},
                                {"--json", o->json}};
  cli_io_path_t ins[2 + sizeof o->annotate / sizeof *o->annotate] = {{"FIRMWARE", o->firmware},
                                                                     {"--profile", o->profile}};
  for (int i = 0; i < o->annotate_count; i++) ins[2 + i] = (cli_io_path_t){"--annotate", o->annotate[i]};
  return cli_io_check_outputs("mcusim", outs, sizeof outs / sizeof *outs, ins, 2 + (size_t)o->annotate_count);
}

int cli_write_exports(const char *const paths[CLI_EXPORT_FORMATS], const cJSON *const *reports, size_t n) {
  int failed = 0;
  fflush(stdout); /* what was printed comes first when an output is /dev/stdout */
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

static int write_exports(const cli_run_opts_t *o, const cJSON *report) {
  const cJSON *reports[1] = {report};
  return cli_write_exports(o->exports, reports, 1);
}

/* --annotate: a file, or the name of a bundled preset (annotations/NAME.json). */
static int annotate(const cli_run_opts_t *o, mcusim_t *sim) {
  for (int i = 0; i < o->annotate_count; i++) {
    char preset[4096];
    const char *path = cli_annotation_path(o->annotate[i], preset, sizeof preset);
    mcusim_err err = mcusim_annotate(sim, path);
    if (err) {
      fprintf(stderr, "mcusim: %s\n", mcusim_last_error(sim));
      return err == MCUSIM_E_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_BAD_INPUT;
    }
  }
  if (o->stop_after) {
    mcusim_err err = mcusim_stop_after(sim, o->stop_after);
    if (err) {
      fprintf(stderr, "mcusim: %s\n", mcusim_last_error(sim));
      return err == MCUSIM_E_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_BAD_INPUT;
    }
  }
  for (size_t i = 0; mcusim_annotation_warning(sim, i); i++)
    fprintf(stderr, "mcusim: warning: %s\n", mcusim_annotation_warning(sim, i));
  return 0;
}

int cli_open_and_load(const cli_run_opts_t *o, prof_t **profile, mcusim_t **sim) {
  *profile = cli_load_profile(o->profile);
  if (!*profile) return CLI_EXIT_BAD_INPUT;
  mcusim_err err = mcusim_open(*profile, sim);
  if (err) {
    fprintf(stderr, "mcusim: %s: %s (core '%s')\n", (*profile)->path, mcusim_strerror(err), (*profile)->core);
    return err == MCUSIM_E_BAD_PROFILE ? CLI_EXIT_BAD_INPUT : CLI_EXIT_INTERNAL;
  }
  mcusim_set_strict_sram(*sim, o->strict_sram);
  mcusim_set_strict_peripherals(*sim, o->strict_periph);
  err = mcusim_load_elf(*sim, o->firmware);
  if (err) {
    /* loading fails in the engine only when the profile's memory map cannot be mapped (it reaches the PPB, or
     * leaves no room for the overflow SRAM): a profile problem, named as such (issue 21, F20) */
    if (err == MCUSIM_E_ENGINE)
      fprintf(stderr, "mcusim: %s: %s\n", (*profile)->path, mcusim_last_error(*sim));
    else
      fprintf(stderr, "mcusim: %s\n", mcusim_last_error(*sim));
    return (int)mcusim_end_of_load(err);
  }
  if ((o->no_tflm || o->tflite) && mcusim_set_tflm(*sim, !o->no_tflm, o->tflite)) {
    fprintf(stderr, "mcusim: %s\n", mcusim_last_error(*sim));
    return CLI_EXIT_BAD_INPUT;
  }
  return annotate(o, *sim);
}

int cli_run(int argc, char **argv) {
  cli_run_opts_t o;
  int rc = parse_run(argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  cli_invocation_note(argc, argv, &o);
  if ((rc = check_outputs(&o))) return rc;
  prof_t *profile = NULL;
  mcusim_t *sim = NULL;
  cJSON *report = NULL;
  int progress_shown = 0;
  rc = cli_open_and_load(&o, &profile, &sim);
  if (rc) goto done;
  if (!o.quiet) mcusim_set_output(sim, echo_output, NULL);
  if (o.progress) mcusim_set_progress(sim, show_progress, &progress_shown);
  cli_io_set_stop(stop_sim, sim);
  mcusim_err err = mcusim_run(sim, &o.limits);
  cli_io_set_stop(NULL, NULL);
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
  int unwritten = write_report(sim, o.report, &report);
  if (unwritten < 0) {
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  /* an output that cannot be written is exit 2, after the result is printed (issue 21, F21) */
  rpt_print_text(report, stdout);
  if (o.report && !unwritten) printf("  report        %s\n", o.report);
  if (o.json && cli_io_write_json("mcusim", report, o.json)) unwritten = 1;
  if (o.folded && write_folded(sim, o.folded)) {
    fprintf(stderr, "mcusim: %s: cannot write the folded stacks: %s\n", o.folded, strerror(errno));
    unwritten = 1;
  } else if (o.folded) {
    printf("  folded        %s\n", o.folded);
  }
  rc = (int)mcusim_end_of(err, r);
  if (write_exports(&o, report) || unwritten) rc = CLI_EXIT_BAD_INPUT;
done:
  cJSON_Delete(report);
  mcusim_close(sim);
  prof_free(profile);
  return rc;
}
