/* rt_ops.c — the graph operators (rt.h, "general graphs"): TFLite int8 reference semantics, region by region in
 * absolute coordinates like the sequential kernels. Where a graph layer has the shape the sequential kernels
 * handle (square window, one stride, the same padding before both axes), it runs through them (rt_conv,
 * rt_depthwise, rt_pointwise: the SIMD paths); everything else through the plain loops here.
 *
 * Sources of the semantics (public TensorFlow Lite reference kernels, tensorflow/lite/kernels/internal/
 * reference/...): integer_ops/conv.h ConvPerChannel, integer_ops/depthwise_conv.h DepthwiseConvPerChannel,
 * integer_ops/add.h AddElementwise, integer_ops/pooling.h AveragePool/MaxPool, integer_ops/mean.h Mean,
 * integer_ops/fully_connected.h, softmax.h Softmax<int8_t,int8_t> with gemmlowp fixedpoint.h
 * exp_on_negative_values and one_over_one_plus_x_for_x_in_0_1 (constants quoted below), pad.h, concatenation.h,
 * requantize.h. */
#include <string.h>

#include "rt.h"
#include "rt_quant.h"

static inline int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

int rt_op_is_spatial(uint8_t op) {
  return op == RT_OP_CONV2D || op == RT_OP_DWCONV || op == RT_OP_AVGPOOL2D || op == RT_OP_MAXPOOL2D || op == RT_OP_PAD;
}

const char *rt_op_kind(uint8_t op) {
  static const char *const kinds[] = {"?",       "conv2d",    "depthwise", "pointwise", "avgpool", "fully_connected",
                                      "conv2d",  "depthwise", "add",       "avgpool",   "maxpool", "mean",
                                      "reshape", "softmax",   "pad",       "concat",    "quantize"};
  return op < sizeof kinds / sizeof *kinds ? kinds[op] : kinds[0];
}

uint32_t rt_op_macs_per_pixel(const rt_layer_t *L, const rt_node_t *N) {
  switch (L->op) {
  case RT_OP_CONV2D:
    return (uint32_t)N->kh * N->kw * L->in_c * L->out_c;
  case RT_OP_DWCONV:
    return (uint32_t)N->kh * N->kw * L->out_c;
  case RT_OP_FC:
    return (uint32_t)L->in_h * L->in_w * L->in_c * L->out_c;
  default:
    return 0;
  }
}

rt_rect_t rt_op_input_rect(const rt_layer_t *L, const rt_node_t *N, rt_rect_t out) {
  if (L->op == RT_OP_PAD) return (rt_rect_t){out.y0 - N->pad_top, out.x0 - N->pad_left, out.h, out.w};
  rt_rect_t in = {out.y0 * N->sh - N->pad_top, out.x0 * N->sw - N->pad_left, (out.h - 1) * N->sh + N->kh,
                  (out.w - 1) * N->sw + N->kw};
  return in;
}

static inline const int8_t *at(const rt_view_t *v, int32_t y, int32_t x) {
  return v->data + ((y - v->y0) * v->w + (x - v->x0)) * v->c;
}
static inline int8_t *at_w(const rt_view_t *v, int32_t y, int32_t x) {
  return v->data + ((y - v->y0) * v->w + (x - v->x0)) * v->c;
}

/* ConvPerChannel: acc = bias + sum (x - in_zp) * w over the taps inside the map (outside: padding, 0). Up to
 * RT_IM2COL_MAX taps (kh * kw * cin) the receptive field of one output pixel is gathered once into a contiguous
 * column, padding taps written as the input zero point (so (x - in_zp) = 0 there: the same sum), and every output
 * channel is one dot product against its contiguous OHWI weights (a 10x4 single-channel stem: one 40-byte dot
 * product per channel instead of ten 4-byte ones); larger fields go kernel row by kernel row. */
#define RT_IM2COL_MAX 256
static void conv2d(const rt_layer_t *L, const rt_node_t *N, const rt_layer_data_t *D, const rt_view_t *in,
                   const rt_view_t *out, rt_rect_t region) {
  const int32_t cin = L->in_c, cout = L->out_c, kh = N->kh, kw = N->kw, in_off = -L->in_zp;
  const int32_t taps = kh * kw * cin;
  int8_t col[RT_IM2COL_MAX];
  for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++) {
    const int32_t iy0 = oy * N->sh - N->pad_top;
    const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(kh, L->in_h - iy0);
    for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
      const int32_t ix0 = ox * N->sw - N->pad_left;
      const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(kw, L->in_w - ix0);
      const int32_t n = kx_hi > kx_lo ? (kx_hi - kx_lo) * cin : 0;
      int8_t *dst = at_w(out, oy, ox);
      if (taps <= RT_IM2COL_MAX) {
        for (int32_t ky = 0; ky < kh; ky++) {
          int8_t *row = col + ky * kw * cin;
          if (ky < ky_lo || ky >= ky_hi || n == 0) {
            memset(row, (int8_t)L->in_zp, (size_t)(kw * cin));
            continue;
          }
          if (kx_lo > 0) memset(row, (int8_t)L->in_zp, (size_t)(kx_lo * cin));
          memcpy(row + kx_lo * cin, at(in, iy0 + ky, ix0 + kx_lo), (size_t)n);
          if (kx_hi < kw) memset(row + kx_hi * cin, (int8_t)L->in_zp, (size_t)((kw - kx_hi) * cin));
        }
        for (int32_t co = 0; co < cout; co++)
          dst[co] = rt_requantize(rt_dot_s8(col, D->weights + co * taps, taps, in_off, D->bias[co]), D->mult[co],
                                  D->shift[co], L->out_zp, L->act_min, L->act_max);
        continue;
      }
      for (int32_t co = 0; co < cout; co++) {
        int32_t acc = D->bias[co];
        for (int32_t ky = ky_lo; ky < ky_hi; ky++)
          acc = rt_dot_s8(at(in, iy0 + ky, ix0 + kx_lo), D->weights + ((co * kh + ky) * kw + kx_lo) * cin, n, in_off,
                          acc);
        dst[co] = rt_requantize(acc, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
      }
    }
  }
}

/* DepthwiseConvPerChannel: output channel oc = ic * depth_mult + m reads input channel ic. */
static void dwconv(const rt_layer_t *L, const rt_node_t *N, const rt_layer_data_t *D, const rt_view_t *in,
                   const rt_view_t *out, rt_rect_t region) {
  const int32_t cout = L->out_c, kw = N->kw, dm = N->depth_mult, in_off = -L->in_zp;
  for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++) {
    const int32_t iy0 = oy * N->sh - N->pad_top;
    const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(N->kh, L->in_h - iy0);
    for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
      const int32_t ix0 = ox * N->sw - N->pad_left;
      const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(kw, L->in_w - ix0);
      int8_t *dst = at_w(out, oy, ox);
      for (int32_t oc = 0; oc < cout; oc++) {
        const int32_t ic = oc / dm;
        int32_t acc = D->bias[oc];
        for (int32_t ky = ky_lo; ky < ky_hi; ky++)
          for (int32_t kx = kx_lo; kx < kx_hi; kx++)
            acc += (at(in, iy0 + ky, ix0 + kx)[ic] + in_off) * D->weights[(ky * kw + kx) * cout + oc];
        dst[oc] = rt_requantize(acc, D->mult[oc], D->shift[oc], L->out_zp, L->act_min, L->act_max);
      }
    }
  }
}

/* AveragePool / MaxPool (int8): only positions inside the map count; the average rounds half away from zero
 * ((sum +- count/2) / count); the activation clamp applies; same quantization in and out. */
static void pool2d(const rt_layer_t *L, const rt_node_t *N, const rt_view_t *in, const rt_view_t *out, rt_rect_t region,
                   int is_max) {
  const int32_t ch = L->out_c;
  for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++) {
    const int32_t iy0 = oy * N->sh - N->pad_top;
    const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(N->kh, L->in_h - iy0);
    for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
      const int32_t ix0 = ox * N->sw - N->pad_left;
      const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(N->kw, L->in_w - ix0);
      const int32_t count = (ky_hi - ky_lo) * (kx_hi - kx_lo);
      int8_t *dst = at_w(out, oy, ox);
      for (int32_t c = 0; c < ch; c++) {
        int32_t acc = is_max ? -128 : 0;
        for (int32_t ky = ky_lo; ky < ky_hi; ky++)
          for (int32_t kx = kx_lo; kx < kx_hi; kx++) {
            const int32_t v = at(in, iy0 + ky, ix0 + kx)[c];
            acc = is_max ? max_i32(acc, v) : acc + v;
          }
        if (!is_max && count > 0) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        dst[c] = rt_clamp_s8(acc, L->act_min, L->act_max);
      }
    }
  }
}

/* PAD: the input moved by (pad_top, pad_left), the output zero point elsewhere (in and out share it). */
static void pad2d(const rt_layer_t *L, const rt_node_t *N, const rt_view_t *in, const rt_view_t *out,
                  rt_rect_t region) {
  const int32_t ch = L->out_c;
  for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++)
    for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
      const int32_t iy = oy - N->pad_top, ix = ox - N->pad_left;
      int8_t *dst = at_w(out, oy, ox);
      if (iy >= 0 && iy < L->in_h && ix >= 0 && ix < L->in_w)
        memcpy(dst, at(in, iy, ix), (size_t)ch);
      else
        memset(dst, (int8_t)L->out_zp, (size_t)ch);
    }
}

/* integer_ops::Mean over H, W: acc = sum (x - in_zp); MBQM(acc, mult, shift), then divided by the count
 * rounding half away from zero, + out_zp, clamped to int8 (TFLite clamps to the type, the clamp fields too). */
static void mean_hw(const rt_layer_t *L, const rt_node_t *N, const rt_view_t *in, int8_t *out) {
  const int32_t ch = L->in_c, count = L->in_h * L->in_w;
  for (int32_t c = 0; c < ch; c++) {
    int32_t acc = 0;
    for (int32_t p = 0; p < count; p++) acc += in->data[p * ch + c] - L->in_zp;
    acc = rt_mbqm(acc, N->mult, N->shift);
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    out[c] = rt_clamp_s8(acc + L->out_zp, L->act_min, L->act_max);
  }
}

/* ---- softmax: gemmlowp fixed point, int32 raw values ---- */
static inline int32_t fp_mul(int32_t a, int32_t b) { return rt_srdhm(a, b); }
/* SaturatingRoundingMultiplyByPOT<e>: e > 0 saturating left shift, e < 0 rounding right shift */
static inline int32_t fp_mul_pot(int32_t x, int32_t e) {
  if (e <= 0) return rt_rounding_divide_by_pot(x, -e);
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor expansion around -1/8 (gemmlowp). */
static int32_t exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668; /* exp(-1/8) in Q0.31 */
  const int32_t one_third = 715827883;      /* 1/3 in Q0.31 */
  const int32_t x = a + (1 << 28);          /* + 1/8 */
  const int32_t x2 = fp_mul(x, x), x3 = fp_mul(x2, x), x4 = fp_mul(x2, x2);
  const int32_t x4_over_4 = fp_mul_pot(x4, -2);
  const int32_t poly = fp_mul_pot(fp_mul(x4_over_4 + x3, one_third) + x2, -1);
  return constant_term + fp_mul(constant_term, x + poly);
}

/* exp_on_negative_values for a Q5.26 input a <= 0; result Q0.31. */
static int32_t exp_neg_q5_26(int32_t a) {
  enum { FRAC = 26 };
  static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int32_t one_quarter = 1 << (FRAC - 2), mask = one_quarter - 1;
  const int32_t a_mod = (a & mask) - one_quarter;
  int32_t result = exp_quarter(fp_mul_pot(a_mod, 5)); /* Rescale<0> of a Q5.26 */
  const int32_t remainder = a_mod - a;
  for (int32_t e = -2; e <= 4; e++) /* exponents -2..4: 5 integer bits */
    if (remainder & (1 << (FRAC + e))) result = fp_mul(result, barrel[e + 2]);
  /* kIntegerBits = 5: no clamp at -32 (gemmlowp clamps only above 5 integer bits) */
  return a == 0 ? INT32_MAX : result;
}

/* one_over_one_plus_x_for_x_in_0_1 (Q0.31 in, Q0.31 out): Newton-Raphson, 3 iterations, in Q2.29. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX; /* RoundingHalfSum(a, One) */
  const int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_17 = 1515870810, cm32_17 = -1010580540; /* 48/17, -32/17 in Q2.29 */
  int32_t x = c48_17 + fp_mul(half_den, cm32_17);
  for (int i = 0; i < 3; i++) {
    const int32_t hdx = fp_mul(half_den, x);     /* Q2.29 */
    const int32_t one_minus = (1 << 29) - hdx;   /* Q2.29 */
    x = x + fp_mul_pot(fp_mul(x, one_minus), 2); /* Q4.27 -> Q2.29 */
  }
  return fp_mul_pot(x, 1); /* ExactMulByPot<-1> (Q1.30, same raw) then Rescale<0> */
}

static int32_t clz32(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) x <<= 1, n++;
  return n;
}

static void softmax(const rt_layer_t *L, const rt_node_t *N, const int8_t *in, int8_t *out) {
  const int32_t depth = L->in_c, rows = L->in_h * L->in_w;
  for (int32_t r = 0; r < rows; r++) {
    const int8_t *x = in + r * depth;
    int8_t *y = out + r * depth;
    int32_t max_in = -128;
    for (int32_t c = 0; c < depth; c++) max_in = max_i32(max_in, x[c]);
    int32_t sum = 0; /* Q12.19 */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = x[c] - max_in;
      if (diff >= N->diff_min)
        sum += rt_rounding_divide_by_pot(exp_neg_q5_26(rt_srdhm(diff * (1 << N->shift), N->mult)), 12);
    }
    /* GetReciprocal(sum, 12) */
    const int32_t headroom_plus_one = clz32((uint32_t)sum);
    const int32_t bits_over_unit = 12 - headroom_plus_one;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)sum << headroom_plus_one) - (1u << 31));
    const int32_t scale = one_over_one_plus_x(shifted_minus_one);
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = x[c] - max_in;
      if (diff >= N->diff_min) {
        const int32_t e = exp_neg_q5_26(rt_srdhm(diff * (1 << N->shift), N->mult));
        const int32_t v = rt_rounding_divide_by_pot_wide(fp_mul(scale, e), bits_over_unit + 31 - 8) - 128;
        y[c] = rt_clamp_s8(v, -128, 127);
      } else {
        y[c] = -128;
      }
    }
  }
}

/* A graph layer in the sequential kernels' terms when its window is square, its stride one and its padding the
 * same before both axes: those kernels are the ones the bundled firmware measures. */
static int as_sequential(const rt_layer_t *L, const rt_node_t *N, rt_layer_t *S) {
  if (N->kh != N->kw || N->sh != N->sw || N->pad_top != N->pad_left) return 0;
  *S = *L;
  S->k = N->kh;
  S->stride = N->sh;
  S->pad = N->pad_top;
  S->res_src = -1;
  if (L->op == RT_OP_CONV2D) {
    S->op = N->kh == 1 && N->sh == 1 ? RT_OP_PW : RT_OP_CONV;
    return N->kh == 1 ? N->pad_top == 0 : 1;
  }
  S->op = RT_OP_DW;
  return N->depth_mult == 1 && N->kh <= 7; /* rt_depthwise gathers at most 7 x 7 taps */
}

int rt_op_dw_in_place_ok(const rt_layer_t *L, const rt_node_t *N) {
  rt_layer_t S;
  return L->op == RT_OP_DWCONV && as_sequential(L, N, &S);
}

void rt_op_dw_in_place(const rt_model_t *m, const rt_layer_t *L, const rt_node_t *N, const rt_view_t *in,
                       const rt_view_t *out, rt_rect_t region, int8_t *tmp) {
  const rt_layer_data_t D = rt_layer_data(m, L);
  rt_layer_t S;
  as_sequential(L, N, &S);
  rt_depthwise(&S, &D, in, out, region, tmp);
}

void rt_op_run(const rt_model_t *m, const rt_layer_t *L, const rt_node_t *N, const rt_view_t *const *in,
               const rt_view_t *out, rt_rect_t region) {
  const rt_layer_data_t D = rt_layer_data(m, L);
  rt_layer_t S;
  switch (L->op) {
  case RT_OP_CONV2D:
    if (!as_sequential(L, N, &S))
      conv2d(L, N, &D, in[0], out, region);
    else if (S.op == RT_OP_PW)
      rt_pointwise(&S, &D, in[0], NULL, out, region);
    else
      rt_conv(&S, &D, in[0], out, region);
    break;
  case RT_OP_DWCONV:
    if (as_sequential(L, N, &S))
      rt_depthwise(&S, &D, in[0], out, region, NULL);
    else
      dwconv(L, N, &D, in[0], out, region);
    break;
  case RT_OP_AVGPOOL2D:
  case RT_OP_MAXPOOL2D:
    pool2d(L, N, in[0], out, region, L->op == RT_OP_MAXPOOL2D);
    break;
  case RT_OP_PAD:
    pad2d(L, N, in[0], out, region);
    break;
  case RT_OP_AVGPOOL:
    rt_avgpool(L, in[0], out);
    break;
  case RT_OP_FC:
    rt_fully_connected(L, &D, in[0]->data, out->data);
    break;
  case RT_OP_ADD:
    rt_add(&L->add, in[0]->data, in[1]->data, out->data, (int32_t)L->out_h * L->out_w * L->out_c);
    break;
  case RT_OP_MEAN:
    mean_hw(L, N, in[0], out->data);
    break;
  case RT_OP_SOFTMAX:
    softmax(L, N, in[0]->data, out->data);
    break;
  case RT_OP_REQUANT: {
    const int32_t n = (int32_t)L->out_h * L->out_w * L->out_c;
    for (int32_t i = 0; i < n; i++)
      out->data[i] = rt_clamp_s8(rt_mbqm(in[0]->data[i] - L->in_zp, N->mult, N->shift) + L->out_zp, -128, 127);
    break;
  }
  case RT_OP_CONCAT: { /* channels of input k follow those of inputs 0..k-1 in every pixel */
    const int32_t pixels = (int32_t)L->out_h * L->out_w, cout = L->out_c;
    int32_t c0 = 0;
    for (int32_t k = 0; k < N->n_in; k++) {
      const int32_t c = in[k]->c;
      for (int32_t p = 0; p < pixels; p++) memcpy(out->data + p * cout + c0, in[k]->data + p * c, (size_t)c);
      c0 += c;
    }
    break;
  }
  default: /* RT_OP_RESHAPE: nothing to compute */
    break;
  }
}
