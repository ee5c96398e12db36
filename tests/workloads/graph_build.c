/* tests/workloads/graph_build.c — see graph_build.h. */
#include "tests/workloads/graph_build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/workloads/ref_ops.h"

static uint32_t gb_rnd(gb_t *b) {
  b->rng = b->rng * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(b->rng >> 33);
}
static int32_t gb_range(gb_t *b, int32_t lo, int32_t hi) { return lo + (int32_t)(gb_rnd(b) % (uint32_t)(hi - lo + 1)); }

/* append n bytes (4-byte aligned start) and return the offset */
static uint32_t gb_put(gb_t *b, const void *data, size_t n) {
  const size_t off = (b->blob_bytes + 3) & ~(size_t)3;
  b->blob = realloc(b->blob, off + n + 4);
  memset(b->blob + b->blob_bytes, 0, off - b->blob_bytes);
  if (data) memcpy(b->blob + off, data, n);
  b->blob_bytes = off + n;
  return (uint32_t)off;
}

static void shape_of(const gb_t *b, int t, int *h, int *w, int *c, int32_t *zp) {
  if (t == 0) {
    *h = b->g.model.in_h, *w = b->g.model.in_w, *c = b->g.model.in_c, *zp = b->g.model.in_zp;
  } else {
    const rt_layer_t *L = &b->layers[t - 1];
    *h = L->out_h, *w = L->out_w, *c = L->out_c, *zp = L->out_zp;
  }
}

void gb_init(gb_t *b, const char *name, int h, int w, int c, int32_t zp, uint64_t seed) {
  memset(b, 0, sizeof *b);
  b->rng = seed;
  b->g.model.name = name;
  b->g.model.in_h = (uint16_t)h, b->g.model.in_w = (uint16_t)w, b->g.model.in_c = (uint16_t)c;
  b->g.model.in_zp = zp;
  int8_t *frame = malloc((size_t)(h * w * c));
  for (int i = 0; i < h * w * c; i++) frame[i] = (int8_t)gb_range(b, -128, 127);
  b->g.model.input_off = gb_put(b, frame, (size_t)(h * w * c));
  free(frame);
}

/* a new layer reading src (shape from it) */
static rt_layer_t *gb_layer(gb_t *b, uint8_t op, int src, const char *kind) {
  rt_layer_t *L = &b->layers[b->n];
  rt_node_t *N = &b->nodes[b->n];
  memset(L, 0, sizeof *L);
  memset(N, 0, sizeof *N);
  snprintf(b->names[b->n], sizeof b->names[b->n], "%s_%d", kind, b->n);
  L->name = b->names[b->n];
  L->op = op;
  L->res_src = -1;
  int h, w, c;
  int32_t zp;
  shape_of(b, src, &h, &w, &c, &zp);
  L->in_h = (uint16_t)h, L->in_w = (uint16_t)w, L->in_c = (uint16_t)c, L->in_zp = zp;
  L->out_h = (uint16_t)h, L->out_w = (uint16_t)w, L->out_c = (uint16_t)c, L->out_zp = zp;
  L->act_min = -128, L->act_max = 127;
  N->n_in = 1;
  N->in[0] = (int16_t)src;
  N->in[1] = N->in[2] = N->in[3] = -1;
  return L;
}

static void set_act(gb_t *b, rt_layer_t *L, int act) {
  L->out_zp = act == GB_ACT_NONE ? gb_range(b, -20, 20) : -128 + gb_range(b, 0, 8);
  L->act_min = act == GB_ACT_NONE ? -128 : L->out_zp;
  L->act_max = act == GB_ACT_RELU6 ? (L->out_zp + 200 > 127 ? 127 : L->out_zp + 200) : 127;
}

/* weights, bias and per-channel requantization: real multiplier ~ 40 / (73 * 73 * sqrt(fan_in)) */
static void gb_params(gb_t *b, rt_layer_t *L, size_t n_weights, int n_ch, int fan_in) {
  int8_t *wt = malloc(n_weights + 1);
  int32_t *bias = malloc(sizeof(int32_t) * (size_t)n_ch), *mult = malloc(sizeof(int32_t) * (size_t)n_ch),
          *shift = malloc(sizeof(int32_t) * (size_t)n_ch);
  for (size_t i = 0; i < n_weights; i++) wt[i] = (int8_t)gb_range(b, -127, 127);
  for (int c = 0; c < n_ch; c++) {
    const double real = 40.0 / (73.0 * 73.0 * sqrt((double)fan_in)) * (0.8 + (gb_rnd(b) % 400) / 1000.0);
    ref_quantize_multiplier(real, &mult[c], &shift[c]);
    bias[c] = gb_range(b, -3000, 3000);
  }
  L->weights_off = gb_put(b, wt, n_weights);
  L->bias_off = gb_put(b, bias, sizeof(int32_t) * (size_t)n_ch);
  L->mult_off = gb_put(b, mult, sizeof(int32_t) * (size_t)n_ch);
  L->shift_off = gb_put(b, shift, sizeof(int32_t) * (size_t)n_ch);
  free(wt), free(bias), free(mult), free(shift);
}

static void gb_window(gb_t *b, rt_layer_t *L, int kh, int kw, int sh, int sw, int same) {
  rt_node_t *N = &b->nodes[b->n];
  int oh, ow, pt, pl;
  ref_padding(L->in_h, kh, sh, same, &oh, &pt);
  ref_padding(L->in_w, kw, sw, same, &ow, &pl);
  N->kh = (uint8_t)kh, N->kw = (uint8_t)kw, N->sh = (uint8_t)sh, N->sw = (uint8_t)sw;
  N->pad_top = (uint8_t)pt, N->pad_left = (uint8_t)pl;
  L->out_h = (uint16_t)oh, L->out_w = (uint16_t)ow;
}

int gb_conv(gb_t *b, int src, int out_c, int kh, int kw, int sh, int sw, int same, int act) {
  rt_layer_t *L = gb_layer(b, RT_OP_CONV2D, src, "conv");
  gb_window(b, L, kh, kw, sh, sw, same);
  L->out_c = (uint16_t)out_c;
  set_act(b, L, act);
  gb_params(b, L, (size_t)out_c * kh * kw * L->in_c, out_c, kh * kw * L->in_c);
  return ++b->n;
}

int gb_dw(gb_t *b, int src, int dm, int kh, int kw, int sh, int sw, int same, int act) {
  rt_layer_t *L = gb_layer(b, RT_OP_DWCONV, src, "dw");
  gb_window(b, L, kh, kw, sh, sw, same);
  b->nodes[b->n].depth_mult = (uint8_t)dm;
  L->out_c = (uint16_t)(L->in_c * dm);
  set_act(b, L, act);
  gb_params(b, L, (size_t)L->out_c * kh * kw, L->out_c, kh * kw);
  return ++b->n;
}

int gb_pool(gb_t *b, int src, int is_max, int kh, int kw, int sh, int sw, int same) {
  rt_layer_t *L = gb_layer(b, is_max ? RT_OP_MAXPOOL2D : RT_OP_AVGPOOL2D, src, is_max ? "maxpool" : "avgpool");
  gb_window(b, L, kh, kw, sh, sw, same);
  return ++b->n;
}

int gb_add(gb_t *b, int a, int c, int act) {
  rt_layer_t *L = gb_layer(b, RT_OP_ADD, a, "add");
  rt_node_t *N = &b->nodes[b->n];
  int h, w, ch;
  int32_t zp_b;
  shape_of(b, c, &h, &w, &ch, &zp_b);
  N->n_in = 2;
  N->in[1] = (int16_t)c;
  set_act(b, L, act);
  /* TFLite's Prepare with scales s1, s2, s_out */
  const double s1 = 1.0, s2 = 0.5 + (gb_rnd(b) % 100) / 100.0, so = 1.5, twice = 2 * (s1 > s2 ? s1 : s2);
  rt_add_params_t *p = &L->add;
  ref_quantize_multiplier(s1 / twice, &p->in1_mult, &p->in1_shift);
  ref_quantize_multiplier(s2 / twice, &p->in2_mult, &p->in2_shift);
  ref_quantize_multiplier(twice / ((1 << 20) * so), &p->out_mult, &p->out_shift);
  p->in1_zp = L->in_zp, p->in2_zp = zp_b, p->out_zp = L->out_zp;
  p->act_min = L->act_min, p->act_max = L->act_max;
  return ++b->n;
}

int gb_mean(gb_t *b, int src) {
  rt_layer_t *L = gb_layer(b, RT_OP_MEAN, src, "mean");
  L->out_h = L->out_w = 1;
  L->out_zp = gb_range(b, -10, 10);
  ref_quantize_multiplier(1.0 / 0.7, &b->nodes[b->n].mult, &b->nodes[b->n].shift);
  return ++b->n;
}

int gb_fc(gb_t *b, int src, int n_out, int act) {
  rt_layer_t *L = gb_layer(b, RT_OP_FC, src, "fc");
  const int n_in = L->in_h * L->in_w * L->in_c;
  L->out_h = L->out_w = 1;
  L->out_c = (uint16_t)n_out;
  set_act(b, L, act);
  gb_params(b, L, (size_t)n_out * n_in, n_out, n_in);
  return ++b->n;
}

int gb_reshape(gb_t *b, int src, int h, int w, int c) {
  rt_layer_t *L = gb_layer(b, RT_OP_RESHAPE, src, "reshape");
  L->out_h = (uint16_t)h, L->out_w = (uint16_t)w, L->out_c = (uint16_t)c;
  return ++b->n;
}

int gb_softmax(gb_t *b, int src) {
  rt_layer_t *L = gb_layer(b, RT_OP_SOFTMAX, src, "softmax");
  rt_node_t *N = &b->nodes[b->n];
  ref_softmax_params(1.0, 0.125, &N->mult, &N->shift, &N->diff_min);
  L->out_zp = -128;
  return ++b->n;
}

int gb_pad(gb_t *b, int src, int top, int left, int bottom, int right) {
  rt_layer_t *L = gb_layer(b, RT_OP_PAD, src, "pad");
  rt_node_t *N = &b->nodes[b->n];
  N->pad_top = (uint8_t)top, N->pad_left = (uint8_t)left;
  L->out_h = (uint16_t)(L->in_h + top + bottom), L->out_w = (uint16_t)(L->in_w + left + right);
  return ++b->n;
}

int gb_concat(gb_t *b, int n, const int *srcs) {
  rt_layer_t *L = gb_layer(b, RT_OP_CONCAT, srcs[0], "concat");
  rt_node_t *N = &b->nodes[b->n];
  N->n_in = (uint8_t)n;
  int total = 0;
  for (int k = 0; k < n; k++) {
    int h, w, c;
    int32_t zp;
    shape_of(b, srcs[k], &h, &w, &c, &zp);
    N->in[k] = (int16_t)srcs[k];
    total += c;
  }
  L->out_c = (uint16_t)total;
  return ++b->n;
}

int gb_requant(gb_t *b, int src, double real) {
  rt_layer_t *L = gb_layer(b, RT_OP_REQUANT, src, "quantize");
  ref_quantize_multiplier(real, &b->nodes[b->n].mult, &b->nodes[b->n].shift);
  L->out_zp = gb_range(b, -30, 30);
  return ++b->n;
}

const rt_graph_t *gb_finish(gb_t *b) {
  b->g.model.n_layers = (uint16_t)b->n;
  b->g.model.layers = b->layers;
  b->g.model.blob = b->blob;
  b->g.nodes = b->nodes;
  return &b->g;
}

void gb_free(gb_t *b) {
  free(b->blob);
  b->blob = NULL;
}

/* ---- the independent evaluation ---- */
int gb_reference(const gb_t *b, int8_t *out, int cap) {
  int8_t *t[GB_MAX + 1] = {0};
  const rt_model_t *m = &b->g.model;
  const int in_bytes = m->in_h * m->in_w * m->in_c;
  t[0] = malloc((size_t)in_bytes);
  memcpy(t[0], m->blob + m->input_off, (size_t)in_bytes);
  for (int i = 0; i < b->n; i++) {
    const rt_layer_t *L = &b->layers[i];
    const rt_node_t *N = &b->nodes[i];
    const ref_shape_t is = {L->in_h, L->in_w, L->in_c}, os = {L->out_h, L->out_w, L->out_c};
    const int n_out = os.h * os.w * os.c;
    int8_t *o = t[i + 1] = malloc((size_t)n_out + 1);
    const int8_t *x = t[N->in[0]];
    const int8_t *w = (const int8_t *)(m->blob + L->weights_off);
    const int32_t *bias = (const int32_t *)(const void *)(m->blob + L->bias_off);
    const int32_t *mult = (const int32_t *)(const void *)(m->blob + L->mult_off);
    const int32_t *shift = (const int32_t *)(const void *)(m->blob + L->shift_off);
    switch (L->op) {
    case RT_OP_CONV2D:
      ref_conv(x, is, L->in_zp, w, bias, mult, shift, N->kh, N->kw, N->sh, N->sw, N->pad_top, N->pad_left, o, os,
               L->out_zp, L->act_min, L->act_max);
      break;
    case RT_OP_DWCONV:
      ref_dwconv(x, is, L->in_zp, w, bias, mult, shift, N->kh, N->kw, N->sh, N->sw, N->pad_top, N->pad_left,
                 N->depth_mult, o, os, L->out_zp, L->act_min, L->act_max);
      break;
    case RT_OP_AVGPOOL2D:
    case RT_OP_MAXPOOL2D:
      ref_pool(x, is, N->kh, N->kw, N->sh, N->sw, N->pad_top, N->pad_left, L->op == RT_OP_MAXPOOL2D, o, os, L->act_min,
               L->act_max);
      break;
    case RT_OP_ADD: {
      const rt_add_params_t *p = &L->add;
      ref_add(x, t[N->in[1]], n_out, p->in1_zp, p->in1_mult, p->in1_shift, p->in2_zp, p->in2_mult, p->in2_shift,
              p->out_zp, p->out_mult, p->out_shift, p->act_min, p->act_max, o);
      break;
    }
    case RT_OP_MEAN:
      ref_mean(x, is, L->in_zp, N->mult, N->shift, L->out_zp, o);
      break;
    case RT_OP_FC:
      ref_fc(x, is.h * is.w * is.c, L->in_zp, w, bias, mult, shift, os.c, L->out_zp, L->act_min, L->act_max, o);
      break;
    case RT_OP_RESHAPE:
      memcpy(o, x, (size_t)n_out);
      break;
    case RT_OP_SOFTMAX:
      ref_softmax(x, is.h * is.w, is.c, N->mult, N->shift, N->diff_min, o);
      break;
    case RT_OP_PAD:
      ref_pad(x, is, N->pad_top, N->pad_left, L->out_zp, o, os);
      break;
    case RT_OP_CONCAT: {
      const int8_t *ins[RT_MAX_INPUTS];
      int cs[RT_MAX_INPUTS];
      for (int k = 0; k < N->n_in; k++) {
        ins[k] = t[N->in[k]];
        const int s = N->in[k];
        cs[k] = s == 0 ? m->in_c : b->layers[s - 1].out_c;
      }
      ref_concat(ins, cs, N->n_in, os.h * os.w, o);
      break;
    }
    case RT_OP_REQUANT:
      ref_requant(x, n_out, L->in_zp, N->mult, N->shift, L->out_zp, o);
      break;
    default:
      break;
    }
  }
  const rt_layer_t *last = &b->layers[b->n - 1];
  int n = last->out_h * last->out_w * last->out_c;
  if (n > cap) n = cap;
  memcpy(out, t[b->n], (size_t)n);
  for (int i = 0; i <= b->n; i++) free(t[i]);
  return n;
}
