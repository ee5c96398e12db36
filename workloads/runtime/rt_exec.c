/* rt_exec.c — the layer-wise and patch-based executors.
 *
 * Tensor t is the output of layer t-1; tensor 0 is the input frame. Layer i reads tensor i (and tensor
 * res_src+1 when it has a residual). A tensor's buffer is freed after its last reader, or handed over to
 * the next tensor when a layer runs in place (depthwise, and the PW that adds the residual into its own
 * input). Layer-wise, every layer computes its whole output; patch-based, the first patch_layers layers run
 * once per patch on the windows rt_patch_plan() derives backwards from the patch's output rectangle, and
 * the stage's output tensor is stitched from the patches. */
#include <string.h>

#include "mcusim_trace.h"
#include "rt.h"

typedef struct {
  rt_view_t view;
  uint8_t owned;    /* the buffer is an arena block this tensor must free */
  uint8_t from_top; /* which end of the arena the block came from */
} slot_t;

typedef struct {
  const rt_model_t *model;
  const rt_schedule_t *sched;
  rt_arena_t *arena;
  int16_t last_use[RT_MAX_LAYERS + 1]; /* last layer reading tensor t */
  slot_t slots[RT_MAX_LAYERS + 1];
  uint64_t macs;
} exec_t;

static const char TAG_DW_TMP[] = "dw_tmp";
static const char TAG_INPUT[] = "input";
static const char TAG_STAGE_OUT[] = "stage_out";

static int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
static int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }

static rt_rect_t rect_union(rt_rect_t a, rt_rect_t b) {
  if (a.h <= 0 || a.w <= 0) return b;
  int32_t y1 = max_i32(a.y0 + a.h, b.y0 + b.h), x1 = max_i32(a.x0 + a.w, b.x0 + b.w);
  rt_rect_t r = {min_i32(a.y0, b.y0), min_i32(a.x0, b.x0), 0, 0};
  r.h = y1 - r.y0;
  r.w = x1 - r.x0;
  return r;
}

static rt_rect_t rect_clip(rt_rect_t a, int32_t h, int32_t w) {
  int32_t y1 = min_i32(a.y0 + a.h, h), x1 = min_i32(a.x0 + a.w, w);
  rt_rect_t r = {max_i32(a.y0, 0), max_i32(a.x0, 0), 0, 0};
  r.h = y1 - r.y0;
  r.w = x1 - r.x0;
  return r;
}

/* The input rectangle a layer reads to produce `out` (receptive field of a window, halo included). */
static rt_rect_t layer_input_rect(const rt_layer_t *L, rt_rect_t out) {
  if (L->op == RT_OP_PW) return out;
  rt_rect_t in = {out.y0 * L->stride - L->pad, out.x0 * L->stride - L->pad, (out.h - 1) * L->stride + L->k,
                  (out.w - 1) * L->stride + L->k};
  return in;
}

static rt_err check_schedule(const rt_model_t *m, const rt_schedule_t *s) {
  if (m->n_layers == 0 || m->n_layers > RT_MAX_LAYERS) return RT_E_BAD_MODEL;
  if (s->patch_n == 0) return RT_OK;
  if (s->patch_layers == 0 || s->patch_layers > m->n_layers) return RT_E_BAD_SCHEDULE;
  const rt_layer_t *last = &m->layers[s->patch_layers - 1];
  if (s->patch_n > last->out_h || s->patch_n > last->out_w) return RT_E_BAD_SCHEDULE;
  for (int32_t i = 0; i < s->patch_layers; i++) {
    const rt_layer_t *L = &m->layers[i];
    if (L->op != RT_OP_CONV && L->op != RT_OP_DW && L->op != RT_OP_PW) return RT_E_BAD_SCHEDULE;
  }
  /* only the stage's output is stitched: no later layer may read another tensor of the stage */
  for (int32_t i = s->patch_layers; i < m->n_layers; i++)
    if (m->layers[i].res_src >= 0 && m->layers[i].res_src + 1 < s->patch_layers) return RT_E_BAD_SCHEDULE;
  return RT_OK;
}

uint64_t rt_patch_plan(const rt_model_t *m, const rt_schedule_t *s, int index, rt_rect_t *out_wins, rt_rect_t *in_win) {
  const int32_t P = s->patch_layers, n = s->patch_n;
  const rt_layer_t *last = &m->layers[P - 1];
  static rt_rect_t need[RT_MAX_LAYERS + 1]; /* static: keeps the firmware stack small */
  memset(need, 0, sizeof(rt_rect_t) * (size_t)(P + 1));
  const int32_t py = index / n, px = index % n;
  rt_rect_t patch = {py * last->out_h / n, px * last->out_w / n, 0, 0};
  patch.h = (py + 1) * last->out_h / n - patch.y0;
  patch.w = (px + 1) * last->out_w / n - patch.x0;
  need[P] = patch;
  /* backwards: a tensor's window is the union of what its readers need */
  for (int32_t i = P - 1; i >= 0; i--) {
    const rt_layer_t *L = &m->layers[i];
    rt_rect_t in = layer_input_rect(L, need[i + 1]);
    if (s->halo_clip) in = rect_clip(in, L->in_h, L->in_w);
    need[i] = rect_union(need[i], in);
    if (L->res_src >= 0 && L->res_src + 1 < i + 1) need[L->res_src + 1] = rect_union(need[L->res_src + 1], need[i + 1]);
  }
  uint64_t macs = 0;
  for (int32_t i = 0; i < P; i++) {
    if (out_wins) out_wins[i] = need[i + 1];
    macs += (uint64_t)rt_layer_macs_per_pixel(&m->layers[i]) * (uint64_t)need[i + 1].h * (uint64_t)need[i + 1].w;
  }
  if (in_win) *in_win = need[0];
  return macs;
}

static void free_slot(exec_t *x, int32_t t) {
  if (x->slots[t].owned) rt_arena_free(x->arena, x->slots[t].view.data);
  x->slots[t].owned = 0;
}

/* Move a window's pixels to the front of its buffer as a contiguous tensor of `to` (inside `from`). */
static void compact(rt_view_t *v, rt_rect_t to) {
  if (to.y0 == v->y0 && to.x0 == v->x0 && to.h == v->h && to.w == v->w) return;
  const int32_t row_bytes = to.w * v->c;
  for (int32_t y = 0; y < to.h; y++) {
    const int8_t *src = v->data + ((to.y0 + y - v->y0) * v->w + (to.x0 - v->x0)) * v->c;
    memmove(v->data + y * row_bytes, src, (size_t)row_bytes); /* destination never passes the source */
  }
  v->y0 = to.y0;
  v->x0 = to.x0;
  v->h = to.h;
  v->w = to.w;
}

static rt_err alloc_view(exec_t *x, slot_t *slot, rt_rect_t win, int32_t c, const char *tag, int from_top) {
  uint32_t bytes = (uint32_t)win.h * (uint32_t)win.w * (uint32_t)c;
  int8_t *p = (int8_t *)rt_arena_alloc(x->arena, bytes, tag, from_top);
  if (!p) return RT_E_NOMEM;
  slot->view = (rt_view_t){p, win.y0, win.x0, win.h, win.w, c};
  slot->owned = 1;
  slot->from_top = (uint8_t)(from_top != 0);
  return RT_OK;
}

/* Run layer i producing the window `region` of its output (tensor i+1). */
static rt_err run_layer(exec_t *x, int32_t i, rt_rect_t region) {
  const rt_model_t *m = x->model;
  const rt_layer_t *L = &m->layers[i];
  const rt_layer_data_t D = rt_layer_data(m, L);
  slot_t *in = &x->slots[i], *out = &x->slots[i + 1];
  const int32_t r = L->res_src >= 0 ? L->res_src + 1 : -1;
  slot_t *res = r >= 0 ? &x->slots[r] : NULL;
  const int to_other_end = !in->from_top;
  const uint64_t macs = (uint64_t)rt_layer_macs_per_pixel(L) * (uint64_t)region.h * (uint64_t)region.w;
  rt_err err = RT_OK;

  MCUSIM_LAYER_BEGIN(i, L->name, macs);
  x->macs += macs;
  switch (L->op) {
  case RT_OP_DW:
    if (in->owned && x->last_use[i] == i) { /* in place: output channels overwrite their own input channel */
      int8_t *tmp = (int8_t *)rt_arena_alloc(x->arena, (uint32_t)(in->view.h * in->view.w), TAG_DW_TMP, to_other_end);
      if (!tmp) {
        err = RT_E_NOMEM;
        break;
      }
      rt_view_t ov = {in->view.data, region.y0, region.x0, region.h, region.w, L->out_c};
      rt_depthwise(L, &D, &in->view, &ov, region, tmp);
      rt_arena_free(x->arena, tmp);
      rt_arena_shrink(x->arena, ov.data, (uint32_t)(region.h * region.w * L->out_c));
      *out = (slot_t){ov, 1, in->from_top};
      in->owned = 0; /* the buffer now belongs to the output */
    } else {
      if ((err = alloc_view(x, out, region, L->out_c, L->name, to_other_end)) != RT_OK) break;
      rt_depthwise(L, &D, &in->view, &out->view, region, NULL);
    }
    break;
  case RT_OP_PW:
    if (res && res->owned && x->last_use[r] == i) { /* residual add in place into the block's input */
      rt_view_t rv = res->view;
      rt_pointwise(L, &D, &in->view, &rv, &rv, region);
      compact(&rv, region);
      rt_arena_shrink(x->arena, rv.data, (uint32_t)(region.h * region.w * L->out_c));
      *out = (slot_t){rv, 1, res->from_top};
      res->owned = 0;
    } else {
      if ((err = alloc_view(x, out, region, L->out_c, L->name, to_other_end)) != RT_OK) break;
      rt_pointwise(L, &D, &in->view, res ? &res->view : NULL, &out->view, region);
    }
    break;
  case RT_OP_CONV:
    if ((err = alloc_view(x, out, region, L->out_c, L->name, to_other_end)) != RT_OK) break;
    rt_conv(L, &D, &in->view, &out->view, region);
    break;
  case RT_OP_AVGPOOL:
    if ((err = alloc_view(x, out, region, L->out_c, L->name, to_other_end)) != RT_OK) break;
    rt_avgpool(L, &in->view, &out->view);
    break;
  case RT_OP_FC:
    if ((err = alloc_view(x, out, region, L->out_c, L->name, to_other_end)) != RT_OK) break;
    rt_fully_connected(L, &D, in->view.data, out->view.data);
    break;
  default:
    err = RT_E_BAD_MODEL;
  }
  MCUSIM_LAYER_END(i);
  if (err != RT_OK) return err;
  if (x->last_use[i] == i) free_slot(x, i);
  if (r >= 0 && x->last_use[r] == i) free_slot(x, r);
  return RT_OK;
}

static rt_rect_t full_rect(const rt_layer_t *L) { return (rt_rect_t){0, 0, L->out_h, L->out_w}; }

static rt_err run_patch_stage(exec_t *x, rt_stats_t *stats) {
  const rt_model_t *m = x->model;
  const rt_schedule_t *s = x->sched;
  const int32_t P = s->patch_layers, n = s->patch_n;
  const rt_layer_t *last = &m->layers[P - 1];
  rt_err err;
  slot_t stage;
  const uint32_t peak_before = x->arena->live_peak_bytes;
  x->arena->live_peak_bytes = x->arena->live_bytes;
  if ((err = alloc_view(x, &stage, full_rect(last), last->out_c, TAG_STAGE_OUT, 1)) != RT_OK) return err;
  const uint8_t input_owned = x->slots[0].owned;
  x->slots[0].owned = 0; /* every patch reads the input frame: no layer may free it or work on it in place */
  static rt_rect_t wins[RT_MAX_LAYERS];
  for (int32_t p = 0; p < n * n; p++) {
    rt_rect_t in_win;
    uint64_t macs = rt_patch_plan(m, s, p, wins, &in_win);
    if ((uint32_t)in_win.h > stats->patch_in_h) stats->patch_in_h = (uint32_t)in_win.h;
    if ((uint32_t)in_win.w > stats->patch_in_w) stats->patch_in_w = (uint32_t)in_win.w;
    stats->patch_stage_macs += macs;
    MCUSIM_PATCH_BEGIN(0, p, macs);
    for (int32_t i = 0; i < P; i++)
      if ((err = run_layer(x, i, wins[i])) != RT_OK) return err;
    /* stitch: copy the patch's output rows into the stage output tensor */
    const rt_view_t *pv = &x->slots[P].view;
    const int32_t row_bytes = pv->w * pv->c;
    for (int32_t y = 0; y < pv->h; y++)
      memcpy(stage.view.data + ((pv->y0 + y) * last->out_w + pv->x0) * pv->c, pv->data + y * row_bytes,
             (size_t)row_bytes);
    free_slot(x, P);
    MCUSIM_PATCH_END(0, p);
  }
  x->slots[P] = stage;
  x->slots[0].owned = input_owned;
  if (x->last_use[0] < P) free_slot(x, 0);
  stats->patch_peak_bytes = x->arena->live_peak_bytes;
  if (peak_before > x->arena->live_peak_bytes) x->arena->live_peak_bytes = peak_before;
  return RT_OK;
}

/* int8 weights of a layer (the blob layout of gen_weight_count: CONV OHWI, DW HWC, PW/FC OI); 0 for pooling. */
static uint32_t layer_weights(const rt_layer_t *L) {
  switch (L->op) {
  case RT_OP_CONV:
    return (uint32_t)L->out_c * L->k * L->k * L->in_c;
  case RT_OP_DW:
    return (uint32_t)L->k * L->k * L->in_c;
  case RT_OP_PW:
    return (uint32_t)L->out_c * L->in_c;
  case RT_OP_FC:
    return (uint32_t)L->out_c * L->in_h * L->in_w * L->in_c;
  default:
    return 0;
  }
}

/* Kind, output shape, parameters and flash bytes of every layer, once, for the simulator's per-layer table. */
static void describe_layers(const rt_model_t *m) {
  static const char *const kinds[] = {"?", "conv2d", "depthwise", "pointwise", "avgpool", "fully_connected"};
  for (int32_t i = 0; i < m->n_layers; i++) {
    const rt_layer_t *L = &m->layers[i];
    const char *kind = L->op < sizeof kinds / sizeof *kinds ? kinds[L->op] : kinds[0];
    MCUSIM_LAYER_INFO(i, kind, L->out_h, L->out_w, L->out_c);
    (void)kind;
    /* params = weights + int32 biases; flash = weights + int32 bias, multiplier and shift per output channel */
    const uint32_t nw = layer_weights(L), nc = nw ? L->out_c : 0;
    MCUSIM_LAYER_PARAMS(i, nw + nc, nw + 12u * nc);
  }
}

rt_err rt_run(const rt_model_t *m, const rt_schedule_t *s, rt_arena_t *arena, int8_t *output, rt_stats_t *stats) {
  rt_err err = check_schedule(m, s);
  if (err != RT_OK) return err;
  static exec_t x; /* ~2 KiB: static, so the firmware stack stays small */
  memset(&x, 0, sizeof x);
  x.model = m;
  x.sched = s;
  x.arena = arena;
  memset(stats, 0, sizeof *stats);
  const int32_t N = m->n_layers;
  for (int32_t t = 0; t <= N; t++) x.last_use[t] = -1;
  for (int32_t i = 0; i < N; i++) {
    const rt_layer_t *L = &m->layers[i];
    if (L->res_src >= i || L->res_src < -1) return RT_E_BAD_MODEL;
    x.last_use[i] = (int16_t)i;
    if (L->res_src >= 0 && x.last_use[L->res_src + 1] < i) x.last_use[L->res_src + 1] = (int16_t)i;
  }
  x.last_use[N] = (int16_t)N; /* the output is read by the caller */
  describe_layers(m);

  /* tensor 0: the input frame, in flash (the camera; not counted) or copied into the arena */
  const rt_view_t frame = {(int8_t *)(uintptr_t)(m->blob + m->input_off), 0, 0, m->in_h, m->in_w, m->in_c};
  if (s->input_in_arena) {
    rt_rect_t r = {0, 0, m->in_h, m->in_w};
    if ((err = alloc_view(&x, &x.slots[0], r, m->in_c, TAG_INPUT, 0)) != RT_OK) return err;
    memcpy(x.slots[0].view.data, frame.data, (size_t)m->in_h * m->in_w * m->in_c);
  } else {
    x.slots[0] = (slot_t){frame, 0, 0};
  }

  int32_t first = 0;
  if (s->patch_n) {
    if ((err = run_patch_stage(&x, stats)) != RT_OK) return err;
    first = s->patch_layers;
  }
  for (int32_t i = first; i < N; i++) {
    uint64_t before = x.macs;
    if ((err = run_layer(&x, i, full_rect(&m->layers[i]))) != RT_OK) return err;
    if (s->patch_n == 0 && i < s->patch_layers) stats->patch_stage_macs += x.macs - before;
  }
  const rt_view_t *ov = &x.slots[N].view;
  stats->output_bytes = (uint32_t)(ov->h * ov->w * ov->c);
  stats->checksum = rt_fnv1a(ov->data, stats->output_bytes, RT_FNV1A_INIT);
  if (output) memcpy(output, ov->data, stats->output_bytes);
  free_slot(&x, N);
  stats->macs = x.macs;
  return RT_OK;
}
