/* reports/export_html_svg.c — the SVG figures of the HTML page: memory timelines (stacked static / stack / arena
 * over cycles, layer and patch strips, device SRAM line), the comparison of totals on one time axis, and the
 * per-layer activation bars. Coordinates are in a fixed viewBox (1000 wide) printed with one decimal, so the
 * output is deterministic and scales to the page. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/export_html.h"

enum { VIEW_W = 1000, PLOT_L = 72, PLOT_R = 980 };
#define PLOT_W ((double)(PLOT_R - PLOT_L))

typedef struct {
  double top, bottom; /* plot area, y */
  double max_x, max_y;
} frame_t;

static double fx(const frame_t *f, double x) { return PLOT_L + (f->max_x > 0 ? x / f->max_x : 0) * PLOT_W; }
static double fy(const frame_t *f, double y) {
  return f->bottom - (f->max_y > 0 ? y / f->max_y : 0) * (f->bottom - f->top);
}

/* 1, 2 or 5 times a power of ten, at least raw. */
static double nice_step(double raw) {
  if (raw <= 0) return 1;
  double p = pow(10, floor(log10(raw)));
  return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

/* Memory axis in KiB multiples. */
static double nice_bytes_step(double max_bytes) {
  double step_kib = nice_step(max_bytes / 1024 / 5);
  return (step_kib < 1 ? 1 : step_kib) * 1024;
}

double html_frame_top_bytes(double bytes) {
  double step = nice_bytes_step(bytes * 1.04);
  return ceil(bytes * 1.04 / step) * step;
}

/* Axis ticks: at most this many, whatever the numbers (an infinite or absurd maximum ends the loop too). */
enum { MAX_TICKS = 64 };

static void put_y_axis(const html_t *h, const frame_t *f, const char *title) {
  double step = nice_bytes_step(f->max_y);
  for (int k = 0; k < MAX_TICKS && isfinite(step * k) && step * k <= f->max_y + 0.5; k++) {
    double y = step * k;
    rpt_buf_printf(h->out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7ee\"/>", PLOT_L, PLOT_R,
                   fy(f, y), fy(f, y));
    rpt_buf_printf(h->out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.0f KiB</text>\n",
                   PLOT_L - 6, fy(f, y) + 4, y / 1024);
  }
  rpt_buf_printf(h->out,
                 "<text transform=\"translate(14 %.1f) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\" "
                 "fill=\"#5b6575\">%s</text>\n",
                 (f->top + f->bottom) / 2, title);
}

/* Cycle ticks with the time at the first report's clock underneath. */
static void put_x_axis(const html_t *h, const frame_t *f, double clock_hz) {
  double step = nice_step(f->max_x / 8);
  rpt_buf_put(h->out, "<g class=\"xaxis\">");
  rpt_buf_printf(h->out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8a94a3\"/>\n", PLOT_L, PLOT_R,
                 f->bottom, f->bottom);
  for (int k = 0; k < MAX_TICKS && isfinite(step * k) && step * k <= f->max_x * 1.0001; k++) {
    double x = step * k, px = fx(f, x), ms = x / clock_hz * 1e3;
    rpt_buf_printf(h->out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8a94a3\"/>", px, px,
                   f->bottom, f->bottom + 4);
    if (f->max_x >= 2e6)
      rpt_buf_printf(h->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%gM</text>", px,
                     f->bottom + 16, x / 1e6);
    else
      rpt_buf_printf(h->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%g</text>", px,
                     f->bottom + 16, x);
    rpt_buf_printf(h->out,
                   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6575\">%.*f ms"
                   "</text>\n",
                   px, f->bottom + 28, ms < 10 ? 2 : 1, ms);
  }
  rpt_buf_printf(h->out,
                 "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6575\">cycles"
                 "</text></g>\n",
                 PLOT_L - 22, f->bottom + 16);
}

/* The zoom script's handles (export_html.c): an outer SVG names the time axis it spans and the clock; what moves
 * with the zoom sits in nested <svg class="plot"> viewports whose viewBox the script narrows to the range chosen,
 * stretched in x only (their labels and markers are counter-scaled). Without the script the page is the same. */
static void put_zoom_attrs(const html_t *h, const frame_t *f, double clock_hz, double bottom) {
  rpt_buf_printf(h->out, " data-max-cycles=\"%.0f\" data-hz=\"%.0f\" data-bottom=\"%.1f\"", rpt_finite(f->max_x),
                 rpt_finite(clock_hz), bottom);
}

static void plot_open(const html_t *h, int height) {
  rpt_buf_printf(h->out,
                 "<svg class=\"plot\" x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\" viewBox=\"%d 0 %d %d\" "
                 "preserveAspectRatio=\"none\">\n",
                 PLOT_L, PLOT_R - PLOT_L, height, PLOT_L, PLOT_R - PLOT_L, height);
}

static void put_sram_line(const html_t *h, const frame_t *f, double sram, const char *label) {
  char b[32];
  if (sram <= 0) return;
  if (sram > f->max_y) {
    rpt_buf_printf(h->out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#d7263d\">%s SRAM ",
                   PLOT_R - 4, f->top + 11, label);
    rpt_buf_printf(h->out, "%s: above the scale &#8593;</text>\n", rpt_fmt_bytes(sram, b, sizeof b));
    return;
  }
  rpt_buf_printf(h->out,
                 "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d7263d\" stroke-width=\"1.5\" "
                 "stroke-dasharray=\"6 4\"><title>device SRAM %s: ",
                 PLOT_L, PLOT_R, fy(f, sram), fy(f, sram), label);
  rpt_buf_printf(h->out, "%s B</title></line>", rpt_fmt_int(sram, b, sizeof b));
  rpt_buf_printf(h->out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#d7263d\">%s SRAM ",
                 PLOT_R - 4, fy(f, sram) - 5, label);
  rpt_buf_printf(h->out, "%s</text>\n", rpt_fmt_bytes(sram, b, sizeof b));
}

/* The memory axis covers the largest peak, and a device's SRAM when it is near (within 1.6x): a simulation-only
 * profile with megabytes of SRAM would otherwise flatten every curve. SRAM above the axis is named in a note. */
void html_scale_init(html_t *h) {
  double peak = 0;
  for (size_t i = 0; i < h->ctx->n; i++) {
    const cJSON *r = h->ctx->reports[i];
    if (rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0) > h->max_cycles)
      h->max_cycles = rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0);
    if (rpt_figure_total_or(r, RPT_FIGURE_PEAK, 0) > peak) peak = rpt_figure_total_or(r, RPT_FIGURE_PEAK, 0);
  }
  double top = peak;
  for (size_t i = 0; i < h->ctx->n; i++) {
    double sram = rpt_figure_total_or(h->ctx->reports[i], RPT_FIGURE_SRAM, 0);
    if (sram > top && sram <= 1.6 * peak) top = sram;
  }
  h->max_sram_bytes = html_frame_top_bytes(top > 0 ? top : 1024);
}

/* ---- slices of the timeline: runs of samples with the same layer (or patch) ---- */

typedef struct {
  const cJSON *from, *to; /* first sample and the sample that ends the slice */
  double arena_max, stack_max;
} slice_t;

static bool in_slice(bool patches, const cJSON *s) {
  return patches ? rpt_sample_patch(s) != NULL : cJSON_IsNumber(rpt_get(s, "layer"));
}

/* Next slice starting at or after *cursor; false at the end. */
static bool next_slice(bool patches, const cJSON **cursor, slice_t *out) {
  const cJSON *s = *cursor;
  while (s && !in_slice(patches, s)) s = s->next;
  if (!s) return false;
  *out = (slice_t){s, s, 0, 0};
  do { /* the first sample always, so every call moves on */
    out->to = s;
    if (rpt_num_or(s, "arena_bytes", 0) > out->arena_max) out->arena_max = rpt_num_or(s, "arena_bytes", 0);
    if (rpt_num_or(s, "stack_bytes", 0) > out->stack_max) out->stack_max = rpt_num_or(s, "stack_bytes", 0);
    s = s->next;
  } while (s && rpt_same_slice(patches, out->from, s));
  if (s) out->to = s;
  *cursor = s;
  return true;
}

const cJSON *html_find_layer(const cJSON *report, const cJSON *id) {
  const cJSON *row;
  cJSON_ArrayForEach(row, rpt_array(report, "layers", NULL)) {
    if (cJSON_IsNumber(id) && rpt_num_or(row, "id", 0) == id->valuedouble) return row;
  }
  return NULL;
}

static void slice_name(const cJSON *report, bool patches, const slice_t *sl, char *buf, size_t size) {
  if (patches) {
    char patch[32];
    snprintf(buf, size, "patch %s", rpt_patch_name(rpt_sample_patch(sl->from), patch, sizeof patch));
    return;
  }
  const cJSON *layer = html_find_layer(report, rpt_get(sl->from, "layer"));
  snprintf(buf, size, "%s", layer ? rpt_str_or(layer, "name", "") : "layer");
}

static void put_slice_title(const html_t *h, const cJSON *report, bool patches, const slice_t *sl) {
  char name[96], a[32], b[32], c[32], d[32];
  double start = rpt_num_or(sl->from, "cycle", 0), end = rpt_num_or(sl->to, "cycle", 0);
  slice_name(report, patches, sl, name, sizeof name);
  rpt_buf_put(h->out, "<title>");
  rpt_buf_escaped(h->out, CM_ESC_HTML, name);
  const cJSON *patch = rpt_sample_patch(sl->from);
  if (!patches && patch) rpt_buf_printf(h->out, " in patch %s", rpt_patch_name(patch, a, sizeof a));
  rpt_buf_printf(h->out, "\ncycles %s to %s (%s cycles, %.1f us)", rpt_fmt_int(start, a, sizeof a),
                 rpt_fmt_int(end, b, sizeof b), rpt_fmt_int(end - start, c, sizeof c),
                 (end - start) * 1e6 / rpt_clock_hz(report));
  rpt_buf_printf(h->out, "\narena up to %s B, stack up to %s B</title>", rpt_fmt_int(sl->arena_max, a, sizeof a),
                 rpt_fmt_int(sl->stack_max, d, sizeof d));
}

/* Room a 10 px strip label needs, in viewBox units. */
static double label_width(const char *text) { return 6.0 * (double)strlen(text) + 4; }

/* Layer strip (and tinted bands behind the plot) or patch strip, one rect per slice with a tooltip. */
static void put_strip(const html_t *h, const frame_t *f, const cJSON *report, bool patches, double y, double height) {
  static const char *const layer_fill[2] = {"#c9d8f0", "#9fbbe4"}, *const patch_fill[2] = {"#f6c99a", "#eea562"};
  const cJSON *cursor = cJSON_GetArrayItem(rpt_get(report, "timeline"), 0);
  slice_t sl;
  for (int k = 0; next_slice(patches, &cursor, &sl); k++) {
    double x0 = fx(f, rpt_num_or(sl.from, "cycle", 0)), x1 = fx(f, rpt_num_or(sl.to, "cycle", 0));
    double w = x1 - x0 < 0.6 ? 0.6 : x1 - x0;
    if (!patches && k % 2)
      rpt_buf_printf(h->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#eef2f8\"/>", x0,
                     f->top, w, f->bottom - f->top);
    rpt_buf_printf(h->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">", x0, y, w, height,
                   (patches ? patch_fill : layer_fill)[k % 2]);
    put_slice_title(h, report, patches, &sl);
    rpt_buf_put(h->out, "</rect>");
    char name[96];
    slice_name(report, patches, &sl, name, sizeof name);
    /* A label where it fits: "patch 0.1", else the patch's number alone. 10 px text is about 6 units a character
     * (DejaVu Sans: "patch 0.0" is 47 px); the estimate had been 7, which dropped the label of a narrow first
     * patch (VWW patch:n=3's corner patch, 64 units). */
    const char *label = name;
    if (patches && label_width(name) > w && !strncmp(name, "patch ", 6)) label = name + 6;
    if (label_width(label) <= w) {
      rpt_buf_printf(h->out,
                     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" pointer-events=\"none\">",
                     x0 + w / 2, y + height - 3);
      rpt_buf_escaped(h->out, CM_ESC_HTML, label);
      rpt_buf_put(h->out, "</text>");
    }
    rpt_buf_put(h->out, "\n");
  }
}

/* A step function as a closed area between lower(t) and upper(t); level 0 static, 1 +stack, 2 +arena. */
static double level_value(const cJSON *report, const cJSON *s, int level) {
  double v = rpt_figure_total_or(report, RPT_FIGURE_STATIC, 0);
  if (level >= 1) v += rpt_num_or(s, "stack_bytes", 0);
  if (level >= 2) v += rpt_num_or(s, "arena_bytes", 0);
  return v;
}

static void put_step_points(const html_t *h, const frame_t *f, const cJSON *report, int level, bool backwards) {
  const cJSON *timeline = rpt_get(report, "timeline");
  int n = cJSON_GetArraySize(timeline);
  double end = rpt_figure_total_or(report, RPT_FIGURE_CYCLES, 0);
  if (end < rpt_num_or(cJSON_GetArrayItem(timeline, n - 1), "cycle", 0))
    end = rpt_num_or(cJSON_GetArrayItem(timeline, n - 1), "cycle", 0);
  for (int k = 0; k < n; k++) {
    int i = backwards ? n - 1 - k : k;
    const cJSON *s = cJSON_GetArrayItem(timeline, i);
    double x0 = rpt_num_or(s, "cycle", 0),
           x1 = i + 1 < n ? rpt_num_or(cJSON_GetArrayItem(timeline, i + 1), "cycle", 0) : end;
    double y = fy(f, level < 0 ? 0 : level_value(report, s, level));
    if (backwards)
      rpt_buf_printf(h->out, "%.1f,%.1f %.1f,%.1f ", fx(f, x1), y, fx(f, x0), y);
    else
      rpt_buf_printf(h->out, "%.1f,%.1f %.1f,%.1f ", fx(f, x0), y, fx(f, x1), y);
  }
}

static void put_band(const html_t *h, const frame_t *f, const cJSON *report, int level, const char *var) {
  rpt_buf_printf(h->out, "<polygon fill=\"var(--%s)\" fill-opacity=\"%s\" points=\"", var, level == 2 ? "0.85" : "1");
  put_step_points(h, f, report, level, false);
  put_step_points(h, f, report, level - 1, true);
  rpt_buf_put(h->out, "\"/>\n");
}

/* Where the largest static + stack + arena is, with the exact split. */
static void put_peak_marker(const html_t *h, const frame_t *f, const cJSON *report) {
  const cJSON *s, *best = NULL;
  cJSON_ArrayForEach(s, rpt_get(report, "timeline")) {
    if (!best || level_value(report, s, 2) > level_value(report, best, 2)) best = s;
  }
  char a[32], b[32], c[32], d[32], e[32];
  double x = fx(f, rpt_num_or(best, "cycle", 0)), y = fy(f, level_value(report, best, 2));
  rpt_buf_printf(
      h->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#fff\" stroke=\"#1d2430\" stroke-width=\"1.5\">", x, y);
  rpt_buf_printf(h->out, "<title>peak %s B = %s static + %s stack + %s arena\nat cycle %s</title></circle>\n",
                 rpt_fmt_int(level_value(report, best, 2), a, sizeof a),
                 rpt_fmt_int(rpt_figure_total_or(report, RPT_FIGURE_STATIC, 0), b, sizeof b),
                 rpt_fmt_int(rpt_num_or(best, "stack_bytes", 0), c, sizeof c),
                 rpt_fmt_int(rpt_num_or(best, "arena_bytes", 0), d, sizeof d),
                 rpt_fmt_int(rpt_num_or(best, "cycle", 0), e, sizeof e));
}

static bool has_patches(const cJSON *report) {
  const cJSON *s;
  cJSON_ArrayForEach(s, rpt_get(report, "timeline")) {
    if (cJSON_IsArray(rpt_get(s, "patch"))) return true;
  }
  return false;
}

static void put_timeline_panel(const html_t *h, size_t i) {
  const cJSON *r = h->ctx->reports[i];
  frame_t f = {46, 256, h->max_cycles, h->max_sram_bytes};
  rpt_buf_printf(h->out, "<svg id=\"timeline-%zu\" class=\"timeline\" viewBox=\"0 0 %d 296\" role=\"img\"", i, VIEW_W);
  put_zoom_attrs(h, &f, rpt_clock_hz(r), f.bottom);
  rpt_buf_put(h->out, " aria-label=\"memory over cycles, ");
  rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  rpt_buf_put(h->out, "\">\n");
  plot_open(h, 296);
  put_strip(h, &f, r, false, 8, 16);
  if (has_patches(r)) put_strip(h, &f, r, true, 27, 14);
  rpt_buf_put(h->out, "</svg>\n");
  rpt_buf_printf(h->out, "<text x=\"%d\" y=\"20\" font-size=\"10\" text-anchor=\"end\" fill=\"#5b6575\">layers</text>",
                 PLOT_L - 6);
  if (has_patches(r))
    rpt_buf_printf(h->out,
                   "<text x=\"%d\" y=\"38\" font-size=\"10\" text-anchor=\"end\" fill=\"#5b6575\">patches</text>\n",
                   PLOT_L - 6);
  put_y_axis(h, &f, "SRAM");
  plot_open(h, 296);
  put_band(h, &f, r, 0, "static");
  put_band(h, &f, r, 1, "stack");
  put_band(h, &f, r, 2, "arena");
  put_sram_line(h, &f, rpt_figure_total_or(r, RPT_FIGURE_SRAM, 0), rpt_str_or(r, "profile.name", ""));
  put_peak_marker(h, &f, r);
  rpt_buf_put(h->out, "</svg>\n");
  put_x_axis(h, &f, rpt_clock_hz(r));
  rpt_buf_put(h->out, "</svg>\n");
}

/* Totals of every report as step lines on one time axis, with each device's SRAM. */
static void put_comparison_panel(const html_t *h) {
  frame_t f = {16, 236, h->max_cycles, h->max_sram_bytes};
  rpt_buf_printf(h->out, "<svg id=\"timeline-compare\" class=\"timeline\" viewBox=\"0 0 %d 276\" role=\"img\"", VIEW_W);
  put_zoom_attrs(h, &f, rpt_clock_hz(h->ctx->reports[0]), f.bottom);
  rpt_buf_put(h->out, " aria-label=\"total SRAM over cycles, all reports\">\n");
  put_y_axis(h, &f, "static + stack + arena");
  plot_open(h, 276);
  for (size_t i = 0; i < h->ctx->n; i++) {
    const cJSON *r = h->ctx->reports[i];
    bool shown = false;
    for (size_t j = 0; j < i; j++)
      shown |=
          rpt_figure_total_or(h->ctx->reports[j], RPT_FIGURE_SRAM, 0) == rpt_figure_total_or(r, RPT_FIGURE_SRAM, 0);
    if (!shown) put_sram_line(h, &f, rpt_figure_total_or(r, RPT_FIGURE_SRAM, 0), rpt_str_or(r, "profile.name", ""));
    if (!rpt_array(r, "timeline", NULL)) continue;
    rpt_buf_printf(h->out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", html_report_color(i));
    put_step_points(h, &f, r, 2, false);
    rpt_buf_put(h->out, "\"><title>");
    rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
    rpt_buf_put(h->out, "</title></polyline>\n");
    put_peak_marker(h, &f, r);
  }
  rpt_buf_put(h->out, "</svg>\n");
  put_x_axis(h, &f, rpt_clock_hz(h->ctx->reports[0]));
  rpt_buf_put(h->out, "</svg>\n");
}

static void put_legend(const html_t *h, bool reports, bool sram) {
  rpt_buf_put(h->out, "<div class=\"legend\">");
  if (reports) {
    for (size_t i = 0; i < h->ctx->n; i++) {
      rpt_buf_printf(h->out, "<span><i style=\"background:%s;height:3px\"></i>", html_report_color(i));
      rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
      rpt_buf_put(h->out, "</span>");
    }
  } else {
    rpt_buf_put(h->out, "<span><i style=\"background:var(--static)\"></i>static (.data + .bss)</span>"
                        "<span><i style=\"background:var(--stack)\"></i>stack</span>"
                        "<span><i style=\"background:var(--arena)\"></i>arena (live allocations)</span>"
                        "<span><i style=\"background:#9fbbe4\"></i>layers</span>");
  }
  if (sram) rpt_buf_put(h->out, "<span><i style=\"background:#d7263d;height:2px\"></i>device SRAM</span>");
  rpt_buf_put(h->out, "</div>\n");
}

/* Controls of the zoom script (hidden until it runs: a page without scripts shows no dead buttons). */
static void put_zoom_bar(const html_t *h) {
  rpt_buf_put(h->out, "<div class=\"zoom\" hidden><button type=\"button\" data-zoom=\"out\">&minus;</button>"
                      "<button type=\"button\" data-zoom=\"reset\">reset</button><span>drag across the plot to "
                      "zoom into a range of cycles; double-click to reset</span><output></output></div>");
}

void html_put_timelines(const html_t *h) {
  rpt_buf_put(h->out, "<h2 id=\"timeline\">Memory over time</h2>\n");
  if (h->ctx->n > 1) {
    rpt_buf_put(h->out, "<figure>");
    put_zoom_bar(h);
    put_legend(h, true, true);
    put_comparison_panel(h);
    rpt_buf_put(h->out, "<figcaption>Total SRAM in use (static + stack + arena) over cycles, both runs on one time "
                        "axis. Hover for exact figures.</figcaption></figure>\n");
  }
  for (size_t i = 0; i < h->ctx->n; i++) {
    if (h->ctx->n > 1) {
      rpt_buf_put(h->out, "<h3>");
      rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
      rpt_buf_put(h->out, "</h3>\n");
    }
    if (!cJSON_GetArraySize(rpt_get(h->ctx->reports[i], "timeline"))) {
      rpt_buf_put(h->out, "<p class=\"sub\">This report has no timeline[] (written by an mcusim without the memory "
                          "timeline).</p>\n");
      continue;
    }
    rpt_buf_put(h->out, "<figure>");
    put_zoom_bar(h);
    put_legend(h, false, true);
    put_timeline_panel(h, i);
    rpt_buf_put(h->out, "<figcaption>Stacked SRAM over cycles (time at the profile's clock below). The strips above "
                        "mark each layer call and each patch; hover for cycles, arena and stack. "
                        "&#9675; marks the peak.</figcaption></figure>\n");
  }
}

/* ---- per-layer activation bars (MCUNetV2 paper, memory distribution figure) ---- */

enum { MAX_BAR_LAYERS = 2048 };

typedef struct {
  const cJSON *ids[MAX_BAR_LAYERS]; /* the first row seen for each layer id, in order of appearance */
  int n;
} bar_layers_t;

/* Layers of all reports: the first report's order, then ids only later reports have. */
static void collect_layers(const html_t *h, bar_layers_t *L) {
  L->n = 0;
  for (size_t i = 0; i < h->ctx->n; i++) {
    const cJSON *row;
    cJSON_ArrayForEach(row, rpt_array(h->ctx->reports[i], "layers", NULL)) {
      bool seen = false;
      for (int k = 0; k < L->n && !seen; k++) seen = rpt_num_or(L->ids[k], "id", 0) == rpt_num_or(row, "id", 0);
      if (!seen && L->n < MAX_BAR_LAYERS) L->ids[L->n++] = row;
    }
  }
}

static const cJSON *layer_of(const cJSON *report, const cJSON *like) {
  return html_find_layer(report, rpt_get(like, "id"));
}

/* SRAM left for activations: device SRAM minus static minus the stack peak. */
static double activation_budget(const cJSON *r) {
  return rpt_figure_total_or(r, RPT_FIGURE_SRAM, 0) - rpt_figure_total_or(r, RPT_FIGURE_STATIC, 0) -
         rpt_figure_total_or(r, RPT_FIGURE_STACK_PEAK, 0);
}

static double bars_top(const html_t *h, const bar_layers_t *L) {
  double top = 0;
  for (size_t i = 0; i < h->ctx->n; i++)
    for (int k = 0; k < L->n; k++) {
      const cJSON *row = layer_of(h->ctx->reports[i], L->ids[k]);
      if (row && rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0) > top)
        top = rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0);
    }
  for (size_t i = 0; i < h->ctx->n; i++) {
    double budget = activation_budget(h->ctx->reports[i]);
    if (budget > top && budget < 1.6 * top) top = budget;
  }
  return html_frame_top_bytes(top > 0 ? top : 1024);
}

static void put_bar(const html_t *h, const frame_t *f, size_t i, const cJSON *row, double x, double w) {
  char a[32], b[32], c[32], d[32], e[32]; /* one per argument: their order of evaluation is unspecified */
  double v = rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_PEAK, 0);
  rpt_buf_printf(h->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">", x, fy(f, v), w,
                 f->bottom - fy(f, v), html_report_color(i));
  rpt_buf_put(h->out, "<title>");
  rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(row, "name", ""));
  rpt_buf_put(h->out, " (");
  rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(row, "kind", ""));
  rpt_buf_put(h->out, "), ");
  rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  rpt_buf_printf(h->out, "\narena peak %s B (%s), at entry %s B\n%s MACs, %s calls</title></rect>",
                 rpt_fmt_int(v, a, sizeof a), rpt_fmt_bytes(v, b, sizeof b),
                 rpt_fmt_int(rpt_figure_in_row_or(row, RPT_FIGURE_ARENA_AT_ENTRY, 0), c, sizeof c),
                 rpt_fmt_int(rpt_figure_in_row_or(row, RPT_FIGURE_MACS, 0), d, sizeof d),
                 rpt_fmt_int(rpt_figure_in_row_or(row, RPT_FIGURE_CALLS, 0), e, sizeof e));
}

/* Tinted span behind consecutive patch-stage layers of report i. */
static void put_patch_stage(const html_t *h, const frame_t *f, const bar_layers_t *L, size_t i, double group_w) {
  for (int k = 0; k < L->n;) {
    const cJSON *row = layer_of(h->ctx->reports[i], L->ids[k]);
    if (!row || !cJSON_IsTrue(rpt_get(row, "patch_stage"))) {
      k++;
      continue;
    }
    int end = k;
    while (end < L->n && (row = layer_of(h->ctx->reports[i], L->ids[end])) && cJSON_IsTrue(rpt_get(row, "patch_stage")))
      end++;
    double x = PLOT_L + k * group_w;
    rpt_buf_printf(h->out,
                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.08\"/>", x,
                   f->top, (end - k) * group_w, f->bottom - f->top, html_report_color(i));
    rpt_buf_printf(h->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">patch stage", x + 4, f->top + 13,
                   html_report_color(i));
    if (h->ctx->n > 1) {
      rpt_buf_put(h->out, " (");
      rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
      rpt_buf_put(h->out, ")");
    }
    rpt_buf_put(h->out, "</text>\n");
    k = end;
  }
}

static void put_budget_lines(const html_t *h, const frame_t *f) {
  for (size_t i = 0; i < h->ctx->n; i++) {
    const cJSON *r = h->ctx->reports[i];
    double budget = activation_budget(r);
    bool shown = false;
    for (size_t j = 0; j < i; j++) shown |= activation_budget(h->ctx->reports[j]) == budget;
    if (shown || budget <= 0 || budget > f->max_y) continue;
    char a[32], b[32];
    rpt_buf_printf(h->out,
                   "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d7263d\" stroke-width=\"1.5\" "
                   "stroke-dasharray=\"6 4\"><title>%s B: ",
                   PLOT_L, PLOT_R, fy(f, budget), fy(f, budget), rpt_fmt_int(budget, a, sizeof a));
    rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "profile.name", ""));
    rpt_buf_put(h->out, " SRAM minus static minus stack peak</title></line>");
    rpt_buf_printf(h->out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#d7263d\">",
                   PLOT_R - 4, fy(f, budget) - 5);
    rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "profile.name", ""));
    rpt_buf_printf(h->out, " SRAM left for activations %s</text>\n", rpt_fmt_bytes(budget, b, sizeof b));
  }
}

static void put_bar_labels(const html_t *h, const frame_t *f, const bar_layers_t *L, double group_w) {
  int every = group_w >= 11 ? 1 : rpt_to_int(ceil(11 / group_w)); /* keep labels legible on long models */
  for (int k = 0; k < L->n; k += every) {
    double x = PLOT_L + (k + 0.5) * group_w;
    rpt_buf_printf(h->out, "<text transform=\"translate(%.1f %.1f) rotate(-55)\" font-size=\"%d\" text-anchor=\"end\">",
                   x + 3, f->bottom + 10, group_w >= 16 ? 11 : 9);
    rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(L->ids[k], "name", ""));
    rpt_buf_put(h->out, "</text>");
  }
  rpt_buf_put(h->out, "\n");
}

void html_put_layer_bars(const html_t *h) {
  static bar_layers_t L; /* large; the renderer is not re-entrant anyway (single-threaded CLI) */
  collect_layers(h, &L);
  if (L.n == 0) return;
  frame_t f = {14, 236, 1, bars_top(h, &L)};
  double group_w = PLOT_W / L.n, bar_w = group_w * 0.8 / (double)h->ctx->n;
  rpt_buf_put(h->out, "<h2 id=\"bars\">Peak activation memory per layer</h2>\n<figure>");
  if (h->ctx->n > 1) put_legend(h, true, false);
  rpt_buf_printf(h->out,
                 "<svg id=\"layer-bars\" viewBox=\"0 0 %d 330\" role=\"img\" aria-label=\"arena peak per layer\">\n",
                 VIEW_W);
  for (size_t i = 0; i < h->ctx->n; i++) put_patch_stage(h, &f, &L, i, group_w);
  put_y_axis(h, &f, "arena peak in layer");
  for (int k = 0; k < L.n; k++)
    for (size_t i = 0; i < h->ctx->n; i++) {
      const cJSON *row = layer_of(h->ctx->reports[i], L.ids[k]);
      if (row) put_bar(h, &f, i, row, PLOT_L + k * group_w + group_w * 0.1 + (double)i * bar_w, bar_w);
    }
  rpt_buf_printf(h->out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8a94a3\"/>\n", PLOT_L, PLOT_R,
                 f.bottom, f.bottom);
  put_budget_lines(h, &f);
  put_bar_labels(h, &f, &L, group_w);
  rpt_buf_put(h->out, "</svg><figcaption>Highest arena (activation) bytes live while each layer runs, in execution "
                      "order, as in the MCUNetV2 paper's memory-distribution figure: the first blocks dominate "
                      "layer-by-layer; patch-based execution flattens them. Hover a bar for exact figures."
                      "</figcaption></figure>\n");
}
