/* rt_kernels.c — int8 kernels. Every kernel computes a rectangle of its output in absolute coordinates and
 * reads the positions outside the input feature map as the input zero point (TFLite zero padding), so a
 * window of the output computed from a window of the input equals the same pixels of the whole layer. */
#include <string.h>

#include "rt.h"
#include "rt_quant.h"

#if defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#endif

#if !defined(__arm__) && !defined(NDEBUG)
#include <assert.h>
#define RT_ASSERT(x) assert(x)
#else
#define RT_ASSERT(x) ((void)0)
#endif

const char *rt_strerror(rt_err err) {
  switch (err) {
  case RT_OK:
    return "ok";
  case RT_E_NOMEM:
    return "arena exhausted";
  case RT_E_BAD_MODEL:
    return "invalid model description";
  case RT_E_BAD_SCHEDULE:
    return "invalid schedule";
  }
  return "unknown error";
}

rt_layer_data_t rt_layer_data(const rt_model_t *model, const rt_layer_t *layer) {
  rt_layer_data_t d;
  d.weights = (const int8_t *)(model->blob + layer->weights_off);
  d.bias = (const int32_t *)(const void *)(model->blob + layer->bias_off);
  d.mult = (const int32_t *)(const void *)(model->blob + layer->mult_off);
  d.shift = (const int32_t *)(const void *)(model->blob + layer->shift_off);
  return d;
}

uint32_t rt_layer_macs_per_pixel(const rt_layer_t *L) {
  switch (L->op) {
  case RT_OP_CONV:
    return (uint32_t)L->k * L->k * L->in_c * L->out_c;
  case RT_OP_DW:
    return (uint32_t)L->k * L->k * L->out_c;
  case RT_OP_PW:
    return (uint32_t)L->in_c * L->out_c;
  case RT_OP_FC:
    return (uint32_t)L->in_h * L->in_w * L->in_c * L->out_c;
  default:
    return 0;
  }
}

#if defined(__ARM_FEATURE_SIMD32)
/* SXTB16 of bytes 1 and 3 (SXTB16 Rd, Rm, ROR #8): GCC 12 does not fold a rotate into SXTB16's operand and
 * emits a separate MOV ROR per word (8% of MobileNetV2's cycles on the M7 model) */
static inline int16x2_t rt_sxtb16_ror8(uint32_t v) {
#if defined(__arm__)
  int16x2_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
#else /* the host tests' portable intrinsics (tests/workloads/test_dw_simd.c) */
  return __sxtb16((int8x4_t)((v >> 8) | (v << 24)));
#endif
}
#endif

/* sum (x[i] + in_offset) * w[i]: four MACs per SXTB16 pair and two SMLADs on ARMv7E-M. */
static inline int32_t dot_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t in_offset, int32_t acc) {
  int32_t i = 0;
#if defined(__ARM_FEATURE_SIMD32)
  /* x + offset stays within [-255, 255], so the packed 16-bit add cannot wrap */
  const int16x2_t off2 = (int16x2_t)(((uint32_t)(uint16_t)in_offset << 16) | (uint16_t)in_offset);
  for (; i + 4 <= n; i += 4) {
    uint32_t xv, wv;
    memcpy(&xv, x + i, 4); /* unaligned LDR is allowed on ARMv7-M for normal memory */
    memcpy(&wv, w + i, 4);
    int16x2_t x02 = __sadd16(__sxtb16((int8x4_t)xv), off2);
    int16x2_t x13 = __sadd16(rt_sxtb16_ror8(xv), off2);
    acc = __smlad(x02, __sxtb16((int8x4_t)wv), acc);
    acc = __smlad(x13, rt_sxtb16_ror8(wv), acc);
  }
#endif
  for (; i < n; i++) acc += ((int32_t)x[i] + in_offset) * (int32_t)w[i];
  return acc;
}

#if defined(__ARM_FEATURE_SIMD32)
/* Two output channels per pass: the sign-extended, offset input pairs are shared by both. */
static inline void dot2_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t in_offset,
                           int32_t *acc0, int32_t *acc1) {
  const int16x2_t off2 = (int16x2_t)(((uint32_t)(uint16_t)in_offset << 16) | (uint16_t)in_offset);
  int32_t a0 = *acc0, a1 = *acc1, i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t xv, wv0, wv1;
    memcpy(&xv, x + i, 4);
    memcpy(&wv0, w0 + i, 4);
    memcpy(&wv1, w1 + i, 4);
    int16x2_t x02 = __sadd16(__sxtb16((int8x4_t)xv), off2);
    int16x2_t x13 = __sadd16(rt_sxtb16_ror8(xv), off2);
    a0 = __smlad(x02, __sxtb16((int8x4_t)wv0), a0);
    a0 = __smlad(x13, rt_sxtb16_ror8(wv0), a0);
    a1 = __smlad(x02, __sxtb16((int8x4_t)wv1), a1);
    a1 = __smlad(x13, rt_sxtb16_ror8(wv1), a1);
  }
  for (; i < n; i++) {
    int32_t xi = (int32_t)x[i] + in_offset;
    a0 += xi * (int32_t)w0[i];
    a1 += xi * (int32_t)w1[i];
  }
  *acc0 = a0;
  *acc1 = a1;
}
#endif

int32_t rt_dot_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t in_offset, int32_t acc) {
  return dot_s8(x, w, n, in_offset, acc);
}

static inline __attribute__((always_inline)) int8_t add_one(const rt_add_params_t *p, int32_t a, int32_t b) {
  int32_t sa = rt_mbqm((a - p->in1_zp) * (1 << RT_ADD_LEFT_SHIFT), p->in1_mult, p->in1_shift);
  int32_t sb = rt_mbqm((b - p->in2_zp) * (1 << RT_ADD_LEFT_SHIFT), p->in2_mult, p->in2_shift);
  return rt_clamp_s8(rt_mbqm(sa + sb, p->out_mult, p->out_shift) + p->out_zp, p->act_min, p->act_max);
}

void rt_add(const rt_add_params_t *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t n) {
  for (int32_t i = 0; i < n; i++) out[i] = add_one(p, a[i], b[i]);
}

static inline int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

/* Output positions [*lo, *hi) along one axis whose k taps all lie inside the feature map (no padding tap:
 * i0 = o * s - pad >= 0 and i0 + k <= in), intersected with [from, to); empty (lo == hi) when none does. */
static void interior_range(int32_t k, int32_t s, int32_t pad, int32_t in, int32_t from, int32_t to, int32_t *lo,
                           int32_t *hi) {
  const int32_t a = (pad + s - 1) / s, b = in - k + pad >= 0 ? (in - k + pad) / s + 1 : 0;
  *lo = max_i32(from, a);
  *hi = max_i32(*lo, min_i32(to, b));
}

static inline void dot22_s8(const int8_t *xa, const int8_t *xb, const int8_t *w0, const int8_t *w1, int32_t n,
                            int32_t *acc);
static inline void dot12_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *acc);
static inline __attribute__((always_inline)) void
dot22_s8_unrolled(const int8_t *xa, const int8_t *xb, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *acc);
static inline int32_t sum_s8(const int8_t *w, int32_t n);

/* Stems have few output channels (MobileNetV2 32, the bundled VWW 16, person detection 8): up to this many, the
 * input offset's term in_off * sum(w) of each channel is computed once per call (on the stack, 4 B each). */
#define RT_CONV_FOLD_MAX_COUT 32

/* Two horizontally adjacent outputs whose k x k taps all lie inside the feature map: a 2x2 block (two pixels x two
 * output channels) per kernel row, as the pointwise kernel does, the offset term already in `base`. */
static void conv_pair(const rt_layer_t *L, const rt_layer_data_t *D, const int8_t *xa, int32_t xrow, int8_t *dst,
                      const int32_t *base) {
  const int32_t k = L->k, cin = L->in_c, cout = L->out_c, wstride = k * k * cin, n = k * cin;
  const int8_t *xb = xa + L->stride * cin;
  int32_t co = 0;
  for (; co + 2 <= cout; co += 2) {
    const int8_t *w0 = D->weights + co * wstride, *w1 = w0 + wstride;
    int32_t acc[4] = {base[co], base[co + 1], base[co], base[co + 1]};
    for (int32_t ky = 0; ky < k; ky++) dot22_s8(xa + ky * xrow, xb + ky * xrow, w0 + ky * n, w1 + ky * n, n, acc);
    dst[co] = rt_requantize(acc[0], D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
    dst[co + 1] = rt_requantize(acc[1], D->mult[co + 1], D->shift[co + 1], L->out_zp, L->act_min, L->act_max);
    dst[cout + co] = rt_requantize(acc[2], D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
    dst[cout + co + 1] = rt_requantize(acc[3], D->mult[co + 1], D->shift[co + 1], L->out_zp, L->act_min, L->act_max);
  }
  if (co < cout) { /* odd channel count: the last channel for both pixels */
    const int8_t *w0 = D->weights + co * wstride;
    int32_t a = base[co], b = base[co];
    for (int32_t ky = 0; ky < k; ky++) {
      a = dot_s8(xa + ky * xrow, w0 + ky * n, n, 0, a);
      b = dot_s8(xb + ky * xrow, w0 + ky * n, n, 0, b);
    }
    dst[co] = rt_requantize(a, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
    dst[cout + co] = rt_requantize(b, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
  }
}

/* Stems take cin 3 (or 1): a kernel row is only k * cin bytes (9 for 3x3x3), too short for the 2x2 block. Up to
 * this many taps, each interior output's k x k x cin taps are gathered once into a contiguous column (im2col, as
 * CMSIS-NN does), zero-padded to a multiple of 4, and one dot product runs over it per channel: OHWI weights are
 * already contiguous per channel, so they are read in place. Two columns of 32 B on the stack (3x3x3 is 27 taps). */
#define RT_CONV_COL_MAX 32

/* the taps of the output whose top-left tap is x (every tap inside the view), row after row, into col */
static inline void conv_gather(const int8_t *x, int32_t xrow, int32_t k, int32_t kc, int8_t *col) {
  for (int32_t ky = 0; ky < k; ky++, x += xrow, col += kc) {
    int32_t i = 0;
    for (; i + 4 <= kc; i += 4) {
      uint32_t v;
      memcpy(&v, x + i, 4);
      memcpy(col + i, &v, 4);
    }
    for (; i < kc; i++) col[i] = x[i];
  }
}

/* the taps of output (oy, ox) that has a tap in the padding: TFLite's zero padding reads as the input zero point,
 * whose term cancels against the folded offset (base = bias - in_zp * sum(w)), exactly as a skipped tap does */
static void conv_gather_clip(const rt_layer_t *L, const rt_view_t *in, int32_t oy, int32_t ox, int8_t *col) {
  const int32_t k = L->k, cin = L->in_c, iy0 = oy * L->stride - L->pad, ix0 = ox * L->stride - L->pad;
  for (int32_t ky = 0; ky < k; ky++)
    for (int32_t kx = 0; kx < k; kx++, col += cin) {
      const int32_t iy = iy0 + ky, ix = ix0 + kx;
      if (iy < 0 || ix < 0 || iy >= L->in_h || ix >= L->in_w) {
        memset(col, (int8_t)L->in_zp, (size_t)cin);
      } else {
        RT_ASSERT(iy >= in->y0 && iy < in->y0 + in->h && ix >= in->x0 && ix < in->x0 + in->w);
        memcpy(col, in->data + ((iy - in->y0) * in->w + (ix - in->x0)) * cin, (size_t)cin);
      }
    }
}

/* Two outputs (or one: cb NULL) from their gathered columns ca, cb (n taps, zero to the next multiple of 4): a 2x2
 * block per channel pair over the whole column, the offset term already in `base`. The padding bytes of a column
 * meet the next channel's first weights (times 0); only the last channel would read past the weights, so it stops
 * at n. The requantized values are stored after every load of the channel's constants (int8 stores alias them). */
static inline __attribute__((always_inline)) void conv_pair_col_k(const rt_layer_t *L, const rt_layer_data_t *D,
                                                                  const int8_t *ca, const int8_t *cb, int32_t n,
                                                                  int8_t *dst, int8_t *dstb, const int32_t *base,
                                                                  const int32_t N) {
  /* N: n when the call site fixes it (27: 3x3x3 stems; the column's dot is then unrolled whole), else 0 */
  if (N) n = N;
  const int32_t cout = L->out_c, n4 = (n + 3) & ~3;
  const int full = L->act_min == -128 && L->act_max == 127;
  int32_t co = 0;
  for (; co + 2 <= cout; co += 2) {
    const int8_t *w0 = D->weights + co * n;
    int32_t acc[4] = {base[co], base[co + 1], base[co], base[co + 1]};
    const int32_t len = co + 2 < cout ? n4 : n;
    if (cb && N && co + 2 < cout)
      dot22_s8_unrolled(ca, cb, w0, w0 + n, n4, acc);
    else if (cb)
      dot22_s8(ca, cb, w0, w0 + n, len, acc);
    else
      dot12_s8(ca, w0, w0 + n, len, acc);
    rt_rqz_t z0, z1;
    int8_t o[4];
    if (full && rt_rqz_prep(&z0, D->mult[co], D->shift[co], L->out_zp) &&
        rt_rqz_prep(&z1, D->mult[co + 1], D->shift[co + 1], L->out_zp)) {
      o[0] = rt_sat_s8(rt_rqz_apply(acc[0], z0.mult, z0.hi, z0.sh));
      o[1] = rt_sat_s8(rt_rqz_apply(acc[1], z1.mult, z1.hi, z1.sh));
      o[2] = rt_sat_s8(rt_rqz_apply(acc[2], z0.mult, z0.hi, z0.sh));
      o[3] = rt_sat_s8(rt_rqz_apply(acc[3], z1.mult, z1.hi, z1.sh));
    } else {
      const rt_rq_t q0 = rt_rq_prep(D->mult[co], D->shift[co]), q1 = rt_rq_prep(D->mult[co + 1], D->shift[co + 1]);
      o[0] = rt_rq_apply(acc[0], &q0, L->out_zp, L->act_min, L->act_max);
      o[1] = rt_rq_apply(acc[1], &q1, L->out_zp, L->act_min, L->act_max);
      o[2] = rt_rq_apply(acc[2], &q0, L->out_zp, L->act_min, L->act_max);
      o[3] = rt_rq_apply(acc[3], &q1, L->out_zp, L->act_min, L->act_max);
    }
    dst[co] = o[0];
    dst[co + 1] = o[1];
    if (cb) {
      dstb[co] = o[2];
      dstb[co + 1] = o[3];
    }
  }
  if (co < cout) { /* odd channel count: the last channel for both pixels */
    const int8_t *w0 = D->weights + co * n;
    const int32_t a = dot_s8(ca, w0, n, 0, base[co]), b = cb ? dot_s8(cb, w0, n, 0, base[co]) : 0;
    dst[co] = rt_requantize(a, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
    if (cb) dstb[co] = rt_requantize(b, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
  }
}

static void conv_pair_col(const rt_layer_t *L, const rt_layer_data_t *D, const int8_t *ca, const int8_t *cb, int32_t n,
                          int8_t *dst, int8_t *dstb, const int32_t *base) {
  if (n == 27)
    conv_pair_col_k(L, D, ca, cb, n, dst, dstb, base, 27);
  else
    conv_pair_col_k(L, D, ca, cb, n, dst, dstb, base, 0);
}

/* rt_conv through gathered columns: the region's outputs in order, two at a time, the pair running across rows
 * (an odd-width patch window leaves no unpaired output per row, only one at the end) */
static void conv_cols(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
                      rt_rect_t region, const int32_t *base, int32_t ix_lo, int32_t ix_hi, int32_t iy_lo,
                      int32_t iy_hi) {
  const int32_t k = L->k, s = L->stride, cin = L->in_c, cout = L->out_c, n = k * k * cin;
  int8_t col[2][RT_CONV_COL_MAX] __attribute__((aligned(4)));
  memset(col, 0, sizeof col); /* zero past the taps */
  int8_t *dsts[2];
  int32_t oy = region.y0, ox = region.x0, left = region.h * region.w;
  while (left > 0) {
    const int two = left >= 2;
    for (int32_t j = 0; j <= two; j++) {
      if (oy >= iy_lo && oy < iy_hi && ox >= ix_lo && ox < ix_hi)
        conv_gather(in->data + (((oy * s - L->pad) - in->y0) * in->w + ((ox * s - L->pad) - in->x0)) * cin, in->w * cin,
                    k, k * cin, col[j]);
      else
        conv_gather_clip(L, in, oy, ox, col[j]);
      dsts[j] = out->data + ((oy - out->y0) * out->w + (ox - out->x0)) * cout;
      if (++ox == region.x0 + region.w) ox = region.x0, oy++;
    }
    conv_pair_col(L, D, col[0], two ? col[1] : NULL, n, dsts[0], dsts[1], base);
    left -= 2;
  }
}

void rt_conv(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
             rt_rect_t region) {
  const int32_t k = L->k, s = L->stride, cin = L->in_c, cout = L->out_c, in_off = -L->in_zp;
  const int32_t wstride = k * k * cin;
  /* interior outputs (every tap inside the feature map) go in pairs through conv_pair when the channels fit */
  int32_t base[RT_CONV_FOLD_MAX_COUT];
  int32_t ix_lo = 0, ix_hi = 0, iy_lo = 0, iy_hi = 0;
  if (cout <= RT_CONV_FOLD_MAX_COUT) {
    for (int32_t co = 0; co < cout; co++) base[co] = D->bias[co] + in_off * sum_s8(D->weights + co * wstride, wstride);
    interior_range(k, s, L->pad, L->in_w, region.x0, region.x0 + region.w, &ix_lo, &ix_hi);
    interior_range(k, s, L->pad, L->in_h, region.y0, region.y0 + region.h, &iy_lo, &iy_hi);
    if (wstride <= RT_CONV_COL_MAX) {
      conv_cols(L, D, in, out, region, base, ix_lo, ix_hi, iy_lo, iy_hi);
      return;
    }
  }
  for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++) {
    const int32_t iy0 = oy * s - L->pad;
    const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(k, L->in_h - iy0);
    const int interior_row = oy >= iy_lo && oy < iy_hi;
    for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
      const int32_t ix0 = ox * s - L->pad;
      int8_t *dst = out->data + ((oy - out->y0) * out->w + (ox - out->x0)) * cout;
      if (interior_row && ox >= ix_lo && ox + 1 < ix_hi) {
        conv_pair(L, D, in->data + ((iy0 - in->y0) * in->w + (ix0 - in->x0)) * cin, in->w * cin, dst, base);
        ox++;
        continue;
      }
      const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(k, L->in_w - ix0);
      RT_ASSERT(ky_lo >= ky_hi || (iy0 + ky_lo >= in->y0 && iy0 + ky_hi <= in->y0 + in->h));
      RT_ASSERT(kx_lo >= kx_hi || (ix0 + kx_lo >= in->x0 && ix0 + kx_hi <= in->x0 + in->w));
      /* NHWC input and OHWI weights: the taps kx_lo..kx_hi of one kernel row, all input channels, are
       * contiguous in both, so each kernel row is one dot product of (kx_hi - kx_lo) * cin bytes */
      const int32_t n = kx_hi > kx_lo ? (kx_hi - kx_lo) * cin : 0;
      const int8_t *x0 = in->data + ((iy0 - in->y0) * in->w + (ix0 + kx_lo - in->x0)) * cin;
      const int32_t xrow = in->w * cin, wrow = k * cin, woff = kx_lo * cin;
      int32_t co = 0;
#if defined(__ARM_FEATURE_SIMD32)
      for (; co + 2 <= cout; co += 2) { /* two output channels share the unpacked input */
        const int8_t *w0 = D->weights + co * wstride + woff;
        int32_t acc0 = D->bias[co], acc1 = D->bias[co + 1];
        for (int32_t ky = ky_lo; ky < ky_hi; ky++)
          dot2_s8(x0 + ky * xrow, w0 + ky * wrow, w0 + wstride + ky * wrow, n, in_off, &acc0, &acc1);
        dst[co] = rt_requantize(acc0, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
        dst[co + 1] = rt_requantize(acc1, D->mult[co + 1], D->shift[co + 1], L->out_zp, L->act_min, L->act_max);
      }
#endif
      for (; co < cout; co++) {
        const int8_t *w0 = D->weights + co * wstride + woff;
        int32_t acc = D->bias[co];
        for (int32_t ky = ky_lo; ky < ky_hi; ky++) acc = dot_s8(x0 + ky * xrow, w0 + ky * wrow, n, in_off, acc);
        dst[co] = rt_requantize(acc, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
      }
    }
  }
}

/* One channel of a depthwise layer, as the helpers below see it. rt_depthwise fills it once per layer and the
 * per-channel fields once per channel; the helpers are not inlined, so the stack is rt_depthwise's small frame
 * plus the larger of theirs (measured with -fstack-usage; the deepest kernel frame chain is the firmware's stack
 * peak, which tests/search pins to the byte). */
typedef struct {
  const rt_layer_t *L;
  const rt_view_t *in, *out;
  rt_rect_t region;
  int32_t ix_lo, ix_hi, iy_lo, iy_hi; /* the interior block: outputs whose taps all lie inside the feature map */
  int8_t *tmp;                        /* the in-place copy (NULL out of place) */
  int32_t ry0, ry1, rx0, rx1;         /* the input window's rows and columns inside the feature map */
  int whole;                          /* the window lies inside the feature map: the copy is one gather */
  /* per channel */
  int32_t c;
  const int8_t *src; /* the channel's input: the in-place copy (ps 1) or the NHWC tensor from channel c (ps ch) */
  int32_t ps, row;   /* bytes between input pixels, input rows */
  int32_t bias;
  rt_rq_t rq;
  int32_t rsum[7];  /* sum of each kernel row's taps: the zero-point term of outputs clipped to whole rows */
  int8_t wk[7 * 7]; /* the channel's taps, gathered from the HWC weights; int8 as stored: LDRSB costs what LDR does */
#if defined(__ARM_FEATURE_SIMD32)
  /* dw_pairs' packed int16 tap pairs, per kernel row and 4-byte input chunk j: {P0, P1, Q0, Q1} (see dw_pairs_k) */
  uint32_t pk[7 * 2 * 4];
#endif
} dw_ctx_t;

/* byte offset of input pixel (iy, ix) from x->src, and of output (oy, ox) channel c in out->data */
static inline int32_t dw_at(const dw_ctx_t *x, int32_t iy, int32_t ix) {
  return (iy - x->in->y0) * x->row + (ix - x->in->x0) * x->ps;
}
static inline int32_t dw_out(const dw_ctx_t *x, int32_t oy, int32_t ox) {
  return ((oy - x->out->y0) * x->out->w + (ox - x->out->x0)) * x->L->out_c + x->c;
}

/* The zero-point term in_off * sum(w) of the tap rows [ky_lo, ky_hi), folded into the bias: every output of a
 * rectangle whose taps are clipped alike to whole rows starts from it (a padding tap contributes nothing, as in
 * TFLite, where the padded input equals the zero point). */
static inline int32_t dw_base(const dw_ctx_t *x, int32_t ky_lo, int32_t ky_hi) {
  int32_t sum = 0;
  for (int32_t ky = ky_lo; ky < ky_hi; ky++) sum += x->rsum[ky];
  return x->bias - x->L->in_zp * sum;
}

/* The interior block, strided input (out of place: ps = channels): every tap inside the feature map, so no
 * bounds test, and the zero-point term folded into `base`. K is a constant at the unrolled call (3 on a strided
 * input, the common case); the other unrolled forms spill and deepen the stack. */
static inline __attribute__((always_inline)) void dw_block_k(const dw_ctx_t *x, int32_t K, int32_t ps, int32_t base) {
  const rt_layer_t *L = x->L;
  const int32_t s = L->stride, row = x->row, ch = L->out_c, cols = x->ix_hi - x->ix_lo;
  const rt_rq_t rq = x->rq;
  const int32_t zp = L->out_zp, lo = L->act_min, hi = L->act_max;
  const int8_t *wk = x->wk;
  const int32_t rows = x->iy_hi - x->iy_lo, src_row = s * row, dst_row = x->out->w * ch;
  const int8_t *p_row = x->src + dw_at(x, x->iy_lo * s - L->pad, x->ix_lo * s - L->pad);
  int8_t *dst_row0 = x->out->data + dw_out(x, x->iy_lo, x->ix_lo);
  for (int32_t r = 0; r < rows; r++, p_row += src_row, dst_row0 += dst_row) {
    const int8_t *p = p_row;
    int8_t *dst = dst_row0;
    for (int32_t i = 0; i < cols; i++, p += s * ps, dst += ch) {
      int32_t acc = base;
#pragma GCC unroll 7
      for (int32_t ky = 0; ky < K; ky++)
#pragma GCC unroll 7
        for (int32_t kx = 0; kx < K; kx++) acc += (int32_t)p[ky * row + kx * ps] * wk[ky * K + kx];
      *dst = rt_rq_apply(acc, &rq, zp, lo, hi);
    }
  }
}

static __attribute__((noinline)) void dw_block(const dw_ctx_t *x) {
  const int32_t k = x->L->k, base = dw_base(x, 0, k);
  if (k == 3) {
    dw_block_k(x, 3, x->ps, base);
    return;
  }
  dw_block_k(x, k, x->ps, base);
}

#if defined(__ARM_FEATURE_SIMD32)
/* Interior widths from which dw_pairs runs the block, and the border rows above and below it: narrower blocks
 * (the late layers' 7 x 7 and smaller maps) stay on the scalar loops, whose set-up per channel is smaller. */
#define DW_PAIRS_MIN 6
#define DW_ROWS_MIN 8

static inline uint32_t dw_pair16(int32_t lo, int32_t hi) { return (uint16_t)lo | ((uint32_t)hi << 16); }

/* The packed taps of dw_pairs_k for the channel in x->wk: for kernel row r and input chunk j (bytes 4j .. 4j + 3 of
 * the row's span), with w(t) the row's tap t (0 outside [0, K)): P0 = (w(4j), w(4j+2)), P1 = (w(4j+1), w(4j+3))
 * for the first output, and the same shifted by the stride, Q0 = (w(4j-s), w(4j+2-s)), Q1 = (w(4j+1-s),
 * w(4j+3-s)), for the second, which starts s bytes later. */
static inline int32_t dw_tap(const int8_t *row, int32_t k, int32_t t) { return (uint32_t)t < (uint32_t)k ? row[t] : 0; }

static inline __attribute__((always_inline)) void dw_pack_k(dw_ctx_t *x, int32_t k, int32_t s) {
  const int32_t nf = (k + s) / 4;
  uint32_t *pk = x->pk;
#pragma GCC unroll 7
  for (int32_t r = 0; r < k; r++) {
    const int8_t *w = x->wk + r * k;
#pragma GCC unroll 2
    for (int32_t a = 0; a < 4 * nf; a += 4, pk += 4) {
      const int32_t b = a - s;
      pk[0] = dw_pair16(dw_tap(w, k, a), dw_tap(w, k, a + 2));
      pk[1] = dw_pair16(dw_tap(w, k, a + 1), dw_tap(w, k, a + 3));
      pk[2] = dw_pair16(dw_tap(w, k, b), dw_tap(w, k, b + 2));
      pk[3] = dw_pair16(dw_tap(w, k, b + 1), dw_tap(w, k, b + 3));
    }
  }
}

static void dw_pack(dw_ctx_t *x) { dw_pack_k(x, x->L->k, x->L->stride); }

/* Outputs [oy0, oy1) x [ox0, ox1) with every tap column inside the feature map and tap rows [ky_lo, ky_lo + NY),
 * from the contiguous in-place copy (ps 1): two horizontally adjacent outputs per pass. Output 0 of a pair reads
 * bytes [0, K) of each tap row's span, output 1 bytes [s, s + K), so the pair reads exactly K + s bytes (never
 * past the feature map), one word per 4-byte chunk: SXTB16 splits it into the even and odd bytes as int16 pairs,
 * and four SMLADs against the packed taps {P0, P1, Q0, Q1} add both outputs' products (a chunk's bytes past the
 * span's last whole word, K + s mod 4 of them, are taken one by one). The same word serves both outputs. */
static inline __attribute__((always_inline)) void dw_pairs_k(const dw_ctx_t *x, int32_t K, int32_t S, int32_t oy0,
                                                             int32_t oy1, int32_t ox0, int32_t ox1, int32_t ky_lo,
                                                             int32_t NY, int32_t base) {
  const rt_layer_t *L = x->L;
  const int32_t NF = (K + S) / 4, row = x->row, ch = L->out_c, cols = ox1 - ox0, dst_row = x->out->w * ch;
  const rt_rq_t rq = x->rq;
  const int32_t zp = L->out_zp, lo = L->act_min, hi = L->act_max;
  const uint32_t *pk = x->pk + ky_lo * NF * 4;
  const int8_t *wk = x->wk + ky_lo * K;
  const int8_t *p_row = x->src + dw_at(x, oy0 * S - L->pad + ky_lo, ox0 * S - L->pad);
  int8_t *d_row = x->out->data + dw_out(x, oy0, ox0);
  for (int32_t oy = oy0; oy < oy1; oy++, p_row += S * row, d_row += dst_row) {
    const int8_t *p = p_row;
    int8_t *d = d_row;
    int32_t i = 0;
    for (; i + 2 <= cols; i += 2, p += 2 * S, d += 2 * ch) {
      int32_t a0 = base, a1 = base;
      const int8_t *q = p, *wt = wk;
      const uint32_t *w = pk;
#pragma GCC unroll 7
      for (int32_t r = 0; r < NY; r++, q += row, wt += K) {
#pragma GCC unroll 2
        for (int32_t j = 0; j < NF; j++, w += 4) {
          uint32_t v;
          memcpy(&v, q + 4 * j, 4); /* unaligned LDR is allowed on ARMv7-M for normal memory */
          const int16x2_t x02 = __sxtb16((int8x4_t)v), x13 = rt_sxtb16_ror8(v);
          a0 = __smlad(x02, (int16x2_t)w[0], a0);
          a0 = __smlad(x13, (int16x2_t)w[1], a0);
          a1 = __smlad(x02, (int16x2_t)w[2], a1);
          a1 = __smlad(x13, (int16x2_t)w[3], a1);
        }
#pragma GCC unroll 3
        for (int32_t t = 4 * NF; t < K + S; t++) {
          const int32_t pv = q[t];
          if (t < K) a0 += pv * wt[t];
          a1 += pv * wt[t - S]; /* t - S lies in [0, K): t >= 4 NF >= S and t < K + S */
        }
      }
      d[0] = rt_rq_apply(a0, &rq, zp, lo, hi);
      d[ch] = rt_rq_apply(a1, &rq, zp, lo, hi);
    }
    if (i < cols) { /* odd width: the last output alone, bytes [0, K) of each tap row against P0 and P1 */
      int32_t acc = base;
      const int8_t *q = p, *wt = wk;
      const uint32_t *w = pk;
#pragma GCC unroll 7
      for (int32_t r = 0; r < NY; r++, q += row, wt += K, w += 4 * NF) {
#pragma GCC unroll 2
        for (int32_t j = 0; j < K / 4; j++) { /* whole words */
          uint32_t v;
          memcpy(&v, q + 4 * j, 4);
          acc = __smlad(__sxtb16((int8x4_t)v), (int16x2_t)w[4 * j], acc);
          acc = __smlad(rt_sxtb16_ror8(v), (int16x2_t)w[4 * j + 1], acc);
        }
        if (K % 4 >= 2) { /* two more bytes, zero-extended: the high halfwords add nothing */
          uint16_t h;
          memcpy(&h, q + 4 * (K / 4), 2);
          const uint32_t v = h;
          acc = __smlad(__sxtb16((int8x4_t)v), (int16x2_t)w[4 * (K / 4)], acc);
          acc = __smlad(rt_sxtb16_ror8(v), (int16x2_t)w[4 * (K / 4) + 1], acc);
        }
        if (K % 2) acc += (int32_t)q[K - 1] * wt[K - 1];
      }
      d[0] = rt_rq_apply(acc, &rq, zp, lo, hi);
    }
  }
}

/* dw_pairs_k with K, the stride and (for whole tap rows, the interior block) the row count constant. */
static __attribute__((noinline)) void dw_pairs(const dw_ctx_t *x, int32_t oy0, int32_t oy1, int32_t ox0, int32_t ox1,
                                               int32_t ky_lo, int32_t ky_hi) {
  const int32_t k = x->L->k, s = x->L->stride, ny = ky_hi - ky_lo;
  const int32_t base = dw_base(x, ky_lo, ky_hi);
#define DW_PAIRS(K, S)                                                                                                 \
  if (k == K && s == S) {                                                                                              \
    if (ny == K)                                                                                                       \
      dw_pairs_k(x, K, S, oy0, oy1, ox0, ox1, 0, K, base);                                                             \
    else                                                                                                               \
      dw_pairs_k(x, K, S, oy0, oy1, ox0, ox1, ky_lo, ny, base);                                                        \
    return;                                                                                                            \
  }
  DW_PAIRS(3, 1)
  DW_PAIRS(3, 2)
  DW_PAIRS(5, 1)
  DW_PAIRS(5, 2)
  DW_PAIRS(7, 1)
  DW_PAIRS(7, 2)
#undef DW_PAIRS
}
#endif

/* The border outputs (a tap in the padding: at most (k/2) / s rows and columns on each side of the image, and
 * every output of a window that lies outside it) not done by the block or, when `rows_done`, by dw_pairs on the
 * border rows: taps clipped to the feature map, one output at a time. */
static __attribute__((noinline)) void dw_border(const dw_ctx_t *x, int rows_done) {
  const rt_layer_t *L = x->L;
  const int32_t k = L->k, s = L->stride, pad = L->pad, in_off = -L->in_zp;
  const int32_t y_end = x->region.y0 + x->region.h, x_end = x->region.x0 + x->region.w;
  for (int32_t oy = x->region.y0; oy < y_end; oy++) {
    const int32_t iy0 = oy * s - pad;
    const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(k, L->in_h - iy0);
    const int skip = rows_done || (oy >= x->iy_lo && oy < x->iy_hi); /* the interior columns are done */
    for (int32_t ox = x->region.x0; ox < x_end; ox++) {
      if (skip && ox == x->ix_lo) ox = x->ix_hi;
      if (ox >= x_end) break;
      const int32_t ix0 = ox * s - pad;
      const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(k, L->in_w - ix0);
      int32_t acc = x->bias;
      for (int32_t ky = ky_lo; ky < ky_hi; ky++) {
        const int8_t *p = x->src + dw_at(x, iy0 + ky, ix0);
        for (int32_t kx = kx_lo; kx < kx_hi; kx++) acc += ((int32_t)p[kx * x->ps] + in_off) * x->wk[ky * k + kx];
      }
      x->out->data[dw_out(x, oy, ox)] = rt_rq_apply(acc, &x->rq, L->out_zp, L->act_min, L->act_max);
    }
  }
}

/* One channel: the interior block (every tap inside the feature map, or inside the padded copy), then the border.
 * On wide regions the border rows above and below the block take dw_pairs with their tap rows clipped (all
 * their taps clipped alike); the border columns, and every border output of narrow regions (7 x 7 maps, where
 * per-call set-up would cost more than it saves), go one by one through dw_border. */
static void dw_channel(const dw_ctx_t *x, int simd, int border) {
  (void)simd; /* the packed-pair path exists on ARMv7E-M only */
  const int block = x->iy_hi > x->iy_lo && x->ix_hi > x->ix_lo;
  int rows_done = 0;
#if defined(__ARM_FEATURE_SIMD32)
  if (simd) {
    const rt_layer_t *L = x->L;
    if (block) dw_pairs(x, x->iy_lo, x->iy_hi, x->ix_lo, x->ix_hi, 0, L->k);
    if (border && x->ix_hi - x->ix_lo >= DW_ROWS_MIN) {
      const int32_t y_end = x->region.y0 + x->region.h;
      for (int32_t oy = x->region.y0; oy < y_end; oy++) {
        if (oy == x->iy_lo) oy = x->iy_hi;
        if (oy >= y_end) break;
        const int32_t iy0 = oy * L->stride - L->pad;
        const int32_t ky_lo = max_i32(0, -iy0), ky_hi = max_i32(ky_lo, min_i32(L->k, L->in_h - iy0));
        dw_pairs(x, oy, oy + 1, x->ix_lo, x->ix_hi, ky_lo, ky_hi); /* no tap row: the bias alone */
      }
      rows_done = 1;
    }
  } else
#endif
      if (block)
    dw_block(x);
  if (border) dw_border(x, rows_done);
}

/* to[i] = from[i * stride] for i < n: four bytes gathered, one word stored */
static inline void dw_gather(int8_t *to, const int8_t *from, int32_t n, int32_t stride) {
  int32_t p = 0;
  for (; p + 4 <= n; p += 4, from += 4 * stride) {
    const uint32_t v = (uint32_t)(uint8_t)from[0] | (uint32_t)(uint8_t)from[stride] << 8 |
                       (uint32_t)(uint8_t)from[2 * stride] << 16 | (uint32_t)(uint8_t)from[3 * stride] << 24;
    memcpy(to + p, &v, 4);
  }
  for (; p < n; p++, from += stride) to[p] = *from;
}

/* Channel c's input: in place, it is about to be overwritten by its own output, so it is copied to x->tmp (the
 * input zero point at the window's positions outside the feature map); out of place, the NHWC tensor itself. */
static __attribute__((noinline)) void dw_copy(dw_ctx_t *x, int32_t c) {
  const rt_view_t *in = x->in;
  const int32_t ch = x->L->in_c;
  if (!x->tmp) {
    x->src = in->data + c;
    x->ps = ch;
    x->row = in->w * ch;
    return;
  }
  int8_t *tmp = x->tmp;
  /* one gather of the whole window (its bytes outside the feature map are the window's own, copied and then
   * overwritten: one run costs less than a run per row on an edge patch's window) */
  dw_gather(tmp, in->data + c, in->h * in->w, ch);
  if (!x->whole) {
    const int8_t zp = (int8_t)x->L->in_zp;
    for (int32_t y = 0; y < in->h; y++) {
      int8_t *to = tmp + y * in->w;
      if (y < x->ry0 || y >= x->ry1) {
        for (int32_t i = 0; i < in->w; i++) to[i] = zp;
        continue;
      }
      for (int32_t i = 0; i < x->rx0; i++) to[i] = zp;
      for (int32_t i = x->rx1; i < in->w; i++) to[i] = zp;
    }
  }
  x->src = tmp;
  x->ps = 1;
  x->row = in->w;
}

/* Channel c's taps, row sums, bias and requantization (K a constant at the unrolled calls). */
static inline __attribute__((always_inline)) void dw_taps_k(dw_ctx_t *x, const rt_layer_data_t *D, int32_t c,
                                                            int32_t K) {
  const int32_t ch = x->L->in_c;
  if (K > 7) __builtin_unreachable(); /* rt_op_dw_in_place_ok and the generator: at most 7 x 7 taps */
#pragma GCC unroll 7
  for (int32_t r = 0; r < K; r++) {
    int32_t sum = 0;
#pragma GCC unroll 7
    for (int32_t t = r * K; t < (r + 1) * K; t++) sum += x->wk[t] = D->weights[t * ch + c];
    x->rsum[r] = sum;
  }
  x->bias = D->bias[c];
  x->rq = rt_rq_prep(D->mult[c], D->shift[c]);
}

#if defined(__ARM_FEATURE_SIMD32)
/* A uniform patch's window (every output of the region on the padded copy): the channel loop with K and the
 * stride constant, so the per-channel set-up (taps, packing, one call of the pair kernel) stays small on the
 * patches' small windows. */
static inline __attribute__((always_inline)) void dw_padded_k(dw_ctx_t *x, const rt_layer_data_t *D, int32_t K,
                                                              int32_t S) {
  const rt_rect_t r = x->region;
  for (int32_t c = 0; c < x->L->in_c; c++) {
    x->c = c;
    dw_copy(x, c);
    dw_taps_k(x, D, c, K);
    dw_pack_k(x, K, S);
    dw_pairs_k(x, K, S, r.y0, r.y0 + r.h, r.x0, r.x0 + r.w, 0, K, dw_base(x, 0, K));
  }
}

static __attribute__((noinline)) void dw_padded(dw_ctx_t *x, const rt_layer_data_t *D) {
  const int32_t k = x->L->k, s = x->L->stride;
#define DW_PADDED(K, S)                                                                                                \
  if (k == K && s == S) {                                                                                              \
    dw_padded_k(x, D, K, S);                                                                                           \
    return;                                                                                                            \
  }
  DW_PADDED(3, 1)
  DW_PADDED(3, 2)
  DW_PADDED(5, 1)
  DW_PADDED(5, 2)
  DW_PADDED(7, 1)
  DW_PADDED(7, 2)
#undef DW_PADDED
}
#endif

void rt_depthwise(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
                  rt_rect_t region, int8_t *tmp) {
  const int32_t k = L->k, s = L->stride, ch = L->in_c;
  const int in_place = out->data == in->data;
  dw_ctx_t x;
  x.L = L;
  x.in = in;
  x.out = out;
  x.region = region;
  x.tmp = in_place ? tmp : NULL;
  /* the window's rows [ry0, ry1) and columns [rx0, rx1) inside the feature map, relative to the window */
  x.ry0 = min_i32(in->h, max_i32(0, -in->y0));
  x.ry1 = max_i32(x.ry0, min_i32(in->h, L->in_h - in->y0));
  x.rx0 = min_i32(in->w, max_i32(0, -in->x0));
  x.rx1 = max_i32(x.rx0, min_i32(in->w, L->in_w - in->x0));
  x.whole = x.ry0 == 0 && x.ry1 == in->h && x.rx0 == 0 && x.rx1 == in->w;
#if defined(__ARM_FEATURE_SIMD32)
  /* a uniform patch's window holds the whole receptive field of the region, positions outside the feature map
   * included (their bytes are not the layer's): the in-place copy stores the input zero point there, which
   * contributes (in_zp - in_zp) * w = 0 as TFLite's padding does, so every output of the region (those outside
   * the output feature map too, never read: they equal their clipped sums) takes the pair kernel */
  const int kernel_ok = (k == 3 || k == 5 || k == 7) && (s == 1 || s == 2);
  if (in_place && kernel_ok && region.h > 0 && region.w >= DW_PAIRS_MIN && in->y0 <= region.y0 * s - L->pad &&
      in->x0 <= region.x0 * s - L->pad && in->y0 + in->h >= (region.y0 + region.h - 1) * s - L->pad + k &&
      in->x0 + in->w >= (region.x0 + region.w - 1) * s - L->pad + k) {
    dw_padded(&x, D);
    return;
  }
#endif
  x.whole = 1; /* without padding the copy takes the whole window (its positions outside are never read) */
  /* interior output rows and columns (all taps inside the feature map): the same for every channel */
  interior_range(k, s, L->pad, L->in_w, region.x0, region.x0 + region.w, &x.ix_lo, &x.ix_hi);
  interior_range(k, s, L->pad, L->in_h, region.y0, region.y0 + region.h, &x.iy_lo, &x.iy_hi);
  /* the packed-pair path: the contiguous in-place copy, a kernel it has a form for, and a wide enough block */
  int simd = 0;
#if defined(__ARM_FEATURE_SIMD32)
  simd = in_place && kernel_ok && x.ix_hi - x.ix_lo >= DW_PAIRS_MIN;
#endif
  if (x.ix_lo == x.ix_hi) x.iy_hi = x.iy_lo; /* no interior column: every output takes the border path */
  /* most patch windows lie wholly inside the feature map: then the border pass has nothing to do on any channel */
  const int border = x.iy_lo != region.y0 || x.iy_hi != region.y0 + region.h || x.ix_lo != region.x0 ||
                     x.ix_hi != region.x0 + region.w;
  for (int32_t c = 0; c < ch; c++) {
    x.c = c;
    dw_copy(&x, c);
    dw_taps_k(&x, D, c, k);
#if defined(__ARM_FEATURE_SIMD32)
    if (simd) dw_pack(&x);
#endif
    dw_channel(&x, simd, border);
  }
}

#if defined(__ARM_FEATURE_SIMD32)
/* One 4-byte step of the 2x2 block below: a.w0, a.w1, b.w0, b.w1 each gain four products */
static inline __attribute__((always_inline)) void dot22_word(const int8_t *xa, const int8_t *xb, const int8_t *w0,
                                                             const int8_t *w1, int32_t *a0, int32_t *a1, int32_t *b0,
                                                             int32_t *b1) {
  uint32_t xav, xbv, wv0, wv1;
  memcpy(&xav, xa, 4);
  memcpy(&xbv, xb, 4);
  memcpy(&wv0, w0, 4);
  memcpy(&wv1, w1, 4);
  const int16x2_t xa02 = __sxtb16((int8x4_t)xav), xa13 = rt_sxtb16_ror8(xav);
  const int16x2_t xb02 = __sxtb16((int8x4_t)xbv), xb13 = rt_sxtb16_ror8(xbv);
  const int16x2_t w002 = __sxtb16((int8x4_t)wv0), w013 = rt_sxtb16_ror8(wv0);
  const int16x2_t w102 = __sxtb16((int8x4_t)wv1), w113 = rt_sxtb16_ror8(wv1);
  *a0 = __smlad(xa13, w013, __smlad(xa02, w002, *a0));
  *a1 = __smlad(xa13, w113, __smlad(xa02, w102, *a1));
  *b0 = __smlad(xb13, w013, __smlad(xb02, w002, *b0));
  *b1 = __smlad(xb13, w113, __smlad(xb02, w102, *b1));
}
#endif

/* sum_i x[i] * w[i] (no offset) for two pixels xa, xb and two output channels w0, w1: a 2x2 block, so
 * each unpacked input word serves two channels and each unpacked weight word two pixels (CMSIS-NN's
 * arm_nn_mat_mult_kernel_s8_s16 blocking). acc = {a.w0, a.w1, b.w0, b.w1}. */
static inline void dot22_s8(const int8_t *xa, const int8_t *xb, const int8_t *w0, const int8_t *w1, int32_t n,
                            int32_t *acc) {
  int32_t a0 = acc[0], a1 = acc[1], b0 = acc[2], b1 = acc[3];
#if defined(__ARM_FEATURE_SIMD32)
  /* pointers stepped, not indexed: the loop keeps its bounds in registers */
  for (const int8_t *end = xa + (n & ~3); xa != end; xa += 4, xb += 4, w0 += 4, w1 += 4) {
    dot22_word(xa, xb, w0, w1, &a0, &a1, &b0, &b1);
  }
  n &= 3;
#endif
  for (int32_t i = 0; i < n; i++) {
    const int32_t xai = xa[i], xbi = xb[i], wi0 = w0[i], wi1 = w1[i];
    a0 += xai * wi0;
    a1 += xai * wi1;
    b0 += xbi * wi0;
    b1 += xbi * wi1;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = b0;
  acc[3] = b1;
}

/* dot22_s8 for a channel count the call site fixes (a multiple of 4 up to 32): the loop unrolled whole, so no
 * per-step compare and branch */
static inline __attribute__((always_inline)) void
dot22_s8_unrolled(const int8_t *xa, const int8_t *xb, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *acc) {
#if defined(__ARM_FEATURE_SIMD32)
  int32_t a0 = acc[0], a1 = acc[1], b0 = acc[2], b1 = acc[3];
#pragma GCC unroll 8
  for (int32_t i = 0; i < n; i += 4) {
    dot22_word(xa + i, xb + i, w0 + i, w1 + i, &a0, &a1, &b0, &b1);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = b0;
  acc[3] = b1;
#else
  dot22_s8(xa, xb, w0, w1, n, acc);
#endif
}

/* sum_i x[i] * w[i] for one pixel and two output channels (the odd pixel of a row). */
static inline void dot12_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *acc) {
  int32_t a0 = acc[0], a1 = acc[1], i = 0;
#if defined(__ARM_FEATURE_SIMD32)
  for (; i + 4 <= n; i += 4) {
    uint32_t xv, wv0, wv1;
    memcpy(&xv, x + i, 4);
    memcpy(&wv0, w0 + i, 4);
    memcpy(&wv1, w1 + i, 4);
    const int16x2_t x02 = __sxtb16((int8x4_t)xv), x13 = rt_sxtb16_ror8(xv);
    a0 = __smlad(x13, rt_sxtb16_ror8(wv0), __smlad(x02, __sxtb16((int8x4_t)wv0), a0));
    a1 = __smlad(x13, rt_sxtb16_ror8(wv1), __smlad(x02, __sxtb16((int8x4_t)wv1), a1));
  }
#endif
  for (; i < n; i++) {
    a0 += (int32_t)x[i] * w0[i];
    a1 += (int32_t)x[i] * w1[i];
  }
  acc[0] = a0;
  acc[1] = a1;
}

/* sum of n int8 weights: once per output channel and call, so on layers with few pixels (7x7, 5x5) it must
 * not cost more than a small part of the dot products (SMLAD against (1, 1): four bytes in three steps). */
static inline int32_t sum_s8(const int8_t *w, int32_t n) {
  int32_t sum = 0, i = 0;
#if defined(__ARM_FEATURE_SIMD32)
  const int16x2_t ones = (int16x2_t)0x00010001;
  for (; i + 4 <= n; i += 4) {
    uint32_t wv;
    memcpy(&wv, w + i, 4);
    sum = __smlad(rt_sxtb16_ror8(wv), ones, __smlad(__sxtb16((int8x4_t)wv), ones, sum));
  }
#endif
  for (; i < n; i++) sum += w[i];
  return sum;
}

/* Output channels co, co + 1 of every pixel of the region. Channel pairs outside, pixels inside: the input
 * offset's term in_off * sum(w) is folded into the bias once per channel and call instead of being added to
 * every input byte, and the weights of the pair are reused by every pixel. One kernel row at a time: the
 * region's pixels of one row are contiguous in every view. Residual elements are read before the same
 * element is written, so out may alias res. */
static inline __attribute__((always_inline)) void pw_pair_k(const rt_layer_t *L, const rt_layer_data_t *D,
                                                            const rt_view_t *in, const rt_view_t *res,
                                                            const rt_view_t *out, rt_rect_t region, int32_t co,
                                                            const rt_rqz_t *z0, const rt_rqz_t *z1, const int32_t CIN) {
  /* z0, z1: the fused requantization's words when both channels take it, the activation range is all of int8 (then
   * one SSAT clamps) and no residual is added, NULL for the general form; a constant at each call. CIN: the input
   * channel count when the call site fixes it (8 to 32: the 2x2 loop is then unrolled whole), else 0 */
  const int32_t cin = CIN ? CIN : L->in_c, cout = L->out_c, in_off = -L->in_zp;
  const int8_t *w0 = D->weights + co * cin, *w1 = w0 + cin;
  const int32_t bias0 = D->bias[co] + in_off * sum_s8(w0, cin), bias1 = D->bias[co + 1] + in_off * sum_s8(w1, cin);
  const rt_rq_t q0 = rt_rq_prep(D->mult[co], D->shift[co]), q1 = rt_rq_prep(D->mult[co + 1], D->shift[co + 1]);
  const int32_t zp = L->out_zp, lo = L->act_min, hi = L->act_max;
  const int32_t m0 = z0 ? z0->mult : 0, h0 = z0 ? z0->hi : 0, s0 = z0 ? z0->sh : 0;
  const int32_t m1 = z1 ? z1->mult : 0, h1 = z1 ? z1->hi : 0, s1 = z1 ? z1->sh : 0;
#define PW_RQ(acc, q, m, h, sh) (z0 ? rt_sat_s8(rt_rqz_apply(acc, m, h, sh)) : rt_rq_apply(acc, q, zp, lo, hi))
  /* when every view is exactly the region's width, its rows follow each other: one run of h * w pixels, so
   * an odd width does not leave an unpaired pixel on every row (7-wide patch windows) */
  if (in->w == region.w && in->x0 == region.x0 && out->w == region.w && out->x0 == region.x0 &&
      (!res || (res->w == region.w && res->x0 == region.x0))) {
    region.w *= region.h;
    region.h = 1;
  }
  for (int32_t y = region.y0; y < region.y0 + region.h; y++) {
    const int8_t *x = in->data + ((y - in->y0) * in->w + (region.x0 - in->x0)) * cin;
    int8_t *d = out->data + ((y - out->y0) * out->w + (region.x0 - out->x0)) * cout + co;
    const int8_t *r = res ? res->data + ((y - res->y0) * res->w + (region.x0 - res->x0)) * cout + co : NULL;
    int32_t i = 0;
    for (; i + 2 <= region.w; i += 2, x += 2 * cin, d += 2 * cout) {
      int32_t acc[4] = {bias0, bias1, bias0, bias1};
      if (CIN)
        dot22_s8_unrolled(x, x + cin, w0, w1, cin, acc);
      else
        dot22_s8(x, x + cin, w0, w1, cin, acc);
      int8_t q[4] = {PW_RQ(acc[0], &q0, m0, h0, s0), PW_RQ(acc[1], &q1, m1, h1, s1), PW_RQ(acc[2], &q0, m0, h0, s0),
                     PW_RQ(acc[3], &q1, m1, h1, s1)};
      if (r) {
        q[0] = add_one(&L->add, q[0], r[0]);
        q[1] = add_one(&L->add, q[1], r[1]);
        q[2] = add_one(&L->add, q[2], r[cout]);
        q[3] = add_one(&L->add, q[3], r[cout + 1]);
        r += 2 * cout;
      }
      d[0] = q[0];
      d[1] = q[1];
      d[cout] = q[2];
      d[cout + 1] = q[3];
    }
    if (i < region.w) { /* odd width: the last pixel alone */
      int32_t acc[2] = {bias0, bias1};
      dot12_s8(x, w0, w1, cin, acc);
      int8_t o0 = PW_RQ(acc[0], &q0, m0, h0, s0), o1 = PW_RQ(acc[1], &q1, m1, h1, s1);
      if (r) {
        o0 = add_one(&L->add, o0, r[0]);
        o1 = add_one(&L->add, o1, r[1]);
      }
      d[0] = o0;
      d[1] = o1;
    }
  }
#undef PW_RQ
}

static void pw_pair(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *res,
                    const rt_view_t *out, rt_rect_t region, int32_t co) {
  rt_rqz_t z0, z1;
  if (!res && L->act_min == -128 && L->act_max == 127 && rt_rqz_prep(&z0, D->mult[co], D->shift[co], L->out_zp) &&
      rt_rqz_prep(&z1, D->mult[co + 1], D->shift[co + 1], L->out_zp))
    pw_pair_k(L, D, in, NULL, out, region, co, &z0, &z1, 0);
  else
    pw_pair_k(L, D, in, res, out, region, co, NULL, NULL, 0);
}

/* rt_pointwise's channel pairs for the small channel counts of the first blocks (8, 16, 24, 32), where the per-pass
 * work weighs most: the 2x2 loop unrolled whole. A function of its own: inlined beside rt_pointwise's general loops,
 * GCC allocates those worse (+15-30% cycles); its frame adds to rt_pointwise's (stack peak +148 B on the M7 builds). */
static __attribute__((noinline)) void pw_pairs_fixed(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in,
                                                     const rt_view_t *out, rt_rect_t region) {
  const int32_t cin = L->in_c;
  for (int32_t co = 0; co + 2 <= L->out_c; co += 2) {
    rt_rqz_t z0, z1;
    if (!rt_rqz_prep(&z0, D->mult[co], D->shift[co], L->out_zp) ||
        !rt_rqz_prep(&z1, D->mult[co + 1], D->shift[co + 1], L->out_zp))
      pw_pair_k(L, D, in, NULL, out, region, co, NULL, NULL, 0);
    else if (cin == 8)
      pw_pair_k(L, D, in, NULL, out, region, co, &z0, &z1, 8);
    else if (cin == 16)
      pw_pair_k(L, D, in, NULL, out, region, co, &z0, &z1, 16);
    else if (cin == 24)
      pw_pair_k(L, D, in, NULL, out, region, co, &z0, &z1, 24);
    else
      pw_pair_k(L, D, in, NULL, out, region, co, &z0, &z1, 32);
  }
}

void rt_pointwise(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *res,
                  const rt_view_t *out, rt_rect_t region) {
  const int32_t cin = L->in_c, cout = L->out_c, in_off = -L->in_zp;
  int32_t co = 0;
  if (!res && (cin == 8 || cin == 16 || cin == 24 || cin == 32) && L->act_min == -128 && L->act_max == 127) {
    pw_pairs_fixed(L, D, in, out, region);
    co = cout & ~1;
  }
  for (; co + 2 <= cout; co += 2) pw_pair(L, D, in, res, out, region, co);
  if (co == cout) return;
  /* odd channel count: the last channel pixel by pixel */
  for (int32_t y = region.y0; y < region.y0 + region.h; y++) {
    for (int32_t x = region.x0; x < region.x0 + region.w; x++) {
      const int8_t *src = in->data + ((y - in->y0) * in->w + (x - in->x0)) * cin;
      int8_t *dst = out->data + ((y - out->y0) * out->w + (x - out->x0)) * cout;
      const int8_t *rsrc = res ? res->data + ((y - res->y0) * res->w + (x - res->x0)) * cout : NULL;
      int32_t acc = dot_s8(src, D->weights + co * cin, cin, in_off, D->bias[co]);
      int8_t q = rt_requantize(acc, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
      dst[co] = rsrc ? add_one(&L->add, q, rsrc[co]) : q; /* read before the same element is written */
    }
  }
}

void rt_avgpool(const rt_layer_t *L, const rt_view_t *in, const rt_view_t *out) {
  const int32_t ch = L->in_c, count = in->h * in->w;
  for (int32_t c = 0; c < ch; c++) {
    int32_t sum = 0;
    for (int32_t p = 0; p < count; p++) sum += in->data[p * ch + c];
    /* TFLite average pooling: round half away from zero, same scale and zero point in and out */
    int32_t avg = sum >= 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    out->data[c] = rt_clamp_s8(avg, L->act_min, L->act_max);
  }
}

void rt_fully_connected(const rt_layer_t *L, const rt_layer_data_t *D, const int8_t *in, int8_t *out) {
  const int32_t n = L->in_h * L->in_w * L->in_c, in_off = -L->in_zp;
  for (int32_t co = 0; co < L->out_c; co++) {
    int32_t acc = dot_s8(in, D->weights + co * n, n, in_off, D->bias[co]);
    out[co] = rt_requantize(acc, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
  }
}

uint32_t rt_fnv1a(const int8_t *data, uint32_t n, uint32_t hash) {
  for (uint32_t i = 0; i < n; i++) {
    hash ^= (uint8_t)data[i];
    hash *= 0x01000193u;
  }
  return hash;
}
