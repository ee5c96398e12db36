/* sim/cli/cli_export.c — `mcusim export REPORT.json [REPORT2.json ...] --format FMT -o OUT`: renders reports
 * written by `mcusim run` (docs/export.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "reports/export.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"

static void usage(FILE *out) {
  fprintf(out, "usage: mcusim export REPORT.json [REPORT2.json ...] --format FORMAT -o OUT [--table layers|patches]\n\n"
               "Renders JSON reports (several side by side) into:\n");
  const char *summary;
  for (size_t i = 0; rpt_export_format_name(i, &summary); i++)
    fprintf(out, "  %-9s %s\n", rpt_export_format_name(i, NULL), summary);
  fprintf(
      out,
      "\n  -f, --format FORMAT  one of the above (required)\n"
      "  -o, --output OUT     file to write (atomically; - is standard output); for csv a directory gets layers.csv\n"
      "                       and patches.csv\n"
      "  -t, --table TABLE    csv: layers (default) or patches\n");
}

static int export_reports(char **paths, size_t n, const char *format, const char *out, const rpt_export_opts_t *opts) {
  cJSON **reports = calloc(n, sizeof *reports);
  int status = CLI_EXIT_BAD_INPUT;
  char msg[512];
  if (!reports) return CLI_EXIT_INTERNAL;
  for (size_t i = 0; i < n; i++)
    if (!(reports[i] = rpt_read(paths[i], msg, sizeof msg))) {
      fprintf(stderr, "mcusim: %s\n", msg);
      goto done;
    }
  rpt_export_err err = rpt_export_with((const cJSON *const *)reports, n, format, out, opts, msg, sizeof msg);
  if (err) {
    fprintf(stderr, "mcusim: export: %s\n", msg);
    status = err == RPT_EXPORT_E_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_BAD_INPUT;
    goto done;
  }
  status = CLI_EXIT_OK;
done:
  for (size_t i = 0; i < n; i++) cJSON_Delete(reports[i]);
  free(reports);
  return status;
}

int cli_export(int argc, char **argv) {
  static const struct option longopts[] = {{"format", required_argument, 0, 'f'},
                                           {"output", required_argument, 0, 'o'},
                                           {"table", required_argument, 0, 't'},
                                           {"help", no_argument, 0, 'h'},
                                           {0}};
  const char *format = NULL, *out = NULL;
  rpt_export_opts_t opts = {0};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "f:o:t:h", longopts, NULL)) != -1;) {
    switch (c) {
    case 'f':
      format = optarg;
      break;
    case 'o':
      out = optarg;
      break;
    case 't':
      opts.table = optarg;
      break;
    case 'h':
      usage(stdout);
      return CLI_EXIT_OK;
    default:
      usage(stderr);
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (!format || !out || optind >= argc) {
    fprintf(stderr, "mcusim: export needs REPORT.json, --format and -o\n");
    usage(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  const cli_io_path_t outs[] = {{"-o", out}};
  const size_t n = (size_t)(argc - optind);
  cli_io_path_t *ins = calloc(n, sizeof *ins);
  if (!ins) return CLI_EXIT_INTERNAL;
  for (size_t i = 0; i < n; i++) ins[i] = (cli_io_path_t){"REPORT", argv[optind + (int)i]};
  int rc = cli_io_check_outputs("mcusim", outs, 1, ins, n);
  free(ins);
  return rc ? rc : export_reports(argv + optind, n, format, out, &opts);
}
