/* workloads/explore/analyze.c — plan, search, build, simulate, verify, and the verdict as JSON (analyze.h). */
#define _GNU_SOURCE
#include "workloads/explore/analyze.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "reports/rpt.h"
#include "workloads/explore/fwbuild.h"
#include "workloads/explore/search.h"
#include "workloads/explore/sweep.h"
#include "workloads/gen/gen_plan.h"

#define MAX_CAND XP_SEARCH_MAX_CANDIDATES

typedef struct {
  const xp_analyze_opts_t *o;
  gen_model_t model;
  gen_plan_t plan; /* layer-wise */
  xp_fw_tools_t tools;
  xp_search_cand_t cand[MAX_CAND];
  size_t n;
  int codes[MAX_CAND];
  xp_sweep_figures_t fig[MAX_CAND];
  int has_fig[MAX_CAND];
  uint64_t flash_used[MAX_CAND];
  uint64_t heap[MAX_CAND]; /* newlib's heap high-water (printf's buffers): in peak_bytes, never in the plan's arena */
  char peak_layer[MAX_CAND][GEN_NAME_MAX], peak_layer_kind[MAX_CAND][24];
  uint64_t peak_layer_bytes[MAX_CAND];
  char no_patch_reason[256];
} analyze_t;

/* ---- the space: search.h's enumeration and pruning, with the part's SRAM as the budget ---- */

static void cand_dir(const analyze_t *a, size_t i, char *buf, size_t len) {
  char safe[128];
  size_t k = 0;
  for (const char *p = a->cand[i].spec; *p && k + 1 < sizeof safe; p++)
    if (*p != '=') safe[k++] = *p == ':' || *p == ',' ? '-' : *p;
  safe[k] = 0;
  snprintf(buf, len, "%s/candidates/%03zu_%s", a->o->work_dir, i, safe);
}

/* Why no patch schedule is valid: the stage heights, or what the planner says of the smallest one. */
static void explain_no_patch(analyze_t *a, const int32_t *stage_h, int heavy) {
  int32_t best_h = 0;
  for (int k = 1; k <= heavy; k++)
    if (stage_h[k] > best_h) best_h = stage_h[k];
  if (best_h < XP_SEARCH_MIN_PATCH_N * XP_SEARCH_MIN_PATCH_ROWS) {
    cm_msgf(a->no_patch_reason, sizeof a->no_patch_reason,
            "no spatial prefix to patch: the memory-heavy stage (the first %d block%s) outputs at most %d rows, "
            "fewer than %d (2 x 2 patches of %d rows)",
            heavy, heavy == 1 ? "" : "s", (int)best_h, XP_SEARCH_MIN_PATCH_N * XP_SEARCH_MIN_PATCH_ROWS,
            XP_SEARCH_MIN_PATCH_ROWS);
    return;
  }
  char name[128], err[256] = "", spec[64];
  rt_schedule_t s;
  static gen_plan_t plan;
  snprintf(spec, sizeof spec, "patch:n=%d,blocks=1", XP_SEARCH_MIN_PATCH_N);
  if (gen_schedule_parse(&a->model, spec, &s, name, sizeof name, err, sizeof err) == 0)
    gen_plan(&a->model, &s, &plan, err, sizeof err);
  cm_msgf(a->no_patch_reason, sizeof a->no_patch_reason, "the runtime refuses every patch schedule (%s: %s)", spec,
          err[0] ? err : "refused");
}

static int enumerate(analyze_t *a, char *err, size_t err_len) {
  char name[128], msg[256];
  rt_schedule_t sched;
  if (gen_schedule_parse(&a->model, "layerwise", &sched, name, sizeof name, msg, sizeof msg) ||
      gen_plan(&a->model, &sched, &a->plan, msg, sizeof msg))
    return cm_msgf(err, err_len, "%s: %s", a->o->model_path, msg), -1;
  static uint64_t live[RT_MAX_LAYERS];
  int32_t stage_h[GEN_MAX_BLOCKS + 1] = {0};
  for (int32_t i = 0; i < a->plan.n_layers; i++) live[i] = a->plan.layers[i].live_bytes;
  for (int k = 1; k <= a->model.n_blocks; k++) stage_h[k] = a->model.layers[a->model.block_first_layer[k] - 1].out_h;
  const int heavy = xp_search_heavy_blocks(&a->model, live);
  const int inputs = a->o->inputs ? a->o->inputs : 1;
  a->n = xp_search_enumerate(heavy, stage_h, inputs, a->cand, MAX_CAND);
  for (size_t i = 0; i < a->n; i++) xp_search_predict(&a->model, &a->cand[i]);
  const xp_search_opts_t so = {prof_sram_bytes(a->o->profile), XP_ANALYZE_OVERHEAD_ESTIMATE, -1, a->o->top, inputs};
  xp_search_prune(a->cand, a->n, &so);
  /* Nothing predicted to fit: still simulate the valid patch schedule the plan predicts smallest, so the verdict
   * can say by how much the model is over even with patches. */
  int valid = -1, kept = 0;
  for (size_t i = 0; i < a->n; i++) {
    if (!a->cand[i].patch_n || !a->cand[i].plan_ok) continue;
    kept |= a->cand[i].prune == XP_SEARCH_KEEP;
    if (valid < 0 || a->cand[i].plan_peak_bytes < a->cand[valid].plan_peak_bytes) valid = (int)i;
  }
  if (valid < 0)
    explain_no_patch(a, stage_h, heavy);
  else if (!kept)
    a->cand[valid].prune = XP_SEARCH_KEEP;
  return 0;
}

/* ---- building and simulating ---- */

static int job(void *ctx, size_t i) {
  analyze_t *a = ctx;
  char dir[XP_FW_PATH_MAX + 200];
  cand_dir(a, i, dir, sizeof dir);
  return xp_fw_job(&a->tools, a->o->model_path, a->cand[i].spec, a->o->profile, a->o->profile_arg, dir);
}

static void job_done(void *ctx, size_t i, int code, double seconds) {
  analyze_t *a = ctx;
  (void)seconds;
  a->codes[i] = code;
  a->cand[i].simulated = 1;
}

/* The layer with the highest arena peak in the report (ties: the first). */
static void peak_layer(analyze_t *a, size_t i, const cJSON *rep) {
  const cJSON *row;
  double best = -1;
  cJSON_ArrayForEach(row, rpt_get(rep, "layers")) {
    const double v = rpt_num_or(row, "arena_peak_bytes", 0);
    if (v <= best) continue;
    best = v;
    snprintf(a->peak_layer[i], sizeof a->peak_layer[i], "%s", rpt_str_or(row, "name", ""));
    snprintf(a->peak_layer_kind[i], sizeof a->peak_layer_kind[i], "%s", rpt_str_or(row, "kind", ""));
    a->peak_layer_bytes[i] = rpt_to_u64(v);
  }
}

static void collect(analyze_t *a, size_t i) {
  char dir[XP_FW_PATH_MAX + 200], path[XP_FW_PATH_MAX + 240], msg[256];
  xp_search_cand_t *c = &a->cand[i];
  cand_dir(a, i, dir, sizeof dir);
  snprintf(path, sizeof path, "%s/report.json", dir);
  cJSON *rep = a->codes[i] == XP_FW_BUILD_FAILED ? NULL : rpt_read(path, msg, sizeof msg);
  if (rep && !xp_sweep_figures(rep, &a->fig[i])) {
    const xp_sweep_figures_t *f = &a->fig[i];
    a->has_fig[i] = 1;
    c->sim_ok = a->codes[i] == XP_FW_OK;
    c->peak_bytes = f->value[RPT_FIGURE_PEAK], c->arena_peak_bytes = f->value[RPT_FIGURE_ARENA_PEAK];
    c->cycles = f->value[RPT_FIGURE_CYCLES], c->macs = f->value[RPT_FIGURE_MACS], c->latency_us = f->latency_us;
    a->flash_used[i] = rpt_u64_or(rep, "firmware.flash_used_bytes", 0);
    a->heap[i] = rpt_u64_or(rep, "memory.heap_bytes", 0);
    peak_layer(a, i, rep);
  }
  cJSON_Delete(rep);
}

static xp_analyze_status_t simulate(analyze_t *a, char *err, size_t err_len) {
  static size_t idx[MAX_CAND];
  size_t n = 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->cand[i].prune == XP_SEARCH_KEEP) idx[n++] = i;
  const char *cores[] = {a->o->profile->core};
  if (xp_fw_prepare_cores(&a->tools, cores, 1, a->o->parallel, err, err_len)) return XP_ANALYZE_INTERNAL;
  xp_pool_opts_t po = {.parallel = a->o->parallel,
                       .progress = a->o->progress,
                       .progress_opaque = a->o->progress_opaque,
                       .stop = a->o->stop};
  const int failed = xp_pool_run(&po, n, idx, job, job_done, a);
  if (a->o->stop && *a->o->stop) return cm_msgf(err, err_len, "interrupted: no verdict"), XP_ANALYZE_INTERRUPTED;
  if (failed < 0) return cm_msgf(err, err_len, "cannot start the build and simulation jobs"), XP_ANALYZE_INTERNAL;
  for (size_t k = 0; k < n; k++) collect(a, idx[k]);
  return XP_ANALYZE_OK;
}

/* ---- the verdict ---- */

static int layerwise_index(const analyze_t *a) {
  for (size_t i = 0; i < a->n; i++)
    if (!a->cand[i].patch_n && a->cand[i].simulated) return (int)i;
  return -1;
}

/* Among the patch schedules on the measured front (none faster uses less SRAM: a patch schedule that saves nothing
 * over layer-wise is not one), the fewest cycles within the part's SRAM; else the least peak SRAM; -1 when no patch
 * schedule ran ok. */
static int patch_index(const analyze_t *a, uint64_t sram) {
  static xp_search_cand_t only[MAX_CAND];
  memcpy(only, a->cand, a->n * sizeof *only);
  for (size_t i = 0; i < a->n; i++)
    if (!only[i].patch_n || !only[i].on_front) only[i].simulated = 0;
  int best = xp_search_choose(only, a->n, sram, 0, 0);
  if (best >= 0) return best;
  for (size_t i = 0; i < a->n; i++)
    if (only[i].simulated && only[i].sim_ok && (best < 0 || only[i].peak_bytes < only[best].peak_bytes)) best = (int)i;
  return best;
}

static void add_u64(cJSON *o, const char *key, uint64_t v) { cJSON_AddNumberToObject(o, key, (double)v); }

static double ratio(double num, double den) { return den > 0 ? num / den : 0; }

/* One schedule: its measured figures against the part. */
static cJSON *schedule_json(const analyze_t *a, int i) {
  if (i < 0) return cJSON_CreateNull();
  const xp_search_cand_t *c = &a->cand[i];
  const uint64_t sram = prof_sram_bytes(a->o->profile), flash = a->o->profile->flash.size;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "schedule", c->spec);
  cJSON_AddNumberToObject(o, "patch_n", c->patch_n);
  cJSON_AddNumberToObject(o, "split_blocks", c->split_blocks);
  cJSON_AddStringToObject(o, "input", c->input_in_arena ? "sram" : "flash");
  cJSON_AddStringToObject(o, "status", c->simulated ? xp_fw_status(a->codes[i]) : "not_simulated");
  add_u64(o, "plan_arena_bytes", c->plan_arena_bytes);
  add_u64(o, "plan_macs", c->plan_macs);
  if (!a->has_fig[i]) return o;
  const xp_sweep_figures_t *f = &a->fig[i];
  add_u64(o, "peak_bytes", c->peak_bytes);
  add_u64(o, "arena_peak_bytes", c->arena_peak_bytes);
  add_u64(o, "static_bytes", f->value[RPT_FIGURE_STATIC]);
  add_u64(o, "stack_peak_bytes", f->value[RPT_FIGURE_STACK_PEAK]);
  add_u64(o, "heap_bytes", a->heap[i]);
  cJSON_AddBoolToObject(o, "fits_sram", c->peak_bytes <= sram);
  add_u64(o, "sram_headroom_bytes", c->peak_bytes <= sram ? sram - c->peak_bytes : 0);
  add_u64(o, "sram_over_bytes", c->peak_bytes > sram ? c->peak_bytes - sram : 0);
  add_u64(o, "flash_used_bytes", a->flash_used[i]);
  cJSON_AddBoolToObject(o, "fits_flash", a->flash_used[i] <= flash);
  add_u64(o, "macs", c->macs);
  add_u64(o, "cycles", c->cycles);
  cJSON_AddNumberToObject(o, "latency_ms", c->latency_us / 1000.0);
  cJSON_AddNumberToObject(o, "cycles_per_mac", ratio((double)c->cycles, (double)c->macs));
  cJSON_AddStringToObject(o, "checksum", f->checksum);
  cJSON *pl = cJSON_AddObjectToObject(o, "peak_layer");
  cJSON_AddStringToObject(pl, "name", a->peak_layer[i]);
  cJSON_AddStringToObject(pl, "kind", a->peak_layer_kind[i]);
  add_u64(pl, "arena_peak_bytes", a->peak_layer_bytes[i]);
  return o;
}

static int fits(const analyze_t *a, int i) {
  return i >= 0 && a->cand[i].sim_ok && a->cand[i].peak_bytes <= prof_sram_bytes(a->o->profile) &&
         a->flash_used[i] <= a->o->profile->flash.size;
}

static cJSON *overheads_json(const analyze_t *a, int lw, int p) {
  if (lw < 0 || p < 0 || !a->cand[lw].sim_ok) return cJSON_CreateNull();
  const xp_search_cand_t *l = &a->cand[lw], *c = &a->cand[p];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "memory_saved_bytes", (double)l->peak_bytes - (double)c->peak_bytes);
  cJSON_AddNumberToObject(o, "memory_saved_fraction",
                          ratio((double)l->peak_bytes - (double)c->peak_bytes, (double)l->peak_bytes));
  cJSON_AddNumberToObject(o, "macs_added", (double)c->macs - (double)l->macs);
  cJSON_AddNumberToObject(o, "mac_overhead", ratio((double)c->macs - (double)l->macs, (double)l->macs));
  cJSON_AddNumberToObject(o, "cycles_added", (double)c->cycles - (double)l->cycles);
  cJSON_AddNumberToObject(o, "latency_added_ms", (c->latency_us - l->latency_us) / 1000.0);
  cJSON_AddNumberToObject(o, "latency_overhead", ratio((double)c->cycles - (double)l->cycles, (double)l->cycles));
  return o;
}

/* Every firmware that ran to its end printed the same checksum (each one also compared it with its native run). */
static cJSON *outputs_json(const analyze_t *a) {
  cJSON *o = cJSON_CreateObject();
  const char *first = NULL;
  int same = 1, runs = 0;
  for (size_t i = 0; i < a->n; i++) {
    if (!a->has_fig[i] || !a->fig[i].checksum[0] || a->codes[i] == XP_FW_BUILD_FAILED) continue;
    runs++;
    if (!first)
      first = a->fig[i].checksum;
    else if (strcmp(first, a->fig[i].checksum))
      same = 0;
  }
  cJSON_AddBoolToObject(o, "identical", runs > 0 && same);
  cJSON_AddNumberToObject(o, "runs", runs);
  if (first && same)
    cJSON_AddStringToObject(o, "checksum", first);
  else
    cJSON_AddNullToObject(o, "checksum");
  return o;
}

static const char *answer(const analyze_t *a, int lw, int p) {
  if (lw < 0 || !a->cand[lw].sim_ok) return "unknown";
  if (fits(a, lw)) return "fits";
  if (fits(a, p)) return "fits_with_patches";
  return "does_not_fit";
}

/* Why the patch schedule is what it is, in one line; NULL when a patch schedule fits. */
static void patch_note(const analyze_t *a, int p, char *buf, size_t len) {
  const uint64_t sram = prof_sram_bytes(a->o->profile);
  char d[32];
  buf[0] = 0;
  if (a->no_patch_reason[0])
    cm_msgf(buf, len, "layer-wise only: %s", a->no_patch_reason);
  else if (p < 0) {
    int ran = 0;
    for (size_t i = 0; i < a->n; i++) ran += a->cand[i].patch_n && a->cand[i].simulated && a->cand[i].sim_ok;
    if (ran)
      cm_msgf(buf, len,
              "layer-wise only: none of the %d patch schedules simulated lowers the peak (its layer is past "
              "every patch stage the search tried)",
              ran);
    else
      cm_msgf(buf, len, "no patch schedule ran to completion (see the candidates' folders)");
  } else if (a->cand[p].peak_bytes > sram) {
    rpt_group_digits(a->cand[p].peak_bytes - sram, d, sizeof d);
    cm_msgf(buf, len, "no patch schedule fits: the smallest simulated (%s) is over the part's SRAM by %s B",
            a->cand[p].spec, d);
  }
}

static cJSON *candidates_json(const analyze_t *a) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < a->n; i++) {
    if (!a->cand[i].simulated) continue;
    cJSON *o = schedule_json(a, (int)i);
    cJSON_AddStringToObject(o, "plan_verdict", xp_search_prune_name(a->cand[i].prune));
    cJSON_AddBoolToObject(o, "on_front", a->cand[i].on_front);
    cJSON_AddItemToArray(arr, o);
  }
  return arr;
}

/* The measured Pareto front (peak SRAM vs cycles), by peak SRAM descending (so by cycles ascending). */
static cJSON *front_json(const analyze_t *a) {
  cJSON *arr = cJSON_CreateArray();
  int done[MAX_CAND] = {0};
  for (;;) {
    int best = -1;
    for (size_t i = 0; i < a->n; i++)
      if (a->cand[i].on_front && !done[i] && (best < 0 || a->cand[i].peak_bytes > a->cand[best].peak_bytes))
        best = (int)i;
    if (best < 0) return arr;
    done[best] = 1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "schedule", a->cand[best].spec);
    add_u64(o, "peak_bytes", a->cand[best].peak_bytes);
    add_u64(o, "cycles", a->cand[best].cycles);
    cJSON_AddNumberToObject(o, "latency_ms", a->cand[best].latency_us / 1000.0);
    cJSON_AddItemToArray(arr, o);
  }
}

static cJSON *verdict_json(analyze_t *a) {
  const prof_t *pr = a->o->profile;
  const uint64_t sram = prof_sram_bytes(pr);
  xp_search_pareto(a->cand, a->n);
  const int lw = layerwise_index(a), p = patch_index(a, sram);
  const char *ans = answer(a, lw, p);
  cJSON *v = cJSON_CreateObject();
  cJSON_AddStringToObject(v, "schema", XP_ANALYZE_SCHEMA);
  cJSON *m = cJSON_AddObjectToObject(v, "model");
  cJSON_AddStringToObject(m, "name", a->model.name);
  cJSON_AddStringToObject(m, "file", a->o->model_path);
  cJSON_AddNumberToObject(m, "layers", a->model.model.n_layers);
  cJSON_AddNumberToObject(m, "blocks", a->model.n_blocks);
  add_u64(m, "macs", a->plan.macs);
  add_u64(m, "weight_bytes", a->model.weight_bytes);
  add_u64(m, "param_bytes", a->model.param_bytes);
  add_u64(m, "blob_bytes", a->model.blob_bytes);
  cJSON *pj = cJSON_AddObjectToObject(v, "profile");
  cJSON_AddStringToObject(pj, "name", pr->name);
  cJSON_AddStringToObject(pj, "core", pr->core);
  add_u64(pj, "clock_hz", pr->clock_hz);
  add_u64(pj, "sram_bytes", sram);
  add_u64(pj, "flash_bytes", pr->flash.size);
  cJSON_AddStringToObject(v, "verdict", ans);
  cJSON_AddBoolToObject(v, "fits", !strcmp(ans, "fits") || !strcmp(ans, "fits_with_patches"));
  const int rec = fits(a, lw) ? lw : fits(a, p) ? p : -1;
  if (rec >= 0)
    cJSON_AddStringToObject(v, "recommended", a->cand[rec].spec);
  else
    cJSON_AddNullToObject(v, "recommended");
  /* flash: what the layer-wise firmware loads into flash (code, weights and biases, the input frame) */
  cJSON *fl = cJSON_AddObjectToObject(v, "flash");
  const uint64_t used = lw >= 0 ? a->flash_used[lw] : 0;
  add_u64(fl, "used_bytes", used);
  add_u64(fl, "model_bytes", a->model.blob_bytes);
  add_u64(fl, "code_bytes", used > a->model.blob_bytes ? used - a->model.blob_bytes : 0);
  add_u64(fl, "device_bytes", pr->flash.size);
  cJSON_AddBoolToObject(fl, "fits", lw >= 0 && a->has_fig[lw] && used <= pr->flash.size);
  add_u64(fl, "over_bytes", used > pr->flash.size ? used - pr->flash.size : 0);
  cJSON *plan = cJSON_AddObjectToObject(v, "plan");
  cJSON_AddStringToObject(plan, "peak_layer", a->plan.layers[a->plan.peak_live_layer].name);
  add_u64(plan, "peak_live_bytes", a->plan.peak_live_bytes);
  add_u64(plan, "macs", a->plan.macs);
  cJSON_AddItemToObject(v, "layerwise", schedule_json(a, lw));
  cJSON_AddItemToObject(v, "patch", schedule_json(a, p));
  char note[400];
  patch_note(a, p, note, sizeof note);
  if (note[0])
    cJSON_AddStringToObject(v, "patch_note", note);
  else
    cJSON_AddNullToObject(v, "patch_note");
  cJSON_AddItemToObject(v, "overheads", overheads_json(a, lw, p));
  cJSON_AddItemToObject(v, "outputs", outputs_json(a));
  size_t simulated = 0, valid = 0;
  for (size_t i = 0; i < a->n; i++) simulated += a->cand[i].simulated, valid += a->cand[i].plan_ok;
  cJSON *s = cJSON_AddObjectToObject(v, "search");
  add_u64(s, "schedules", a->n);
  add_u64(s, "valid", valid);
  add_u64(s, "simulated", simulated);
  cJSON_AddItemToObject(s, "front", front_json(a));
  cJSON_AddItemToObject(s, "candidates", candidates_json(a));
  return v;
}

xp_analyze_status_t xp_analyze(const xp_analyze_opts_t *o, cJSON **verdict, char *err, size_t err_len) {
  *verdict = NULL;
  analyze_t *a = calloc(1, sizeof *a);
  if (!a) return cm_msgf(err, err_len, "out of memory"), XP_ANALYZE_INTERNAL;
  a->o = o;
  char msg[256];
  xp_analyze_status_t rc = XP_ANALYZE_BAD_INPUT;
  if (gen_model_load(o->model_path, &a->model, msg, sizeof msg)) {
    if (strstr(msg, o->model_path)) /* the loader named the file already */
      cm_msgf(err, err_len, "%s", msg);
    else
      cm_msgf(err, err_len, "%s: %s", o->model_path, msg);
    free(a);
    return XP_ANALYZE_BAD_INPUT;
  }
  if (enumerate(a, err, err_len)) goto done;
  rc = XP_ANALYZE_INTERNAL;
  if (xp_fw_mkdirs(o->work_dir)) {
    cm_msgf(err, err_len, "cannot create %s: %s", o->work_dir, strerror(errno));
    goto done;
  }
  if (xp_fw_tools_init(&a->tools, o->work_dir, o->profile_dirs, err, err_len)) goto done;
  if (!xp_fw_core(&a->tools, o->profile->core)) {
    cm_msgf(err, err_len, "%s: core '%s' has no compiler flags in workloads/support/cores.txt", o->profile->path,
            o->profile->core);
    rc = XP_ANALYZE_BAD_INPUT;
    goto done;
  }
  if ((rc = simulate(a, err, err_len)) != XP_ANALYZE_OK) goto done;
  if (!(*verdict = verdict_json(a))) cm_msgf(err, err_len, "out of memory"), rc = XP_ANALYZE_INTERNAL;
done:
  gen_model_free(&a->model);
  free(a);
  return rc;
}

const char *xp_analyze_answer(const cJSON *verdict) { return rpt_str_or(verdict, "verdict", "unknown"); }

/* ---- HTML ---- */

static void html_text(FILE *out, const char *text) { cm_escape_file(CM_ESC_HTML, text ? text : "", out); }

static const char *digits(uint64_t v, char *buf, size_t len) {
  rpt_group_digits(v, buf, len);
  return buf;
}

static void html_num_row(FILE *out, const char *label, const cJSON *lw, const cJSON *p, const char *key,
                         const char *unit) {
  fprintf(out, "<tr><th>%s</th>", label);
  const cJSON *cols[2] = {lw, p};
  for (int k = 0; k < 2; k++) {
    const cJSON *v = cJSON_IsObject(cols[k]) ? cJSON_GetObjectItemCaseSensitive(cols[k], key) : NULL;
    char buf[48];
    if (cJSON_IsNumber(v) && !strcmp(unit, "ms"))
      fprintf(out, "<td>%.2f ms</td>", v->valuedouble);
    else if (cJSON_IsNumber(v) && !strcmp(unit, "ratio"))
      fprintf(out, "<td>%.3f</td>", v->valuedouble);
    else if (cJSON_IsNumber(v))
      fprintf(out, "<td>%s%s</td>", digits(rpt_to_u64(v->valuedouble), buf, sizeof buf), unit);
    else if (cJSON_IsString(v))
      fputs("<td>", out), html_text(out, v->valuestring), fputs("</td>", out);
    else if (cJSON_IsBool(v))
      fprintf(out, "<td>%s</td>", cJSON_IsTrue(v) ? "yes" : "no");
    else
      fputs("<td>&mdash;</td>", out);
  }
  fputs("</tr>\n", out);
}

int xp_analyze_write_html(const cJSON *v, FILE *out) {
  const cJSON *lw = rpt_get(v, "layerwise"), *p = rpt_get(v, "patch");
  char a[32], b[32];
  fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mcusim analyze: ", out);
  html_text(out, rpt_str_or(v, "model.name", ""));
  fputs("</title><style>\nbody{font-family:sans-serif;margin:2em;max-width:60em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
        "th{text-align:left;background:#f4f4f4}.fits{color:#070}.no{color:#b00}\n</style></head><body>\n<h1>",
        out);
  html_text(out, rpt_str_or(v, "model.name", ""));
  fputs(" on ", out);
  html_text(out, rpt_str_or(v, "profile.name", ""));
  const char *ans = xp_analyze_answer(v);
  fprintf(out, "</h1>\n<p class=\"%s\"><strong>", cJSON_IsTrue(rpt_get(v, "fits")) ? "fits" : "no");
  html_text(out, ans);
  fputs("</strong>", out);
  if (cJSON_IsString(rpt_get(v, "recommended"))) {
    fputs(": deploy <code>", out);
    html_text(out, rpt_str_or(v, "recommended", ""));
    fputs("</code>", out);
  }
  fprintf(out, "</p>\n<p>part: %s B SRAM, %s B flash, core ",
          digits(rpt_u64_or(v, "profile.sram_bytes", 0), a, sizeof a),
          digits(rpt_u64_or(v, "profile.flash_bytes", 0), b, sizeof b));
  html_text(out, rpt_str_or(v, "profile.core", ""));
  fprintf(out, " at %.0f MHz. Flash used: %s B", rpt_num_or(v, "profile.clock_hz", 0) / 1e6,
          digits(rpt_u64_or(v, "flash.used_bytes", 0), a, sizeof a));
  fprintf(out, " (model %s B).</p>\n", digits(rpt_u64_or(v, "flash.model_bytes", 0), a, sizeof a));
  fputs("<table>\n<tr><th></th><th>layer-wise</th><th>patch-based</th></tr>\n", out);
  html_num_row(out, "schedule", lw, p, "schedule", "");
  html_num_row(out, "status", lw, p, "status", "");
  html_num_row(out, "peak SRAM", lw, p, "peak_bytes", " B");
  html_num_row(out, "fits SRAM", lw, p, "fits_sram", "");
  html_num_row(out, "over SRAM by", lw, p, "sram_over_bytes", " B");
  html_num_row(out, "flash used", lw, p, "flash_used_bytes", " B");
  html_num_row(out, "MACs", lw, p, "macs", "");
  html_num_row(out, "cycles", lw, p, "cycles", "");
  html_num_row(out, "latency", lw, p, "latency_ms", "ms");
  html_num_row(out, "cycles/MAC", lw, p, "cycles_per_mac", "ratio");
  html_num_row(out, "output checksum", lw, p, "checksum", "");
  fputs("</table>\n", out);
  if (cJSON_IsString(rpt_get(v, "patch_note"))) {
    fputs("<p>", out);
    html_text(out, rpt_str_or(v, "patch_note", ""));
    fputs("</p>\n", out);
  }
  const cJSON *f;
  if (cJSON_GetArraySize(rpt_get(v, "search.front")) > 0)
    fputs("<h2>Measured Pareto front</h2>\n<table>\n<tr><th>schedule</th><th>peak SRAM</th><th>latency</th></tr>\n",
          out);
  cJSON_ArrayForEach(f, rpt_get(v, "search.front")) {
    fputs("<tr><th>", out);
    html_text(out, rpt_str_or(f, "schedule", ""));
    fprintf(out, "</th><td>%s B</td><td>%.2f ms</td></tr>\n", digits(rpt_u64_or(f, "peak_bytes", 0), a, sizeof a),
            rpt_num_or(f, "latency_ms", 0));
  }
  if (cJSON_GetArraySize(rpt_get(v, "search.front")) > 0) fputs("</table>\n", out);
  fprintf(out, "<p>outputs identical across %d simulated firmware: %s</p>\n", (int)rpt_num_or(v, "outputs.runs", 0),
          cJSON_IsTrue(rpt_get(v, "outputs.identical")) ? "yes" : "NO");
  fputs("</body></html>\n", out);
  return ferror(out) ? -1 : 0;
}
