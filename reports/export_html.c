/* reports/export_html.c — one self-contained HTML page (inline CSS and SVG, no script, no network): summary cards,
 * the memory timeline over cycles (stacked static / stack / arena, layer bands, patches), for several reports
 * their totals on one time axis with the device's SRAM, per-layer activation bars in the style of the MCUNetV2
 * paper's memory-distribution figure, per-layer and per-patch tables. Tooltips are SVG <title>s with exact
 * figures. Deterministic: numbers only, no dates. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/export_backend.h"
#include "reports/export_html.h"
#include "reports/rpt.h"

/* Report colours: the series of a comparison (memory kinds have theirs in the CSS). */
static const char *const report_colors[] = {"#2f6fca", "#e0592a", "#2a9d6f", "#8e5bb5"};

const char *html_report_color(size_t i) { return report_colors[i % (sizeof report_colors / sizeof *report_colors)]; }

static const char css[] =
    ":root{--ink:#1d2430;--mute:#5b6575;--line:#d9dee6;--bg:#f6f7f9;--static:#9aa5b4;--stack:#f2a93b;"
    "--arena:#2f6fca;--sram:#d7263d}\n"
    "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
    "main{max-width:1080px;margin:0 auto;padding:24px 28px 40px}\n"
    "h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:30px 0 8px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}h3{font-size:14px;margin:16px 0 6px}\n"
    ".sub{color:var(--mute);margin:0 0 16px}.sub code{font-size:12px}\n"
    ".run{margin:12px 0 4px;font-weight:600}.run .dot{display:inline-block;width:10px;height:10px;"
    "border-radius:50%;margin-right:6px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px;margin:6px 0 10px}\n"
    ".card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}\n"
    ".card .k{color:var(--mute);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    ".card .v{font-size:22px;font-weight:650;margin:2px 0}.card .d{color:var(--mute);font-size:12px}\n"
    ".ok{color:#1b7f4b;font-weight:600}.bad{color:var(--sram);font-weight:600}\n"
    ".meter{display:flex;height:8px;border-radius:4px;overflow:hidden;background:#e9ecf1;margin:6px 0 2px}\n"
    ".meter span{display:block;height:100%}\n"
    "figure{margin:8px 0 16px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px}\n"
    "figcaption{color:var(--mute);font-size:12px;margin:2px 4px 0}\n"
    "svg{display:block;width:100%;height:auto}svg text{font-family:inherit;fill:var(--ink)}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--mute);margin:0 4px 4px}\n"
    ".legend i{display:inline-block;width:12px;height:10px;margin-right:5px;vertical-align:-1px}\n"
    "table{border-collapse:collapse;width:100%;background:#fff;font-size:12.5px;margin:4px 0 12px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #eceff3;text-align:right;white-space:nowrap}\n"
    "th{background:#eef1f5;font-weight:600;position:sticky;top:0}td.l,th.l{text-align:left}\n"
    "tr.patch td{background:#f7f9fd}tr.other td{color:var(--mute);font-style:italic}\n"
    ".bar{display:inline-block;height:9px;background:var(--arena);opacity:.75;vertical-align:0;margin-right:4px}\n"
    ".bar.c{background:#6b7a90}\n"
    "footer{color:var(--mute);font-size:12px;margin-top:28px}\n"
    "@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}"
    "figure,.card,table{break-inside:avoid;border-color:#bbb}th{position:static}"
    "h2{break-after:avoid}tr{break-inside:avoid}}\n"
    "@page{size:A4 landscape;margin:12mm}\n";

/* ---- page parts ---- */

static void put_head(const html_t *h) {
  rpt_buf_put(h->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
  rpt_buf_put(h->out, "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>mcusim: ");
  for (size_t i = 0; i < h->ctx->n; i++) {
    if (i) rpt_buf_put(h->out, " vs ");
    rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  }
  rpt_buf_printf(h->out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void put_run_line(const html_t *h, size_t i) {
  const cJSON *r = h->ctx->reports[i];
  rpt_buf_printf(h->out, "<div class=\"run\"><span class=\"dot\" style=\"background:%s\"></span>",
                 html_report_color(i));
  rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  rpt_buf_put(h->out, "</div>\n<p class=\"sub\">");
  const char *model = rpt_str_or(r, "marks.model", ""), *schedule = rpt_str_or(r, "marks.schedule", "");
  if (*model) {
    rpt_buf_put(h->out, "model <b>");
    rpt_buf_escaped(h->out, CM_ESC_HTML, model);
    rpt_buf_put(h->out, "</b>, schedule <b>");
    rpt_buf_escaped(h->out, CM_ESC_HTML, *schedule ? schedule : "?");
    rpt_buf_put(h->out, "</b> &middot; ");
  }
  rpt_buf_put(h->out, "profile <b>");
  rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "profile.name", ""));
  rpt_buf_printf(h->out, "</b> (Cortex-%s, %.0f MHz) &middot; <code>",
                 rpt_core_display(rpt_str_or(r, "profile.core", "")), rpt_clock_hz(r) / 1e6);
  rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "firmware.path", ""));
  rpt_buf_put(h->out, "</code></p>\n");
}

static void put_title(const html_t *h) {
  rpt_buf_put(h->out, "<h1>");
  rpt_buf_put(h->out, h->ctx->n > 1 ? "Memory and latency, side by side" : "Memory and latency");
  rpt_buf_put(h->out, "</h1>\n");
}

static void put_footer(const html_t *h) {
  rpt_buf_put(h->out, "<footer>Rendered by <code>mcusim export --format html</code> from ");
  rpt_buf_put(h->out, h->ctx->n > 1 ? "the JSON reports" : "the JSON report");
  rpt_buf_put(h->out, " (schema <code>mcusim-report/1</code>). 1 KiB = 1024 B. Static = .data + .bss; stack = initial "
                      "SP &minus; lowest SP; arena = live bytes of the firmware's allocations (docs/report.md)."
                      "</footer>\n</main>\n</body>\n</html>\n");
}

static rpt_export_err render(const rpt_export_ctx_t *ctx, rpt_buf_t *out) {
  html_t h = {.ctx = ctx, .out = out};
  html_scale_init(&h);
  put_head(&h);
  put_title(&h);
  for (size_t i = 0; i < ctx->n; i++) {
    put_run_line(&h, i);
    html_put_cards(&h, i);
  }
  if (ctx->n == 2) html_put_comparison(&h);
  html_put_timelines(&h);
  html_put_layer_bars(&h);
  html_put_tables(&h);
  put_footer(&h);
  return RPT_EXPORT_OK;
}

const rpt_export_backend_t rpt_export_html = {
    .name = "html",
    .summary = "self-contained HTML page: cards, memory timeline, per-layer bars and tables",
    .render = render,
};
