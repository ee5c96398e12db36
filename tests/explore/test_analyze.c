/* tests/explore/test_analyze.c — the analysis library (workloads/explore/analyze.h) on small models written here:
 * the verdict's figures against the analytic plan (gen_plan) and against the runs' own reports, the choice of the
 * patch schedule, "layer-wise only" for a model without a spatial prefix, a part the model does not fit, the HTML
 * page escaped. Builds firmware with mcusim-gen and arm-none-eabi-gcc (a few seconds per schedule). */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "reports/rpt.h"
#include "tests/support/cli_test.h"
#include "workloads/explore/analyze.h"
#include "workloads/explore/fwbuild.h"
#include "workloads/gen/gen_plan.h"

static const char *const profile_dirs[] = {PROFILES_DIR, NULL};

/* 32x32 RGB, a MobileNet-style prefix at 16x16 and 8x8: patch schedules exist, every firmware is small. */
static const char tiny_model[] =
    "{\"version\": 1, \"name\": \"tiny-analyze\", \"description\": \"analyze test model\",\n"
    " \"input\": {\"h\": 32, \"w\": 32, \"c\": 3},\n"
    " \"blocks\": [{\"type\": \"conv\", \"name\": \"stem\", \"k\": 3, \"stride\": 2, \"out\": 8},\n"
    "            {\"type\": \"dwsep\", \"name\": \"b1\", \"k\": 3, \"stride\": 1, \"out\": 16},\n"
    "            {\"type\": \"dwsep\", \"name\": \"b2\", \"k\": 3, \"stride\": 2, \"out\": 24},\n"
    "            {\"type\": \"dwsep\", \"name\": \"b3\", \"k\": 3, \"stride\": 1, \"out\": 24},\n"
    "            {\"type\": \"avgpool\", \"name\": \"pool\"}, {\"type\": \"fc\", \"name\": \"classifier\", \"out\": "
    "2}]}\n";

/* 6x6: the stem's output has 3 rows, too few for 2 x 2 patches of 2 rows. */
static const char flat_model[] =
    "{\"version\": 1, \"name\": \"flat-analyze\", \"description\": \"no spatial prefix\",\n"
    " \"input\": {\"h\": 6, \"w\": 6, \"c\": 3},\n"
    " \"blocks\": [{\"type\": \"conv\", \"name\": \"stem\", \"k\": 3, \"stride\": 2, \"out\": 8},\n"
    "            {\"type\": \"dwsep\", \"name\": \"b1\", \"k\": 3, \"stride\": 1, \"out\": 16},\n"
    "            {\"type\": \"avgpool\", \"name\": \"pool\"}, {\"type\": \"fc\", \"name\": \"classifier\", \"out\": "
    "2}]}\n";

static void write_text(const char *path, const char *text) {
  ck_assert_int_eq(xp_fw_mkdirs(WORK_DIR), 0);
  ck_assert_int_eq(cm_write_file(path, text, strlen(text)), 0);
}

/* Runs the analysis of `model_text` on `profile` in WORK_DIR/<tag>; returns the verdict. */
static cJSON *analyze(const char *tag, const char *model_text, const char *profile, char *model_path, size_t len) {
  char work[512], err[512] = "";
  snprintf(model_path, len, WORK_DIR "/%s.json", tag);
  snprintf(work, sizeof work, WORK_DIR "/%s", tag);
  write_text(model_path, model_text);
  prof_t *p = NULL;
  ck_assert_int_eq(prof_load(profile, profile_dirs, &p, err, sizeof err), PROF_OK);
  unsetenv("MCUSIM_ROOT");
  const xp_analyze_opts_t o = {.model_path = model_path,
                               .profile_arg = profile,
                               .profile = p,
                               .profile_dirs = profile_dirs,
                               .work_dir = work,
                               .parallel = 2,
                               .top = 1,
                               .inputs = 1};
  cJSON *v = NULL;
  ck_assert_msg(xp_analyze(&o, &v, err, sizeof err) == XP_ANALYZE_OK, "%s", err);
  prof_free(p);
  ck_assert_ptr_nonnull(v);
  ck_assert_str_eq(cli_str(v, "schema"), XP_ANALYZE_SCHEMA);
  return v;
}

/* The plan's layer names point into the model: each plan keeps its own model (two at most), freed at exit. */
static void plan(const char *model_path, const char *spec, gen_plan_t *out) {
  static gen_model_t models[2];
  static int used;
  ck_assert_int_lt(used, 2);
  gen_model_t *m = &models[used++];
  char err[256], name[128];
  rt_schedule_t s;
  ck_assert_int_eq(gen_model_load(model_path, m, err, sizeof err), 0);
  ck_assert_int_eq(gen_schedule_parse(m, spec, &s, name, sizeof name, err, sizeof err), 0);
  ck_assert_msg(gen_plan(m, &s, out, err, sizeof err) == 0, "%s", err);
}

/* The report the verdict's schedule came from (WORK/candidates/NNN_<schedule>/report.json). */
static cJSON *report_of(const char *tag, const char *spec) {
  char cmd[1024], safe[128];
  size_t k = 0;
  for (const char *p = spec; *p && k + 1 < sizeof safe; p++)
    if (*p != '=') safe[k++] = *p == ':' || *p == ',' ? '-' : *p;
  safe[k] = 0;
  snprintf(cmd, sizeof cmd, "ls -d " WORK_DIR "/%s/candidates/*_%s", tag, safe);
  ck_assert_int_eq(cli_sh(cmd), 0);
  cli_output[strcspn(cli_output, "\n")] = 0;
  snprintf(cmd, sizeof cmd, "%.900s/report.json", cli_output);
  return cli_read_json(cmd);
}

/* A schedule of the verdict agrees with the plan and with its run's report. */
static void check_schedule(const cJSON *s, const gen_plan_t *pl, int patched, const cJSON *rep, double sram) {
  ck_assert_str_eq(cli_str(s, "status"), "ok");
  /* the plan's live arena is the simulated arena peak to the byte (docs/compare.md) */
  ck_assert_double_eq(cli_num(s, "arena_peak_bytes"), patched ? pl->patched_peak_live_bytes : pl->peak_live_bytes);
  ck_assert_double_eq(cli_num(s, "macs"), patched ? pl->patched_macs : pl->macs);
  ck_assert_double_eq(cli_num(s, "peak_bytes"), cli_num(rep, "memory.peak_bytes"));
  ck_assert_double_eq(cli_num(s, "peak_bytes"), cli_num(s, "static_bytes") + cli_num(s, "stack_peak_bytes") +
                                                    cli_num(s, "arena_peak_bytes") + cli_num(s, "heap_bytes"));
  /* the runtime's printf allocates newlib's stdout buffer: the heap is real SRAM, counted, and reported apart */
  ck_assert_double_gt(cli_num(s, "heap_bytes"), 0);
  ck_assert_double_eq(cli_num(s, "heap_bytes"), cli_num(rep, "memory.heap_bytes"));
  ck_assert_double_eq(cli_num(s, "cycles"), cli_num(rep, "totals.cycles"));
  ck_assert_double_eq_tol(cli_num(s, "latency_ms"), cli_num(rep, "totals.latency_us") / 1000.0, 1e-9);
  ck_assert_double_eq_tol(cli_num(s, "cycles_per_mac"), cli_num(s, "cycles") / cli_num(s, "macs"), 1e-9);
  ck_assert_double_eq(cli_num(s, "flash_used_bytes"), cli_num(rep, "firmware.flash_used_bytes"));
  ck_assert(cJSON_IsTrue(cli_get(s, "fits_sram")) == (cli_num(s, "peak_bytes") <= sram));
  char sum[24];
  snprintf(sum, sizeof sum, "0x%08llx", (unsigned long long)cli_num(rep, "marks.checksum"));
  ck_assert_str_eq(cli_str(s, "checksum"), sum);
}

START_TEST(verdict_agrees_with_plan_and_runs) {
  char model[512];
  cJSON *v = analyze("tiny", tiny_model, "stm32f412", model, sizeof model);
  const double sram = cli_num(v, "profile.sram_bytes");
  ck_assert_double_eq(sram, 262144);
  static gen_plan_t lw_plan, p_plan;
  plan(model, "layerwise", &lw_plan);
  ck_assert_double_eq(cli_num(v, "model.macs"), lw_plan.macs);
  ck_assert_str_eq(cli_str(v, "plan.peak_layer"), lw_plan.layers[lw_plan.peak_live_layer].name);
  const cJSON *lw = cli_get(v, "layerwise"), *p = cli_get(v, "patch");
  ck_assert_str_eq(cli_str(lw, "schedule"), "layerwise");
  cJSON *lw_rep = report_of("tiny", "layerwise");
  check_schedule(lw, &lw_plan, 0, lw_rep, sram);
  /* the peak layer of the run is the plan's */
  ck_assert_str_eq(cli_str(lw, "peak_layer.name"), lw_plan.layers[lw_plan.peak_live_layer].name);
  ck_assert_double_eq(cli_num(lw, "peak_layer.arena_peak_bytes"), lw_plan.peak_live_bytes);
  /* a tiny model fits the F412 layer-wise: that is the answer, and layer-wise is what to deploy */
  ck_assert_str_eq(cli_str(v, "verdict"), "fits");
  ck_assert_str_eq(xp_analyze_answer(v), "fits");
  ck_assert(cJSON_IsTrue(cli_get(v, "fits")));
  ck_assert_str_eq(cli_str(v, "recommended"), "layerwise");
  ck_assert(cJSON_IsNull(cli_get(v, "patch_note")));
  /* flash: what the layer-wise firmware loads, the model blob inside it */
  ck_assert_double_eq(cli_num(v, "flash.used_bytes"), cli_num(lw_rep, "firmware.flash_used_bytes"));
  ck_assert_double_eq(cli_num(v, "flash.used_bytes"), cli_num(v, "flash.model_bytes") + cli_num(v, "flash.code_bytes"));
  ck_assert(cJSON_IsTrue(cli_get(v, "flash.fits")));
  /* the patch schedule: simulated, ok, agrees with its plan, on the front, and no fitting patch schedule of the
   * front is faster */
  ck_assert(cJSON_IsObject(p));
  ck_assert_int_ge((int)cli_num(p, "patch_n"), 2);
  plan(model, cli_str(p, "schedule"), &p_plan);
  cJSON *p_rep = report_of("tiny", cli_str(p, "schedule"));
  check_schedule(p, &p_plan, 1, p_rep, sram);
  ck_assert_double_lt(cli_num(p, "peak_bytes"), cli_num(lw, "peak_bytes"));
  const cJSON *c;
  int simulated = 0;
  cJSON_ArrayForEach(c, cli_get(v, "search.candidates")) {
    simulated++;
    ck_assert_str_eq(cli_str(c, "status"), "ok");
    if (!strcmp(cli_str(c, "schedule"), cli_str(p, "schedule"))) ck_assert(cJSON_IsTrue(cli_get(c, "on_front")));
    if (cli_num(c, "patch_n") > 0 && cli_num(c, "peak_bytes") <= sram && cJSON_IsTrue(cli_get(c, "on_front")))
      ck_assert_double_ge(cli_num(c, "cycles"), cli_num(p, "cycles"));
  }
  ck_assert_int_eq(simulated, (int)cli_num(v, "search.simulated"));
  ck_assert_int_ge(simulated, 2);
  /* overheads are the differences of the two schedules */
  ck_assert_double_eq(cli_num(v, "overheads.memory_saved_bytes"), cli_num(lw, "peak_bytes") - cli_num(p, "peak_bytes"));
  ck_assert_double_eq(cli_num(v, "overheads.macs_added"), cli_num(p, "macs") - cli_num(lw, "macs"));
  ck_assert_double_eq(cli_num(v, "overheads.macs_added"), p_plan.patched_macs - lw_plan.macs);
  ck_assert_double_eq(cli_num(v, "overheads.cycles_added"), cli_num(p, "cycles") - cli_num(lw, "cycles"));
  ck_assert_double_eq_tol(cli_num(v, "overheads.latency_added_ms"),
                          cli_num(p, "latency_ms") - cli_num(lw, "latency_ms"), 1e-9);
  /* every firmware computed the same output */
  ck_assert(cJSON_IsTrue(cli_get(v, "outputs.identical")));
  ck_assert_int_eq((int)cli_num(v, "outputs.runs"), simulated);
  ck_assert_str_eq(cli_str(v, "outputs.checksum"), cli_str(lw, "checksum"));
  ck_assert_str_eq(cli_str(p, "checksum"), cli_str(lw, "checksum"));
  /* the front starts at layer-wise (fastest) and goes down in peak SRAM */
  /* the page shows the answer and the front */
  char page[16384] = "";
  FILE *html = fmemopen(page, sizeof page - 1, "w");
  ck_assert_int_eq(xp_analyze_write_html(v, html), 0);
  fclose(html);
  ck_assert_ptr_nonnull(strstr(page, "<strong>fits</strong>: deploy <code>layerwise</code>"));
  ck_assert_ptr_nonnull(strstr(page, "<h2>Measured Pareto front</h2>"));
  const cJSON *front = cli_get(v, "search.front");
  ck_assert_int_ge(cJSON_GetArraySize(front), 1);
  ck_assert_str_eq(cli_str(cJSON_GetArrayItem(front, 0), "schedule"), "layerwise");
  cJSON_Delete(lw_rep);
  cJSON_Delete(p_rep);
  cJSON_Delete(v);
}
END_TEST

START_TEST(layerwise_only_without_a_spatial_prefix) {
  char model[512];
  cJSON *v = analyze("flat", flat_model, "stm32f412", model, sizeof model);
  ck_assert(cJSON_IsNull(cli_get(v, "patch")));
  ck_assert(cJSON_IsNull(cli_get(v, "overheads")));
  const char *note = cli_str(v, "patch_note");
  ck_assert_msg(!strncmp(note, "layer-wise only: no spatial prefix", 34), "%s", note);
  ck_assert_str_eq(cli_str(v, "verdict"), "fits");
  ck_assert_double_eq(cli_num(v, "search.simulated"), 1);
  ck_assert(cJSON_IsTrue(cli_get(v, "outputs.identical")));
  cJSON_Delete(v);
}
END_TEST

/* A part with 8 KiB of SRAM (the F412 otherwise): the firmware's static data alone is over it. */
START_TEST(does_not_fit_even_with_patches) {
  char model[512];
  cJSON *f412 = cli_read_json(PROFILES_DIR "/stm32f412.json");
  cJSON_ReplaceItemInObject(f412, "name", cJSON_CreateString("f412-8k"));
  cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(f412, "sram"), 0), "size", cJSON_CreateNumber(8192));
  char *text = cJSON_Print(f412);
  write_text(WORK_DIR "/f412-8k.json", text);
  free(text);
  cJSON_Delete(f412);
  cJSON *v = analyze("tiny8k", tiny_model, WORK_DIR "/f412-8k.json", model, sizeof model);
  ck_assert_str_eq(cli_str(v, "verdict"), "does_not_fit");
  ck_assert(!cJSON_IsTrue(cli_get(v, "fits")));
  ck_assert(cJSON_IsNull(cli_get(v, "recommended")));
  const cJSON *p = cli_get(v, "patch");
  ck_assert(cJSON_IsObject(p));
  /* the smallest simulated patch schedule, and by how much it is over */
  ck_assert_double_eq(cli_num(p, "sram_over_bytes"), cli_num(p, "peak_bytes") - 8192);
  const cJSON *c;
  cJSON_ArrayForEach(c, cli_get(v, "search.candidates")) {
    if (cli_num(c, "patch_n") > 0) ck_assert_double_ge(cli_num(c, "peak_bytes"), cli_num(p, "peak_bytes"));
  }
  ck_assert_ptr_nonnull(strstr(cli_str(v, "patch_note"), "no patch schedule fits"));
  cJSON_Delete(v);
}
END_TEST

START_TEST(html_page_escapes) {
  cJSON *v = cJSON_Parse("{\"schema\": \"mcusim-analyze/1\", \"model\": {\"name\": \"<b>&x\"}, \"verdict\": \"fits\","
                         " \"fits\": true, \"recommended\": \"layerwise\", \"profile\": {\"name\": \"p\"},"
                         " \"layerwise\": {\"schedule\": \"layerwise\", \"peak_bytes\": 1234, \"latency_ms\": 1.5},"
                         " \"patch\": null, \"patch_note\": \"layer-wise only: <none>\"}");
  char buf[8192] = "";
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  ck_assert_int_eq(xp_analyze_write_html(v, f), 0);
  fclose(f);
  ck_assert_ptr_null(strstr(buf, "<b>"));
  ck_assert_ptr_nonnull(strstr(buf, "&lt;b&gt;&amp;x"));
  ck_assert_ptr_nonnull(strstr(buf, "layer-wise only: &lt;none&gt;"));
  ck_assert_ptr_nonnull(strstr(buf, "<td>1,234 B</td>"));
  ck_assert_ptr_nonnull(strstr(buf, "</html>"));
  cJSON_Delete(v);
}
END_TEST

START_TEST(bad_model_is_bad_input) {
  char err[512] = "";
  prof_t *p = NULL;
  ck_assert_int_eq(prof_load("stm32f412", profile_dirs, &p, err, sizeof err), PROF_OK);
  const xp_analyze_opts_t o = {.model_path = WORK_DIR "/no-such-model.json",
                               .profile_arg = "stm32f412",
                               .profile = p,
                               .profile_dirs = profile_dirs,
                               .work_dir = WORK_DIR "/bad",
                               .parallel = 1};
  cJSON *v = (cJSON *)1;
  ck_assert_int_eq(xp_analyze(&o, &v, err, sizeof err), XP_ANALYZE_BAD_INPUT);
  ck_assert_ptr_null(v);
  ck_assert_ptr_nonnull(strstr(err, "no-such-model.json"));
  ck_assert_ptr_null(strchr(err, '\n'));
  prof_free(p);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("analyze");
  TCase *tc = tcase_create("analyze");
  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, html_page_escapes);
  tcase_add_test(tc, bad_model_is_bad_input);
  /* the rest builds firmware: not without the cross compiler (-DMCUSIM_FIRMWARE=OFF hosts) */
  if (system("command -v arm-none-eabi-gcc > /dev/null 2>&1") == 0) {
    tcase_add_test(tc, verdict_agrees_with_plan_and_runs);
    tcase_add_test(tc, layerwise_only_without_a_spatial_prefix);
    tcase_add_test(tc, does_not_fit_even_with_patches);
  } else
    fprintf(stderr, "arm-none-eabi-gcc not found: the analyses that build firmware are skipped\n");
  suite_add_tcase(s, tc);
  return s;
}
