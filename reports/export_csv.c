/* reports/export_csv.c — per-layer and per-patch tables as CSV (RFC 4180 quoting, LF line ends), one row per layers[] /
 * patches[] entry; with several reports a leading `report` column says which. */
#include <stdio.h>
#include <string.h>

#include "reports/export_backend.h"

typedef enum { COL_INT, COL_DEC3, COL_STR, COL_BOOL, COL_SHAPE0, COL_SHAPE1, COL_SHAPE2 } col_kind_t;

typedef struct {
  const char *header, *field;
  col_kind_t kind;
} column_t;

static const column_t layer_columns[] = {
    {"id", "id", COL_INT},
    {"name", "name", COL_STR},
    {"kind", "kind", COL_STR},
    {"out_h", "out_shape", COL_SHAPE0},
    {"out_w", "out_shape", COL_SHAPE1},
    {"out_c", "out_shape", COL_SHAPE2},
    {"calls", "calls", COL_INT},
    {"macs", "macs", COL_INT},
    {"instructions", "instructions", COL_INT},
    {"cycles", "cycles", COL_INT},
    {"latency_us", "latency_us", COL_DEC3},
    {"cycles_per_mac", "cycles_per_mac", COL_DEC3},
    {"arena_peak_bytes", "arena_peak_bytes", COL_INT},
    {"arena_at_entry_bytes", "arena_at_entry_bytes", COL_INT},
    {"patch_stage", "patch_stage", COL_BOOL},
    {0},
};

static const column_t patch_columns[] = {
    {"stage", "stage", COL_INT},
    {"index", "index", COL_INT},
    {"macs", "macs", COL_INT},
    {"instructions", "instructions", COL_INT},
    {"cycles", "cycles", COL_INT},
    {"latency_us", "latency_us", COL_DEC3},
    {"arena_peak_bytes", "arena_peak_bytes", COL_INT},
    {"arena_at_entry_bytes", "arena_at_entry_bytes", COL_INT},
    {0},
};

static void put_cell(rpt_buf_t *out, const cJSON *row, const column_t *col) {
  const cJSON *item = rpt_get(row, col->field);
  switch (col->kind) {
  case COL_INT:
    if (cJSON_IsNumber(item)) rpt_buf_printf(out, "%.0f", item->valuedouble);
    break;
  case COL_DEC3:
    if (cJSON_IsNumber(item)) rpt_buf_printf(out, "%.3f", item->valuedouble);
    break;
  case COL_STR:
    rpt_buf_escaped(out, CM_ESC_CSV, cJSON_IsString(item) ? item->valuestring : "");
    break;
  case COL_BOOL:
    rpt_buf_put(out, cJSON_IsTrue(item) ? "true" : "false");
    break;
  default: {
    const cJSON *dim = cJSON_IsArray(item) ? cJSON_GetArrayItem(item, (int)(col->kind - COL_SHAPE0)) : NULL;
    if (cJSON_IsNumber(dim)) rpt_buf_printf(out, "%.0f", dim->valuedouble);
  }
  }
}

static void put_header(rpt_buf_t *out, const column_t *cols, bool with_report) {
  if (with_report) rpt_buf_put(out, "report,");
  for (const column_t *c = cols; c->header; c++) rpt_buf_printf(out, "%s%s", c->header, c[1].header ? "," : "\n");
}

static void put_rows(rpt_buf_t *out, const cJSON *rows, const column_t *cols, const char *label) {
  const cJSON *row;
  cJSON_ArrayForEach(row, rows) {
    if (label) {
      rpt_buf_escaped(out, CM_ESC_CSV, label);
      rpt_buf_put(out, ",");
    }
    for (const column_t *c = cols; c->header; c++) {
      put_cell(out, row, c);
      rpt_buf_put(out, c[1].header ? "," : "\n");
    }
  }
}

static rpt_export_err render(const rpt_export_ctx_t *ctx, rpt_buf_t *out) {
  bool patches = !strcmp(ctx->table, "patches");
  const column_t *cols = patches ? patch_columns : layer_columns;
  for (size_t i = 0; i < ctx->n; i++)
    if (!rpt_array(ctx->reports[i], ctx->table, NULL)) {
      snprintf(ctx->msg, ctx->msg_size, "%s: the report has no %s[] (it predates per-layer attribution)",
               ctx->labels[i], ctx->table);
      return RPT_EXPORT_E_DATA;
    }
  put_header(out, cols, ctx->n > 1);
  for (size_t i = 0; i < ctx->n; i++)
    put_rows(out, rpt_array(ctx->reports[i], ctx->table, NULL), cols, ctx->n > 1 ? ctx->labels[i] : NULL);
  return RPT_EXPORT_OK;
}

static const char *const tables[] = {"layers", "patches", NULL};

const rpt_export_backend_t rpt_export_csv = {
    .name = "csv",
    .summary = "per-layer table (--table patches: per-patch; -o DIR/: both)",
    .tables = tables,
    .render = render,
};
