/* Unit tests for workloads/runtime: each kernel against a direct reference implementation, the TFLite
 * requantization arithmetic, the arena's placement and accounting. */
#include "tests/support/check_main.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/runtime/rt.h"
#include "workloads/runtime/rt_quant.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}
static int32_t rnd_range(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
static void fill_s8(int8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (int8_t)rnd_range(-128, 127);
}

/* ---- TFLite reference arithmetic, written as in the TFLite sources (64-bit division included) ---- */
static int32_t ref_srdhm(int32_t a, int32_t b) {
  int overflow = a == b && a == INT32_MIN;
  int64_t ab = (int64_t)a * (int64_t)b;
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  int32_t r = (int32_t)((ab + nudge) / (1ll << 31));
  return overflow ? INT32_MAX : r;
}
static int32_t ref_rdbpot(int32_t x, int e) {
  int32_t mask = (int32_t)((1ll << e) - 1), zero = 0, one = 1;
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + ((x < zero) ? one : zero);
  return (x >> e) + ((remainder > threshold) ? one : zero);
}
static int32_t ref_mbqm(int32_t x, int32_t m, int s) {
  int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
  return ref_rdbpot(ref_srdhm(x * (1 << left), m), right);
}
static int8_t ref_req(int32_t acc, int32_t m, int32_t s, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v = ref_mbqm(acc, m, s) + zp;
  return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

START_TEST(test_requant_matches_tflite) {
  rng_state = 1;
  for (int i = 0; i < 200000; i++) {
    int32_t x = (int32_t)rnd() - (int32_t)rnd() / 2;
    if (i % 4 == 0) x >>= rnd_range(0, 24);
    int32_t m = (int32_t)(0x40000000u + (rnd() & 0x3fffffffu));
    int32_t s = rnd_range(-31, 0);
    if (i % 16 == 0) s = rnd_range(1, 4), x >>= 8;
    ck_assert_int_eq(rt_mbqm(x, m, s), ref_mbqm(x, m, s));
    /* the per-channel form the kernels use: same result, zero point and clamp included */
    const rt_rq_t q = rt_rq_prep(m, s);
    ck_assert_int_eq(rt_rq_apply(x, &q, 3, -128, 127), ref_req(x, m, s, 3, -128, 127));
    ck_assert_int_eq(rt_rq_apply(x, &q, -7, -100, 90), ref_req(x, m, s, -7, -100, 90));
  }
  ck_assert_int_eq(rt_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
  /* ties round away from zero */
  ck_assert_int_eq(rt_rounding_divide_by_pot(5, 1), 3);
  ck_assert_int_eq(rt_rounding_divide_by_pot(-5, 1), -3);
  ck_assert_int_eq(rt_rounding_divide_by_pot(-6, 2), -2);
  /* exponents of 32 and more (softmax over ~512+ near-equal logits; found by UBSan): the rounded quotient */
  ck_assert_int_eq(rt_rounding_divide_by_pot_wide(INT32_MAX, 32), 0);
  ck_assert_int_eq(rt_rounding_divide_by_pot_wide(INT32_MIN, 32), -1); /* -0.5: ties away from zero */
  ck_assert_int_eq(rt_rounding_divide_by_pot_wide(INT32_MIN + 1, 32), 0);
  ck_assert_int_eq(rt_rounding_divide_by_pot_wide(INT32_MIN, 34), 0);
  ck_assert_int_eq(rt_rounding_divide_by_pot_wide(-6, 2), -2);
}
END_TEST

/* rt_rq_apply's fused rounding (one 64-bit multiply-accumulate for both roundings) against TFLite's two steps:
 * every shift, the multiplier's ends, accumulators at the int32 ends, around zero and on the ties of both roundings. */
START_TEST(test_requant_fused_edges) {
  const int32_t mults[] = {0, 1 << 30, (1 << 30) + 1, 1518500250, 1431655765, INT32_MAX - 1, INT32_MAX};
  int32_t accs[64 + 8];
  size_t na = 0;
  const int32_t fixed[] = {0,       1,         -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1,
                           1 << 30, -(1 << 30)};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) accs[na++] = fixed[i];
  for (int e = 0; e < 31; e += 3) { /* +-2^e, +-(2^e + 1) */
    accs[na++] = 1 << e, accs[na++] = -(1 << e);
    accs[na++] = (1 << e) + 1, accs[na++] = -(1 << e) - 1;
  }
  for (size_t m = 0; m < sizeof mults / sizeof mults[0]; m++)
    for (int s = -31; s <= 4; s++) {
      const rt_rq_t q = rt_rq_prep(mults[m], s);
      const int32_t zps[] = {-128, -5, 0, 127, 128};
      for (size_t a = 0; a < na; a++) {
        const int32_t x = s > 0 ? accs[a] >> 8 : accs[a]; /* left shifts: no int32 overflow in the reference */
        ck_assert_int_eq(rt_rq_apply(x, &q, 0, -128, 127), ref_req(x, mults[m], s, 0, -128, 127));
        /* a zero point is added in int32 (as TFLite adds it): only where the sum fits, i.e. not at the int32 ends */
        if ((int64_t)ref_mbqm(x, mults[m], s) - 5 >= INT32_MIN)
          ck_assert_int_eq(rt_rq_apply(x, &q, -5, -128, 6), ref_req(x, mults[m], s, -5, -128, 6));
        for (size_t z = 0; z < sizeof zps / sizeof zps[0]; z++) { /* the zero point folded in: shifts -21..-2 */
          rt_rqz_t f;
          if (!rt_rqz_prep(&f, mults[m], s, zps[z])) {
            ck_assert(s > -2 || s < -21);
            continue;
          }
          ck_assert_int_eq(rt_clamp_s8(rt_rqz_apply(x, f.mult, f.hi, f.sh), -128, 127),
                           ref_req(x, mults[m], s, zps[z], -128, 127));
        }
      }
    }
  /* ties: accumulators whose product lands exactly on a half of the second rounding, both signs, every shift */
  rng_state = 11;
  for (int i = 0; i < 200000; i++) {
    const int32_t r = rnd_range(1, 30), s = -r, m = (int32_t)(0x40000000u + (rnd() & 0x3fffffffu));
    const int64_t odd = (int64_t)(rnd() % (1u << (30 - r))) * 2 + 1; /* v = odd * 2^(right-1): v / 2^right a tie */
    const int64_t y = (odd << (30 + r)) * (i & 1 ? -1 : 1);          /* v * 2^31, |y| < 2^61 */
    const int32_t x = (int32_t)(y / m);                              /* x * m near y, at the multiplier's grain */
    for (int32_t d = -1; d <= 1; d++) {
      const rt_rq_t q = rt_rq_prep(m, s);
      ck_assert_int_eq(rt_rq_apply(x + d, &q, 1, -128, 127), ref_req(x + d, m, s, 1, -128, 127));
      rt_rqz_t f;
      if (rt_rqz_prep(&f, m, s, -3))
        ck_assert_int_eq(rt_clamp_s8(rt_rqz_apply(x + d, f.mult, f.hi, f.sh), -128, 127),
                         ref_req(x + d, m, s, -3, -128, 127));
    }
  }
}
END_TEST

START_TEST(test_dot_s8) {
  rng_state = 2;
  int8_t x[37], w[37];
  fill_s8(x, sizeof x);
  fill_s8(w, sizeof w);
  for (int n = 0; n <= 37; n++) {
    int32_t ref = 11;
    for (int i = 0; i < n; i++) ref += (x[i] + 7) * w[i];
    ck_assert_int_eq(rt_dot_s8(x, w, n, 7, 11), ref);
  }
}
END_TEST

/* ---- a layer with random parameters ---- */
typedef struct {
  rt_layer_t L;
  int8_t *w;
  int32_t bias[64], mult[64], shift[64];
} test_layer_t;

/* set: layers get the full int8 activation range (the kernels' SSAT path) instead of a random one */
static int full_range_layers;

static void make_layer(test_layer_t *t, uint8_t op, int k, int stride, int h, int w, int cin, int cout) {
  memset(t, 0, sizeof *t);
  rt_layer_t *L = &t->L;
  L->name = "t";
  L->op = op;
  L->k = (uint8_t)k;
  L->stride = (uint8_t)stride;
  L->pad = (uint8_t)((k - 1) / 2);
  L->res_src = -1;
  L->in_h = (uint16_t)h;
  L->in_w = (uint16_t)w;
  L->in_c = (uint16_t)cin;
  if (op == RT_OP_DW) cout = cin;
  L->out_c = (uint16_t)cout;
  L->out_h = (uint16_t)(op == RT_OP_PW ? h : (h + 2 * L->pad - k) / stride + 1);
  L->out_w = (uint16_t)(op == RT_OP_PW ? w : (w + 2 * L->pad - k) / stride + 1);
  L->in_zp = rnd_range(-20, 20);
  L->out_zp = rnd_range(-10, 10);
  L->act_min = rnd_range(-128, -100);
  L->act_max = rnd_range(100, 127);
  size_t nw = op == RT_OP_CONV ? (size_t)cout * k * k * cin : op == RT_OP_DW ? (size_t)k * k * cin : (size_t)cout * cin;
  t->w = malloc(nw);
  fill_s8(t->w, nw);
  for (int c = 0; c < cout; c++) {
    t->bias[c] = rnd_range(-5000, 5000);
    t->mult[c] = (int32_t)(0x40000000u + (rnd() & 0x3fffffffu));
    t->shift[c] = rnd_range(-12, -7);
    if (c % 5 == 3) t->shift[c] = c % 2 ? -1 : -22; /* outside the fused form's [-21, -2]: the general path */
  }
  if (full_range_layers) L->act_min = -128, L->act_max = 127;
  L->add = (rt_add_params_t){
      L->out_zp, 1518500250, -1, rnd_range(-10, 10), 1073741824, -1, rnd_range(-5, 5), 1431655765, -19, -128, 127};
}

static rt_layer_data_t data_of(test_layer_t *t) { return (rt_layer_data_t){t->w, t->bias, t->mult, t->shift}; }

/* Direct formula: out[oy][ox][co], padding positions skipped (they hold the zero point). */
static int8_t ref_conv_at(const test_layer_t *t, const int8_t *in, int oy, int ox, int co) {
  const rt_layer_t *L = &t->L;
  int32_t acc = t->bias[co];
  for (int ky = 0; ky < L->k; ky++)
    for (int kx = 0; kx < L->k; kx++) {
      int iy = oy * L->stride - L->pad + ky, ix = ox * L->stride - L->pad + kx;
      if (iy < 0 || ix < 0 || iy >= L->in_h || ix >= L->in_w) continue;
      if (L->op == RT_OP_DW) {
        acc += (in[(iy * L->in_w + ix) * L->in_c + co] - L->in_zp) * t->w[(ky * L->k + kx) * L->in_c + co];
      } else {
        for (int ci = 0; ci < L->in_c; ci++)
          acc +=
              (in[(iy * L->in_w + ix) * L->in_c + ci] - L->in_zp) * t->w[((co * L->k + ky) * L->k + kx) * L->in_c + ci];
      }
    }
  return ref_req(acc, t->mult[co], t->shift[co], L->out_zp, L->act_min, L->act_max);
}

static int8_t ref_add(const rt_add_params_t *p, int8_t a, int8_t b) {
  int32_t sa = ref_mbqm((a - p->in1_zp) * (1 << 20), p->in1_mult, p->in1_shift);
  int32_t sb = ref_mbqm((b - p->in2_zp) * (1 << 20), p->in2_mult, p->in2_shift);
  return ref_req(sa + sb, p->out_mult, p->out_shift, p->out_zp, p->act_min, p->act_max);
}

START_TEST(test_conv_matches_reference) {
  rng_state = 3;
  const int cases[][4] = {{3, 2, 3, 8},  {3, 1, 4, 5}, {5, 2, 2, 3}, {1, 2, 6, 4}, {7, 1, 1, 2},
                          {3, 2, 3, 32}, {3, 2, 1, 9}, {5, 1, 3, 6}, {9, 1, 1, 2}};
  for (size_t c = 0; c < 2 * sizeof cases / sizeof cases[0]; c++) {
    full_range_layers = c % 2;
    test_layer_t t;
    make_layer(&t, RT_OP_CONV, cases[c / 2][0], cases[c / 2][1], 13, 11, cases[c / 2][2], cases[c / 2][3]);
    const rt_layer_t *L = &t.L;
    int8_t *in = malloc((size_t)L->in_h * L->in_w * L->in_c), *out = malloc((size_t)L->out_h * L->out_w * L->out_c);
    fill_s8(in, (size_t)L->in_h * L->in_w * L->in_c);
    rt_view_t vi = {in, 0, 0, L->in_h, L->in_w, L->in_c}, vo = {out, 0, 0, L->out_h, L->out_w, L->out_c};
    rt_layer_data_t D = data_of(&t);
    rt_conv(L, &D, &vi, &vo, (rt_rect_t){0, 0, L->out_h, L->out_w});
    for (int oy = 0; oy < L->out_h; oy++)
      for (int ox = 0; ox < L->out_w; ox++)
        for (int co = 0; co < L->out_c; co++)
          ck_assert_int_eq(out[(oy * L->out_w + ox) * L->out_c + co], ref_conv_at(&t, in, oy, ox, co));
    free(in);
    free(out);
    free(t.w);
  }
  full_range_layers = 0;
}
END_TEST

/* Depthwise 3x3/5x5/7x7, stride 1/2, out of place and in place, whole and windowed. */
START_TEST(test_depthwise_matches_reference) {
  rng_state = 4;
  for (int k = 3; k <= 7; k += 2)
    for (int s = 1; s <= 2; s++)
      for (int in_place = 0; in_place <= 1; in_place++) {
        test_layer_t t;
        make_layer(&t, RT_OP_DW, k, s, 14, 9, 6, 0);
        const rt_layer_t *L = &t.L;
        size_t in_bytes = (size_t)L->in_h * L->in_w * L->in_c;
        int8_t *in = malloc(in_bytes), *orig = malloc(in_bytes), *tmp = malloc((size_t)L->in_h * L->in_w);
        fill_s8(in, in_bytes);
        memcpy(orig, in, in_bytes);
        int8_t *out = in_place ? in : malloc((size_t)L->out_h * L->out_w * L->out_c);
        rt_view_t vi = {in, 0, 0, L->in_h, L->in_w, L->in_c}, vo = {out, 0, 0, L->out_h, L->out_w, L->out_c};
        rt_layer_data_t D = data_of(&t);
        rt_depthwise(L, &D, &vi, &vo, (rt_rect_t){0, 0, L->out_h, L->out_w}, in_place ? tmp : NULL);
        for (int oy = 0; oy < L->out_h; oy++)
          for (int ox = 0; ox < L->out_w; ox++)
            for (int c = 0; c < L->out_c; c++)
              ck_assert_int_eq(out[(oy * L->out_w + ox) * L->out_c + c], ref_conv_at(&t, orig, oy, ox, c));
        if (!in_place) free(out);
        free(in);
        free(orig);
        free(tmp);
        free(t.w);
      }
}
END_TEST

/* A window of the output computed from a window of the input equals the same pixels of the whole layer,
 * including windows that touch the image border and windows that extend past it (uniform patches). */
START_TEST(test_windowed_equals_whole) {
  rng_state = 5;
  test_layer_t t;
  make_layer(&t, RT_OP_DW, 5, 2, 20, 17, 4, 0);
  const rt_layer_t *L = &t.L;
  size_t in_bytes = (size_t)L->in_h * L->in_w * L->in_c;
  int8_t *in = malloc(in_bytes), *whole = malloc((size_t)L->out_h * L->out_w * L->out_c);
  fill_s8(in, in_bytes);
  rt_layer_data_t D = data_of(&t);
  rt_view_t vi = {in, 0, 0, L->in_h, L->in_w, L->in_c}, vw = {whole, 0, 0, L->out_h, L->out_w, L->out_c};
  rt_depthwise(L, &D, &vi, &vw, (rt_rect_t){0, 0, L->out_h, L->out_w}, NULL);
  const rt_rect_t regions[] = {{0, 0, 3, 4}, {2, 3, 4, 2}, {L->out_h - 3, L->out_w - 2, 3, 2}, {-1, -1, 3, 3}};
  for (size_t r = 0; r < sizeof regions / sizeof regions[0]; r++) {
    rt_rect_t reg = regions[r];
    /* the input window: receptive field of the region, clipped to the image, copied into its own buffer */
    int y0 = reg.y0 * 2 - 2, x0 = reg.x0 * 2 - 2, y1 = (reg.y0 + reg.h - 1) * 2 - 2 + 5,
        x1 = (reg.x0 + reg.w - 1) * 2 - 2 + 5;
    y0 = y0 < 0 ? 0 : y0;
    x0 = x0 < 0 ? 0 : x0;
    y1 = y1 > L->in_h ? L->in_h : y1;
    x1 = x1 > L->in_w ? L->in_w : x1;
    int wh = y1 - y0, ww = x1 - x0;
    int8_t *win = malloc((size_t)wh * ww * L->in_c), *out = malloc((size_t)reg.h * reg.w * L->in_c);
    for (int y = 0; y < wh; y++)
      memcpy(win + y * ww * L->in_c, in + ((y0 + y) * L->in_w + x0) * L->in_c, (size_t)ww * L->in_c);
    rt_view_t vwin = {win, y0, x0, wh, ww, L->in_c}, vout = {out, reg.y0, reg.x0, reg.h, reg.w, L->in_c};
    rt_depthwise(L, &D, &vwin, &vout, reg, NULL);
    for (int y = reg.y0; y < reg.y0 + reg.h; y++)
      for (int x = reg.x0; x < reg.x0 + reg.w; x++) {
        if (y < 0 || x < 0) continue; /* outside the feature map: computed but never read */
        for (int c = 0; c < L->in_c; c++)
          ck_assert_int_eq(out[((y - reg.y0) * reg.w + (x - reg.x0)) * L->in_c + c],
                           whole[(y * L->out_w + x) * L->in_c + c]);
      }
    free(win);
    free(out);
  }
  free(in);
  free(whole);
  free(t.w);
}
END_TEST

/* The patch executor's cases of the depthwise kernel: in place on a halo'd window whose positions may lie outside
 * the feature map (uniform patches: those input bytes are garbage and must not be read), every kernel size and
 * stride, so both the interior block (unrolled taps, zero-point term folded into the bias) and the border pass run. */
START_TEST(test_depthwise_in_place_windows) {
  rng_state = 8;
  for (int k = 3; k <= 7; k += 2)
    for (int s = 1; s <= 2; s++) {
      test_layer_t t;
      make_layer(&t, RT_OP_DW, k, s, 19, 16, 5, 0);
      const rt_layer_t *L = &t.L;
      const int ch = L->in_c, pad = L->pad;
      int8_t *in = malloc((size_t)L->in_h * L->in_w * ch), *whole = malloc((size_t)L->out_h * L->out_w * ch);
      fill_s8(in, (size_t)L->in_h * L->in_w * ch);
      rt_layer_data_t D = data_of(&t);
      rt_view_t vi = {in, 0, 0, L->in_h, L->in_w, ch}, vw = {whole, 0, 0, L->out_h, L->out_w, ch};
      rt_depthwise(L, &D, &vi, &vw, (rt_rect_t){0, 0, L->out_h, L->out_w}, NULL);
      const rt_rect_t regions[] = {{-2, -1, 5, 4}, {1, 2, 4, 5}, {L->out_h - 3, L->out_w - 2, 5, 4}, {0, 0, 1, 1}};
      for (size_t r = 0; r < sizeof regions / sizeof regions[0]; r++) {
        const rt_rect_t reg = regions[r];
        /* the whole receptive field, unclipped, as halo=full windows are */
        const int y0 = reg.y0 * s - pad, x0 = reg.x0 * s - pad, wh = (reg.h - 1) * s + k, ww = (reg.w - 1) * s + k;
        int8_t *win = malloc((size_t)wh * ww * ch), *tmp = malloc((size_t)wh * ww);
        fill_s8(win, (size_t)wh * ww * ch); /* outside the feature map: garbage */
        for (int y = 0; y < wh; y++)
          for (int x = 0; x < ww; x++)
            if (y0 + y >= 0 && y0 + y < L->in_h && x0 + x >= 0 && x0 + x < L->in_w)
              memcpy(win + (y * ww + x) * ch, in + ((y0 + y) * L->in_w + x0 + x) * ch, (size_t)ch);
        rt_view_t vwin = {win, y0, x0, wh, ww, ch}, vout = {win, reg.y0, reg.x0, reg.h, reg.w, ch};
        rt_depthwise(L, &D, &vwin, &vout, reg, tmp);
        for (int y = reg.y0; y < reg.y0 + reg.h; y++)
          for (int x = reg.x0; x < reg.x0 + reg.w; x++) {
            if (y < 0 || x < 0 || y >= L->out_h || x >= L->out_w) continue; /* computed, never read */
            for (int c = 0; c < ch; c++)
              ck_assert_int_eq(win[((y - reg.y0) * reg.w + (x - reg.x0)) * ch + c], whole[(y * L->out_w + x) * ch + c]);
          }
        free(win);
        free(tmp);
      }
      free(in);
      free(whole);
      free(t.w);
    }
}
END_TEST

/* Pointwise on a region of wider views (rows not contiguous: no flattening), odd width and odd channel count, so the
 * 2x2 blocks, the unpaired pixel of each row and the last channel alone all run; pixels outside the region are left
 * as they were. */
START_TEST(test_pointwise_region_odd_shapes) {
  rng_state = 9;
  test_layer_t t;
  make_layer(&t, RT_OP_PW, 1, 1, 6, 9, 13, 7);
  const rt_layer_t *L = &t.L;
  const size_t px = (size_t)L->in_h * L->in_w;
  int8_t *in = malloc(px * L->in_c), *whole = malloc(px * L->out_c), *part = malloc(px * L->out_c);
  fill_s8(in, px * L->in_c);
  memset(part, 0x5a, px * L->out_c);
  rt_layer_data_t D = data_of(&t);
  rt_view_t vi = {in, 0, 0, L->in_h, L->in_w, L->in_c}, vw = {whole, 0, 0, L->in_h, L->in_w, L->out_c},
            vp = {part, 0, 0, L->in_h, L->in_w, L->out_c};
  rt_pointwise(L, &D, &vi, NULL, &vw, (rt_rect_t){0, 0, L->in_h, L->in_w});
  const rt_rect_t reg = {1, 2, 4, 5};
  rt_pointwise(L, &D, &vi, NULL, &vp, reg);
  for (int y = 0; y < L->in_h; y++)
    for (int x = 0; x < L->in_w; x++) {
      const int inside = y >= reg.y0 && y < reg.y0 + reg.h && x >= reg.x0 && x < reg.x0 + reg.w;
      for (int co = 0; co < L->out_c; co++)
        ck_assert_int_eq(part[(y * L->in_w + x) * L->out_c + co],
                         inside ? whole[(y * L->in_w + x) * L->out_c + co] : (int8_t)0x5a);
    }
  free(in);
  free(whole);
  free(part);
  free(t.w);
}
END_TEST

START_TEST(test_pointwise_and_fused_residual) {
  rng_state = 6;
  for (int v = 0; v < 6; v++) {
    const int with_res = v % 3; /* none, separate output, in place */
    full_range_layers = v / 3;
    test_layer_t t;
    make_layer(&t, RT_OP_PW, 1, 1, 5, 7, 19, 12);
    rt_layer_t *L = &t.L;
    L->res_src = with_res ? 0 : -1;
    size_t px = (size_t)L->in_h * L->in_w;
    int8_t *in = malloc(px * L->in_c), *res = malloc(px * L->out_c), *res0 = malloc(px * L->out_c);
    int8_t *out = with_res == 2 ? res : malloc(px * L->out_c);
    fill_s8(in, px * L->in_c);
    fill_s8(res, px * L->out_c);
    memcpy(res0, res, px * L->out_c);
    rt_view_t vi = {in, 0, 0, L->in_h, L->in_w, L->in_c}, vr = {res, 0, 0, L->in_h, L->in_w, L->out_c},
              vo = {out, 0, 0, L->out_h, L->out_w, L->out_c};
    rt_layer_data_t D = data_of(&t);
    rt_pointwise(L, &D, &vi, with_res ? &vr : NULL, &vo, (rt_rect_t){0, 0, L->out_h, L->out_w});
    for (size_t p = 0; p < px; p++)
      for (int co = 0; co < L->out_c; co++) {
        int32_t acc = t.bias[co];
        for (int ci = 0; ci < L->in_c; ci++) acc += (in[p * L->in_c + ci] - L->in_zp) * t.w[co * L->in_c + ci];
        int8_t q = ref_req(acc, t.mult[co], t.shift[co], L->out_zp, L->act_min, L->act_max);
        if (with_res) q = ref_add(&L->add, q, res0[p * L->out_c + co]);
        ck_assert_int_eq(out[p * L->out_c + co], q);
      }
    if (with_res != 2) free(out);
    free(in);
    free(res);
    free(res0);
    free(t.w);
  }
  full_range_layers = 0;
}
END_TEST

START_TEST(test_add_avgpool_fc) {
  rng_state = 7;
  test_layer_t t;
  make_layer(&t, RT_OP_PW, 1, 1, 1, 1, 4, 4);
  int8_t a[50], b[50], o[50];
  fill_s8(a, 50);
  fill_s8(b, 50);
  rt_add(&t.L.add, a, b, o, 50);
  for (int i = 0; i < 50; i++) ck_assert_int_eq(o[i], ref_add(&t.L.add, a[i], b[i]));
  free(t.w);

  /* global average pooling rounds half away from zero */
  rt_layer_t P = {.name = "pool",
                  .op = RT_OP_AVGPOOL,
                  .in_h = 2,
                  .in_w = 2,
                  .in_c = 2,
                  .out_h = 1,
                  .out_w = 1,
                  .out_c = 2,
                  .act_min = -128,
                  .act_max = 127,
                  .res_src = -1};
  int8_t pin[8] = {1, -1, 2, -2, 2, -2, 1, -2}, pout[2];
  rt_view_t vi = {pin, 0, 0, 2, 2, 2}, vo = {pout, 0, 0, 1, 1, 2};
  rt_avgpool(&P, &vi, &vo);
  ck_assert_int_eq(pout[0], 2);  /* 6/4 = 1.5 -> 2 */
  ck_assert_int_eq(pout[1], -2); /* -7/4 = -1.75 -> -2 */

  test_layer_t f;
  make_layer(&f, RT_OP_PW, 1, 1, 1, 1, 23, 9);
  f.L.op = RT_OP_FC;
  int8_t fin[23], fout[9];
  fill_s8(fin, 23);
  rt_layer_data_t D = data_of(&f);
  rt_fully_connected(&f.L, &D, fin, fout);
  for (int co = 0; co < 9; co++) {
    int32_t acc = f.bias[co];
    for (int i = 0; i < 23; i++) acc += (fin[i] - f.L.in_zp) * f.w[co * 23 + i];
    ck_assert_int_eq(fout[co], ref_req(acc, f.mult[co], f.shift[co], f.L.out_zp, f.L.act_min, f.L.act_max));
  }
  free(f.w);
}
END_TEST

START_TEST(test_arena_placement_and_accounting) {
  static uint8_t mem[1000];
  rt_arena_t a;
  rt_arena_init(&a, mem, sizeof mem);
  uint8_t *p1 = rt_arena_alloc(&a, 100, "a", 0);
  uint8_t *p2 = rt_arena_alloc(&a, 200, "b", 1);
  ck_assert_ptr_eq(p1, mem);
  ck_assert_ptr_eq(p2, mem + 800);
  ck_assert_uint_eq(a.live_bytes, 300);
  rt_arena_free(&a, p1);
  uint8_t *p3 = rt_arena_alloc(&a, 700, "c", 0); /* the freed bottom coalesces with the middle */
  ck_assert_ptr_eq(p3, mem);
  ck_assert_uint_eq(a.live_peak_bytes, 900);
  ck_assert_ptr_null(rt_arena_alloc(&a, 101, "d", 0)); /* 100 bytes left */
  rt_arena_shrink(&a, p3, 301);
  ck_assert_uint_eq(a.live_bytes, 501);
  uint8_t *p4 = rt_arena_alloc(&a, 400, "e", 1); /* lands right under the top block, above the shrunk one */
  ck_assert_ptr_eq(p4, mem + 400);
  ck_assert_uint_eq(a.required_bytes, 904); /* 304 from the bottom + 600 from the top */
  rt_arena_free(&a, p2);
  rt_arena_free(&a, p3);
  rt_arena_free(&a, p4);
  ck_assert_uint_eq(a.live_bytes, 0);
  ck_assert_int_eq(a.n_blocks, 0);
}
END_TEST

static Suite *kernels_suite(void) {
  Suite *s = suite_create("workloads_kernels");
  TCase *tc = tcase_create("kernels");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_requant_matches_tflite);
  tcase_add_test(tc, test_requant_fused_edges);
  tcase_add_test(tc, test_dot_s8);
  tcase_add_test(tc, test_conv_matches_reference);
  tcase_add_test(tc, test_depthwise_matches_reference);
  tcase_add_test(tc, test_windowed_equals_whole);
  tcase_add_test(tc, test_pointwise_and_fused_residual);
  tcase_add_test(tc, test_depthwise_in_place_windows);
  tcase_add_test(tc, test_pointwise_region_odd_shapes);
  tcase_add_test(tc, test_add_avgpool_fc);
  tcase_add_test(tc, test_arena_placement_and_accounting);
  suite_add_tcase(s, tc);
  return s;
}

Suite *test_suite(void) { return kernels_suite(); }
