/* reports/export_html_sections.c — the HTML page's sections beyond the timeline and the layer tables: the A/B
 * per-layer delta of two reports (bloat-o-meter's old / new / delta, layers matched by name as `mcusim compare`
 * matches them), the allocations live at the arena peak, and the function profile (functions[], lines[]). Every
 * loop is bounded whatever the report holds (a hostile report renders in bounded time, issue 21). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/export_html.h"

enum {
  MAX_DELTA_LAYERS = 1024, /* layers of each report the delta table matches (quadratic in this) */
  MAX_ALLOC_ROWS = 256,    /* allocations listed at the peak; the rest are counted */
  MAX_FUNCTION_ROWS = 30,
  MAX_LINE_ROWS = 20,
};

static void cell_int(const html_t *h, double v) {
  char a[32];
  rpt_buf_printf(h->out, "<td>%s</td>", rpt_fmt_int(v, a, sizeof a));
}

static void cell_text(const html_t *h, const char *text) {
  rpt_buf_put(h->out, "<td class=\"l\">");
  rpt_buf_escaped(h->out, CM_ESC_HTML, text);
  rpt_buf_put(h->out, "</td>");
}

static void cell_share(const html_t *h, double v, double total) {
  rpt_buf_printf(h->out, "<td>%.1f%%</td>", total > 0 ? 100 * v / total : 0);
}

static void put_heading(const html_t *h, size_t i, const char *what) {
  rpt_buf_printf(h->out, "<h3>%s", what);
  if (h->ctx->n > 1) {
    rpt_buf_put(h->out, ": ");
    rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  }
  rpt_buf_put(h->out, "</h3>\n");
}

/* ---- A/B per layer ---- */

static const cJSON *layer_named(const cJSON *report, const char *name) {
  const cJSON *row;
  int k = 0;
  cJSON_ArrayForEach(row, rpt_array(report, "layers", NULL)) {
    if (k++ == MAX_DELTA_LAYERS) break;
    if (!strcmp(rpt_str_or(row, "name", ""), name)) return row;
  }
  return NULL;
}

/* old, new, delta (coloured: smaller is better for every figure here), or dashes where a report lacks the layer. */
static void delta_cells(const html_t *h, const cJSON *a, const cJSON *b, rpt_figure_t fig, bool percent) {
  double x = rpt_figure_in_row_or(a, fig, NAN), y = rpt_figure_in_row_or(b, fig, NAN);
  char s[32];
  rpt_buf_put(h->out, a ? "" : "<td>&ndash;</td>");
  if (a) cell_int(h, x);
  rpt_buf_put(h->out, b ? "" : "<td>&ndash;</td>");
  if (b) cell_int(h, y);
  if (isnan(x) || isnan(y)) {
    rpt_buf_put(h->out, percent ? "<td></td><td></td>" : "<td></td>");
    return;
  }
  double d = y - x;
  const char *cls = d > 0 ? "up" : d < 0 ? "dn" : "", *sign = d > 0 ? "+" : d < 0 ? "&minus;" : "";
  rpt_buf_printf(h->out, "<td class=\"%s\" data-v=\"%.0f\">%s%s</td>", cls, rpt_finite(d), sign,
                 rpt_fmt_int(fabs(d), s, sizeof s));
  if (!percent) return;
  double pct = x > 0 ? rpt_finite(100 * d / x) : 0;
  if (x <= 0)
    rpt_buf_put(h->out, "<td></td>");
  else if (fabs(pct) < 0.05)
    rpt_buf_put(h->out, "<td>0.0%</td>"); /* not "-0.0%" */
  else
    rpt_buf_printf(h->out, "<td>%+.1f%%</td>", pct);
}

static void delta_row(const html_t *h, const cJSON *a, const cJSON *b) {
  const cJSON *any = a ? a : b;
  rpt_buf_put(h->out, "<tr>");
  cell_text(h, rpt_str_or(any, "name", ""));
  delta_cells(h, a, b, RPT_FIGURE_ARENA_PEAK, false);
  delta_cells(h, a, b, RPT_FIGURE_CYCLES, true);
  delta_cells(h, a, b, RPT_FIGURE_MACS, false);
  rpt_buf_put(h->out, "</tr>\n");
}

void html_put_layer_delta(const html_t *h) {
  if (h->ctx->n != 2) return;
  const cJSON *A = h->ctx->reports[0], *B = h->ctx->reports[1], *row;
  if (!cJSON_GetArraySize(rpt_get(A, "layers")) && !cJSON_GetArraySize(rpt_get(B, "layers"))) return;
  rpt_buf_put(h->out, "<h2 id=\"delta\">Per-layer delta</h2>\n<p class=\"sub\">");
  rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[0]);
  rpt_buf_put(h->out, " (old) against ");
  rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[1]);
  rpt_buf_put(h->out, " (new), layers matched by name; <span class=\"dn\">green</span> is smaller. Arena in bytes."
                      "</p>\n<table class=\"delta sortable\"><thead><tr><th class=\"l\">layer</th><th>arena "
                      "old</th><th>arena new</th><th>&Delta; arena</th><th>cycles old</th>"
                      "<th>cycles new</th><th>&Delta; cycles</th><th>&Delta;%</th><th>MACs old</th><th>MACs new</th>"
                      "<th>&Delta; MACs</th></tr></thead>\n<tbody>\n");
  int k = 0;
  cJSON_ArrayForEach(row, rpt_array(A, "layers", NULL)) {
    if (k++ == MAX_DELTA_LAYERS) break;
    delta_row(h, row, layer_named(B, rpt_str_or(row, "name", "")));
  }
  k = 0;
  cJSON_ArrayForEach(row, rpt_array(B, "layers", NULL)) {
    if (k++ == MAX_DELTA_LAYERS) break;
    if (!layer_named(A, rpt_str_or(row, "name", ""))) delta_row(h, NULL, row);
  }
  /* the totals, as the last row (kept last when sorting) */
  double ta = rpt_figure_total_or(A, RPT_FIGURE_CYCLES, 0), tb = rpt_figure_total_or(B, RPT_FIGURE_CYCLES, 0);
  char a[32], b[32], d[32];
  rpt_buf_printf(h->out, "<tr class=\"other\"><td class=\"l\">whole run</td><td>%s</td>",
                 rpt_fmt_int(rpt_figure_total_or(A, RPT_FIGURE_ARENA_PEAK, 0), a, sizeof a));
  rpt_buf_printf(
      h->out, "<td>%s</td><td>%s</td>", rpt_fmt_int(rpt_figure_total_or(B, RPT_FIGURE_ARENA_PEAK, 0), b, sizeof b),
      rpt_fmt_int(rpt_figure_total_or(B, RPT_FIGURE_ARENA_PEAK, 0) - rpt_figure_total_or(A, RPT_FIGURE_ARENA_PEAK, 0),
                  d, sizeof d));
  rpt_buf_printf(h->out, "<td>%s</td><td>%s</td><td>%s</td><td>%+.1f%%</td><td></td><td></td><td></td></tr>\n",
                 rpt_fmt_int(ta, a, sizeof a), rpt_fmt_int(tb, b, sizeof b), rpt_fmt_int(tb - ta, d, sizeof d),
                 ta > 0 ? rpt_finite(100 * (tb - ta) / ta) : 0.0);
  rpt_buf_put(h->out, "</tbody></table>\n");
}

/* ---- allocations live at the arena peak ---- */

/* The first timeline sample with the most arena bytes; NULL without a timeline. */
static const cJSON *arena_peak_sample(const cJSON *report) {
  const cJSON *s, *best = NULL;
  cJSON_ArrayForEach(s, rpt_array(report, "timeline", NULL)) {
    if (!best || rpt_num_or(s, "arena_bytes", 0) > rpt_num_or(best, "arena_bytes", 0)) best = s;
  }
  return best;
}

/* Allocated at or before the cycle and not freed by then (a free at the sample's cycle is the event the sample was
 * taken at, so it is already gone). */
static bool live_at(const cJSON *alloc, double cycle) {
  double freed;
  return rpt_num_or(alloc, "alloc_cycle", INFINITY) <= cycle &&
         (rpt_number(alloc, "free_cycle", &freed) || freed > cycle);
}

static void alloc_row(const html_t *h, const cJSON *r, const cJSON *a, double peak) {
  char x[32];
  double size = rpt_num_or(a, "size", 0), freed;
  rpt_buf_put(h->out, "<tr>");
  cell_text(h, rpt_str_or(a, "tag", ""));
  cell_text(h, rpt_str_or(a, "address", ""));
  rpt_buf_printf(h->out, "<td data-v=\"%.0f\"><span class=\"bar\" style=\"width:%.0fpx\"></span>%s</td>",
                 rpt_finite(size), peak > 0 ? fmin(60, 60 * size / peak) : 0, rpt_fmt_int(size, x, sizeof x));
  cell_share(h, size, peak);
  cell_int(h, rpt_num_or(a, "alloc_cycle", 0));
  if (rpt_number(a, "free_cycle", &freed))
    rpt_buf_put(h->out, "<td>never</td>");
  else
    cell_int(h, freed);
  const cJSON *layer = html_find_layer(r, rpt_get(a, "layer"));
  cell_text(h, layer ? rpt_str_or(layer, "name", "") : "");
  rpt_buf_put(h->out, "</tr>\n");
}

static void put_allocations_of(const html_t *h, size_t i) {
  const cJSON *r = h->ctx->reports[i], *peak = arena_peak_sample(r), *a;
  if (!peak || !cJSON_GetArraySize(rpt_get(r, "allocations"))) return;
  double cycle = rpt_num_or(peak, "cycle", 0), sum = 0, arena = rpt_num_or(peak, "arena_bytes", 0);
  int n = 0;
  cJSON_ArrayForEach(a, rpt_get(r, "allocations")) {
    if (!live_at(a, cycle)) continue;
    n++;
    sum += rpt_num_or(a, "size", 0);
  }
  char x[32], y[32];
  put_heading(h, i, "Allocations live at the arena peak");
  rpt_buf_printf(h->out, "<p class=\"sub\">At cycle %s", rpt_fmt_int(cycle, x, sizeof x));
  const cJSON *layer = html_find_layer(r, rpt_get(peak, "layer"));
  if (layer) {
    rpt_buf_put(h->out, ", in layer <b>");
    rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(layer, "name", ""));
    rpt_buf_put(h->out, "</b>");
  }
  if (rpt_sample_patch(peak)) rpt_buf_printf(h->out, ", patch %s", rpt_patch_name(rpt_sample_patch(peak), y, sizeof y));
  rpt_buf_printf(h->out, ": %s B in %d allocation%s", rpt_fmt_int(sum, x, sizeof x), n, n == 1 ? "" : "s");
  if (sum != arena)
    rpt_buf_printf(h->out, " (the timeline says %s B live: the list %s)", rpt_fmt_int(arena, y, sizeof y),
                   cJSON_IsTrue(rpt_get(r, "allocations_truncated")) ? "was truncated" : "misses events");
  rpt_buf_put(h->out, ".</p>\n<table class=\"allocs sortable\"><thead><tr><th class=\"l\">tag</th><th class=\"l\">"
                      "address</th><th>size (B)</th><th>share</th><th>allocated at cycle</th><th>freed at cycle</th>"
                      "<th class=\"l\">layer</th></tr></thead>\n<tbody>\n");
  int shown = 0;
  cJSON_ArrayForEach(a, rpt_get(r, "allocations")) {
    if (shown == MAX_ALLOC_ROWS) break;
    if (!live_at(a, cycle)) continue;
    alloc_row(h, r, a, sum);
    shown++;
  }
  if (n > shown)
    rpt_buf_printf(h->out, "<tr class=\"other\"><td class=\"l\" colspan=\"7\">%d more</td></tr>\n", n - shown);
  rpt_buf_put(h->out, "</tbody></table>\n");
}

void html_put_allocations(const html_t *h) {
  bool any = false;
  for (size_t i = 0; i < h->ctx->n; i++)
    any |= arena_peak_sample(h->ctx->reports[i]) && cJSON_GetArraySize(rpt_get(h->ctx->reports[i], "allocations"));
  if (!any) return;
  rpt_buf_put(h->out, "<h2 id=\"allocations\">Allocations at the peak</h2>\n");
  for (size_t i = 0; i < h->ctx->n; i++) put_allocations_of(h, i);
}

/* ---- function profile ---- */

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void put_functions_of(const html_t *h, size_t i) {
  const cJSON *r = h->ctx->reports[i], *f;
  double total = rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0);
  int n = 0, count = cJSON_GetArraySize(rpt_get(r, "functions"));
  if (!count) return;
  put_heading(h, i, "Functions by exclusive cycles");
  rpt_buf_put(h->out, "<table class=\"functions sortable\"><thead><tr><th class=\"l\">function</th><th>calls</th>"
                      "<th>cycles</th><th>self</th><th>inclusive cycles</th><th>inclusive</th><th>instructions</th>"
                      "</tr></thead>\n<tbody>\n");
  cJSON_ArrayForEach(f, rpt_get(r, "functions")) {
    if (n++ == MAX_FUNCTION_ROWS) break;
    rpt_buf_put(h->out, "<tr>");
    cell_text(h, rpt_str_or(f, "name", ""));
    cell_int(h, rpt_num_or(f, "calls", 0));
    cell_int(h, rpt_num_or(f, "cycles", 0));
    cell_share(h, rpt_num_or(f, "cycles", 0), total);
    cell_int(h, rpt_num_or(f, "inclusive_cycles", 0));
    cell_share(h, rpt_num_or(f, "inclusive_cycles", 0), total);
    cell_int(h, rpt_num_or(f, "instructions", 0));
    rpt_buf_put(h->out, "</tr>\n");
  }
  if (count > MAX_FUNCTION_ROWS)
    rpt_buf_printf(h->out, "<tr class=\"other\"><td class=\"l\" colspan=\"7\">%d more functions</td></tr>\n",
                   count - MAX_FUNCTION_ROWS);
  rpt_buf_put(h->out, "</tbody></table>\n");
  if (!cJSON_GetArraySize(rpt_get(r, "lines"))) return;
  rpt_buf_put(h->out, "<table class=\"lines sortable\"><thead><tr><th class=\"l\">source line</th><th class=\"l\">"
                      "function</th><th>cycles</th><th>share</th><th>instructions</th></tr></thead>\n<tbody>\n");
  n = 0;
  cJSON_ArrayForEach(f, rpt_get(r, "lines")) {
    if (n++ == MAX_LINE_ROWS) break;
    char where[300];
    snprintf(where, sizeof where, "%.256s:%d", base_name(rpt_str_or(f, "file", "")), rpt_int_or(f, "line", 0));
    rpt_buf_put(h->out, "<tr>");
    cell_text(h, where);
    cell_text(h, rpt_str_or(f, "function", ""));
    cell_int(h, rpt_num_or(f, "cycles", 0));
    cell_share(h, rpt_num_or(f, "cycles", 0), total);
    cell_int(h, rpt_num_or(f, "instructions", 0));
    rpt_buf_put(h->out, "</tr>\n");
  }
  rpt_buf_put(h->out, "</tbody></table>\n");
}

void html_put_functions(const html_t *h) {
  bool any = false;
  for (size_t i = 0; i < h->ctx->n; i++) any |= cJSON_GetArraySize(rpt_get(h->ctx->reports[i], "functions")) > 0;
  if (!any) return;
  rpt_buf_put(h->out,
              "<h2 id=\"functions\">Function profile</h2>\n<p class=\"sub\">From <code>run --profile-functions</code>: "
              "exclusive cycles are the function's own blocks; inclusive adds what it called "
              "(docs/annotate.md).</p>\n");
  for (size_t i = 0; i < h->ctx->n; i++) put_functions_of(h, i);
}
