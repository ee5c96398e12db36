/* gen_main.c — mcusim-gen: model JSON + schedule -> firmware sources.
 *
 *   mcusim-gen --model M.json --schedule SPEC --out PREFIX   writes PREFIX.c, PREFIX.S, PREFIX.bin
 *   mcusim-gen --model M.json [--schedule SPEC] --plan        prints the per-layer / per-patch plan
 *   mcusim-gen --model M.json --tflite-out M.tflite           writes the model as a .tflite (docs/tflite.md)
 *   The model may be a .tflite wherever a model JSON is taken (recognised by its file identifier).
 *   --schedule-file F.json instead of --schedule: {"version": 1, "schedule": SPEC, "model": NAME} as written by
 *   `mcusim search` (docs/sweep.md); "model", when present, must name the loaded model.
 *
 * The generator runs the schedule natively with the runtime (a dry run) to size the arena exactly and to
 * record the expected output checksum, MACs and arena peak; the firmware compares its own result with them.
 *
 * No string from the model, the schedule or a path ever goes into a comment of the generated C or assembler (a model
 * whose name closed the comment and added `.incbin "/etc/passwd"` put host files into the firmware, issue 21 F9): they
 * appear only as string literals escaped with cm_escape's C-string sink, which GNU as reads the same way. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "sim/cli/cli_io.h"
#include "workloads/gen/gen_model.h"
#include "workloads/gen/gen_plan.h"
#include "workloads/gen/gen_tflite.h"
#include "workloads/gen/gen_tiny.h"

#define DRY_RUN_ARENA_BYTES (64u << 20)
#define SCHEDULE_FILE_MAX_BYTES (16u << 10) /* `mcusim search` writes ~200 B */

typedef struct {
  rt_stats_t stats;
  uint32_t arena_peak_bytes, arena_required_bytes;
} dry_run_t;

static int dry_run(const gen_model_t *m, const rt_schedule_t *s, uint32_t arena_bytes, dry_run_t *out) {
  void *mem = malloc(arena_bytes ? arena_bytes : 8);
  if (!mem) {
    fprintf(stderr, "mcusim-gen: %s / %s: out of memory for a %u-byte arena\n", m->name, s->name, arena_bytes);
    return -1;
  }
  rt_arena_t arena;
  rt_arena_init(&arena, mem, arena_bytes);
  rt_err e = m->nodes ? rt_graph_run(&m->graph, s, &arena, NULL, &out->stats)
                      : rt_run(&m->model, s, &arena, NULL, &out->stats);
  out->arena_peak_bytes = arena.live_peak_bytes;
  out->arena_required_bytes = arena.required_bytes;
  free(mem);
  if (e != RT_OK) {
    fprintf(stderr, "mcusim-gen: %s / %s: %s\n", m->name, s->name, rt_strerror(e));
    return -1;
  }
  return 0;
}

static const char *op_name(uint8_t op) {
  static const char *names[] = {"?", "conv", "dw", "pw", "avgpool", "fc"};
  return op < 6 ? names[op] : "?";
}

static uint64_t tensor_bytes_of(const rt_layer_t *L, int out) {
  return out ? (uint64_t)L->out_h * L->out_w * L->out_c : (uint64_t)L->in_h * L->in_w * L->in_c;
}

/* "1,204,332" (digits grouped as in every text output, docs/report.md "Units"); one of four static buffers. */
static const char *grp(uint64_t v) {
  static char bufs[4][32];
  static int next;
  char digits[32], *buf = bufs[next++ % 4];
  int n = snprintf(digits, sizeof digits, "%" PRIu64, v), o = 0;
  for (int i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
  return buf;
}

/* Within 120 columns (tests/cli/test_width.sh). */
static void print_plan(const gen_model_t *m, const rt_schedule_t *s, const dry_run_t *d) {
  if (m->nodes) { /* a general graph: the graph planner's table */
    gen_plan_t *p = malloc(sizeof *p);
    char err[256];
    if (p && !gen_plan(m, s, p, err, sizeof err))
      gen_plan_print(p, stdout);
    else if (p)
      fprintf(stderr, "mcusim-gen: %s\n", err);
    free(p);
    printf("schedule %s: MACs %" PRIu64 " (patch stage %" PRIu64 "), arena peak %u B, arena required %u B,\n"
           "  patch peak %u B, patch input %ux%u, checksum 0x%08x\n",
           s->name, d->stats.macs, d->stats.patch_stage_macs, d->arena_peak_bytes, d->arena_required_bytes,
           d->stats.patch_peak_bytes, d->stats.patch_in_h, d->stats.patch_in_w, d->stats.checksum);
    return;
  }
  printf("model %s: %u layers in %d blocks, %s weight bytes, ", m->name, m->model.n_layers, m->n_blocks,
         grp(m->weight_bytes));
  printf("%s parameter bytes\n", grp(m->param_bytes));
  printf("%-3s %-16s %-7s %-4s %-12s %-12s %12s %12s\n", "id", "layer", "op", "k/s", "in", "out", "MACs", "in+out B");
  uint64_t total = 0;
  for (int32_t i = 0; i < m->model.n_layers; i++) {
    const rt_layer_t *L = &m->layers[i];
    char in[32], out[32];
    snprintf(in, sizeof in, "%ux%ux%u", L->in_h, L->in_w, L->in_c);
    snprintf(out, sizeof out, "%ux%ux%u", L->out_h, L->out_w, L->out_c);
    uint64_t io = L->op == RT_OP_DW ? tensor_bytes_of(L, 0) : tensor_bytes_of(L, 0) + tensor_bytes_of(L, 1);
    /* plain numbers: tests/cli/test_memory.c reads these rows back with sscanf */
    printf("%-3d %-16s %-7s %u/%u  %-12s %-12s %12" PRIu64 " %12" PRIu64 "%s\n", i, L->name, op_name(L->op), L->k,
           L->stride, in, out, rt_layer_macs(L), io, L->res_src >= 0 ? " +res" : "");
    total += rt_layer_macs(L);
  }
  printf("total MACs (analytic, layer-wise): %s\n", grp(total));
  if (s && s->patch_n) {
    rt_rect_t wins[RT_MAX_LAYERS], in_win;
    uint64_t macs =
        rt_patch_plan(&m->model, s, s->patch_n + 1 < s->patch_n * s->patch_n ? s->patch_n + 1 : 0, wins, &in_win);
    printf("patch stage: layers 0..%d, %dx%d patches; an interior patch: input %dx%d, %s MACs\n", s->patch_layers - 1,
           s->patch_n, s->patch_n, in_win.h, in_win.w, grp(macs));
    for (int32_t i = 0; i < s->patch_layers; i++)
      printf("  %-16s window %dx%d at (%d,%d)\n", m->layers[i].name, wins[i].h, wins[i].w, wins[i].y0, wins[i].x0);
  }
  if (d) {
    printf("schedule %s: MACs %s (patch stage %s), checksum 0x%08x\n", s->name, grp(d->stats.macs),
           grp(d->stats.patch_stage_macs), d->stats.checksum);
    printf("  arena peak %s B, arena required %s B, ", grp(d->arena_peak_bytes), grp(d->arena_required_bytes));
    printf("patch peak %s B, patch input %ux%u\n", grp(d->stats.patch_peak_bytes), d->stats.patch_in_h,
           d->stats.patch_in_w);
  }
}

/* Each file through the one writer (issue 21, F14): whole or not at all. */
static FILE *open_out(cm_out_t **out, const char *path) {
  if ((*out = cm_out_open(path))) return cm_out_file(*out);
  fprintf(stderr, "mcusim-gen: cannot write %s: %s\n", path, strerror(errno));
  return NULL;
}

static int close_out(cm_out_t *out, const char *path) {
  if (!cm_out_close(out)) return 0;
  fprintf(stderr, "mcusim-gen: cannot write %s: %s\n", path, strerror(errno));
  return -1;
}

static int write_sources(const gen_model_t *m, const rt_schedule_t *s, const dry_run_t *d, const char *prefix) {
  char path[4096];
  snprintf(path, sizeof path, "%s.bin", prefix);
  cm_out_t *out;
  FILE *f = open_out(&out, path);
  if (!f) return -1;
  fwrite(m->blob, 1, m->blob_bytes, f);
  if (close_out(out, path)) return -1;

  /* the blob goes to flash through the assembler: fast to build even for megabytes of weights */
  char bin_abs[4096];
  if (!realpath(path, bin_abs)) snprintf(bin_abs, sizeof bin_abs, "%s", path);
  snprintf(path, sizeof path, "%s.S", prefix);
  if (!(f = open_out(&out, path))) return -1;
  fprintf(f, "/* generated by mcusim-gen: the model's weights, quantization and input frame */\n");
  fprintf(f, "  .section .rodata.mcusim_model_blob,\"a\",%%progbits\n  .balign 8\n  .global mcusim_model_blob\n");
  fprintf(f, "  .type mcusim_model_blob, %%object\nmcusim_model_blob:\n  .incbin ");
  cm_escape_file(CM_ESC_C_STRING, bin_abs, f);
  fprintf(f, "\n");
  fprintf(f, "  .size mcusim_model_blob, . - mcusim_model_blob\n");
  if (close_out(out, path)) return -1;

  snprintf(path, sizeof path, "%s.c", prefix);
  if (!(f = open_out(&out, path))) return -1;
  const uint32_t arena_bytes = (d->arena_required_bytes + 7u) & ~7u;
  fprintf(f, "/* generated by mcusim-gen: do not edit (model and schedule: model_name, schedule_name) */\n");
  fprintf(f, "#include <stdint.h>\n\n#include \"runtime/rt.h\"\n\nextern const uint8_t mcusim_model_blob[];\n\n");
  for (int32_t i = 0; i < m->model.n_layers; i++) {
    fprintf(f, "static const char name_%d[] = ", i);
    cm_escape_file(CM_ESC_C_STRING, m->layers[i].name, f);
    fprintf(f, ";\n");
  }
  fprintf(f, "\nstatic const rt_layer_t layers[%u] = {\n", m->model.n_layers);
  for (int32_t i = 0; i < m->model.n_layers; i++) {
    const rt_layer_t *L = &m->layers[i];
    const rt_add_params_t *a = &L->add;
    fprintf(f,
            "  {name_%d, %u, %u, %u, %u, %d, %u, %u, %u, %u, %u, %u, %d, %d, %d, %d,\n"
            "   {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d}, %uu, %uu, %uu, %uu},\n",
            i, L->op, L->k, L->stride, L->pad, L->res_src, L->in_h, L->in_w, L->in_c, L->out_h, L->out_w, L->out_c,
            L->in_zp, L->out_zp, L->act_min, L->act_max, a->in1_zp, a->in1_mult, a->in1_shift, a->in2_zp, a->in2_mult,
            a->in2_shift, a->out_zp, a->out_mult, a->out_shift, a->act_min, a->act_max, L->weights_off, L->bias_off,
            L->mult_off, L->shift_off);
  }
  if (m->nodes) { /* a general graph: one rt_node_t per layer (runtime/rt.h); the firmware is built with MCUSIM_GRAPH */
    fprintf(f, "};\n\nstatic const rt_node_t nodes[%u] = {\n", m->model.n_layers);
    for (int32_t i = 0; i < m->model.n_layers; i++) {
      const rt_node_t *N = &m->nodes[i];
      fprintf(f, "  {{%d, %d, %d, %d}, %u, %u, %u, %u, %u, %u, %u, %u, %d, %d, %d},\n", N->in[0], N->in[1], N->in[2],
              N->in[3], N->n_in, N->kh, N->kw, N->sh, N->sw, N->pad_top, N->pad_left, N->depth_mult, N->mult, N->shift,
              N->diff_min);
    }
  }
  fprintf(f, "};\n\nstatic const char model_name[] = ");
  cm_escape_file(CM_ESC_C_STRING, m->name, f);
  fprintf(f, ";\nstatic const char schedule_name[] = ");
  cm_escape_file(CM_ESC_C_STRING, s->name, f);
  if (m->nodes)
    fprintf(f,
            ";\n\nconst rt_graph_t mcusim_graph = {{model_name, %u, layers, mcusim_model_blob, %uu, %u, %u, %u, %d}, "
            "nodes};\n",
            m->model.n_layers, m->model.input_off, m->model.in_h, m->model.in_w, m->model.in_c, m->model.in_zp);
  else
    fprintf(f,
            ";\n\nconst rt_model_t mcusim_model = {model_name, %u, layers, mcusim_model_blob, %uu, %u, %u, %u, %d};\n",
            m->model.n_layers, m->model.input_off, m->model.in_h, m->model.in_w, m->model.in_c, m->model.in_zp);
  fprintf(f, "const rt_schedule_t mcusim_schedule = {schedule_name, %u, %u, %u, %u};\n\n", s->patch_n, s->patch_layers,
          s->input_in_arena, s->halo_clip);
  fprintf(f, "/* what the native dry run of this schedule computed */\n");
  fprintf(f, "const uint32_t mcusim_expected_checksum = 0x%08xu;\n", d->stats.checksum);
  fprintf(f, "const uint64_t mcusim_expected_macs = %" PRIu64 "ull;\n", d->stats.macs);
  fprintf(f, "const uint32_t mcusim_expected_arena_peak = %uu;\n", d->arena_peak_bytes);
  fprintf(f, "const uint32_t mcusim_arena_bytes = %uu;\n", arena_bytes);
  fprintf(f, "/* the activation arena: NOLOAD, not static .bss; sized exactly for this schedule's placements */\n");
  fprintf(f, "__attribute__((section(\".arena\"), aligned(8))) uint8_t mcusim_arena[%u];\n", arena_bytes);
  return close_out(out, path);
}

/* --tflite-out: the model as a .tflite (docs/tflite.md), through the one writer. */
static int write_tflite(const gen_model_t *m, const char *model_path, const char *path) {
  uint8_t *bytes;
  size_t n;
  char err[256];
  if (gen_tflite_write(m, &bytes, &n, err, sizeof err)) {
    fprintf(stderr, "mcusim-gen: %s: cannot export as .tflite: %s\n", model_path, err);
    return -1;
  }
  cm_out_t *out;
  FILE *f = open_out(&out, path);
  if (f) fwrite(bytes, 1, n, f);
  free(bytes);
  return f ? close_out(out, path) : -1;
}

/* A schedule file (version 1): the spec it holds, copied into `spec` (size 128). 0, or -1 with a message. */
static int read_schedule_file(const char *path, const char *model_name, char *spec) {
  char *text = cm_read_file(path, SCHEDULE_FILE_MAX_BYTES, NULL);
  cJSON *j = text ? cJSON_Parse(text) : NULL;
  free(text);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version"), *s = cJSON_GetObjectItemCaseSensitive(j, "schedule");
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
  int rc = -1;
  if (!j || !cJSON_IsNumber(v) || v->valuedouble != 1 || !cJSON_IsString(s) || strlen(s->valuestring) >= 128)
    fprintf(stderr, "mcusim-gen: %s: not a schedule file (version 1 with a \"schedule\" string)\n", path);
  else if (cJSON_IsString(model) && strcmp(model->valuestring, model_name))
    fprintf(stderr, "mcusim-gen: %s is for model %s, not %s\n", path, model->valuestring, model_name);
  else
    rc = 0, snprintf(spec, 128, "%s", s->valuestring);
  cJSON_Delete(j);
  return rc;
}

static void usage(void) {
  fprintf(
      stderr,
      "usage: mcusim-gen --model M.json|M.tflite [--schedule SPEC | --schedule-file F.json] (--out PREFIX | --plan)\n"
      "                  [--tflite-out F.tflite]   also (or only) write the model as a .tflite\n"
      "       mcusim-gen --tiny-model NAME --tflite-out F.tflite   a built-in MLPerf-Tiny-shaped model\n"
      "  SPEC: layerwise[,input=arena] | patch:n=N,blocks=K[,input=arena][,halo=clip]\n"
      "        (a general graph: blocks=K or layers=K, the patch stage is its first K layers)\n");
}

/* Exit codes as mcusim's (README "Exit codes"): 0 written, 2 bad input or an output that cannot be written, 5
 * interrupted, 70 internal error. */
static int gen_main(int argc, char **argv) {
  const char *model_path = NULL, *spec = "layerwise", *prefix = NULL, *schedule_file = NULL, *tflite_out = NULL;
  const char *tiny = NULL;
  char file_spec[128];
  int plan = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--model") && i + 1 < argc)
      model_path = argv[++i];
    else if (!strcmp(argv[i], "--schedule") && i + 1 < argc)
      spec = argv[++i];
    else if (!strcmp(argv[i], "--schedule-file") && i + 1 < argc)
      schedule_file = argv[++i];
    else if (!strcmp(argv[i], "--out") && i + 1 < argc)
      prefix = argv[++i];
    else if (!strcmp(argv[i], "--plan"))
      plan = 1;
    else if (!strcmp(argv[i], "--tflite-out") && i + 1 < argc)
      tflite_out = argv[++i];
    else if (!strcmp(argv[i], "--tiny-model") && i + 1 < argc)
      tiny = argv[++i];
    else {
      usage();
      return 2;
    }
  }
  if (tiny) { /* a built-in MLPerf-Tiny-shaped model written as a .tflite (gen_tiny.h) */
    uint8_t *bytes;
    size_t n;
    char terr[256];
    if (!tflite_out || model_path) {
      usage();
      return 2;
    }
    if (gen_tiny_write(tiny, &bytes, &n, terr, sizeof terr)) {
      fprintf(stderr, "mcusim-gen: %s (built-in: %s, %s, %s, %s, %s)\n", terr, gen_tiny_names[0], gen_tiny_names[1],
              gen_tiny_names[2], gen_tiny_names[3], gen_tiny_names[4]);
      return 2;
    }
    cm_out_t *out;
    FILE *f = open_out(&out, tflite_out);
    if (f) fwrite(bytes, 1, n, f);
    free(bytes);
    return f && !close_out(out, tflite_out) ? 0 : 2;
  }
  if (!model_path || (!prefix && !plan && !tflite_out)) {
    usage();
    return 2;
  }
  if (prefix && !strcmp(prefix, "-")) { /* issue 19: "-" is standard output elsewhere; three files cannot go there */
    fprintf(stderr, "mcusim-gen: --out is the prefix of three files (PREFIX.c, PREFIX.S, PREFIX.bin), not '-': "
                    "--plan prints to standard output\n");
    return 2;
  }
  char err[256], sched_name[128];
  gen_model_t m;
  rt_schedule_t s;
  dry_run_t d, exact;
  int rc = 2;
  if (gen_model_load(model_path, &m, err, sizeof err)) {
    fprintf(stderr, "mcusim-gen: %s: %s\n", model_path, err);
    if (plan) /* a .tflite the runtime cannot run still has its analytic figures (the same table as mcusim plan) */
      gen_tflite_ops_print(model_path, stdout, err, sizeof err);
    return 2;
  }
  if (tflite_out && write_tflite(&m, model_path, tflite_out)) goto done;
  if (!prefix && !plan) {
    rc = 0;
    goto done;
  }
  rc = 2; /* bad input until the schedule is accepted */
  if (schedule_file) {
    if (read_schedule_file(schedule_file, m.name, file_spec)) goto done;
    spec = file_spec;
  }
  if (gen_schedule_parse(&m, spec, &s, sched_name, sizeof sched_name, err, sizeof err)) {
    fprintf(stderr, "mcusim-gen: %s\n", err);
    goto done;
  }
  rc = 1;
  if (dry_run(&m, &s, DRY_RUN_ARENA_BYTES, &d)) goto done;
  /* the arena the firmware gets must reproduce the same run */
  if (dry_run(&m, &s, (d.arena_required_bytes + 7u) & ~7u, &exact)) goto done;
  if (exact.stats.checksum != d.stats.checksum) {
    fprintf(stderr, "mcusim-gen: internal error: the exact-size arena changed the result\n");
    rc = 70;
    goto done;
  }
  if (plan) print_plan(&m, &s, &d);
  if (prefix && write_sources(&m, &s, &d, prefix)) goto done;
  rc = 0;
done:
  gen_model_free(&m);
  return rc;
}

int main(int argc, char **argv) {
  cli_io_init();
  return cli_io_finish("mcusim-gen", gen_main(argc, argv));
}
