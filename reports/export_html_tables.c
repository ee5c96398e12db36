/* reports/export_html_tables.c — per-layer and per-patch tables of the HTML page, with bar columns in the style
 * of STM32Cube.AI's per-layer report. */
#include <stdio.h>

#include "reports/export_html.h"

static void cell_int(const html_t *h, double v) {
  char a[32];
  rpt_buf_printf(h->out, "<td>%s</td>", rpt_fmt_int(v, a, sizeof a));
}

static void cell_bar(const html_t *h, double v, double max, const char *cls, const char *text) {
  rpt_buf_printf(h->out, "<td><span class=\"bar%s\" style=\"width:%.0fpx\"></span>%s</td>", cls,
                 max > 0 ? 60 * v / max : 0, text);
}

static void cell_text(const html_t *h, const char *text) {
  rpt_buf_put(h->out, "<td class=\"l\">");
  rpt_buf_escaped(h->out, CM_ESC_HTML, text);
  rpt_buf_put(h->out, "</td>");
}

static double max_of(const cJSON *rows, rpt_figure_t fig) {
  double max = 0;
  const cJSON *row;
  cJSON_ArrayForEach(row, rows) if (rpt_figure_in_row_or(row, fig, 0) > max) max = rpt_figure_in_row_or(row, fig, 0);
  return max;
}

/* Per-layer parameters and weight bytes (in flash) appear when the report's rows carry them (`params`,
 * `weight_bytes`: docs/report.md); a report without them keeps the table it had. */
static bool rows_have(const cJSON *rows, const char *key) {
  const cJSON *row;
  cJSON_ArrayForEach(row, rows) if (cJSON_IsNumber(rpt_get(row, key))) return true;
  return false;
}

static void cell_opt(const html_t *h, const cJSON *row, const char *key) {
  double v;
  if (rpt_number(row, key, &v))
    rpt_buf_put(h->out, "<td></td>");
  else
    cell_int(h, v);
}

/* h x w x c of an out_shape (sort key of the output column), 0 without one. */
static double shape_elements(const cJSON *shape) {
  if (cJSON_GetArraySize(shape) != 3) return 0;
  double n = 1;
  for (int i = 0; i < 3; i++)
    n *= cJSON_IsNumber(cJSON_GetArrayItem(shape, i)) ? cJSON_GetArrayItem(shape, i)->valuedouble : 0;
  return rpt_finite(n);
}

static void layer_row(const html_t *h, const cJSON *r, const cJSON *row, double max_arena, bool params, bool weights) {
  char a[48];
  double cycles = rpt_figure_in_row_or(row, RPT_FIGURE_CYCLES, 0), total = rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0);
  const cJSON *shape = rpt_get(row, "out_shape");
  rpt_buf_printf(h->out, "<tr%s>", cJSON_IsTrue(rpt_get(row, "patch_stage")) ? " class=\"patch\"" : "");
  cell_int(h, rpt_num_or(row, "id", 0));
  cell_text(h, rpt_str_or(row, "name", ""));
  cell_text(h, rpt_str_or(row, "kind", ""));
  if (cJSON_GetArraySize(shape) == 3)
    snprintf(a, sizeof a, "%d&times;%d&times;%d", cJSON_GetArrayItem(shape, 0)->valueint,
             cJSON_GetArrayItem(shape, 1)->valueint, cJSON_GetArrayItem(shape, 2)->valueint);
  else
    snprintf(a, sizeof a, "&ndash;");
  rpt_buf_printf(h->out, "<td data-v=\"%.0f\">%s</td>", shape_elements(shape), a);
  cell_int(h, rpt_figure_in_row_or(row, RPT_FIGURE_CALLS, 0));
  cell_int(h, rpt_figure_in_row_or(row, RPT_FIGURE_MACS, 0));
  if (params) cell_opt(h, row, "params");
  if (weights) cell_opt(h, row, "weight_bytes");
  cell_int(h, cycles);
  snprintf(a, sizeof a, "%.1f%%", total > 0 ? 100 * cycles / total : 0);
  cell_bar(h, cycles, total, " c", a);
  rpt_buf_printf(h->out, "<td>%.3f</td><td>%.2f</td>", rpt_figure_in_row_or(row, RPT_FIGURE_LATENCY, 0) / 1000,
                 rpt_figure_in_row_or(row, RPT_FIGURE_CYCLES_PER_MAC, 0));
  cell_bar(h, rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0), max_arena, "",
           rpt_fmt_int(rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0), a, sizeof a));
  cell_int(h, rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_AT_ENTRY, 0));
  rpt_buf_put(h->out, "</tr>\n");
}

static void other_row(const html_t *h, const cJSON *r, int extra_columns) {
  if (!cJSON_IsObject(rpt_get(r, "other"))) return;
  char a[32];
  double cycles = rpt_num_or(r, "other.cycles", 0), total = rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0);
  rpt_buf_put(h->out, "<tr class=\"other\"><td></td><td class=\"l\">outside layers</td><td class=\"l\">start-up, "
                      "output</td><td></td><td></td><td></td>");
  for (int i = 0; i < extra_columns; i++) rpt_buf_put(h->out, "<td></td>");
  cell_int(h, cycles);
  snprintf(a, sizeof a, "%.1f%%", total > 0 ? 100 * cycles / total : 0);
  cell_bar(h, cycles, total, " c", a);
  rpt_buf_printf(h->out, "<td>%.3f</td><td></td><td></td><td></td></tr>\n", cycles / rpt_clock_hz(r) * 1e3);
}

static void put_layer_table(const html_t *h, const cJSON *r) {
  const cJSON *rows = rpt_array(r, "layers", NULL), *row;
  double max_arena = max_of(rows, RPT_FIGURE_ARENA_PEAK);
  bool params = rows_have(rows, "params"), weights = rows_have(rows, "weight_bytes");
  rpt_buf_put(h->out, "<table class=\"layers sortable\"><thead><tr><th>id</th><th class=\"l\">layer</th>"
                      "<th class=\"l\">kind</th><th>output</th><th>calls</th><th>MACs</th>");
  if (params) rpt_buf_put(h->out, "<th>params</th>");
  if (weights) rpt_buf_put(h->out, "<th>weights (B)</th>");
  rpt_buf_put(h->out, "<th>cycles</th><th class=\"l\">share</th><th>ms</th><th>cycles/MAC</th><th class=\"l\">arena "
                      "peak (B)</th><th>arena at entry (B)</th></tr></thead>\n<tbody>\n");
  cJSON_ArrayForEach(row, rows) layer_row(h, r, row, max_arena, params, weights);
  other_row(h, r, params + weights);
  rpt_buf_put(h->out, "</tbody></table>\n");
}

static void put_patch_table(const html_t *h, const cJSON *r) {
  const cJSON *rows = rpt_array(r, "patches", NULL), *row;
  double max_arena = max_of(rows, RPT_FIGURE_ARENA_PEAK);
  char a[32];
  rpt_buf_put(h->out,
              "<table class=\"patches sortable\"><thead><tr><th>stage</th><th>patch</th><th>MACs</th><th>cycles</th>"
              "<th>ms</th><th class=\"l\">arena peak (B)</th><th>arena at entry (B)</th></tr></thead>\n<tbody>\n");
  cJSON_ArrayForEach(row, rows) {
    rpt_buf_put(h->out, "<tr>");
    cell_int(h, rpt_num_or(row, "stage", 0));
    cell_int(h, rpt_num_or(row, "index", 0));
    cell_int(h, rpt_figure_in_row_or(row, RPT_FIGURE_MACS, 0));
    cell_int(h, rpt_figure_in_row_or(row, RPT_FIGURE_CYCLES, 0));
    rpt_buf_printf(h->out, "<td>%.3f</td>", rpt_figure_in_row_or(row, RPT_FIGURE_LATENCY, 0) / 1000);
    cell_bar(h, rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0), max_arena, "",
             rpt_fmt_int(rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0), a, sizeof a));
    cell_int(h, rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_AT_ENTRY, 0));
    rpt_buf_put(h->out, "</tr>\n");
  }
  rpt_buf_put(h->out, "</tbody></table>\n");
}

static void put_heading(const html_t *h, size_t i, const char *what) {
  rpt_buf_printf(h->out, "<h3>%s", what);
  if (h->ctx->n > 1) {
    rpt_buf_put(h->out, ": ");
    rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  }
  rpt_buf_put(h->out, "</h3>\n");
}

void html_put_tables(const html_t *h) {
  bool any_layers = false, any_patches = false;
  for (size_t i = 0; i < h->ctx->n; i++) {
    any_layers |= cJSON_GetArraySize(rpt_get(h->ctx->reports[i], "layers")) > 0;
    any_patches |= cJSON_GetArraySize(rpt_get(h->ctx->reports[i], "patches")) > 0;
  }
  if (any_layers)
    rpt_buf_put(h->out, "<h2 id=\"layers\">Layers</h2>\n<p class=\"sub\">Shaded rows ran inside patches (their "
                        "figures sum over all patches).</p>\n");
  for (size_t i = 0; i < h->ctx->n && any_layers; i++) {
    put_heading(h, i, "Per layer");
    put_layer_table(h, h->ctx->reports[i]);
  }
  if (any_patches) rpt_buf_put(h->out, "<h2 id=\"patches\">Patches</h2>\n");
  for (size_t i = 0; i < h->ctx->n && any_patches; i++) {
    if (cJSON_GetArraySize(rpt_get(h->ctx->reports[i], "patches")) == 0) continue;
    put_heading(h, i, "Per patch");
    put_patch_table(h, h->ctx->reports[i]);
  }
}
