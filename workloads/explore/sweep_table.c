/* workloads/explore/sweep_table.c — the merged sweep table as CSV, JSON (mcusim-sweep-table/1) or a self-contained
 * HTML page. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "reports/export.h" /* the HTML pages' stylesheet and script */
#include "reports/rpt.h"
#include "workloads/explore/sweep.h"

static int by_index(const void *a, const void *b) {
  const xp_sweep_row_t *x = a, *y = b;
  return x->index < y->index ? -1 : x->index > y->index;
}

static void csv_row(const xp_sweep_row_t *r, FILE *out) {
  const xp_sweep_figures_t *f = &r->fig;
  const char *text[] = {r->id, r->status, f->model, f->schedule, f->profile};
  fprintf(out, "%zu", r->index);
  for (size_t i = 0; i < sizeof text / sizeof *text; i++) fputc(',', out), cm_escape_file(CM_ESC_CSV, text[i], out);
  fputc(',', out);
  if (!r->has_figures) {
    fprintf(out, ",,,,,,,,,,,,\n");
    return;
  }
  fprintf(out, "%d,%s", f->exit_code, f->fits ? "true" : "false");
  for (int fig = XP_SWEEP_FIRST_FIGURE; fig <= XP_SWEEP_LAST_FIGURE; fig++)
    fprintf(out, ",%llu", (unsigned long long)f->value[fig]);
  fprintf(out, ",%.3f,%s\n", f->latency_us / 1000.0, f->checksum);
}

static void write_csv(const xp_sweep_row_t *rows, size_t n, FILE *out) {
  fprintf(out, "index,job,status,model,schedule,profile,exit_code,fits");
  for (int fig = XP_SWEEP_FIRST_FIGURE; fig <= XP_SWEEP_LAST_FIGURE; fig++)
    fprintf(out, ",%s", rpt_figure((rpt_figure_t)fig)->key);
  fprintf(out, ",latency_ms,checksum\n");
  for (size_t i = 0; i < n; i++) csv_row(&rows[i], out);
}

static cJSON *json_row(const xp_sweep_row_t *r) {
  cJSON *o = cJSON_CreateObject();
  const xp_sweep_figures_t *f = &r->fig;
  cJSON_AddNumberToObject(o, "index", (double)r->index);
  cJSON_AddStringToObject(o, "job", r->id);
  cJSON_AddStringToObject(o, "status", r->status);
  if (!r->has_figures) return o;
  cJSON_AddStringToObject(o, "model", f->model);
  cJSON_AddStringToObject(o, "schedule", f->schedule);
  cJSON_AddStringToObject(o, "profile", f->profile);
  cJSON_AddNumberToObject(o, "exit_code", f->exit_code);
  cJSON_AddBoolToObject(o, "fits", f->fits);
  for (int fig = XP_SWEEP_FIRST_FIGURE; fig <= XP_SWEEP_LAST_FIGURE; fig++)
    cJSON_AddNumberToObject(o, rpt_figure((rpt_figure_t)fig)->key, (double)f->value[fig]);
  cJSON_AddNumberToObject(o, "latency_us", f->latency_us);
  cJSON_AddStringToObject(o, "checksum", f->checksum);
  return o;
}

static void write_json(const xp_sweep_row_t *rows, size_t n, size_t total, const cJSON *missing, FILE *out) {
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
  cJSON_AddStringToObject(root, "schema", "mcusim-sweep-table/1");
  cJSON_AddNumberToObject(root, "jobs_total", (double)total);
  cJSON_AddNumberToObject(root, "jobs_merged", (double)n);
  cJSON_AddItemToObject(root, "missing", cJSON_Duplicate(missing, 1));
  for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, json_row(&rows[i]));
  cJSON_AddItemToObject(root, "rows", arr);
  char *text = cJSON_Print(root);
  fprintf(out, "%s\n", text);
  free(text);
  cJSON_Delete(root);
}

/* "1,204,332" for a table cell. */
static const char *grouped(uint64_t v, char *buf, size_t size) {
  rpt_group_digits(v, buf, size);
  return buf;
}

static void html_row(const xp_sweep_row_t *r, uint64_t max_peak, FILE *out) {
  const xp_sweep_figures_t *f = &r->fig;
  char a[32], b[32], c[32], d[32];
  fprintf(out, "<tr%s><td>%zu</td><td class=\"l\">", r->has_figures && !f->fits ? " class=\"over\"" : "", r->index);
  cm_escape_file(CM_ESC_HTML, r->has_figures ? f->model : r->id, out);
  fputs("</td><td class=\"l\">", out);
  cm_escape_file(CM_ESC_HTML, f->schedule, out);
  fputs("</td><td class=\"l\">", out);
  cm_escape_file(CM_ESC_HTML, f->profile, out);
  fputs("</td><td class=\"l\">", out);
  cm_escape_file(CM_ESC_HTML, r->status, out);
  fputs("</td>", out);
  if (r->has_figures) {
    uint64_t peak = f->value[RPT_FIGURE_PEAK];
    fprintf(out,
            "<td class=\"%s\">%s</td><td data-v=\"%llu\"><span class=\"bar\" style=\"width:%.0fpx\"></span>%s</td>"
            "<td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td class=\"l\"><code>",
            f->fits ? "ok" : "bad", f->fits ? "yes" : "no", (unsigned long long)peak,
            max_peak ? 60.0 * (double)peak / (double)max_peak : 0.0, grouped(peak, a, sizeof a),
            grouped(f->value[RPT_FIGURE_ARENA_PEAK], b, sizeof b), grouped(f->value[RPT_FIGURE_SRAM], c, sizeof c),
            grouped(f->value[RPT_FIGURE_CYCLES], d, sizeof d), f->latency_us / 1000.0);
    cm_escape_file(CM_ESC_HTML, f->checksum, out);
    fputs("</code></td>", out);
  } else {
    fputs("<td></td><td></td><td></td><td></td><td></td><td></td><td></td>", out);
  }
  fputs("</tr>\n", out);
}

/* The page in the style of the report's (reports/export_html.c: its stylesheet, sortable tables). */
static void write_html(const xp_sweep_row_t *rows, size_t n, size_t total, FILE *out) {
  uint64_t max_peak = 0;
  for (size_t i = 0; i < n; i++)
    if (rows[i].has_figures && rows[i].fig.value[RPT_FIGURE_PEAK] > max_peak)
      max_peak = rows[i].fig.value[RPT_FIGURE_PEAK];
  fprintf(out,
          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
          "content=\"width=device-width,initial-scale=1\">\n<title>mcusim sweep</title>\n<style>\n%s"
          "tr.over td{background:#fdf1f2}</style>\n</head>\n<body>\n<main>\n<h1>mcusim sweep</h1>\n"
          "<p class=\"sub\">%zu of %zu jobs merged. Bytes in B (1 KiB = 1024 B); a click on a header sorts."
          "</p>\n<table class=\"sweep sortable\"><thead><tr><th>job</th><th class=\"l\">model</th>"
          "<th class=\"l\">schedule</th><th class=\"l\">profile</th><th class=\"l\">status</th><th>fits</th>"
          "<th>peak SRAM (B)</th><th>arena peak (B)</th><th>SRAM (B)</th><th>cycles</th><th>latency (ms)</th>"
          "<th class=\"l\">checksum</th></tr></thead>\n<tbody>\n",
          rpt_html_style(), n, total);
  for (size_t i = 0; i < n; i++) html_row(&rows[i], max_peak, out);
  fprintf(out,
          "</tbody></table>\n<footer>Rendered by <code>mcusim merge --format html</code> (docs/sweep.md)."
          "</footer>\n</main>\n<script>\n%s</script>\n</body>\n</html>\n",
          rpt_html_script());
}

int xp_sweep_jobs_total(const cJSON *manifest, size_t *total) {
  double value;
  if (rpt_number(manifest, "jobs_total", &value) || !(value >= 0 && value <= (double)XP_SWEEP_MAX_JOBS) ||
      value != floor(value))
    return -1;
  *total = (size_t)value;
  return 0;
}

int xp_sweep_write_table(const xp_sweep_row_t *rows, size_t n, size_t total, xp_sweep_format_t fmt, FILE *out) {
  if (total > XP_SWEEP_MAX_JOBS) return -1;
  xp_sweep_row_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted) return -1;
  memcpy(sorted, rows, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, by_index);
  cJSON *missing = cJSON_CreateArray();
  for (size_t j = 0, k = 0; j < total; j++) {
    while (k < n && sorted[k].index < j) k++;
    if (k >= n || sorted[k].index != j) cJSON_AddItemToArray(missing, cJSON_CreateNumber((double)j));
  }
  if (fmt == XP_SWEEP_CSV)
    write_csv(sorted, n, out);
  else if (fmt == XP_SWEEP_JSON)
    write_json(sorted, n, total, missing, out);
  else
    write_html(sorted, n, total, out);
  cJSON_Delete(missing);
  free(sorted);
  return ferror(out) ? -1 : 0;
}
