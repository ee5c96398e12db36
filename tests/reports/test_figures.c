/* tests/reports/test_figures.c — the one field reader (rpt_get and its typed getters: dotted paths, case-sensitive,
 * absence reported, never made into a value) and the one list of report figures (reports/figures.h): every figure is
 * where the list says in a bundled report, and check, compare and the CSV tables call each figure by the list's
 * names. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/check.h"
#include "reports/compare.h"
#include "reports/figures.h"
#include "reports/rpt.h"
#include "tests/support/check_main.h"

static const char *const tree_text = "{\"memory\": {\"peak_bytes\": 1024, \"Peak_bytes\": 7, \"fits\": true},"
                                     " \"cycles_x\": 1, \"cycles\": 2, \"name\": \"conv0\", \"none\": null,"
                                     " \"text\": \"12\", \"rows\": [1, 2, 3], \"a.b\": 5}";

static cJSON *tree(void) {
  cJSON *t = cJSON_Parse(tree_text);
  ck_assert_ptr_nonnull(t);
  return t;
}

START_TEST(get_follows_dotted_paths) {
  cJSON *t = tree();
  ck_assert(rpt_get(t, "") == t);
  ck_assert_double_eq(rpt_get(t, "memory.peak_bytes")->valuedouble, 1024);
  ck_assert_double_eq(rpt_get(t, "cycles")->valuedouble, 2); /* a key is matched whole, not as a prefix */
  ck_assert_ptr_null(rpt_get(t, "cycle"));
  ck_assert_ptr_null(rpt_get(t, "memory.peak_bytes.more")); /* a number has no fields */
  ck_assert_ptr_null(rpt_get(t, "rows.0"));                 /* nor has an array: paths are object keys only */
  ck_assert_ptr_null(rpt_get(NULL, "memory"));
  ck_assert_ptr_null(rpt_get(t, "a.b")); /* a key with a '.' is out of reach, as documented */
  cJSON_Delete(t);
}
END_TEST

START_TEST(get_is_case_sensitive) {
  cJSON *t = tree();
  ck_assert_ptr_null(rpt_get(t, "Memory.peak_bytes"));
  ck_assert_double_eq(rpt_get(t, "memory.Peak_bytes")->valuedouble, 7); /* JSON keys differ by case */
  ck_assert_ptr_null(rpt_get(t, "memory.PEAK_BYTES"));
  cJSON_Delete(t);
}
END_TEST

START_TEST(absent_is_reported_never_a_value) {
  cJSON *t = tree();
  double v = 42;
  ck_assert_int_eq(rpt_number(t, "memory.peak_bytes", &v), 0);
  ck_assert_double_eq(v, 1024);
  v = 42;
  ck_assert_int_eq(rpt_number(t, "missing", &v), -1);
  ck_assert_int_eq(rpt_number(t, "none", &v), -1);        /* null */
  ck_assert_int_eq(rpt_number(t, "text", &v), -1);        /* a string of digits is not a number */
  ck_assert_int_eq(rpt_number(t, "memory.fits", &v), -1); /* nor is a bool */
  ck_assert_double_eq(v, 42);                             /* untouched */
  ck_assert_double_eq(rpt_num_or(t, "cycles", 0), 2);
  ck_assert_double_eq(rpt_num_or(t, "missing", 0), 0);
  ck_assert(isnan(rpt_num_or(t, "name", NAN)));
  ck_assert_str_eq(rpt_str_or(t, "name", ""), "conv0");
  ck_assert_str_eq(rpt_str_or(t, "cycles", "?"), "?");
  ck_assert_ptr_null(rpt_str_or(t, "missing", NULL));
  int count = -1;
  ck_assert_ptr_nonnull(rpt_array(t, "rows", &count));
  ck_assert_int_eq(count, 3);
  ck_assert_ptr_null(rpt_array(t, "memory", &count));
  ck_assert_int_eq(count, 0);
  ck_assert_ptr_null(rpt_array(t, "missing", NULL));
  cJSON_Delete(t);
}
END_TEST

/* A report of a real run, as bundled: a patch-based model, so it has layers[] and patches[]. */
static cJSON *bundled_report(void) {
  char msg[512];
  cJSON *r = rpt_read(MCUSIM_SOURCE_DIR "/baselines/person-det-mbv1-r96_patch2.json", msg, sizeof msg);
  ck_assert_msg(r != NULL, "%s", msg);
  return r;
}

START_TEST(every_figure_is_where_the_list_says) {
  cJSON *r = bundled_report();
  const cJSON *layer = cJSON_GetArrayItem(rpt_get(r, "layers"), 0),
              *patch = cJSON_GetArrayItem(rpt_get(r, "patches"), 0);
  ck_assert_ptr_nonnull(layer);
  ck_assert_ptr_nonnull(patch);
  for (int f = 0; f < RPT_FIGURE_COUNT; f++) {
    const rpt_figure_info_t *info = rpt_figure(f);
    double v;
    if (info->path) {
      ck_assert_msg(rpt_figure_total(r, f, &v) == 0, "%s: no number at %s", info->key, info->path);
      /* the path ends in the figure's key: one name for the field wherever it is */
      const char *last = strrchr(info->path, '.');
      ck_assert_str_eq(last ? last + 1 : info->path, info->key);
      ck_assert_double_eq(rpt_figure_total_or(r, f, NAN), v);
    } else {
      ck_assert_int_eq(rpt_figure_total(r, f, &v), -1);
      ck_assert(isnan(rpt_figure_total_or(r, f, NAN))); /* no total: the caller's stand-in */
    }
    if (info->rows & RPT_ROW_LAYER) ck_assert_msg(!rpt_figure_in_row(layer, f, &v), "%s not in layers[]", info->key);
    if (info->rows & RPT_ROW_PATCH) ck_assert_msg(!rpt_figure_in_row(patch, f, &v), "%s not in patches[]", info->key);
    if (!info->rows) ck_assert_double_eq(rpt_figure_in_row_or(layer, f, -1), -1);
  }
  cJSON_Delete(r);
}
END_TEST

START_TEST(keys_are_unique_and_found) {
  for (int f = 0; f < RPT_FIGURE_COUNT; f++) {
    ck_assert_ptr_nonnull(rpt_figure(f)->label);
    ck_assert_int_eq(rpt_figure_by_key(rpt_figure(f)->key), f);
  }
  ck_assert_int_eq(rpt_figure_by_key("no_such_figure"), -1);
  ck_assert_ptr_null(rpt_figure(RPT_FIGURE_COUNT));
  ck_assert_ptr_null(rpt_figure((rpt_figure_t)-1));
}
END_TEST

START_TEST(check_maps_onto_the_list) {
  for (int c = 0; c < RPT_FIG_COUNT; c++) {
    rpt_figure_t f = rpt_fig_figure(c);
    ck_assert_ptr_nonnull(rpt_figure(f));
    ck_assert_int_eq(rpt_fig_by_name(rpt_fig_name(c)), c);
  }
  /* what the gate compares per layer is a field of layers[] rows */
  rpt_budget_t b;
  rpt_budget_defaults(&b);
  char msg[256];
  for (int c = 0; c < RPT_FIG_COUNT; c++) {
    char spec[96];
    snprintf(spec, sizeof spec, "layers.%s=5%%", rpt_fig_name(c));
    if (rpt_budget_set(&b, 'g', spec, msg, sizeof msg) == 0)
      ck_assert_msg(rpt_figure(rpt_fig_figure(c))->rows & RPT_ROW_LAYER, "%s", spec);
  }
}
END_TEST

START_TEST(compare_names_figures_by_their_keys) {
  cJSON *r = bundled_report();
  char msg[256];
  rpt_compare_opts_t opts = {"a.json", "b.json", 0, NULL};
  cJSON *cmp = rpt_compare(r, r, &opts, msg, sizeof msg);
  ck_assert_msg(cmp != NULL, "%s", msg);
  const cJSON *f;
  int n = 0;
  cJSON_ArrayForEach(f, rpt_get(cmp, "figures")) {
    int fig = rpt_figure_by_key(f->string);
    ck_assert_msg(fig >= 0, "compare figure %s is not in the list", f->string);
    double v;
    if (!rpt_figure_total(r, fig, &v)) ck_assert_double_eq(rpt_num_or(f, "a", NAN), v);
    n++;
  }
  ck_assert_int_ge(n, 7);
  cJSON_Delete(cmp);
  cJSON_Delete(r);
}
END_TEST

/* The golden CSV headers carry every row figure of the list under its key. */
static void assert_header_has(const char *golden, unsigned rows) {
  char line[1024] = "";
  FILE *f = fopen(golden, "r");
  ck_assert_ptr_nonnull(f);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  fclose(f);
  for (int fig = 0; fig < RPT_FIGURE_COUNT; fig++) {
    if (!(rpt_figure(fig)->rows & rows)) continue;
    char cell[96];
    snprintf(cell, sizeof cell, ",%s,", rpt_figure(fig)->key);
    line[strcspn(line, "\n")] = ',';
    ck_assert_msg(strstr(line, cell) != NULL, "%s: no column %s", golden, rpt_figure(fig)->key);
  }
}

START_TEST(csv_columns_are_figure_keys) {
  assert_header_has(MCUSIM_SOURCE_DIR "/tests/reports/golden/tiny_both_layers.csv", RPT_ROW_LAYER);
  assert_header_has(MCUSIM_SOURCE_DIR "/tests/reports/golden/tiny_patch2_patches.csv", RPT_ROW_PATCH);
}
END_TEST

START_TEST(amounts_print_in_their_unit) {
  char buf[48];
  rpt_format_amount(1204332, RPT_UNIT_COUNT, buf, sizeof buf);
  ck_assert_str_eq(buf, "1,204,332");
  rpt_format_amount(18432, RPT_UNIT_BYTES, buf, sizeof buf);
  ck_assert_str_eq(buf, "18,432 B");
  rpt_format_amount(12345, RPT_UNIT_US, buf, sizeof buf);
  ck_assert_str_eq(buf, "12.345 ms");
  rpt_format_amount(12.345, RPT_UNIT_MS, buf, sizeof buf);
  ck_assert_str_eq(buf, "12.345 ms");
  rpt_format_amount(NAN, RPT_UNIT_BYTES, buf, sizeof buf);
  ck_assert_str_eq(buf, "-");
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("figures");
  TCase *reader = tcase_create("field reader");
  tcase_add_test(reader, get_follows_dotted_paths);
  tcase_add_test(reader, get_is_case_sensitive);
  tcase_add_test(reader, absent_is_reported_never_a_value);
  suite_add_tcase(s, reader);
  TCase *list = tcase_create("figure list");
  tcase_add_test(list, every_figure_is_where_the_list_says);
  tcase_add_test(list, keys_are_unique_and_found);
  tcase_add_test(list, check_maps_onto_the_list);
  tcase_add_test(list, compare_names_figures_by_their_keys);
  tcase_add_test(list, csv_columns_are_figure_keys);
  tcase_add_test(list, amounts_print_in_their_unit);
  suite_add_tcase(s, list);
  return s;
}
