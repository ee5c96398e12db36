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
static inline uint32_t rt_ror8(uint32_t v) { return (v >> 8) | (v << 24); }
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
    int16x2_t x13 = __sadd16(__sxtb16((int8x4_t)rt_ror8(xv)), off2);
    acc = __smlad(x02, __sxtb16((int8x4_t)wv), acc);
    acc = __smlad(x13, __sxtb16((int8x4_t)rt_ror8(wv)), acc);
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
    int16x2_t x13 = __sadd16(__sxtb16((int8x4_t)rt_ror8(xv)), off2);
    a0 = __smlad(x02, __sxtb16((int8x4_t)wv0), a0);
    a0 = __smlad(x13, __sxtb16((int8x4_t)rt_ror8(wv0)), a0);
    a1 = __smlad(x02, __sxtb16((int8x4_t)wv1), a1);
    a1 = __smlad(x13, __sxtb16((int8x4_t)rt_ror8(wv1)), a1);
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

static inline int8_t add_one(const rt_add_params_t *p, int32_t a, int32_t b) {
  int32_t sa = rt_mbqm((a - p->in1_zp) * (1 << RT_ADD_LEFT_SHIFT), p->in1_mult, p->in1_shift);
  int32_t sb = rt_mbqm((b - p->in2_zp) * (1 << RT_ADD_LEFT_SHIFT), p->in2_mult, p->in2_shift);
  return rt_clamp_s8(rt_mbqm(sa + sb, p->out_mult, p->out_shift) + p->out_zp, p->act_min, p->act_max);
}

void rt_add(const rt_add_params_t *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t n) {
  for (int32_t i = 0; i < n; i++) out[i] = add_one(p, a[i], b[i]);
}

static inline int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

void rt_conv(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
             rt_rect_t region) {
  const int32_t k = L->k, s = L->stride, cin = L->in_c, cout = L->out_c, in_off = -L->in_zp;
  for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++) {
    const int32_t iy0 = oy * s - L->pad;
    const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(k, L->in_h - iy0);
    for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
      const int32_t ix0 = ox * s - L->pad;
      const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(k, L->in_w - ix0);
      int8_t *dst = out->data + ((oy - out->y0) * out->w + (ox - out->x0)) * cout;
      RT_ASSERT(ky_lo >= ky_hi || (iy0 + ky_lo >= in->y0 && iy0 + ky_hi <= in->y0 + in->h));
      RT_ASSERT(kx_lo >= kx_hi || (ix0 + kx_lo >= in->x0 && ix0 + kx_hi <= in->x0 + in->w));
      for (int32_t co = 0; co < cout; co++) {
        const int8_t *wco = D->weights + co * k * k * cin;
        int32_t acc = D->bias[co];
        for (int32_t ky = ky_lo; ky < ky_hi; ky++) {
          const int8_t *row = in->data + ((iy0 + ky - in->y0) * in->w - in->x0) * cin;
          for (int32_t kx = kx_lo; kx < kx_hi; kx++)
            acc = dot_s8(row + (ix0 + kx) * cin, wco + (ky * k + kx) * cin, cin, in_off, acc);
        }
        dst[co] = rt_requantize(acc, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
      }
    }
  }
}

void rt_depthwise(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
                  rt_rect_t region, int8_t *tmp) {
  const int32_t k = L->k, s = L->stride, ch = L->in_c, in_off = -L->in_zp;
  const int in_place = out->data == in->data;
  const int32_t in_pixels = in->h * in->w;
  int32_t wk[7 * 7];
  for (int32_t c = 0; c < ch; c++) {
    const int8_t *src;
    int32_t pstride;
    if (in_place) { /* this channel's input is about to be overwritten by its own output: keep a copy */
      for (int32_t p = 0; p < in_pixels; p++) tmp[p] = in->data[p * ch + c];
      src = tmp;
      pstride = 1;
    } else {
      src = in->data + c;
      pstride = ch;
    }
    for (int32_t t = 0; t < k * k; t++) wk[t] = D->weights[t * ch + c];
    const int32_t bias = D->bias[c], mult = D->mult[c], shift = D->shift[c];
    for (int32_t oy = region.y0; oy < region.y0 + region.h; oy++) {
      const int32_t iy0 = oy * s - L->pad;
      const int32_t ky_lo = max_i32(0, -iy0), ky_hi = min_i32(k, L->in_h - iy0);
      int8_t *dst_row = out->data + ((oy - out->y0) * out->w - out->x0) * ch + c;
      for (int32_t ox = region.x0; ox < region.x0 + region.w; ox++) {
        const int32_t ix0 = ox * s - L->pad;
        const int32_t kx_lo = max_i32(0, -ix0), kx_hi = min_i32(k, L->in_w - ix0);
        int32_t acc = bias;
        for (int32_t ky = ky_lo; ky < ky_hi; ky++) {
          const int8_t *row = src + ((iy0 + ky - in->y0) * in->w + ix0 - in->x0) * pstride;
          const int32_t *wrow = wk + ky * k;
          for (int32_t kx = kx_lo; kx < kx_hi; kx++) acc += ((int32_t)row[kx * pstride] + in_off) * wrow[kx];
        }
        dst_row[ox * ch] = rt_requantize(acc, mult, shift, L->out_zp, L->act_min, L->act_max);
      }
    }
  }
}

void rt_pointwise(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *res,
                  const rt_view_t *out, rt_rect_t region) {
  const int32_t cin = L->in_c, cout = L->out_c, in_off = -L->in_zp;
  for (int32_t y = region.y0; y < region.y0 + region.h; y++) {
    for (int32_t x = region.x0; x < region.x0 + region.w; x++) {
      const int8_t *src = in->data + ((y - in->y0) * in->w + (x - in->x0)) * cin;
      int8_t *dst = out->data + ((y - out->y0) * out->w + (x - out->x0)) * cout;
      const int8_t *rsrc = res ? res->data + ((y - res->y0) * res->w + (x - res->x0)) * cout : NULL;
      int32_t co = 0;
#if defined(__ARM_FEATURE_SIMD32)
      for (; co + 2 <= cout; co += 2) {
        int32_t acc0 = D->bias[co], acc1 = D->bias[co + 1];
        dot2_s8(src, D->weights + co * cin, D->weights + (co + 1) * cin, cin, in_off, &acc0, &acc1);
        int8_t q0 = rt_requantize(acc0, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
        int8_t q1 = rt_requantize(acc1, D->mult[co + 1], D->shift[co + 1], L->out_zp, L->act_min, L->act_max);
        dst[co] = rsrc ? add_one(&L->add, q0, rsrc[co]) : q0;
        dst[co + 1] = rsrc ? add_one(&L->add, q1, rsrc[co + 1]) : q1;
      }
#endif
      for (; co < cout; co++) {
        int32_t acc = dot_s8(src, D->weights + co * cin, cin, in_off, D->bias[co]);
        int8_t q = rt_requantize(acc, D->mult[co], D->shift[co], L->out_zp, L->act_min, L->act_max);
        /* residual element read before the same element is written: safe when dst aliases rsrc */
        dst[co] = rsrc ? add_one(&L->add, q, rsrc[co]) : q;
      }
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
