/* tests/reports/test_hostile.c — the renderers on hostile but valid JSON (issue 21): every export, the text
 * summary, compare and check end, within a bound, with output that is valid for its sink. Hangs fail through
 * Check's per-test timeout (fork mode). */
#include "tests/support/check_main.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "reports/check.h"
#include "reports/compare.h"
#include "reports/export.h"
#include "reports/rpt.h"
#include "workloads/explore/sweep.h"

/* A small report; `extra` is spliced in as more top-level members (timeline, layers, ...). */
static cJSON *report_with(const char *extra) {
  char text[8192], msg[256];
  snprintf(text, sizeof text,
           "{\"schema\":\"mcusim-report/1\",\"firmware\":{\"path\":\"a.elf\"},\"profile\":{\"name\":\"p\","
           "\"clock_hz\":1000000,\"sram_bytes\":65536},\"result\":{\"stop\":\"exit\",\"exit_code\":0},"
           "\"totals\":{\"cycles\":100,\"instructions\":50},\"memory\":{\"peak_bytes\":10}%s%s}",
           extra[0] ? "," : "", extra);
  cJSON *r = rpt_parse_json(text, "test", msg, sizeof msg);
  ck_assert_msg(r != NULL, "%s", msg);
  return r;
}

static char *slurp(const char *path) {
  size_t len;
  char *text = cm_read_file(path, (size_t)64 << 20, &len);
  ck_assert_msg(text != NULL, "cannot read %s", path);
  return text;
}

/* Renders one report as format into WORK_DIR/hostile.FORMAT; returns the output (caller frees). */
static char *render_one(const cJSON *report, const char *format) {
  char out[1024], msg[512];
  snprintf(out, sizeof out, "%s/hostile.%s", EXPORT_WORK_DIR, format);
  const cJSON *reports[1] = {report};
  rpt_export_err err = rpt_export(reports, 1, format, out, msg, sizeof msg);
  ck_assert_msg(err == RPT_EXPORT_OK, "%s: %s", format, msg);
  return slurp(out);
}

static void render_all(const cJSON *report) {
  static const char *const formats[] = {"html", "perfetto", "massif", NULL};
  for (const char *const *f = formats; *f; f++) free(render_one(report, *f));
}

/* Renders a report with these layers and timeline in every format. */
static void render_timeline(const char *members) {
  cJSON *r = report_with(members);
  render_all(r);
  cJSON_Delete(r);
}

START_TEST(html_patch_empty_array) { /* F1 */
  render_timeline("\"layers\":[{\"id\":0,\"name\":\"L\"}],\"timeline\":[{\"cycle\":0,\"layer\":0,\"patch\":[]},"
                  "{\"cycle\":10,\"layer\":0,\"patch\":[1]},{\"cycle\":20}]");
}
END_TEST

START_TEST(html_layer_without_patch_key) { /* F2 */
  render_timeline("\"layers\":[{\"id\":0,\"name\":\"L\"}],\"timeline\":[{\"cycle\":0,\"layer\":0},{\"cycle\":10,"
                  "\"layer\":0},{\"cycle\":20}]");
}
END_TEST

/* F3, F30: a number read as inf (1e999 is valid JSON) is refused by the reader with one line ... */
START_TEST(reader_refuses_non_finite) {
  char msg[256];
  cJSON *r = rpt_parse_json("{\"totals\":{\"cycles\":1e999}}", "r.json", msg, sizeof msg);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(msg, "r.json") && strstr(msg, "totals.cycles") && !strchr(msg, '\n'), "%s", msg);
}
END_TEST

/* ... and a tree holding non-finite or absurd numbers anyway renders in bounded time, Perfetto as valid JSON. */
START_TEST(renderers_total_on_non_finite) {
  static const double values[] = {INFINITY, -INFINITY, NAN, 1e308, -1e308, 1e-308};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    cJSON *r = report_with("\"layers\":[{\"id\":0,\"name\":\"L\",\"arena_peak_bytes\":5}],\"timeline\":[{\"cycle\":0,"
                           "\"layer\":0,\"patch\":[0,0],\"stack_bytes\":8,\"arena_bytes\":4},{\"cycle\":10}]");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "totals"), "cycles", cJSON_CreateNumber(values[i]));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "memory"), "peak_bytes", cJSON_CreateNumber(values[i]));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "profile"), "clock_hz", cJSON_CreateNumber(values[i]));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "profile"), "sram_bytes", cJSON_CreateNumber(values[i]));
    render_all(r);
    char *trace = render_one(r, "perfetto");
    cJSON *parsed = cJSON_Parse(trace);
    ck_assert_msg(parsed != NULL && !strstr(trace, "inf") && !strstr(trace, "nan"), "value %g: %s", values[i], trace);
    cJSON_Delete(parsed);
    free(trace);
    cJSON_Delete(r);
  }
}
END_TEST

/* ---- escaping for the sink (F10, F11, F29) ---- */

/* sink, text, escaped */
static const struct {
  cm_esc_t sink;
  const char *text, *want;
} escapes[] = {
    {CM_ESC_CSV, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""}, /* F29 */
    {CM_ESC_CSV, "+1", "'+1"},
    {CM_ESC_CSV, "-1,2", "\"'-1,2\""},
    {CM_ESC_CSV, "@SUM(A1)", "'@SUM(A1)"},
    {CM_ESC_CSV, "\tx", "'\tx"},
    {CM_ESC_CSV, "a=b", "a=b"},
    {CM_ESC_LINE, "x\n::error::forged\r", "x ::error::forged "}, /* F11 */
    {CM_ESC_LINE, "::stop-commands::tok", "'::stop-commands::tok"},
    {CM_ESC_LINE, "  ::warning::x", "'  ::warning::x"},
    {CM_ESC_LINE, "conv0 a:b", "conv0 a:b"},
};

START_TEST(escape_for_sink) {
  char buf[256], small[4];
  for (size_t i = 0; i < sizeof escapes / sizeof *escapes; i++)
    ck_assert_str_eq(cm_escape_buf(escapes[i].sink, escapes[i].text, buf, sizeof buf), escapes[i].want);
  ck_assert_str_eq(cm_escape_buf(CM_ESC_HTML, "<<", small, sizeof small), "&lt");
}
END_TEST

START_TEST(csv_export_formula_prefixed) { /* F29 */
  cJSON *r = report_with("\"layers\":[{\"id\":0,\"name\":\"=cmd|' /C calc'!A0\"}]");
  char *csv = render_one(r, "csv");
  ck_assert_msg(strstr(csv, ",'=cmd|") && !strstr(csv, ",=cmd"), "%s", csv);
  free(csv);
  cJSON_Delete(r);
}
END_TEST

/* Every line the check's outputs print, looked at as GitHub Actions reads a log: none may start a command. */
static void assert_no_command_line(const char *text) {
  for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    const char *start = line + strspn(line, " \t");
    ck_assert_msg(strncmp(start, "::", 2) != 0 || !strncmp(start, "::error file=", 13) ||
                      !strncmp(start, "::warning file=", 15),
                  "a line starts a workflow command: %.80s", line);
  }
}

/* Text output captured in memory; capture_end checks no line of it starts a workflow command and returns it (caller
 * frees). */
typedef struct {
  char *text;
  size_t len;
  FILE *out;
} capture_t;

static FILE *capture_begin(capture_t *c) {
  *c = (capture_t){0};
  c->out = open_memstream(&c->text, &c->len);
  ck_assert_ptr_nonnull(c->out);
  return c->out;
}

static char *capture_end(capture_t *c) {
  fclose(c->out);
  assert_no_command_line(c->text);
  return c->text;
}

/* Ends the capture; its text must hold want. */
static void capture_expect(capture_t *c, const char *want) {
  char *text = capture_end(c);
  ck_assert_msg(strstr(text, want), "no '%s' in:\n%s", want, text);
  free(text);
}

START_TEST(check_names_cannot_forge_annotations) { /* F11 */
  const char *layers =
      "\"layers\":[{\"id\":0,\"name\":\"x\\n::error file=a::forged\",\"cycles\":10},"
      "{\"id\":1,\"name\":\"::stop-commands::tok\",\"cycles\":10},{\"id\":2,\"name\":\"ok\",\"cycles\":5}],"
      "\"marks\":{\"model\":\"m\\n::error::label\"}";
  cJSON *base = report_with(layers), *r = report_with(layers);
  cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "layers"), 2), "cycles", cJSON_CreateNumber(50));
  rpt_budget_t budget;
  rpt_budget_defaults(&budget);
  rpt_check_t *check = rpt_check_run(r, base, &budget);
  ck_assert_ptr_nonnull(check);
  capture_t cap;
  FILE *out = capture_begin(&cap);
  rpt_check_print(check, out);
  rpt_check_github_annotations(check, "r.json", out);
  rpt_check_markdown(check, out);
  capture_expect(&cap, "::error file=r.json"); /* the real annotation is there */
  rpt_check_free(check);
  cJSON_Delete(base);
  cJSON_Delete(r);
}
END_TEST

START_TEST(text_summary_names_one_line) { /* F11, the summary `mcusim run` prints */
  cJSON *r = report_with("\"layers\":[{\"id\":0,\"name\":\"x\\n::error::forged\",\"kind\":\"\\n::warning::k\","
                         "\"cycles\":10}],\"diagnostics\":[{\"kind\":\"k\",\"message\":\"m\\n::error::d\"}]");
  capture_t cap;
  rpt_print_text(r, capture_begin(&cap));
  capture_expect(&cap, "x ::error::forge");
  cJSON_Delete(r);
}
END_TEST

START_TEST(compare_names_one_line) { /* F11, `mcusim compare` */
  cJSON *r = report_with("\"layers\":[{\"id\":0,\"name\":\"::error::forged\",\"cycles\":10}],"
                         "\"marks\":{\"model\":\"m\\n::error::model\"}");
  char msg[256];
  rpt_compare_opts_t opts = {.a_name = "a\n::error::a", .b_name = "b", .allow_mismatch = 1};
  cJSON *cmp = rpt_compare(r, r, &opts, msg, sizeof msg);
  ck_assert_msg(cmp != NULL, "%s", msg);
  capture_t cap;
  rpt_compare_print(cmp, capture_begin(&cap));
  capture_expect(&cap, "'::error::forged");
  cJSON_Delete(cmp);
  cJSON_Delete(r);
}
END_TEST

/* `compare --flat` prints "path value" lines for shell scripts: a name's control characters (an ESC sequence, a
 * carriage return) and a key's spaces would break a line or forge one; they are written as \xNN, a backslash as \\. */
START_TEST(compare_flat_escapes_control_characters) {
  cJSON *doc = cJSON_Parse("{\"a b\":{\"name\":\"x\\u001b[31m\\r\\n\\\\y\\u007f\"}}");
  ck_assert_ptr_nonnull(doc);
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  rpt_json_print_flat(doc, out);
  fclose(out);
  ck_assert_str_eq(text, "a\\x20b.name x\\x1b[31m\\x0d\\n\\\\y\\x7f\n");
  free(text);
  cJSON_Delete(doc);
}
END_TEST

START_TEST(merge_html_escapes_status) { /* F10 */
  xp_sweep_row_t row = {.index = 0, .id = "j0", .status = "<script>alert(1)</script>"};
  char *html = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&html, &len);
  ck_assert_int_eq(xp_sweep_write_table(&row, 1, 1, XP_SWEEP_HTML, out), 0);
  fclose(out);
  /* the page's own script is the one of rpt_html_script (sortable tables); the status is text */
  ck_assert_msg(!strstr(html, "<script>alert") && strstr(html, "&lt;script&gt;alert"), "status not escaped");
  free(html);
}
END_TEST

/* ---- sizes from the input (F15, F16) ---- */

START_TEST(merge_jobs_total_bounded) { /* F15 */
  static const char *const bad[] = {"1e12", "-1", "2.5", "\"3\"", "1e300"};
  char text[128];
  size_t total = 7;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(text, sizeof text, "{\"schema\":\"mcusim-sweep/1\",\"jobs_total\":%s}", bad[i]);
    cJSON *m = cJSON_Parse(text);
    ck_assert_msg(xp_sweep_jobs_total(m, &total) == -1, "jobs_total %s accepted", bad[i]);
    cJSON_Delete(m);
  }
  cJSON *m = cJSON_Parse("{\"jobs_total\":12}");
  ck_assert_int_eq(xp_sweep_jobs_total(m, &total), 0);
  ck_assert_uint_eq(total, 12);
  cJSON_Delete(m);
  FILE *out = fopen("/dev/null", "w");
  ck_assert_int_eq(xp_sweep_write_table(NULL, 0, (size_t)1e12, XP_SWEEP_JSON, out), -1);
  fclose(out);
}
END_TEST

/* A report with n layers ("l<i>", every tenth named like the one before it: repeated names match by occurrence). */
static cJSON *many_layers(int n, double cycles) {
  cJSON *r = report_with(""), *layers = cJSON_AddArrayToObject(r, "layers");
  for (int i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "l%d", i % 10 == 9 ? i - 1 : i);
    cJSON *l = cJSON_CreateObject();
    cJSON_AddNumberToObject(l, "id", i);
    cJSON_AddStringToObject(l, "name", name);
    cJSON_AddNumberToObject(l, "cycles", cycles + i);
    cJSON_AddItemToArray(layers, l);
  }
  return r;
}

START_TEST(check_many_layers_fast) { /* F16: was cubic, hours for 5,000 layers */
  cJSON *base = many_layers(5000, 100), *r = many_layers(5000, 101);
  rpt_budget_t budget;
  rpt_budget_defaults(&budget);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rpt_check_t *check = rpt_check_run(r, base, &budget);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  ck_assert_ptr_nonnull(check);
  ck_assert_msg(seconds < 5, "check of 5,000 layers took %.1f s", seconds);
  size_t layer_rows = 0, grown = 0;
  for (size_t i = 0; i < check->n_rows; i++) {
    layer_rows += check->rows[i].layer[0] != 0;
    grown += check->rows[i].layer[0] && check->rows[i].change == RPT_CHANGE_GREW;
  }
  ck_assert_uint_eq(grown, 5000); /* every layer paired with its own, the repeated names by occurrence */
  ck_assert_uint_ge(layer_rows, 5000);
  rpt_check_free(check);
  cJSON_Delete(base);
  cJSON_Delete(r);
}
END_TEST

/* ---- text from firmware in the report (F22) ---- */

/* The item printed as the report prints it, parsed back. */
static char *printed(cJSON *item) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "stdout", item);
  char *text = cJSON_Print(o);
  cJSON_Delete(o);
  return text;
}

static bool valid_utf8(const char *s) {
  cJSON *item = rpt_text(s, strlen(s));
  bool same = cJSON_IsString(item) && !strcmp(item->valuestring, s);
  cJSON_Delete(item);
  return same;
}

START_TEST(report_text_valid_utf8_nul_kept) {
  static const char out[] = "ok \xc3\xa9 \xff\xfe bad \xed\xa0\x80 \xc0\xaf \x01\0after NUL\n";
  char *text = printed(rpt_text(out, sizeof out - 1));
  ck_assert_msg(
      strstr(text, "ok \xc3\xa9 \\ufffd\\ufffd bad \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd \\u0001\\u0000after NUL\\n"),
      "%s", text);
  ck_assert_msg(valid_utf8(text), "%s", text);
  cJSON *back = cJSON_Parse(text);
  ck_assert_ptr_nonnull(back);
  cJSON_Delete(back);
  free(text);
  text = printed(rpt_text("caf\xe9", 4)); /* Latin-1, no NUL: a plain string with U+FFFD */
  ck_assert_msg(strstr(text, "\"caf\xef\xbf\xbd\""), "%s", text);
  free(text);
  ck_assert(valid_utf8("plain \xe2\x82\xac \xf0\x9f\x98\x80"));
  ck_assert(!valid_utf8("\xf4\x90\x80\x80"));
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("hostile");
  TCase *tc = tcase_create("renderers");
  tcase_set_timeout(tc, 20);
  tcase_add_test(tc, html_patch_empty_array);
  tcase_add_test(tc, html_layer_without_patch_key);
  tcase_add_test(tc, reader_refuses_non_finite);
  tcase_add_test(tc, renderers_total_on_non_finite);
  tcase_add_test(tc, escape_for_sink);
  tcase_add_test(tc, csv_export_formula_prefixed);
  tcase_add_test(tc, check_names_cannot_forge_annotations);
  tcase_add_test(tc, text_summary_names_one_line);
  tcase_add_test(tc, compare_names_one_line);
  tcase_add_test(tc, merge_html_escapes_status);
  tcase_add_test(tc, merge_jobs_total_bounded);
  tcase_add_test(tc, check_many_layers_fast);
  tcase_add_test(tc, report_text_valid_utf8_nul_kept);
  tcase_add_test(tc, compare_flat_escapes_control_characters);
  suite_add_tcase(s, tc);
  return s;
}
