/* reports/export_csv.c — per-layer and per-patch tables as CSV (RFC 4180 quoting, LF line ends), one row per layers[] /
 * patches[] entry; with several reports a leading `report` column says which. */
#include <stdio.h>
#include <string.h>

#include "reports/export_backend.h"

/* A column is a report figure (reports/figures.h: header and field are its key, decimals its own) or one of the
 * row's other fields; COL_END ends a table. */
typedef enum { COL_END, COL_FIGURE, COL_INT, COL_STR, COL_BOOL, COL_SHAPE0, COL_SHAPE1, COL_SHAPE2 } col_kind_t;

typedef struct {
  col_kind_t kind;
  const char *header; /* and field; NULL for a figure */
  rpt_figure_t figure;
} column_t;

#define FIGURE(id)                                                                                                     \
  { COL_FIGURE, NULL, RPT_FIGURE_##id }
#define FIELD(kind, name)                                                                                              \
  { COL_##kind, name, RPT_FIGURE_COUNT }

/* params and weight_bytes: empty cells when the report's rows do not carry them (docs/report.md) */
static const column_t layer_columns[] = {
    FIELD(INT, "id"),       FIELD(STR, "name"),         FIELD(STR, "kind"),
    FIELD(SHAPE0, "out_h"), FIELD(SHAPE1, "out_w"),     FIELD(SHAPE2, "out_c"),
    FIELD(INT, "params"),   FIELD(INT, "weight_bytes"), FIGURE(CALLS),
    FIGURE(MACS),           FIGURE(INSTRUCTIONS),       FIGURE(CYCLES),
    FIGURE(LATENCY),        FIGURE(CYCLES_PER_MAC),     FIGURE(ARENA_PEAK),
    FIGURE(ARENA_AT_ENTRY), FIELD(BOOL, "patch_stage"), FIELD(END, NULL),
};

static const column_t patch_columns[] = {
    FIELD(INT, "stage"), FIELD(INT, "index"), FIGURE(MACS),           FIGURE(INSTRUCTIONS), FIGURE(CYCLES),
    FIGURE(LATENCY),     FIGURE(ARENA_PEAK),  FIGURE(ARENA_AT_ENTRY), FIELD(END, NULL),
};

static const char *header_of(const column_t *col) {
  return col->kind == COL_FIGURE ? rpt_figure(col->figure)->key : col->header;
}

static int is_last(const column_t *col) { return col[1].kind == COL_END; }

static void put_cell(rpt_buf_t *out, const cJSON *row, const column_t *col) {
  const char *field = col->kind >= COL_SHAPE0 ? "out_shape" : header_of(col);
  const cJSON *item = rpt_get(row, field);
  switch (col->kind) {
  case COL_FIGURE:
    if (cJSON_IsNumber(item)) rpt_buf_printf(out, "%.*f", rpt_figure(col->figure)->decimals, item->valuedouble);
    break;
  case COL_INT:
    if (cJSON_IsNumber(item)) rpt_buf_printf(out, "%.0f", item->valuedouble);
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
  for (const column_t *c = cols;; c++) {
    rpt_buf_printf(out, "%s%s", header_of(c), is_last(c) ? "\n" : ",");
    if (is_last(c)) break;
  }
}

static void put_rows(rpt_buf_t *out, const cJSON *rows, const column_t *cols, const char *label) {
  const cJSON *row;
  cJSON_ArrayForEach(row, rows) {
    if (label) {
      rpt_buf_escaped(out, CM_ESC_CSV, label);
      rpt_buf_put(out, ",");
    }
    for (const column_t *c = cols;; c++) {
      put_cell(out, row, c);
      rpt_buf_put(out, is_last(c) ? "\n" : ",");
      if (is_last(c)) break;
    }
  }
}

static rpt_export_err render(const rpt_export_ctx_t *ctx, rpt_buf_t *out) {
  bool patches = !strcmp(ctx->table, "patches");
  const column_t *cols = patches ? patch_columns : layer_columns;
  for (size_t i = 0; i < ctx->n; i++)
    if (!rpt_array(ctx->reports[i], ctx->table, NULL)) {
      cm_msgf(ctx->msg, ctx->msg_size, "%s: the report has no %s[] (it predates per-layer attribution)", ctx->labels[i],
              ctx->table);
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
