/* reports/compare.c — rpt_compare: reads two mcusim-report/1 trees (docs/report.md) and builds the
 * mcusim-compare/1 tree (docs/compare.md); rpt_compare_print renders it. Figures a report lacks (reports of
 * firmware without layer events, for instance) are null, never guessed. */
#include "reports/compare.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "common/cm.h"
#include "reports/figures.h"
#include "reports/rpt.h"

typedef struct {
  const cJSON *root, *marks, *layers, *patches;
  const char *name, *model, *schedule, *profile;
  double patch_n, patch_layers, sram_bytes;
} side_t;

static void read_side(const cJSON *r, const char *name, side_t *s) {
  memset(s, 0, sizeof *s);
  s->root = r;
  s->name = name ? name : "";
  s->marks = rpt_get(r, "marks");
  s->layers = cJSON_IsArray(rpt_get(r, "layers")) ? rpt_get(r, "layers") : NULL;
  s->patches = cJSON_IsArray(rpt_get(r, "patches")) ? rpt_get(r, "patches") : NULL;
  s->model = rpt_str_or(s->marks, "model", NULL);
  s->schedule = rpt_str_or(s->marks, "schedule", NULL);
  s->profile = rpt_str_or(r, "profile.name", NULL);
  s->patch_n = rpt_num_or(s->marks, "patch_n", NAN);
  s->patch_layers = rpt_num_or(s->marks, "patch_layers", NAN);
  s->sram_bytes = rpt_num_or(r, "profile.sram_bytes", NAN);
}

static int is_patched(const side_t *s) { return s->patch_n > 0 || cJSON_GetArraySize(s->patches) > 0; }

static int in_stage(const side_t *s, const cJSON *row) {
  if (cJSON_IsTrue(rpt_get(row, "patch_stage"))) return 1;
  const double id = rpt_num_or(row, "id", NAN);
  return s->patch_layers > 0 && id >= 0 && id < s->patch_layers;
}

/* Sum of a field over layer rows: all (stage_only 0) or the patch stage's (1); NAN without layer rows. */
static double layers_sum(const side_t *s, rpt_figure_t fig, int stage_only) {
  if (!cJSON_GetArraySize(s->layers)) return NAN;
  double sum = 0;
  int rows = 0;
  const cJSON *row;
  cJSON_ArrayForEach(row, s->layers) {
    if (stage_only && !in_stage(s, row)) continue;
    sum += rpt_figure_in_row_or(row, fig, NAN); /* absent in a row: the sum is absent too */
    rows++;
  }
  return rows ? sum : NAN;
}

static double total_macs(const side_t *s) {
  const double sum = layers_sum(s, RPT_FIGURE_MACS, 0);
  if (!isnan(sum)) return sum;
  return rpt_num_or(s->marks, "macs_lo", NAN) + 4294967296.0 * rpt_num_or(s->marks, "macs_hi", NAN);
}

/* The patch stage's cycles: its patches (stitching included) when there are patches, else its layers. */
static double stage_cycles(const side_t *s) {
  if (!cJSON_GetArraySize(s->patches)) return layers_sum(s, RPT_FIGURE_CYCLES, 1);
  double sum = 0;
  const cJSON *row;
  cJSON_ArrayForEach(row, s->patches) sum += rpt_figure_in_row_or(row, RPT_FIGURE_CYCLES, NAN);
  return sum;
}

static void add_num_or_null(cJSON *o, const char *key, double v) {
  if (isnan(v))
    cJSON_AddNullToObject(o, key);
  else
    cJSON_AddNumberToObject(o, key, v);
}

/* {"a", "b", "delta", "ratio"}: ratio = b / a */
static cJSON *figure(cJSON *figures, const char *key, double a, double b) {
  cJSON *f = cJSON_AddObjectToObject(figures, key);
  add_num_or_null(f, "a", a);
  add_num_or_null(f, "b", b);
  add_num_or_null(f, "delta", b - a);
  add_num_or_null(f, "ratio", a > 0 ? b / a : NAN);
  return f;
}

static cJSON *side_json(const side_t *s) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "report", s->name);
  if (s->model)
    cJSON_AddStringToObject(o, "model", s->model);
  else
    cJSON_AddNullToObject(o, "model");
  if (s->schedule)
    cJSON_AddStringToObject(o, "schedule", s->schedule);
  else
    cJSON_AddNullToObject(o, "schedule");
  cJSON_AddStringToObject(o, "profile", s->profile ? s->profile : "");
  cJSON_AddStringToObject(o, "core",
                          rpt_str_or(s->root, "profile.core", NULL) ? rpt_str_or(s->root, "profile.core", NULL) : "");
  add_num_or_null(o, "clock_hz", rpt_num_or(s->root, "profile.clock_hz", NAN));
  add_num_or_null(o, "sram_bytes", s->sram_bytes);
  add_num_or_null(o, "checksum", rpt_num_or(s->marks, "checksum", NAN));
  add_num_or_null(o, "overflow_mapped_bytes", rpt_figure_total_or(s->root, RPT_FIGURE_OVERFLOW_MAPPED, NAN));
  cJSON_AddBoolToObject(o, "patched", is_patched(s));
  return o;
}

/* Refuses different models or profiles unless allowed; lists what differs in "mismatch" either way. */
static int check_mismatch(const side_t *a, const side_t *b, const rpt_compare_opts_t *o, cJSON *cmp, char *msg,
                          size_t size) {
  cJSON *mm = cJSON_AddArrayToObject(cmp, "mismatch");
  if (a->model && b->model && strcmp(a->model, b->model)) {
    cJSON_AddItemToArray(mm, cJSON_CreateString("model"));
    if (!o->allow_mismatch) {
      cm_msgf(msg, size, "the reports are of different models (%s: %s, %s: %s); --allow-mismatch compares them anyway",
              a->name, a->model, b->name, b->model);
      return -1;
    }
  }
  if (a->profile && b->profile && strcmp(a->profile, b->profile)) {
    cJSON_AddItemToArray(mm, cJSON_CreateString("profile"));
    if (!o->allow_mismatch) {
      cm_msgf(msg, size,
              "the reports are of different profiles (%s: %s, %s: %s); --allow-mismatch compares them anyway", a->name,
              a->profile, b->name, b->profile);
      return -1;
    }
  }
  return 0;
}

/* The device both are judged against: the smaller SRAM of the two profiles (the real part, when the other
 * side ran on a simulation-only profile). */
static void device_json(const side_t *a, const side_t *b, cJSON *cmp) {
  const side_t *dev = !(b->sram_bytes < a->sram_bytes) ? a : b;
  cJSON *d = cJSON_AddObjectToObject(cmp, "device");
  cJSON_AddStringToObject(d, "profile", dev->profile ? dev->profile : "");
  add_num_or_null(d, "sram_bytes", dev->sram_bytes);
  const side_t *sides[2] = {a, b};
  const char *keys[2] = {"a", "b"};
  for (int i = 0; i < 2; i++) {
    cJSON *f = cJSON_AddObjectToObject(d, keys[i]);
    const double peak = rpt_figure_total_or(sides[i]->root, RPT_FIGURE_PEAK, NAN);
    cJSON_AddBoolToObject(f, "fits", peak <= dev->sram_bytes);
    add_num_or_null(f, "overflow_bytes", peak > dev->sram_bytes ? peak - dev->sram_bytes : 0);
    add_num_or_null(f, "free_bytes", peak <= dev->sram_bytes ? dev->sram_bytes - peak : 0);
  }
}

/* Planned figures beside a figure: plan_a / plan_b, from the layer-wise or the patch part of the plan. */
static void plan_beside(cJSON *fig, const cJSON *plan, const side_t *a, const side_t *b, const char *lw_key,
                        const char *patch_key) {
  if (!plan) return;
  const cJSON *patch = rpt_get(plan, "patch");
  const side_t *sides[2] = {a, b};
  const char *keys[2] = {"plan_a", "plan_b"};
  for (int i = 0; i < 2; i++) {
    const int patched = is_patched(sides[i]) && cJSON_IsObject(patch);
    add_num_or_null(fig, keys[i],
                    patched ? rpt_num_or(patch, patch_key, NAN) : rpt_num_or(rpt_get(plan, "layerwise"), lw_key, NAN));
  }
}

static const char *key_of(rpt_figure_t fig) { return rpt_figure(fig)->key; }

/* The figures read from each report as they are, in the order of "figures" (docs/compare.md); derived ones follow. */
static const rpt_figure_t report_figures[] = {RPT_FIGURE_PEAK,       RPT_FIGURE_ARENA_PEAK,   RPT_FIGURE_STATIC,
                                              RPT_FIGURE_STACK_PEAK, RPT_FIGURE_INSTRUCTIONS, RPT_FIGURE_CYCLES,
                                              RPT_FIGURE_LATENCY};

static void figures_json(const side_t *a, const side_t *b, const cJSON *plan, cJSON *cmp) {
  cJSON *f = cJSON_AddObjectToObject(cmp, "figures");
  for (size_t i = 0; i < sizeof report_figures / sizeof *report_figures; i++)
    figure(f, key_of(report_figures[i]), rpt_figure_total_or(a->root, report_figures[i], NAN),
           rpt_figure_total_or(b->root, report_figures[i], NAN));
  plan_beside(cJSON_GetObjectItemCaseSensitive(f, key_of(RPT_FIGURE_ARENA_PEAK)), plan, a, b, "peak_live_bytes",
              "peak_live_bytes");
  plan_beside(figure(f, key_of(RPT_FIGURE_MACS), total_macs(a), total_macs(b)), plan, a, b, "macs", "macs");
  plan_beside(
      figure(f, key_of(RPT_FIGURE_STAGE_MACS), layers_sum(a, RPT_FIGURE_MACS, 1), layers_sum(b, RPT_FIGURE_MACS, 1)),
      plan, a, b, "stage_macs", "stage_macs");
  figure(f, key_of(RPT_FIGURE_STAGE_CYCLES), stage_cycles(a), stage_cycles(b));
}

/* Headline ratios for machines: reduction = a / b (memory), overhead = b / a - 1 (work, time). */
static void summary_json(cJSON *cmp, const side_t *a, const side_t *b) {
  const cJSON *f = rpt_get(cmp, "figures");
  cJSON *s = cJSON_AddObjectToObject(cmp, "summary");
  const double peak = rpt_num_or(rpt_get(f, key_of(RPT_FIGURE_PEAK)), "ratio", NAN);
  const double arena = rpt_num_or(rpt_get(f, key_of(RPT_FIGURE_ARENA_PEAK)), "ratio", NAN);
  add_num_or_null(s, "peak_reduction", peak > 0 ? 1.0 / peak : NAN);
  add_num_or_null(s, "arena_reduction", arena > 0 ? 1.0 / arena : NAN);
  static const struct {
    const char *name;
    rpt_figure_t figure;
  } over[] = {{"mac_overhead", RPT_FIGURE_MACS},
              {"stage_mac_overhead", RPT_FIGURE_STAGE_MACS},
              {"cycle_overhead", RPT_FIGURE_CYCLES},
              {"stage_cycle_overhead", RPT_FIGURE_STAGE_CYCLES},
              {"latency_overhead", RPT_FIGURE_LATENCY}};
  for (size_t i = 0; i < sizeof over / sizeof *over; i++)
    add_num_or_null(s, over[i].name, rpt_num_or(rpt_get(f, key_of(over[i].figure)), "ratio", NAN) - 1.0);
  const double ca = rpt_num_or(a->marks, "checksum", NAN), cb = rpt_num_or(b->marks, "checksum", NAN);
  if (isnan(ca) || isnan(cb))
    cJSON_AddNullToObject(s, "outputs_match");
  else
    cJSON_AddBoolToObject(s, "outputs_match", ca == cb);
}

static const cJSON *find_layer(const cJSON *layers, const char *name) {
  const cJSON *row;
  cJSON_ArrayForEach(row, layers) {
    const char *n = rpt_str_or(row, "name", NULL);
    if (n && !strcmp(n, name)) return row;
  }
  return NULL;
}

static void add_layer_side(cJSON *row, const char *key, const cJSON *layer) {
  if (!layer) {
    cJSON_AddNullToObject(row, key);
    return;
  }
  cJSON *o = cJSON_AddObjectToObject(row, key);
  static const rpt_figure_t fields[] = {RPT_FIGURE_CALLS, RPT_FIGURE_MACS, RPT_FIGURE_CYCLES, RPT_FIGURE_ARENA_PEAK};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
    add_num_or_null(o, key_of(fields[i]), rpt_figure_in_row_or(layer, fields[i], NAN));
  const cJSON *w = rpt_get(layer, "weight_bytes"); /* absent when the report's rows do not carry it */
  if (cJSON_IsNumber(w)) cJSON_AddNumberToObject(o, "weight_bytes", w->valuedouble);
}

static void add_plan_layer(cJSON *row, const char *key, const cJSON *plan_layer, int patched) {
  if (!plan_layer) return;
  cJSON *o = cJSON_AddObjectToObject(row, key);
  add_num_or_null(o, "macs", rpt_num_or(plan_layer, patched ? "patched_macs" : "macs", NAN));
  add_num_or_null(o, "arena_peak_bytes", rpt_num_or(plan_layer, patched ? "patched_live_bytes" : "live_bytes", NAN));
}

static void layer_row(cJSON *rows, const char *name, const side_t *a, const side_t *b, const cJSON *plan) {
  const cJSON *la = find_layer(a->layers, name), *lb = find_layer(b->layers, name);
  cJSON *row = cJSON_CreateObject();
  cJSON_AddStringToObject(row, "name", name);
  cJSON_AddBoolToObject(row, "patch_stage", (la && in_stage(a, la)) || (lb && in_stage(b, lb)));
  add_layer_side(row, "a", la);
  add_layer_side(row, "b", lb);
  const cJSON *pl = plan ? find_layer(rpt_get(plan, "layers"), name) : NULL;
  const int has_patch = plan && cJSON_IsObject(rpt_get(plan, "patch"));
  add_plan_layer(row, "plan_a", pl, has_patch && is_patched(a));
  add_plan_layer(row, "plan_b", pl, has_patch && is_patched(b));
  cJSON_AddItemToArray(rows, row);
}

/* A's layers in order, then B's that A does not have. */
static void layers_json(const side_t *a, const side_t *b, const cJSON *plan, cJSON *cmp) {
  cJSON *rows = cJSON_AddArrayToObject(cmp, "layers");
  const cJSON *row;
  cJSON_ArrayForEach(row, a->layers) {
    const char *name = rpt_str_or(row, "name", NULL);
    if (name) layer_row(rows, name, a, b, plan);
  }
  cJSON_ArrayForEach(row, b->layers) {
    const char *name = rpt_str_or(row, "name", NULL);
    if (name && !find_layer(a->layers, name)) layer_row(rows, name, a, b, plan);
  }
}

cJSON *rpt_compare(const cJSON *ra, const cJSON *rb, const rpt_compare_opts_t *opts, char *msg, size_t msg_size) {
  side_t a, b;
  read_side(ra, opts->a_name, &a);
  read_side(rb, opts->b_name, &b);
  cJSON *cmp = cJSON_CreateObject();
  cJSON_AddStringToObject(cmp, "schema", RPT_COMPARE_SCHEMA);
  if (check_mismatch(&a, &b, opts, cmp, msg, msg_size)) goto fail;
  cJSON_AddItemToObject(cmp, "a", side_json(&a));
  cJSON_AddItemToObject(cmp, "b", side_json(&b));
  device_json(&a, &b, cmp);
  figures_json(&a, &b, opts->plan, cmp);
  summary_json(cmp, &a, &b);
  layers_json(&a, &b, opts->plan, cmp);
  return cmp;
fail:
  cJSON_Delete(cmp);
  return NULL;
}

/* ---- text ---- */

/* Memory shrinks ("3.45x smaller"), work and time grow ("+42.6%"). */
static void fmt_change(double ratio, rpt_unit_t unit, char *buf, size_t size) {
  if (isnan(ratio) || ratio <= 0)
    snprintf(buf, size, "-");
  else if (ratio == 1.0)
    snprintf(buf, size, "same");
  else if (unit == RPT_UNIT_BYTES && ratio < 1)
    snprintf(buf, size, "%.2fx smaller", 1.0 / ratio);
  else if (unit == RPT_UNIT_BYTES && ratio > 1)
    snprintf(buf, size, "%.2fx larger", ratio);
  else
    snprintf(buf, size, "%+.1f%%", 100.0 * (ratio - 1.0));
}

static void print_figure(const cJSON *cmp, rpt_figure_t fig, int with_plan, FILE *out) {
  const rpt_figure_info_t *info = rpt_figure(fig);
  const cJSON *f = rpt_get(rpt_get(cmp, "figures"), info->key);
  char a[40], b[40], change[40], pa[40], pb[40];
  rpt_format_amount(rpt_num_or(f, "a", NAN), info->unit, a, sizeof a);
  rpt_format_amount(rpt_num_or(f, "b", NAN), info->unit, b, sizeof b);
  fmt_change(rpt_num_or(f, "ratio", NAN), info->unit, change, sizeof change);
  fprintf(out, "%-20s %16s %16s  %-14s", info->label, a, b, change);
  if (with_plan && (rpt_get(f, "plan_a") || rpt_get(f, "plan_b"))) {
    rpt_format_amount(rpt_num_or(f, "plan_a", NAN), info->unit, pa, sizeof pa);
    rpt_format_amount(rpt_num_or(f, "plan_b", NAN), info->unit, pb, sizeof pb);
    fprintf(out, " %16s %16s", pa, pb);
  }
  fputc('\n', out);
}

static void print_side(const char *tag, const cJSON *s, FILE *out) {
  const char *model = rpt_line_or(s, "model", NULL), *sched = rpt_line_or(s, "schedule", NULL);
  fprintf(out, "%s  %s  (%s, %s, %s)\n", tag, rpt_line_or(s, "report", "?"), model ? model : "model ?",
          sched ? sched : "schedule ?", rpt_line_or(s, "profile", "?"));
}

static void print_fit(const cJSON *dev, const char *key, FILE *out) {
  const cJSON *f = rpt_get(dev, key);
  char buf[40];
  if (cJSON_IsTrue(rpt_get(f, "fits"))) {
    rpt_format_amount(rpt_num_or(f, "free_bytes", NAN), RPT_UNIT_BYTES, buf, sizeof buf);
    fprintf(out, " %16s", "fits");
    return;
  }
  rpt_format_amount(rpt_num_or(f, "overflow_bytes", NAN), RPT_UNIT_BYTES, buf, sizeof buf);
  char over[48];
  snprintf(over, sizeof over, "over by %s", buf);
  fprintf(out, " %16s", over);
}

static void print_header(const cJSON *cmp, FILE *out) {
  print_side("A", rpt_get(cmp, "a"), out);
  print_side("B", rpt_get(cmp, "b"), out);
  const cJSON *a = rpt_get(cmp, "a"), *dev = rpt_get(cmp, "device");
  char sram[40];
  rpt_format_amount(rpt_num_or(dev, "sram_bytes", NAN), RPT_UNIT_BYTES, sram, sizeof sram);
  fprintf(out, "device  %s: %s %.0f MHz, SRAM %s (%.0f KiB)\n", rpt_line_or(dev, "profile", "?"),
          rpt_line_or(a, "core", "?"), rpt_num_or(a, "clock_hz", NAN) / 1e6, sram,
          rpt_num_or(dev, "sram_bytes", NAN) / 1024.0);
  static const char *const sides[] = {"a", "b"};
  for (int i = 0; i < 2; i++) {
    const double mapped = rpt_num_or(rpt_get(cmp, sides[i]), "overflow_mapped_bytes", NAN);
    char amount[40];
    rpt_format_amount(mapped, RPT_UNIT_BYTES, amount, sizeof amount); /* "8,060,928 B", grouped as elsewhere */
    if (mapped > 0)
      fprintf(out, "note    %c ran with %s of overflow SRAM mapped behind the device's\n", 'A' + i, amount);
  }
  const cJSON *mm = rpt_get(cmp, "mismatch");
  if (cJSON_GetArraySize(mm) > 0) {
    fprintf(out, "note    compared with --allow-mismatch: different");
    const cJSON *item;
    cJSON_ArrayForEach(item, mm) fprintf(out, " %s", rpt_line_or(item, "", "?"));
    fputc('\n', out);
  }
}

/* Both sides against the device's SRAM, under the peak SRAM row. */
static void print_fits(const cJSON *cmp, FILE *out) {
  const cJSON *dev = rpt_get(cmp, "device");
  char label[48];
  snprintf(label, sizeof label, "  vs %.0f KiB", rpt_num_or(dev, "sram_bytes", NAN) / 1024.0);
  fprintf(out, "%-20s", label);
  print_fit(dev, "a", out);
  print_fit(dev, "b", out);
  fputc('\n', out);
}

static void print_summary(const cJSON *cmp, FILE *out) {
  const int plan = rpt_get(cmp, "figures.macs.plan_a") != NULL;
  fprintf(out, "\n%-20s %16s %16s  %-14s", "", "A", "B", "B vs A");
  if (plan) fprintf(out, " %16s %16s", "plan A", "plan B");
  fputc('\n', out);
  /* the people's order: memory, then work and time, each overall and for the patch stage */
  static const rpt_figure_t shown[] = {RPT_FIGURE_PEAK,       RPT_FIGURE_ARENA_PEAK,   RPT_FIGURE_STATIC,
                                       RPT_FIGURE_STACK_PEAK, RPT_FIGURE_MACS,         RPT_FIGURE_STAGE_MACS,
                                       RPT_FIGURE_CYCLES,     RPT_FIGURE_STAGE_CYCLES, RPT_FIGURE_INSTRUCTIONS,
                                       RPT_FIGURE_LATENCY};
  for (size_t i = 0; i < sizeof shown / sizeof *shown; i++) {
    print_figure(cmp, shown[i], plan, out);
    if (shown[i] == RPT_FIGURE_PEAK) print_fits(cmp, out);
  }
  const cJSON *match = rpt_get(cmp, "summary.outputs_match");
  char ca[16] = "?", cb[16] = "?";
  if (cJSON_IsNumber(rpt_get(cmp, "a.checksum")))
    snprintf(ca, sizeof ca, "0x%08lx", (unsigned long)rpt_u64_or(cmp, "a.checksum", 0));
  if (cJSON_IsNumber(rpt_get(cmp, "b.checksum")))
    snprintf(cb, sizeof cb, "0x%08lx", (unsigned long)rpt_u64_or(cmp, "b.checksum", 0));
  fprintf(out, "%-20s %s (checksum %s, %s)\n", "outputs",
          cJSON_IsNull(match)   ? "unknown"
          : cJSON_IsTrue(match) ? "match"
                                : "DIFFER",
          ca, cb);
}

static void print_layer_row(const cJSON *row, bool weights, FILE *out) {
  const cJSON *a = rpt_get(row, "a"), *b = rpt_get(row, "b");
  char calls[24], ma[32], mb[32], cya[32], cyb[32], ra[32], rb[32], wb[32];
  snprintf(calls, sizeof calls, "%.0f/%.0f", cJSON_IsObject(a) ? rpt_num_or(a, "calls", NAN) : 0.0,
           cJSON_IsObject(b) ? rpt_num_or(b, "calls", NAN) : 0.0);
  rpt_format_amount(rpt_num_or(a, "macs", NAN), RPT_UNIT_COUNT, ma, sizeof ma);
  rpt_format_amount(rpt_num_or(b, "macs", NAN), RPT_UNIT_COUNT, mb, sizeof mb);
  rpt_format_amount(rpt_num_or(a, "cycles", NAN), RPT_UNIT_COUNT, cya, sizeof cya);
  rpt_format_amount(rpt_num_or(b, "cycles", NAN), RPT_UNIT_COUNT, cyb, sizeof cyb);
  rpt_format_amount(rpt_num_or(a, "arena_peak_bytes", NAN), RPT_UNIT_COUNT, ra, sizeof ra);
  rpt_format_amount(rpt_num_or(b, "arena_peak_bytes", NAN), RPT_UNIT_COUNT, rb, sizeof rb);
  fprintf(out, "%-18s %c %7s %12s %12s %14s %14s %10s %10s", rpt_line_or(row, "name", "?"),
          cJSON_IsTrue(rpt_get(row, "patch_stage")) ? '*' : ' ', calls, ma, mb, cya, cyb, ra, rb);
  if (weights) { /* B's weight bytes (A's when B lacks the layer): 117 columns, within 120 */
    rpt_format_amount(rpt_num_or(cJSON_IsObject(b) ? b : a, "weight_bytes", NAN), RPT_UNIT_COUNT, wb, sizeof wb);
    fprintf(out, " %10s", wb);
  }
  fputc('\n', out);
}

void rpt_compare_print(const cJSON *cmp, FILE *out) {
  print_header(cmp, out);
  print_summary(cmp, out);
  const cJSON *rows = rpt_get(cmp, "layers");
  if (!cJSON_GetArraySize(rows)) return;
  fprintf(out, "\nper layer (* patch stage: summed over its patches; arena = peak inside the layer, B)\n");
  const cJSON *row;
  bool weights = false;
  cJSON_ArrayForEach(row, rows) weights |=
      rpt_get(rpt_get(row, "a"), "weight_bytes") || rpt_get(rpt_get(row, "b"), "weight_bytes");
  fprintf(out, "%-18s %c %7s %12s %12s %14s %14s %10s %10s%s\n", "layer", ' ', "calls", "MACs A", "MACs B", "cycles A",
          "cycles B", "arena A", "arena B", weights ? "  weights B" : "");
  cJSON_ArrayForEach(row, rows) print_layer_row(row, weights, out);
}

/* ---- flat: "path value" lines for shell scripts (scripts/paper.sh) ---- */

/* One line per value whatever the text holds: newline as \n, a backslash doubled, other control characters (and, in
 * a path, spaces: the first space ends the path) as \xNN. */
static void flat_text(const char *s, int is_path, FILE *out) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\n')
      fputs("\\n", out);
    else if (*p == '\\')
      fputs("\\\\", out);
    else if (*p < 0x20 || *p == 0x7f || (is_path && *p == ' '))
      fprintf(out, "\\x%02x", *p);
    else
      fputc(*p, out);
  }
}

static void flat_value(const cJSON *v, FILE *out) {
  if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 9007199254740992.0)
    fprintf(out, "%.0f", v->valuedouble);
  else if (cJSON_IsNumber(v))
    fprintf(out, "%.6f", v->valuedouble);
  else if (cJSON_IsString(v))
    flat_text(v->valuestring, 0, out);
  else
    fputs(cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null", out);
}

static void flat_walk(const cJSON *node, char *path, size_t len, size_t size, FILE *out) {
  if (!cJSON_IsObject(node) && !cJSON_IsArray(node)) {
    flat_text(path, 1, out);
    fputc(' ', out);
    flat_value(node, out);
    fputc('\n', out);
    return;
  }
  int index = 0;
  const cJSON *child;
  cJSON_ArrayForEach(child, node) {
    int n = cJSON_IsArray(node) ? snprintf(path + len, size - len, "%s%d", len ? "." : "", index++)
                                : snprintf(path + len, size - len, "%s%s", len ? "." : "", child->string);
    if (n > 0 && len + (size_t)n < size) flat_walk(child, path, len + (size_t)n, size, out);
    path[len] = '\0';
  }
}

void rpt_json_print_flat(const cJSON *json, FILE *out) {
  char path[512] = "";
  flat_walk(json, path, 0, sizeof path, out);
}
