/* reports/check.h — the regression gate behind `mcusim check`: compares a report with a baseline report figure
 * by figure (totals and per layer) against thresholds and absolute budgets, and renders the verdict as a
 * bloat-o-meter-style text table, JUnit XML, GitHub annotations and a Markdown summary (docs/check.md).
 * Reads cJSON trees from rpt_read; never prints on its own: renderers write to the FILE given.
 * Ownership: rpt_check_run returns a result the caller frees with rpt_check_free. */
#ifndef MCUSIM_RPT_CHECK_H
#define MCUSIM_RPT_CHECK_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/figures.h"

/* The figures the gate compares, in the order it shows them, mapped onto the report's figures (reports/figures.h).
 * Columns: enum suffix, figure, name (table, budget file, flags), compared per layer too (1/0), default max growth
 * in percent and in the figure's unit (< 0: no limit of that kind). Defaults: any growth of SRAM fails, cycles and
 * instructions may grow 1%, flash 1%; latency (compared in ms) is shown, gated through cycles. */
#define RPT_CHECK_FIGURES(X)                                                                                           \
  X(CYCLES, RPT_FIGURE_CYCLES, "cycles", 1, 1.0, -1)                                                                   \
  X(INSTRUCTIONS, RPT_FIGURE_INSTRUCTIONS, "instructions", 1, 1.0, -1)                                                 \
  X(LATENCY, RPT_FIGURE_LATENCY, "latency", 0, -1, -1)                                                                 \
  X(PEAK_SRAM, RPT_FIGURE_PEAK, "peak_sram", 0, -1, 0)                                                                 \
  X(ARENA_PEAK, RPT_FIGURE_ARENA_PEAK, "arena_peak", 1, -1, 0)                                                         \
  X(STACK_PEAK, RPT_FIGURE_STACK_PEAK, "stack_peak", 0, -1, 0)                                                         \
  X(FLASH_USED, RPT_FIGURE_FLASH_USED, "flash_used", 0, 1.0, -1)

typedef enum {
#define RPT_FIG_ENUM(id, ...) RPT_FIG_##id,
  RPT_CHECK_FIGURES(RPT_FIG_ENUM)
#undef RPT_FIG_ENUM
      RPT_FIG_COUNT
} rpt_fig_t;

/* One figure's thresholds. A negative value means "no limit of this kind". Growth beyond max_growth_pct (of the
 * baseline) or beyond max_growth (in the figure's unit) is a regression; a value above max is over budget. */
typedef struct {
  double max_growth_pct, max_growth, max;
  int ignore; /* shown, never fails */
} rpt_limit_t;

typedef struct {
  rpt_limit_t totals[RPT_FIG_COUNT];
  rpt_limit_t layers[RPT_FIG_COUNT]; /* used for figures with a per-layer key */
} rpt_budget_t;

/* Figure by name ("cycles", "peak_sram", ...); -1 when unknown. */
int rpt_fig_by_name(const char *name);
const char *rpt_fig_name(rpt_fig_t fig);
/* The report figure a checked figure is (RPT_FIGURE_*). */
rpt_figure_t rpt_fig_figure(rpt_fig_t fig);

/* The defaults above, for totals and layers alike. */
void rpt_budget_defaults(rpt_budget_t *budget);
/* Applies a budget file (JSON, "version": 1; docs/check.md) over `budget`. Strict: an unknown or ill-typed
 * field is an error. `name` is the file name used in messages. Returns 0, or -1 with one line in msg. */
int rpt_budget_parse(rpt_budget_t *budget, const char *text, const char *name, char *msg, size_t msg_size);
int rpt_budget_load(rpt_budget_t *budget, const char *path, char *msg, size_t msg_size);
/* Applies one command-line setting: "FIGURE=VALUE" where FIGURE may be "layers.FIGURE". kind 'g' sets the
 * allowed growth ("2%", "4096", "4 KiB"), 'm' the absolute budget ("320KiB", "100ms"). Returns 0 or -1 + msg. */
int rpt_budget_set(rpt_budget_t *budget, int kind, const char *spec, char *msg, size_t msg_size);

/* 0 when the two reports describe the same profile and firmware model (profile.name, marks.model when both
 * have it); otherwise -1 and one line in msg saying what differs. */
int rpt_check_compatible(const cJSON *report, const cJSON *baseline, char *msg, size_t msg_size);

typedef enum { RPT_CHANGE_SAME, RPT_CHANGE_GREW, RPT_CHANGE_SHRANK, RPT_CHANGE_ADDED, RPT_CHANGE_REMOVED } rpt_change_t;
typedef enum { RPT_VERDICT_OK, RPT_VERDICT_WARN, RPT_VERDICT_FAIL } rpt_verdict_t;

/* One compared figure. `layer` is "" for totals; the "result" row compares how the runs ended (text). */
typedef struct {
  char layer[64];
  const char *figure; /* "cycles", ..., or "result" */
  rpt_unit_t unit;
  int has_old, has_new;
  double old_value, new_value;
  char old_text[48], new_text[48]; /* the result row only */
  rpt_change_t change;
  rpt_verdict_t verdict;
  char why[224];   /* "grew 3.8% > +1%", "over budget 320 KiB" */
  char limit[136]; /* the limit applied, for the table: "+1%", "+0 B", "<= 320 KiB" */
} rpt_check_row_t;

typedef struct {
  rpt_check_row_t *rows;
  size_t n_rows;
  size_t regressions, warnings, grown, shrunk, added, removed;
  char label[160];               /* "person-det-mbv1-r96 layerwise,blocks=4 on stm32f412" */
  char old_sha[17], new_sha[17]; /* first 16 hex digits of the firmware SHA-256s */
} rpt_check_t;

/* Compares `report` (new) against `baseline`. NULL only when out of memory. */
rpt_check_t *rpt_check_run(const cJSON *report, const cJSON *baseline, const rpt_budget_t *budget);
void rpt_check_free(rpt_check_t *check);

/* The delta table and the verdict (last line). Unchanged layer rows are not listed. */
void rpt_check_print(const rpt_check_t *check, FILE *out);
/* JUnit XML: one test case per total figure, per layer, and for the run's result. */
void rpt_check_write_junit(const rpt_check_t *check, const char *suite, FILE *out);
/* GitHub Actions workflow commands: ::error for regressions, ::warning for growth within limits. */
void rpt_check_github_annotations(const rpt_check_t *check, const char *file, FILE *out);
/* A Markdown section for $GITHUB_STEP_SUMMARY. */
void rpt_check_markdown(const rpt_check_t *check, FILE *out);

/* The report as a baseline: a copy without the bulky fields the check never reads (timeline, allocations,
 * result.stdout). NULL when out of memory. */
cJSON *rpt_check_baseline_of(const cJSON *report);

#endif /* MCUSIM_RPT_CHECK_H */
