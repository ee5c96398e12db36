/* reports/figures.c — the list of report figures (figures.h) as a table, and reading and printing them. */
#include "reports/figures.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/rpt.h"

static const rpt_figure_info_t figures[RPT_FIGURE_COUNT] = {
#define RPT_FIGURE_INFO(id, key, path, rows, unit, decimals, label) {key, path, rows, unit, decimals, label},
    RPT_FIGURES(RPT_FIGURE_INFO)
#undef RPT_FIGURE_INFO
};

const rpt_figure_info_t *rpt_figure(rpt_figure_t fig) {
  return (unsigned)fig < RPT_FIGURE_COUNT ? &figures[fig] : NULL;
}

int rpt_figure_by_key(const char *key) {
  for (int f = 0; f < RPT_FIGURE_COUNT; f++)
    if (key && !strcmp(figures[f].key, key)) return f;
  return -1;
}

int rpt_figure_total(const cJSON *report, rpt_figure_t fig, double *out) {
  const rpt_figure_info_t *f = rpt_figure(fig);
  return f && f->path ? rpt_number(report, f->path, out) : -1;
}

int rpt_figure_in_row(const cJSON *row, rpt_figure_t fig, double *out) {
  const rpt_figure_info_t *f = rpt_figure(fig);
  return f && f->rows ? rpt_number(row, f->key, out) : -1;
}

double rpt_figure_total_or(const cJSON *report, rpt_figure_t fig, double absent) {
  double value;
  return rpt_figure_total(report, fig, &value) ? absent : value;
}

double rpt_figure_in_row_or(const cJSON *row, rpt_figure_t fig, double absent) {
  double value;
  return rpt_figure_in_row(row, fig, &value) ? absent : value;
}

void rpt_format_amount(double value, rpt_unit_t unit, char *buf, size_t size) {
  if (isnan(value)) {
    snprintf(buf, size, "-");
    return;
  }
  if (unit == RPT_UNIT_US || unit == RPT_UNIT_MS) {
    snprintf(buf, size, "%.3f ms", unit == RPT_UNIT_US ? value / 1000.0 : value);
    return;
  }
  char digits[32];
  rpt_group_digits(rpt_to_u64(value + 0.5), digits, sizeof digits);
  snprintf(buf, size, "%s%s", digits, unit == RPT_UNIT_BYTES ? " B" : "");
}
