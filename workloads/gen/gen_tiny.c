/* gen_tiny.c — the four MLPerf-Tiny-shaped models as .tflite files (gen_tiny.h, docs/tflite.md). */
#include "workloads/gen/gen_tiny.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "tflite/tfl.h"
#include "workloads/gen/gen_model.h"

#define MAX_T 256
#define MAX_O 96
#define ACT_SCALE 0.05 /* every activation tensor's scale; ADD and pools need no rescaling */

typedef struct {
  tfl_model_t m;
  tfl_tensor_t t[MAX_T];
  tfl_op_t o[MAX_O];
  void *owned[2 * MAX_T];
  int n_owned;
  uint64_t rng;
  int bad;
} tb_t;

static void *own(tb_t *b, size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p || b->n_owned == 2 * MAX_T) {
    free(p);
    b->bad = 1;
    return NULL;
  }
  return b->owned[b->n_owned++] = p;
}

static uint32_t rnd(tb_t *b) { return (uint32_t)(gen_rand(&b->rng) >> 32); }

/* a tensor; dims given as up to 4 ints (0 ends) */
static int32_t tensor(tb_t *b, const char *name, int32_t type, int d0, int d1, int d2, int d3) {
  if (b->m.n_tensors == MAX_T) {
    b->bad = 1;
    return 0;
  }
  const int32_t i = b->m.n_tensors++;
  tfl_tensor_t *ts = &b->t[i];
  snprintf(ts->name, sizeof ts->name, "%s", name);
  ts->type = type;
  const int d[4] = {d0, d1, d2, d3};
  for (int k = 0; k < 4 && d[k]; k++) ts->dims[ts->n_dims++] = d[k];
  return i;
}

static void quant(tb_t *b, int32_t ti, int32_t n, double scale, int32_t zp, int32_t qdim) {
  tfl_tensor_t *ts = &b->t[ti];
  ts->scale = own(b, sizeof(float) * (size_t)n);
  ts->zero_point = own(b, sizeof(int64_t) * (size_t)n);
  if (!ts->scale || !ts->zero_point) return;
  ts->n_scale = ts->n_zero_point = n;
  ts->quantized_dimension = qdim;
  for (int32_t k = 0; k < n; k++) {
    ts->scale[k] = (float)(n > 1 ? scale * (0.8 + (rnd(b) % 400) / 1000.0) : scale);
    ts->zero_point[k] = k == 0 || n == 1 ? zp : 0;
    if (n > 1) ts->zero_point[k] = 0;
  }
}

/* an int8 activation [1,h,w,c] ([1,c] when h == 0); relu: zero point -128 */
static int32_t act(tb_t *b, const char *name, int h, int w, int c, int relu) {
  const int32_t t = h ? tensor(b, name, TFL_INT8, 1, h, w, c) : tensor(b, name, TFL_INT8, 1, c, 0, 0);
  quant(b, t, 1, ACT_SCALE, relu ? -128 : 0, 0);
  return t;
}

static tfl_op_t *op(tb_t *b, int32_t code, int32_t opt, int32_t in0, int32_t in1, int32_t in2, int32_t out) {
  if (b->m.n_ops == MAX_O) {
    b->bad = 1;
    return &b->o[0];
  }
  tfl_op_t *o = &b->o[b->m.n_ops++];
  memset(o, 0, sizeof *o);
  o->code = code;
  o->version = 1;
  o->options_type = opt;
  o->inputs[o->n_inputs++] = in0;
  if (in1 >= 0) o->inputs[o->n_inputs++] = in1;
  if (in2 >= 0) o->inputs[o->n_inputs++] = in2;
  o->outputs[o->n_outputs++] = out;
  o->dilation_w = o->dilation_h = 1;
  o->stride_w = o->stride_h = 1;
  return o;
}

static int32_t shape_c(const tb_t *b, int32_t t) { return b->t[t].dims[b->t[t].n_dims - 1]; }
static int32_t shape_h(const tb_t *b, int32_t t) { return b->t[t].n_dims == 4 ? b->t[t].dims[1] : 1; }
static int32_t shape_w(const tb_t *b, int32_t t) { return b->t[t].n_dims == 4 ? b->t[t].dims[2] : 1; }

/* weights (per-channel scales ~ 1/(73 sqrt(fan_in)) keep the int8 range in use) and bias */
static void params(tb_t *b, const char *name, int32_t n_w, int d0, int d1, int d2, int d3, int32_t oc, int32_t qdim,
                   int32_t fan_in, int32_t *wt, int32_t *bt) {
  char nm[TFL_NAME_MAX];
  snprintf(nm, sizeof nm, "%s/w", name);
  *wt = tensor(b, nm, TFL_INT8, d0, d1, d2, d3);
  int8_t *w = own(b, (size_t)n_w);
  if (w)
    for (int32_t k = 0; k < n_w; k++) w[k] = (int8_t)(-127 + (int32_t)(rnd(b) % 255u));
  b->t[*wt].data = (const uint8_t *)w;
  b->t[*wt].data_bytes = (uint32_t)n_w;
  quant(b, *wt, oc, 1.0 / (73.0 * sqrt((double)fan_in)), 0, qdim);
  snprintf(nm, sizeof nm, "%s/b", name);
  *bt = tensor(b, nm, TFL_INT32, oc, 0, 0, 0);
  int32_t *bias = own(b, sizeof(int32_t) * (size_t)oc);
  if (bias)
    for (int32_t k = 0; k < oc; k++) bias[k] = -2000 + (int32_t)(rnd(b) % 4001u);
  b->t[*bt].data = (const uint8_t *)bias;
  b->t[*bt].data_bytes = 4u * (uint32_t)oc;
  quant(b, *bt, oc, ACT_SCALE / (73.0 * sqrt((double)fan_in)), 0, 0);
}

static int32_t out_dim(int same, int32_t in, int32_t k, int32_t s) {
  return same ? (in + s - 1) / s : (in - k + s) / s;
}

static int32_t conv(tb_t *b, const char *name, int32_t x, int32_t oc, int kh, int kw, int s, int same, int relu) {
  const int32_t h = shape_h(b, x), w = shape_w(b, x), ic = shape_c(b, x);
  int32_t wt, bt;
  params(b, name, oc * kh * kw * ic, oc, kh, kw, ic, oc, 0, kh * kw * ic, &wt, &bt);
  const int32_t y = act(b, name, out_dim(same, h, kh, s), out_dim(same, w, kw, s), oc, relu);
  tfl_op_t *o = op(b, TFL_OP_CONV_2D, TFL_OPT_CONV2D, x, wt, bt, y);
  o->padding = same ? TFL_PAD_SAME : TFL_PAD_VALID;
  o->stride_h = o->stride_w = s;
  o->activation = relu ? TFL_ACT_RELU : TFL_ACT_NONE;
  return y;
}

static int32_t dw_dm(tb_t *b, const char *name, int32_t x, int k, int s, int relu, int dm) {
  const int32_t h = shape_h(b, x), w = shape_w(b, x), c = shape_c(b, x) * dm;
  int32_t wt, bt;
  params(b, name, k * k * c, 1, k, k, c, c, 3, k * k, &wt, &bt);
  const int32_t y = act(b, name, out_dim(1, h, k, s), out_dim(1, w, k, s), c, relu);
  tfl_op_t *o = op(b, TFL_OP_DEPTHWISE_CONV_2D, TFL_OPT_DEPTHWISE_CONV2D, x, wt, bt, y);
  o->padding = TFL_PAD_SAME;
  o->stride_h = o->stride_w = s;
  o->depth_multiplier = dm;
  o->activation = relu ? TFL_ACT_RELU : TFL_ACT_NONE;
  return y;
}

static int32_t dw(tb_t *b, const char *name, int32_t x, int k, int s, int relu) {
  return dw_dm(b, name, x, k, s, relu, 1);
}

static int32_t fc(tb_t *b, const char *name, int32_t x, int32_t n_out, int relu) {
  const int32_t n_in = (int32_t)tfl_tensor_elems(&b->t[x]);
  int32_t wt, bt;
  params(b, name, n_out * n_in, n_out, n_in, 0, 0, n_out, 0, n_in, &wt, &bt);
  const int32_t y = act(b, name, 0, 0, n_out, relu);
  op(b, TFL_OP_FULLY_CONNECTED, TFL_OPT_FULLY_CONNECTED, x, wt, bt, y)->activation = relu ? TFL_ACT_RELU : TFL_ACT_NONE;
  return y;
}

static int32_t add(tb_t *b, const char *name, int32_t x, int32_t y) {
  const int32_t z = act(b, name, shape_h(b, x), shape_w(b, x), shape_c(b, x), 1);
  op(b, TFL_OP_ADD, TFL_OPT_ADD, x, y, -1, z)->activation = TFL_ACT_RELU;
  return z;
}

/* global average pool (AVERAGE_POOL_2D over the whole map), flattened to [1,c] */
static int32_t pool_flat(tb_t *b, int32_t x) {
  const int32_t h = shape_h(b, x), w = shape_w(b, x), c = shape_c(b, x);
  const int32_t p = tensor(b, "avgpool", TFL_INT8, 1, 1, 1, c);
  quant(b, p, 1, b->t[x].scale[0], (int32_t)b->t[x].zero_point[0], 0);
  tfl_op_t *o = op(b, TFL_OP_AVERAGE_POOL_2D, TFL_OPT_POOL2D, x, -1, -1, p);
  o->padding = TFL_PAD_VALID;
  o->filter_h = h, o->filter_w = w, o->stride_h = h, o->stride_w = w;
  const int32_t f = tensor(b, "flatten", TFL_INT8, 1, c, 0, 0);
  quant(b, f, 1, b->t[x].scale[0], (int32_t)b->t[x].zero_point[0], 0);
  o = op(b, TFL_OP_RESHAPE, TFL_OPT_RESHAPE, p, -1, -1, f);
  o->n_new_shape = 2, o->new_shape[0] = 1, o->new_shape[1] = c;
  return f;
}

static int32_t softmax(tb_t *b, int32_t x) {
  const int32_t y = tensor(b, "softmax", TFL_INT8, 1, shape_c(b, x), 0, 0);
  quant(b, y, 1, 1.0 / 256.0, -128, 0);
  op(b, TFL_OP_SOFTMAX, TFL_OPT_SOFTMAX, x, -1, -1, y)->beta = 1.0f;
  return y;
}

static void build_vww(tb_t *b) {
  static const int pw_c[13] = {16, 32, 32, 64, 64, 128, 128, 128, 128, 128, 128, 256, 256};
  static const int dw_s[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
  int32_t x = act(b, "input", 96, 96, 3, 0);
  b->m.inputs[b->m.n_inputs++] = x;
  x = conv(b, "conv0", x, 8, 3, 3, 2, 1, 1);
  for (int i = 0; i < 13; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "dw%d", i + 1);
    x = dw(b, nm, x, 3, dw_s[i], 1);
    snprintf(nm, sizeof nm, "pw%d", i + 1);
    x = conv(b, nm, x, pw_c[i], 1, 1, 1, 1, 1);
  }
  x = softmax(b, fc(b, "fc", pool_flat(b, x), 2, 0));
  b->m.outputs[b->m.n_outputs++] = x;
}

static void build_dscnn(tb_t *b) {
  int32_t x = act(b, "input", 49, 10, 1, 0);
  b->m.inputs[b->m.n_inputs++] = x;
  x = conv(b, "conv0", x, 64, 10, 4, 2, 1, 1);
  for (int i = 0; i < 4; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "dw%d", i + 1);
    x = dw(b, nm, x, 3, 1, 1);
    snprintf(nm, sizeof nm, "pw%d", i + 1);
    x = conv(b, nm, x, 64, 1, 1, 1, 1, 1);
  }
  x = softmax(b, fc(b, "fc", pool_flat(b, x), 12, 0));
  b->m.outputs[b->m.n_outputs++] = x;
}

static void build_resnet8(tb_t *b) {
  int32_t x = act(b, "input", 32, 32, 3, 0);
  b->m.inputs[b->m.n_inputs++] = x;
  x = conv(b, "conv0", x, 16, 3, 3, 1, 1, 1);
  int32_t y = conv(b, "s1_conv1", x, 16, 3, 3, 1, 1, 1);
  y = conv(b, "s1_conv2", y, 16, 3, 3, 1, 1, 0);
  x = add(b, "s1_add", x, y);
  for (int s = 2, c = 32; s <= 3; s++, c *= 2) {
    char nm[32];
    snprintf(nm, sizeof nm, "s%d_conv1", s);
    y = conv(b, nm, x, c, 3, 3, 2, 1, 1);
    snprintf(nm, sizeof nm, "s%d_conv2", s);
    y = conv(b, nm, y, c, 3, 3, 1, 1, 0);
    snprintf(nm, sizeof nm, "s%d_shortcut", s);
    const int32_t sc = conv(b, nm, x, c, 1, 1, 2, 1, 0);
    snprintf(nm, sizeof nm, "s%d_add", s);
    x = add(b, nm, sc, y);
  }
  x = softmax(b, fc(b, "fc", pool_flat(b, x), 10, 0));
  b->m.outputs[b->m.n_outputs++] = x;
}

static void build_autoencoder(tb_t *b) {
  static const int widths[9] = {128, 128, 128, 8, 128, 128, 128, 640, 0};
  /* the float input quantized at the graph's edge, and the output dequantized (TFLite's edges) */
  const int32_t f_in = tensor(b, "input", TFL_FLOAT32, 1, 640, 0, 0);
  b->m.inputs[b->m.n_inputs++] = f_in;
  int32_t x = act(b, "input_int8", 0, 0, 640, 0);
  op(b, TFL_OP_QUANTIZE, TFL_OPT_QUANTIZE, f_in, -1, -1, x);
  for (int i = 0; widths[i]; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "dense%d", i + 1);
    x = fc(b, nm, x, widths[i], widths[i + 1] != 0);
  }
  const int32_t f_out = tensor(b, "output", TFL_FLOAT32, 1, 640, 0, 0);
  op(b, TFL_OP_DEQUANTIZE, TFL_OPT_DEQUANTIZE, x, -1, -1, f_out);
  b->m.outputs[b->m.n_outputs++] = f_out;
}

/* an int8 tensor quantized like x (same scale and zero point), [1,h,w,c] */
static int32_t like(tb_t *b, const char *name, int32_t x, int h, int w, int c) {
  const int32_t t = tensor(b, name, TFL_INT8, 1, h, w, c);
  quant(b, t, 1, b->t[x].scale[0], (int32_t)b->t[x].zero_point[0], 0);
  return t;
}

static int32_t const_i32(tb_t *b, const char *name, int n, const int32_t *v, int d0, int d1) {
  const int32_t t = tensor(b, name, TFL_INT32, d0, d1, 0, 0);
  int32_t *data = own(b, sizeof(int32_t) * (size_t)n);
  if (data) memcpy(data, v, sizeof(int32_t) * (size_t)n);
  b->t[t].data = (const uint8_t *)data;
  b->t[t].data_bytes = 4u * (uint32_t)n;
  return t;
}

/* Every graph operator once, small (a few KB): SAME stride-2 stem, depthwise with multiplier 2, two branches (2x2
 * MAX_POOL_2D; PAD then a VALID stride-2 conv) joined by CONCATENATION, a residual ADD over a 1x1 conv, QUANTIZE
 * int8 -> int8, MEAN over H,W, RESHAPE, FULLY_CONNECTED, SOFTMAX. Tests and the fuzz corpus use it. */
static void build_op_zoo(tb_t *b) {
  int32_t x = act(b, "input", 16, 16, 3, 0);
  b->m.inputs[b->m.n_inputs++] = x;
  x = conv(b, "stem", x, 8, 3, 3, 2, 1, 1);
  x = dw_dm(b, "dw_dm2", x, 3, 1, 1, 2);
  const int32_t mp = like(b, "maxpool", x, 4, 4, 16);
  tfl_op_t *o = op(b, TFL_OP_MAX_POOL_2D, TFL_OPT_POOL2D, x, -1, -1, mp);
  o->padding = TFL_PAD_VALID, o->filter_h = o->filter_w = 2, o->stride_h = o->stride_w = 2;
  const int32_t pads = const_i32(b, "paddings", 8, (const int32_t[]){0, 0, 1, 1, 1, 1, 0, 0}, 4, 2);
  const int32_t pd = like(b, "pad", x, 10, 10, 16);
  op(b, TFL_OP_PAD, TFL_OPT_PAD, x, pads, -1, pd);
  const int32_t br = conv(b, "branch_conv", pd, 16, 3, 3, 2, 0, 1);
  const int32_t cat = like(b, "concat", mp, 4, 4, 32);
  o = op(b, TFL_OP_CONCATENATION, TFL_OPT_CONCATENATION, mp, br, -1, cat);
  o->axis = 3;
  const int32_t pw = conv(b, "pw", cat, 32, 1, 1, 1, 1, 0);
  x = add(b, "add", cat, pw);
  const int32_t q = tensor(b, "requant", TFL_INT8, 1, 4, 4, 32);
  quant(b, q, 1, 0.08, -100, 0);
  op(b, TFL_OP_QUANTIZE, TFL_OPT_QUANTIZE, x, -1, -1, q);
  const int32_t axes = const_i32(b, "axes", 2, (const int32_t[]){1, 2}, 2, 0);
  const int32_t mean = tensor(b, "mean", TFL_INT8, 1, 1, 1, 32);
  quant(b, mean, 1, 0.06, -90, 0);
  op(b, TFL_OP_MEAN, TFL_OPT_REDUCER, q, axes, -1, mean)->keep_dims = 1;
  const int32_t f = like(b, "flatten", mean, 1, 32, 0);
  b->t[f].n_dims = 2, b->t[f].dims[1] = 32;
  o = op(b, TFL_OP_RESHAPE, TFL_OPT_RESHAPE, mean, -1, -1, f);
  o->n_new_shape = 2, o->new_shape[0] = 1, o->new_shape[1] = 32;
  x = softmax(b, fc(b, "fc", f, 10, 0));
  b->m.outputs[b->m.n_outputs++] = x;
}

const char *const gen_tiny_names[GEN_TINY_COUNT] = {"vww-mbv1-0.25-r96", "kws-dscnn-49x10", "ic-resnet8-cifar",
                                                    "ad-fc-autoencoder", "op-zoo"};

int gen_tiny_write(const char *name, uint8_t **out, size_t *out_bytes, char *err, size_t err_len) {
  static void (*const builders[GEN_TINY_COUNT])(tb_t *) = {build_vww, build_dscnn, build_resnet8, build_autoencoder,
                                                           build_op_zoo};
  static const char *const descriptions[GEN_TINY_COUNT] = {
      "MobileNetV1 0.25 visual wake words 96x96x3, shaped like the MLPerf Tiny reference; pseudo-random weights",
      "DS-CNN keyword spotting 49x10x1, shaped like the MLPerf Tiny reference; pseudo-random weights",
      "ResNet-8 CIFAR-10 32x32x3, shaped like the MLPerf Tiny reference; pseudo-random weights",
      "FC autoencoder 640-128x3-8-128x3-640 (anomaly detection), shaped like the MLPerf Tiny reference; "
      "pseudo-random weights",
      "every graph operator once (tests, fuzz corpus); pseudo-random weights"};
  int k = -1;
  for (int i = 0; i < GEN_TINY_COUNT; i++)
    if (!strcmp(name, gen_tiny_names[i])) k = i;
  if (k < 0) return cm_msgf(err, err_len, "no built-in model named %s", name), -1;
  tb_t *b = calloc(1, sizeof *b);
  if (!b) return cm_msgf(err, err_len, "out of memory"), -1;
  b->m.tensors = b->t;
  b->m.ops = b->o;
  b->m.version = 3;
  snprintf(b->m.name, sizeof b->m.name, "%s", name);
  snprintf(b->m.description, sizeof b->m.description, "%s", descriptions[k]);
  b->rng = gen_hash64(name, 0x71f7ull);
  builders[k](b);
  int rc = -1;
  if (b->bad)
    cm_msgf(err, err_len, "%s: out of memory or beyond the builder's tables", name);
  else
    rc = tfl_write(&b->m, out, out_bytes, err, err_len);
  for (int i = 0; i < b->n_owned; i++) free(b->owned[i]);
  free(b);
  return rc;
}
