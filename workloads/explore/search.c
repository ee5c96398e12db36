/* workloads/explore/search.c — enumeration, prediction, pruning, Pareto front and choice of schedules (search.h). */
#include "workloads/explore/search.h"

#include <stdio.h>
#include <string.h>

#include "workloads/gen/gen_plan.h"

const char *xp_search_prune_name(xp_search_prune_t why) {
  switch (why) {
  case XP_SEARCH_KEEP:
    return "simulate";
  case XP_SEARCH_PRUNE_INVALID:
    return "invalid";
  case XP_SEARCH_PRUNE_BUDGET:
    return "over budget (plan)";
  case XP_SEARCH_PRUNE_LATENCY:
    return "over latency limit (plan MACs)";
  case XP_SEARCH_PRUNE_DOMINATED:
    return "dominated (plan)";
  case XP_SEARCH_PRUNE_DUPLICATE:
    return "same plan as an earlier one";
  }
  return "?";
}

int xp_search_heavy_blocks(const gen_model_t *m, const uint64_t *layer_live) {
  uint64_t peak = 0;
  for (int32_t i = 0; i < m->model.n_layers; i++)
    if (layer_live[i] > peak) peak = layer_live[i];
  int heavy = 1;
  for (int b = 0; b < m->n_blocks; b++)
    for (int32_t i = m->block_first_layer[b]; i < m->block_first_layer[b + 1]; i++)
      if (layer_live[i] * 5 > peak) heavy = b + 1;
  return heavy;
}

static void set_spec(xp_search_cand_t *c) {
  const char *input = c->input_in_arena ? ",input=arena" : "";
  if (c->patch_n)
    snprintf(c->spec, sizeof c->spec, "patch:n=%d,blocks=%d%s", c->patch_n, c->split_blocks, input);
  else
    snprintf(c->spec, sizeof c->spec, "layerwise%s", input);
}

static size_t add(xp_search_cand_t *out, size_t n, size_t cap, int patch_n, int k, int in_arena) {
  if (n >= cap) return n;
  xp_search_cand_t *c = &out[n];
  memset(c, 0, sizeof *c);
  c->patch_n = patch_n;
  c->split_blocks = k;
  c->input_in_arena = in_arena;
  set_spec(c);
  return n + 1;
}

size_t xp_search_enumerate(int heavy_blocks, const int32_t *stage_h, int inputs, xp_search_cand_t *out, size_t cap) {
  size_t n = 0;
  for (int in_arena = 0; in_arena < 2; in_arena++) {
    if (!(inputs >> in_arena & 1)) continue;
    n = add(out, n, cap, 0, 0, in_arena);
    for (int k = 1; k <= heavy_blocks; k++)
      for (int p = XP_SEARCH_MIN_PATCH_N; p <= XP_SEARCH_MAX_PATCH_N; p++)
        if (stage_h[k] >= p * XP_SEARCH_MIN_PATCH_ROWS) n = add(out, n, cap, p, k, in_arena);
  }
  return n;
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* The planner counts the frame as read from flash; with input=arena the frame is held in the arena until its
 * last reader (the first layer; during the whole patch stage when patched). An estimate, checked by the run. */
static uint64_t arena_with_frame(const gen_model_t *m, const gen_plan_t *p, int patched) {
  const uint64_t frame = (uint64_t)m->model.in_h * m->model.in_w * m->model.in_c;
  if (patched) return max_u64(p->in_patch_live_bytes + frame, p->later_live_bytes);
  return max_u64(p->peak_live_bytes, p->layers[0].live_bytes + frame);
}

void xp_search_predict(const gen_model_t *m, xp_search_cand_t *c) {
  static gen_plan_t plan; /* ~10 KiB; the search is single-threaded */
  char spec[96], name[128], err[256];
  rt_schedule_t s;
  c->plan_ok = 0;
  if (c->patch_n)
    snprintf(spec, sizeof spec, "patch:n=%d,blocks=%d", c->patch_n, c->split_blocks);
  else
    snprintf(spec, sizeof spec, "layerwise");
  if (gen_schedule_parse(m, spec, &s, name, sizeof name, err, sizeof err)) return;
  if (gen_plan(m, &s, &plan, err, sizeof err)) return;
  c->plan_ok = 1;
  c->plan_macs = c->patch_n ? plan.patched_macs : plan.macs;
  c->plan_arena_bytes = c->patch_n ? plan.patched_peak_live_bytes : plan.peak_live_bytes;
  if (c->input_in_arena) c->plan_arena_bytes = arena_with_frame(m, &plan, c->patch_n > 0);
}

/* a (enumerated before b when `a_first`) predicts no more memory and no more MACs; equal predictions keep the
 * first (layer-wise before patches: a patch schedule that saves nothing is not worth a run). */
static int dominates(const xp_search_cand_t *a, const xp_search_cand_t *b, int a_first) {
  const int le = a->plan_peak_bytes <= b->plan_peak_bytes && a->plan_macs <= b->plan_macs;
  const int lt = a->plan_peak_bytes < b->plan_peak_bytes || a->plan_macs < b->plan_macs;
  return le && (lt || a_first);
}

/* How many still-open candidates of the same input mode have fewer MACs (ties: less memory, earlier). */
static int rank_by_macs(const xp_search_cand_t *c, size_t n, size_t i) {
  int rank = 0;
  for (size_t j = 0; j < n; j++) {
    if (j == i || c[j].prune != XP_SEARCH_PRUNE_DOMINATED || c[j].input_in_arena != c[i].input_in_arena) continue;
    if (c[j].plan_macs < c[i].plan_macs ||
        (c[j].plan_macs == c[i].plan_macs &&
         (c[j].plan_peak_bytes < c[i].plan_peak_bytes || (c[j].plan_peak_bytes == c[i].plan_peak_bytes && j < i))))
      rank++;
  }
  return rank;
}

static int on_plan_front(const xp_search_cand_t *c, size_t n, size_t i) {
  for (size_t j = 0; j < n; j++)
    if (j != i && (c[j].prune == XP_SEARCH_PRUNE_DOMINATED || c[j].prune == XP_SEARCH_KEEP) &&
        c[j].input_in_arena == c[i].input_in_arena && dominates(&c[j], &c[i], j < i))
      return 0;
  return 1;
}

static uint64_t layerwise_macs(const xp_search_cand_t *c, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!c[i].patch_n && c[i].plan_ok) return c[i].plan_macs;
  return 0;
}

/* First pass: hard limits. Survivors are marked DOMINATED until the second pass keeps them. */
static void prune_limits(xp_search_cand_t *c, size_t n, const xp_search_opts_t *o) {
  const uint64_t lw_macs = layerwise_macs(c, n);
  for (size_t i = 0; i < n; i++) {
    c[i].plan_peak_bytes = c[i].plan_ok ? c[i].plan_arena_bytes + o->overhead_bytes : 0;
    if (!c[i].plan_ok)
      c[i].prune = XP_SEARCH_PRUNE_INVALID;
    else if (!c[i].patch_n)
      c[i].prune = XP_SEARCH_KEEP;
    else if (c[i].plan_peak_bytes > o->budget_bytes)
      c[i].prune = XP_SEARCH_PRUNE_BUDGET;
    else if (o->max_latency_overhead >= 0 && (double)c[i].plan_macs > (double)lw_macs * (1.0 + o->max_latency_overhead))
      c[i].prune = XP_SEARCH_PRUNE_LATENCY;
    else
      c[i].prune = XP_SEARCH_PRUNE_DOMINATED;
  }
}

/* An earlier candidate of the same input mode predicts exactly the same (patches over the stem only, ...). */
static int duplicate(const xp_search_cand_t *c, size_t i) {
  for (size_t j = 0; j < i; j++)
    if (c[j].plan_ok && c[j].input_in_arena == c[i].input_in_arena && c[j].plan_macs == c[i].plan_macs &&
        c[j].plan_arena_bytes == c[i].plan_arena_bytes)
      return 1;
  return 0;
}

void xp_search_prune(xp_search_cand_t *c, size_t n, const xp_search_opts_t *o) {
  prune_limits(c, n, o);
  int keep[XP_SEARCH_MAX_CANDIDATES] = {0};
  for (size_t i = 0; i < n && i < XP_SEARCH_MAX_CANDIDATES; i++)
    if (c[i].prune == XP_SEARCH_PRUNE_DOMINATED && c[i].patch_n && duplicate(c, i))
      c[i].prune = XP_SEARCH_PRUNE_DUPLICATE;
  for (size_t i = 0; i < n && i < XP_SEARCH_MAX_CANDIDATES; i++)
    keep[i] = c[i].prune == XP_SEARCH_PRUNE_DOMINATED && (on_plan_front(c, n, i) || rank_by_macs(c, n, i) < o->top);
  for (size_t i = 0; i < n && i < XP_SEARCH_MAX_CANDIDATES; i++)
    if (keep[i]) c[i].prune = XP_SEARCH_KEEP;
}

void xp_search_pareto(xp_search_cand_t *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    c[i].on_front = c[i].simulated && c[i].sim_ok;
    for (size_t j = 0; j < n && c[i].on_front; j++) {
      if (j == i || !c[j].simulated || !c[j].sim_ok) continue;
      const int le = c[j].peak_bytes <= c[i].peak_bytes && c[j].cycles <= c[i].cycles;
      const int lt = c[j].peak_bytes < c[i].peak_bytes || c[j].cycles < c[i].cycles;
      if (le && lt) c[i].on_front = 0;
    }
  }
}

int xp_search_choose(const xp_search_cand_t *c, size_t n, uint64_t budget_bytes, uint64_t max_cycles, int only_kept) {
  int best = -1;
  for (size_t i = 0; i < n; i++) {
    if (!c[i].simulated || !c[i].sim_ok || c[i].peak_bytes > budget_bytes) continue;
    if (max_cycles && c[i].cycles > max_cycles) continue;
    if (only_kept && c[i].prune != XP_SEARCH_KEEP) continue;
    if (best < 0 || c[i].cycles < c[best].cycles ||
        (c[i].cycles == c[best].cycles && c[i].peak_bytes < c[best].peak_bytes))
      best = (int)i;
  }
  return best;
}
