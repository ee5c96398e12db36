/* tests/tflite/test_tiny_graphs.c — the four MLPerf-Tiny-shaped models (workloads/gen/gen_tiny.c) written by the
 * project's writer, imported as general graphs (workloads/gen/gen_graph.c): deterministic bytes, the graph path for
 * each, layer-wise and patch-based runs with identical outputs, the planner equal to the executor's arena to the byte,
 * and the bounds the import guarantees (a bent blob offset or multiplier is refused by gen_graph_check). */
#include "tests/support/check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/gen/gen_graph.h"
#include "workloads/gen/gen_plan.h"
#include "workloads/gen/gen_tflite.h"
#include "workloads/gen/gen_tiny.h"

static char err[512];

static void load(const char *name, gen_model_t *m) {
  uint8_t *a, *b;
  size_t na, nb;
  ck_assert_msg(gen_tiny_write(name, &a, &na, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(gen_tiny_write(name, &b, &nb, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(na, nb);
  ck_assert_msg(memcmp(a, b, na) == 0, "%s: two writes differ", name);
  ck_assert_msg(gen_tflite_parse(a, na, m, err, sizeof err) == 0, "%s: %s", name, err);
  ck_assert_msg(m->nodes != NULL, "%s: not imported as a graph", name);
  free(a);
  free(b);
}

/* Run `spec` natively; the plan's peak must equal the arena's. Returns the output checksum. */
static uint32_t run(const gen_model_t *m, const char *spec, uint64_t *macs) {
  rt_schedule_t s;
  char name[128];
  ck_assert_msg(gen_schedule_parse(m, spec, &s, name, sizeof name, err, sizeof err) == 0, "%s", err);
  static uint8_t mem[1u << 20];
  rt_arena_t arena;
  rt_arena_init(&arena, mem, sizeof mem);
  rt_stats_t st;
  ck_assert_int_eq(rt_graph_run(&m->graph, &s, &arena, NULL, &st), RT_OK);
  static gen_plan_t plan;
  ck_assert_msg(gen_plan(m, &s, &plan, err, sizeof err) == 0, "%s %s: %s", m->name, spec, err);
  ck_assert_uint_eq(s.patch_n ? plan.patched_peak_live_bytes : plan.peak_live_bytes, arena.live_peak_bytes);
  *macs = st.macs;
  return st.checksum;
}

static void check(const char *name, const char *patch, uint64_t lw_macs) {
  gen_model_t m;
  load(name, &m);
  uint64_t macs, pmacs;
  const uint32_t lw = run(&m, "layerwise", &macs);
  ck_assert_uint_eq(macs, lw_macs);
  if (patch) {
    ck_assert_uint_eq(run(&m, patch, &pmacs), lw);
    ck_assert_uint_ge(pmacs, macs); /* the halo's recomputation */
  }
  gen_model_free(&m);
}

/* MACs: the figures MLPerf Tiny quotes for the references are 7.5 M (VWW), 2.7 M (KWS), 12.5 M (ResNet-8), 0.26 M
 * (AE); these are the analytic counts of the shapes written here. */
START_TEST(vww_mobilenet_v1) { check("vww-mbv1-0.25-r96", "patch:n=3,layers=5", 7489664); }
END_TEST
START_TEST(kws_ds_cnn) { check("kws-dscnn-49x10", "patch:n=2,layers=3", 2656768); }
END_TEST
START_TEST(ic_resnet8) { check("ic-resnet8-cifar", "patch:n=2,layers=1", 12501632); }
END_TEST
START_TEST(ad_autoencoder) { check("ad-fc-autoencoder", NULL, 231424); }
END_TEST
/* every graph operator: dm-2 depthwise, MAX_POOL, PAD + VALID conv, CONCATENATION, ADD, QUANTIZE, MEAN, RESHAPE */
START_TEST(op_zoo) { check("op-zoo", "patch:n=2,layers=2", 76608); }
END_TEST

/* the fuzz corpus's graph seed is op-zoo as the writer writes it today (regenerate: mcusim-gen --tiny-model op-zoo
 * --tflite-out tests/fuzz/corpus/tflite/graph-op-zoo.tflite) */
START_TEST(fuzz_seed_is_current) {
  uint8_t *a;
  size_t na;
  ck_assert_msg(gen_tiny_write("op-zoo", &a, &na, err, sizeof err) == 0, "%s", err);
  FILE *f = fopen(FUZZ_CORPUS "/graph-op-zoo.tflite", "rb");
  ck_assert_ptr_nonnull(f);
  uint8_t *b = malloc(na + 1);
  const size_t nb = fread(b, 1, na + 1, f);
  fclose(f);
  ck_assert_uint_eq(nb, na);
  ck_assert(memcmp(a, b, na) == 0);
  free(a);
  free(b);
}
END_TEST

/* blocks=K names the first K layers of a graph; a prefix whose inner tensor a later layer reads is refused */
START_TEST(graph_schedules_count_layers) {
  gen_model_t m;
  load("ic-resnet8-cifar", &m);
  rt_schedule_t s;
  char name[128];
  ck_assert_int_eq(gen_schedule_parse(&m, "patch:n=2,blocks=3", &s, name, sizeof name, err, sizeof err), 0);
  ck_assert_int_eq(s.patch_layers, 3);
  ck_assert_int_eq(gen_schedule_parse(&m, "patch:n=2,layers=3", &s, name, sizeof name, err, sizeof err), 0);
  ck_assert_int_eq(s.patch_layers, 3);
  static gen_plan_t plan;
  ck_assert_int_eq(gen_plan(&m, &s, &plan, err, sizeof err), -1); /* conv0's output feeds the first ADD */
  ck_assert_int_ne(gen_schedule_parse(&m, "patch:n=2,layers=99", &s, name, sizeof name, err, sizeof err), 0);
  gen_model_free(&m);
}
END_TEST

START_TEST(bent_offsets_and_multipliers_are_refused) {
  gen_model_t m;
  load("kws-dscnn-49x10", &m);
  ck_assert_int_eq(gen_graph_check(&m, err, sizeof err), 0);
  const uint32_t keep = m.layers[0].weights_off;
  m.layers[0].weights_off = m.blob_bytes - 4;
  ck_assert_int_eq(gen_graph_check(&m, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "conv0"));
  m.layers[0].weights_off = keep;
  int32_t bad = 5;
  memcpy(m.blob + m.layers[1].mult_off, &bad, 4);
  ck_assert_int_eq(gen_graph_check(&m, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "multiplier"));
  gen_model_free(&m);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("tiny_graphs");
  TCase *tc = tcase_create("tiny_graphs");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, vww_mobilenet_v1);
  tcase_add_test(tc, kws_ds_cnn);
  tcase_add_test(tc, ic_resnet8);
  tcase_add_test(tc, ad_autoencoder);
  tcase_add_test(tc, op_zoo);
  tcase_add_test(tc, fuzz_seed_is_current);
  tcase_add_test(tc, graph_schedules_count_layers);
  tcase_add_test(tc, bent_offsets_and_multipliers_are_refused);
  suite_add_tcase(s, tc);
  return s;
}
