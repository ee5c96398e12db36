/* General graphs (runtime/rt_graph.c) natively: a ResNet-8-shaped graph (residual ADDs, 1x1 stride-2 shortcut
 * convolutions), a DS-CNN-shaped chain (10x4 stride-2 stem, depthwise/pointwise blocks) and a branch-and-join graph
 * (PAD, MAXPOOL, two branches into CONCAT, depth-multiplier DWCONV, MEAN, QUANTIZE, FC, SOFTMAX) run layer-wise and
 * patch-based; every schedule gives the bytes the independent reference (ref_ops.c) computes for the whole graph,
 * and the planner (gen_plan_graph) gives the executor's arena peaks and MACs to the byte. The .tflite models of
 * workloads/gen/gen_tiny.c, imported as graphs, give the reference's bytes too. */
#include "tests/support/check_main.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/workloads/graph_build.h"
#include "workloads/gen/gen_model.h"
#include "workloads/gen/gen_plan.h"
#include "workloads/gen/gen_tflite.h"
#include "workloads/gen/gen_tiny.h"

#ifndef MCUSIM_MODELS_DIR
#error "MCUSIM_MODELS_DIR must name workloads/models"
#endif

static void build_resnet8(gb_t *b) {
  gb_init(b, "resnet8-like", 32, 32, 3, -1, 81);
  int x = gb_conv(b, 0, 16, 3, 3, 1, 1, 1, GB_ACT_RELU); /* stem */
  int y = gb_conv(b, x, 16, 3, 3, 1, 1, 1, GB_ACT_RELU);
  y = gb_conv(b, y, 16, 3, 3, 1, 1, 1, GB_ACT_NONE);
  x = gb_add(b, x, y, GB_ACT_RELU);
  for (int c = 32; c <= 64; c *= 2) { /* a stride-2 block with a 1x1 shortcut convolution */
    y = gb_conv(b, x, c, 3, 3, 2, 2, 1, GB_ACT_RELU);
    y = gb_conv(b, y, c, 3, 3, 1, 1, 1, GB_ACT_NONE);
    const int s = gb_conv(b, x, c, 1, 1, 2, 2, 1, GB_ACT_NONE);
    x = gb_add(b, s, y, GB_ACT_RELU);
  }
  x = gb_pool(b, x, 0, 8, 8, 8, 8, 0);
  x = gb_reshape(b, x, 1, 1, 64);
  x = gb_fc(b, x, 10, GB_ACT_NONE);
  gb_softmax(b, x);
}

static void build_dscnn(gb_t *b) {
  gb_init(b, "ds-cnn-like", 49, 10, 1, 3, 82);
  int x = gb_conv(b, 0, 64, 10, 4, 2, 2, 1, GB_ACT_RELU);
  for (int i = 0; i < 4; i++) {
    x = gb_dw(b, x, 1, 3, 3, 1, 1, 1, GB_ACT_RELU);
    x = gb_conv(b, x, 64, 1, 1, 1, 1, 1, GB_ACT_RELU);
  }
  x = gb_pool(b, x, 0, 25, 5, 25, 5, 0);
  x = gb_reshape(b, x, 1, 1, 64);
  x = gb_fc(b, x, 12, GB_ACT_NONE);
  gb_softmax(b, x);
}

static void build_branches(gb_t *b) {
  gb_init(b, "branch-join", 16, 16, 4, -5, 83);
  int x = gb_pad(b, 0, 1, 2, 1, 0);
  x = gb_conv(b, x, 8, 3, 3, 1, 1, 0, GB_ACT_RELU6);
  x = gb_pool(b, x, 1, 2, 2, 2, 2, 1);
  int br[2];
  br[0] = gb_conv(b, x, 6, 3, 3, 1, 1, 1, GB_ACT_RELU);
  br[1] = gb_conv(b, x, 5, 1, 1, 1, 1, 1, GB_ACT_NONE);
  x = gb_concat(b, 2, br);
  x = gb_dw(b, x, 2, 5, 3, 2, 1, 1, GB_ACT_RELU);
  x = gb_mean(b, x);
  x = gb_requant(b, x, 0.8);
  x = gb_fc(b, x, 7, GB_ACT_NONE);
  gb_softmax(b, x);
}

typedef struct {
  rt_stats_t stats;
  uint32_t peak;
  int8_t out[64];
} grun_t;

static void grun(const rt_graph_t *g, const rt_schedule_t *s, grun_t *r) {
  const uint32_t bytes = 4u << 20;
  void *mem = malloc(bytes);
  rt_arena_t arena;
  rt_arena_init(&arena, mem, bytes);
  memset(r, 0, sizeof *r);
  const rt_err e = rt_graph_run(g, s, &arena, r->out, &r->stats);
  ck_assert_msg(e == RT_OK, "%s %s: %s", g->model.name, s->name, rt_strerror(e));
  ck_assert_uint_eq(arena.live_bytes, 0);
  r->peak = arena.live_peak_bytes;
  free(mem);
}

static int distinct(const int8_t *v, uint32_t n) {
  int seen[256] = {0}, count = 0;
  for (uint32_t i = 0; i < n; i++)
    if (!seen[(uint8_t)v[i]]++) count++;
  return count;
}

static void check_graph(void (*build)(gb_t *), const int (*stages)[2], int n_stages) {
  gb_t *b = malloc(sizeof *b);
  build(b);
  const rt_graph_t *g = gb_finish(b);
  ck_assert_int_eq(rt_graph_check(g), RT_OK);
  int8_t ref[64];
  const int n_ref = gb_reference(b, ref, sizeof ref);

  const rt_schedule_t lw = {"layerwise", 0, 0, 0, 0};
  grun_t *r = malloc(sizeof *r);
  grun(g, &lw, r);
  ck_assert_uint_eq(r->stats.output_bytes, (uint32_t)n_ref);
  ck_assert_msg(memcmp(r->out, ref, (size_t)n_ref) == 0, "%s layer-wise differs from the reference", g->model.name);
  ck_assert_int_ge(distinct(r->out, r->stats.output_bytes), 3);
  char err[256];
  gen_plan_t *plan = malloc(sizeof *plan);
  ck_assert_msg(gen_plan_graph(g, g->model.name, &lw, plan, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(plan->peak_live_bytes, r->peak);
  ck_assert_uint_eq(plan->macs, r->stats.macs);
  printf("%s layer-wise: arena peak %u B (plan %llu B at %s), %llu MACs\n", g->model.name, r->peak,
         (unsigned long long)plan->peak_live_bytes, plan->layers[plan->peak_live_layer].name,
         (unsigned long long)r->stats.macs);

  for (int k = 0; k < n_stages; k++)
    for (int halo = 0; halo <= 1; halo++) {
      char name[64];
      snprintf(name, sizeof name, "patch:n=%d,layers=%d%s", stages[k][0], stages[k][1], halo ? ",halo=clip" : "");
      const rt_schedule_t ps = {name, (uint8_t)stages[k][0], (uint8_t)stages[k][1], 0, (uint8_t)halo};
      grun_t *p = malloc(sizeof *p);
      grun(g, &ps, p);
      ck_assert_msg(memcmp(p->out, ref, (size_t)n_ref) == 0, "%s %s differs from the reference", g->model.name, name);
      ck_assert_msg(gen_plan_graph(g, g->model.name, &ps, plan, err, sizeof err) == 0, "%s", err);
      ck_assert_uint_eq(plan->patched_peak_live_bytes, p->peak);
      ck_assert_uint_eq(plan->in_patch_live_bytes, p->stats.patch_peak_bytes);
      ck_assert_uint_eq(plan->patched_macs, p->stats.macs);
      ck_assert_uint_eq(plan->patched_stage_macs, p->stats.patch_stage_macs);
      ck_assert_int_eq(plan->patch_in_h, (int32_t)p->stats.patch_in_h);
      printf("%s %s: arena peak %u B (plan %llu B), %llu MACs (%+.1f%%)\n", g->model.name, name, p->peak,
             (unsigned long long)plan->patched_peak_live_bytes, (unsigned long long)p->stats.macs,
             100.0 * plan->mac_overhead);
      free(p);
    }
  free(plan);
  free(r);
  gb_free(b);
  free(b);
}

START_TEST(test_resnet8_like) {
  static const int stages[][2] = {{2, 1}, {4, 1}};
  check_graph(build_resnet8, stages, 2);
}
END_TEST

START_TEST(test_dscnn_like) {
  static const int stages[][2] = {{2, 3}, {3, 5}, {5, 9}};
  check_graph(build_dscnn, stages, 3);
}
END_TEST

START_TEST(test_branches_join) {
  static const int stages[][2] = {{2, 3}, {4, 2}};
  check_graph(build_branches, stages, 2);
}
END_TEST

/* A bundled sequential model as a general graph: CONV/DW/PW become CONV2D/DWCONV/CONV2D 1x1, a fused residual add
 * its own ADD layer reading the block's input, so a ResNet-style edge. Same blob, same parameters. */
typedef struct {
  rt_layer_t layers[2 * RT_MAX_LAYERS];
  rt_node_t nodes[2 * RT_MAX_LAYERS];
  char names[2 * RT_MAX_LAYERS][GEN_NAME_MAX + 8];
  rt_graph_t g;
  int16_t map[RT_MAX_LAYERS + 1]; /* sequential tensor -> graph tensor */
} seqgraph_t;

static void seq_to_graph(const gen_model_t *gm, seqgraph_t *sg) {
  const rt_model_t *m = &gm->model;
  int n = 0;
  memset(sg, 0, sizeof *sg);
  sg->map[0] = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const rt_layer_t *S = &m->layers[i];
    rt_layer_t *L = &sg->layers[n];
    rt_node_t *N = &sg->nodes[n];
    *L = *S;
    L->res_src = -1;
    N->n_in = 1;
    N->in[0] = sg->map[i];
    N->in[1] = N->in[2] = N->in[3] = -1;
    N->kh = N->kw = S->k ? S->k : 1;
    N->sh = N->sw = S->stride ? S->stride : 1;
    N->pad_top = N->pad_left = S->pad;
    N->depth_mult = 1;
    if (S->op == RT_OP_CONV || S->op == RT_OP_PW) L->op = RT_OP_CONV2D;
    if (S->op == RT_OP_PW) N->kh = N->kw = 1, N->sh = N->sw = 1, N->pad_top = N->pad_left = 0;
    if (S->op == RT_OP_DW) L->op = RT_OP_DWCONV;
    n++;
    if (S->res_src >= 0) { /* the fused add, as its own layer */
      rt_layer_t *A = &sg->layers[n];
      rt_node_t *AN = &sg->nodes[n];
      memset(A, 0, sizeof *A);
      memset(AN, 0, sizeof *AN);
      snprintf(sg->names[n], sizeof sg->names[n], "%s_add", S->name);
      A->name = sg->names[n];
      A->op = RT_OP_ADD;
      A->res_src = -1;
      A->in_h = A->out_h = S->out_h, A->in_w = A->out_w = S->out_w, A->in_c = A->out_c = S->out_c;
      A->add = S->add;
      A->in_zp = S->out_zp, A->out_zp = S->add.out_zp, A->act_min = S->add.act_min, A->act_max = S->add.act_max;
      AN->n_in = 2;
      AN->in[0] = (int16_t)n; /* the PW's output */
      AN->in[1] = sg->map[S->res_src + 1];
      AN->in[2] = AN->in[3] = -1;
      n++;
    }
    sg->map[i + 1] = (int16_t)n;
  }
  sg->g.model = *m;
  sg->g.model.n_layers = (uint16_t)n;
  sg->g.model.layers = sg->layers;
  sg->g.nodes = sg->nodes;
}

/* Every bundled sequential model, as a graph, computes rt_run's output bytes, layer-wise and with a patch stage
 * over its layers before the first residual; the graph plan equals the graph executor's arena peak. */
START_TEST(test_bundled_models_as_graphs) {
  static const char *const models[] = {"person-det-mbv1-r96", "mcunet-vww-r160", "mbv2-w0.35-r144"};
  gen_model_t *gm = malloc(sizeof *gm);
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/%s.json", MCUSIM_MODELS_DIR, models[_i]);
  ck_assert_msg(gen_model_load(path, gm, err, sizeof err) == 0, "%s", err);
  seqgraph_t *sg = malloc(sizeof *sg);
  seq_to_graph(gm, sg);
  ck_assert_int_eq(rt_graph_check(&sg->g), RT_OK);
  const uint32_t bytes = 8u << 20;
  void *mem = malloc(bytes);
  rt_arena_t arena;
  rt_stats_t seq_stats, st;
  int8_t *want = malloc(4096), *got = malloc(4096);
  const rt_schedule_t lw = {"layerwise", 0, 0, 0, 0};
  rt_arena_init(&arena, mem, bytes);
  ck_assert_int_eq(rt_run(&gm->model, &lw, &arena, want, &seq_stats), RT_OK);
  rt_arena_init(&arena, mem, bytes);
  ck_assert_int_eq(rt_graph_run(&sg->g, &lw, &arena, got, &st), RT_OK);
  ck_assert_uint_eq(st.output_bytes, seq_stats.output_bytes);
  ck_assert_int_eq(memcmp(got, want, st.output_bytes), 0);
  ck_assert_uint_eq(st.macs, seq_stats.macs);
  gen_plan_t *plan = malloc(sizeof *plan);
  ck_assert_msg(gen_plan_graph(&sg->g, models[_i], &lw, plan, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(plan->peak_live_bytes, arena.live_peak_bytes);
  /* without residuals both executors hold the same tensors (depthwise in place in both): the same peak; with
   * them rt_run also adds into the residual in place, fused with the pointwise layer */
  int residuals = 0;
  for (int i = 0; i < gm->model.n_layers; i++) residuals += gm->model.layers[i].res_src >= 0;
  const uint32_t graph_peak = arena.live_peak_bytes;
  rt_arena_init(&arena, mem, bytes);
  ck_assert_int_eq(rt_run(&gm->model, &lw, &arena, want, &seq_stats), RT_OK);
  if (!residuals) ck_assert_uint_eq(graph_peak, arena.live_peak_bytes);
  printf("%s as a graph: layer-wise arena peak %u B (rt_run %u B)\n", models[_i], graph_peak, arena.live_peak_bytes);
  int P = 0; /* the longest chain prefix */
  while (P < sg->g.model.n_layers && rt_op_is_spatial(sg->layers[P].op)) {
    int read_later = 0;
    for (int i = P + 1; i < sg->g.model.n_layers; i++)
      for (int k = 0; k < sg->nodes[i].n_in; k++) read_later |= i > P + 1 && sg->nodes[i].in[k] == P + 1;
    P++;
    if (read_later) break;
  }
  ck_assert_int_ge(P, 1);
  const rt_schedule_t ps = {"patch", 2, (uint8_t)P, 0, 1};
  rt_arena_init(&arena, mem, bytes);
  ck_assert_int_eq(rt_graph_run(&sg->g, &ps, &arena, got, &st), RT_OK);
  ck_assert_int_eq(memcmp(got, want, st.output_bytes), 0);
  ck_assert_msg(gen_plan_graph(&sg->g, models[_i], &ps, plan, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(plan->patched_peak_live_bytes, arena.live_peak_bytes);
  free(plan), free(want), free(got), free(mem), free(sg);
  gen_model_free(gm);
  free(gm);
}
END_TEST

/* Schedules and graphs the executor refuses, and the planner with it. */
START_TEST(test_refusals) {
  gb_t *b = malloc(sizeof *b);
  build_resnet8(b);
  const rt_graph_t *g = gb_finish(b);
  rt_arena_t arena;
  rt_stats_t stats;
  rt_arena_init(&arena, NULL, 0);
  /* the stage would end inside a residual block: the stem's output is read after the stage */
  const rt_schedule_t inside = {"patch", 2, 2, 0, 0};
  ck_assert_int_eq(rt_graph_run(g, &inside, &arena, NULL, &stats), RT_E_BAD_SCHEDULE);
  /* an ADD in the stage is no chain */
  const rt_schedule_t join = {"patch", 2, 4, 0, 0};
  ck_assert_int_eq(rt_graph_run(g, &join, &arena, NULL, &stats), RT_E_BAD_SCHEDULE);
  char err[256];
  gen_plan_t *plan = malloc(sizeof *plan);
  ck_assert_int_eq(gen_plan_graph(g, "resnet8-like", &join, plan, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "patch by patch"));
  /* an edge to a later tensor */
  b->nodes[3].in[1] = 9;
  ck_assert_int_eq(rt_graph_check(g), RT_E_BAD_MODEL);
  ck_assert_int_eq(rt_graph_run(g, &(rt_schedule_t){"layerwise", 0, 0, 0, 0}, &arena, NULL, &stats), RT_E_BAD_MODEL);
  b->nodes[3].in[1] = 3;
  /* a shape that does not match its producer */
  b->layers[1].in_c = 5;
  ck_assert_int_eq(rt_graph_check(g), RT_E_BAD_MODEL);
  b->layers[1].in_c = 16;
  ck_assert_int_eq(rt_graph_check(g), RT_OK);
  /* outputs larger than what the operator writes, a softmax shift that overflows int32 */
  const int last = g->model.n_layers - 1; /* softmax */
  b->layers[last].out_c = 11;
  ck_assert_int_eq(rt_graph_check(g), RT_E_BAD_MODEL);
  b->layers[last].out_c = 10;
  b->nodes[last].shift = 31;
  ck_assert_int_eq(rt_graph_check(g), RT_E_BAD_MODEL);
  free(plan);
  gb_free(b);
  free(b);
}
END_TEST

/* The .tflite models of workloads/gen/gen_tiny.c imported as graphs (gen_graph.c): their tables evaluated by the
 * independent reference give the bytes rt_graph_run gives, layer-wise. */
START_TEST(test_imported_tiny_models_match_the_reference) {
  uint8_t *file;
  size_t n;
  char err[256];
  ck_assert_msg(gen_tiny_write(gen_tiny_names[_i], &file, &n, err, sizeof err) == 0, "%s", err);
  gen_model_t m;
  ck_assert_msg(gen_tflite_parse(file, n, &m, err, sizeof err) == 0, "%s", err);
  free(file);
  ck_assert_ptr_nonnull(m.nodes);
  ck_assert_int_le(m.model.n_layers, GB_MAX);
  gb_t *b = calloc(1, sizeof *b);
  b->n = m.model.n_layers;
  memcpy(b->layers, m.layers, sizeof(rt_layer_t) * (size_t)b->n);
  memcpy(b->nodes, m.nodes, sizeof(rt_node_t) * (size_t)b->n);
  b->g = m.graph;
  b->g.model.layers = b->layers;
  b->g.nodes = b->nodes;
  static int8_t want[1 << 16], got[1 << 16];
  const int bytes = gb_reference(b, want, sizeof want);
  static uint8_t mem[1u << 20];
  rt_arena_t arena;
  rt_arena_init(&arena, mem, sizeof mem);
  const rt_schedule_t lw = {"layerwise", 0, 0, 0, 0};
  rt_stats_t st;
  ck_assert_int_eq(rt_graph_run(&m.graph, &lw, &arena, got, &st), RT_OK);
  ck_assert_int_eq((int)st.output_bytes, bytes);
  ck_assert_msg(memcmp(want, got, (size_t)bytes) == 0, "%s: output differs from the reference", m.name);
  free(b);
  gen_model_free(&m);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("workloads_graph");
  TCase *tc = tcase_create("graph");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_resnet8_like);
  tcase_add_test(tc, test_dscnn_like);
  tcase_add_test(tc, test_branches_join);
  tcase_add_test(tc, test_refusals);
  tcase_add_loop_test(tc, test_bundled_models_as_graphs, 0, 3);
  tcase_add_loop_test(tc, test_imported_tiny_models_match_the_reference, 0, GEN_TINY_COUNT);
  suite_add_tcase(s, tc);
  return s;
}
