/* tests/reports/test_html.c — the HTML page's sections and the bugs of issue 19 (item 4), each on a small report:
 * the layer bar's tooltip shows calls, the energy card reads totals.energy_uj, the function profile and the
 * allocations live at the peak appear, a narrow first patch keeps its label; the A/B per-layer delta table,
 * sortable tables and timeline zoom are there, and the page stays one self-contained, deterministic file. */
#include "tests/support/check_main.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/export_backend.h"
#include "reports/rpt.h"
#include "workloads/explore/sweep.h"

static cJSON *fixture(const char *name) {
  char path[1024], msg[512];
  snprintf(path, sizeof path, "%s/%s", EXPORT_FIXTURE_DIR, name);
  cJSON *r = rpt_read(path, msg, sizeof msg);
  ck_assert_msg(r != NULL, "%s", msg);
  return r;
}

/* The page for reports[0..n); caller frees. */
static char *render(const cJSON *const *reports, size_t n) {
  static const char *const labels[2] = {"first", "second"};
  char msg[256];
  rpt_export_ctx_t ctx = {reports, labels, n, NULL, msg, sizeof msg};
  rpt_buf_t out = {0};
  ck_assert_int_eq(rpt_export_html.render(&ctx, &out), RPT_EXPORT_OK);
  ck_assert(!out.failed && out.data);
  return out.data;
}

static char *render_one(const cJSON *r) { return render(&r, 1); }

static void has(const char *page, const char *what) {
  ck_assert_msg(strstr(page, what) != NULL, "the page lacks: %s", what);
}

/* The tooltip of a layer's bar: "N calls" is the layer's calls, not its arena peak (tiny_patch2: conv0 ran in 4
 * patches, arena peak 10,092 B). */
START_TEST(bar_tooltip_shows_calls) {
  cJSON *r = fixture("tiny_patch2.json");
  char *page = render_one(r);
  has(page, "arena peak 10,092 B (9.9 KiB), at entry 6,636 B\n410,572 MACs, 4 calls</title>");
  ck_assert_ptr_null(strstr(page, "10,092 calls"));
  free(page);
  cJSON_Delete(r);
}
END_TEST

/* The report writes energy at totals.energy_uj (docs/report.md); the card was looking for energy.total_uj. */
START_TEST(energy_card_reads_totals) {
  cJSON *r = fixture("tiny_patch2.json");
  char *page = render_one(r);
  ck_assert_ptr_null(strstr(page, ">energy<"));
  free(page);
  cJSON_AddNumberToObject(cJSON_GetObjectItem(r, "totals"), "energy_uj", 123.456);
  page = render_one(r);
  has(page, "<div class=\"k\">energy</div><div class=\"v\">123.5 &micro;J</div>");
  free(page);
  cJSON_Delete(r);
}
END_TEST

static const char functions_json[] =
    "[{\"name\":\"rt_conv\",\"address\":\"0x08001000\",\"calls\":4,\"instructions\":900,\"cycles\":300000,"
    "\"inclusive_instructions\":900,\"inclusive_cycles\":300000},"
    "{\"name\":\"main\",\"address\":\"0x08000100\",\"calls\":1,\"instructions\":90,\"cycles\":1000,"
    "\"inclusive_instructions\":990,\"inclusive_cycles\":500000}]";
static const char lines_json[] =
    "[{\"file\":\"/src/rt_conv.c\",\"line\":42,\"function\":\"rt_conv\",\"instructions\":400,\"cycles\":200000}]";

/* A report with functions[] and lines[] shows them; one without has no such section. */
START_TEST(function_profile_appears) {
  cJSON *r = fixture("tiny_patch2.json");
  char *page = render_one(r);
  ck_assert_ptr_null(strstr(page, "Function profile"));
  free(page);
  cJSON_AddItemToObject(r, "functions", cJSON_Parse(functions_json));
  cJSON_AddItemToObject(r, "lines", cJSON_Parse(lines_json));
  page = render_one(r);
  has(page, "<h2 id=\"functions\">Function profile</h2>");
  has(page, ">rt_conv</td>");
  has(page, ">300,000</td>");
  has(page, "rt_conv.c:42");
  free(page);
  cJSON_Delete(r);
}
END_TEST

/* The allocations live at the arena peak: those allocated at or before the peak sample and freed after it. */
START_TEST(allocations_live_at_peak) {
  cJSON *r = fixture("tiny_patch2.json");
  const cJSON *s, *peak = NULL;
  cJSON_ArrayForEach(s, cJSON_GetObjectItem(r, "timeline")) if (!peak || rpt_num_or(s, "arena_bytes", 0) >
                                                                             rpt_num_or(peak, "arena_bytes", 0)) peak =
      s;
  double at = rpt_num_or(peak, "cycle", 0);
  char text[1024];
  snprintf(text, sizeof text,
           "[{\"tag\":\"early\",\"address\":\"0x20000000\",\"size\":100,\"alloc_cycle\":1,\"free_cycle\":2,"
           "\"layer\":null},{\"tag\":\"live_a\",\"address\":\"0x20000100\",\"size\":4608,\"alloc_cycle\":%.0f,"
           "\"free_cycle\":null,\"layer\":0},{\"tag\":\"live_b\",\"address\":\"0x20001300\",\"size\":5484,"
           "\"alloc_cycle\":%.0f,\"free_cycle\":%.0f,\"layer\":1},{\"tag\":\"late\",\"address\":\"0x20003000\","
           "\"size\":8,\"alloc_cycle\":%.0f,\"free_cycle\":null,\"layer\":null}]",
           at - 10, at, at + 5, at + 1);
  cJSON_ReplaceItemInObject(r, "allocations", cJSON_Parse(text));
  char *page = render_one(r);
  has(page, "Allocations live at the arena peak");
  has(page, ">live_a</td>");
  has(page, ">live_b</td>");
  ck_assert_ptr_null(strstr(page, ">early</td>"));
  ck_assert_ptr_null(strstr(page, ">late</td>"));
  has(page, "10,092 B in 2 allocations"); /* 4,608 + 5,484: the sample's arena bytes */
  free(page);
  cJSON_Delete(r);
}
END_TEST

/* A first patch of 7% of the run (64 of the plot's 908 units, as VWW's patch:n=3 border patch) keeps its label:
 * the width estimate had been 7 units per character, so "patch 0.0" needed 69. */
START_TEST(first_patch_label) {
  cJSON *r = fixture("tiny_patch2.json");
  cJSON *t = cJSON_Parse("[{\"cycle\":0,\"instruction\":0,\"arena_bytes\":0,\"stack_bytes\":0,\"layer\":null,"
                         "\"patch\":[0,0]},{\"cycle\":700,\"instruction\":0,\"arena_bytes\":10,\"stack_bytes\":8,"
                         "\"layer\":null,\"patch\":[0,1]},{\"cycle\":10000,\"instruction\":0,\"arena_bytes\":0,"
                         "\"stack_bytes\":0,\"layer\":null,\"patch\":null}]");
  cJSON_ReplaceItemInObject(r, "timeline", t);
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "totals"), "cycles", cJSON_CreateNumber(10000));
  char *page = render_one(r);
  has(page, "pointer-events=\"none\">patch 0.0</text>");
  has(page, "pointer-events=\"none\">patch 0.1</text>");
  free(page);
  cJSON_Delete(r);
}
END_TEST

/* Two reports: an A/B table per layer (bloat-o-meter's old new delta) matched by layer id. */
START_TEST(ab_delta_table) {
  const cJSON *reports[2] = {fixture("tiny_layerwise.json"), fixture("tiny_patch2.json")};
  char *page = render(reports, 2);
  has(page, "<h2 id=\"delta\">Per-layer delta</h2>");
  /* conv0: arena peak 13,824 -> 10,092 B (-3,732), cycles rise with the patches' halo */
  has(page, "<td>13,824</td><td>10,092</td><td class=\"dn\" data-v=\"-3732\">&minus;3,732</td>");
  free(page);
  char *one = render(reports, 1);
  ck_assert_ptr_null(strstr(one, "Per-layer delta"));
  free(one);
  for (int i = 0; i < 2; i++) cJSON_Delete((cJSON *)reports[i]);
}
END_TEST

/* Tables sort on a click, the timeline zooms: both by inline script; nothing is loaded from anywhere. */
START_TEST(sortable_zoom_self_contained) {
  cJSON *r = fixture("tiny_patch2.json");
  char *page = render_one(r);
  has(page, "<table class=\"layers sortable\"");
  has(page, "<script>");
  has(page, "class=\"zoom\"");
  has(page, "data-max-cycles=");
  ck_assert_ptr_null(strstr(page, " src="));
  ck_assert_ptr_null(strstr(page, "<link"));
  ck_assert_ptr_null(strstr(page, "url("));
  ck_assert_ptr_null(strstr(page, "@import"));
  ck_assert_ptr_null(strstr(page, "fetch("));
  char *again = render_one(r);
  ck_assert_str_eq(page, again); /* deterministic */
  free(again);
  free(page);
  cJSON_Delete(r);
}
END_TEST

/* Per-layer parameters, weights and flash appear when the rows carry them (weight_bytes, params). */
START_TEST(layer_weights_columns) {
  cJSON *r = fixture("tiny_patch2.json");
  char *page = render_one(r);
  ck_assert_ptr_null(strstr(page, "<th>weights (B)</th>"));
  free(page);
  const cJSON *row;
  cJSON_ArrayForEach(row, cJSON_GetObjectItem(r, "layers")) {
    cJSON_AddNumberToObject((cJSON *)row, "params", 432);
    cJSON_AddNumberToObject((cJSON *)row, "weight_bytes", 496);
  }
  page = render_one(r);
  has(page, "<th>params</th>");
  has(page, "<th>weights (B)</th>");
  has(page, "<td>496</td>");
  free(page);
  cJSON_Delete(r);
}
END_TEST

/* `mcusim merge --format html` had an unstyled table: the same stylesheet and sortable script as the report, grouped
 * numbers, the overflowing row marked. */
START_TEST(merge_page_styled) {
  xp_sweep_row_t rows[2] = {{.index = 0, .id = "0000_a", .status = "ok", .has_figures = 1},
                            {.index = 1, .id = "0001_b", .status = "ok", .has_figures = 1}};
  snprintf(rows[0].fig.model, sizeof rows[0].fig.model, "vww");
  snprintf(rows[1].fig.model, sizeof rows[1].fig.model, "vww<b>");
  rows[0].fig.fits = 1;
  rows[0].fig.value[RPT_FIGURE_PEAK] = 163712;
  rows[1].fig.value[RPT_FIGURE_PEAK] = 400000;
  rows[1].fig.value[RPT_FIGURE_CYCLES] = 122813539;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  ck_assert_int_eq(xp_sweep_write_table(rows, 2, 3, XP_SWEEP_HTML, out), 0);
  fclose(out);
  has(text, rpt_html_style());
  has(text, rpt_html_script());
  has(text, "<table class=\"sweep sortable\">");
  has(text, "2 of 3 jobs merged");
  has(text, ">163,712</td>");
  has(text, ">122,813,539</td>");
  has(text, "<tr class=\"over\">");
  has(text, "vww&lt;b&gt;");
  ck_assert_ptr_null(strstr(text, " src="));
  free(text);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("html");
  TCase *tc = tcase_create("html");
  tcase_add_test(tc, bar_tooltip_shows_calls);
  tcase_add_test(tc, energy_card_reads_totals);
  tcase_add_test(tc, function_profile_appears);
  tcase_add_test(tc, allocations_live_at_peak);
  tcase_add_test(tc, first_patch_label);
  tcase_add_test(tc, ab_delta_table);
  tcase_add_test(tc, sortable_zoom_self_contained);
  tcase_add_test(tc, layer_weights_columns);
  tcase_add_test(tc, merge_page_styled);
  suite_add_tcase(s, tc);
  return s;
}
