/* tests/reports/test_compare.c — rpt_compare on hand-written reports (tests/reports/compare/): reduction and
 * overhead arithmetic, the patch stage summed over its patches, layers aligned by name, refusals, the plan beside. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"

static cJSON *load(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", COMPARE_FIXTURES, name);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "fixture %s missing", path);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  cJSON *j = cJSON_Parse(buf);
  ck_assert_msg(j != NULL, "fixture %s is not JSON", path);
  return j;
}

static double at(const cJSON *o, const char *a, const char *b) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
  ck_assert_msg(cJSON_IsNumber(x), "%s.%s is not a number", a, b);
  return x->valuedouble;
}

static double field(const cJSON *o, const char *key) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
  ck_assert_msg(cJSON_IsNumber(x), "%s is not a number", key);
  return x->valuedouble;
}

static const cJSON *fig(const cJSON *cmp, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cmp, "figures"), key);
}

static cJSON *compare(const char *a, const char *b, int allow, const cJSON *plan, char *msg) {
  cJSON *ra = load(a), *rb = load(b);
  rpt_compare_opts_t opts = {a, b, allow, plan};
  cJSON *cmp = rpt_compare(ra, rb, &opts, msg, 256);
  cJSON_Delete(ra);
  cJSON_Delete(rb);
  return cmp;
}

START_TEST(reduction_and_overheads) {
  char msg[256];
  cJSON *c = compare("layerwise.json", "patch.json", 0, NULL, msg);
  ck_assert_ptr_nonnull(c);
  ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "schema")->valuestring, RPT_COMPARE_SCHEMA);
  ck_assert_double_eq_tol(at(c, "summary", "peak_reduction"), 368000.0 / 113832.0, 1e-9);
  ck_assert_double_eq_tol(at(c, "summary", "arena_reduction"), 358400.0 / 103736.0, 1e-9);
  ck_assert_double_eq_tol(at(c, "summary", "mac_overhead"), 7100.0 / 6000.0 - 1, 1e-12);
  ck_assert_double_eq_tol(at(c, "summary", "stage_mac_overhead"), 4100.0 / 3000.0 - 1, 1e-12);
  ck_assert_double_eq_tol(at(c, "summary", "cycle_overhead"), 0.3, 1e-12);
  /* the patch stage of B costs its patches (40,000 cycles, stitching included), not its layers (39,000) */
  ck_assert_double_eq(at(cJSON_GetObjectItemCaseSensitive(c, "figures"), "stage_cycles", "a"), 30000);
  ck_assert_double_eq(at(cJSON_GetObjectItemCaseSensitive(c, "figures"), "stage_cycles", "b"), 40000);
  ck_assert_double_eq(at(cJSON_GetObjectItemCaseSensitive(c, "figures"), "macs", "b"), 7100);
  ck_assert(
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "summary"), "outputs_match")));
  /* judged against the device: A overflows 320 KiB by 40,320 B, B fits */
  const cJSON *dev = cJSON_GetObjectItemCaseSensitive(c, "device");
  ck_assert_double_eq(at(dev, "a", "overflow_bytes"), 368000 - 327680);
  ck_assert_double_eq(at(dev, "b", "free_bytes"), 327680 - 113832);
  cJSON_Delete(c);
}
END_TEST

START_TEST(layers_aligned_by_name) {
  char msg[256];
  cJSON *c = compare("layerwise.json", "patch.json", 0, NULL, msg);
  const cJSON *rows = cJSON_GetObjectItemCaseSensitive(c, "layers");
  ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
  static const char *const names[] = {"stem", "b1", "head", "extra"};
  for (int i = 0; i < 4; i++)
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, i), "name")->valuestring, names[i]);
  const cJSON *b1 = cJSON_GetArrayItem(rows, 1), *extra = cJSON_GetArrayItem(rows, 3);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b1, "patch_stage")));
  ck_assert_double_eq(at(b1, "a", "calls"), 1);
  ck_assert_double_eq(at(b1, "b", "calls"), 4);
  ck_assert_double_eq(at(b1, "b", "macs"), 2600);
  ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(extra, "a"))); /* only in B */
  ck_assert(!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, 2), "patch_stage")));
  cJSON_Delete(c);
}
END_TEST

START_TEST(refuses_other_model_and_profile) {
  char msg[256] = "";
  ck_assert_ptr_null(compare("layerwise.json", "patch_other_model.json", 0, NULL, msg));
  ck_assert_ptr_nonnull(strstr(msg, "different models"));
  ck_assert_ptr_nonnull(strstr(msg, "--allow-mismatch"));
  ck_assert_ptr_null(compare("layerwise.json", "patch_sim_large.json", 0, NULL, msg));
  ck_assert_ptr_nonnull(strstr(msg, "different profiles"));
  cJSON *c = compare("layerwise.json", "patch_other_model.json", 1, NULL, msg);
  ck_assert_ptr_nonnull(c);
  ck_assert(
      cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "summary"), "outputs_match")));
  cJSON_Delete(c);
  /* different profiles: both are judged against the smaller SRAM (the real device) */
  c = compare("layerwise.json", "patch_sim_large.json", 1, NULL, msg);
  const cJSON *dev = cJSON_GetObjectItemCaseSensitive(c, "device");
  ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(dev, "profile")->valuestring, "stm32f746");
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(dev, "a"), "fits")));
  cJSON_Delete(c);
}
END_TEST

START_TEST(plan_beside_measured) {
  char msg[256];
  cJSON *plan = load("plan.json");
  cJSON *c = compare("layerwise.json", "patch.json", 0, plan, msg);
  ck_assert_double_eq(field(fig(c, "macs"), "plan_a"), 6000);
  ck_assert_double_eq(field(fig(c, "macs"), "plan_b"), 7100);
  ck_assert_double_eq(field(fig(c, "stage_macs"), "plan_b"), 4100);
  ck_assert_double_eq(field(fig(c, "arena_peak_bytes"), "plan_a"), 358400);
  ck_assert_double_eq(field(fig(c, "arena_peak_bytes"), "plan_b"), 103736);
  const cJSON *stem = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "layers"), 0);
  ck_assert_double_eq(at(stem, "plan_a", "macs"), 1000);
  ck_assert_double_eq(at(stem, "plan_b", "macs"), 1500);
  ck_assert_double_eq(at(stem, "plan_b", "arena_peak_bytes"), 60000);
  cJSON_Delete(c);
  cJSON_Delete(plan);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("compare");
  TCase *tc = tcase_create("fixtures");
  tcase_add_test(tc, reduction_and_overheads);
  tcase_add_test(tc, layers_aligned_by_name);
  tcase_add_test(tc, refuses_other_model_and_profile);
  tcase_add_test(tc, plan_beside_measured);
  suite_add_tcase(s, tc);
  return s;
}
