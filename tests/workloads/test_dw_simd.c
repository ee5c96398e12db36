/* The depthwise kernel's ARMv7E-M paths on the host: rt_kernels.c compiled with __ARM_FEATURE_SIMD32 and the
 * portable intrinsics of tests/workloads/acle/arm_acle.h, against a direct TFLite-semantics formula. The firmware
 * runs these paths (the pair kernel on the in-place copy, the padded copy of uniform patch windows, the border
 * rows through the pair kernel); the native tests (test_kernels.c) run the plain loops only. Every kernel size
 * and stride the pair kernel has a form for, odd and even widths, windows inside, across and outside the
 * feature map, unclipped (uniform patches) and clipped (halo clip). */
#define __ARM_FEATURE_SIMD32 1
#include "workloads/runtime/rt_kernels.c"

#include "tests/support/check_main.h"
#include <stdlib.h>

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}
static int32_t rnd_range(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
static void fill_s8(int8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (int8_t)rnd_range(-128, 127);
}

typedef struct {
  rt_layer_t L;
  int8_t w[7 * 7 * 8];
  int32_t bias[8], mult[8], shift[8];
} dw_layer_t;

static void make_dw(dw_layer_t *t, int k, int s, int h, int w, int ch) {
  memset(t, 0, sizeof *t);
  rt_layer_t *L = &t->L;
  L->name = "dw";
  L->op = RT_OP_DW;
  L->k = (uint8_t)k;
  L->stride = (uint8_t)s;
  L->pad = (uint8_t)((k - 1) / 2);
  L->res_src = -1;
  L->in_h = (uint16_t)h;
  L->in_w = (uint16_t)w;
  L->in_c = L->out_c = (uint16_t)ch;
  L->out_h = (uint16_t)((h + 2 * L->pad - k) / s + 1);
  L->out_w = (uint16_t)((w + 2 * L->pad - k) / s + 1);
  L->in_zp = rnd_range(-128, 127); /* any zero point: the padded copy stores it */
  L->out_zp = rnd_range(-10, 10);
  L->act_min = rnd_range(-128, -100);
  L->act_max = rnd_range(100, 127);
  fill_s8(t->w, (size_t)k * k * ch);
  for (int c = 0; c < ch; c++) {
    t->bias[c] = rnd_range(-5000, 5000);
    t->mult[c] = (int32_t)(0x40000000u + (rnd() & 0x3fffffffu));
    t->shift[c] = rnd_range(-12, -7);
  }
}

/* TFLite: taps in the padding skipped (they hold the zero point), the rest (x - in_zp) * w. */
static int8_t ref_at(const dw_layer_t *t, const int8_t *in, int oy, int ox, int c) {
  const rt_layer_t *L = &t->L;
  int32_t acc = t->bias[c];
  for (int ky = 0; ky < L->k; ky++)
    for (int kx = 0; kx < L->k; kx++) {
      const int iy = oy * L->stride - L->pad + ky, ix = ox * L->stride - L->pad + kx;
      if (iy < 0 || ix < 0 || iy >= L->in_h || ix >= L->in_w) continue;
      acc += (in[(iy * L->in_w + ix) * L->in_c + c] - L->in_zp) * t->w[(ky * L->k + kx) * L->in_c + c];
    }
  return rt_requantize(acc, t->mult[c], t->shift[c], L->out_zp, L->act_min, L->act_max);
}

/* Region `reg` in place on a window of the input: the region's receptive field, unclipped (uniform patches: the
 * bytes outside the feature map are garbage) or clipped to the feature map. */
static void check_window(const dw_layer_t *t, const int8_t *in, rt_rect_t reg, int clip) {
  const rt_layer_t *L = &t->L;
  const int k = L->k, s = L->stride, ch = L->in_c;
  int y0 = reg.y0 * s - L->pad, x0 = reg.x0 * s - L->pad;
  int y1 = y0 + (reg.h - 1) * s + k, x1 = x0 + (reg.w - 1) * s + k;
  if (clip) {
    y0 = y0 < 0 ? 0 : y0;
    x0 = x0 < 0 ? 0 : x0;
    y1 = y1 > L->in_h ? L->in_h : y1;
    x1 = x1 > L->in_w ? L->in_w : x1;
  }
  const int wh = y1 - y0, ww = x1 - x0;
  int8_t *win = malloc((size_t)wh * ww * ch), *tmp = malloc((size_t)wh * ww);
  fill_s8(win, (size_t)wh * ww * ch);
  for (int y = 0; y < wh; y++)
    for (int x = 0; x < ww; x++)
      if (y0 + y >= 0 && y0 + y < L->in_h && x0 + x >= 0 && x0 + x < L->in_w)
        memcpy(win + (y * ww + x) * ch, in + ((y0 + y) * L->in_w + x0 + x) * ch, (size_t)ch);
  const rt_view_t vwin = {win, y0, x0, wh, ww, ch}, vout = {win, reg.y0, reg.x0, reg.h, reg.w, ch};
  const rt_layer_data_t D = {t->w, t->bias, t->mult, t->shift};
  rt_depthwise(L, &D, &vwin, &vout, reg, tmp);
  for (int y = reg.y0; y < reg.y0 + reg.h; y++)
    for (int x = reg.x0; x < reg.x0 + reg.w; x++) {
      if (y < 0 || x < 0 || y >= L->out_h || x >= L->out_w) continue; /* computed, never read */
      for (int c = 0; c < ch; c++)
        ck_assert_msg(win[((y - reg.y0) * reg.w + (x - reg.x0)) * ch + c] == ref_at(t, in, y, x, c),
                      "k %d s %d %dx%d region (%d,%d %dx%d) clip %d: output (%d,%d,%d)", k, s, L->in_h, L->in_w, reg.y0,
                      reg.x0, reg.h, reg.w, clip, y, x, c);
    }
  free(win);
  free(tmp);
}

START_TEST(test_dw_simd_matches_reference) {
  rng_state = 20;
  static const int sizes[][2] = {{13, 11}, {16, 16}, {7, 7}, {9, 14}, {30, 23}};
  for (int k = 3; k <= 7; k += 2)
    for (int s = 1; s <= 2; s++)
      for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        dw_layer_t t;
        make_dw(&t, k, s, sizes[z][0], sizes[z][1], 5);
        const rt_layer_t *L = &t.L;
        const int ch = L->in_c, oh = L->out_h, ow = L->out_w;
        const size_t in_bytes = (size_t)L->in_h * L->in_w * ch;
        int8_t *in = malloc(in_bytes), *buf = malloc(in_bytes), *tmp = malloc((size_t)L->in_h * L->in_w);
        fill_s8(in, in_bytes);
        const rt_layer_data_t D = {t.w, t.bias, t.mult, t.shift};
        /* the whole layer in place (layer-wise) and out of place */
        memcpy(buf, in, in_bytes);
        rt_view_t vi = {buf, 0, 0, L->in_h, L->in_w, ch}, vo = {buf, 0, 0, oh, ow, ch};
        rt_depthwise(L, &D, &vi, &vo, (rt_rect_t){0, 0, oh, ow}, tmp);
        for (int i = 0; i < oh * ow * ch; i++)
          ck_assert_msg(buf[i] == ref_at(&t, in, i / ch / ow, i / ch % ow, i % ch), "k %d s %d whole in place", k, s);
        int8_t *out = malloc((size_t)oh * ow * ch);
        vi.data = in;
        vo.data = out;
        rt_depthwise(L, &D, &vi, &vo, (rt_rect_t){0, 0, oh, ow}, NULL);
        for (int i = 0; i < oh * ow * ch; i++)
          ck_assert_msg(out[i] == ref_at(&t, in, i / ch / ow, i / ch % ow, i % ch), "k %d s %d out of place", k, s);
        free(out);
        /* windows: corners, edges, inside, past the feature map, odd and even widths, narrow and wide */
        const rt_rect_t regs[] = {{-2, -1, 5, 9},
                                  {1, 2, 4, 7},
                                  {oh - 3, ow - 6, 5, 8},
                                  {0, 0, oh, ow},
                                  {-1, -3, oh + 2, ow + 5},
                                  {oh / 2, 0, 2, 6},
                                  {0, ow / 2, 3, ow - ow / 2},
                                  {1, 1, 1, 1},
                                  {-2, -2, 3, 2}};
        for (size_t r = 0; r < sizeof regs / sizeof regs[0]; r++) {
          check_window(&t, in, regs[r], 0);
          if (regs[r].y0 >= 0 && regs[r].x0 >= 0 && regs[r].y0 + regs[r].h <= oh && regs[r].x0 + regs[r].w <= ow)
            check_window(&t, in, regs[r], 1);
        }
        free(in);
        free(buf);
        free(tmp);
      }
}
END_TEST

/* The portable intrinsics themselves, on hand-worked values (ACLE semantics). */
START_TEST(test_acle_forms) {
  const int32_t v = (int32_t)0x80ff7f01u;                                           /* bytes 0x01, 0x7f, 0xff, 0x80 */
  ck_assert_int_eq(__sxtb16(v), (int32_t)0xffff0001u);                              /* (1, -1) */
  ck_assert_int_eq(__sxtb16((int32_t)__ror((uint32_t)v, 8)), (int32_t)0xff80007fu); /* (127, -128) */
  ck_assert_int_eq(__smlad((int32_t)0xffff0003u, (int32_t)0x00050007u, 10), 10 + 21 - 5);
  ck_assert_int_eq(__smladx((int32_t)0xffff0003u, (int32_t)0x00050007u, 10), 10 + 15 - 7);
  ck_assert_int_eq(__sadd16((int32_t)0x7fffffffu, (int32_t)0x00010001u), (int32_t)0x80000000u); /* no carry */
  ck_assert_int_eq(__ssub16(0x00010000, 0x00000001), (int32_t)0x0001ffffu);
  ck_assert_int_eq(__sxtab16(0x00020003, v), (int32_t)0x00010004u);
  ck_assert_int_eq(__smlabb(0x00020003, (int32_t)0xfffffffbu, 1), 1 - 15);
  ck_assert_int_eq(__smlatt(0x00020003, (int32_t)0xfffb0000u, 1), 1 - 10);
  ck_assert_int_eq(__ssat(300, 8), 127);
  ck_assert_int_eq(__ssat(-300, 8), -128);
  ck_assert_int_eq(__qadd(INT32_MAX, 1), INT32_MAX);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("dw_simd");
  TCase *tc = tcase_create("dw_simd");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_acle_forms);
  tcase_add_test(tc, test_dw_simd_matches_reference);
  suite_add_tcase(s, tc);
  return s;
}
