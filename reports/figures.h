/* reports/figures.h — the figures of a report, declared once: what each is called, where it is in a report, its
 * unit and how it prints. Every renderer that lists figures maps onto this list instead of keeping its own:
 * `check` (its figures, growth limits, JUnit cases), `compare` (its figure rows), the CSV exports (their figure
 * columns), the text summary and the HTML/Perfetto/massif exports, and the sweep/merge tables
 * (workloads/explore/sweep_table.c). Each keeps only what is its own: which figures it shows, in which order, and
 * (check) its limits.
 *
 * Public: code outside reports/ may use the list and its accessors (the header needs cJSON only). Never prints. */
#ifndef MCUSIM_RPT_FIGURES_H
#define MCUSIM_RPT_FIGURES_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum {
  RPT_UNIT_COUNT, /* instructions, cycles, MACs, calls */
  RPT_UNIT_BYTES,
  RPT_UNIT_MS,    /* milliseconds: check's latency and its limits */
  RPT_UNIT_US,    /* microseconds, as reports store latency; shown as ms */
  RPT_UNIT_RATIO, /* cycles per MAC */
} rpt_unit_t;

/* Where a figure is also a field of per-range rows. */
#define RPT_ROW_LAYER 1u /* layers[] */
#define RPT_ROW_PATCH 2u /* patches[] */
#define RPT_ROW_BOTH (RPT_ROW_LAYER | RPT_ROW_PATCH)

/* Columns: enum suffix; key (the field's name in report objects and rows, and the name compare's figures, the CSV
 * headers and the sweep tables give it); path of the run's total in a report (NULL: the report has no total, the
 * renderer derives one or it exists only in rows); rows it is a field of; unit; decimals when printed as a plain
 * number (CSV); label for people. The order is the sweep table's; renderers choose their own. No "smaller is better"
 * column: every figure anything compares (memory, work, time) is better smaller. */
#define RPT_FIGURES(X)                                                                                                 \
  X(PEAK, "peak_bytes", "memory.peak_bytes", 0, RPT_UNIT_BYTES, 0, "peak SRAM")                                        \
  X(ARENA_PEAK, "arena_peak_bytes", "memory.arena_peak_bytes", RPT_ROW_BOTH, RPT_UNIT_BYTES, 0, "arena peak")          \
  X(STATIC, "static_bytes", "memory.static_bytes", 0, RPT_UNIT_BYTES, 0, "static")                                     \
  X(STACK_PEAK, "stack_peak_bytes", "memory.stack_peak_bytes", 0, RPT_UNIT_BYTES, 0, "stack peak")                     \
  X(SRAM, "sram_bytes", "memory.sram_bytes", 0, RPT_UNIT_BYTES, 0, "SRAM")                                             \
  X(OVERFLOW, "overflow_bytes", "memory.overflow_bytes", 0, RPT_UNIT_BYTES, 0, "overflow")                             \
  X(MACS, "macs", NULL, RPT_ROW_BOTH, RPT_UNIT_COUNT, 0, "MACs overall")                                               \
  X(INSTRUCTIONS, "instructions", "totals.instructions", RPT_ROW_BOTH, RPT_UNIT_COUNT, 0, "instructions")              \
  X(CYCLES, "cycles", "totals.cycles", RPT_ROW_BOTH, RPT_UNIT_COUNT, 0, "cycles overall")                              \
  X(LATENCY, "latency_us", "totals.latency_us", RPT_ROW_BOTH, RPT_UNIT_US, 3, "latency")                               \
  X(STAGE_MACS, "stage_macs", NULL, 0, RPT_UNIT_COUNT, 0, "MACs patch stage")                                          \
  X(STAGE_CYCLES, "stage_cycles", NULL, 0, RPT_UNIT_COUNT, 0, "cycles patch stage")                                    \
  X(CALLS, "calls", NULL, RPT_ROW_LAYER, RPT_UNIT_COUNT, 0, "calls")                                                   \
  X(CYCLES_PER_MAC, "cycles_per_mac", NULL, RPT_ROW_LAYER, RPT_UNIT_RATIO, 3, "cycles/MAC")                            \
  X(ARENA_AT_ENTRY, "arena_at_entry_bytes", NULL, RPT_ROW_BOTH, RPT_UNIT_BYTES, 0, "arena at entry")                   \
  X(TOUCHED, "touched_bytes", "memory.touched_bytes", 0, RPT_UNIT_BYTES, 0, "touched")                                 \
  X(STACK_PAINTED, "stack_painted_bytes", "memory.stack_painted_bytes", 0, RPT_UNIT_BYTES, 0, "stack by painting")     \
  X(OVERFLOW_MAPPED, "overflow_mapped_bytes", "memory.overflow_mapped_bytes", 0, RPT_UNIT_BYTES, 0, "overflow mapped") \
  X(FLASH_USED, "flash_used_bytes", "firmware.flash_used_bytes", 0, RPT_UNIT_BYTES, 0, "flash used")                   \
  X(TEXT, "text_bytes", "firmware.text_bytes", 0, RPT_UNIT_BYTES, 0, "text")                                           \
  X(RODATA, "rodata_bytes", "firmware.rodata_bytes", 0, RPT_UNIT_BYTES, 0, "rodata")                                   \
  X(FLASH, "flash_bytes", "profile.flash_bytes", 0, RPT_UNIT_BYTES, 0, "flash")

typedef enum {
#define RPT_FIGURE_ENUM(id, ...) RPT_FIGURE_##id,
  RPT_FIGURES(RPT_FIGURE_ENUM)
#undef RPT_FIGURE_ENUM
      RPT_FIGURE_COUNT
} rpt_figure_t;

typedef struct {
  const char *key, *path;
  unsigned rows; /* RPT_ROW_* */
  rpt_unit_t unit;
  int decimals;
  const char *label;
} rpt_figure_info_t;

/* The list's row for fig; NULL when fig is out of range. */
const rpt_figure_info_t *rpt_figure(rpt_figure_t fig);
/* The figure whose key is `key` ("peak_bytes"); -1 when none. */
int rpt_figure_by_key(const char *key);

/* The run's total of fig in a report (rpt_number at its path): 0 with the value, -1 when the report lacks it or the
 * figure has no total path. */
int rpt_figure_total(const cJSON *report, rpt_figure_t fig, double *out);
/* fig in one layers[] / patches[] row (rpt_number at its key): 0 with the value, -1 when absent. */
int rpt_figure_in_row(const cJSON *row, rpt_figure_t fig, double *out);
/* The same with the stand-in for an absent figure named by the caller (rpt_num_or): 0 where a table shows absence as
 * 0, NAN where it must stay absent. */
double rpt_figure_total_or(const cJSON *report, rpt_figure_t fig, double absent);
double rpt_figure_in_row_or(const cJSON *row, rpt_figure_t fig, double absent);

/* An amount for people: "1,204,332", "18,432 B", "12.345 ms" (RPT_UNIT_US and RPT_UNIT_MS alike), "-" for NAN. */
void rpt_format_amount(double value, rpt_unit_t unit, char *buf, size_t size);

#endif /* MCUSIM_RPT_FIGURES_H */
