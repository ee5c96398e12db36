/* reports/export_backend.h — what the export formats share (internal to reports/): a growing text buffer, number
 * formatting, and the backend table row each format fills in (export_html.c, export_perfetto.c, ...). */
#ifndef MCUSIM_RPT_EXPORT_BACKEND_H
#define MCUSIM_RPT_EXPORT_BACKEND_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/cm.h"
#include "reports/export.h"
#include "reports/figures.h" /* the report figures backends show */
#include "reports/rpt.h"     /* rpt_get, rpt_num_or, ...: how every backend reads report fields */

/* Text under construction; after an allocation failure `failed` is set and further appends do nothing. */
typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} rpt_buf_t;

void rpt_buf_put(rpt_buf_t *b, const char *text);
void rpt_buf_printf(rpt_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* text escaped for the sink: CM_ESC_HTML in pages, CM_ESC_CSV in tables (common/cm.h) */
void rpt_buf_escaped(rpt_buf_t *b, cm_esc_t sink, const char *text);
void rpt_buf_json_str(rpt_buf_t *b, const char *text); /* a quoted JSON string */
void rpt_buf_free(rpt_buf_t *b);

/* What a backend gets: the reports, their short labels, the options; it appends to out or fails with msg. */
typedef struct {
  const cJSON *const *reports;
  const char *const *labels; /* one per report: firmware file name without ".elf", made unique */
  size_t n;
  const char *table; /* csv only: "layers" or "patches" */
  char *msg;
  size_t msg_size;
} rpt_export_ctx_t;

/* One output format (TinyEMU-style class: a row of data plus function pointers). */
typedef struct {
  const char *name, *summary;
  size_t max_reports;        /* 0: any number */
  const char *const *tables; /* NULL-terminated, or NULL when the format has a single table */
  rpt_export_err (*render)(const rpt_export_ctx_t *ctx, rpt_buf_t *out);
} rpt_export_backend_t;

extern const rpt_export_backend_t rpt_export_html, rpt_export_perfetto, rpt_export_massif, rpt_export_csv;

/* Formatting: "1,204,332"; bytes as "18.0 KiB" (1024 B, the unit of the MCUNetV2 paper's "kB"). */
const char *rpt_fmt_int(double value, char *buf, size_t size);
const char *rpt_fmt_bytes(double bytes, char *buf, size_t size);

/* The report's profile clock in Hz (falls back to 1 MHz below 1 Hz or when not finite, so times stay finite). */
double rpt_clock_hz(const cJSON *report);

/* A number for a format that has no infinity (JSON, SVG): NaN as 0, +-inf as +-DBL_MAX. */
double rpt_finite(double value);

/* Timeline slices (HTML strips, Perfetto tracks): is sample b in the slice that sample a opened? Same patch (an
 * absent patch is the same as another absent one), and unless patches_only also the same layer. */
bool rpt_same_slice(bool patches_only, const cJSON *a, const cJSON *b);
/* A timeline sample's patch: an array of two numbers, else NULL. */
const cJSON *rpt_sample_patch(const cJSON *sample);
/* "2.1" for a patch from rpt_sample_patch, "?" for none. Returns buf. */
const char *rpt_patch_name(const cJSON *patch, char *buf, size_t size);

#endif /* MCUSIM_RPT_EXPORT_BACKEND_H */
