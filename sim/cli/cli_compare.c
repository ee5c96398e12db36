/* sim/cli/cli_compare.c — `mcusim compare A.json B.json [--model MODEL.json] [--json] [--allow-mismatch]`.
 * With --model, the plan of the patched report's schedule (marks.schedule) is computed and shown beside. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "workloads/gen/gen_model.h"
#include "workloads/gen/gen_plan.h"

static void compare_usage(FILE *out) {
  fprintf(out, "usage: mcusim compare A.json B.json [--model MODEL.json] [--json] [--allow-mismatch]\n"
               "  two reports side by side (typically layer-wise A vs patch-based B of one model on one profile):\n"
               "  peak SRAM and arena with the reduction, MAC and cycle overhead (patch stage and overall),\n"
               "  latency, per-layer rows aligned by name, whether the outputs matched.\n"
               "  --model          the model JSON: show the analytic plan beside the measured figures\n"
               "  --json[=OUT]     print mcusim-compare/1 (docs/compare.md) on standard output or OUT;\n"
               "                   --flat: the same as \"path value\" lines\n"
               "  --allow-mismatch compare reports of different models or profiles\n"
               "  --html OUT, --perfetto OUT, --massif OUT, --csv OUT  also render both reports (as mcusim export)\n");
}

/* The schedule to plan: the patched report's, else A's (a layer-wise schedule still names its stage). */
static const char *schedule_to_plan(const cJSON *a, const cJSON *b) {
  const cJSON *mb = cJSON_GetObjectItemCaseSensitive(b, "marks"), *ma = cJSON_GetObjectItemCaseSensitive(a, "marks");
  const cJSON *sb = cJSON_GetObjectItemCaseSensitive(mb, "schedule"),
              *sa = cJSON_GetObjectItemCaseSensitive(ma, "schedule");
  if (cJSON_IsString(sb) && !strncmp(sb->valuestring, "patch:", 6)) return sb->valuestring;
  if (cJSON_IsString(sa)) return sa->valuestring;
  return cJSON_IsString(sb) ? sb->valuestring : "layerwise";
}

static cJSON *plan_for(const char *model_path, const char *spec) {
  char err[256], name[128];
  gen_model_t m;
  rt_schedule_t s;
  static gen_plan_t plan;
  cJSON *json = NULL;
  if (gen_model_load(model_path, &m, err, sizeof err)) {
    fprintf(stderr, "mcusim: %s: %s\n", model_path, err);
    return NULL;
  }
  if (gen_schedule_parse(&m, spec, &s, name, sizeof name, err, sizeof err) || gen_plan(&m, &s, &plan, err, sizeof err))
    fprintf(stderr, "mcusim: %s, schedule %s: %s\n", model_path, spec, err);
  else
    json = gen_plan_json(&plan);
  gen_model_free(&m);
  return json;
}

int cli_compare(int argc, char **argv) {
  static const struct option longopts[] = {{"model", required_argument, 0, 'm'},
                                           {"json", optional_argument, 0, 'j'},
                                           {"flat", no_argument, 0, 'f'},
                                           {"allow-mismatch", no_argument, 0, 'a'},
                                           {"help", no_argument, 0, 'h'},
                                           CLI_EXPORT_LONGOPTS,
                                           {0}};
  const char *model_path = NULL, *exports[CLI_EXPORT_FORMATS] = {0}, *json_path = NULL;
  int json = 0, c;
  rpt_compare_opts_t opts = {0};
  optind = 1;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    if (c == 'm')
      model_path = optarg;
    else if (c == 'j')
      json = 1, json_path = cli_io_json_path(argc, argv);
    else if (c == 'f')
      json = 2;
    else if (c == 'a')
      opts.allow_mismatch = 1;
    else if (c >= CLI_EXPORT_OPTION_BASE && c < CLI_EXPORT_OPTION_BASE + CLI_EXPORT_FORMATS)
      exports[c - CLI_EXPORT_OPTION_BASE] = optarg;
    else if (c == 'h') {
      compare_usage(stdout);
      return CLI_EXIT_OK;
    } else {
      compare_usage(stderr);
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (optind + 2 != argc) {
    fprintf(stderr, "mcusim: compare needs two reports\n");
    compare_usage(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  opts.a_name = argv[optind];
  opts.b_name = argv[optind + 1];
  const cli_io_path_t outs[] = {{"--html", exports[0]},
                                {"--perfetto", exports[1]},
                                {"--massif", exports[2]},
                                {"--csv", exports[3]},
                                {"--json", json_path}};
  const cli_io_path_t ins[] = {{"A", opts.a_name}, {"B", opts.b_name}, {"--model", model_path}};
  int rc = cli_io_check_outputs("mcusim", outs, 5, ins, 3);
  if (rc) return rc;
  char msg[512];
  rc = CLI_EXIT_BAD_INPUT;
  cJSON *a = rpt_read(opts.a_name, msg, sizeof msg), *b = NULL, *plan = NULL, *cmp = NULL;
  if (!a || !(b = rpt_read(opts.b_name, msg, sizeof msg))) {
    fprintf(stderr, "mcusim: %s\n", msg);
    goto done;
  }
  if (model_path && !(plan = plan_for(model_path, schedule_to_plan(a, b)))) goto done;
  opts.plan = plan;
  if (!(cmp = rpt_compare(a, b, &opts, msg, sizeof msg))) {
    fprintf(stderr, "mcusim: %s\n", msg);
    goto done;
  }
  if (json == 2) {
    rpt_json_print_flat(cmp, stdout);
  } else if (json && cli_io_write_json("mcusim compare", cmp, json_path)) {
    goto done;
  } else if (!json) {
    rpt_compare_print(cmp, stdout);
  }
  const cJSON *both[2] = {a, b};
  rc = cli_write_exports(exports, both, 2) ? CLI_EXIT_BAD_INPUT : CLI_EXIT_OK;
done:
  cJSON_Delete(cmp);
  cJSON_Delete(plan);
  cJSON_Delete(b);
  cJSON_Delete(a);
  return rc;
}
