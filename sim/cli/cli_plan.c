/* sim/cli/cli_plan.c — `mcusim plan MODEL.json [--patches N] [--split-blocks K | --split-layer NAME] [--halo clip]
 * [--json]`: the analytic plan of a model (workloads/gen/gen_plan.h), without building or running firmware. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "workloads/gen/gen_model.h"
#include "workloads/gen/gen_plan.h"
#include "workloads/gen/gen_tflite.h"

typedef struct {
  const char *model_path, *split_layer;
  uint64_t patches, split_blocks;
  int json, halo_clip;
  const char *json_path; /* --json[=OUT] */
} plan_args_t;

static void plan_usage(FILE *out) {
  fprintf(out, "usage: mcusim plan MODEL.json [--patches N] [--split-blocks K | --split-layer NAME] [--halo clip]"
               " [--json[=OUT]]\n"
               "  the analytic plan from the model description alone: per-layer input+output activation bytes,\n"
               "  the per-layer peak; with --patches, an N x N patch schedule over the first K blocks (the stem\n"
               "  counts) or up to and including layer NAME: receptive field, input patch with halo, per-patch\n"
               "  MACs, patch-stage and overall MAC overhead, per-patch peak. --json prints mcusim-plan/1\n"
               "  (docs/plan.schema.json) on standard output or OUT,\n"
               "  --flat the same as \"path value\" lines.\n");
}

static int parse_plan_args(int argc, char **argv, plan_args_t *a) {
  static const struct option longopts[] = {{"patches", required_argument, 0, 'n'},
                                           {"split-blocks", required_argument, 0, 'b'},
                                           {"split-layer", required_argument, 0, 'l'},
                                           {"halo", required_argument, 0, 'H'},
                                           {"json", optional_argument, 0, 'j'},
                                           {"flat", no_argument, 0, 'f'},
                                           {"help", no_argument, 0, 'h'},
                                           {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    if (c == 'n' && cli_parse_u64(optarg, "--patches", &a->patches))
      return -1;
    else if (c == 'b' && cli_parse_u64(optarg, "--split-blocks", &a->split_blocks))
      return -1;
    else if (c == 'l')
      a->split_layer = optarg;
    else if (c == 'H' && strcmp(optarg, "clip") && strcmp(optarg, "full")) {
      fprintf(stderr, "mcusim: --halo must be 'clip' or 'full'\n");
      return -1;
    } else if (c == 'H')
      a->halo_clip = !strcmp(optarg, "clip");
    else if (c == 'j')
      a->json = 1, a->json_path = cli_io_json_path(argc, argv);
    else if (c == 'f')
      a->json = 2;
    else if (c == 'h') {
      plan_usage(stdout);
      exit(cli_io_finish("mcusim", CLI_EXIT_OK)); /* --help: what main() would check */
    } else if (c == '?')
      return -1;
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "mcusim: plan needs exactly one model JSON\n");
    return -1;
  }
  a->model_path = argv[optind];
  if (a->split_layer && a->split_blocks) {
    fprintf(stderr, "mcusim: --split-blocks and --split-layer exclude each other\n");
    return -1;
  }
  if (a->patches && !a->split_layer && !a->split_blocks) {
    fprintf(stderr, "mcusim: --patches needs --split-blocks K or --split-layer NAME (where the patch stage ends)\n");
    return -1;
  }
  if (a->patches > 16) {
    fprintf(stderr, "mcusim: --patches must be 1..16\n");
    return -1;
  }
  return 0;
}

/* Schedule from the options: blocks through the generator's parser, a layer name directly. */
static int plan_schedule(const gen_model_t *m, const plan_args_t *a, rt_schedule_t *s, char *name, size_t size) {
  char spec[96], err[256];
  if (a->patches && a->split_blocks)
    snprintf(spec, sizeof spec, "patch:n=%llu,blocks=%llu%s", (unsigned long long)a->patches,
             (unsigned long long)a->split_blocks, a->halo_clip ? ",halo=clip" : "");
  else
    snprintf(spec, sizeof spec, a->split_blocks ? "layerwise,blocks=%llu" : "layerwise",
             (unsigned long long)a->split_blocks);
  if (gen_schedule_parse(m, spec, s, name, size, err, sizeof err)) {
    fprintf(stderr, "mcusim: %s: %s\n", a->model_path, err);
    return -1;
  }
  if (!a->split_layer) return 0;
  for (int32_t i = 0; i < m->model.n_layers; i++)
    if (!strcmp(m->layers[i].name, a->split_layer)) {
      s->patch_layers = (uint8_t)(i + 1);
      s->patch_n = (uint8_t)a->patches;
      s->halo_clip = (uint8_t)a->halo_clip;
      return 0;
    }
  fprintf(stderr, "mcusim: %s: no layer named '%s' (mcusim plan %s lists them)\n", a->model_path, a->split_layer,
          a->model_path);
  return -1;
}

int cli_plan(int argc, char **argv) {
  plan_args_t a = {0};
  if (parse_plan_args(argc, argv, &a)) {
    plan_usage(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  const cli_io_path_t outs[] = {{"--json", a.json_path}}, ins[] = {{"MODEL", a.model_path}};
  int io_rc = cli_io_check_outputs("mcusim plan", outs, 1, ins, 1);
  if (io_rc) return io_rc;
  char err[256], sched_name[128];
  gen_model_t m;
  if (gen_model_load(a.model_path, &m, err, sizeof err)) {
    fprintf(stderr, "mcusim: %s: %s\n", a.model_path, err);
    /* a .tflite with operators the runtime lacks: its analytic per-operator table still (docs/tflite.md); exit 2 */
    if (!a.json) gen_tflite_ops_print(a.model_path, stdout, err, sizeof err);
    return CLI_EXIT_BAD_INPUT;
  }
  int rc = CLI_EXIT_BAD_INPUT;
  rt_schedule_t s;
  static gen_plan_t plan; /* ~10 KiB */
  if (plan_schedule(&m, &a, &s, sched_name, sizeof sched_name)) goto done;
  if (gen_plan(&m, &s, &plan, err, sizeof err)) {
    fprintf(stderr, "mcusim: %s: %s\n", a.model_path, err);
    goto done;
  }
  if (a.json) {
    cJSON *j = gen_plan_json(&plan);
    if (a.json == 2) {
      rpt_json_print_flat(j, stdout);
    } else if (cli_io_write_json("mcusim plan", j, a.json_path)) {
      cJSON_Delete(j);
      goto done;
    }
    cJSON_Delete(j);
  } else {
    gen_plan_print(&plan, stdout);
  }
  rc = CLI_EXIT_OK;
done:
  gen_model_free(&m);
  return rc;
}
