/* gen_graph.c — a .tflite general graph -> gen_model_t + rt_node_t (gen_graph.h, docs/tflite.md). */
#include "workloads/gen/gen_graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"

#define MAX_DIM 4096      /* the runtime's sizes are 16-bit; the generator keeps maps and channels to 4096 */
#define TFL_OP_SQUEEZE 43 /* schema.fbs BuiltinOperator SQUEEZE */

typedef struct {
  const tfl_model_t *t;
  gen_model_t *m;
  uint8_t *op_ok;
  char *why;
  size_t why_len;
  int n_bad, full;
  int32_t *rt_of; /* [n_tensors]: the runtime tensor (0 input, i + 1 layer i's output), -1 none */
  rt_layer_t layers[RT_MAX_LAYERS];
  rt_node_t nodes[RT_MAX_LAYERS];
  char names[RT_MAX_LAYERS][GEN_NAME_MAX];
  int32_t n;
  uint8_t *blob;
  uint64_t blob_bytes, blob_cap;
  int oom;
} gi_t;

static void refuse(gi_t *g, int32_t i, const char *what) {
  char nb[24], item[160];
  const size_t len = strlen(g->why);
  snprintf(item, sizeof item, "%s%s (operator %d%s%s)", g->n_bad ? ", " : "",
           tfl_op_name(g->t->ops[i].code, nb, sizeof nb), i, what ? ": " : "", what ? what : "");
  if (!g->full && len + strlen(item) <= 180)
    snprintf(g->why + len, g->why_len - len, "%s", item);
  else if (!g->full) {
    snprintf(g->why + len, g->why_len - len, ", ...");
    g->full = 1;
  }
  g->n_bad++;
  g->op_ok[i] = 0;
}

/* An int8 activation tensor as h x w x c: [1,h,w,c], [1,w,c] (h = 1), [1,c] or [c] (h = w = 1). */
static int shape3(const tfl_tensor_t *ts, int32_t *h, int32_t *w, int32_t *c) {
  if (ts->type != TFL_INT8 || ts->data) return -1;
  const int32_t *d = ts->dims;
  if (ts->n_dims == 4 && d[0] == 1)
    *h = d[1], *w = d[2], *c = d[3];
  else if (ts->n_dims == 3 && d[0] == 1)
    *h = 1, *w = d[1], *c = d[2];
  else if (ts->n_dims == 2 && d[0] == 1)
    *h = 1, *w = 1, *c = d[1];
  else if (ts->n_dims == 1)
    *h = 1, *w = 1, *c = d[0];
  else
    return -1;
  return *h >= 1 && *w >= 1 && *c >= 1 && *h <= MAX_DIM && *w <= MAX_DIM && *c <= MAX_DIM ? 0 : -1;
}

static int same_quant(const tfl_tensor_t *a, const tfl_tensor_t *b) {
  return tfl_zero_point(a) == tfl_zero_point(b) && fabs(tfl_scale(a, 0) - tfl_scale(b, 0)) <= 1e-6 * tfl_scale(a, 0);
}

/* TFLite CalculateActivationRangeQuantized; -1 for an activation this runtime does not apply. */
static int act_range(int32_t act, double s, int32_t zp, int32_t *lo, int32_t *hi) {
  *lo = -128;
  *hi = 127;
  if (act == TFL_ACT_NONE) return 0;
  if (act != TFL_ACT_RELU && act != TFL_ACT_RELU6) return -1;
  *lo = zp > -128 ? zp : -128;
  if (act == TFL_ACT_RELU6) {
    const double q = zp + round(6.0 / s);
    *hi = q < 127 ? (int32_t)q : 127;
  }
  return 0;
}

/* TFLite's output size and leading pad of one spatial dimension. */
static void geom(int32_t padding, int32_t in, int32_t k, int32_t s, int32_t *out, int32_t *pad) {
  if (padding == TFL_PAD_SAME) {
    *out = (in + s - 1) / s;
    const int32_t total = (*out - 1) * s + k - in;
    *pad = total > 0 ? total / 2 : 0;
  } else {
    *out = in >= k ? (in - k + s) / s : 0;
    *pad = 0;
  }
}

static const char *check_weights(const tfl_tensor_t *ts, uint64_t count, int32_t n_ch, int32_t qdim) {
  if (ts->type != TFL_INT8) return "weights not int8";
  if (!ts->data || ts->data_bytes != count) return "weights: data size does not match the shape";
  if (!(ts->n_scale == 1 || (ts->n_scale == n_ch && ts->quantized_dimension == qdim))) return "weights: scales";
  for (int32_t i = 0; i < ts->n_scale; i++)
    if (!(ts->scale[i] > 0) || !isfinite(ts->scale[i])) return "weights: a scale is not positive";
  for (int32_t i = 0; i < ts->n_zero_point; i++)
    if (ts->zero_point[i] != 0) return "weights: zero point not 0 (TFLite int8 weights are symmetric)";
  return NULL;
}

/* Append n bytes (NULL: zeros) at a 4-byte aligned offset of the blob; its offset, or UINT32_MAX when too large. */
static uint32_t put(gi_t *g, const void *data, uint64_t n) {
  const uint64_t off = (g->blob_bytes + 3u) & ~(uint64_t)3u;
  if (off + n > GEN_BLOB_MAX_BYTES) return UINT32_MAX;
  if (off + n > g->blob_cap) {
    uint64_t cap = g->blob_cap ? g->blob_cap : 4096;
    while (cap < off + n) cap *= 2;
    uint8_t *b = realloc(g->blob, (size_t)cap);
    if (!b) {
      g->oom = 1;
      return UINT32_MAX;
    }
    memset(b + g->blob_cap, 0, (size_t)(cap - g->blob_cap));
    g->blob = b;
    g->blob_cap = cap;
  }
  if (data && n) memcpy(g->blob + off, data, (size_t)n);
  g->blob_bytes = off + n;
  return (uint32_t)off;
}

static void out_shape(const gi_t *g, int32_t rt, int32_t *h, int32_t *w, int32_t *c, int32_t *zp) {
  if (rt == 0)
    *h = g->m->model.in_h, *w = g->m->model.in_w, *c = g->m->model.in_c, *zp = g->m->model.in_zp;
  else {
    const rt_layer_t *L = &g->layers[rt - 1];
    *h = L->out_h, *w = L->out_w, *c = L->out_c, *zp = L->out_zp;
  }
}

/* A new layer reading runtime tensor src and writing tensor `out` (its shape and zero point); NULL with the
 * operator refused when the output is not an int8 activation or the table is full. */
static rt_layer_t *new_layer(gi_t *g, int32_t i, uint8_t op, int32_t src, int32_t out) {
  int32_t h, w, c, zp, oh, ow, oc;
  if (g->n == RT_MAX_LAYERS) {
    refuse(g, i, "more layers than the runtime's 96");
    return NULL;
  }
  const tfl_tensor_t *to = &g->t->tensors[out];
  if (shape3(to, &oh, &ow, &oc) || !tfl_quantized(to)) {
    refuse(g, i, "output not an int8 activation within 4096 per dimension, with quantization");
    return NULL;
  }
  if ((uint64_t)oh * ow * oc > GEN_TENSOR_MAX_BYTES) { /* the runtime's sizes are 32-bit */
    refuse(g, i, "output larger than a tensor may be");
    return NULL;
  }
  rt_layer_t *L = &g->layers[g->n];
  rt_node_t *N = &g->nodes[g->n];
  memset(L, 0, sizeof *L);
  memset(N, 0, sizeof *N);
  snprintf(g->names[g->n], GEN_NAME_MAX, "%.47s", to->name[0] ? to->name : "layer");
  L->name = g->names[g->n];
  L->op = op;
  L->res_src = -1;
  out_shape(g, src, &h, &w, &c, &zp);
  L->in_h = (uint16_t)h, L->in_w = (uint16_t)w, L->in_c = (uint16_t)c, L->in_zp = zp;
  L->out_h = (uint16_t)oh, L->out_w = (uint16_t)ow, L->out_c = (uint16_t)oc, L->out_zp = tfl_zero_point(to);
  L->act_min = -128, L->act_max = 127;
  N->n_in = 1;
  N->in[0] = (int16_t)src;
  N->in[1] = N->in[2] = N->in[3] = -1;
  return L;
}

static void commit(gi_t *g, int32_t out) { g->rt_of[out] = ++g->n; }

/* weights, bias (zeros when absent) and per-channel requantization of a layer with weights */
static const char *params(gi_t *g, rt_layer_t *L, const tfl_tensor_t *wts, int32_t bt, double s_in, double s_out) {
  const int32_t oc = L->out_c;
  const tfl_tensor_t *bts = bt >= 0 ? &g->t->tensors[bt] : NULL;
  if (bts && (bts->type != TFL_INT32 || !bts->data || bts->data_bytes != 4u * (uint32_t)oc))
    return "bias: not int32[out]";
  const uint32_t wo = put(g, wts->data, wts->data_bytes);
  const uint32_t bo = put(g, bts ? bts->data : NULL, 4u * (uint32_t)oc);
  const uint32_t mo = put(g, NULL, 4u * (uint32_t)oc), so = put(g, NULL, 4u * (uint32_t)oc);
  if (wo == UINT32_MAX || bo == UINT32_MAX || mo == UINT32_MAX || so == UINT32_MAX)
    return "the weights reach beyond the blob the firmware addresses";
  L->weights_off = wo, L->bias_off = bo, L->mult_off = mo, L->shift_off = so;
  for (int32_t c = 0; c < oc; c++) {
    const double real = s_in * tfl_scale(wts, c) / s_out; /* TFLite: input_scale * filter_scale / output_scale */
    if (!(real < 1e9)) return "scales give a requantization factor beyond an int32 multiplier and shift";
    int32_t mult, shift;
    gen_quantize_multiplier(real, &mult, &shift);
    memcpy(g->blob + mo + 4u * (uint32_t)c, &mult, 4);
    memcpy(g->blob + so + 4u * (uint32_t)c, &shift, 4);
  }
  g->m->weight_bytes += wts->data_bytes;
  g->m->param_bytes += wts->data_bytes + 12u * (uint64_t)oc;
  return NULL;
}

/* TFLite PreprocessSoftmaxScaling (5 integer bits) and CalculateInputRadius. */
static void softmax_params(double beta, double s_in, int32_t *mult, int32_t *shift, int32_t *diff_min) {
  double real = beta * s_in * (double)(1 << 26);
  if (real > 2147483647.0) real = 2147483647.0;
  gen_quantize_multiplier(real, mult, shift);
  *diff_min = 0; /* a shift outside 0..30 is refused by the caller */
  if (*shift >= 0 && *shift <= 30) *diff_min = -(int32_t)floor(31.0 * (double)(1 << 26) / ldexp(1.0, *shift));
}

static int32_t src_of(gi_t *g, int32_t i, int32_t tensor) {
  if (tensor < 0 || tensor >= g->t->n_tensors || g->rt_of[tensor] < 0) {
    refuse(g, i, "reads a tensor no earlier operator produced");
    return -1;
  }
  return g->rt_of[tensor];
}

static void map_op(gi_t *g, int32_t i) {
  const tfl_model_t *t = g->t;
  const tfl_op_t *op = &t->ops[i];
  if (op->n_inputs < 1 || op->n_outputs != 1 || op->inputs[0] < 0 || op->outputs[0] < 0) {
    refuse(g, i, "inputs/outputs");
    return;
  }
  const int32_t in = op->inputs[0], out = op->outputs[0];
  const tfl_tensor_t *ti = &t->tensors[in], *to = &t->tensors[out];
  int32_t src;
  rt_layer_t *L;
  rt_node_t *N;
  switch (op->code) {
  case TFL_OP_QUANTIZE:
    if (ti->type == TFL_FLOAT32 && g->n == 0 && t->n_inputs == 1 && t->inputs[0] == in) {
      int32_t h, w, c;
      if (shape3(to, &h, &w, &c) || !tfl_quantized(to) || tfl_tensor_elems(ti) != tfl_tensor_elems(to) ||
          (uint64_t)h * w * c > GEN_TENSOR_MAX_BYTES) {
        refuse(g, i, "of the float input: not to an int8 activation of its size");
        return;
      }
      g->m->model.in_h = (uint16_t)h, g->m->model.in_w = (uint16_t)w, g->m->model.in_c = (uint16_t)c;
      g->m->model.in_zp = tfl_zero_point(to);
      g->m->input_scale = tfl_scale(to, 0);
      g->rt_of[out] = 0;
      return;
    }
    if ((src = src_of(g, i, in)) < 0) return;
    if (!tfl_quantized(ti) || !(L = new_layer(g, i, RT_OP_REQUANT, src, out))) return;
    N = &g->nodes[g->n];
    gen_quantize_multiplier(tfl_scale(ti, 0) / tfl_scale(to, 0), &N->mult, &N->shift);
    commit(g, out);
    return;
  case TFL_OP_DEQUANTIZE:
    if ((src = src_of(g, i, in)) < 0) return;
    if (to->type != TFL_FLOAT32) refuse(g, i, "not to float");
    g->rt_of[out] = src; /* the edge: the firmware's output is its int8 input */
    return;
  case TFL_OP_RESHAPE:
  case TFL_OP_SQUEEZE:
    if ((src = src_of(g, i, in)) < 0) return;
    if (tfl_tensor_elems(ti) != tfl_tensor_elems(to) || !same_quant(ti, to)) {
      refuse(g, i, "changes the element count or the quantization");
      return;
    }
    if ((L = new_layer(g, i, RT_OP_RESHAPE, src, out))) commit(g, out);
    return;
  case TFL_OP_CONV_2D:
  case TFL_OP_DEPTHWISE_CONV_2D: {
    const int dw = op->code == TFL_OP_DEPTHWISE_CONV_2D;
    const int32_t wt = op->n_inputs > 1 ? op->inputs[1] : -1, bt = op->n_inputs > 2 ? op->inputs[2] : -1;
    if ((src = src_of(g, i, in)) < 0) return;
    if (wt < 0 || !tfl_quantized(ti) || !(L = new_layer(g, i, dw ? RT_OP_DWCONV : RT_OP_CONV2D, src, out))) {
      if (wt < 0 || !tfl_quantized(ti)) refuse(g, i, "no weights, or the input has no quantization");
      return;
    }
    N = &g->nodes[g->n];
    const tfl_tensor_t *wts = &t->tensors[wt];
    if (wts->n_dims != 4 || wts->dims[1] < 1 || wts->dims[2] < 1 || wts->dims[1] > 255 || wts->dims[2] > 255) {
      refuse(g, i, "filter shape");
      return;
    }
    const int32_t kh = wts->dims[1], kw = wts->dims[2], ic = L->in_c, oc = L->out_c;
    if (op->stride_h < 1 || op->stride_w < 1 || op->stride_h > 255 || op->stride_w > 255 || op->dilation_h != 1 ||
        op->dilation_w != 1) {
      refuse(g, i, "stride out of 1..255, or dilation");
      return;
    }
    if (dw ? (wts->dims[0] != 1 || wts->dims[3] != oc || oc % ic || oc / ic > 255)
           : (wts->dims[3] != ic || wts->dims[0] != oc)) {
      refuse(g, i, "filter shape does not match the input and output channels");
      return;
    }
    int32_t eh, ew, pt, pl;
    geom(op->padding, L->in_h, kh, op->stride_h, &eh, &pt);
    geom(op->padding, L->in_w, kw, op->stride_w, &ew, &pl);
    if (eh != L->out_h || ew != L->out_w || pt > 255 || pl > 255) {
      refuse(g, i, "output shape does not follow from the padding");
      return;
    }
    const char *why = check_weights(wts, (uint64_t)kh * kw * (dw ? (uint64_t)oc : (uint64_t)ic * oc), oc, dw ? 3 : 0);
    if (!why && act_range(op->activation, tfl_scale(to, 0), L->out_zp, &L->act_min, &L->act_max))
      why = "fused activation";
    if (!why) why = params(g, L, wts, bt, tfl_scale(ti, 0), tfl_scale(to, 0));
    if (why) {
      refuse(g, i, why);
      return;
    }
    N->kh = (uint8_t)kh, N->kw = (uint8_t)kw, N->sh = (uint8_t)op->stride_h, N->sw = (uint8_t)op->stride_w;
    N->pad_top = (uint8_t)pt, N->pad_left = (uint8_t)pl;
    N->depth_mult = (uint8_t)(dw ? oc / ic : 0);
    commit(g, out);
    return;
  }
  case TFL_OP_FULLY_CONNECTED: {
    const int32_t wt = op->n_inputs > 1 ? op->inputs[1] : -1, bt = op->n_inputs > 2 ? op->inputs[2] : -1;
    if ((src = src_of(g, i, in)) < 0) return;
    if (wt < 0 || !tfl_quantized(ti) || !(L = new_layer(g, i, RT_OP_FC, src, out))) {
      if (wt < 0 || !tfl_quantized(ti)) refuse(g, i, "no weights, or the input has no quantization");
      return;
    }
    const uint64_t n_in = (uint64_t)L->in_h * L->in_w * L->in_c;
    const tfl_tensor_t *wts = &t->tensors[wt];
    const char *why = L->out_h != 1 || L->out_w != 1 || tfl_tensor_elems(ti) != n_in ? "output not [1,n], or input size"
                      : wts->n_dims != 2 || wts->dims[0] != L->out_c || (uint64_t)wts->dims[1] != n_in ? "weights shape"
                                                                                                       : NULL;
    if (!why) why = check_weights(wts, n_in * L->out_c, L->out_c, 0);
    if (!why && act_range(op->activation, tfl_scale(to, 0), L->out_zp, &L->act_min, &L->act_max))
      why = "fused activation";
    if (!why) why = params(g, L, wts, bt, tfl_scale(ti, 0), tfl_scale(to, 0));
    if (why) {
      refuse(g, i, why);
      return;
    }
    commit(g, out);
    return;
  }
  case TFL_OP_ADD: {
    int32_t src2;
    if (op->n_inputs != 2 || (src = src_of(g, i, in)) < 0 || (src2 = src_of(g, i, op->inputs[1])) < 0) {
      if (op->n_inputs != 2) refuse(g, i, "inputs");
      return;
    }
    const tfl_tensor_t *tb = &t->tensors[op->inputs[1]];
    if (!tfl_quantized(ti) || !tfl_quantized(tb) || !(L = new_layer(g, i, RT_OP_ADD, src, out))) {
      if (!tfl_quantized(ti) || !tfl_quantized(tb)) refuse(g, i, "inputs without quantization");
      return;
    }
    int32_t h, w, c, zp2;
    out_shape(g, src2, &h, &w, &c, &zp2);
    if (h != L->in_h || w != L->in_w || c != L->in_c || L->out_h != h || L->out_w != w || L->out_c != c) {
      refuse(g, i, "inputs and output of different shapes (no broadcasting)");
      return;
    }
    if (act_range(op->activation, tfl_scale(to, 0), L->out_zp, &L->act_min, &L->act_max)) {
      refuse(g, i, "fused activation");
      return;
    }
    N = &g->nodes[g->n];
    N->n_in = 2;
    N->in[1] = (int16_t)src2;
    /* TFLite int8 ADD (add.cc): twice_max = 2 max(s1, s2), inputs shifted left by 20 */
    const double s1 = tfl_scale(ti, 0), s2 = tfl_scale(tb, 0), so = tfl_scale(to, 0), twice = 2.0 * (s1 > s2 ? s1 : s2);
    rt_add_params_t *p = &L->add;
    gen_quantize_multiplier(s1 / twice, &p->in1_mult, &p->in1_shift);
    gen_quantize_multiplier(s2 / twice, &p->in2_mult, &p->in2_shift);
    gen_quantize_multiplier(twice / ((double)(1 << RT_ADD_LEFT_SHIFT) * so), &p->out_mult, &p->out_shift);
    p->in1_zp = L->in_zp, p->in2_zp = zp2, p->out_zp = L->out_zp;
    p->act_min = L->act_min, p->act_max = L->act_max;
    commit(g, out);
    return;
  }
  case TFL_OP_AVERAGE_POOL_2D:
  case TFL_OP_MAX_POOL_2D: {
    const int is_max = op->code == TFL_OP_MAX_POOL_2D;
    if ((src = src_of(g, i, in)) < 0) return;
    if (!tfl_quantized(ti) || !same_quant(ti, to)) {
      refuse(g, i, "input and output quantization differ");
      return;
    }
    if (!(L = new_layer(g, i, is_max ? RT_OP_MAXPOOL2D : RT_OP_AVGPOOL2D, src, out))) return;
    N = &g->nodes[g->n];
    int32_t eh, ew, pt, pl;
    if (op->filter_h < 1 || op->filter_w < 1 || op->filter_h > 255 || op->filter_w > 255 || op->stride_h < 1 ||
        op->stride_w < 1 || op->stride_h > 255 || op->stride_w > 255) {
      refuse(g, i, "filter or stride out of 1..255");
      return;
    }
    geom(op->padding, L->in_h, op->filter_h, op->stride_h, &eh, &pt);
    geom(op->padding, L->in_w, op->filter_w, op->stride_w, &ew, &pl);
    if (eh != L->out_h || ew != L->out_w || L->out_c != L->in_c || pt > 255 || pl > 255 ||
        act_range(op->activation, tfl_scale(to, 0), L->out_zp, &L->act_min, &L->act_max)) {
      refuse(g, i, "output shape does not follow from the padding, or fused activation");
      return;
    }
    N->kh = (uint8_t)op->filter_h, N->kw = (uint8_t)op->filter_w;
    N->sh = (uint8_t)op->stride_h, N->sw = (uint8_t)op->stride_w;
    N->pad_top = (uint8_t)pt, N->pad_left = (uint8_t)pl;
    commit(g, out);
    return;
  }
  case TFL_OP_MEAN: {
    const tfl_tensor_t *ax = op->n_inputs > 1 && op->inputs[1] >= 0 ? &t->tensors[op->inputs[1]] : NULL;
    int32_t a0 = 0, a1 = 0;
    int ok = ax && ax->type == TFL_INT32 && ax->data && ax->data_bytes == 8 && ti->n_dims == 4;
    if (ok) memcpy(&a0, ax->data, 4), memcpy(&a1, ax->data + 4, 4);
    if (!ok || !((a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1))) {
      refuse(g, i, "only over H and W of a [1,h,w,c] tensor");
      return;
    }
    if ((src = src_of(g, i, in)) < 0) return;
    if (!tfl_quantized(ti) || !(L = new_layer(g, i, RT_OP_MEAN, src, out))) {
      if (!tfl_quantized(ti)) refuse(g, i, "input without quantization");
      return;
    }
    if (L->out_h != 1 || L->out_w != 1 || L->out_c != L->in_c) {
      refuse(g, i, "output shape");
      return;
    }
    N = &g->nodes[g->n];
    gen_quantize_multiplier(tfl_scale(ti, 0) / tfl_scale(to, 0), &N->mult, &N->shift);
    commit(g, out);
    return;
  }
  case TFL_OP_SOFTMAX: {
    if ((src = src_of(g, i, in)) < 0) return;
    if (!tfl_quantized(ti) || !tfl_quantized(to) || tfl_zero_point(to) != -128 ||
        fabs(tfl_scale(to, 0) * 256.0 - 1.0) > 1e-6 || !(op->beta > 0) || !isfinite(op->beta)) {
      refuse(g, i, "output not scale 1/256 zero point -128, or beta not positive");
      return;
    }
    if (!(L = new_layer(g, i, RT_OP_SOFTMAX, src, out))) return;
    N = &g->nodes[g->n];
    softmax_params((double)op->beta, tfl_scale(ti, 0), &N->mult, &N->shift, &N->diff_min);
    if (N->shift < 0 || N->shift > 30 || ((int64_t)-N->diff_min << N->shift) > INT32_MAX) {
      refuse(g, i, "beta x input scale out of the range the fixed-point softmax handles");
      return;
    }
    commit(g, out);
    return;
  }
  case TFL_OP_PAD: {
    const tfl_tensor_t *pt = op->n_inputs > 1 && op->inputs[1] >= 0 ? &t->tensors[op->inputs[1]] : NULL;
    int32_t p[8];
    if (!pt || pt->type != TFL_INT32 || !pt->data || pt->data_bytes != 32 || ti->n_dims != 4) {
      refuse(g, i, "paddings not a constant int32[4][2] of a [1,h,w,c] tensor");
      return;
    }
    for (int k = 0; k < 8; k++) memcpy(&p[k], pt->data + 4 * k, 4);
    if ((src = src_of(g, i, in)) < 0) return;
    if (p[0] || p[1] || p[6] || p[7] || p[2] < 0 || p[3] < 0 || p[4] < 0 || p[5] < 0 || p[2] > 255 || p[4] > 255 ||
        !tfl_quantized(ti) || !same_quant(ti, to)) {
      refuse(g, i, "pads batch or channels, negative, or changes the quantization");
      return;
    }
    if (!(L = new_layer(g, i, RT_OP_PAD, src, out))) return;
    if (L->out_h != (int64_t)L->in_h + p[2] + p[3] || L->out_w != (int64_t)L->in_w + p[4] + p[5] ||
        L->out_c != L->in_c) {
      refuse(g, i, "output shape");
      return;
    }
    g->nodes[g->n].pad_top = (uint8_t)p[2], g->nodes[g->n].pad_left = (uint8_t)p[4];
    commit(g, out);
    return;
  }
  case TFL_OP_CONCATENATION: {
    if (op->n_inputs > RT_MAX_INPUTS || ti->n_dims < 1 || !(op->axis == -1 || op->axis == ti->n_dims - 1) ||
        op->activation != TFL_ACT_NONE) {
      refuse(g, i, "only along channels, of up to 4 tensors, without activation");
      return;
    }
    int32_t srcs[RT_MAX_INPUTS];
    for (int32_t k = 0; k < op->n_inputs; k++) {
      if ((srcs[k] = src_of(g, i, op->inputs[k])) < 0) return;
      if (!same_quant(&t->tensors[op->inputs[k]], to)) {
        refuse(g, i, "inputs quantized differently from the output");
        return;
      }
    }
    if (!(L = new_layer(g, i, RT_OP_CONCAT, srcs[0], out))) return;
    N = &g->nodes[g->n];
    N->n_in = (uint8_t)op->n_inputs;
    int32_t csum = 0;
    for (int32_t k = 0; k < op->n_inputs; k++) {
      int32_t h, w, c, zp;
      out_shape(g, srcs[k], &h, &w, &c, &zp);
      if (h != L->out_h || w != L->out_w) {
        refuse(g, i, "inputs of different heights or widths");
        return;
      }
      N->in[k] = (int16_t)srcs[k];
      csum += c;
    }
    if (csum != L->out_c) {
      refuse(g, i, "output channels are not the sum of the inputs'");
      return;
    }
    commit(g, out);
    return;
  }
  default:
    refuse(g, i, NULL);
  }
}

int gen_graph_import(const tfl_model_t *t, gen_model_t *m, uint8_t *op_ok, char *why, size_t why_len) {
  gi_t *g = calloc(1, sizeof *g);
  why[0] = 0;
  if (!g || !(g->rt_of = malloc(sizeof(int32_t) * (size_t)(t->n_tensors ? t->n_tensors : 1)))) {
    free(g);
    snprintf(why, why_len, "out of memory");
    return -1;
  }
  g->t = t, g->m = m, g->op_ok = op_ok, g->why = why, g->why_len = why_len;
  for (int32_t i = 0; i < t->n_tensors; i++) g->rt_of[i] = -1;
  for (int32_t i = 0; i < t->n_ops; i++) op_ok[i] = 1;
  int rc = -1;
  if (t->n_inputs != 1 || t->n_outputs != 1) {
    snprintf(why, why_len, "the graph has %d inputs and %d outputs (the runtime takes one of each)", t->n_inputs,
             t->n_outputs);
    goto done;
  }
  const tfl_tensor_t *tin = &t->tensors[t->inputs[0]];
  int32_t h, w, c;
  if (tin->type == TFL_INT8) {
    if (shape3(tin, &h, &w, &c) || !tfl_quantized(tin)) {
      snprintf(why, why_len, "the input tensor is not int8 [1,h,w,c] with quantization");
      goto done;
    }
    m->model.in_h = (uint16_t)h, m->model.in_w = (uint16_t)w, m->model.in_c = (uint16_t)c;
    m->model.in_zp = tfl_zero_point(tin);
    m->input_scale = tfl_scale(tin, 0);
    g->rt_of[t->inputs[0]] = 0;
  }
  /* the input frame at offset 0 (filled below: the file's own "mcusim.input", else pseudo-random) */
  const uint64_t frame_bytes = (uint64_t)m->model.in_h * m->model.in_w * m->model.in_c;
  if (frame_bytes > GEN_TENSOR_MAX_BYTES || (frame_bytes && put(g, NULL, frame_bytes) == UINT32_MAX)) {
    snprintf(why, why_len, "the input is larger than a tensor may be");
    goto done;
  }
  for (int32_t i = 0; i < t->n_ops; i++) {
    if (i == 0 && !frame_bytes) {
      if (t->ops[0].code == TFL_OP_QUANTIZE) map_op(g, 0);
      if (!m->model.in_h) {
        if (!why[0]) snprintf(why, why_len, "the input is neither int8 nor quantized by the first operator");
        goto done;
      }
      if (put(g, NULL, (uint64_t)m->model.in_h * m->model.in_w * m->model.in_c) == UINT32_MAX) {
        snprintf(why, why_len, "out of memory for the input frame");
        goto done;
      }
      continue;
    }
    map_op(g, i);
  }
  if (g->oom) {
    snprintf(why, why_len, "out of memory for the weights blob");
    goto done;
  }
  if (g->n_bad) goto done;
  const int32_t out_t = t->outputs[0];
  if (g->n == 0 || g->rt_of[out_t] != g->n) {
    snprintf(why, why_len, "the graph output is not the last operator's output");
    goto done;
  }
  /* the model */
  snprintf(m->name, sizeof m->name, "%.47s", t->name[0] ? t->name : "tflite");
  snprintf(m->description, sizeof m->description, "%s", t->description);
  const int32_t n = g->n;
  m->layers = calloc((size_t)n, sizeof(rt_layer_t));
  m->nodes = calloc((size_t)n, sizeof(rt_node_t));
  m->layer_names = calloc((size_t)n, sizeof *m->layer_names);
  m->conv_scale = calloc((size_t)n, sizeof(double));
  m->out_scale = calloc((size_t)n, sizeof(double));
  m->filter_scale_off = calloc((size_t)n, sizeof(uint32_t));
  m->filter_scale = calloc(1, sizeof(double));
  if (!m->layers || !m->nodes || !m->layer_names || !m->conv_scale || !m->out_scale || !m->filter_scale_off ||
      !m->filter_scale) {
    snprintf(why, why_len, "out of memory");
    goto done;
  }
  for (int32_t i = 0; i < n; i++) {
    m->layers[i] = g->layers[i];
    m->nodes[i] = g->nodes[i];
    memcpy(m->layer_names[i], g->names[i], GEN_NAME_MAX);
    m->layers[i].name = m->layer_names[i];
  }
  if (g->blob_bytes == 0) put(g, NULL, 4);
  m->blob = g->blob;
  m->blob_bytes = (uint32_t)g->blob_bytes;
  g->blob = NULL;
  const uint32_t frame = (uint32_t)m->model.in_h * m->model.in_w * m->model.in_c;
  const tfl_metadata_t *mi = NULL;
  for (int32_t k = 0; k < t->n_metadata; k++)
    if (!strcmp(t->metadata[k].name, "mcusim.input")) mi = &t->metadata[k];
  if (mi && mi->bytes == frame)
    memcpy(m->blob, mi->data, frame);
  else {
    uint64_t st = gen_hash64(m->name, 0x1234567ull);
    for (uint32_t j = 0; j < frame; j++) m->blob[j] = (uint8_t)(-128 + (int32_t)(gen_rand(&st) % 256u));
  }
  m->model.name = m->name;
  m->model.n_layers = (uint16_t)n;
  m->model.layers = m->layers;
  m->model.blob = m->blob;
  m->model.input_off = 0;
  m->graph.model = m->model;
  m->graph.nodes = m->nodes;
  /* one block per layer (groups of layers past GEN_MAX_BLOCKS): blocks=K is a prefix of layers */
  const int32_t per = (n + GEN_MAX_BLOCKS - 1) / GEN_MAX_BLOCKS;
  int32_t nb = 0;
  for (int32_t i = 0; i < n; i += per) {
    snprintf(m->block_names[nb], GEN_NAME_MAX, "%s", m->layer_names[i]);
    m->block_first_layer[nb++] = i;
  }
  m->n_blocks = nb;
  m->block_first_layer[nb] = n;
  char err[200];
  if (rt_graph_check(&m->graph) != RT_OK) {
    snprintf(why, why_len, "the runtime refuses the graph (edges or shapes)");
    goto done;
  }
  if (gen_graph_check(m, err, sizeof err)) {
    snprintf(why, why_len, "%s", err);
    goto done;
  }
  rc = 0;
done:
  free(g->blob);
  free(g->rt_of);
  free(g);
  return rc;
}

static int mult_ok(int32_t mult, int32_t shift) {
  return shift >= -31 && shift <= 30 && (mult == 0 || mult >= (1 << 30));
}

int gen_graph_check(const gen_model_t *m, char *err, size_t err_len) {
  const rt_model_t *md = &m->graph.model;
  const uint64_t blob = m->blob_bytes;
  if ((uint64_t)md->input_off + (uint64_t)md->in_h * md->in_w * md->in_c > blob)
    return cm_msgf(err, err_len, "the input frame reaches beyond the %llu-byte blob", (unsigned long long)blob), -1;
  for (int32_t i = 0; i < md->n_layers; i++) {
    const rt_layer_t *L = &md->layers[i];
    const rt_node_t *N = &m->graph.nodes[i];
    uint64_t nw = 0;
    if (L->op == RT_OP_CONV2D)
      nw = (uint64_t)L->out_c * N->kh * N->kw * L->in_c;
    else if (L->op == RT_OP_DWCONV)
      nw = (uint64_t)L->out_c * N->kh * N->kw;
    else if (L->op == RT_OP_FC)
      nw = (uint64_t)L->out_c * L->in_h * L->in_w * L->in_c;
    if (nw) {
      const uint64_t pc = 4u * (uint64_t)L->out_c;
      if ((uint64_t)L->weights_off + nw > blob || (uint64_t)L->bias_off + pc > blob ||
          (uint64_t)L->mult_off + pc > blob || (uint64_t)L->shift_off + pc > blob ||
          (L->bias_off | L->mult_off | L->shift_off) & 3u)
        return cm_msgf(err, err_len, "layer %s: its parameters reach beyond the blob or are misaligned", L->name), -1;
      for (int32_t c = 0; c < L->out_c; c++) {
        int32_t mult, shift;
        memcpy(&mult, m->blob + L->mult_off + 4u * (uint32_t)c, 4);
        memcpy(&shift, m->blob + L->shift_off + 4u * (uint32_t)c, 4);
        if (!mult_ok(mult, shift))
          return cm_msgf(err, err_len, "layer %s: channel %d has multiplier %d shift %d out of range", L->name, c, mult,
                         shift),
                 -1;
      }
    }
    const rt_add_params_t *a = &L->add;
    if (L->op == RT_OP_ADD && (!mult_ok(a->in1_mult, a->in1_shift) || !mult_ok(a->in2_mult, a->in2_shift) ||
                               !mult_ok(a->out_mult, a->out_shift)))
      return cm_msgf(err, err_len, "layer %s: ADD rescaling out of range", L->name), -1;
    if ((L->op == RT_OP_MEAN || L->op == RT_OP_REQUANT) && !mult_ok(N->mult, N->shift))
      return cm_msgf(err, err_len, "layer %s: requantization out of range", L->name), -1;
    if (L->act_min > L->act_max || L->act_min < -128 || L->act_max > 127)
      return cm_msgf(err, err_len, "layer %s: activation range", L->name), -1;
  }
  return 0;
}
