/* Every graph operator of workloads/runtime/rt_ops.c against the independent reference (ref_ops.c), bit for bit,
 * on random tensors, random quantization (per-channel multipliers and shifts, zero points, RELU/RELU6-like clamps)
 * and many shapes, windows, strides and SAME/VALID paddings; spatial operators also region by region from a
 * window of their input, as the patch executor calls them. */
#include "tests/support/check_main.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/workloads/ref_ops.h"
#include "workloads/runtime/rt.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}
static int32_t rr(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
static void fill(int8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (int8_t)rr(-128, 127);
}

/* one layer's blob: weights, then bias, mult, shift (int32 each) */
typedef struct {
  uint8_t *blob;
  rt_model_t m;
  rt_layer_t L;
  rt_node_t N;
  int8_t *w;
  int32_t *bias, *mult, *shift;
} op_t;

static void op_alloc(op_t *o, size_t n_weights, int n_ch) {
  size_t woff = 0, boff = (n_weights + 3) & ~(size_t)3;
  size_t total = boff + 12 * (size_t)n_ch + 4;
  o->blob = aligned_alloc(4, (total + 3) & ~(size_t)3);
  memset(o->blob, 0, total);
  memset(&o->m, 0, sizeof o->m);
  o->m.blob = o->blob;
  o->L.weights_off = (uint32_t)woff;
  o->L.bias_off = (uint32_t)boff;
  o->L.mult_off = (uint32_t)(boff + 4 * (size_t)n_ch);
  o->L.shift_off = (uint32_t)(boff + 8 * (size_t)n_ch);
  o->w = (int8_t *)o->blob;
  o->bias = (int32_t *)(void *)(o->blob + o->L.bias_off);
  o->mult = (int32_t *)(void *)(o->blob + o->L.mult_off);
  o->shift = (int32_t *)(void *)(o->blob + o->L.shift_off);
}

static void random_act(rt_layer_t *L) {
  switch (rnd() % 4) {
  case 0: /* none */
    L->act_min = -128, L->act_max = 127;
    break;
  case 1: /* RELU */
    L->act_min = L->out_zp, L->act_max = 127;
    break;
  case 2: /* RELU6 at a random scale */
    L->act_min = L->out_zp, L->act_max = L->out_zp + rr(1, 127 - L->out_zp > 1 ? 127 - L->out_zp : 1);
    if (L->act_max > 127) L->act_max = 127;
    break;
  default:
    L->act_min = rr(-128, 0), L->act_max = rr(1, 127);
  }
}

static void random_requant(op_t *o, int n_ch, int32_t shift_lo, int32_t shift_hi) {
  for (int c = 0; c < n_ch; c++) {
    o->mult[c] = (int32_t)(0x40000000u + (rnd() & 0x3fffffffu));
    o->shift[c] = rr(shift_lo, shift_hi);
    o->bias[c] = rr(-20000, 20000);
  }
}

/* Runs the spatial op on the whole map, then on a random region from an input window covering its receptive
 * field, and compares both with the reference output. */
static void check_spatial(op_t *o, const int8_t *in, const int8_t *ref) {
  const rt_layer_t *L = &o->L;
  const int32_t obytes = L->out_h * L->out_w * L->out_c;
  int8_t *got = malloc((size_t)obytes);
  rt_view_t iv = {(int8_t *)in, 0, 0, L->in_h, L->in_w, L->in_c}, ov = {got, 0, 0, L->out_h, L->out_w, L->out_c};
  const rt_view_t *ins[1] = {&iv};
  rt_op_run(&o->m, L, &o->N, ins, &ov, (rt_rect_t){0, 0, L->out_h, L->out_w});
  for (int32_t i = 0; i < obytes; i++)
    ck_assert_msg(got[i] == ref[i], "op %d k %dx%d s %dx%d pad %d,%d in %dx%dx%d out %dx%dx%d: byte %d got %d want %d",
                  L->op, o->N.kh, o->N.kw, o->N.sh, o->N.sw, o->N.pad_top, o->N.pad_left, L->in_h, L->in_w, L->in_c,
                  L->out_h, L->out_w, L->out_c, i, got[i], ref[i]);
  /* a region from a window: the window holds only the clipped receptive field */
  rt_rect_t reg = {rr(0, L->out_h - 1), rr(0, L->out_w - 1), 0, 0};
  reg.h = rr(1, L->out_h - reg.y0);
  reg.w = rr(1, L->out_w - reg.x0);
  rt_rect_t need = rt_op_input_rect(L, &o->N, reg);
  int32_t y1 = need.y0 + need.h, x1 = need.x0 + need.w;
  if (need.y0 < 0) need.y0 = 0;
  if (need.x0 < 0) need.x0 = 0;
  if (y1 > L->in_h) y1 = L->in_h;
  if (x1 > L->in_w) x1 = L->in_w;
  need.h = y1 > need.y0 ? y1 - need.y0 : 1;
  need.w = x1 > need.x0 ? x1 - need.x0 : 1;
  int8_t *win = calloc((size_t)(need.h * need.w * L->in_c), 1), *part = malloc((size_t)(reg.h * reg.w * L->out_c));
  for (int32_t y = 0; y < need.h; y++)
    for (int32_t x = 0; x < need.w; x++)
      if (need.y0 + y < L->in_h && need.x0 + x < L->in_w)
        memcpy(win + (y * need.w + x) * L->in_c, in + ((need.y0 + y) * L->in_w + need.x0 + x) * L->in_c,
               (size_t)L->in_c);
  rt_view_t wv = {win, need.y0, need.x0, need.h, need.w, L->in_c};
  rt_view_t pv = {part, reg.y0, reg.x0, reg.h, reg.w, L->out_c};
  const rt_view_t *wins[1] = {&wv};
  rt_op_run(&o->m, L, &o->N, wins, &pv, reg);
  for (int32_t y = 0; y < reg.h; y++)
    for (int32_t x = 0; x < reg.w; x++)
      ck_assert_int_eq(memcmp(part + (y * reg.w + x) * L->out_c,
                              ref + ((reg.y0 + y) * L->out_w + reg.x0 + x) * L->out_c, (size_t)L->out_c),
                       0);
  free(win);
  free(part);
  free(got);
}

/* shapes of a random windowed layer: SAME or VALID per TFLite */
static int random_window(op_t *o, int max_hw, int max_k, int max_s) {
  rt_layer_t *L = &o->L;
  rt_node_t *N = &o->N;
  memset(N, 0, sizeof *N);
  N->n_in = 1;
  N->kh = (uint8_t)rr(1, max_k);
  N->kw = (uint8_t)(rnd() % 2 ? N->kh : rr(1, max_k));
  N->sh = (uint8_t)rr(1, max_s);
  N->sw = (uint8_t)(rnd() % 2 ? N->sh : rr(1, max_s));
  L->in_h = (uint16_t)rr(1, max_hw);
  L->in_w = (uint16_t)rr(1, max_hw);
  const int same = rnd() % 2;
  if (!same && (L->in_h < N->kh || L->in_w < N->kw)) return 0;
  int oh, ow, pt, pl;
  ref_padding(L->in_h, N->kh, N->sh, same, &oh, &pt);
  ref_padding(L->in_w, N->kw, N->sw, same, &ow, &pl);
  L->out_h = (uint16_t)oh, L->out_w = (uint16_t)ow;
  N->pad_top = (uint8_t)pt, N->pad_left = (uint8_t)pl;
  return oh > 0 && ow > 0;
}

START_TEST(test_conv2d) {
  rng_state = 11;
  for (int t = 0; t < 400; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    if (!random_window(&o, 12, 5, 3)) continue;
    if (t % 3 == 0) o.N.kh = o.N.kw, o.N.sh = o.N.sw; /* square cases too: the SIMD kernels */
    if (t % 3 == 0) {
      int oh, pt, ow, pl, same = rnd() % 2;
      if (!same && (o.L.in_h < o.N.kh || o.L.in_w < o.N.kw)) continue;
      ref_padding(o.L.in_h, o.N.kh, o.N.sh, same, &oh, &pt);
      ref_padding(o.L.in_w, o.N.kw, o.N.sw, same, &ow, &pl);
      o.L.out_h = (uint16_t)oh, o.L.out_w = (uint16_t)ow, o.N.pad_top = (uint8_t)pt, o.N.pad_left = (uint8_t)pl;
    }
    o.L.op = RT_OP_CONV2D;
    o.L.in_c = (uint16_t)rr(1, t % 5 == 0 ? 24 : 9); /* some receptive fields above the 256-tap column */
    o.L.out_c = (uint16_t)rr(1, 37);
    o.L.in_zp = rr(-128, 127);
    o.L.out_zp = rr(-128, 127);
    random_act(&o.L);
    const size_t nw = (size_t)o.L.out_c * o.N.kh * o.N.kw * o.L.in_c;
    op_alloc(&o, nw, o.L.out_c);
    fill(o.w, nw);
    random_requant(&o, o.L.out_c, -12, 0);
    const ref_shape_t is = {o.L.in_h, o.L.in_w, o.L.in_c}, os = {o.L.out_h, o.L.out_w, o.L.out_c};
    int8_t *in = malloc((size_t)(is.h * is.w * is.c)), *ref = malloc((size_t)(os.h * os.w * os.c));
    fill(in, (size_t)(is.h * is.w * is.c));
    ref_conv(in, is, o.L.in_zp, o.w, o.bias, o.mult, o.shift, o.N.kh, o.N.kw, o.N.sh, o.N.sw, o.N.pad_top, o.N.pad_left,
             ref, os, o.L.out_zp, o.L.act_min, o.L.act_max);
    check_spatial(&o, in, ref);
    free(in), free(ref), free(o.blob);
  }
}
END_TEST

START_TEST(test_dwconv) {
  rng_state = 12;
  for (int t = 0; t < 400; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    if (!random_window(&o, 12, t % 4 == 0 ? 9 : 5, 3)) continue;
    o.L.op = RT_OP_DWCONV;
    o.N.depth_mult = (uint8_t)(t % 3 == 0 ? rr(2, 3) : 1);
    o.L.in_c = (uint16_t)rr(1, 20);
    o.L.out_c = (uint16_t)(o.L.in_c * o.N.depth_mult);
    o.L.in_zp = rr(-128, 127);
    o.L.out_zp = rr(-128, 127);
    random_act(&o.L);
    const size_t nw = (size_t)o.L.out_c * o.N.kh * o.N.kw;
    op_alloc(&o, nw, o.L.out_c);
    fill(o.w, nw);
    random_requant(&o, o.L.out_c, -10, 0);
    const ref_shape_t is = {o.L.in_h, o.L.in_w, o.L.in_c}, os = {o.L.out_h, o.L.out_w, o.L.out_c};
    int8_t *in = malloc((size_t)(is.h * is.w * is.c)), *ref = malloc((size_t)(os.h * os.w * os.c));
    fill(in, (size_t)(is.h * is.w * is.c));
    ref_dwconv(in, is, o.L.in_zp, o.w, o.bias, o.mult, o.shift, o.N.kh, o.N.kw, o.N.sh, o.N.sw, o.N.pad_top,
               o.N.pad_left, o.N.depth_mult, ref, os, o.L.out_zp, o.L.act_min, o.L.act_max);
    check_spatial(&o, in, ref);
    free(in), free(ref), free(o.blob);
  }
}
END_TEST

START_TEST(test_pools) {
  rng_state = 13;
  for (int t = 0; t < 600; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    if (!random_window(&o, 14, 5, 3)) continue;
    const int is_max = t % 2;
    o.L.op = is_max ? RT_OP_MAXPOOL2D : RT_OP_AVGPOOL2D;
    o.L.in_c = o.L.out_c = (uint16_t)rr(1, 16);
    o.L.in_zp = o.L.out_zp = rr(-128, 127);
    random_act(&o.L);
    op_alloc(&o, 0, 0);
    const ref_shape_t is = {o.L.in_h, o.L.in_w, o.L.in_c}, os = {o.L.out_h, o.L.out_w, o.L.out_c};
    int8_t *in = malloc((size_t)(is.h * is.w * is.c)), *ref = malloc((size_t)(os.h * os.w * os.c));
    fill(in, (size_t)(is.h * is.w * is.c));
    ref_pool(in, is, o.N.kh, o.N.kw, o.N.sh, o.N.sw, o.N.pad_top, o.N.pad_left, is_max, ref, os, o.L.act_min,
             o.L.act_max);
    check_spatial(&o, in, ref);
    free(in), free(ref), free(o.blob);
  }
}
END_TEST

START_TEST(test_pad) {
  rng_state = 14;
  for (int t = 0; t < 200; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    memset(&o.N, 0, sizeof o.N);
    o.L.op = RT_OP_PAD;
    o.N.n_in = 1;
    o.L.in_h = (uint16_t)rr(1, 10), o.L.in_w = (uint16_t)rr(1, 10);
    o.L.in_c = o.L.out_c = (uint16_t)rr(1, 8);
    o.N.pad_top = (uint8_t)rr(0, 3), o.N.pad_left = (uint8_t)rr(0, 3);
    o.L.out_h = (uint16_t)(o.L.in_h + o.N.pad_top + rr(0, 3));
    o.L.out_w = (uint16_t)(o.L.in_w + o.N.pad_left + rr(0, 3));
    o.L.in_zp = o.L.out_zp = rr(-128, 127);
    op_alloc(&o, 0, 0);
    const ref_shape_t is = {o.L.in_h, o.L.in_w, o.L.in_c}, os = {o.L.out_h, o.L.out_w, o.L.out_c};
    int8_t *in = malloc((size_t)(is.h * is.w * is.c)), *ref = malloc((size_t)(os.h * os.w * os.c));
    fill(in, (size_t)(is.h * is.w * is.c));
    ref_pad(in, is, o.N.pad_top, o.N.pad_left, o.L.out_zp, ref, os);
    check_spatial(&o, in, ref);
    free(in), free(ref), free(o.blob);
  }
}
END_TEST

/* whole-tensor operators: run and compare */
static void run_whole(op_t *o, const int8_t *const *ins, const int *in_cs, int8_t *got) {
  rt_view_t views[RT_MAX_INPUTS];
  const rt_view_t *pv[RT_MAX_INPUTS];
  for (int k = 0; k < o->N.n_in; k++) {
    views[k] = (rt_view_t){(int8_t *)ins[k], 0, 0, o->L.in_h, o->L.in_w, in_cs ? in_cs[k] : o->L.in_c};
    pv[k] = &views[k];
  }
  rt_view_t ov = {got, 0, 0, o->L.out_h, o->L.out_w, o->L.out_c};
  rt_op_run(&o->m, &o->L, &o->N, pv, &ov, (rt_rect_t){0, 0, o->L.out_h, o->L.out_w});
}

START_TEST(test_add_mean_fc_requant) {
  rng_state = 15;
  for (int t = 0; t < 300; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    memset(&o.N, 0, sizeof o.N);
    o.N.n_in = 1;
    o.L.in_h = o.L.out_h = (uint16_t)rr(1, 9);
    o.L.in_w = o.L.out_w = (uint16_t)rr(1, 9);
    o.L.in_c = o.L.out_c = (uint16_t)rr(1, 24);
    const int n = o.L.in_h * o.L.in_w * o.L.in_c;
    const size_t cap = (size_t)n + 64; /* FC writes up to 40 outputs */
    int8_t *a = malloc((size_t)n), *b = malloc((size_t)n), *got = malloc(cap), *ref = malloc(cap);
    fill(a, (size_t)n), fill(b, (size_t)n);
    op_alloc(&o, 0, 0);
    o.L.in_zp = rr(-128, 127), o.L.out_zp = rr(-128, 127);
    /* ADD: TFLite's Prepare: twice_max = 2 max(s1, s2); in_i real = s_i / twice_max; out real =
     * twice_max / (2^20 s_out) -- random scales through the same formulas */
    {
      const double s1 = 0.01 + (rnd() % 1000) / 10000.0, s2 = 0.01 + (rnd() % 1000) / 10000.0,
                   so = 0.01 + (rnd() % 1000) / 5000.0, twice = 2 * (s1 > s2 ? s1 : s2);
      rt_add_params_t *p = &o.L.add;
      ref_quantize_multiplier(s1 / twice, &p->in1_mult, &p->in1_shift);
      ref_quantize_multiplier(s2 / twice, &p->in2_mult, &p->in2_shift);
      ref_quantize_multiplier(twice / ((1 << 20) * so), &p->out_mult, &p->out_shift);
      p->in1_zp = rr(-128, 127), p->in2_zp = rr(-128, 127), p->out_zp = rr(-128, 127);
      random_act(&o.L);
      p->act_min = o.L.act_min, p->act_max = o.L.act_max;
      o.L.op = RT_OP_ADD;
      o.N.n_in = 2;
      const int8_t *ins[2] = {a, b};
      run_whole(&o, ins, NULL, got);
      ref_add(a, b, n, p->in1_zp, p->in1_mult, p->in1_shift, p->in2_zp, p->in2_mult, p->in2_shift, p->out_zp,
              p->out_mult, p->out_shift, p->act_min, p->act_max, ref);
      ck_assert_int_eq(memcmp(got, ref, (size_t)n), 0);
      o.N.n_in = 1;
    }
    { /* MEAN over H, W: mult = in_scale / out_scale */
      o.L.op = RT_OP_MEAN;
      o.L.out_h = o.L.out_w = 1;
      o.L.act_min = -128, o.L.act_max = 127;
      ref_quantize_multiplier(0.2 + (rnd() % 1000) / 300.0, &o.N.mult, &o.N.shift);
      const int8_t *ins[1] = {a};
      run_whole(&o, ins, NULL, got);
      ref_mean(a, (ref_shape_t){o.L.in_h, o.L.in_w, o.L.in_c}, o.L.in_zp, o.N.mult, o.N.shift, o.L.out_zp, ref);
      ck_assert_int_eq(memcmp(got, ref, o.L.in_c), 0);
      o.L.out_h = o.L.in_h, o.L.out_w = o.L.in_w;
    }
    { /* QUANTIZE int8 -> int8 */
      o.L.op = RT_OP_REQUANT;
      ref_quantize_multiplier(0.05 + (rnd() % 1000) / 250.0, &o.N.mult, &o.N.shift);
      const int8_t *ins[1] = {a};
      run_whole(&o, ins, NULL, got);
      ref_requant(a, n, o.L.in_zp, o.N.mult, o.N.shift, o.L.out_zp, ref);
      ck_assert_int_eq(memcmp(got, ref, (size_t)n), 0);
    }
    free(o.blob);
    { /* FULLY_CONNECTED over the flattened input */
      const int n_out = rr(1, 40);
      op_alloc(&o, (size_t)n * n_out, n_out);
      fill(o.w, (size_t)n * n_out);
      random_requant(&o, n_out, -14, -2);
      o.L.op = RT_OP_FC;
      o.L.out_h = o.L.out_w = 1, o.L.out_c = (uint16_t)n_out;
      random_act(&o.L);
      const int8_t *ins[1] = {a};
      run_whole(&o, ins, NULL, got);
      ref_fc(a, n, o.L.in_zp, o.w, o.bias, o.mult, o.shift, n_out, o.L.out_zp, o.L.act_min, o.L.act_max, ref);
      ck_assert_int_eq(memcmp(got, ref, (size_t)n_out), 0);
      free(o.blob);
    }
    free(a), free(b), free(got), free(ref);
  }
}
END_TEST

START_TEST(test_softmax) {
  rng_state = 16;
  for (int t = 0; t < 500; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    memset(&o.N, 0, sizeof o.N);
    o.N.n_in = 1;
    o.L.op = RT_OP_SOFTMAX;
    o.L.in_h = o.L.out_h = 1;
    o.L.in_w = o.L.out_w = (uint16_t)rr(1, 3);
    o.L.in_c = o.L.out_c = (uint16_t)rr(1, t % 5 == 0 ? 1000 : 40);
    const double scale = (1 + rnd() % 2000) / 8000.0, beta = t % 4 ? 1.0 : 0.5 + (rnd() % 100) / 50.0;
    ref_softmax_params(beta, scale, &o.N.mult, &o.N.shift, &o.N.diff_min);
    op_alloc(&o, 0, 0);
    const int rows = o.L.in_w, n = rows * o.L.in_c;
    int8_t *a = malloc((size_t)n), *got = malloc((size_t)n), *ref = malloc((size_t)n);
    fill(a, (size_t)n);
    if (t % 7 == 0) memset(a, rr(-128, 127), (size_t)n); /* equal logits */
    const int8_t *ins[1] = {a};
    run_whole(&o, ins, NULL, got);
    ref_softmax(a, rows, o.L.in_c, o.N.mult, o.N.shift, o.N.diff_min, ref);
    ck_assert_int_eq(memcmp(got, ref, (size_t)n), 0);
    free(a), free(got), free(ref), free(o.blob);
  }
}
END_TEST

/* softmax of a few logits near the float answer: the fixed point is within 1 LSB of round(256 p) - 128 */
START_TEST(test_softmax_close_to_float) {
  const int8_t logits[4] = {10, 0, -20, 10};
  int32_t mult, shift, diff_min;
  ref_softmax_params(1.0, 0.1, &mult, &shift, &diff_min);
  int8_t out[4];
  ref_softmax(logits, 1, 4, mult, shift, diff_min, out);
  const double e[4] = {1.0, 0.36787944, 0.04978707, 1.0}; /* exp((x - 10) * 0.1) */
  const double sum = e[0] + e[1] + e[2] + e[3];
  for (int i = 0; i < 4; i++) {
    const double want = e[i] / sum * 256.0 - 128.0;
    ck_assert_msg(out[i] >= want - 1.0 && out[i] <= want + 1.0, "softmax[%d] = %d, float %.2f", i, out[i], want);
  }
}
END_TEST

START_TEST(test_concat) {
  rng_state = 17;
  for (int t = 0; t < 100; t++) {
    op_t o;
    memset(&o.L, 0, sizeof o.L);
    memset(&o.N, 0, sizeof o.N);
    o.L.op = RT_OP_CONCAT;
    o.N.n_in = (uint8_t)rr(1, RT_MAX_INPUTS);
    o.L.in_h = o.L.out_h = (uint16_t)rr(1, 6);
    o.L.in_w = o.L.out_w = (uint16_t)rr(1, 6);
    const int pixels = o.L.in_h * o.L.in_w;
    int cs[RT_MAX_INPUTS], total = 0;
    int8_t *bufs[RT_MAX_INPUTS];
    for (int k = 0; k < o.N.n_in; k++) {
      cs[k] = rr(1, 9);
      total += cs[k];
      bufs[k] = malloc((size_t)(pixels * cs[k]));
      fill(bufs[k], (size_t)(pixels * cs[k]));
    }
    o.L.out_c = (uint16_t)total;
    op_alloc(&o, 0, 0);
    int8_t *got = malloc((size_t)(pixels * total)), *ref = malloc((size_t)(pixels * total));
    run_whole(&o, (const int8_t *const *)bufs, cs, got);
    ref_concat((const int8_t *const *)bufs, cs, o.N.n_in, pixels, ref);
    ck_assert_int_eq(memcmp(got, ref, (size_t)(pixels * total)), 0);
    for (int k = 0; k < o.N.n_in; k++) free(bufs[k]);
    free(got), free(ref), free(o.blob);
  }
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("workloads_ops_ref");
  TCase *tc = tcase_create("ops");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_conv2d);
  tcase_add_test(tc, test_dwconv);
  tcase_add_test(tc, test_pools);
  tcase_add_test(tc, test_pad);
  tcase_add_test(tc, test_add_mean_fc_requant);
  tcase_add_test(tc, test_softmax);
  tcase_add_test(tc, test_softmax_close_to_float);
  tcase_add_test(tc, test_concat);
  suite_add_tcase(s, tc);
  return s;
}
