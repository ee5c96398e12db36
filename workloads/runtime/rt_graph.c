/* rt_graph.c — the executor of general graphs (rt.h, "general graphs").
 *
 * Tensor t is the output of layer t-1, tensor 0 the input frame; layer i reads the tensors its node names. A
 * RESHAPE's output is its input's buffer under another shape, so buffers are counted per storage root (the first
 * non-RESHAPE tensor of a reshape chain). Layer-wise, layer i allocates its whole output at the arena end opposite
 * its first input's block (as rt_run does), runs, then frees every input root whose last reader it is. A depthwise
 * layer whose input has no later reader runs in place as in rt_run (a one-channel `dw_tmp` scratch, the block
 * shrunk to the output); nothing else runs in place. With a patch stage, layers [0, P) (a chain of spatial operators)
 * run once per patch on the windows rt_graph_patch_plan() derives backwards from the patch's output rectangle, each
 * window freed after its one reader, and the stitched stage output (allocated first, from the top) becomes tensor P.
 * The analytic planner (gen/gen_plan.c, gen_plan_graph) follows these rules to the byte. */
#include <string.h>

#include "mcusim_trace.h"
#include "rt.h"

typedef struct {
  rt_view_t view;
  uint8_t owned, from_top;
} gslot_t;

typedef struct {
  const rt_graph_t *g;
  const rt_schedule_t *sched;
  rt_arena_t *arena;
  int16_t root[RT_MAX_LAYERS + 1];     /* storage root of tensor t */
  int16_t last_use[RT_MAX_LAYERS + 1]; /* per root: the last layer reading it (N: the output) */
  gslot_t slots[RT_MAX_LAYERS + 1];    /* per root */
  uint64_t macs;
} gexec_t;

static const char TAG_INPUT[] = "input";
static const char TAG_DW_TMP[] = "dw_tmp";
static const char TAG_STAGE_OUT[] = "stage_out";

static int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
static int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }

static rt_rect_t rect_clip(rt_rect_t a, int32_t h, int32_t w) {
  int32_t y1 = min_i32(a.y0 + a.h, h), x1 = min_i32(a.x0 + a.w, w);
  rt_rect_t r = {max_i32(a.y0, 0), max_i32(a.x0, 0), 0, 0};
  r.h = y1 - r.y0;
  r.w = x1 - r.x0;
  return r;
}

/* Shape (h, w, c) of tensor t. */
static void tensor_shape(const rt_graph_t *g, int32_t t, int32_t *h, int32_t *w, int32_t *c) {
  if (t == 0) {
    *h = g->model.in_h, *w = g->model.in_w, *c = g->model.in_c;
  } else {
    const rt_layer_t *L = &g->model.layers[t - 1];
    *h = L->out_h, *w = L->out_w, *c = L->out_c;
  }
}

static int32_t tensor_bytes(const rt_graph_t *g, int32_t t) {
  int32_t h, w, c;
  tensor_shape(g, t, &h, &w, &c);
  return h * w * c;
}

/* Shapes must agree with the producers and with what each operator writes: the kernels trust them (blob offsets
 * and per-channel parameter ranges are the importer's to check against its blob). */
rt_err rt_graph_check(const rt_graph_t *g) {
  const rt_model_t *m = &g->model;
  if (!g->nodes || m->n_layers == 0 || m->n_layers > RT_MAX_LAYERS) return RT_E_BAD_MODEL;
  for (int32_t i = 0; i < m->n_layers; i++) {
    const rt_layer_t *L = &m->layers[i];
    const rt_node_t *N = &g->nodes[i];
    const int32_t want = L->op == RT_OP_ADD ? 2 : L->op == RT_OP_CONCAT ? -1 : 1;
    if (N->n_in < 1 || N->n_in > RT_MAX_INPUTS || (want > 0 && N->n_in != want)) return RT_E_BAD_MODEL;
    int32_t csum = 0;
    for (int32_t k = 0; k < N->n_in; k++) {
      int32_t h, w, c;
      if (N->in[k] < 0 || N->in[k] > i) return RT_E_BAD_MODEL;
      tensor_shape(g, N->in[k], &h, &w, &c);
      csum += c;
      if (L->op == RT_OP_RESHAPE || L->op == RT_OP_FC) {
        if (h * w * c != (int32_t)L->in_h * L->in_w * L->in_c) return RT_E_BAD_MODEL;
      } else if (h != L->in_h || w != L->in_w || (L->op != RT_OP_CONCAT && c != L->in_c)) {
        return RT_E_BAD_MODEL;
      }
    }
    if (!L->out_h || !L->out_w || !L->out_c) return RT_E_BAD_MODEL;
    const int same_shape = L->out_h == L->in_h && L->out_w == L->in_w && L->out_c == L->in_c;
    const int to_1x1 = L->out_h == 1 && L->out_w == 1;
    switch (L->op) {
    case RT_OP_CONV2D:
    case RT_OP_DWCONV:
    case RT_OP_AVGPOOL2D:
    case RT_OP_MAXPOOL2D:
      if (!N->kh || !N->kw || !N->sh || !N->sw) return RT_E_BAD_MODEL;
      if (L->op == RT_OP_DWCONV && (!N->depth_mult || L->out_c != L->in_c * N->depth_mult)) return RT_E_BAD_MODEL;
      if ((L->op == RT_OP_AVGPOOL2D || L->op == RT_OP_MAXPOOL2D) && L->out_c != L->in_c) return RT_E_BAD_MODEL;
      break;
    case RT_OP_RESHAPE:
      if ((int32_t)L->out_h * L->out_w * L->out_c != (int32_t)L->in_h * L->in_w * L->in_c) return RT_E_BAD_MODEL;
      break;
    case RT_OP_CONCAT:
      if (csum != L->out_c || L->out_h != L->in_h || L->out_w != L->in_w) return RT_E_BAD_MODEL;
      break;
    case RT_OP_ADD:
    case RT_OP_SOFTMAX:
      if (!same_shape) return RT_E_BAD_MODEL;
      /* diff * 2^shift must fit int32 for every diff the guard admits (diff >= diff_min) */
      if (L->op == RT_OP_SOFTMAX &&
          (N->shift < 0 || N->shift > 30 || N->diff_min > 0 || ((int64_t)-N->diff_min << N->shift) > INT32_MAX))
        return RT_E_BAD_MODEL;
      break;
    case RT_OP_REQUANT:
      if (!same_shape || N->shift < -31 || N->shift > 30) return RT_E_BAD_MODEL;
      break;
    case RT_OP_MEAN:
      if (!to_1x1 || L->out_c != L->in_c || N->shift < -31 || N->shift > 30) return RT_E_BAD_MODEL;
      break;
    case RT_OP_AVGPOOL:
      if (!to_1x1 || L->out_c != L->in_c) return RT_E_BAD_MODEL;
      break;
    case RT_OP_PAD:
      if (L->out_c != L->in_c || L->out_h < L->in_h + N->pad_top || L->out_w < L->in_w + N->pad_left)
        return RT_E_BAD_MODEL;
      break;
    case RT_OP_FC:
      if (!to_1x1) return RT_E_BAD_MODEL;
      break;
    default:
      return RT_E_BAD_MODEL;
    }
  }
  return RT_OK;
}

rt_err rt_graph_check_schedule(const rt_graph_t *g, const rt_schedule_t *s) {
  const rt_model_t *m = &g->model;
  if (s->patch_n == 0) return RT_OK;
  const int32_t P = s->patch_layers;
  if (P == 0 || P > m->n_layers) return RT_E_BAD_SCHEDULE;
  const rt_layer_t *last = &m->layers[P - 1];
  if (s->patch_n > last->out_h || s->patch_n > last->out_w) return RT_E_BAD_SCHEDULE;
  for (int32_t i = 0; i < P; i++) /* a chain of spatial operators */
    if (!rt_op_is_spatial(m->layers[i].op) || g->nodes[i].n_in != 1 || g->nodes[i].in[0] != i) return RT_E_BAD_SCHEDULE;
  for (int32_t i = P; i < m->n_layers; i++) /* only the stage's output is stitched */
    for (int32_t k = 0; k < g->nodes[i].n_in; k++)
      if (g->nodes[i].in[k] < P) return RT_E_BAD_SCHEDULE;
  return RT_OK;
}

uint64_t rt_graph_patch_plan(const rt_graph_t *g, const rt_schedule_t *s, int index, rt_rect_t *out_wins,
                             rt_rect_t *in_win) {
  const rt_model_t *m = &g->model;
  const int32_t P = s->patch_layers, n = s->patch_n;
  const rt_layer_t *last = &m->layers[P - 1];
  static rt_rect_t need[RT_MAX_LAYERS + 1]; /* static: keeps the firmware stack small */
  const int32_t py = index / n, px = index % n;
  rt_rect_t patch = {py * last->out_h / n, px * last->out_w / n, 0, 0};
  patch.h = (py + 1) * last->out_h / n - patch.y0;
  patch.w = (px + 1) * last->out_w / n - patch.x0;
  need[P] = patch;
  for (int32_t i = P - 1; i >= 0; i--) { /* a chain: tensor i's only reader is layer i */
    const rt_layer_t *L = &m->layers[i];
    need[i] = rt_op_input_rect(L, &g->nodes[i], need[i + 1]);
    if (s->halo_clip) need[i] = rect_clip(need[i], L->in_h, L->in_w);
  }
  uint64_t macs = 0;
  for (int32_t i = 0; i < P; i++) {
    if (out_wins) out_wins[i] = need[i + 1];
    macs +=
        (uint64_t)rt_op_macs_per_pixel(&m->layers[i], &g->nodes[i]) * (uint64_t)need[i + 1].h * (uint64_t)need[i + 1].w;
  }
  if (in_win) *in_win = need[0];
  return macs;
}

static rt_err alloc_slot(gexec_t *x, gslot_t *slot, rt_rect_t win, int32_t c, const char *tag, int from_top) {
  const uint32_t bytes = (uint32_t)win.h * (uint32_t)win.w * (uint32_t)c;
  int8_t *p = (int8_t *)rt_arena_alloc(x->arena, bytes, tag, from_top);
  if (!p) return RT_E_NOMEM;
  slot->view = (rt_view_t){p, win.y0, win.x0, win.h, win.w, c};
  slot->owned = 1;
  slot->from_top = (uint8_t)(from_top != 0);
  return RT_OK;
}

static void free_slot(gexec_t *x, int32_t r) {
  if (x->slots[r].owned) rt_arena_free(x->arena, x->slots[r].view.data);
  x->slots[r].owned = 0;
}

/* Run layer i producing the window `region` of its output (tensor i + 1). */
static rt_err run_layer(gexec_t *x, int32_t i, rt_rect_t region) {
  const rt_model_t *m = &x->g->model;
  const rt_layer_t *L = &m->layers[i];
  const rt_node_t *N = &x->g->nodes[i];
  const uint64_t macs = (uint64_t)rt_op_macs_per_pixel(L, N) * (uint64_t)region.h * (uint64_t)region.w;
  rt_view_t views[RT_MAX_INPUTS];
  const rt_view_t *in[RT_MAX_INPUTS];
  for (int32_t k = 0; k < N->n_in; k++) {
    int32_t h, w, c;
    tensor_shape(x->g, N->in[k], &h, &w, &c);
    views[k] = x->slots[x->root[N->in[k]]].view;
    if (x->root[N->in[k]] != N->in[k]) /* a reshaped tensor: the same bytes, its own shape */
      views[k] = (rt_view_t){views[k].data, 0, 0, h, w, c};
    in[k] = &views[k];
  }
  const gslot_t *first = &x->slots[x->root[N->in[0]]];
  rt_err err = RT_OK;
  MCUSIM_LAYER_BEGIN(i, L->name, macs);
  x->macs += macs;
  gslot_t *src = &x->slots[x->root[N->in[0]]];
  if (L->op == RT_OP_DWCONV && x->root[N->in[0]] == N->in[0] && src->owned && x->last_use[N->in[0]] == i &&
      region.h * region.w <= src->view.h * src->view.w && rt_op_dw_in_place_ok(L, N)) {
    /* in place: each output channel overwrites its own input channel, kept in a one-channel scratch */
    int8_t *tmp = (int8_t *)rt_arena_alloc(x->arena, (uint32_t)(src->view.h * src->view.w), TAG_DW_TMP, !src->from_top);
    if (!tmp) {
      err = RT_E_NOMEM;
    } else {
      const rt_view_t ov = {src->view.data, region.y0, region.x0, region.h, region.w, L->out_c};
      rt_op_dw_in_place(m, L, N, &src->view, &ov, region, tmp);
      rt_arena_free(x->arena, tmp);
      rt_arena_shrink(x->arena, ov.data, (uint32_t)(region.h * region.w * L->out_c));
      x->slots[i + 1] = (gslot_t){ov, 1, src->from_top};
      src->owned = 0; /* the buffer now belongs to the output */
    }
  } else if (L->op != RT_OP_RESHAPE) {
    gslot_t *out = &x->slots[i + 1];
    err = alloc_slot(x, out, region, L->out_c, L->name, !first->from_top);
    if (err == RT_OK) rt_op_run(m, L, N, in, &out->view, region);
  }
  MCUSIM_LAYER_END(i);
  if (err != RT_OK) return err;
  for (int32_t k = 0; k < N->n_in; k++) {
    const int32_t r = x->root[N->in[k]];
    if (x->last_use[r] == i) free_slot(x, r); /* a second input of the same root finds it freed */
  }
  return RT_OK;
}

static rt_rect_t full_rect(const rt_layer_t *L) { return (rt_rect_t){0, 0, L->out_h, L->out_w}; }

static rt_err run_patch_stage(gexec_t *x, rt_stats_t *stats) {
  const rt_model_t *m = &x->g->model;
  const rt_schedule_t *s = x->sched;
  const int32_t P = s->patch_layers, n = s->patch_n;
  const rt_layer_t *last = &m->layers[P - 1];
  rt_err err;
  gslot_t stage;
  const uint32_t peak_before = x->arena->live_peak_bytes;
  x->arena->live_peak_bytes = x->arena->live_bytes;
  if ((err = alloc_slot(x, &stage, full_rect(last), last->out_c, TAG_STAGE_OUT, 1)) != RT_OK) return err;
  const uint8_t input_owned = x->slots[0].owned;
  x->slots[0].owned = 0; /* every patch reads the input frame */
  static rt_rect_t wins[RT_MAX_LAYERS];
  for (int32_t p = 0; p < n * n; p++) {
    rt_rect_t in_win;
    const uint64_t macs = rt_graph_patch_plan(x->g, s, p, wins, &in_win);
    if ((uint32_t)in_win.h > stats->patch_in_h) stats->patch_in_h = (uint32_t)in_win.h;
    if ((uint32_t)in_win.w > stats->patch_in_w) stats->patch_in_w = (uint32_t)in_win.w;
    stats->patch_stage_macs += macs;
    MCUSIM_PATCH_BEGIN(0, p, macs);
    for (int32_t i = 0; i < P; i++)
      if ((err = run_layer(x, i, wins[i])) != RT_OK) return err;
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
  free_slot(x, 0); /* no later layer reads the input (rt_graph_check_schedule) */
  stats->patch_peak_bytes = x->arena->live_peak_bytes;
  if (peak_before > x->arena->live_peak_bytes) x->arena->live_peak_bytes = peak_before;
  return RT_OK;
}

/* int8 weights a layer reads from the blob (as gen_graph places them: CONV2D OHWI, DWCONV [kh][kw][out_c], FC OI);
 * 0 for operators without weights. */
static uint32_t graph_layer_weights(const rt_layer_t *L, const rt_node_t *N) {
  switch (L->op) {
  case RT_OP_CONV2D:
    return (uint32_t)L->out_c * N->kh * N->kw * L->in_c;
  case RT_OP_DWCONV:
    return (uint32_t)L->out_c * N->kh * N->kw;
  case RT_OP_FC:
    return (uint32_t)L->out_c * L->in_h * L->in_w * L->in_c;
  default:
    return 0;
  }
}

rt_err rt_graph_run(const rt_graph_t *g, const rt_schedule_t *s, rt_arena_t *arena, int8_t *output, rt_stats_t *stats) {
  const rt_model_t *m = &g->model;
  rt_err err = rt_graph_check(g);
  if (err == RT_OK) err = rt_graph_check_schedule(g, s);
  if (err != RT_OK) return err;
  static gexec_t x; /* static, so the firmware stack stays small */
  memset(&x, 0, sizeof x);
  x.g = g;
  x.sched = s;
  x.arena = arena;
  memset(stats, 0, sizeof *stats);
  const int32_t N = m->n_layers;
  for (int32_t t = 0; t <= N; t++) {
    x.root[t] = (int16_t)t;
    x.last_use[t] = -1;
    if (t > 0 && m->layers[t - 1].op == RT_OP_RESHAPE) x.root[t] = x.root[g->nodes[t - 1].in[0]];
  }
  for (int32_t i = 0; i < N; i++)
    for (int32_t k = 0; k < g->nodes[i].n_in; k++) x.last_use[x.root[g->nodes[i].in[k]]] = (int16_t)i;
  x.last_use[x.root[N]] = (int16_t)N; /* the output is read by the caller */
  for (int32_t i = 0; i < N; i++) {
    const rt_layer_t *L = &m->layers[i];
    MCUSIM_LAYER_INFO(i, rt_op_kind(L->op), L->out_h, L->out_w, L->out_c);
    /* params = weights + int32 biases; flash = weights + int32 bias, multiplier and shift per output channel */
    const uint32_t nw = graph_layer_weights(L, &g->nodes[i]), nc = nw ? L->out_c : 0;
    MCUSIM_LAYER_PARAMS(i, nw + nc, nw + 12u * nc);
  }

  const rt_view_t frame = {(int8_t *)(uintptr_t)(m->blob + m->input_off), 0, 0, m->in_h, m->in_w, m->in_c};
  if (s->input_in_arena) {
    if ((err = alloc_slot(&x, &x.slots[0], (rt_rect_t){0, 0, m->in_h, m->in_w}, m->in_c, TAG_INPUT, 0)) != RT_OK)
      return err;
    memcpy(x.slots[0].view.data, frame.data, (size_t)m->in_h * m->in_w * m->in_c);
  } else {
    x.slots[0] = (gslot_t){frame, 0, 0};
  }
  /* an input nobody reads (or a layer-wise run's unread frame) is freed at once */
  if (x.last_use[0] < 0) free_slot(&x, 0);

  int32_t first = 0;
  if (s->patch_n) {
    if ((err = run_patch_stage(&x, stats)) != RT_OK) return err;
    first = s->patch_layers;
  }
  for (int32_t i = first; i < N; i++) {
    const uint64_t before = x.macs;
    if ((err = run_layer(&x, i, full_rect(&m->layers[i]))) != RT_OK) return err;
    if (s->patch_n == 0 && i < s->patch_layers) stats->patch_stage_macs += x.macs - before;
  }
  const int32_t out_root = x.root[N];
  const uint32_t bytes = (uint32_t)tensor_bytes(g, N);
  stats->output_bytes = bytes;
  stats->checksum = rt_fnv1a(x.slots[out_root].view.data, bytes, RT_FNV1A_INIT);
  if (output) memcpy(output, x.slots[out_root].view.data, bytes);
  free_slot(&x, out_root);
  stats->macs = x.macs;
  return RT_OK;
}
