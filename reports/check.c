/* reports/check.c — the comparison behind `mcusim check`: budgets (defaults, budget file, flags), figure
 * extraction from two report trees, one row per figure and per layer figure with its verdict. Renderers are in
 * check_render.c. */
#include "check.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "rpt.h"

/* A budget file is a few lines; 64 KiB is far past any real one and bounds what a hostile one costs. */
#define RPT_MAX_BUDGET_BYTES ((size_t)64 << 10)

/* The check's own columns of a figure; key, path and unit come from the report's list (figures.h). */
typedef struct {
  rpt_figure_t figure;
  const char *name;
  int per_layer;
  double default_pct, default_abs;
} fig_info_t;

static const fig_info_t figures[RPT_FIG_COUNT] = {
#define RPT_FIG_INFO(id, figure, name, per_layer, pct, abs) {figure, name, per_layer, pct, abs},
    RPT_CHECK_FIGURES(RPT_FIG_INFO)
#undef RPT_FIG_INFO
};

int rpt_fig_by_name(const char *name) {
  for (int f = 0; f < RPT_FIG_COUNT; f++)
    if (!strcmp(figures[f].name, name)) return f;
  return -1;
}

const char *rpt_fig_name(rpt_fig_t fig) { return figures[fig].name; }

rpt_figure_t rpt_fig_figure(rpt_fig_t fig) { return figures[fig].figure; }

/* The check compares and limits times in ms (docs/check.md), whatever unit the report stores them in. */
static rpt_unit_t fig_unit(int fig) {
  rpt_unit_t unit = rpt_figure(figures[fig].figure)->unit;
  return unit == RPT_UNIT_US ? RPT_UNIT_MS : unit;
}

/* "cycles, instructions, arena_peak": the figure names a budget may set, for messages. */
static const char *fig_names(int per_layer_only, char *buf, size_t size) {
  const char *names[RPT_FIG_COUNT];
  size_t n = 0;
  for (int f = 0; f < RPT_FIG_COUNT; f++)
    if (!per_layer_only || figures[f].per_layer) names[n++] = figures[f].name;
  return rpt_join_names(names, n, buf, size);
}

/* ---- budgets ---- */

void rpt_budget_defaults(rpt_budget_t *b) {
  for (int f = 0; f < RPT_FIG_COUNT; f++) {
    rpt_limit_t lim = {figures[f].default_pct, figures[f].default_abs, -1, 0};
    b->totals[f] = lim;
    b->layers[f] = lim;
  }
}

static const char *unit_names(rpt_unit_t unit) {
  return unit == RPT_UNIT_BYTES ? "B, KiB or MiB" : unit == RPT_UNIT_MS ? "us, ms or s" : "no unit";
}

/* Multiplier of a unit suffix into the figure's unit; 0 when the suffix does not belong to it. */
static double unit_scale(const char *suffix, rpt_unit_t unit) {
  static const struct {
    const char *suffix;
    rpt_unit_t unit;
    double scale;
  } table[] = {{"B", RPT_UNIT_BYTES, 1},         {"K", RPT_UNIT_BYTES, 1024},    {"KB", RPT_UNIT_BYTES, 1024},
               {"KiB", RPT_UNIT_BYTES, 1024},    {"M", RPT_UNIT_BYTES, 1 << 20}, {"MB", RPT_UNIT_BYTES, 1 << 20},
               {"MiB", RPT_UNIT_BYTES, 1 << 20}, {"us", RPT_UNIT_MS, 1e-3},      {"ms", RPT_UNIT_MS, 1},
               {"s", RPT_UNIT_MS, 1000}};
  if (!*suffix) return 1;
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (table[i].unit == unit && !strcmp(table[i].suffix, suffix)) return table[i].scale;
  return 0;
}

/* "320 KiB", "100ms", "4096" (the figure's unit) -> value >= 0. */
static int parse_quantity(const char *text, rpt_unit_t unit, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || errno || !isfinite(v) || v < 0) return -1;
  while (*end == ' ') end++;
  double scale = unit_scale(end, unit);
  if (scale == 0) return -1;
  *out = v * scale;
  return 0;
}

/* A quantity field of a budget file: a number in the figure's unit, a string with a unit, or null (no limit). */
static int budget_quantity(const cJSON *item, rpt_unit_t unit, double *out) {
  if (cJSON_IsNull(item)) {
    *out = -1;
    return 0;
  }
  if (cJSON_IsNumber(item) && item->valuedouble >= 0 && isfinite(item->valuedouble)) {
    *out = item->valuedouble;
    return 0;
  }
  return cJSON_IsString(item) ? parse_quantity(item->valuestring, unit, out) : -1;
}

static int budget_limit(rpt_limit_t *lim, const cJSON *obj, int fig, const char *where, const char *name, char *msg,
                        size_t size) {
  if (!cJSON_IsObject(obj)) {
    cm_msgf(msg, size, "%s: %s must be an object", name, where);
    return -1;
  }
  for (const cJSON *f = obj->child; f; f = f->next)
    if (strcmp(f->string, "max_growth_pct") && strcmp(f->string, "max_growth") && strcmp(f->string, "max") &&
        strcmp(f->string, "ignore")) {
      cm_msgf(msg, size, "%s: %s.%s: unknown field (max_growth_pct, max_growth, max, ignore)", name, where, f->string);
      return -1;
    }
  const cJSON *pct = rpt_get(obj, "max_growth_pct");
  const cJSON *abs_growth = rpt_get(obj, "max_growth");
  const cJSON *max = rpt_get(obj, "max");
  const cJSON *ignore = rpt_get(obj, "ignore");
  rpt_unit_t unit = fig_unit(fig);
  if (pct || abs_growth) lim->max_growth_pct = lim->max_growth = -1; /* an entry replaces the default growth limits */
  if (pct && budget_quantity(pct, RPT_UNIT_COUNT, &lim->max_growth_pct)) {
    cm_msgf(msg, size, "%s: %s.max_growth_pct: must be a number >= 0 (percent) or null", name, where);
    return -1;
  }
  if (abs_growth && budget_quantity(abs_growth, unit, &lim->max_growth)) {
    cm_msgf(msg, size, "%s: %s.max_growth: must be a number >= 0 or a string with a unit (%s), or null", name, where,
            unit_names(unit));
    return -1;
  }
  if (max && budget_quantity(max, unit, &lim->max)) {
    cm_msgf(msg, size, "%s: %s.max: must be a number >= 0 or a string with a unit (%s), or null", name, where,
            unit_names(unit));
    return -1;
  }
  if (ignore && !cJSON_IsBool(ignore)) {
    cm_msgf(msg, size, "%s: %s.ignore: must be true or false", name, where);
    return -1;
  }
  if (ignore) lim->ignore = cJSON_IsTrue(ignore);
  return 0;
}

static int budget_section(rpt_limit_t *limits, const cJSON *obj, const char *section, const char *name, char *msg,
                          size_t size) {
  if (!cJSON_IsObject(obj)) {
    cm_msgf(msg, size, "%s: %s must be an object of figures", name, section);
    return -1;
  }
  int layers = !strcmp(section, "layers");
  for (const cJSON *item = obj->child; item; item = item->next) {
    int fig = rpt_fig_by_name(item->string);
    char where[128];
    snprintf(where, sizeof where, "%s.%s", section, item->string);
    if (fig < 0 || (layers && !figures[fig].per_layer)) {
      char known[160];
      cm_msgf(msg, size, "%s: %s: unknown figure (%s)", name, where, fig_names(layers, known, sizeof known));
      return -1;
    }
    if (budget_limit(&limits[fig], item, fig, where, name, msg, size)) return -1;
  }
  return 0;
}

static int budget_top_fields(const cJSON *root, const char *name, char *msg, size_t size) {
  if (!cJSON_IsObject(root)) {
    cm_msgf(msg, size, "%s: a budget file is a JSON object", name);
    return -1;
  }
  const cJSON *version = rpt_get(root, "version");
  if (!version) {
    cm_msgf(msg, size, "%s: version: missing (write \"version\": 1)", name);
    return -1;
  }
  if (!cJSON_IsNumber(version) || version->valuedouble != 1) {
    cm_msgf(msg, size, "%s: version: must be 1 (this mcusim reads budget files of version 1)", name);
    return -1;
  }
  for (const cJSON *f = root->child; f; f = f->next)
    if (strcmp(f->string, "version") && strcmp(f->string, "figures") && strcmp(f->string, "layers") &&
        strcmp(f->string, "comment")) {
      cm_msgf(msg, size, "%s: %s: unknown field (version, figures, layers, comment)", name, f->string);
      return -1;
    }
  return 0;
}

int rpt_budget_parse(rpt_budget_t *b, const char *text, const char *name, char *msg, size_t size) {
  cJSON *root = rpt_parse_json(text, name, msg, size);
  if (!root) return -1;
  int rc = budget_top_fields(root, name, msg, size);
  const cJSON *totals = rpt_get(root, "figures");
  const cJSON *layers = rpt_get(root, "layers");
  if (!rc && totals) rc = budget_section(b->totals, totals, "figures", name, msg, size);
  if (!rc && layers) rc = budget_section(b->layers, layers, "layers", name, msg, size);
  cJSON_Delete(root);
  return rc;
}

int rpt_budget_load(rpt_budget_t *b, const char *path, char *msg, size_t size) {
  char *text = cm_read_file(path, RPT_MAX_BUDGET_BYTES, NULL);
  if (!text && errno == EFBIG) {
    cm_msgf(msg, size, "%s: a budget file is small; this one is over 64 KiB", path);
    return -1;
  }
  if (!text) {
    cm_msgf(msg, size, "%s: cannot read the budget file: %s", path, strerror(errno));
    return -1;
  }
  int rc = rpt_budget_parse(b, text, path, msg, size);
  free(text);
  return rc;
}

int rpt_budget_set(rpt_budget_t *b, int kind, const char *spec, char *msg, size_t size) {
  const char *eq = strchr(spec, '=');
  char name[64];
  const char *flag = kind == 'm' ? "--max" : "--max-growth";
  if (!eq || (size_t)(eq - spec) >= sizeof name) {
    cm_msgf(msg, size, "%s '%s': write FIGURE=VALUE, e.g. %s", flag, spec,
            kind == 'm' ? "peak_sram=320KiB or latency=100ms" : "cycles=2% or stack_peak=256");
    return -1;
  }
  memcpy(name, spec, (size_t)(eq - spec));
  name[eq - spec] = '\0';
  int layers = !strncmp(name, "layers.", 7);
  int fig = rpt_fig_by_name(layers ? name + 7 : name);
  if (fig < 0 || (layers && !figures[fig].per_layer)) {
    cm_msgf(msg, size, "%s '%s': unknown figure '%s'", flag, spec, name);
    return -1;
  }
  rpt_limit_t *lim = layers ? &b->layers[fig] : &b->totals[fig];
  const char *value = eq + 1;
  size_t len = strlen(value);
  if (!strcmp(value, "none")) {
    if (kind == 'm')
      lim->max = -1;
    else
      lim->max_growth_pct = lim->max_growth = -1;
    return 0;
  }
  if (kind == 'g' && len > 1 && value[len - 1] == '%') {
    char pct[64];
    snprintf(pct, sizeof pct, "%.*s", (int)(len - 1), value);
    double v;
    if (!parse_quantity(pct, RPT_UNIT_COUNT, &v)) {
      lim->max_growth_pct = v;
      lim->max_growth = -1;
      return 0;
    }
  } else {
    double v;
    if (!parse_quantity(value, fig_unit(fig), &v)) {
      if (kind == 'm') {
        lim->max = v;
      } else {
        lim->max_growth = v;
        lim->max_growth_pct = -1;
      }
      return 0;
    }
  }
  cm_msgf(msg, size, "%s '%s': '%s' is not a quantity for %s (%s%s)", flag, spec, value, name,
          unit_names(fig_unit(fig)), kind == 'g' ? ", or a percentage" : "");
  return -1;
}

/* ---- reading the reports ---- */

/* A total figure of a report; 0 when the report does not have it. */
static int total_value(const cJSON *report, int fig, double *out) {
  if (fig == RPT_FIG_LATENCY) {
    double cycles, clock_hz, latency_us;
    if (!rpt_number(report, "totals.cycles", &cycles) && !rpt_number(report, "profile.clock_hz", &clock_hz) &&
        clock_hz > 0) {
      *out = cycles * 1000.0 / clock_hz; /* at the profile's clock */
      return 1;
    }
    if (rpt_number(report, "totals.latency_us", &latency_us)) return 0;
    *out = latency_us / 1000.0;
    return 1;
  }
  return !rpt_figure_total(report, figures[fig].figure, out);
}

int rpt_check_compatible(const cJSON *report, const cJSON *baseline, char *msg, size_t size) {
  const char *p_new = rpt_str_or(report, "profile.name", NULL), *p_old = rpt_str_or(baseline, "profile.name", NULL);
  if (p_new && p_old && strcmp(p_new, p_old)) {
    cm_msgf(msg, size, "different profiles: the report is for '%s', the baseline for '%s'", p_new, p_old);
    return -1;
  }
  const char *m_new = rpt_str_or(report, "marks.model", NULL), *m_old = rpt_str_or(baseline, "marks.model", NULL);
  if (m_new && m_old && strcmp(m_new, m_old)) {
    cm_msgf(msg, size, "different firmware models: the report runs '%s', the baseline '%s'", m_new, m_old);
    return -1;
  }
  return 0;
}

/* ---- rows ---- */

static rpt_check_row_t *new_row(rpt_check_t *c, size_t *cap) {
  if (c->n_rows == *cap) {
    size_t grown = *cap ? *cap * 2 : 64;
    rpt_check_row_t *rows = realloc(c->rows, grown * sizeof *rows);
    if (!rows) return NULL;
    c->rows = rows;
    *cap = grown;
  }
  rpt_check_row_t *row = &c->rows[c->n_rows++];
  memset(row, 0, sizeof *row);
  return row;
}

/* Limits people write as "320 KiB" read back the same way. */
static void format_limit(double v, rpt_unit_t unit, char *buf, size_t size) {
  if (unit == RPT_UNIT_BYTES && v >= 1024 && fmod(v, 1024) == 0)
    snprintf(buf, size, fmod(v, 1 << 20) == 0 ? "%g MiB" : "%g KiB", fmod(v, 1 << 20) == 0 ? v / (1 << 20) : v / 1024);
  else if (unit == RPT_UNIT_MS)
    snprintf(buf, size, "%g ms", v);
  else
    rpt_format_amount(v, unit, buf, size);
}

static void describe_limit(rpt_check_row_t *row, const rpt_limit_t *lim) {
  char a[64] = "", b[64] = "", amount[48];
  if (lim->ignore) {
    snprintf(row->limit, sizeof row->limit, "ignored");
    return;
  }
  if (lim->max_growth_pct >= 0) snprintf(a, sizeof a, "+%g%%", lim->max_growth_pct);
  if (lim->max_growth >= 0) {
    format_limit(lim->max_growth, row->unit, amount, sizeof amount);
    snprintf(a + strlen(a), sizeof a - strlen(a), "%s+%s", *a ? " " : "", amount);
  }
  if (lim->max >= 0) {
    format_limit(lim->max, row->unit, amount, sizeof amount);
    snprintf(b, sizeof b, "<= %s", amount);
  }
  snprintf(row->limit, sizeof row->limit, "%s%s%s", a, *a && *b ? ", " : "", b);
}

static void judge_growth(rpt_check_row_t *row, const rpt_limit_t *lim) {
  double delta = row->new_value - row->old_value;
  row->change = delta > 0 ? RPT_CHANGE_GREW : delta < 0 ? RPT_CHANGE_SHRANK : RPT_CHANGE_SAME;
  if (row->change != RPT_CHANGE_GREW) return;
  int over_pct = lim->max_growth_pct >= 0 && delta * 100.0 > lim->max_growth_pct * row->old_value * (1 + 1e-12);
  int over_abs = lim->max_growth >= 0 && delta > lim->max_growth * (1 + 1e-12);
  char amount[48];
  rpt_format_amount(delta, row->unit, amount, sizeof amount);
  if (row->old_value > 0)
    snprintf(row->why, sizeof row->why, "grew by %s (+%.2f%%)", amount, delta * 100.0 / row->old_value);
  else
    snprintf(row->why, sizeof row->why, "grew by %s from 0", amount);
  int limited = lim->max_growth_pct >= 0 || lim->max_growth >= 0; /* unlimited growth (latency) is only shown */
  row->verdict = lim->ignore || !limited  ? RPT_VERDICT_OK
                 : (over_pct || over_abs) ? RPT_VERDICT_FAIL
                                          : RPT_VERDICT_WARN;
  if (row->verdict == RPT_VERDICT_FAIL)
    snprintf(row->why + strlen(row->why), sizeof row->why - strlen(row->why), ", more than %s allowed", row->limit);
}

static void judge_budget(rpt_check_row_t *row, const rpt_limit_t *lim) {
  if (lim->max < 0 || lim->ignore) return;
  char amount[48];
  format_limit(lim->max, row->unit, amount, sizeof amount);
  if (!row->has_new) {
    if (row->verdict == RPT_VERDICT_OK) row->verdict = RPT_VERDICT_WARN;
    snprintf(row->why, sizeof row->why, "not in the report: budget <= %s not checked", amount);
  } else if (row->new_value > lim->max) {
    char value[48];
    rpt_format_amount(row->new_value, row->unit, value, sizeof value);
    size_t n = strlen(row->why);
    snprintf(row->why + n, sizeof row->why - n, "%s%s is over its budget of %s", n ? "; " : "", value, amount);
    row->verdict = RPT_VERDICT_FAIL;
  }
}

/* Fills change, verdict and why of a numeric row from its values and limit. */
static void judge(rpt_check_row_t *row, const rpt_limit_t *lim) {
  describe_limit(row, lim);
  if (row->has_old && row->has_new) {
    judge_growth(row, lim);
  } else if (row->has_new) {
    row->change = RPT_CHANGE_ADDED;
    snprintf(row->why, sizeof row->why, "only in the report (added)");
  } else {
    row->change = RPT_CHANGE_REMOVED;
    row->verdict = lim->ignore ? RPT_VERDICT_OK : RPT_VERDICT_WARN;
    snprintf(row->why, sizeof row->why, "only in the baseline (removed)");
  }
  judge_budget(row, lim);
}

static void count_row(rpt_check_t *c, const rpt_check_row_t *row) {
  c->regressions += row->verdict == RPT_VERDICT_FAIL;
  c->warnings += row->verdict == RPT_VERDICT_WARN;
  c->grown += row->change == RPT_CHANGE_GREW;
  c->shrunk += row->change == RPT_CHANGE_SHRANK;
  c->added += row->change == RPT_CHANGE_ADDED;
  c->removed += row->change == RPT_CHANGE_REMOVED;
}

/* "exit 0", "fault: read_unmapped", "instruction_limit" */
static void describe_result(const cJSON *report, char *buf, size_t size) {
  const char *stop = rpt_str_or(report, "result.stop", NULL);
  double code;
  if (stop && !strcmp(stop, "exit") && !rpt_number(report, "result.exit_code", &code))
    snprintf(buf, size, "exit %d", rpt_to_int(code));
  else if (stop && !strcmp(stop, "fault") && rpt_str_or(report, "result.fault.kind", NULL))
    snprintf(buf, size, "fault: %s", rpt_str_or(report, "result.fault.kind", NULL));
  else
    snprintf(buf, size, "%s", stop ? stop : "unknown");
}

/* How the run ended: a report of a run that did not exit 0 like its baseline is not a valid measurement. */
static int add_result_row(rpt_check_t *c, size_t *cap, const cJSON *report, const cJSON *baseline) {
  rpt_check_row_t *row = new_row(c, cap);
  if (!row) return -1;
  row->figure = "result";
  row->has_old = row->has_new = 1;
  describe_result(baseline, row->old_text, sizeof row->old_text);
  describe_result(report, row->new_text, sizeof row->new_text);
  if (strcmp(row->old_text, row->new_text)) {
    row->verdict = RPT_VERDICT_FAIL;
    snprintf(row->why, sizeof row->why, "the run ended differently: %s, baseline %s", row->new_text, row->old_text);
  } else if (strcmp(row->new_text, "exit 0")) {
    row->verdict = RPT_VERDICT_WARN;
    snprintf(row->why, sizeof row->why, "the run did not exit 0 (neither did the baseline's)");
  }
  count_row(c, row);
  return 0;
}

/* One figure's row, judged against its limit; none when neither report has the figure. layer is "" for totals. */
static int add_figure_row(rpt_check_t *c, size_t *cap, int f, const char *layer, int has_old, double old_value,
                          int has_new, double new_value, const rpt_limit_t *lim) {
  if (!has_old && !has_new) return 0;
  rpt_check_row_t *row = new_row(c, cap);
  if (!row) return -1;
  *row = (rpt_check_row_t){.figure = figures[f].name,
                           .unit = fig_unit(f),
                           .has_old = has_old,
                           .has_new = has_new,
                           .old_value = old_value,
                           .new_value = new_value};
  snprintf(row->layer, sizeof row->layer, "%s", layer);
  judge(row, lim);
  count_row(c, row);
  return 0;
}

static int add_total_rows(rpt_check_t *c, size_t *cap, const cJSON *report, const cJSON *baseline,
                          const rpt_budget_t *b) {
  for (int f = 0; f < RPT_FIG_COUNT; f++) {
    double old_value = 0, new_value = 0;
    int has_old = total_value(baseline, f, &old_value), has_new = total_value(report, f, &new_value);
    if (add_figure_row(c, cap, f, "", has_old, old_value, has_new, new_value, &b->totals[f])) return -1;
  }
  return 0;
}

/* Layers are matched by name (by "#id" when unnamed), so renumbering does not pair unrelated layers; a name
 * repeated in one report matches by occurrence ("name/2" is its second layer). Keys are made one line
 * (CM_ESC_LINE): they are printed at the start of rows, where a name could otherwise forge a CI annotation.
 * The keys of a report's layers are built once, sorted (n log n), and looked up by binary search: a report with
 * thousands of layers is checked in well under a second. */
typedef struct {
  const cJSON *layer;
  const char *name; /* NULL or "" when unnamed */
  size_t order;     /* position in layers[] */
  char key[64];
} layer_entry_t;

typedef struct {
  layer_entry_t *in_order, *by_key; /* the same entries, as in layers[] and sorted by (key, order) */
  size_t n;
} layer_keys_t;

static int by_name(const void *a, const void *b) {
  const layer_entry_t *x = a, *y = b;
  int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_key(const void *a, const void *b) {
  const layer_entry_t *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_order(const void *a, const void *b) {
  const layer_entry_t *x = a, *y = b;
  return (x->order > y->order) - (x->order < y->order);
}

static int layer_keys(const cJSON *layers, layer_keys_t *k) {
  *k = (layer_keys_t){0};
  size_t n = 0;
  for (const cJSON *l = layers ? layers->child : NULL; l; l = l->next) n++;
  if (!n) return 0;
  k->in_order = calloc(n, sizeof *k->in_order);
  k->by_key = calloc(n, sizeof *k->by_key);
  if (!k->in_order || !k->by_key) return -1;
  for (const cJSON *l = layers->child; l; l = l->next, k->n++)
    k->in_order[k->n] = (layer_entry_t){.layer = l, .name = rpt_str_or(l, "name", NULL), .order = k->n};
  qsort(k->in_order, n, sizeof *k->in_order, by_name);
  char raw[sizeof k->in_order->key];
  for (size_t i = 0, repeat = 1; i < n; i++) {
    layer_entry_t *e = &k->in_order[i];
    repeat = i && e->name && k->in_order[i - 1].name && !strcmp(e->name, k->in_order[i - 1].name) ? repeat + 1 : 1;
    if (!e->name || !*e->name)
      snprintf(raw, sizeof raw, "#%d", rpt_int_or(e->layer, "id", -1));
    else if (repeat > 1)
      snprintf(raw, sizeof raw, "%s/%zu", e->name, repeat);
    else
      snprintf(raw, sizeof raw, "%s", e->name);
    cm_escape_buf(CM_ESC_LINE, raw, e->key, sizeof e->key);
  }
  memcpy(k->by_key, k->in_order, n * sizeof *k->by_key);
  qsort(k->by_key, n, sizeof *k->by_key, by_key);
  qsort(k->in_order, n, sizeof *k->in_order, by_order);
  return 0;
}

static void layer_keys_free(layer_keys_t *k) {
  free(k->in_order);
  free(k->by_key);
}

/* The first layer (in layers[] order) with this key, or NULL. */
static const cJSON *find_layer(const layer_keys_t *k, const char *key) {
  size_t lo = 0, hi = k->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(k->by_key[mid].key, key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < k->n && !strcmp(k->by_key[lo].key, key) ? k->by_key[lo].layer : NULL;
}

static int add_layer_rows(rpt_check_t *c, size_t *cap, const char *key, const cJSON *new_layer, const cJSON *old_layer,
                          const rpt_budget_t *b) {
  for (int f = 0; f < RPT_FIG_COUNT; f++) {
    if (!figures[f].per_layer) continue;
    double old_value = 0, new_value = 0;
    int has_old = old_layer && !rpt_figure_in_row(old_layer, figures[f].figure, &old_value);
    int has_new = new_layer && !rpt_figure_in_row(new_layer, figures[f].figure, &new_value);
    if (add_figure_row(c, cap, f, key, has_old, old_value, has_new, new_value, &b->layers[f])) return -1;
  }
  return 0;
}

static int add_layers(rpt_check_t *c, size_t *cap, const cJSON *report, const cJSON *baseline, const rpt_budget_t *b) {
  const cJSON *new_layers = rpt_get(report, "layers");
  const cJSON *old_layers = rpt_get(baseline, "layers");
  layer_keys_t nk, ok;
  int rc = -1;
  if (layer_keys(cJSON_IsArray(new_layers) ? new_layers : NULL, &nk) |
      layer_keys(cJSON_IsArray(old_layers) ? old_layers : NULL, &ok))
    goto fail;
  for (size_t i = 0; i < nk.n; i++)
    if (add_layer_rows(c, cap, nk.in_order[i].key, nk.in_order[i].layer, find_layer(&ok, nk.in_order[i].key), b))
      goto fail;
  for (size_t i = 0; i < ok.n; i++)
    if (!find_layer(&nk, ok.in_order[i].key) &&
        add_layer_rows(c, cap, ok.in_order[i].key, NULL, ok.in_order[i].layer, b))
      goto fail;
  rc = 0;
fail:
  layer_keys_free(&nk);
  layer_keys_free(&ok);
  return rc;
}

static void make_label(rpt_check_t *c, const cJSON *report) {
  const char *model = rpt_str_or(report, "marks.model", NULL), *schedule = rpt_str_or(report, "marks.schedule", NULL);
  const char *profile = rpt_str_or(report, "profile.name", NULL), *path = rpt_str_or(report, "firmware.path", NULL);
  if (model)
    snprintf(c->label, sizeof c->label, "%s%s%s on %s", model, schedule ? " " : "", schedule ? schedule : "",
             profile ? profile : "?");
  else {
    const char *base = path ? strrchr(path, '/') : NULL;
    snprintf(c->label, sizeof c->label, "%s on %s",
             base   ? base + 1
             : path ? path
                    : "firmware",
             profile ? profile : "?");
  }
}

rpt_check_t *rpt_check_run(const cJSON *report, const cJSON *baseline, const rpt_budget_t *b) {
  rpt_check_t *c = calloc(1, sizeof *c);
  size_t cap = 0;
  if (!c) return NULL;
  make_label(c, report);
  char raw[sizeof c->label];
  memcpy(raw, c->label, sizeof raw);
  cm_escape_buf(CM_ESC_LINE, raw, c->label, sizeof c->label); /* printed in the first line of every output */
  const char *sha_old = rpt_str_or(baseline, "firmware.sha256", NULL),
             *sha_new = rpt_str_or(report, "firmware.sha256", NULL);
  cm_escape_buf(CM_ESC_LINE, sha_old ? sha_old : "", c->old_sha, sizeof c->old_sha);
  cm_escape_buf(CM_ESC_LINE, sha_new ? sha_new : "", c->new_sha, sizeof c->new_sha);
  if (add_result_row(c, &cap, report, baseline) || add_total_rows(c, &cap, report, baseline, b) ||
      add_layers(c, &cap, report, baseline, b)) {
    rpt_check_free(c);
    return NULL;
  }
  return c;
}

void rpt_check_free(rpt_check_t *c) {
  if (!c) return;
  free(c->rows);
  free(c);
}

cJSON *rpt_check_baseline_of(const cJSON *report) {
  cJSON *copy = cJSON_Duplicate(report, 1);
  if (!copy) return NULL;
  cJSON_DeleteItemFromObjectCaseSensitive(copy, "timeline");
  cJSON_DeleteItemFromObjectCaseSensitive(copy, "allocations");
  cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(copy, "result"), "stdout");
  return copy;
}
