/* reports/export.h — renders JSON reports into files people look at and tools open: a self-contained HTML page,
 * a Chrome/Perfetto trace, a Valgrind massif file, CSV tables (docs/export.md). Every format reads the cJSON trees
 * only (from rpt_read or rpt_build), never the simulator. Outputs are deterministic and written atomically. */
#ifndef MCUSIM_RPT_EXPORT_H
#define MCUSIM_RPT_EXPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum {
  RPT_EXPORT_OK = 0,
  RPT_EXPORT_E_USAGE, /* unknown format or table, too many reports for the format, bad output path */
  RPT_EXPORT_E_DATA,  /* a report lacks what the format needs (e.g. massif without timeline[]) */
  RPT_EXPORT_E_IO,    /* the output could not be written */
  RPT_EXPORT_E_NOMEM,
} rpt_export_err;

/* Options beyond format and path; zero-initialised means the defaults. */
typedef struct {
  const char *table; /* csv: "layers" (default) or "patches"; ignored by the other formats */
} rpt_export_opts_t;

/* Renders reports[0..n) as `format` ("html", "perfetto", "massif", "csv") into out_path. Several reports are shown
 * side by side (html, perfetto, csv) in the order given. For csv, an out_path that is a directory (or ends in '/')
 * receives layers.csv and patches.csv. On failure writes one line into msg. */
rpt_export_err rpt_export(const cJSON *const *reports, size_t n, const char *format, const char *out_path, char *msg,
                          size_t msg_size);
rpt_export_err rpt_export_with(const cJSON *const *reports, size_t n, const char *format, const char *out_path,
                               const rpt_export_opts_t *opts, char *msg, size_t msg_size);

/* The HTML pages' stylesheet and script (inline in every page; the sweep/merge table uses them too, so its page
 * looks like the report's and its tables sort): static text, never NULL. */
const char *rpt_html_style(void);
const char *rpt_html_script(void);

/* The formats, for usage texts: name and one-line summary of entry i; NULL past the end. */
const char *rpt_export_format_name(size_t i, const char **summary);

#endif /* MCUSIM_RPT_EXPORT_H */
