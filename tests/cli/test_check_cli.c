/* tests/cli/test_check_cli.c — `mcusim check` end to end, the way CI runs it: exit codes and messages on
 * hand-written reports (check/base.json and variants), --update-baseline, JUnit and GitHub outputs; the gate on
 * real firmware built with a deliberate slow-down and an extra allocation; byte-identical reports of repeated
 * runs (what committed baselines rely on). */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

/* Runs `ENV mcusim ARGS` with stdout and stderr captured into cli_output; returns the exit code. */
static int mcusim_env(const char *env, const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s %s %s", env, MCUSIM_BIN, args);
  return cli_sh(cmd);
}

static int mcusim(const char *args) { return mcusim_env("env -u GITHUB_ACTIONS", args); }

static void spit(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

#define FIXTURE(name) CHECK_FIXTURE_DIR "/" name
#define WORK(name) WORK_DIR "/check_" name
#define BASE FIXTURE("base.json")

/* Writes a copy of base.json with one number changed (object.key = value) or one string (text). */
static void variant(const char *path, const char *object, const char *key, double value, const char *text) {
  char *json = cli_slurp(BASE);
  cJSON *r = cJSON_Parse(json);
  cJSON *item = cJSON_GetObjectItem(cJSON_GetObjectItem(r, object), key);
  ck_assert_ptr_nonnull(item);
  if (text)
    cJSON_SetValuestring(item, text);
  else
    cJSON_SetNumberValue(item, value);
  char *out = cJSON_Print(r);
  spit(path, out);
  free(out);
  free(json);
  cJSON_Delete(r);
}

static void expect_output(const char *needle) {
  ck_assert_msg(strstr(cli_output, needle), "no '%s' in:\n%s", needle, cli_output);
}

START_TEST(fixture_pass_and_regression_exit_codes) {
  ck_assert_int_eq(mcusim("check " BASE " --baseline " BASE), 0);
  expect_output("check: PASS");
  variant(WORK("slow.json"), "totals", "cycles", 1250101, NULL);
  ck_assert_int_eq(mcusim("check " WORK("slow.json") " -b " BASE), 1);
  expect_output("1,204,332 ->       1,250,101");
  expect_output("+45,769 (+3.8%)");
  expect_output("check: FAIL (1 regression,");
  /* a flag loosens the limit */
  ck_assert_int_eq(mcusim("check " WORK("slow.json") " -b " BASE " --max-growth cycles=5%"), 0);
  /* the budget file shipped as an example in docs/ci-examples is valid */
  ck_assert_int_eq(
      mcusim("check " BASE " -b " BASE " --budget " CHECK_FIXTURE_DIR "/../../../docs/ci-examples/budget.json"), 0);
  /* an absolute budget tightens it */
  ck_assert_int_eq(mcusim("check " BASE " -b " BASE " --max peak_sram=16KiB"), 1);
  expect_output("regression: peak_sram: 20,000 B is over its budget of 16 KiB");
}
END_TEST

START_TEST(malformed_inputs_are_bad_input_with_the_file_named) {
  spit(WORK("garbage.json"), "{\n  \"schema\": \"mcusim-report/1\",\n  oops\n}\n");
  ck_assert_int_eq(mcusim("check " WORK("garbage.json") " -b " BASE), 2);
  expect_output("check_garbage.json:3: not valid JSON");
  spit(WORK("other.json"), "{\"schema\": \"something-else/1\"}");
  ck_assert_int_eq(mcusim("check " BASE " -b " WORK("other.json")), 2);
  expect_output("check_other.json: not an mcusim report");
  ck_assert_int_eq(mcusim("check " BASE " -b " WORK("missing.json")), 2);
  expect_output("check_missing.json: cannot read the report: No such file or directory");
  spit(WORK("budget.json"), "{\"version\": 1, \"figures\": {\"peak_sram\": {\"max\": \"fast\"}}}");
  ck_assert_int_eq(mcusim("check " BASE " -b " BASE " --budget " WORK("budget.json")), 2);
  expect_output("check_budget.json: figures.peak_sram.max: must be a number >= 0 or a string with a unit");
  ck_assert_int_eq(mcusim("check " BASE " -b " BASE " --max-growth cycles"), 2);
  expect_output("--max-growth 'cycles': write FIGURE=VALUE");
  ck_assert_int_eq(mcusim("check " BASE), 2);
  expect_output("--baseline is required");
}
END_TEST

START_TEST(different_profile_or_model_refused_unless_allowed) {
  variant(WORK("f746.json"), "profile", "name", 0, "stm32f746");
  ck_assert_int_eq(mcusim("check " WORK("f746.json") " -b " BASE), 2);
  expect_output("different profiles: the report is for 'stm32f746', the baseline for 'tiny-m4' (--allow-mismatch");
  variant(WORK("model.json"), "marks", "model", 0, "vww");
  ck_assert_int_eq(mcusim("check " WORK("model.json") " -b " BASE), 2);
  expect_output("different firmware models: the report runs 'vww', the baseline 'tiny-r48'");
  ck_assert_int_eq(mcusim("check " WORK("model.json") " -b " BASE " --allow-mismatch"), 0);
  expect_output("warning: different firmware models");
}
END_TEST

START_TEST(update_baseline_rewrites_it_slim) {
  remove(WORK("new_base.json"));
  ck_assert_int_eq(mcusim("check " BASE " -b " WORK("new_base.json") " --update-baseline"), 0);
  expect_output("baseline updated: " WORK("new_base.json"));
  char *text = cli_slurp(WORK("new_base.json"));
  ck_assert_ptr_nonnull(text);
  ck_assert_ptr_null(strstr(text, "\"timeline\""));
  ck_assert_ptr_nonnull(strstr(text, "\"layers\""));
  free(text);
  variant(WORK("slow.json"), "totals", "cycles", 1250101, NULL);
  ck_assert_int_eq(mcusim("check " WORK("slow.json") " -b " WORK("new_base.json")), 1);
  /* deliberate: the regression is shown, the baseline takes the new figures, the next check passes */
  ck_assert_int_eq(mcusim("check " WORK("slow.json") " -b " WORK("new_base.json") " --update-baseline"), 0);
  expect_output("regression: cycles");
  ck_assert_int_eq(mcusim("check " WORK("slow.json") " -b " WORK("new_base.json")), 0);
}
END_TEST

START_TEST(junit_and_github_outputs) {
  variant(WORK("slow.json"), "totals", "cycles", 1250101, NULL);
  remove(WORK("summary.md"));
  int rc = mcusim_env("GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=" WORK("summary.md"),
                      "check " WORK("slow.json") " -b " BASE " --junit " WORK("junit.xml"));
  ck_assert_int_eq(rc, 1);
  expect_output("::error file=" WORK("slow.json") ",title=mcusim check tiny-r48 layerwise on tiny-m4%3A cycles::");
  char *xml = cli_slurp(WORK("junit.xml")), *md = cli_slurp(WORK("summary.md"));
  ck_assert_ptr_nonnull(xml);
  ck_assert_ptr_nonnull(strstr(xml, "tests=\"11\" failures=\"1\"")); /* result, 7 totals, 3 layers */
  ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"mcusim.check.layers\" name=\"conv0\">"));
  ck_assert_ptr_nonnull(md);
  ck_assert_ptr_nonnull(strstr(md, "| cycles | 1,204,332 | 1,250,101 | +45,769 (+3.8%) | +1% | **FAIL** |"));
  free(xml);
  free(md);
  /* bad input is annotated too */
  rc = mcusim_env("GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=/dev/null", "check " WORK("nothing.json") " -b " BASE);
  ck_assert_int_eq(rc, 2);
  expect_output("::error file=" WORK("nothing.json") ",title=mcusim check::");
}
END_TEST

/* ---- on real firmware ---- */

static void run_firmware(const char *name, const char *out) {
  char args[1024];
  snprintf(args, sizeof args, "run -q -p cortex-m4-0ws -r %s %s/%s.elf", out, FIRMWARE_DIR, name);
  ck_assert_msg(mcusim(args) == 0, "%s", cli_output);
}

static int has_layers(const char *path) {
  char *text = cli_slurp(path);
  int yes = text && strstr(text, "\"layers\"") != NULL;
  free(text);
  return yes;
}

START_TEST(gate_on_firmware_built_three_ways) {
  run_firmware("check_target", WORK("fw_base.json"));
  run_firmware("check_target", WORK("fw_again.json"));
  run_firmware("check_target_slow", WORK("fw_slow.json"));
  run_firmware("check_target_alloc", WORK("fw_alloc.json"));
  /* unchanged firmware passes */
  ck_assert_msg(mcusim("check " WORK("fw_again.json") " -b " WORK("fw_base.json")) == 0, "%s", cli_output);
  expect_output("grow/shrink: 0/0 added/removed: 0/0");
  /* the slow-down: cycles fail, memory does not */
  ck_assert_msg(mcusim("check " WORK("fw_slow.json") " -b " WORK("fw_base.json")) == 1, "%s", cli_output);
  expect_output("regression: cycles: grew by");
  expect_output("regression: instructions: grew by");
  ck_assert_msg(!strstr(cli_output, "regression: peak_sram") && !strstr(cli_output, "regression: arena_peak"), "%s",
                cli_output);
  if (has_layers(WORK("fw_slow.json"))) {
    expect_output("regression: fc cycles: grew by");
    ck_assert_msg(!strstr(cli_output, "regression: conv0 cycles"), "%s", cli_output);
  }
  /* the extra allocation: arena and peak SRAM fail by exactly 1 KiB, cycles stay within 1% */
  ck_assert_msg(mcusim("check " WORK("fw_alloc.json") " -b " WORK("fw_base.json")) == 1, "%s", cli_output);
  expect_output("regression: peak_sram: grew by 1,024 B");
  expect_output("regression: arena_peak: grew by 1,024 B");
  ck_assert_msg(!strstr(cli_output, "regression: cycles"), "%s", cli_output);
  if (has_layers(WORK("fw_alloc.json"))) expect_output("regression: conv0 arena_peak: grew by 1,024 B");
}
END_TEST

/* Committed baselines rely on this: the same firmware and profile give byte-identical reports. */
static void expect_identical_runs(const char *elf, const char *profile, const char *a, const char *b) {
  char args[1024];
  for (int i = 0; i < 2; i++) {
    snprintf(args, sizeof args, "run -q -p %s -r %s %s", profile, i ? b : a, elf);
    ck_assert_msg(mcusim(args) == 0, "%s", cli_output);
  }
  char *x = cli_slurp(a), *y = cli_slurp(b);
  ck_assert_ptr_nonnull(x);
  ck_assert_ptr_nonnull(y);
  ck_assert_msg(!strcmp(x, y), "%s and %s differ", a, b);
  free(x);
  free(y);
}

START_TEST(reports_are_byte_identical_across_runs) {
  expect_identical_runs(FIRMWARE_DIR "/check_target_alloc.elf", "cortex-m4-0ws", WORK("det_a.json"),
                        WORK("det_b.json"));
  expect_identical_runs(WORKLOAD_DIR "/person-det-mbv1-r96_patch2.elf", "stm32f412", WORK("det_pd_a.json"),
                        WORK("det_pd_b.json"));
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("check_cli");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, fixture_pass_and_regression_exit_codes);
  tcase_add_test(tc, malformed_inputs_are_bad_input_with_the_file_named);
  tcase_add_test(tc, different_profile_or_model_refused_unless_allowed);
  tcase_add_test(tc, update_baseline_rewrites_it_slim);
  tcase_add_test(tc, junit_and_github_outputs);
  tcase_add_test(tc, gate_on_firmware_built_three_ways);
  tcase_add_test(tc, reports_are_byte_identical_across_runs);
  suite_add_tcase(s, tc);
  return s;
}
