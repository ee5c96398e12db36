/* reports/export_html.h — the parts of the HTML page (internal to reports/export_html*.c). */
#ifndef MCUSIM_RPT_EXPORT_HTML_H
#define MCUSIM_RPT_EXPORT_HTML_H

#include "reports/export_backend.h"

typedef struct {
  const rpt_export_ctx_t *ctx;
  rpt_buf_t *out;
  double max_cycles;     /* longest run: the shared time axis */
  double max_sram_bytes; /* the top of the memory axis: largest peak or device SRAM, whichever is higher */
} html_t;

const char *html_report_color(size_t i);

void html_scale_init(html_t *h);
void html_put_cards(const html_t *h, size_t report);
void html_put_comparison(const html_t *h);
void html_put_timelines(const html_t *h);
void html_put_layer_bars(const html_t *h);
void html_put_tables(const html_t *h);
void html_put_layer_delta(const html_t *h); /* two reports: per-layer old, new, delta */
void html_put_allocations(const html_t *h); /* the allocations live at each report's arena peak */
void html_put_functions(const html_t *h);   /* the function profile, when a report has one */

/* A layer row of report with the same id as `like`, NULL when none. */
const cJSON *html_find_layer(const cJSON *report, const cJSON *id);

/* Top of a memory axis above `bytes`, rounded to a tick. */
double html_frame_top_bytes(double bytes);

/* Total MACs declared by the firmware over all layers (0 without layers[]). */
double html_total_macs(const cJSON *report);

#endif /* MCUSIM_RPT_EXPORT_HTML_H */
