/* tests/reports/test_export.c — the export formats on the small fixture reports (fixtures/, made by
 * make_fixtures.py): byte-exact golden files (MCUSIM_UPDATE_GOLDEN=1 rewrites them), the trace event format's
 * required fields, the massif peak, and the errors a user can cause. */
#include "tests/support/check_main.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/export.h"
#include "reports/rpt.h"

static cJSON *fixture(const char *name) {
  char path[1024], msg[512];
  snprintf(path, sizeof path, "%s/%s", EXPORT_FIXTURE_DIR, name);
  cJSON *r = rpt_read(path, msg, sizeof msg);
  ck_assert_msg(r != NULL, "%s", msg);
  return r;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = calloc(1, (size_t)n + 1);
  if (fread(text, 1, (size_t)n, f) != (size_t)n) text[0] = '\0';
  fclose(f);
  return text;
}

/* Renders fixtures into WORK_DIR/golden_NAME and compares with golden/NAME. */
static void check_golden(const char *golden, const char *format, const char *table, const char *a, const char *b) {
  const cJSON *reports[2] = {fixture(a), b ? fixture(b) : NULL};
  char out[1024], want_path[1024], msg[512];
  snprintf(out, sizeof out, "%s/golden_%s", EXPORT_WORK_DIR, golden);
  snprintf(want_path, sizeof want_path, "%s/%s", EXPORT_GOLDEN_DIR, golden);
  rpt_export_opts_t opts = {.table = table};
  if (getenv("MCUSIM_UPDATE_GOLDEN")) snprintf(out, sizeof out, "%s", want_path);
  rpt_export_err err = rpt_export_with(reports, b ? 2 : 1, format, out, &opts, msg, sizeof msg);
  ck_assert_msg(err == RPT_EXPORT_OK, "%s", msg);
  char *got = slurp(out), *want = slurp(want_path);
  ck_assert_msg(want != NULL, "missing %s (MCUSIM_UPDATE_GOLDEN=1 writes it)", want_path);
  ck_assert_msg(!strcmp(got, want), "%s differs from %s (MCUSIM_UPDATE_GOLDEN=1 rewrites it after review)", out,
                want_path);
  free(got);
  free(want);
  for (int i = 0; i < 2; i++) cJSON_Delete((cJSON *)reports[i]);
}

START_TEST(golden_html_two) { check_golden("tiny_both.html", "html", NULL, "tiny_layerwise.json", "tiny_patch2.json"); }
END_TEST
START_TEST(golden_html_one) { check_golden("tiny_patch2.html", "html", NULL, "tiny_patch2.json", NULL); }
END_TEST
START_TEST(golden_perfetto) {
  check_golden("tiny_both.trace.json", "perfetto", NULL, "tiny_layerwise.json", "tiny_patch2.json");
}
END_TEST
START_TEST(golden_massif) { check_golden("tiny_patch2.massif", "massif", NULL, "tiny_patch2.json", NULL); }
END_TEST
START_TEST(golden_csv_layers) {
  check_golden("tiny_both_layers.csv", "csv", NULL, "tiny_layerwise.json", "tiny_patch2.json");
}
END_TEST
START_TEST(golden_csv_patches) { check_golden("tiny_patch2_patches.csv", "csv", "patches", "tiny_patch2.json", NULL); }
END_TEST

/* Renders to memory through a file in WORK_DIR; caller frees. */
static char *render(const cJSON *const *reports, size_t n, const char *format, const char *name) {
  char out[1024], msg[512];
  snprintf(out, sizeof out, "%s/%s", EXPORT_WORK_DIR, name);
  ck_assert_msg(rpt_export(reports, n, format, out, msg, sizeof msg) == RPT_EXPORT_OK, "%s", msg);
  return slurp(out);
}

static void check_event(const cJSON *ev, int *slices, int *counters) {
  static const char *const required[] = {"name", "ph", "ts", "pid", "tid", NULL};
  for (const char *const *k = required; *k; k++) ck_assert_msg(cJSON_HasObjectItem(ev, *k), "event without %s", *k);
  ck_assert(cJSON_IsString(cJSON_GetObjectItem(ev, "name")) && cJSON_IsNumber(cJSON_GetObjectItem(ev, "ts")));
  const char *ph = cJSON_GetObjectItem(ev, "ph")->valuestring;
  ck_assert_msg(!strcmp(ph, "X") || !strcmp(ph, "C") || !strcmp(ph, "M"), "unexpected ph %s", ph);
  if (!strcmp(ph, "X")) {
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(ev, "dur")) && cJSON_GetObjectItem(ev, "dur")->valuedouble >= 0);
    slices[cJSON_GetObjectItem(ev, "pid")->valueint * 4 + cJSON_GetObjectItem(ev, "tid")->valueint]++;
  }
  if (!strcmp(ph, "C") || !strcmp(ph, "M")) ck_assert(cJSON_IsObject(cJSON_GetObjectItem(ev, "args")));
  if (!strcmp(ph, "C")) {
    const cJSON *args = cJSON_GetObjectItem(ev, "args");
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(args, "static")) &&
              cJSON_IsNumber(cJSON_GetObjectItem(args, "stack")) && cJSON_IsNumber(cJSON_GetObjectItem(args, "arena")));
    (*counters)++;
  }
}

/* Trace event format: every event has name, ph, ts, pid, tid; X has dur; C has args. Slices per track. */
START_TEST(perfetto_fields) {
  const cJSON *reports[2] = {fixture("tiny_layerwise.json"), fixture("tiny_patch2.json")};
  char *text = render(reports, 2, "perfetto", "fields.trace.json");
  cJSON *trace = cJSON_Parse(text);
  ck_assert_msg(trace != NULL, "not JSON");
  const cJSON *events = cJSON_GetObjectItem(trace, "traceEvents"), *ev;
  ck_assert(cJSON_IsArray(events));
  int slices[12] = {0}, counters = 0;
  cJSON_ArrayForEach(ev, events) check_event(ev, slices, &counters);
  ck_assert_int_eq(slices[1 * 4 + 1], 8);                     /* layer-wise: one slice per layer */
  ck_assert_int_eq(slices[2 * 4 + 1], 4 * 3 + 5);             /* patch-based: 3 layers in each of 4 patches, then 5 */
  ck_assert_int_eq(slices[2 * 4 + 2], 4);                     /* 2x2 patches */
  ck_assert_int_eq(slices[1 * 4 + 3] + slices[2 * 4 + 3], 2); /* the run, per report */
  ck_assert_int_gt(counters, 20);
  cJSON_Delete(trace);
  free(text);
  for (int i = 0; i < 2; i++) cJSON_Delete((cJSON *)reports[i]);
}
END_TEST

/* The snapshot marked peak holds the largest arena + stack of the timeline; heap is the arena then. */
START_TEST(massif_peak) {
  const cJSON *r = fixture("tiny_patch2.json");
  double best = 0, best_arena = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, cJSON_GetObjectItem(r, "timeline")) {
    double total =
        cJSON_GetObjectItem(s, "arena_bytes")->valuedouble + cJSON_GetObjectItem(s, "stack_bytes")->valuedouble;
    if (total > best) best = total, best_arena = cJSON_GetObjectItem(s, "arena_bytes")->valuedouble;
  }
  char *text = render(&r, 1, "massif", "peak.massif");
  char *peak = strstr(text, "heap_tree=peak");
  ck_assert(peak != NULL);
  char *snap = peak;
  while (snap > text && strncmp(snap, "mem_heap_B=", 11)) snap--;
  double heap = strtod(snap + 11, NULL);
  double stacks = strtod(strstr(snap, "mem_stacks_B=") + 13, NULL);
  ck_assert_double_eq(heap + stacks, best);
  ck_assert_double_eq(heap, best_arena);
  ck_assert_double_eq(heap, cJSON_GetObjectItem(cJSON_GetObjectItem(r, "memory"), "arena_peak_bytes")->valuedouble);
  free(text);
  cJSON_Delete((cJSON *)r);
}
END_TEST

START_TEST(errors) {
  const cJSON *reports[2] = {fixture("tiny_layerwise.json"), fixture("tiny_patch2.json")};
  char out[1024], msg[512];
  snprintf(out, sizeof out, "%s/never", EXPORT_WORK_DIR);
  ck_assert_int_eq(rpt_export(reports, 2, "pdf", out, msg, sizeof msg), RPT_EXPORT_E_USAGE);
  ck_assert_ptr_nonnull(strstr(msg, "unknown format 'pdf'"));
  ck_assert_int_eq(rpt_export(reports, 2, "massif", out, msg, sizeof msg), RPT_EXPORT_E_USAGE);
  ck_assert_int_eq(rpt_export_with(reports, 1, "csv", out, &(rpt_export_opts_t){"bogus"}, msg, sizeof msg),
                   RPT_EXPORT_E_USAGE);
  ck_assert_int_eq(rpt_export(reports, 1, "html", EXPORT_WORK_DIR, msg, sizeof msg), RPT_EXPORT_E_USAGE);
  /* A report from before the timeline: massif and csv say so; html and perfetto render what there is. */
  cJSON *old = cJSON_Duplicate(reports[0], true);
  cJSON_DeleteItemFromObject(old, "timeline");
  cJSON_DeleteItemFromObject(old, "layers");
  ck_assert_int_eq(rpt_export((const cJSON *const *)&old, 1, "massif", out, msg, sizeof msg), RPT_EXPORT_E_DATA);
  ck_assert_ptr_nonnull(strstr(msg, "no timeline[]"));
  ck_assert_int_eq(rpt_export((const cJSON *const *)&old, 1, "csv", out, msg, sizeof msg), RPT_EXPORT_E_DATA);
  snprintf(out, sizeof out, "%s/old.html", EXPORT_WORK_DIR);
  ck_assert_int_eq(rpt_export((const cJSON *const *)&old, 1, "html", out, msg, sizeof msg), RPT_EXPORT_OK);
  snprintf(out, sizeof out, "%s/old.trace.json", EXPORT_WORK_DIR);
  ck_assert_int_eq(rpt_export((const cJSON *const *)&old, 1, "perfetto", out, msg, sizeof msg), RPT_EXPORT_OK);
  cJSON_Delete(old);
  for (int i = 0; i < 2; i++) cJSON_Delete((cJSON *)reports[i]);
}
END_TEST

/* csv into a directory writes both tables. */
/* params and weight_bytes are cells of the layer table when a row carries them, empty when it does not. */
START_TEST(csv_params) {
  cJSON *r = fixture("tiny_layerwise.json");
  cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "layers"), 0);
  cJSON_AddNumberToObject(row, "params", 648);
  cJSON_AddNumberToObject(row, "weight_bytes", 936);
  const cJSON *reports[1] = {r};
  rpt_export_opts_t opts = {.table = "layers"};
  char out[1024], msg[512];
  snprintf(out, sizeof out, "%s/params.csv", EXPORT_WORK_DIR);
  ck_assert_msg(rpt_export_with(reports, 1, "csv", out, &opts, msg, sizeof msg) == RPT_EXPORT_OK, "%s", msg);
  char *text = slurp(out);
  ck_assert_msg(!strncmp(text, "id,name,kind,out_h,out_w,out_c,params,weight_bytes,calls,", 57), "%s", text);
  ck_assert_msg(strstr(text, "\n0,conv0,conv2d,24,24,24,648,936,1,") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "\n1,dw1,depthwise,24,24,24,,,1,") != NULL, "%s", text);
  free(text);
  cJSON_Delete(r);
}
END_TEST

START_TEST(csv_directory) {
  const cJSON *r = fixture("tiny_patch2.json");
  char dir[1024], path[1100], msg[512];
  snprintf(dir, sizeof dir, "%s/csv_dir/", EXPORT_WORK_DIR);
  mkdir(dir, 0755);
  ck_assert_msg(rpt_export(&r, 1, "csv", dir, msg, sizeof msg) == RPT_EXPORT_OK, "%s", msg);
  snprintf(path, sizeof path, "%slayers.csv", dir);
  char *layers = slurp(path);
  snprintf(path, sizeof path, "%spatches.csv", dir);
  char *patches = slurp(path);
  ck_assert(layers && !strncmp(layers, "id,name,kind,", 13));
  ck_assert(patches && !strncmp(patches, "stage,index,macs,", 17));
  free(layers);
  free(patches);
  cJSON_Delete((cJSON *)r);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("export");
  TCase *tc = tcase_create("export");
  tcase_add_test(tc, golden_html_two);
  tcase_add_test(tc, golden_html_one);
  tcase_add_test(tc, golden_perfetto);
  tcase_add_test(tc, golden_massif);
  tcase_add_test(tc, golden_csv_layers);
  tcase_add_test(tc, golden_csv_patches);
  tcase_add_test(tc, perfetto_fields);
  tcase_add_test(tc, massif_peak);
  tcase_add_test(tc, errors);
  tcase_add_test(tc, csv_directory);
  tcase_add_test(tc, csv_params);
  suite_add_tcase(s, tc);
  return s;
}
