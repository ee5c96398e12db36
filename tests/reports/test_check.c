/* tests/reports/test_check.c — the comparison behind `mcusim check` on a small hand-written report
 * (check/base.json) and variants of it made here: pass, regression, improvement, budgets, per-layer rows,
 * figures present in one report only, mismatch refusal, budget-file validation, and the renderers. */
#include "tests/support/check_main.h"
#include <stdlib.h>
#include <string.h>

#include "reports/check.h"
#include "reports/rpt.h"

#define FIXTURE(name) CHECK_FIXTURE_DIR "/" name

static cJSON *load(const char *path) {
  char msg[512];
  cJSON *r = rpt_read(path, msg, sizeof msg);
  ck_assert_msg(r != NULL, "%s", msg);
  return r;
}

static void set_number(cJSON *report, const char *object, const char *key, double value) {
  cJSON *obj = cJSON_GetObjectItemCaseSensitive(report, object);
  ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(obj, key));
  cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(obj, key), value);
}

static cJSON *layer(cJSON *report, int index) {
  return cJSON_GetArrayItem(cJSON_GetObjectItem(report, "layers"), index);
}

static const rpt_check_row_t *row(const rpt_check_t *c, const char *layer_name, const char *figure) {
  for (size_t i = 0; i < c->n_rows; i++)
    if (!strcmp(c->rows[i].layer, layer_name) && !strcmp(c->rows[i].figure, figure)) return &c->rows[i];
  ck_abort_msg("no row %s %s", layer_name, figure);
  return NULL;
}

/* Renders with one of the renderers into a string (static buffer). */
static const char *render(const rpt_check_t *c, char kind) {
  static char buf[1 << 16];
  FILE *f = fmemopen(buf, sizeof buf, "w");
  ck_assert_ptr_nonnull(f);
  if (kind == 't') rpt_check_print(c, f);
  if (kind == 'j') rpt_check_write_junit(c, NULL, f);
  if (kind == 'g') rpt_check_github_annotations(c, "new.json", f);
  if (kind == 'm') rpt_check_markdown(c, f);
  fclose(f);
  return buf;
}

static rpt_check_t *check_with_defaults(const cJSON *report, const cJSON *baseline) {
  rpt_budget_t b;
  rpt_budget_defaults(&b);
  rpt_check_t *c = rpt_check_run(report, baseline, &b);
  ck_assert_ptr_nonnull(c);
  return c;
}

START_TEST(unchanged_report_passes) {
  cJSON *base = load(FIXTURE("base.json"));
  rpt_check_t *c = check_with_defaults(base, base);
  ck_assert_uint_eq(c->regressions, 0);
  ck_assert_uint_eq(c->grown + c->shrunk + c->added + c->removed, 0);
  /* result + 7 totals + 3 layers x 3 figures */
  ck_assert_uint_eq(c->n_rows, 1 + RPT_FIG_COUNT + 9);
  ck_assert_str_eq(c->label, "tiny-r48 layerwise on tiny-m4");
  const char *text = render(c, 't');
  ck_assert_ptr_nonnull(strstr(text, "check: PASS"));
  ck_assert_ptr_null(strstr(text, "conv0")); /* unchanged layers are not listed */
  rpt_check_free(c);
  cJSON_Delete(base);
}
END_TEST

START_TEST(cycles_growth_over_one_percent_fails_with_readable_row) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  set_number(now, "totals", "cycles", 1250101);
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 1);
  ck_assert_int_eq(row(c, "", "cycles")->verdict, RPT_VERDICT_FAIL);
  ck_assert_int_eq(row(c, "", "latency")->verdict, RPT_VERDICT_OK); /* shown, gated through cycles */
  const char *text = render(c, 't');
  ck_assert_msg(strstr(text, "1,204,332 ->") && strstr(text, "1,250,101") && strstr(text, "+45,769 (+3.8%)"), "%s",
                text);
  ck_assert_ptr_nonnull(strstr(text, "regression: cycles: grew by 45,769 (+3.80%), more than +1% allowed"));
  /* the verdict is the last line */
  const char *last = strstr(text, "check: FAIL (1 regression,");
  ck_assert_ptr_nonnull(last);
  ck_assert_str_eq(strchr(last, '\n'), "\n");
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(growth_within_the_limit_passes_with_a_warning) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  set_number(now, "totals", "cycles", 1210000); /* +0.47% */
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 0);
  ck_assert_int_eq(row(c, "", "cycles")->verdict, RPT_VERDICT_WARN);
  ck_assert_int_eq(row(c, "", "cycles")->change, RPT_CHANGE_GREW);
  ck_assert_ptr_nonnull(strstr(render(c, 'g'), "::warning file=new.json,title=mcusim check tiny-r48 layerwise on"));
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(any_growth_of_peak_sram_fails) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  set_number(now, "memory", "peak_bytes", 20001);
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 1);
  ck_assert_int_eq(row(c, "", "peak_sram")->verdict, RPT_VERDICT_FAIL);
  ck_assert_str_eq(row(c, "", "peak_sram")->limit, "+0 B");
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(improvements_are_shown_and_pass) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  set_number(now, "memory", "peak_bytes", 18000);
  set_number(now, "memory", "arena_peak_bytes", 16000);
  set_number(now, "totals", "cycles", 1100000);
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 0);
  ck_assert_uint_eq(c->shrunk, 4); /* latency follows cycles */
  const char *text = render(c, 't');
  ck_assert_msg(strstr(text, "-2,000 (-10.0%)") && strstr(text, "improved"), "%s", text);
  ck_assert_ptr_nonnull(strstr(text, "check: PASS (0 regressions, 0 grown within limits, 4 improved)"));
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(absolute_budgets_from_flags) {
  cJSON *base = load(FIXTURE("base.json"));
  rpt_budget_t b;
  char msg[256];
  rpt_budget_defaults(&b);
  ck_assert_int_eq(rpt_budget_set(&b, 'm', "peak_sram=16KiB", msg, sizeof msg), 0);
  ck_assert_int_eq(rpt_budget_set(&b, 'm', "latency=10ms", msg, sizeof msg), 0);
  ck_assert_int_eq(rpt_budget_set(&b, 'm', "flash_used=1MiB", msg, sizeof msg), 0);
  rpt_check_t *c = rpt_check_run(base, base, &b);
  ck_assert_uint_eq(c->regressions, 2); /* unchanged, but over budget */
  ck_assert_str_eq(row(c, "", "peak_sram")->why, "20,000 B is over its budget of 16 KiB");
  ck_assert_str_eq(row(c, "", "latency")->why, "12.043 ms is over its budget of 10 ms");
  ck_assert_int_eq(row(c, "", "flash_used")->verdict, RPT_VERDICT_OK);
  ck_assert_str_eq(row(c, "", "flash_used")->limit, "+1%, <= 1 MiB");
  rpt_check_free(c);
  cJSON_Delete(base);
}
END_TEST

START_TEST(budget_file_sets_limits) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  rpt_budget_t b;
  char msg[256];
  rpt_budget_defaults(&b);
  ck_assert_msg(rpt_budget_load(&b, FIXTURE("budget.json"), msg, sizeof msg) == 0, "%s", msg);
  ck_assert(b.totals[RPT_FIG_CYCLES].max_growth_pct == 5);
  ck_assert(b.totals[RPT_FIG_PEAK_SRAM].max_growth == 1024 && b.totals[RPT_FIG_PEAK_SRAM].max == 320 * 1024);
  ck_assert(b.totals[RPT_FIG_PEAK_SRAM].max_growth_pct < 0); /* an entry replaces the default growth limits */
  ck_assert(b.totals[RPT_FIG_LATENCY].max == 100);
  ck_assert(b.totals[RPT_FIG_FLASH_USED].ignore);
  ck_assert(b.layers[RPT_FIG_CYCLES].max_growth_pct == 10 && b.layers[RPT_FIG_CYCLES].max_growth == 50000);
  set_number(now, "totals", "cycles", 1250101);                               /* +3.8% < 5% */
  set_number(now, "memory", "peak_bytes", 21000);                             /* +1000 B < 1 KiB */
  set_number(now, "firmware", "flash_used_bytes", 900000);                    /* ignored */
  cJSON_SetNumberValue(cJSON_GetObjectItem(layer(now, 1), "cycles"), 432000); /* dw1 +8%, +32,000 */
  rpt_check_t *c = rpt_check_run(now, base, &b);
  ck_assert_uint_eq(c->regressions, 0);
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

/* One malformed budget file: the message names the file and the field. */
static void bad_budget(const char *text, const char *expected) {
  rpt_budget_t b;
  char msg[256] = "";
  rpt_budget_defaults(&b);
  ck_assert_int_eq(rpt_budget_parse(&b, text, "budget.json", msg, sizeof msg), -1);
  ck_assert_msg(strstr(msg, expected) != NULL, "message '%s' lacks '%s'", msg, expected);
}

START_TEST(budget_file_is_validated_strictly) {
  bad_budget("{\"figures\": {}}", "budget.json: version: missing");
  bad_budget("{\"version\": 2}", "budget.json: version: must be 1");
  bad_budget("{\"version\": 1, \"figure\": {}}", "budget.json: figure: unknown field");
  bad_budget("{\"version\": 1, \"figures\": {\"cycle\": {}}}", "budget.json: figures.cycle: unknown figure");
  bad_budget("{\"version\": 1, \"figures\": {\"cycles\": {\"max_growth_pc\": 1}}}",
             "budget.json: figures.cycles.max_growth_pc: unknown field");
  bad_budget("{\"version\": 1, \"figures\": {\"cycles\": {\"max_growth_pct\": \"2%\"}}}",
             "budget.json: figures.cycles.max_growth_pct: must be a number");
  bad_budget("{\"version\": 1, \"figures\": {\"peak_sram\": {\"max\": \"100 ms\"}}}",
             "budget.json: figures.peak_sram.max: must be a number >= 0 or a string with a unit (B, KiB or MiB)");
  bad_budget("{\"version\": 1, \"figures\": {\"latency\": {\"max\": -1}}}", "budget.json: figures.latency.max");
  bad_budget("{\"version\": 1, \"figures\": {\"cycles\": {\"ignore\": 1}}}", "figures.cycles.ignore: must be true");
  bad_budget("{\"version\": 1, \"layers\": {\"peak_sram\": {}}}", "budget.json: layers.peak_sram: unknown figure");
  bad_budget("{\"version\": 1, \"figures\": []}", "budget.json: figures must be an object");
  bad_budget("{\"version\": 1,\n \"figures\": {,}}", "budget.json:2: not valid JSON");
  bad_budget("[1]", "budget.json: a budget file is a JSON object");
}
END_TEST

START_TEST(flag_settings_are_validated) {
  rpt_budget_t b;
  char msg[256];
  rpt_budget_defaults(&b);
  ck_assert_int_eq(rpt_budget_set(&b, 'g', "cycles=2.5%", msg, sizeof msg), 0);
  ck_assert(b.totals[RPT_FIG_CYCLES].max_growth_pct == 2.5 && b.totals[RPT_FIG_CYCLES].max_growth < 0);
  ck_assert_int_eq(rpt_budget_set(&b, 'g', "stack_peak=256", msg, sizeof msg), 0);
  ck_assert(b.totals[RPT_FIG_STACK_PEAK].max_growth == 256);
  ck_assert_int_eq(rpt_budget_set(&b, 'g', "layers.cycles=none", msg, sizeof msg), 0);
  ck_assert(b.layers[RPT_FIG_CYCLES].max_growth_pct < 0 && b.layers[RPT_FIG_CYCLES].max_growth < 0);
  ck_assert_int_eq(rpt_budget_set(&b, 'g', "cycles", msg, sizeof msg), -1);
  ck_assert_ptr_nonnull(strstr(msg, "write FIGURE=VALUE"));
  ck_assert_int_eq(rpt_budget_set(&b, 'm', "sram=1", msg, sizeof msg), -1);
  ck_assert_ptr_nonnull(strstr(msg, "unknown figure 'sram'"));
  ck_assert_int_eq(rpt_budget_set(&b, 'm', "latency=3 KiB", msg, sizeof msg), -1);
  ck_assert_ptr_nonnull(strstr(msg, "not a quantity for latency (us, ms or s)"));
  ck_assert_int_eq(rpt_budget_set(&b, 'g', "layers.stack_peak=1", msg, sizeof msg), -1);
}
END_TEST

START_TEST(per_layer_rows_fail_and_become_junit_cases) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  cJSON_SetNumberValue(cJSON_GetObjectItem(layer(now, 1), "cycles"), 480000); /* dw1 +20% */
  cJSON_SetNumberValue(cJSON_GetObjectItem(layer(now, 2), "cycles"), 50000);  /* fc shrank */
  set_number(now, "totals", "cycles", 1204332 + 80000 - 10000);               /* +5.8% */
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 2);
  ck_assert_int_eq(row(c, "dw1", "cycles")->verdict, RPT_VERDICT_FAIL);
  ck_assert_int_eq(row(c, "fc", "cycles")->change, RPT_CHANGE_SHRANK);
  const char *text = render(c, 't');
  ck_assert_ptr_nonnull(strstr(text, "regression: dw1 cycles: grew by 80,000 (+20.00%)"));
  /* grown rows before shrunk rows; unchanged layer figures not listed */
  ck_assert_ptr_nonnull(strstr(text, "dw1 cycles"));
  ck_assert(strstr(text, "dw1 cycles") < strstr(text, "fc cycles"));
  ck_assert_ptr_null(strstr(text, "conv0"));
  const char *xml = render(c, 'j');
  ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"tiny-r48 layerwise on tiny-m4\" tests=\"11\" failures=\"2\""));
  ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"mcusim.check.layers\" name=\"dw1\">\n      <failure "
                                    "message=\"cycles: grew by 80,000 (+20.00%), more than +1% allowed\"/>"));
  ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"mcusim.check.totals\" name=\"peak_sram\">"));
  const char *md = render(c, 'm');
  ck_assert_ptr_nonnull(strstr(md, "### mcusim check: tiny-r48 layerwise on tiny-m4: FAIL"));
  ck_assert_ptr_nonnull(strstr(md, "| dw1 cycles | 400,000 | 480,000 | +80,000 (+20.0%) | +1% | **FAIL** |"));
  const char *gh = render(c, 'g');
  ck_assert_ptr_nonnull(strstr(gh, "::error file=new.json,title=mcusim check tiny-r48 layerwise on tiny-m4%3A dw1 "
                                   "cycles::dw1 cycles 400,000 -> 480,000 +80,000 (+20.0%25)"));
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(layers_in_one_report_only_are_added_or_removed) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  cJSON *pool = cJSON_Duplicate(layer(now, 2), 1);
  cJSON_SetValuestring(cJSON_GetObjectItem(pool, "name"), "pool");
  cJSON_AddItemToArray(cJSON_GetObjectItem(now, "layers"), pool);
  cJSON_DeleteItemFromArray(cJSON_GetObjectItem(now, "layers"), 0); /* conv0 gone */
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 0);
  ck_assert_int_eq(row(c, "pool", "cycles")->change, RPT_CHANGE_ADDED);
  ck_assert_int_eq(row(c, "conv0", "cycles")->change, RPT_CHANGE_REMOVED);
  ck_assert_int_eq(row(c, "conv0", "cycles")->verdict, RPT_VERDICT_WARN);
  const char *text = render(c, 't');
  ck_assert_ptr_nonnull(strstr(text, "added layers (1): pool\n"));
  ck_assert_ptr_nonnull(strstr(text, "removed layers (1): conv0\n"));
  ck_assert_ptr_nonnull(strstr(render(c, 'j'), "name=\"conv0\">\n      <skipped message=\"only in the baseline\"/>"));
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(repeated_layer_names_match_by_occurrence) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  cJSON_SetValuestring(cJSON_GetObjectItem(layer(base, 2), "name"), "dw1");
  cJSON_SetValuestring(cJSON_GetObjectItem(layer(now, 2), "name"), "dw1");
  cJSON_SetNumberValue(cJSON_GetObjectItem(layer(now, 2), "cycles"), 90000);
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_int_eq(row(c, "dw1", "cycles")->change, RPT_CHANGE_SAME);
  ck_assert_int_eq(row(c, "dw1/2", "cycles")->verdict, RPT_VERDICT_FAIL);
  ck_assert(row(c, "dw1/2", "cycles")->old_value == 60000);
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

/* A baseline written before the report format gained fields: they are added rows, not errors. */
START_TEST(fields_in_one_report_only_are_rows_not_errors) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  cJSON_DeleteItemFromObject(base, "layers");
  cJSON_DeleteItemFromObject(cJSON_GetObjectItem(base, "memory"), "arena_peak_bytes");
  cJSON_DeleteItemFromObject(cJSON_GetObjectItem(now, "memory"), "stack_peak_bytes");
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_uint_eq(c->regressions, 0);
  ck_assert_int_eq(row(c, "", "arena_peak")->change, RPT_CHANGE_ADDED);
  ck_assert_int_eq(row(c, "", "stack_peak")->change, RPT_CHANGE_REMOVED);
  ck_assert_uint_eq(c->added, 1 + 9);
  ck_assert_uint_eq(c->removed, 1);
  const char *text = render(c, 't');
  ck_assert_msg(strstr(text, "18,000") && strstr(text, "(added)") && strstr(text, "(removed)"), "%s", text);
  ck_assert_ptr_nonnull(strstr(text, "added layers (3): conv0, dw1, fc\n"));
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(different_profile_or_model_is_refused) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  char msg[256];
  ck_assert_int_eq(rpt_check_compatible(now, base, msg, sizeof msg), 0);
  cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetObjectItem(now, "marks"), "model"), "mbv2-w0.35-r144");
  ck_assert_int_eq(rpt_check_compatible(now, base, msg, sizeof msg), -1);
  ck_assert_str_eq(msg, "different firmware models: the report runs 'mbv2-w0.35-r144', the baseline 'tiny-r48'");
  cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetObjectItem(now, "profile"), "name"), "stm32f746");
  ck_assert_int_eq(rpt_check_compatible(now, base, msg, sizeof msg), -1);
  ck_assert_str_eq(msg, "different profiles: the report is for 'stm32f746', the baseline for 'tiny-m4'");
  /* no marks in one report: the model is not compared */
  cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetObjectItem(now, "profile"), "name"), "tiny-m4");
  cJSON_DeleteItemFromObject(base, "marks");
  ck_assert_int_eq(rpt_check_compatible(now, base, msg, sizeof msg), 0);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(a_run_that_ended_differently_fails) {
  cJSON *base = load(FIXTURE("base.json")), *now = load(FIXTURE("base.json"));
  cJSON *result = cJSON_GetObjectItem(now, "result");
  cJSON_SetValuestring(cJSON_GetObjectItem(result, "stop"), "fault");
  cJSON_ReplaceItemInObject(result, "fault", cJSON_Parse("{\"kind\": \"read_unmapped\"}"));
  set_number(now, "totals", "cycles", 1000); /* a faulted run looks fast: not an improvement to trust */
  rpt_check_t *c = check_with_defaults(now, base);
  ck_assert_int_eq(row(c, "", "result")->verdict, RPT_VERDICT_FAIL);
  ck_assert_str_eq(row(c, "", "result")->why, "the run ended differently: fault: read_unmapped, baseline exit 0");
  ck_assert_uint_eq(c->regressions, 1);
  rpt_check_free(c);
  cJSON_Delete(base);
  cJSON_Delete(now);
}
END_TEST

START_TEST(baseline_drops_bulky_fields_only) {
  cJSON *base = load(FIXTURE("base.json"));
  cJSON *slim = rpt_check_baseline_of(base);
  ck_assert_ptr_null(cJSON_GetObjectItem(slim, "timeline"));
  ck_assert_ptr_null(cJSON_GetObjectItem(slim, "allocations"));
  ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(slim, "result"), "stdout"));
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(slim, "layers"));
  rpt_check_t *c = check_with_defaults(base, slim);
  ck_assert_uint_eq(c->regressions + c->added + c->removed + c->grown + c->shrunk, 0);
  rpt_check_free(c);
  cJSON_Delete(slim);
  cJSON_Delete(base);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("check");
  TCase *tc = tcase_create("compare");
  tcase_add_test(tc, unchanged_report_passes);
  tcase_add_test(tc, cycles_growth_over_one_percent_fails_with_readable_row);
  tcase_add_test(tc, growth_within_the_limit_passes_with_a_warning);
  tcase_add_test(tc, any_growth_of_peak_sram_fails);
  tcase_add_test(tc, improvements_are_shown_and_pass);
  tcase_add_test(tc, absolute_budgets_from_flags);
  tcase_add_test(tc, budget_file_sets_limits);
  tcase_add_test(tc, budget_file_is_validated_strictly);
  tcase_add_test(tc, flag_settings_are_validated);
  tcase_add_test(tc, per_layer_rows_fail_and_become_junit_cases);
  tcase_add_test(tc, layers_in_one_report_only_are_added_or_removed);
  tcase_add_test(tc, repeated_layer_names_match_by_occurrence);
  tcase_add_test(tc, fields_in_one_report_only_are_rows_not_errors);
  tcase_add_test(tc, different_profile_or_model_is_refused);
  tcase_add_test(tc, a_run_that_ended_differently_fails);
  tcase_add_test(tc, baseline_drops_bulky_fields_only);
  suite_add_tcase(s, tc);
  return s;
}
