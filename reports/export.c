/* reports/export.c — the format table, output paths and the helpers every backend uses. */
#include "reports/export.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/export_backend.h"
#include "reports/rpt.h"

/* Report writers as a table of backends (STYLE.md): adding a format is one row. */
static const rpt_export_backend_t *const backends[] = {&rpt_export_html, &rpt_export_perfetto, &rpt_export_massif,
                                                       &rpt_export_csv, NULL};

const char *rpt_export_format_name(size_t i, const char **summary) {
  if (i >= sizeof backends / sizeof *backends - 1) return NULL;
  if (summary) *summary = backends[i]->summary;
  return backends[i]->name;
}

/* ---- text buffer ---- */

static bool buf_reserve(rpt_buf_t *b, size_t extra) {
  if (b->failed) return false;
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) cap *= 2;
  char *grown = realloc(b->data, cap);
  if (!grown) {
    b->failed = true;
    return false;
  }
  b->data = grown;
  b->cap = cap;
  return true;
}

void rpt_buf_put(rpt_buf_t *b, const char *text) {
  size_t n = strlen(text);
  if (!buf_reserve(b, n)) return;
  memcpy(b->data + b->len, text, n + 1);
  b->len += n;
}

void rpt_buf_printf(rpt_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !buf_reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static void buf_put_bytes(void *opaque, const char *bytes, size_t len) {
  rpt_buf_t *b = opaque;
  if (!buf_reserve(b, len)) return;
  memcpy(b->data + b->len, bytes, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void rpt_buf_escaped(rpt_buf_t *b, cm_esc_t sink, const char *text) { cm_escape(sink, text, buf_put_bytes, b); }

void rpt_buf_json_str(rpt_buf_t *b, const char *text) {
  char *quoted = cJSON_PrintUnformatted(&(cJSON){.type = cJSON_String, .valuestring = (char *)text});
  if (!quoted) {
    b->failed = true;
    return;
  }
  rpt_buf_put(b, quoted);
  cJSON_free(quoted);
}

void rpt_buf_free(rpt_buf_t *b) {
  free(b->data);
  *b = (rpt_buf_t){0};
}

/* ---- formatting ---- */

const char *rpt_fmt_int(double value, char *buf, size_t size) {
  if (value < 0) {
    char digits[40];
    rpt_group_digits(rpt_to_u64(-value + 0.5), digits, sizeof digits);
    snprintf(buf, size, "-%s", digits);
  } else {
    rpt_group_digits(rpt_to_u64(value + 0.5), buf, size);
  }
  return buf;
}

const char *rpt_fmt_bytes(double bytes, char *buf, size_t size) {
  if (bytes < 1024)
    snprintf(buf, size, "%.0f B", bytes);
  else if (bytes < 1024.0 * 1024)
    snprintf(buf, size, "%.1f KiB", bytes / 1024);
  else
    snprintf(buf, size, "%.2f MiB", bytes / (1024.0 * 1024));
  return buf;
}

double rpt_clock_hz(const cJSON *report) {
  double hz = rpt_num_or(report, "profile.clock_hz", 0);
  return hz >= 1 && isfinite(hz) ? hz : 1e6;
}

double rpt_finite(double value) {
  if (isnan(value)) return 0;
  return isinf(value) ? copysign(DBL_MAX, value) : value;
}

static bool same_field(const cJSON *a, const cJSON *b, const char *key) {
  const cJSON *x = rpt_get(a, key), *y = rpt_get(b, key);
  return (!x && !y) || cJSON_Compare(x, y, true);
}

bool rpt_same_slice(bool patches_only, const cJSON *a, const cJSON *b) {
  return same_field(a, b, "patch") && (patches_only || same_field(a, b, "layer"));
}

const cJSON *rpt_sample_patch(const cJSON *sample) {
  const cJSON *patch = rpt_get(sample, "patch");
  return cJSON_GetArraySize(patch) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(patch, 0)) &&
                 cJSON_IsNumber(cJSON_GetArrayItem(patch, 1))
             ? patch
             : NULL;
}

const char *rpt_patch_name(const cJSON *patch, char *buf, size_t size) {
  if (patch)
    snprintf(buf, size, "%d.%d", rpt_to_int(cJSON_GetArrayItem(patch, 0)->valuedouble),
             rpt_to_int(cJSON_GetArrayItem(patch, 1)->valuedouble));
  else
    snprintf(buf, size, "?");
  return buf;
}

/* ---- labels and output ---- */

/* "build/x/mcunet_patch3.elf" -> "mcunet_patch3" */
static void base_label(const cJSON *report, char *buf, size_t size) {
  const char *path = rpt_str_or(report, "firmware.path", "");
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  size_t len = strlen(base);
  if (len > 4 && !strcmp(base + len - 4, ".elf")) len -= 4;
  if (len == 0) base = "report", len = 6;
  snprintf(buf, size, "%.*s", (int)len, base);
}

/* The base label, with " #2" appended when an earlier report has the same one. */
static void make_label(const cJSON *const *reports, size_t i, char *buf, size_t size) {
  base_label(reports[i], buf, size);
  unsigned same = 1;
  for (size_t j = 0; j < i; j++) {
    char other[128];
    base_label(reports[j], other, sizeof other);
    same += !strcmp(other, buf);
  }
  size_t len = strlen(buf);
  if (same > 1) snprintf(buf + len, size - len, " #%u", same);
}

static const rpt_export_backend_t *find_backend(const char *format) {
  for (const rpt_export_backend_t *const *b = backends; *b; b++)
    if (format && !strcmp((*b)->name, format)) return *b;
  return NULL;
}

static bool is_directory(const char *path) {
  struct stat st;
  size_t len = strlen(path);
  return (len && path[len - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

static bool has_table(const rpt_export_backend_t *b, const char *table) {
  if (!b->tables) return table == NULL;
  if (!table) return true;
  for (const char *const *t = b->tables; *t; t++)
    if (!strcmp(*t, table)) return true;
  return false;
}

static rpt_export_err render_to(const rpt_export_backend_t *b, rpt_export_ctx_t *ctx, const char *path) {
  rpt_buf_t out = {0};
  rpt_export_err err = b->render(ctx, &out);
  if (err == RPT_EXPORT_OK && out.failed) err = RPT_EXPORT_E_NOMEM;
  if (err == RPT_EXPORT_E_NOMEM) cm_msgf(ctx->msg, ctx->msg_size, "out of memory rendering %s", b->name);
  if (err == RPT_EXPORT_OK && cm_write_file(path, out.data ? out.data : "", out.len) != 0) {
    cm_msgf(ctx->msg, ctx->msg_size, "%s: cannot write: %s", path, strerror(errno));
    err = RPT_EXPORT_E_IO;
  }
  rpt_buf_free(&out);
  return err;
}

/* csv into a directory: one file per table (layers.csv, patches.csv). */
static rpt_export_err render_tables(const rpt_export_backend_t *b, rpt_export_ctx_t *ctx, const char *dir) {
  for (const char *const *t = b->tables; *t; t++) {
    char path[4096];
    size_t len = strlen(dir);
    snprintf(path, sizeof path, "%s%s%s.%s", dir, len && dir[len - 1] == '/' ? "" : "/", *t, b->name);
    ctx->table = *t;
    rpt_export_err err = render_to(b, ctx, path);
    if (err) return err;
  }
  return RPT_EXPORT_OK;
}

/* The number of names in a NULL-terminated list. */
static size_t count_names(const char *const *names) {
  size_t n = 0;
  while (names[n]) n++;
  return n;
}

static rpt_export_err check_request(const rpt_export_backend_t *b, const char *format, size_t n,
                                    const rpt_export_opts_t *opts, char *msg, size_t size) {
  char names[128];
  if (!b) {
    const char *formats[sizeof backends / sizeof *backends];
    size_t n_formats = 0;
    for (const rpt_export_backend_t *const *k = backends; *k; k++) formats[n_formats++] = (*k)->name;
    cm_msgf(msg, size, "unknown format '%s' (%s)", format ? format : "",
            rpt_join_names(formats, n_formats, names, sizeof names));
    return RPT_EXPORT_E_USAGE;
  }
  if (n == 0 || (b->max_reports && n > b->max_reports)) {
    cm_msgf(msg, size, "%s takes %s report%s, not %zu", b->name, b->max_reports == 1 ? "one" : "at least one",
            b->max_reports == 1 ? "" : "s", n);
    return RPT_EXPORT_E_USAGE;
  }
  if (!has_table(b, opts->table)) {
    cm_msgf(msg, size, "%s has no table '%s'%s%s%s", b->name, opts->table, b->tables ? " (" : "",
            b->tables ? rpt_join_names(b->tables, count_names(b->tables), names, sizeof names) : "",
            b->tables ? ")" : "");
    return RPT_EXPORT_E_USAGE;
  }
  return RPT_EXPORT_OK;
}

rpt_export_err rpt_export_with(const cJSON *const *reports, size_t n, const char *format, const char *out_path,
                               const rpt_export_opts_t *opts, char *msg, size_t msg_size) {
  static const rpt_export_opts_t defaults = {0};
  if (!opts) opts = &defaults;
  const rpt_export_backend_t *b = find_backend(format);
  rpt_export_err err = check_request(b, format, n, opts, msg, msg_size);
  if (err) return err;
  char(*label_text)[128] = calloc(n, sizeof *label_text);
  const char **labels = calloc(n, sizeof *labels);
  if (!label_text || !labels) {
    err = RPT_EXPORT_E_NOMEM;
    cm_msgf(msg, msg_size, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    make_label(reports, i, label_text[i], sizeof label_text[i]);
    labels[i] = label_text[i];
  }
  rpt_export_ctx_t ctx = {reports, labels, n, opts->table, msg, msg_size};
  if (b->tables && !opts->table && is_directory(out_path)) {
    err = render_tables(b, &ctx, out_path);
  } else if (is_directory(out_path)) {
    cm_msgf(msg, msg_size, "%s: is a directory (%s writes one file)", out_path, b->name);
    err = RPT_EXPORT_E_USAGE;
  } else {
    if (b->tables && !ctx.table) ctx.table = b->tables[0];
    err = render_to(b, &ctx, out_path);
  }
done:
  free(labels);
  free(label_text);
  return err;
}

rpt_export_err rpt_export(const cJSON *const *reports, size_t n, const char *format, const char *out_path, char *msg,
                          size_t msg_size) {
  return rpt_export_with(reports, n, format, out_path, NULL, msg, msg_size);
}
