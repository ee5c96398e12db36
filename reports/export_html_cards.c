/* reports/export_html_cards.c — the summary cards of the HTML page and the two-report comparison strip. */
#include <stdio.h>
#include <string.h>

#include "reports/export_html.h"

double html_total_macs(const cJSON *report) {
  double macs = 0;
  const cJSON *row;
  cJSON_ArrayForEach(row, rpt_array(report, "layers", NULL)) macs += rpt_figure_in_row_or(row, RPT_FIGURE_MACS, 0);
  return macs;
}

static void card_open(const html_t *h, const char *key) {
  rpt_buf_printf(h->out, "<div class=\"card\"><div class=\"k\">%s</div>", key);
}

/* Peak SRAM against the device, with a meter split into static / stack / arena. */
static void put_sram_card(const html_t *h, const cJSON *r) {
  double peak = rpt_figure_total_or(r, RPT_FIGURE_PEAK, 0), sram = rpt_figure_total_or(r, RPT_FIGURE_SRAM, 0);
  double parts[3] = {rpt_figure_total_or(r, RPT_FIGURE_STATIC, 0), rpt_figure_total_or(r, RPT_FIGURE_STACK_PEAK, 0),
                     rpt_figure_total_or(r, RPT_FIGURE_ARENA_PEAK, 0)};
  static const char *const vars[3] = {"static", "stack", "arena"};
  char a[32], b[32], c[32], d[32];
  card_open(h, "peak SRAM");
  rpt_buf_printf(h->out, "<div class=\"v\" title=\"%s B\">%s</div>", rpt_fmt_int(peak, a, sizeof a),
                 rpt_fmt_bytes(peak, b, sizeof b));
  double scale = sram > peak ? sram : peak;
  rpt_buf_put(h->out, "<div class=\"meter\">");
  for (int i = 0; i < 3; i++)
    rpt_buf_printf(h->out, "<span style=\"width:%.2f%%;background:var(--%s)\" title=\"%s %s B\"></span>",
                   scale > 0 ? 100 * parts[i] / scale : 0, vars[i], vars[i], rpt_fmt_int(parts[i], a, sizeof a));
  rpt_buf_put(h->out, "</div><div class=\"d\">");
  if (cJSON_IsFalse(rpt_get(r, "memory.fits")))
    rpt_buf_printf(h->out, "<span class=\"bad\">overflows</span> %s by %s", rpt_fmt_bytes(sram, a, sizeof a),
                   rpt_fmt_bytes(rpt_figure_total_or(r, RPT_FIGURE_OVERFLOW, 0), b, sizeof b));
  else
    rpt_buf_printf(h->out, "<span class=\"ok\">fits</span> in %s (%s free)", rpt_fmt_bytes(sram, a, sizeof a),
                   rpt_fmt_bytes(sram - peak, b, sizeof b));
  rpt_buf_printf(h->out, "<br>%s static + %s stack + %s arena B</div></div>\n", rpt_fmt_int(parts[0], a, sizeof a),
                 rpt_fmt_int(parts[1], c, sizeof c), rpt_fmt_int(parts[2], d, sizeof d));
}

static void put_latency_card(const html_t *h, const cJSON *r) {
  char a[32];
  card_open(h, "latency");
  rpt_buf_printf(h->out,
                 "<div class=\"v\">%.1f ms</div><div class=\"d\">one run at %.0f MHz (%s &micro;s)</div></div>\n",
                 rpt_figure_total_or(r, RPT_FIGURE_LATENCY, 0) / 1000, rpt_clock_hz(r) / 1e6,
                 rpt_fmt_int(rpt_figure_total_or(r, RPT_FIGURE_LATENCY, 0), a, sizeof a));
}

static void put_cycles_card(const html_t *h, const cJSON *r) {
  char a[32], b[32];
  double cycles = rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0),
         insns = rpt_figure_total_or(r, RPT_FIGURE_INSTRUCTIONS, 0);
  card_open(h, "cycles");
  rpt_buf_printf(h->out,
                 "<div class=\"v\">%s</div><div class=\"d\">%s instructions, %.2f cycles/instruction</div></div>\n",
                 rpt_fmt_int(cycles, a, sizeof a), rpt_fmt_int(insns, b, sizeof b), insns > 0 ? cycles / insns : 0);
}

static void put_macs_card(const html_t *h, const cJSON *r) {
  double macs = html_total_macs(r);
  if (macs <= 0) return;
  char a[32];
  card_open(h, "MACs");
  rpt_buf_printf(h->out, "<div class=\"v\">%s</div><div class=\"d\">%.2f cycles/MAC over the whole run</div></div>\n",
                 rpt_fmt_int(macs, a, sizeof a), rpt_figure_total_or(r, RPT_FIGURE_CYCLES, 0) / macs);
}

/* Energy appears only when the report carries it: totals.energy_uj, written when the profile has power figures
 * (docs/report.md; the card had looked for an energy.total_uj no report writes). */
static void put_energy_card(const html_t *h, const cJSON *r) {
  double energy_uj;
  if (rpt_number(r, "totals.energy_uj", &energy_uj)) return;
  card_open(h, "energy");
  if (energy_uj >= 1000)
    rpt_buf_printf(h->out, "<div class=\"v\">%.1f mJ</div><div class=\"d\">per run (%.1f &micro;J)</div></div>\n",
                   rpt_finite(energy_uj / 1000), rpt_finite(energy_uj));
  else
    rpt_buf_printf(h->out, "<div class=\"v\">%.1f &micro;J</div><div class=\"d\">per run</div></div>\n",
                   rpt_finite(energy_uj));
}

static void put_result_card(const html_t *h, const cJSON *r) {
  const char *stop = rpt_str_or(r, "result.stop", "");
  const cJSON *code = rpt_get(r, "result.exit_code");
  bool ok = !strcmp(stop, "exit") && cJSON_IsNumber(code) && code->valueint == 0;
  card_open(h, "result");
  rpt_buf_printf(h->out, "<div class=\"v %s\">", ok ? "ok" : "bad");
  rpt_buf_escaped(h->out, CM_ESC_HTML, ok ? "exit 0" : stop);
  rpt_buf_put(h->out, "</div><div class=\"d\">");
  if (cJSON_IsNumber(code))
    rpt_buf_printf(h->out, "firmware exit code %d", code->valueint);
  else
    rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "result.fault.message", ""));
  rpt_buf_put(h->out, "</div></div>\n");
}

void html_put_cards(const html_t *h, size_t report) {
  const cJSON *r = h->ctx->reports[report];
  rpt_buf_put(h->out, "<section class=\"cards\">\n");
  put_sram_card(h, r);
  put_latency_card(h, r);
  put_cycles_card(h, r);
  put_macs_card(h, r);
  put_energy_card(h, r);
  put_result_card(h, r);
  rpt_buf_put(h->out, "</section>\n");
}

/* "A -> B (x0.31, -69.0%)" for one figure of two reports. */
static void put_delta_card(const html_t *h, const char *key, double a, double b, bool bytes) {
  char x[32], y[32];
  card_open(h, key);
  if (bytes)
    rpt_buf_printf(h->out, "<div class=\"v\">%s &rarr; ", rpt_fmt_bytes(a, x, sizeof x));
  else
    rpt_buf_printf(h->out, "<div class=\"v\">%s &rarr; ", rpt_fmt_int(a, x, sizeof x));
  rpt_buf_put(h->out, bytes ? rpt_fmt_bytes(b, y, sizeof y) : rpt_fmt_int(b, y, sizeof y));
  rpt_buf_put(h->out, "</div><div class=\"d\">");
  if (a > 0 && b > 0 && b < a)
    rpt_buf_printf(h->out, "%.2f&times; less (%+.1f%%)", a / b, 100 * (b - a) / a);
  else if (a > 0)
    rpt_buf_printf(h->out, "%+.1f%%", 100 * (b - a) / a);
  rpt_buf_put(h->out, "</div></div>\n");
}

void html_put_comparison(const html_t *h) {
  const cJSON *a = h->ctx->reports[0], *b = h->ctx->reports[1];
  rpt_buf_put(h->out, "<h2>Second against first</h2>\n<section class=\"cards\">\n");
  put_delta_card(h, "peak SRAM", rpt_figure_total_or(a, RPT_FIGURE_PEAK, 0), rpt_figure_total_or(b, RPT_FIGURE_PEAK, 0),
                 true);
  put_delta_card(h, "arena peak", rpt_figure_total_or(a, RPT_FIGURE_ARENA_PEAK, 0),
                 rpt_figure_total_or(b, RPT_FIGURE_ARENA_PEAK, 0), true);
  put_delta_card(h, "cycles", rpt_figure_total_or(a, RPT_FIGURE_CYCLES, 0),
                 rpt_figure_total_or(b, RPT_FIGURE_CYCLES, 0), false);
  if (html_total_macs(a) > 0 && html_total_macs(b) > 0)
    put_delta_card(h, "MACs", html_total_macs(a), html_total_macs(b), false);
  rpt_buf_put(h->out, "</section>\n");
}
