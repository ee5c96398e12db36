/* tests/cli/test_compare.c — `mcusim plan` and `mcusim compare` the way a user runs them: the plan
 * reproduces the MCUNetV2 figures from the model JSON alone, and agrees with `mcusim run` on the bundled
 * person-detection model layer by layer (MACs and arena bytes, both schedules). */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

/* The value of "KEY value" in flat cli_output, as a number. */
static double flat(const char *key) {
  char pattern[256];
  snprintf(pattern, sizeof pattern, "\n%s ", key);
  const char *at = strstr(cli_output, pattern);
  ck_assert_msg(at != NULL, "no '%s' in the cli_output", key);
  return strtod(at + strlen(pattern), NULL);
}

static const cJSON *get(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

static double num(const cJSON *o, const char *a, const char *b) {
  const cJSON *x = get(get(o, a), b);
  ck_assert_msg(cJSON_IsNumber(x), "%s.%s is not a number", a, b);
  return x->valuedouble;
}

#define MODEL(name) MODELS_DIR "/" name ".json"
#define WL(name) WORKLOAD_DIR "/" name ".elf"
#define OUT(name) WORK_DIR "/" name

START_TEST(plan_reproduces_mcunetv2_table1) {
  ck_assert_int_eq(cli_mcusim("plan " MODEL("mbv2-w1.0-r224") " --patches 4 --split-blocks 5 --flat"), 0);
  ck_assert_double_eq(flat("layerwise.peak_io_bytes"), 112 * 112 * (16 + 96)); /* 1372 kB */
  ck_assert_double_eq(flat("patch.peak_io_bytes"), 28 * 28 * (32 + 192));      /* 172 kB */
  ck_assert_double_eq(flat("patch.receptive_field"), 27);
  ck_assert_double_eq(flat("patch.input_patch.0"), 75);
  ck_assert_double_eq(flat("patch.stage_macs"), 129517568);
  ck_assert_double_eq(flat("patch.macs"), 339009152);
  ck_assert_double_eq(flat("patch.in_patch_live_bytes"), 162288);
  ck_assert_double_eq(flat("patch.peak_live_bytes"), 176400);
  /* the same stage named by its last layer */
  ck_assert_int_eq(cli_mcusim("plan " MODEL("mbv2-w1.0-r224") " --patches 4 --split-layer b4_project --flat"), 0);
  ck_assert_double_eq(flat("patch.stage_macs"), 129517568);
  ck_assert_int_eq(cli_mcusim("plan " MODEL("mbv2-rd-r224") " --patches 4 --split-blocks 4 --flat"), 0);
  ck_assert_double_eq(flat("patch.receptive_field"), 15);
  ck_assert_double_eq(flat("patch.input_patch.0"), 63);
  ck_assert_double_eq(flat("patch.stage_macs"), 73250048);
  ck_assert_double_eq(flat("patch.macs"), 300955520);
}
END_TEST

START_TEST(plan_usage_errors) {
  ck_assert_int_eq(cli_mcusim("plan " MODEL("mbv2-w1.0-r224") " --patches 4"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "--split-blocks"));
  ck_assert_int_eq(cli_mcusim("plan " MODEL("mbv2-w1.0-r224") " --patches 4 --split-layer nope"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "no layer named 'nope'"));
  ck_assert_int_eq(cli_mcusim("plan /nonexistent.json"), 2);
  ck_assert_int_eq(cli_mcusim("compare " OUT("only_one.json")), 2);
}
END_TEST

/* person-detection on the STM32F412, both schedules: every layer's MACs and arena peak as planned */
static void check_layer_rows(const cJSON *cmp) {
  const cJSON *row;
  int rows = 0;
  cJSON_ArrayForEach(row, get(cmp, "layers")) {
    const char *name = get(row, "name")->valuestring;
    static const char *const sides[][2] = {{"a", "plan_a"}, {"b", "plan_b"}};
    for (int s = 0; s < 2; s++) {
      ck_assert_msg(num(row, sides[s][0], "macs") == num(row, sides[s][1], "macs"), "%s: MACs %s %.0f, plan %.0f", name,
                    sides[s][0], num(row, sides[s][0], "macs"), num(row, sides[s][1], "macs"));
      ck_assert_msg(num(row, sides[s][0], "arena_peak_bytes") == num(row, sides[s][1], "arena_peak_bytes"),
                    "%s: arena %s %.0f, plan %.0f", name, sides[s][0], num(row, sides[s][0], "arena_peak_bytes"),
                    num(row, sides[s][1], "arena_peak_bytes"));
    }
    rows++;
  }
  ck_assert_int_eq(rows, 29);
}

START_TEST(plan_agrees_with_simulation) {
  ck_assert_int_eq(cli_mcusim("run --quiet -p stm32f412 -r " OUT("pd_lw.json") " " WL("person-det-mbv1-r96_layerwise")),
                   0);
  ck_assert_int_eq(cli_mcusim("run --quiet -p stm32f412 -r " OUT("pd_p2.json") " " WL("person-det-mbv1-r96_patch2")),
                   0);
  ck_assert_int_eq(
      cli_mcusim("compare " OUT("pd_lw.json") " " OUT("pd_p2.json") " --json --model " MODEL("person-det-mbv1-r96")),
      0);
  cJSON *cmp = cJSON_Parse(cli_output);
  ck_assert_ptr_nonnull(cmp);
  const cJSON *f = get(cmp, "figures");
  ck_assert_double_eq(num(f, "arena_peak_bytes", "a"), 55296);
  ck_assert_double_eq(num(f, "arena_peak_bytes", "b"), 38616);
  ck_assert_double_eq(num(f, "arena_peak_bytes", "plan_a"), 55296);
  ck_assert_double_eq(num(f, "arena_peak_bytes", "plan_b"), 38616);
  ck_assert_double_eq(num(f, "macs", "b"), num(f, "macs", "plan_b"));
  ck_assert_double_eq(num(f, "stage_macs", "b"), 2219584);
  ck_assert_double_eq(num(f, "stage_macs", "a"), 1760256);
  ck_assert(cJSON_IsTrue(get(get(cmp, "summary"), "outputs_match")));
  ck_assert(num(cmp, "summary", "cycle_overhead") > 0);
  check_layer_rows(cmp);
  cJSON_Delete(cmp);
}
END_TEST

START_TEST(compare_text_and_refusal) {
  ck_assert_int_eq(
      cli_mcusim("run --quiet -p stm32f412 -r " OUT("pd_lw2.json") " " WL("person-det-mbv1-r96_layerwise")), 0);
  ck_assert_int_eq(cli_mcusim("run --quiet -p stm32f412 -r " OUT("pd_p22.json") " " WL("person-det-mbv1-r96_patch2")),
                   0);
  ck_assert_int_eq(cli_mcusim("compare " OUT("pd_lw2.json") " " OUT("pd_p22.json")), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "1.43x smaller"));
  ck_assert_ptr_nonnull(strstr(cli_output, "outputs              match"));
  ck_assert_ptr_nonnull(strstr(cli_output, "SRAM 262,144 B (256 KiB)"));
  /* a report of another model: refused, then compared when told */
  ck_assert_int_eq(
      system("sed 's/\"person-det-mbv1-r96\"/\"other-model\"/' " OUT("pd_p22.json") " > " OUT("pd_other.json")), 0);
  ck_assert_int_eq(cli_mcusim("compare " OUT("pd_lw2.json") " " OUT("pd_other.json")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "different models"));
  ck_assert_int_eq(cli_mcusim("compare --allow-mismatch " OUT("pd_lw2.json") " " OUT("pd_other.json")), 0);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("compare");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, plan_reproduces_mcunetv2_table1);
  tcase_add_test(tc, plan_usage_errors);
  tcase_add_test(tc, plan_agrees_with_simulation);
  tcase_add_test(tc, compare_text_and_refusal);
  suite_add_tcase(s, tc);
  return s;
}
