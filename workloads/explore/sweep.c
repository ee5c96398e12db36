/* workloads/explore/sweep.c — sweep matrix, job numbering, shards, report figures (sweep.h). */
#include "workloads/explore/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "reports/rpt.h"

static char *dup_printf(const char *fmt, const char *a, const char *b) {
  size_t len = strlen(fmt) + strlen(a) + strlen(b) + 1;
  char *s = malloc(len);
  if (s) snprintf(s, len, fmt, a, b);
  return s;
}

static char *resolve_model(const char *name, const char *base_dir, const char *models_dir) {
  const size_t len = strlen(name);
  const int is_path = strchr(name, '/') || (len > 5 && !strcmp(name + len - 5, ".json"));
  if (!is_path) return dup_printf("%s/%s.json", models_dir, name);
  if (name[0] == '/') return strdup(name);
  return dup_printf("%s/%s", base_dir, name);
}

/* One axis: a non-empty array of strings. */
static int parse_axis(const cJSON *root, const char *key, char **out, size_t *n, char *err, size_t err_len) {
  const cJSON *arr = rpt_get(root, key), *it;
  if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 || cJSON_GetArraySize(arr) > XP_SWEEP_MAX_AXIS)
    return cm_msgf(err, err_len, "\"%s\" must be an array of 1..%d strings", key, XP_SWEEP_MAX_AXIS), -1;
  cJSON_ArrayForEach(it, arr) {
    if (!cJSON_IsString(it) || !*it->valuestring)
      return cm_msgf(err, err_len, "\"%s\" must hold non-empty strings", key), -1;
    if (!(out[(*n)++] = strdup(it->valuestring))) return cm_msgf(err, err_len, "out of memory"), -1;
  }
  return 0;
}

static int check_keys(const cJSON *root, char *err, size_t err_len) {
  static const char *const known[] = {"version", "description", "models", "schedules", "profiles"};
  const cJSON *it;
  cJSON_ArrayForEach(it, root) {
    int ok = 0;
    for (size_t k = 0; k < sizeof known / sizeof *known; k++) ok |= !strcmp(it->string, known[k]);
    if (!ok) return cm_msgf(err, err_len, "unknown field \"%s\"", it->string), -1;
  }
  return 0;
}

int xp_sweep_matrix_parse(const char *json_text, const char *base_dir, const char *models_dir, xp_sweep_matrix_t *out,
                          char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  cJSON *root = cJSON_Parse(json_text);
  int rc = -1;
  const cJSON *v = rpt_get(root, "version");
  if (!cJSON_IsObject(root)) {
    cm_msgf(err, err_len, "not a JSON object");
    goto done;
  }
  if (!cJSON_IsNumber(v) || v->valuedouble != 1) {
    cm_msgf(err, err_len, "\"version\" must be 1");
    goto done;
  }
  if (check_keys(root, err, err_len) || parse_axis(root, "models", out->models, &out->n_models, err, err_len) ||
      parse_axis(root, "schedules", out->schedules, &out->n_schedules, err, err_len) ||
      parse_axis(root, "profiles", out->profiles, &out->n_profiles, err, err_len))
    goto done;
  for (size_t i = 0; i < out->n_models; i++) {
    char *path = resolve_model(out->models[i], base_dir, models_dir);
    free(out->models[i]);
    out->models[i] = path;
  }
  rc = 0;
done:
  cJSON_Delete(root);
  return rc;
}

void xp_sweep_matrix_free(xp_sweep_matrix_t *m) {
  for (size_t i = 0; i < m->n_models; i++) free(m->models[i]);
  for (size_t i = 0; i < m->n_schedules; i++) free(m->schedules[i]);
  for (size_t i = 0; i < m->n_profiles; i++) free(m->profiles[i]);
  memset(m, 0, sizeof *m);
}

size_t xp_sweep_job_count(const xp_sweep_matrix_t *m) { return m->n_models * m->n_schedules * m->n_profiles; }

void xp_sweep_job_cell(const xp_sweep_matrix_t *m, size_t j, size_t *model, size_t *schedule, size_t *profile) {
  *profile = j % m->n_profiles;
  *schedule = j / m->n_profiles % m->n_schedules;
  *model = j / (m->n_profiles * m->n_schedules);
}

/* Appends `s` to buf (file-safe: letters, digits, '.', '-', '+', '_'; ':' ',' '=' become '-', the rest dropped). */
static void append_safe(char *buf, size_t len, const char *s) {
  size_t at = strlen(buf);
  for (; *s && at + 1 < len; s++) {
    char c = *s;
    if (c == ':' || c == ',')
      c = '-';
    else if (c == '=')
      continue;
    else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == '+' || c == '_'))
      continue;
    buf[at++] = c;
  }
  buf[at] = 0;
}

static const char *stem(const char *path, char *buf, size_t len) {
  const char *base = strrchr(path, '/');
  snprintf(buf, len, "%s", base ? base + 1 : path);
  char *dot = strstr(buf, ".json");
  if (dot) *dot = 0;
  return buf;
}

void xp_sweep_job_id(const xp_sweep_matrix_t *m, size_t j, char *buf, size_t len) {
  size_t mi, si, pi;
  char tmp[256];
  xp_sweep_job_cell(m, j, &mi, &si, &pi);
  snprintf(buf, len, "%04zu_", j);
  append_safe(buf, len, stem(m->models[mi], tmp, sizeof tmp));
  append_safe(buf, len, "_");
  append_safe(buf, len, m->schedules[si]);
  append_safe(buf, len, "_");
  append_safe(buf, len, stem(m->profiles[pi], tmp, sizeof tmp));
}

int xp_sweep_parse_shard(const char *text, int *shard_i, int *shard_n) {
  char tail;
  if (sscanf(text, "%d/%d%c", shard_i, shard_n, &tail) != 2) return -1;
  return *shard_n >= 1 && *shard_i >= 1 && *shard_i <= *shard_n ? 0 : -1;
}

int xp_sweep_in_shard(size_t j, int shard_i, int shard_n) { return (int)(j % (size_t)shard_n) == shard_i - 1; }

/* A report figure as a whole number: absent or negative reads as 0. */
static uint64_t whole(double v) { return rpt_to_u64(v); }

static void str(const cJSON *report, const char *path, char *buf, size_t len) {
  snprintf(buf, len, "%s", rpt_str_or(report, path, ""));
}

int xp_sweep_figures(const cJSON *report, xp_sweep_figures_t *f) {
  memset(f, 0, sizeof *f);
  static const char *const required[] = {"memory", "totals", "result", "profile"};
  for (size_t i = 0; i < sizeof required / sizeof *required; i++)
    if (!cJSON_IsObject(rpt_get(report, required[i]))) return -1;
  str(report, "marks.model", f->model, sizeof f->model);
  str(report, "marks.schedule", f->schedule, sizeof f->schedule);
  str(report, "profile.name", f->profile, sizeof f->profile);
  str(report, "result.stop", f->stop, sizeof f->stop);
  double code, sum;
  f->exit_code = rpt_number(report, "result.exit_code", &code) ? -1 : rpt_to_int(code);
  if (!rpt_number(report, "marks.checksum", &sum))
    snprintf(f->checksum, sizeof f->checksum, "0x%08llx", rpt_to_u64(sum));
  f->fits = cJSON_IsTrue(rpt_get(report, "memory.fits"));
  for (int fig = XP_SWEEP_FIRST_FIGURE; fig <= XP_SWEEP_LAST_FIGURE; fig++)
    f->value[fig] = whole(rpt_figure_total_or(report, (rpt_figure_t)fig, 0));
  /* the firmware declares its MACs in two 32-bit marks */
  f->value[RPT_FIGURE_MACS] =
      whole(rpt_num_or(report, "marks.macs_lo", 0)) + (whole(rpt_num_or(report, "marks.macs_hi", 0)) << 32);
  f->latency_us = rpt_figure_total_or(report, RPT_FIGURE_LATENCY, 0);
  return 0;
}
