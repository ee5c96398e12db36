/* tests/explore/test_search.c — unit tests of workloads/explore/search.c (enumeration, prediction, pruning, Pareto
 * front, choice) and workloads/explore/sweep.c (matrix, job numbering, shard assignment, figures, merged table). */
#include "tests/support/check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/explore/search.h"
#include "workloads/explore/sweep.h"

/* ---- enumeration ---- */

START_TEST(enumerate_respects_resolution_and_inputs) {
  static xp_search_cand_t c[XP_SEARCH_MAX_CANDIDATES];
  const int32_t stage_h[] = {0, 8, 4}; /* K=1: 8 rows (n <= 4); K=2: 4 rows (n = 2) */
  size_t n = xp_search_enumerate(2, stage_h, 1, c, XP_SEARCH_MAX_CANDIDATES);
  ck_assert_uint_eq(n, 1 + 3 + 1);
  ck_assert_str_eq(c[0].spec, "layerwise");
  ck_assert_str_eq(c[1].spec, "patch:n=2,blocks=1");
  ck_assert_str_eq(c[3].spec, "patch:n=4,blocks=1");
  ck_assert_str_eq(c[4].spec, "patch:n=2,blocks=2");
  n = xp_search_enumerate(2, stage_h, 3, c, XP_SEARCH_MAX_CANDIDATES);
  ck_assert_uint_eq(n, 10);
  ck_assert_str_eq(c[5].spec, "layerwise,input=arena");
  ck_assert_int_eq(c[9].input_in_arena, 1);
  ck_assert_str_eq(c[9].spec, "patch:n=2,blocks=2,input=arena");
  /* capacity is respected */
  ck_assert_uint_eq(xp_search_enumerate(2, stage_h, 3, c, 4), 4);
}
END_TEST

START_TEST(enumerate_caps_grid_at_8) {
  static xp_search_cand_t c[XP_SEARCH_MAX_CANDIDATES];
  const int32_t stage_h[] = {0, 112};
  ck_assert_uint_eq(xp_search_enumerate(1, stage_h, 1, c, XP_SEARCH_MAX_CANDIDATES), 1 + 7); /* n = 2..8 */
}
END_TEST

START_TEST(heavy_blocks_is_the_prefix_over_a_fifth_of_the_peak) {
  static gen_model_t m;
  memset(&m, 0, sizeof m);
  m.model.n_layers = 6;
  m.n_blocks = 4; /* blocks: [0,1) [1,3) [3,5) [5,6) */
  const int32_t first[] = {0, 1, 3, 5, 6};
  memcpy(m.block_first_layer, first, sizeof first);
  const uint64_t live[] = {100, 1000, 500, 250, 150, 300};
  /* peak 1000: layers over 200 are 1, 2, 3, 5 -> the last such block is 3 -> 4 blocks */
  ck_assert_int_eq(xp_search_heavy_blocks(&m, live), 4);
  const uint64_t live2[] = {100, 1000, 500, 250, 150, 150};
  ck_assert_int_eq(xp_search_heavy_blocks(&m, live2), 3);
}
END_TEST

/* ---- prediction on a bundled model (the figures docs/compare.md gives) ---- */

START_TEST(predict_person_detection) {
  static gen_model_t m;
  char err[256];
  ck_assert_msg(gen_model_load(MODELS_DIR "/person-det-mbv1-r96.json", &m, err, sizeof err) == 0, "%s", err);
  xp_search_cand_t c = {.patch_n = 0};
  xp_search_predict(&m, &c);
  ck_assert(c.plan_ok);
  ck_assert_uint_eq(c.plan_arena_bytes, 55296);
  ck_assert_uint_eq(c.plan_macs, 7157888);
  c = (xp_search_cand_t){.patch_n = 2, .split_blocks = 4};
  xp_search_predict(&m, &c);
  ck_assert_uint_eq(c.plan_arena_bytes, 38616);
  ck_assert_uint_eq(c.plan_macs, 7617216);
  /* input=arena: the 96x96 frame beside the patch stage (simulated: 42,648 for n=2, K=3) */
  c = (xp_search_cand_t){.patch_n = 2, .split_blocks = 3, .input_in_arena = 1};
  xp_search_predict(&m, &c);
  ck_assert_uint_eq(c.plan_arena_bytes, 42648);
  /* the runtime refuses a patch stage reaching the pooling layer */
  c = (xp_search_cand_t){.patch_n = 2, .split_blocks = 15};
  xp_search_predict(&m, &c);
  ck_assert(!c.plan_ok);
  gen_model_free(&m);
}
END_TEST

/* ---- pruning ---- */

static xp_search_cand_t cand(int patch_n, int k, uint64_t arena, uint64_t macs) {
  xp_search_cand_t c;
  memset(&c, 0, sizeof c);
  c.patch_n = patch_n, c.split_blocks = k, c.plan_ok = 1, c.plan_arena_bytes = arena, c.plan_macs = macs;
  return c;
}

START_TEST(prune_budget_latency_front_top_duplicates) {
  xp_search_cand_t c[] = {
      cand(0, 0, 1000, 100), /* 0 layer-wise: always kept */
      cand(2, 1, 1000, 100), /* 1 same plan as layer-wise */
      cand(2, 2, 600, 120),  /* 2 front */
      cand(3, 2, 500, 150),  /* 3 front */
      cand(4, 2, 550, 160),  /* 4 dominated by 3, and not in the top 1 */
      cand(8, 2, 300, 400),  /* 5 over the latency limit (+300% > +200%) */
      cand(2, 3, 1200, 110), /* 6 over budget */
      cand(3, 3, 900, 130),  /* 7 dominated by 2 */
  };
  c[7].plan_ok = 1;
  xp_search_opts_t o = {.budget_bytes = 1100, .overhead_bytes = 50, .max_latency_overhead = 2.0, .top = 1, .inputs = 1};
  xp_search_prune(c, 8, &o);
  ck_assert_int_eq(c[0].prune, XP_SEARCH_KEEP);
  ck_assert_int_eq(c[1].prune, XP_SEARCH_PRUNE_DUPLICATE);
  ck_assert_int_eq(c[2].prune, XP_SEARCH_KEEP);
  ck_assert_int_eq(c[3].prune, XP_SEARCH_KEEP);
  ck_assert_int_eq(c[4].prune, XP_SEARCH_PRUNE_DOMINATED);
  ck_assert_int_eq(c[5].prune, XP_SEARCH_PRUNE_LATENCY);
  ck_assert_int_eq(c[6].prune, XP_SEARCH_PRUNE_BUDGET);
  ck_assert_int_eq(c[7].prune, XP_SEARCH_PRUNE_DOMINATED);
  ck_assert_uint_eq(c[3].plan_peak_bytes, 550);
  /* a larger top keeps the lowest-MAC dominated one too */
  o.top = 3;
  xp_search_prune(c, 8, &o);
  ck_assert_int_eq(c[7].prune, XP_SEARCH_KEEP);
  ck_assert_int_eq(c[4].prune, XP_SEARCH_PRUNE_DOMINATED);
  /* invalid */
  c[4].plan_ok = 0;
  xp_search_prune(c, 8, &o);
  ck_assert_int_eq(c[4].prune, XP_SEARCH_PRUNE_INVALID);
}
END_TEST

/* ---- Pareto front and choice ---- */

static void measured(xp_search_cand_t *c, uint64_t peak, uint64_t cycles) {
  c->simulated = c->sim_ok = 1;
  c->peak_bytes = peak, c->cycles = cycles;
}

START_TEST(pareto_and_choice) {
  xp_search_cand_t c[5];
  for (int i = 0; i < 5; i++) c[i] = cand(i, 1, 0, 0);
  measured(&c[0], 400, 100); /* layer-wise: fastest, largest */
  measured(&c[1], 200, 150);
  measured(&c[2], 250, 160); /* dominated by 1 */
  measured(&c[3], 100, 300);
  c[4].simulated = 1; /* failed: never on the front nor chosen */
  xp_search_pareto(c, 5);
  ck_assert(c[0].on_front && c[1].on_front && !c[2].on_front && c[3].on_front && !c[4].on_front);
  ck_assert_int_eq(xp_search_choose(c, 5, 500, 0, 0), 0);
  ck_assert_int_eq(xp_search_choose(c, 5, 300, 0, 0), 1);
  ck_assert_int_eq(xp_search_choose(c, 5, 150, 0, 0), 3);
  ck_assert_int_eq(xp_search_choose(c, 5, 99, 0, 0), -1);
  ck_assert_int_eq(xp_search_choose(c, 5, 150, 200, 0), -1); /* latency limit */
  c[1].prune = XP_SEARCH_PRUNE_DOMINATED;
  ck_assert_int_eq(xp_search_choose(c, 5, 300, 0, 1), 2); /* only the kept ones */
}
END_TEST

/* ---- sweep matrix and shards ---- */

static const char *matrix_json = "{\"version\": 1, \"models\": [\"person-det-mbv1-r96\", \"../m/x.json\"],"
                                 " \"schedules\": [\"layerwise\", \"patch:n=2,blocks=4\", \"patch:n=3,blocks=3\"],"
                                 " \"profiles\": [\"stm32f412\", \"stm32f746\"]}";

START_TEST(matrix_parse_and_jobs) {
  xp_sweep_matrix_t m;
  char err[256];
  ck_assert_int_eq(xp_sweep_matrix_parse(matrix_json, "/base", "/models", &m, err, sizeof err), 0);
  ck_assert_str_eq(m.models[0], "/models/person-det-mbv1-r96.json");
  ck_assert_str_eq(m.models[1], "/base/../m/x.json");
  ck_assert_uint_eq(xp_sweep_job_count(&m), 12);
  size_t mi, si, pi;
  xp_sweep_job_cell(&m, 7, &mi, &si, &pi); /* profile fastest: 7 = model 1, schedule 0, profile 1 */
  ck_assert_uint_eq(mi, 1);
  ck_assert_uint_eq(si, 0);
  ck_assert_uint_eq(pi, 1);
  char id[160];
  xp_sweep_job_id(&m, 3, id, sizeof id);
  ck_assert_str_eq(id, "0003_person-det-mbv1-r96_patch-n2-blocks4_stm32f746");
  xp_sweep_matrix_free(&m);
}
END_TEST

START_TEST(matrix_errors) {
  xp_sweep_matrix_t m;
  char err[256];
  ck_assert_int_eq(xp_sweep_matrix_parse("{\"version\": 2, \"models\": [\"a\"], \"schedules\": [\"layerwise\"],"
                                         " \"profiles\": [\"p\"]}",
                                         ".", ".", &m, err, sizeof err),
                   -1);
  ck_assert_ptr_nonnull(strstr(err, "version"));
  xp_sweep_matrix_free(&m);
  ck_assert_int_eq(xp_sweep_matrix_parse("{\"version\": 1, \"models\": [], \"schedules\": [\"layerwise\"],"
                                         " \"profiles\": [\"p\"]}",
                                         ".", ".", &m, err, sizeof err),
                   -1);
  xp_sweep_matrix_free(&m);
  ck_assert_int_eq(xp_sweep_matrix_parse("{\"version\": 1, \"models\": [\"a\"], \"schedules\": [\"layerwise\"],"
                                         " \"profiles\": [\"p\"], \"profile\": 1}",
                                         ".", ".", &m, err, sizeof err),
                   -1);
  ck_assert_ptr_nonnull(strstr(err, "unknown field"));
  xp_sweep_matrix_free(&m);
  ck_assert_int_eq(xp_sweep_matrix_parse("not json", ".", ".", &m, err, sizeof err), -1);
  xp_sweep_matrix_free(&m);
}
END_TEST

START_TEST(shards_partition_the_jobs) {
  int i, n;
  ck_assert_int_eq(xp_sweep_parse_shard("2/3", &i, &n), 0);
  ck_assert_int_eq(i, 2);
  ck_assert_int_eq(n, 3);
  ck_assert_int_eq(xp_sweep_parse_shard("0/3", &i, &n), -1);
  ck_assert_int_eq(xp_sweep_parse_shard("4/3", &i, &n), -1);
  ck_assert_int_eq(xp_sweep_parse_shard("1/3x", &i, &n), -1);
  ck_assert_int_eq(xp_sweep_parse_shard("a/b", &i, &n), -1);
  for (int shards = 1; shards <= 7; shards++) {
    size_t per_shard[8] = {0};
    for (size_t j = 0; j < 100; j++) {
      int owners = 0;
      for (int s = 1; s <= shards; s++)
        if (xp_sweep_in_shard(j, s, shards)) owners++, per_shard[s]++;
      ck_assert_int_eq(owners, 1); /* every job in exactly one shard */
    }
    for (int s = 1; s <= shards; s++) ck_assert_uint_le(per_shard[s] - 100 / shards, 1); /* balanced */
  }
  ck_assert(xp_sweep_in_shard(4, 1, 2) && xp_sweep_in_shard(5, 2, 2)); /* round robin: j % n == i - 1 */
}
END_TEST

/* ---- figures and the merged table ---- */

static const char *report_json =
    "{\"schema\": \"mcusim-report/1\", \"profile\": {\"name\": \"stm32f412\", \"clock_hz\": 100000000},"
    " \"result\": {\"stop\": \"exit\", \"exit_code\": 0}, \"totals\": {\"instructions\": 5, \"cycles\": 60369994,"
    " \"latency_us\": 603699.94}, \"memory\": {\"peak_bytes\": 65392, \"arena_peak_bytes\": 55296, \"static_bytes\":"
    " 9280, \"stack_peak_bytes\": 816, \"sram_bytes\": 262144, \"fits\": true, \"overflow_bytes\": 0}, \"marks\":"
    " {\"model\": \"person-det-mbv1-r96\", \"schedule\": \"layerwise\", \"checksum\": 3085307818, \"macs_lo\": 7157888,"
    " \"macs_hi\": 0}}";

START_TEST(figures_and_table) {
  cJSON *r = cJSON_Parse(report_json);
  xp_sweep_row_t rows[2];
  memset(rows, 0, sizeof rows);
  ck_assert_int_eq(xp_sweep_figures(r, &rows[0].fig), 0);
  cJSON_Delete(r);
  ck_assert_uint_eq(rows[0].fig.value[RPT_FIGURE_PEAK], 65392);
  ck_assert_uint_eq(rows[0].fig.value[RPT_FIGURE_MACS], 7157888);
  ck_assert_str_eq(rows[0].fig.checksum, "0xb7e60faa");
  ck_assert(rows[0].fig.fits);
  rows[0].index = 2, rows[0].has_figures = 1;
  strcpy(rows[0].id, "0002_x"), strcpy(rows[0].status, "ok");
  rows[1].index = 0;
  strcpy(rows[1].id, "0000_y"), strcpy(rows[1].status, "build_failed");
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  ck_assert_int_eq(xp_sweep_write_table(rows, 2, 3, XP_SWEEP_CSV, f), 0);
  fclose(f);
  ck_assert_ptr_nonnull(strstr(buf, "index,job,status,model,schedule,profile,exit_code,fits,peak_bytes"));
  /* sorted by index; a failed job keeps its row with empty figures (same column count) */
  ck_assert_ptr_nonnull(strstr(buf, "\n0,0000_y,build_failed,,,,,,,,,,,,,,,,\n2,0002_x,ok,person-det-mbv1-r96,"));
  ck_assert_ptr_nonnull(strstr(buf, ",65392,55296,9280,816,262144,0,7157888,5,60369994,603.700,0xb7e60faa\n"));
  /* a schedule with commas is quoted (RFC 4180) */
  strcpy(rows[0].fig.schedule, "patch:n=2,blocks=4");
  f = fmemopen(buf, sizeof buf - 1, "w");
  ck_assert_int_eq(xp_sweep_write_table(rows, 1, 1, XP_SWEEP_CSV, f), 0);
  fclose(f);
  ck_assert_ptr_nonnull(strstr(buf, ",person-det-mbv1-r96,\"patch:n=2,blocks=4\",stm32f412,0,true,"));
  f = fmemopen(buf, sizeof buf - 1, "w");
  ck_assert_int_eq(xp_sweep_write_table(rows, 2, 3, XP_SWEEP_JSON, f), 0);
  fclose(f);
  cJSON *j = cJSON_Parse(buf);
  ck_assert_ptr_nonnull(j);
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "missing")), 1);
  ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "missing"), 0)->valueint, 1);
  cJSON_Delete(j);
}
END_TEST

static Suite *search_suite(void) {
  Suite *s = suite_create("search");
  TCase *tc = tcase_create("search");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, enumerate_respects_resolution_and_inputs);
  tcase_add_test(tc, enumerate_caps_grid_at_8);
  tcase_add_test(tc, heavy_blocks_is_the_prefix_over_a_fifth_of_the_peak);
  tcase_add_test(tc, predict_person_detection);
  tcase_add_test(tc, prune_budget_latency_front_top_duplicates);
  tcase_add_test(tc, pareto_and_choice);
  tcase_add_test(tc, matrix_parse_and_jobs);
  tcase_add_test(tc, matrix_errors);
  tcase_add_test(tc, shards_partition_the_jobs);
  tcase_add_test(tc, figures_and_table);
  suite_add_tcase(s, tc);
  return s;
}

Suite *test_suite(void) { return search_suite(); }
