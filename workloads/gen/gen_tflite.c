/* gen_tflite.c — .tflite <-> gen_model_t (gen_tflite.h, docs/tflite.md). */
#include "workloads/gen/gen_tflite.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "tflite/tfl.h"
#include "workloads/gen/gen_graph.h"

#define MAX_DIM 4096 /* the runtime's sizes are 16-bit; the generator keeps maps and channels to 4096 */

/* One runtime layer as found in the graph. */
typedef struct {
  uint8_t op, k, stride, pad;
  int32_t res_src;
  int32_t in_t, out_t, final_t; /* input, own output (before a fused ADD), final output tensor */
  int32_t w_t, b_t;             /* weights and bias tensors (-1 none) */
  int32_t act, add_act;         /* fused activation functions */
} lay_t;

typedef struct {
  lay_t lay[RT_MAX_LAYERS];
  int32_t n;
  int32_t in_t, out_t; /* the runtime model's int8 input and output tensors */
  uint8_t *op_ok;      /* [n_ops] */
  char why[512];       /* the operators the runtime lacks, or what is wrong */
  int n_bad, full;
} map_t;

int gen_tflite_is_tflite(const uint8_t *data, size_t size) { return tfl_is_tflite(data, size); }

static void bad(map_t *mp, const tfl_model_t *t, int32_t i, const char *what) {
  char nb[24], item[160];
  size_t len = strlen(mp->why);
  /* the list stays within one 256-byte message: about 180 characters, then "..." */
  snprintf(item, sizeof item, "%s%s (operator %d%s%s)", mp->n_bad ? ", " : "",
           tfl_op_name(t->ops[i].code, nb, sizeof nb), i, what ? ": " : "", what ? what : "");
  if (!mp->full && len + strlen(item) <= 180)
    snprintf(mp->why + len, sizeof mp->why - len, "%s", item);
  else if (!mp->full) {
    snprintf(mp->why + len, sizeof mp->why - len, ", ...");
    mp->full = 1;
  }
  mp->n_bad++;
  mp->op_ok[i] = 0;
}

/* An int8 activation tensor [1, h, w, c] (or [1, c], h = w = 1) within the runtime's sizes. */
static int act_shape(const tfl_tensor_t *ts, int32_t *h, int32_t *w, int32_t *c) {
  if (ts->type != TFL_INT8 || ts->data) return -1;
  if (ts->n_dims == 4 && ts->dims[0] == 1)
    *h = ts->dims[1], *w = ts->dims[2], *c = ts->dims[3];
  else if (ts->n_dims == 2 && ts->dims[0] == 1)
    *h = 1, *w = 1, *c = ts->dims[1];
  else
    return -1;
  return *h >= 1 && *w >= 1 && *c >= 1 && *h <= MAX_DIM && *w <= MAX_DIM && *c <= MAX_DIM ? 0 : -1;
}

/* Constant weights of the expected element count; per-channel scales (n) or one per-tensor scale, all > 0. */
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

static const char *check_bias(const tfl_tensor_t *ts, int32_t n_ch) {
  if (ts->type != TFL_INT32 || !ts->data || ts->data_bytes != 4u * (uint32_t)n_ch) return "bias: not int32[out]";
  return NULL;
}

/* The activation clamp a fused activation gives for an output of scale s and zero point zp (TFLite
 * CalculateActivationRangeQuantized). -1 when not one this runtime applies. */
static int act_range(int32_t act, double s, int32_t zp, int32_t *lo, int32_t *hi) {
  *lo = -128;
  *hi = 127;
  if (act == TFL_ACT_NONE) return 0;
  if (act == TFL_ACT_RELU || act == TFL_ACT_RELU6) {
    *lo = zp > -128 ? zp : -128;
    if (act == TFL_ACT_RELU6) {
      double q = zp + round(6.0 / s);
      *hi = q < 127 ? (int32_t)q : 127;
    }
    return 0;
  }
  return -1;
}

static int32_t next_reader(const tfl_model_t *t, int32_t after, int32_t tensor, int32_t *count) {
  int32_t first = -1;
  *count = 0;
  for (int32_t i = after + 1; i < t->n_ops; i++)
    for (int32_t k = 0; k < t->ops[i].n_inputs; k++)
      if (t->ops[i].inputs[k] == tensor) {
        if (first < 0) first = i;
        (*count)++;
      }
  return first;
}

/* Is tensor a graph output? */
static int graph_output(const tfl_model_t *t, int32_t tensor) {
  for (int32_t k = 0; k < t->n_outputs; k++)
    if (t->outputs[k] == tensor) return 1;
  return 0;
}

/* TFLite's output size and leading pad for one spatial dimension. */
static void conv_geom(int32_t padding, int32_t in, int32_t k, int32_t s, int32_t *out, int32_t *pad) {
  if (padding == TFL_PAD_SAME) {
    *out = (in + s - 1) / s;
    int32_t total = (*out - 1) * s + k - in;
    *pad = total > 0 ? total / 2 : 0;
  } else {
    *out = (in - k + s) / s;
    *pad = 0;
  }
}

/* Walk the operators in order and find the runtime's layers. Returns 0 with mp->n_bad == 0 when the whole graph maps.
 */
static void map_graph(const tfl_model_t *t, map_t *mp) {
  memset(mp->lay, 0, sizeof mp->lay);
  mp->n = 0;
  mp->why[0] = 0;
  mp->n_bad = mp->full = 0;
  for (int32_t i = 0; i < t->n_ops; i++) mp->op_ok[i] = 1;
  int32_t *layer_of = malloc(sizeof(int32_t) * (size_t)(t->n_tensors ? t->n_tensors : 1));
  if (!layer_of) {
    snprintf(mp->why, sizeof mp->why, "out of memory");
    mp->n_bad = 1;
    return;
  }
  for (int32_t i = 0; i < t->n_tensors; i++) layer_of[i] = -2;
  int32_t cur = t->n_inputs == 1 ? t->inputs[0] : -1;
  if (cur < 0) {
    snprintf(mp->why, sizeof mp->why, "the graph has %d inputs (the runtime takes one)", t->n_inputs);
    mp->n_bad = 1;
    free(layer_of);
    return;
  }
  layer_of[cur] = -1;
  mp->in_t = cur;
  int32_t pad_p = -1, pad_src = -1; /* a PAD waiting for its convolution */
  for (int32_t i = 0; i < t->n_ops; i++) {
    const tfl_op_t *op = &t->ops[i];
    const int32_t in = op->n_inputs > 0 ? op->inputs[0] : -1, out = op->n_outputs > 0 ? op->outputs[0] : -1;
    if (in < 0 || out < 0 || op->n_outputs != 1) {
      bad(mp, t, i, "inputs/outputs");
      continue;
    }
    const tfl_tensor_t *ti = &t->tensors[in], *to = &t->tensors[out];
    int32_t h, w, c, oh, ow, oc, readers;
    if (in != cur) {
      bad(mp, t, i, "reads a tensor other than the previous layer's output (the runtime runs a chain)");
      cur = out;
      continue;
    }
    switch (op->code) {
    case TFL_OP_QUANTIZE:
      if (i != 0 || ti->type != TFL_FLOAT32 || to->type != TFL_INT8 || !tfl_quantized(to)) {
        bad(mp, t, i, "only of the float graph input");
        break;
      }
      layer_of[out] = -1;
      mp->in_t = out;
      break;
    case TFL_OP_DEQUANTIZE:
      if (i != t->n_ops - 1 || !graph_output(t, out)) bad(mp, t, i, "only of the graph output");
      break;
    case TFL_OP_RESHAPE:
      if (tfl_tensor_elems(ti) != tfl_tensor_elems(to) || ti->type != to->type || ti->type != TFL_INT8) {
        bad(mp, t, i, "changes the element count or the type");
        break;
      }
      layer_of[out] = layer_of[in];
      break;
    case TFL_OP_PAD: {
      const tfl_tensor_t *pt = op->n_inputs > 1 && op->inputs[1] >= 0 ? &t->tensors[op->inputs[1]] : NULL;
      int32_t nx = next_reader(t, i, out, &readers);
      int32_t p[8];
      if (!pt || pt->type != TFL_INT32 || !pt->data || pt->data_bytes != 32 || act_shape(ti, &h, &w, &c)) {
        bad(mp, t, i, "paddings not a constant int32[4][2]");
        break;
      }
      for (int k = 0; k < 8; k++) memcpy(&p[k], pt->data + 4 * k, 4);
      if (nx != i + 1 || readers != 1 ||
          (t->ops[nx].code != TFL_OP_CONV_2D && t->ops[nx].code != TFL_OP_DEPTHWISE_CONV_2D) ||
          t->ops[nx].padding != TFL_PAD_VALID || p[0] || p[1] || p[6] || p[7] || p[2] != p[4] || p[2] < 0 || p[2] > 3 ||
          p[3] < 0 || p[5] < 0 || tfl_zero_point(ti) != tfl_zero_point(to) || tfl_scale(ti, 0) != tfl_scale(to, 0)) {
        bad(mp, t, i, "only as the leading padding of the VALID convolution that follows");
        break;
      }
      pad_p = p[2];
      pad_src = in;
      layer_of[out] = layer_of[in];
      break;
    }
    case TFL_OP_CONV_2D:
    case TFL_OP_DEPTHWISE_CONV_2D: {
      const int dw = op->code == TFL_OP_DEPTHWISE_CONV_2D;
      const int32_t src = pad_src >= 0 ? pad_src : in;
      const int32_t extra = pad_src >= 0 ? pad_p : 0;
      pad_src = -1;
      const int32_t wt = op->n_inputs > 1 ? op->inputs[1] : -1, bt = op->n_inputs > 2 ? op->inputs[2] : -1;
      if (wt < 0 || act_shape(ti, &h, &w, &c) || act_shape(to, &oh, &ow, &oc) || !tfl_quantized(ti) ||
          !tfl_quantized(to)) {
        bad(mp, t, i, "tensors not int8 [1,h,w,c] with quantization");
        break;
      }
      const tfl_tensor_t *wts = &t->tensors[wt];
      if (wts->n_dims != 4 || wts->dims[1] != wts->dims[2] || wts->dims[1] < 1 || wts->dims[1] > 7) {
        bad(mp, t, i, "filter not square of 1..7");
        break;
      }
      const int32_t k = wts->dims[1];
      if (op->stride_h != op->stride_w || op->stride_h < 1 || op->stride_h > 4 || op->dilation_w != 1 ||
          op->dilation_h != 1) {
        bad(mp, t, i, "stride h != w, or dilation");
        break;
      }
      if (dw ? (wts->dims[0] != 1 || wts->dims[3] != c || oc != c) : (wts->dims[3] != c || wts->dims[0] != oc)) {
        bad(mp, t, i, dw ? "depth multiplier other than 1" : "filter shape");
        break;
      }
      int32_t eh, ew, ph, pw;
      const tfl_tensor_t *real_in = &t->tensors[src];
      int32_t sh, sw, sc;
      if (act_shape(real_in, &sh, &sw, &sc)) {
        bad(mp, t, i, "input shape");
        break;
      }
      conv_geom(op->padding, h, k, op->stride_h, &eh, &ph);
      conv_geom(op->padding, w, k, op->stride_w, &ew, &pw);
      if (eh != oh || ew != ow || ph != pw) {
        bad(mp, t, i, "output shape does not follow from the padding, or padding top != left");
        break;
      }
      const char *why = check_weights(wts, (uint64_t)k * k * c * (dw ? 1 : oc), oc, dw ? 3 : 0);
      if (!why && bt >= 0) why = check_bias(&t->tensors[bt], oc);
      int32_t lo, hi;
      if (!why && act_range(op->activation, tfl_scale(to, 0), tfl_zero_point(to), &lo, &hi)) why = "fused activation";
      if (why) {
        bad(mp, t, i, why);
        break;
      }
      if (mp->n == RT_MAX_LAYERS) {
        bad(mp, t, i, "more layers than the runtime's 96");
        break;
      }
      lay_t *L = &mp->lay[mp->n];
      L->op = dw ? RT_OP_DW : (k == 1 && op->stride_h == 1 && ph + extra == 0) ? RT_OP_PW : RT_OP_CONV;
      L->k = (uint8_t)k;
      L->stride = (uint8_t)op->stride_h;
      L->pad = (uint8_t)(ph + extra);
      L->res_src = -1;
      L->in_t = src;
      L->out_t = L->final_t = out;
      L->w_t = wt;
      L->b_t = bt;
      L->act = op->activation;
      /* a residual ADD right after a pointwise conv, of an earlier layer's output: fused (RT_OP_PW res_src) */
      int32_t nx = next_reader(t, i, out, &readers);
      if (L->op == RT_OP_PW && nx == i + 1 && readers == 1 && t->ops[nx].code == TFL_OP_ADD &&
          t->ops[nx].n_inputs == 2 && t->ops[nx].n_outputs == 1 && !graph_output(t, out)) {
        const tfl_op_t *a = &t->ops[nx];
        const int32_t other = a->inputs[0] == out ? a->inputs[1] : a->inputs[0];
        const int32_t sum = a->outputs[0];
        int32_t ah, aw, ac, rh, rw, rc;
        if (other >= 0 && layer_of[other] >= 0 && !act_shape(&t->tensors[other], &rh, &rw, &rc) &&
            !act_shape(&t->tensors[sum], &ah, &aw, &ac) && rh == oh && rw == ow && rc == oc && ah == oh && aw == ow &&
            ac == oc && tfl_quantized(&t->tensors[other]) && tfl_quantized(&t->tensors[sum]) &&
            !act_range(a->activation, tfl_scale(&t->tensors[sum], 0), tfl_zero_point(&t->tensors[sum]), &lo, &hi)) {
          L->res_src = layer_of[other];
          L->final_t = sum;
          L->add_act = a->activation;
          i++; /* the ADD is part of this layer */
        }
      }
      layer_of[L->final_t] = mp->n;
      cur = L->final_t;
      mp->n++;
      continue;
    }
    case TFL_OP_AVERAGE_POOL_2D:
    case TFL_OP_MEAN: {
      int ok = !act_shape(ti, &h, &w, &c) && tfl_quantized(ti) && tfl_quantized(to) &&
               tfl_scale(ti, 0) == tfl_scale(to, 0) && tfl_zero_point(ti) == tfl_zero_point(to) &&
               tfl_tensor_elems(to) == (uint64_t)c && op->activation == TFL_ACT_NONE;
      if (ok && op->code == TFL_OP_AVERAGE_POOL_2D)
        ok = op->filter_h == h && op->filter_w == w && op->padding == TFL_PAD_VALID;
      if (ok && op->code == TFL_OP_MEAN) { /* axes: a constant int32 {1, 2} */
        const tfl_tensor_t *ax = op->n_inputs > 1 && op->inputs[1] >= 0 ? &t->tensors[op->inputs[1]] : NULL;
        int32_t a0 = 0, a1 = 0;
        ok = ax && ax->type == TFL_INT32 && ax->data && ax->data_bytes == 8;
        if (ok) memcpy(&a0, ax->data, 4), memcpy(&a1, ax->data + 4, 4);
        ok = ok && ((a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1));
      }
      if (!ok) {
        bad(mp, t, i, "only global, with the same quantization in and out");
        break;
      }
      if (mp->n == RT_MAX_LAYERS) {
        bad(mp, t, i, "more layers than the runtime's 96");
        break;
      }
      lay_t *L = &mp->lay[mp->n];
      L->op = RT_OP_AVGPOOL;
      L->k = L->stride = 1;
      L->res_src = -1;
      L->in_t = in;
      L->out_t = L->final_t = out;
      L->w_t = L->b_t = -1;
      layer_of[out] = mp->n++;
      cur = out;
      continue;
    }
    case TFL_OP_FULLY_CONNECTED: {
      const int32_t wt = op->n_inputs > 1 ? op->inputs[1] : -1, bt = op->n_inputs > 2 ? op->inputs[2] : -1;
      const uint64_t n_in = tfl_tensor_elems(ti);
      if (wt < 0 || ti->type != TFL_INT8 || act_shape(to, &oh, &ow, &oc) || oh != 1 || ow != 1 || !tfl_quantized(ti) ||
          !tfl_quantized(to) || layer_of[in] < 0) {
        bad(mp, t, i, "tensors (the runtime's fc follows a layer, output [1,n])");
        break;
      }
      const tfl_tensor_t *wts = &t->tensors[wt];
      const char *why =
          wts->n_dims != 2 || wts->dims[0] != oc || (uint64_t)wts->dims[1] != n_in ? "weights shape" : NULL;
      if (!why) why = check_weights(wts, n_in * (uint64_t)oc, oc, 0);
      if (!why && bt >= 0) why = check_bias(&t->tensors[bt], oc);
      int32_t lo, hi;
      if (!why && act_range(op->activation, tfl_scale(to, 0), tfl_zero_point(to), &lo, &hi)) why = "fused activation";
      if (why) {
        bad(mp, t, i, why);
        break;
      }
      if (mp->n == RT_MAX_LAYERS) {
        bad(mp, t, i, "more layers than the runtime's 96");
        break;
      }
      lay_t *L = &mp->lay[mp->n];
      L->op = RT_OP_FC;
      L->k = L->stride = 1;
      L->res_src = -1;
      L->in_t = in;
      L->out_t = L->final_t = out;
      L->w_t = wt;
      L->b_t = bt;
      L->act = op->activation;
      layer_of[out] = mp->n++;
      cur = out;
      continue;
    }
    default:
      bad(mp, t, i, NULL);
      break;
    }
    cur = out; /* carry on past an operator that is skipped or refused */
  }
  mp->out_t = cur;
  if (!mp->n_bad && mp->n == 0) {
    snprintf(mp->why, sizeof mp->why, "no layer the runtime runs");
    mp->n_bad = 1;
  }
  free(layer_of);
}

static const tfl_metadata_t *find_meta(const tfl_model_t *t, const char *name) {
  for (int32_t i = 0; i < t->n_metadata; i++)
    if (!strcmp(t->metadata[i].name, name)) return &t->metadata[i];
  return NULL;
}

static int32_t rd_i32(const uint8_t *p) {
  return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Does (mult, shift) stand for real within 1e-6 (relative)? */
static int agrees(int32_t mult, int32_t shift, double real) {
  if (mult < (1 << 30) || shift < -31 || shift > 30) return real == 0 && mult == 0;
  double v = ldexp((double)mult, shift - 31);
  return fabs(v - real) <= 1e-6 * fabs(real);
}

/* The blocks from "mcusim.blocks" ("FIRST NAME\n" per block), else one block per layer. */
static void read_blocks(const tfl_model_t *t, gen_model_t *m, int32_t n) {
  const tfl_metadata_t *md = find_meta(t, "mcusim.blocks");
  int32_t nb = 0, prev = -1, ok = md != NULL;
  if (md) {
    char line[128];
    size_t k = 0;
    for (uint32_t i = 0; i <= md->bytes && ok; i++) {
      char ch = i < md->bytes ? (char)md->data[i] : '\n';
      if (ch != '\n') {
        if (k + 1 < sizeof line) line[k++] = ch;
        continue;
      }
      line[k] = 0;
      k = 0;
      if (!line[0]) continue;
      int first, used = 0;
      if (sscanf(line, "%d %n", &first, &used) != 1 || first <= prev || first >= n || nb >= GEN_MAX_BLOCKS ||
          (nb == 0 && first != 0)) {
        ok = 0;
        break;
      }
      snprintf(m->block_names[nb], GEN_NAME_MAX, "%s", line + used);
      m->block_first_layer[nb++] = first;
      prev = first;
    }
  }
  if (!ok || nb == 0) { /* one block per layer, or groups of layers when there are more layers than blocks */
    const int32_t per = (n + GEN_MAX_BLOCKS - 1) / GEN_MAX_BLOCKS;
    nb = 0;
    for (int32_t i = 0; i < n; i += per) {
      snprintf(m->block_names[nb], GEN_NAME_MAX, "%s", m->layer_names[i]);
      m->block_first_layer[nb++] = i;
    }
  }
  m->n_blocks = nb;
  m->block_first_layer[nb] = n;
}

static int build(const tfl_model_t *t, const map_t *mp, gen_model_t *m, char *err, size_t err_len) {
  const int32_t n = mp->n;
  int32_t in_h, in_w, in_c;
  const tfl_tensor_t *tin = &t->tensors[mp->in_t];
  if (act_shape(tin, &in_h, &in_w, &in_c) || !tfl_quantized(tin)) {
    cm_msgf(err, err_len, "the input tensor is not int8 [1,h,w,c] with quantization");
    return -1;
  }
  if ((uint64_t)in_h * in_w * in_c > GEN_TENSOR_MAX_BYTES) {
    cm_msgf(err, err_len, "the %dx%dx%d input is more than the %u bytes a tensor may have", in_h, in_w, in_c,
            GEN_TENSOR_MAX_BYTES);
    return -1;
  }
  snprintf(m->name, sizeof m->name, "%.47s", t->name[0] ? t->name : "tflite");
  snprintf(m->description, sizeof m->description, "%s", t->description);
  m->layers = calloc((size_t)n, sizeof(rt_layer_t));
  m->layer_names = calloc((size_t)n, sizeof *m->layer_names);
  m->conv_scale = calloc((size_t)n, sizeof(double));
  m->out_scale = calloc((size_t)n, sizeof(double));
  m->filter_scale_off = calloc((size_t)n, sizeof(uint32_t));
  if (!m->layers || !m->layer_names || !m->conv_scale || !m->out_scale || !m->filter_scale_off) {
    cm_msgf(err, err_len, "out of memory");
    return -1;
  }
  m->input_scale = tfl_scale(tin, 0);
  uint64_t off = ((uint64_t)in_h * in_w * in_c + 3u) & ~(uint64_t)3u; /* the input frame, 4-byte aligned */
  uint32_t n_channels = 0;
  int32_t n_requant = 0; /* int32 values "mcusim.requant" must hold */
  for (int32_t i = 0; i < n; i++) {
    const lay_t *S = &mp->lay[i];
    rt_layer_t *L = &m->layers[i];
    snprintf(m->layer_names[i], GEN_NAME_MAX, "%.47s",
             t->tensors[S->out_t].name[0] ? t->tensors[S->out_t].name : "layer");
    L->name = m->layer_names[i];
    L->op = S->op;
    L->k = S->k;
    L->stride = S->stride;
    L->pad = S->pad;
    L->res_src = (int16_t)S->res_src;
    int32_t h, w, c;
    if (i == 0) {
      h = in_h, w = in_w, c = in_c;
    } else {
      h = m->layers[i - 1].out_h, w = m->layers[i - 1].out_w, c = m->layers[i - 1].out_c;
    }
    int32_t th, tw, tc;
    if (S->op != RT_OP_FC && (act_shape(&t->tensors[S->in_t], &th, &tw, &tc) || th != h || tw != w || tc != c)) {
      cm_msgf(err, err_len, "layer %s: its input is not the previous layer's output shape (a reshape before it?)",
              L->name);
      return -1;
    }
    L->in_h = (uint16_t)h, L->in_w = (uint16_t)w, L->in_c = (uint16_t)c;
    act_shape(&t->tensors[S->out_t], &th, &tw, &tc);
    L->out_h = (uint16_t)th, L->out_w = (uint16_t)tw, L->out_c = (uint16_t)tc;
    const tfl_tensor_t *ti = &t->tensors[S->in_t], *to = &t->tensors[S->out_t];
    L->in_zp = tfl_zero_point(ti);
    L->out_zp = tfl_zero_point(to);
    act_range(S->act, tfl_scale(to, 0), L->out_zp, &L->act_min, &L->act_max);
    m->conv_scale[i] = m->out_scale[i] = tfl_scale(to, 0);
    if (S->res_src >= 0) {
      const tfl_tensor_t *ts = &t->tensors[S->final_t];
      m->out_scale[i] = tfl_scale(ts, 0);
      L->add.in1_zp = L->out_zp;
      L->add.in2_zp =
          m->layers[S->res_src].res_src >= 0 ? m->layers[S->res_src].add.out_zp : m->layers[S->res_src].out_zp;
      L->add.out_zp = tfl_zero_point(ts);
      act_range(S->add_act, tfl_scale(ts, 0), L->add.out_zp, &L->add.act_min, &L->add.act_max);
      n_requant += 6;
    }
    if ((uint64_t)L->out_h * L->out_w * L->out_c > GEN_TENSOR_MAX_BYTES) {
      cm_msgf(err, err_len, "layer %s: output larger than %u bytes", L->name, GEN_TENSOR_MAX_BYTES);
      return -1;
    }
    m->filter_scale_off[i] = n_channels;
    if (S->op != RT_OP_AVGPOOL) {
      uint64_t nw;
      if (gen_layer_place(L, &off, &nw)) {
        cm_msgf(err, err_len, "layer %s: the weights reach beyond the %u bytes the firmware addresses", L->name,
                GEN_BLOB_MAX_BYTES);
        return -1;
      }
      m->weight_bytes += nw;
      m->param_bytes += nw + 12u * L->out_c;
      n_channels += L->out_c;
      n_requant += 2 * L->out_c;
    }
  }
  m->filter_scale = calloc(n_channels ? n_channels : 1, sizeof(double));
  m->blob = calloc(1, off ? off : 4);
  if (!m->filter_scale || !m->blob) {
    cm_msgf(err, err_len, "out of memory for the %llu-byte weights blob", (unsigned long long)off);
    return -1;
  }
  m->blob_bytes = (uint32_t)off;
  /* the input frame: the file's own ("mcusim.input"), else the generator's pseudo-random one */
  const uint32_t frame = (uint32_t)in_h * in_w * in_c;
  const tfl_metadata_t *mi = find_meta(t, "mcusim.input");
  if (mi && mi->bytes == frame)
    memcpy(m->blob, mi->data, frame);
  else {
    uint64_t st = gen_hash64(m->name, 0x1234567ull);
    for (uint32_t j = 0; j < frame; j++) m->blob[j] = (uint8_t)(-128 + (int32_t)(gen_rand(&st) % 256u));
  }
  for (int32_t i = 0; i < n; i++) { /* effective scales the int32 multiplier and shift can hold (< 2^30) */
    const lay_t *S = &mp->lay[i];
    if (S->op == RT_OP_AVGPOOL) continue;
    const double s_in = tfl_scale(&t->tensors[S->in_t], 0), s_out = tfl_scale(&t->tensors[S->out_t], 0);
    double worst = 0;
    for (int32_t c = 0; c < m->layers[i].out_c; c++) {
      double real = s_in * tfl_scale(&t->tensors[S->w_t], c) / s_out;
      worst = real > worst ? real : worst;
    }
    if (S->res_src >= 0) {
      const double s1 = s_out, s2 = m->out_scale[S->res_src];
      const double real = 2.0 * (s1 > s2 ? s1 : s2) / ((double)(1 << RT_ADD_LEFT_SHIFT) * m->out_scale[i]);
      worst = real > worst ? real : worst;
    }
    if (!(worst < 1e9)) {
      cm_msgf(err, err_len,
              "layer %s: its scales give a requantization factor of %g, beyond what an int32 multiplier "
              "and shift hold",
              m->layers[i].name, worst);
      return -1;
    }
  }
  const tfl_metadata_t *mr = find_meta(t, "mcusim.requant");
  int use_exact = mr && mr->bytes == 4u * (uint32_t)n_requant;
  for (int pass = use_exact ? 0 : 1; pass < 2; pass++) {
    /* pass 0: the exact integers of "mcusim.requant", kept only if every one agrees with the scales; pass 1: the
     * TFLite computation from the scales */
    uint32_t r = 0;
    int disagree = 0;
    for (int32_t i = 0; i < n && !disagree; i++) {
      const lay_t *S = &mp->lay[i];
      rt_layer_t *L = &m->layers[i];
      if (S->op == RT_OP_AVGPOOL) continue;
      const tfl_tensor_t *wts = &t->tensors[S->w_t];
      const double s_in = tfl_scale(&t->tensors[S->in_t], 0), s_out = tfl_scale(&t->tensors[S->out_t], 0);
      int32_t *mult = (int32_t *)(void *)(m->blob + L->mult_off), *shift = (int32_t *)(void *)(m->blob + L->shift_off);
      for (int32_t c = 0; c < L->out_c; c++) {
        const double sw = tfl_scale(wts, c);
        m->filter_scale[m->filter_scale_off[i] + c] = sw;
        const double real = s_in * sw / s_out; /* TFLite: input_scale * filter_scale / output_scale, in double */
        if (pass == 0) {
          mult[c] = rd_i32(mr->data + 4 * r++);
          shift[c] = rd_i32(mr->data + 4 * r++);
          disagree |= !agrees(mult[c], shift[c], real);
        } else
          gen_quantize_multiplier(real, &mult[c], &shift[c]);
      }
      if (S->res_src >= 0) { /* TFLite int8 ADD (add.cc PrepareGeneralSubOp/QuantizeMultiplierSmallerThanOneExp) */
        const double s1 = s_out, s2 = m->out_scale[S->res_src], so = m->out_scale[i];
        const double twice_max = 2.0 * (s1 > s2 ? s1 : s2);
        const double real[3] = {s1 / twice_max, s2 / twice_max, twice_max / ((double)(1 << RT_ADD_LEFT_SHIFT) * so)};
        int32_t *dst[3][2] = {{&L->add.in1_mult, &L->add.in1_shift},
                              {&L->add.in2_mult, &L->add.in2_shift},
                              {&L->add.out_mult, &L->add.out_shift}};
        for (int k = 0; k < 3; k++) {
          if (pass == 0) {
            *dst[k][0] = rd_i32(mr->data + 4 * r++);
            *dst[k][1] = rd_i32(mr->data + 4 * r++);
            disagree |= !agrees(*dst[k][0], *dst[k][1], real[k]);
          } else
            gen_quantize_multiplier(real[k], dst[k][0], dst[k][1]);
        }
      }
    }
    if (!disagree) break;
  }
  for (int32_t i = 0; i < n; i++) {
    const lay_t *S = &mp->lay[i];
    const rt_layer_t *L = &m->layers[i];
    if (S->op == RT_OP_AVGPOOL) continue;
    const tfl_tensor_t *wts = &t->tensors[S->w_t];
    if (wts->data_bytes != gen_weight_count(L)) { /* the mapping checked it against the same shapes; kept as a guard */
      cm_msgf(err, err_len, "layer %s: %u bytes of weights, its shape needs %llu", L->name, wts->data_bytes,
              (unsigned long long)gen_weight_count(L));
      return -1;
    }
    memcpy(m->blob + L->weights_off, wts->data, wts->data_bytes);
    if (S->b_t >= 0) memcpy(m->blob + L->bias_off, t->tensors[S->b_t].data, 4u * L->out_c);
  }
  m->model.name = m->name;
  m->model.n_layers = (uint16_t)n;
  m->model.layers = m->layers;
  m->model.blob = m->blob;
  m->model.input_off = 0;
  m->model.in_h = (uint16_t)in_h;
  m->model.in_w = (uint16_t)in_w;
  m->model.in_c = (uint16_t)in_c;
  m->model.in_zp = tfl_zero_point(tin);
  read_blocks(t, m, n);
  return 0;
}

int gen_tflite_parse(const uint8_t *data, size_t size, gen_model_t *m, char *err, size_t err_len) {
  memset(m, 0, sizeof *m);
  tfl_model_t t;
  if (tfl_parse(data, size, &t, err, err_len)) return -1;
  map_t mp;
  mp.op_ok = calloc((size_t)(t.n_ops ? t.n_ops : 1), 1);
  int rc = -1;
  if (!mp.op_ok) {
    cm_msgf(err, err_len, "out of memory");
    goto done;
  }
  map_graph(&t, &mp);
  if (mp.n_bad) { /* not a chain of the sequential runtime's layers: a general graph (gen_graph.h)? */
    char why[512];
    if (!gen_graph_import(&t, m, mp.op_ok, why, sizeof why)) {
      rc = 0;
      goto done;
    }
    gen_model_free(m);
    cm_msgf(err, err_len, "the runtime cannot run: %s (mcusim-gen --plan lists every operator)", why);
    goto done;
  }
  rc = build(&t, &mp, m, err, err_len);
  if (rc) gen_model_free(m);
done:
  free(mp.op_ok);
  tfl_free(&t);
  return rc;
}

int gen_tflite_ops(const uint8_t *data, size_t size, gen_tflite_op_t **rows, int32_t *n_rows, char *err,
                   size_t err_len) {
  *rows = NULL;
  *n_rows = 0;
  tfl_model_t t;
  if (tfl_parse(data, size, &t, err, err_len)) return -1;
  map_t mp;
  mp.op_ok = calloc((size_t)(t.n_ops ? t.n_ops : 1), 1);
  gen_tflite_op_t *r = calloc((size_t)(t.n_ops ? t.n_ops : 1), sizeof *r);
  if (!mp.op_ok || !r) {
    free(mp.op_ok);
    free(r);
    tfl_free(&t);
    cm_msgf(err, err_len, "out of memory");
    return -1;
  }
  map_graph(&t, &mp);
  if (mp.n_bad) { /* the graph runtime's verdict per operator */
    gen_model_t gm;
    char why[512];
    memset(&gm, 0, sizeof gm);
    gen_graph_import(&t, &gm, mp.op_ok, why, sizeof why);
    gen_model_free(&gm);
  }
  for (int32_t i = 0; i < t.n_ops; i++) {
    tfl_op_info_t info;
    char nb[24];
    tfl_op_info(&t, i, &info, nb, sizeof nb);
    snprintf(r[i].kind, sizeof r[i].kind, "%s", info.kind);
    if (t.ops[i].n_outputs > 0) snprintf(r[i].name, sizeof r[i].name, "%.47s", t.tensors[t.ops[i].outputs[0]].name);
    r[i].in_n_dims = info.in_n_dims;
    r[i].out_n_dims = info.out_n_dims;
    memcpy(r[i].in_dims, info.in_dims, sizeof r[i].in_dims);
    memcpy(r[i].out_dims, info.out_dims, sizeof r[i].out_dims);
    r[i].macs = info.macs;
    r[i].param_bytes = info.param_bytes;
    r[i].out_bytes = info.out_bytes;
    r[i].supported = mp.op_ok[i];
  }
  *rows = r;
  *n_rows = t.n_ops;
  free(mp.op_ok);
  tfl_free(&t);
  return 0;
}

int gen_tflite_ops_print(const char *path, FILE *out, char *err, size_t err_len) {
  size_t len = 0;
  char *data = cm_read_file(path, GEN_TFLITE_MAX_BYTES, &len);
  gen_tflite_op_t *rows = NULL;
  int32_t n = 0;
  if (!data || !gen_tflite_is_tflite((const uint8_t *)data, len) ||
      gen_tflite_ops((const uint8_t *)data, len, &rows, &n, err, err_len)) {
    if (!data || !gen_tflite_is_tflite((const uint8_t *)data, len)) cm_msgf(err, err_len, "not a .tflite file");
    free(data);
    return -1;
  }
  uint64_t macs = 0, params = 0, peak = 0;
  int32_t peak_op = -1, n_bad = 0;
  fprintf(out, "%-3s %-24s %-18s %-16s %-16s %12s %10s %10s %s\n", "id", "tensor", "operator", "in", "out", "MACs",
          "params B", "in+out B", "runtime");
  for (int32_t i = 0; i < n; i++) {
    char in[48] = "", o[48] = "";
    uint64_t in_elems = rows[i].in_n_dims ? 1 : 0;
    for (int32_t d = 0; d < rows[i].in_n_dims; d++) {
      snprintf(in + strlen(in), sizeof in - strlen(in), "%s%d", d ? "x" : "", rows[i].in_dims[d]);
      in_elems *= rows[i].in_dims[d] > 0 ? (uint64_t)rows[i].in_dims[d] : 0;
    }
    for (int32_t d = 0; d < rows[i].out_n_dims; d++)
      snprintf(o + strlen(o), sizeof o - strlen(o), "%s%d", d ? "x" : "", rows[i].out_dims[d]);
    const uint64_t io = in_elems + rows[i].out_bytes; /* int8 activations: one byte per element */
    fprintf(out, "%-3d %-24.24s %-18s %-16s %-16s %12llu %10llu %10llu %s\n", i, rows[i].name, rows[i].kind, in, o,
            (unsigned long long)rows[i].macs, (unsigned long long)rows[i].param_bytes, (unsigned long long)io,
            rows[i].supported ? "yes" : "NO");
    macs += rows[i].macs;
    params += rows[i].param_bytes;
    if (io > peak) peak = io, peak_op = i;
    n_bad += !rows[i].supported;
  }
  fprintf(out, "total: %d operators, %llu MACs, %llu constant bytes (weights, biases: flash)", n,
          (unsigned long long)macs, (unsigned long long)params);
  if (peak_op >= 0) fprintf(out, ", per-operator peak in+out %llu B at %d", (unsigned long long)peak, peak_op);
  fprintf(out, "\n");
  if (n_bad) {
    fprintf(out, "the runtime lacks %d of them:", n_bad);
    for (int32_t i = 0; i < n; i++)
      if (!rows[i].supported) fprintf(out, " %s (%d)", rows[i].kind, i);
    fprintf(out, "\n");
  }
  free(rows);
  free(data);
  return n_bad;
}

/* ---- export ---- */

typedef struct {
  tfl_model_t t;
  int32_t cap_t, cap_o;
  void **owned; /* data the writer allocated (paddings, scales) */
  int32_t n_owned, cap_owned;
  int oom;
} exp_t;

static void *own(exp_t *x, size_t bytes) {
  void *p = calloc(1, bytes ? bytes : 1);
  if (x->n_owned == x->cap_owned) {
    int32_t cap = x->cap_owned ? 2 * x->cap_owned : 64;
    void **np = realloc(x->owned, sizeof(void *) * (size_t)cap);
    if (!np) {
      free(p);
      x->oom = 1;
      return NULL;
    }
    x->owned = np;
    x->cap_owned = cap;
  }
  if (!p) {
    x->oom = 1;
    return NULL;
  }
  x->owned[x->n_owned++] = p;
  return p;
}

/* A new tensor; returns its index (-1 when out of room). */
static int32_t add_tensor(exp_t *x, const char *name, const char *suffix, int32_t type, int32_t n_dims,
                          const int32_t *dims) {
  if (x->t.n_tensors == x->cap_t) {
    x->oom = 1;
    return -1;
  }
  tfl_tensor_t *ts = &x->t.tensors[x->t.n_tensors];
  memset(ts, 0, sizeof *ts);
  snprintf(ts->name, sizeof ts->name, "%s%s", name, suffix);
  ts->type = type;
  ts->n_dims = n_dims;
  memcpy(ts->dims, dims, sizeof(int32_t) * (size_t)n_dims);
  return x->t.n_tensors++;
}

/* Per-tensor quantization (scale, zero point) or per-channel scales with zero points 0. */
static void set_quant(exp_t *x, int32_t ti, int32_t n, const double *scales, double scale, int32_t zp, int32_t qdim) {
  if (ti < 0) return;
  tfl_tensor_t *ts = &x->t.tensors[ti];
  ts->scale = malloc(sizeof(float) * (size_t)n);
  ts->zero_point = calloc((size_t)n, sizeof(int64_t));
  if (!ts->scale || !ts->zero_point) {
    x->oom = 1;
    return;
  }
  for (int32_t i = 0; i < n; i++) ts->scale[i] = (float)(scales ? scales[i] : scale);
  if (!scales) ts->zero_point[0] = zp;
  ts->n_scale = ts->n_zero_point = n;
  ts->quantized_dimension = qdim;
}

static tfl_op_t *add_op(exp_t *x, int32_t code, int32_t opt) {
  if (x->t.n_ops == x->cap_o) {
    x->oom = 1;
    return NULL;
  }
  tfl_op_t *op = &x->t.ops[x->t.n_ops++];
  memset(op, 0, sizeof *op);
  op->code = code;
  op->version = 1;
  op->options_type = opt;
  op->dilation_w = op->dilation_h = 1;
  return op;
}

/* The fused activation that gives the clamp [lo, hi] for an output zero point zp (-1: none does). */
static int32_t act_of(int32_t lo, int32_t hi, int32_t zp) {
  if (lo == -128 && hi == 127) return TFL_ACT_NONE;
  if (lo == (zp > -128 ? zp : -128) && hi == 127) return TFL_ACT_RELU;
  return -1;
}

int gen_tflite_write(const gen_model_t *m, uint8_t **out, size_t *out_bytes, char *err, size_t err_len) {
  if (m->nodes) {
    cm_msgf(err, err_len, "a general graph imported from a .tflite is not exported again (write the .tflite itself)");
    return -1;
  }
  exp_t x;
  memset(&x, 0, sizeof x);
  const int32_t n = m->model.n_layers;
  x.cap_t = 6 * n + 4;
  x.cap_o = 3 * n + 2;
  x.t.tensors = calloc((size_t)x.cap_t, sizeof(tfl_tensor_t));
  x.t.ops = calloc((size_t)x.cap_o, sizeof(tfl_op_t));
  int32_t *final_t = calloc((size_t)n + 1, sizeof(int32_t));
  int32_t *requant = NULL;
  char *blocks = NULL;
  int rc = -1;
  if (!x.t.tensors || !x.t.ops || !final_t || !m->conv_scale) {
    cm_msgf(err, err_len, "out of memory");
    goto done;
  }
  snprintf(x.t.name, sizeof x.t.name, "%s", m->name);
  snprintf(x.t.description, sizeof x.t.description, "%s", m->description);
  x.t.version = 3;
  const int32_t in_dims[4] = {1, m->model.in_h, m->model.in_w, m->model.in_c};
  int32_t cur = add_tensor(&x, "input", "", TFL_INT8, 4, in_dims);
  set_quant(&x, cur, 1, NULL, m->input_scale, m->model.in_zp, 0);
  x.t.n_inputs = 1;
  x.t.inputs[0] = cur;
  double cur_scale = m->input_scale;
  int32_t n_requant = 0;
  for (int32_t i = 0; i < n; i++)
    n_requant += m->layers[i].op == RT_OP_AVGPOOL ? 0 : 2 * m->layers[i].out_c + (m->layers[i].res_src >= 0 ? 6 : 0);
  requant = calloc((size_t)n_requant + 1, sizeof(int32_t));
  if (!requant) {
    cm_msgf(err, err_len, "out of memory");
    goto done;
  }
  int32_t r = 0;
  for (int32_t i = 0; i < n && !x.oom; i++) {
    const rt_layer_t *L = &m->layers[i];
    const rt_layer_data_t D = rt_layer_data(&m->model, L);
    const int32_t out_dims[4] = {1, L->out_h, L->out_w, L->out_c};
    const int32_t act = act_of(L->act_min, L->act_max, L->out_zp);
    if (act < 0) {
      cm_msgf(err, err_len, "layer %s: its clamp [%d, %d] is no TFLite activation", L->name, L->act_min, L->act_max);
      goto done;
    }
    if (L->op == RT_OP_AVGPOOL) {
      int32_t o = add_tensor(&x, L->name, "", TFL_INT8, 4, out_dims);
      set_quant(&x, o, 1, NULL, cur_scale, L->in_zp, 0);
      tfl_op_t *op = add_op(&x, TFL_OP_AVERAGE_POOL_2D, TFL_OPT_POOL2D);
      if (!op) break;
      op->padding = TFL_PAD_VALID;
      op->stride_w = op->stride_h = 1;
      op->filter_h = L->in_h;
      op->filter_w = L->in_w;
      op->n_inputs = op->n_outputs = 1;
      op->inputs[0] = cur;
      op->outputs[0] = o;
      final_t[i] = cur = o;
      continue;
    }
    const double *sw = m->filter_scale + m->filter_scale_off[i];
    int32_t wd[4], nwd = 4, qdim = 0;
    if (L->op == RT_OP_CONV)
      wd[0] = L->out_c, wd[1] = wd[2] = L->k, wd[3] = L->in_c;
    else if (L->op == RT_OP_PW)
      wd[0] = L->out_c, wd[1] = wd[2] = 1, wd[3] = L->in_c;
    else if (L->op == RT_OP_DW)
      wd[0] = 1, wd[1] = wd[2] = L->k, wd[3] = L->in_c, qdim = 3;
    else
      wd[0] = L->out_c, wd[1] = L->in_h * L->in_w * L->in_c, nwd = 2;
    int32_t wt = add_tensor(&x, L->name, "/weights", TFL_INT8, nwd, wd);
    int32_t bt = add_tensor(&x, L->name, "/bias", TFL_INT32, 1, (const int32_t[]){L->out_c});
    if (wt < 0 || bt < 0) break;
    x.t.tensors[wt].data = (const uint8_t *)D.weights;
    x.t.tensors[wt].data_bytes = (uint32_t)gen_weight_count(L);
    x.t.tensors[bt].data = (const uint8_t *)D.bias;
    x.t.tensors[bt].data_bytes = 4u * L->out_c;
    set_quant(&x, wt, L->out_c, sw, 0, 0, qdim);
    double *bs = own(&x, sizeof(double) * L->out_c);
    if (!bs) break;
    for (int32_t c = 0; c < L->out_c; c++) bs[c] = (double)(float)cur_scale * (double)(float)sw[c];
    set_quant(&x, bt, L->out_c, bs, 0, 0, 0);
    for (int32_t c = 0; c < L->out_c; c++) requant[r++] = D.mult[c], requant[r++] = D.shift[c];
    int32_t o = add_tensor(&x, L->name, "", TFL_INT8, L->op == RT_OP_FC ? 2 : 4,
                           L->op == RT_OP_FC ? (const int32_t[]){1, L->out_c} : out_dims);
    set_quant(&x, o, 1, NULL, m->conv_scale[i], L->out_zp, 0);
    if (o < 0) break;
    tfl_op_t *op;
    if (L->op == RT_OP_FC) {
      op = add_op(&x, TFL_OP_FULLY_CONNECTED, TFL_OPT_FULLY_CONNECTED);
      if (!op) break;
    } else {
      /* SAME when TFLite's leading pad is the runtime's, VALID when there is none, else PAD + VALID */
      int32_t oh, ph, ow, pw, src = cur, padding = TFL_PAD_SAME;
      conv_geom(TFL_PAD_SAME, L->in_h, L->k, L->stride, &oh, &ph);
      conv_geom(TFL_PAD_SAME, L->in_w, L->k, L->stride, &ow, &pw);
      if (!(oh == L->out_h && ow == L->out_w && ph == L->pad && pw == L->pad)) {
        padding = TFL_PAD_VALID;
        conv_geom(TFL_PAD_VALID, L->in_h + 2 * L->pad, L->k, L->stride, &oh, &ph);
        conv_geom(TFL_PAD_VALID, L->in_w + 2 * L->pad, L->k, L->stride, &ow, &pw);
        if (oh != L->out_h || ow != L->out_w) {
          cm_msgf(err, err_len, "layer %s: its output size follows from no TFLite padding", L->name);
          goto done;
        }
        if (L->pad) {
          const int32_t pd[4] = {1, L->in_h + 2 * L->pad, L->in_w + 2 * L->pad, L->in_c};
          int32_t pt = add_tensor(&x, L->name, "/paddings", TFL_INT32, 2, (const int32_t[]){4, 2});
          int32_t po = add_tensor(&x, L->name, "/pad", TFL_INT8, 4, pd);
          int32_t *pv = own(&x, 32);
          tfl_op_t *pop = add_op(&x, TFL_OP_PAD, TFL_OPT_PAD);
          if (pt < 0 || po < 0 || !pv || !pop) break;
          pv[2] = pv[3] = pv[4] = pv[5] = L->pad;
          x.t.tensors[pt].data = (const uint8_t *)pv;
          x.t.tensors[pt].data_bytes = 32;
          set_quant(&x, po, 1, NULL, cur_scale, L->in_zp, 0);
          pop->n_inputs = 2;
          pop->inputs[0] = cur;
          pop->inputs[1] = pt;
          pop->n_outputs = 1;
          pop->outputs[0] = po;
          src = po;
        }
      }
      op = add_op(&x, L->op == RT_OP_DW ? TFL_OP_DEPTHWISE_CONV_2D : TFL_OP_CONV_2D,
                  L->op == RT_OP_DW ? TFL_OPT_DEPTHWISE_CONV2D : TFL_OPT_CONV2D);
      if (!op) break;
      op->padding = padding;
      op->stride_w = op->stride_h = L->stride;
      op->depth_multiplier = L->op == RT_OP_DW ? 1 : 0;
      cur = src;
    }
    op->activation = act;
    op->n_inputs = 3;
    op->inputs[0] = cur;
    op->inputs[1] = wt;
    op->inputs[2] = bt;
    op->n_outputs = 1;
    op->outputs[0] = o;
    cur = o;
    cur_scale = m->conv_scale[i];
    if (L->res_src >= 0) {
      const rt_add_params_t *a = &L->add;
      const int32_t aact = act_of(a->act_min, a->act_max, a->out_zp);
      int32_t s = add_tensor(&x, L->name, "/add", TFL_INT8, 4, out_dims);
      set_quant(&x, s, 1, NULL, m->out_scale[i], a->out_zp, 0);
      tfl_op_t *aop = add_op(&x, TFL_OP_ADD, TFL_OPT_ADD);
      if (s < 0 || !aop) break;
      if (aact < 0) {
        cm_msgf(err, err_len, "layer %s: its add clamp is no TFLite activation", L->name);
        goto done;
      }
      aop->activation = aact;
      aop->n_inputs = 2;
      aop->inputs[0] = o;
      aop->inputs[1] = final_t[L->res_src];
      aop->n_outputs = 1;
      aop->outputs[0] = s;
      requant[r++] = a->in1_mult, requant[r++] = a->in1_shift, requant[r++] = a->in2_mult;
      requant[r++] = a->in2_shift, requant[r++] = a->out_mult, requant[r++] = a->out_shift;
      cur = s;
      cur_scale = m->out_scale[i];
    }
    final_t[i] = cur;
  }
  if (x.oom) {
    cm_msgf(err, err_len, "out of memory");
    goto done;
  }
  x.t.n_outputs = 1;
  x.t.outputs[0] = cur;
  /* little-endian int32 (the writer's hosts and the format are little-endian) */
  size_t blen = 0;
  blocks = malloc((size_t)m->n_blocks * (GEN_NAME_MAX + 16) + 1);
  if (!blocks) {
    cm_msgf(err, err_len, "out of memory");
    goto done;
  }
  for (int32_t b = 0; b < m->n_blocks; b++)
    blen += (size_t)sprintf(blocks + blen, "%d %s\n", m->block_first_layer[b], m->block_names[b]);
  x.t.n_metadata = 3;
  snprintf(x.t.metadata[0].name, TFL_NAME_MAX, "mcusim.requant");
  x.t.metadata[0].data = (const uint8_t *)requant;
  x.t.metadata[0].bytes = 4u * (uint32_t)r;
  snprintf(x.t.metadata[1].name, TFL_NAME_MAX, "mcusim.blocks");
  x.t.metadata[1].data = (const uint8_t *)blocks;
  x.t.metadata[1].bytes = (uint32_t)blen;
  snprintf(x.t.metadata[2].name, TFL_NAME_MAX, "mcusim.input");
  x.t.metadata[2].data = m->blob + m->model.input_off;
  x.t.metadata[2].bytes = (uint32_t)m->model.in_h * m->model.in_w * m->model.in_c;
  rc = tfl_write(&x.t, out, out_bytes, err, err_len);
done:
  for (int32_t i = 0; i < x.n_owned; i++) free(x.owned[i]);
  free(x.owned);
  free(requant);
  free(blocks);
  free(final_t);
  tfl_free(&x.t); /* frees the scale arrays; file is NULL */
  return rc;
}
