/* tests/reports/test_hostile.c — the renderers on hostile but valid JSON (issue 21): every export, the text
 * summary, compare and check end, within a bound, with output that is valid for its sink. Hangs fail through
 * Check's per-test timeout (fork mode). */
#include "tests/support/check_main.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/export.h"
#include "reports/rpt.h"

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

Suite *test_suite(void) {
  Suite *s = suite_create("hostile");
  TCase *tc = tcase_create("renderers");
  tcase_set_timeout(tc, 20);
  tcase_add_test(tc, html_patch_empty_array);
  tcase_add_test(tc, html_layer_without_patch_key);
  tcase_add_test(tc, reader_refuses_non_finite);
  tcase_add_test(tc, renderers_total_on_non_finite);
  suite_add_tcase(s, tc);
  return s;
}
