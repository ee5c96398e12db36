/* tests/workloads/ref_ops.c — see ref_ops.h. Each function is the reference kernel's loop nest over whole
 * tensors; fixed-point helpers are written as TFLite/gemmlowp write them (64-bit products, division with a nudge). */
#include "tests/workloads/ref_ops.h"

#include <math.h>

static int32_t clampi(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

void ref_padding(int in, int k, int stride, int same, int *out, int *pad_before) {
  *out = same ? (in + stride - 1) / stride : (in - k + stride) / stride;
  int total = (*out - 1) * stride + k - in;
  *pad_before = total > 0 ? total / 2 : 0;
}

/* gemmlowp SaturatingRoundingDoublingHighMul */
static int32_t srdhm(int32_t a, int32_t b) {
  int overflow = a == b && a == INT32_MIN;
  int64_t ab = (int64_t)a * (int64_t)b;
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  int32_t r = (int32_t)((ab + nudge) / (1ll << 31));
  return overflow ? INT32_MAX : r;
}
/* gemmlowp RoundingDivideByPOT, in 64 bits so that exponents of 32 and more (softmax over many near-equal logits)
 * are the rounded quotient rather than an int32 shifted by its width */
static int32_t rdbpot(int32_t x, int e) {
  int64_t mask = (int64_t)((1ull << e) - 1);
  int64_t remainder = (int64_t)x & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t)(((int64_t)x >> e) + (remainder > threshold ? 1 : 0));
}
int32_t ref_mbqm(int32_t x, int32_t m, int32_t s) {
  int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
  return rdbpot(srdhm((int32_t)((int64_t)x * (1ll << left)), m), right);
}

#define IDX(s, y, x, ch) ((((y) * (s).w) + (x)) * (s).c + (ch))

void ref_conv(const int8_t *in, ref_shape_t is, int32_t in_zp, const int8_t *w, const int32_t *bias,
              const int32_t *mult, const int32_t *shift, int kh, int kw, int sh, int sw, int pad_t, int pad_l,
              int8_t *out, ref_shape_t os, int32_t out_zp, int32_t amin, int32_t amax) {
  for (int oy = 0; oy < os.h; oy++)
    for (int ox = 0; ox < os.w; ox++)
      for (int oc = 0; oc < os.c; oc++) {
        int32_t acc = 0;
        for (int fy = 0; fy < kh; fy++)
          for (int fx = 0; fx < kw; fx++)
            for (int ic = 0; ic < is.c; ic++) {
              int iy = oy * sh - pad_t + fy, ix = ox * sw - pad_l + fx;
              if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue; /* is_point_inside_image */
              int32_t x = in[IDX(is, iy, ix, ic)], f = w[((oc * kh + fy) * kw + fx) * is.c + ic];
              acc += f * (x + -in_zp);
            }
        acc += bias[oc];
        acc = ref_mbqm(acc, mult[oc], shift[oc]) + out_zp;
        out[IDX(os, oy, ox, oc)] = (int8_t)clampi(acc, amin, amax);
      }
}

void ref_dwconv(const int8_t *in, ref_shape_t is, int32_t in_zp, const int8_t *w, const int32_t *bias,
                const int32_t *mult, const int32_t *shift, int kh, int kw, int sh, int sw, int pad_t, int pad_l, int dm,
                int8_t *out, ref_shape_t os, int32_t out_zp, int32_t amin, int32_t amax) {
  for (int oy = 0; oy < os.h; oy++)
    for (int ox = 0; ox < os.w; ox++)
      for (int ic = 0; ic < is.c; ic++)
        for (int m = 0; m < dm; m++) {
          const int oc = m + ic * dm;
          int32_t acc = 0;
          for (int fy = 0; fy < kh; fy++)
            for (int fx = 0; fx < kw; fx++) {
              int iy = oy * sh - pad_t + fy, ix = ox * sw - pad_l + fx;
              if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue;
              acc += w[(fy * kw + fx) * os.c + oc] * (in[IDX(is, iy, ix, ic)] + -in_zp);
            }
          acc += bias[oc];
          acc = ref_mbqm(acc, mult[oc], shift[oc]) + out_zp;
          out[IDX(os, oy, ox, oc)] = (int8_t)clampi(acc, amin, amax);
        }
}

void ref_pool(const int8_t *in, ref_shape_t is, int kh, int kw, int sh, int sw, int pad_t, int pad_l, int is_max,
              int8_t *out, ref_shape_t os, int32_t amin, int32_t amax) {
  for (int oy = 0; oy < os.h; oy++)
    for (int ox = 0; ox < os.w; ox++)
      for (int c = 0; c < os.c; c++) {
        const int in_x_origin = ox * sw - pad_l, in_y_origin = oy * sh - pad_t;
        const int fx0 = in_x_origin < 0 ? -in_x_origin : 0, fy0 = in_y_origin < 0 ? -in_y_origin : 0;
        const int fx1 = kw < is.w - in_x_origin ? kw : is.w - in_x_origin;
        const int fy1 = kh < is.h - in_y_origin ? kh : is.h - in_y_origin;
        int32_t acc = is_max ? -128 : 0;
        int count = 0;
        for (int fy = fy0; fy < fy1; fy++)
          for (int fx = fx0; fx < fx1; fx++) {
            int32_t v = in[IDX(is, in_y_origin + fy, in_x_origin + fx, c)];
            if (is_max)
              acc = v > acc ? v : acc;
            else
              acc += v;
            count++;
          }
        if (!is_max) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        out[IDX(os, oy, ox, c)] = (int8_t)clampi(acc, amin, amax);
      }
}

void ref_mean(const int8_t *in, ref_shape_t is, int32_t in_zp, int32_t mult, int32_t shift, int32_t out_zp,
              int8_t *out) {
  const int n = is.w * is.h;
  for (int c = 0; c < is.c; c++) {
    int32_t acc = 0;
    for (int y = 0; y < is.h; y++)
      for (int x = 0; x < is.w; x++) acc += in[IDX(is, y, x, c)] - in_zp;
    acc = ref_mbqm(acc, mult, shift);
    acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    acc += out_zp;
    out[c] = (int8_t)clampi(acc, -128, 127);
  }
}

void ref_add(const int8_t *a, const int8_t *b, int n, int32_t a_zp, int32_t a_mult, int32_t a_shift, int32_t b_zp,
             int32_t b_mult, int32_t b_shift, int32_t out_zp, int32_t out_mult, int32_t out_shift, int32_t amin,
             int32_t amax, int8_t *out) {
  const int left_shift = 20; /* TFLite int8 ADD */
  for (int i = 0; i < n; i++) {
    const int32_t v1 = -a_zp + a[i], v2 = -b_zp + b[i];
    const int32_t s1 = ref_mbqm(v1 * (1 << left_shift), a_mult, a_shift);
    const int32_t s2 = ref_mbqm(v2 * (1 << left_shift), b_mult, b_shift);
    const int32_t raw = ref_mbqm(s1 + s2, out_mult, out_shift) + out_zp;
    out[i] = (int8_t)clampi(raw, amin, amax);
  }
}

void ref_fc(const int8_t *in, int n_in, int32_t in_zp, const int8_t *w, const int32_t *bias, const int32_t *mult,
            const int32_t *shift, int n_out, int32_t out_zp, int32_t amin, int32_t amax, int8_t *out) {
  for (int o = 0; o < n_out; o++) {
    int32_t acc = 0;
    for (int d = 0; d < n_in; d++) acc += w[o * n_in + d] * (in[d] + -in_zp);
    acc += bias[o];
    acc = ref_mbqm(acc, mult[o], shift[o]) + out_zp;
    out[o] = (int8_t)clampi(acc, amin, amax);
  }
}

/* ---- gemmlowp FixedPoint<int32_t, ib>: a raw value and its integer bits ---- */
typedef struct {
  int32_t raw;
  int ib;
} fx_t;

static fx_t fx(int32_t raw, int ib) { return (fx_t){raw, ib}; }
static fx_t fx_mul(fx_t a, fx_t b) { return fx(srdhm(a.raw, b.raw), a.ib + b.ib); }
static fx_t fx_add(fx_t a, fx_t b) { return fx((int32_t)((uint32_t)a.raw + (uint32_t)b.raw), a.ib); }
static fx_t fx_sub(fx_t a, fx_t b) { return fx((int32_t)((uint32_t)a.raw - (uint32_t)b.raw), a.ib); }
static int32_t sat_mul_pot(int32_t x, int e) { /* SaturatingRoundingMultiplyByPOT */
  if (e == 0) return x;
  if (e < 0) return rdbpot(x, -e);
  const int64_t v = (int64_t)x * (1ll << e);
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}
static fx_t fx_rescale(fx_t a, int ib) { return fx(sat_mul_pot(a.raw, a.ib - ib), ib); }
static fx_t fx_one(int ib) { return fx(ib == 0 ? INT32_MAX : (int32_t)(1u << (31 - ib)), ib); }
static fx_t fx_const_pot(int exponent, int ib) { return fx((int32_t)(1u << (31 - ib + exponent)), ib); }

static fx_t exp_on_interval_between_negative_one_quarter_and_0_excl(fx_t a) {
  const fx_t constant_term = fx(1895147668, 0), constant_1_over_3 = fx(715827883, 0);
  fx_t x = fx_add(a, fx_const_pot(-3, 0));
  fx_t x2 = fx_mul(x, x), x3 = fx_mul(x2, x), x4 = fx_mul(x2, x2);
  fx_t x4_over_4 = fx(sat_mul_pot(x4.raw, -2), 0);
  fx_t poly = fx(sat_mul_pot(fx_add(fx_mul(fx_add(x4_over_4, x3), constant_1_over_3), x2).raw, -1), 0);
  return fx_add(constant_term, fx_mul(constant_term, fx_add(x, poly)));
}

static fx_t exp_on_negative_values(fx_t a) {
  const int frac = 31 - a.ib;
  const fx_t one_quarter = fx_const_pot(-2, a.ib);
  const fx_t mask = fx_sub(one_quarter, fx(1, a.ib));
  const fx_t a_mod = fx_sub(fx(a.raw & mask.raw, a.ib), one_quarter);
  fx_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(fx_rescale(a_mod, 0));
  const int32_t remainder = fx_sub(a_mod, a).raw;
  static const struct {
    int exponent;
    int32_t mult;
  } barrel[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
                {2, 39332535},    {3, 720401},      {4, 242}};
  for (unsigned i = 0; i < sizeof barrel / sizeof *barrel; i++)
    if (a.ib > barrel[i].exponent && (remainder & (1 << (frac + barrel[i].exponent))))
      result = fx_mul(result, fx(barrel[i].mult, 0));
  if (a.ib > 5 && a.raw < -(1 << (36 - a.ib))) result = fx(0, 0);
  if (a.raw == 0) result = fx_one(0);
  return result;
}

static fx_t one_over_one_plus_x_for_x_in_0_1(fx_t a) {
  const int64_t sum = (int64_t)a.raw + (int64_t)fx_one(0).raw, sign = sum >= 0 ? 1 : -1;
  const fx_t half_denominator = fx((int32_t)((sum + sign) / 2), 0);
  const fx_t c48_17 = fx(1515870810, 2), cneg32_17 = fx(-1010580540, 2);
  fx_t x = fx_add(c48_17, fx_mul(half_denominator, cneg32_17));
  for (int i = 0; i < 3; i++) {
    fx_t hdx = fx_mul(half_denominator, x);
    fx_t one_minus = fx_sub(fx_one(2), hdx);
    x = fx_add(x, fx_rescale(fx_mul(x, one_minus), 2));
  }
  return fx_rescale(fx(x.raw, 1), 0); /* ExactMulByPot<-1>, Rescale<0> */
}

static int count_leading_zeros(uint32_t x) {
  int n = 0;
  for (int b = 31; b >= 0 && !(x >> b & 1u); b--) n++;
  return n;
}

void ref_softmax(const int8_t *in, int rows, int depth, int32_t beta_mult, int32_t beta_left_shift, int32_t diff_min,
                 int8_t *out) {
  for (int i = 0; i < rows; i++) {
    int8_t max_in_row = -128;
    for (int c = 0; c < depth; c++)
      if (in[i * depth + c] > max_in_row) max_in_row = in[i * depth + c];
    fx_t sum_of_exps = fx(0, 12);
    for (int c = 0; c < depth; c++) {
      int32_t input_diff = (int32_t)in[i * depth + c] - max_in_row;
      if (input_diff >= diff_min) {
        const int32_t rescaled = srdhm(input_diff * (1 << beta_left_shift), beta_mult);
        sum_of_exps = fx_add(sum_of_exps, fx_rescale(exp_on_negative_values(fx(rescaled, 5)), 12));
      }
    }
    /* GetReciprocal(sum, 12, &num_bits_over_unit) */
    const int headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps.raw);
    const int num_bits_over_unit = 12 - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum_of_exps.raw << headroom_plus_one) - ((uint32_t)1 << 31));
    const fx_t shifted_scale = one_over_one_plus_x_for_x_in_0_1(fx(shifted_sum_minus_one, 0));
    for (int c = 0; c < depth; c++) {
      int32_t input_diff = (int32_t)in[i * depth + c] - max_in_row;
      if (input_diff >= diff_min) {
        const int32_t rescaled = srdhm(input_diff * (1 << beta_left_shift), beta_mult);
        const fx_t exp_in_0 = exp_on_negative_values(fx(rescaled, 5));
        const int32_t unsat = rdbpot(fx_mul(shifted_scale, exp_in_0).raw, num_bits_over_unit + 31 - 8);
        out[i * depth + c] = (int8_t)clampi(unsat + -128, -128, 127);
      } else {
        out[i * depth + c] = -128;
      }
    }
  }
}

void ref_quantize_multiplier(double real, int32_t *mult, int32_t *shift) {
  if (real == 0.0) {
    *mult = 0, *shift = 0;
    return;
  }
  int e;
  const double q = frexp(real, &e);
  int64_t q_fixed = (int64_t)round(q * (double)(1ll << 31));
  if (q_fixed == (1ll << 31)) q_fixed /= 2, e++;
  if (e < -31) e = 0, q_fixed = 0;
  *mult = (int32_t)q_fixed;
  *shift = e;
}

void ref_softmax_params(double beta, double input_scale, int32_t *mult, int32_t *left_shift, int32_t *diff_min) {
  const int ib = 5;
  double real = beta * input_scale * (double)(1 << (31 - ib));
  if (real > (double)((1ll << 31) - 1)) real = (double)((1ll << 31) - 1);
  ref_quantize_multiplier(real, mult, left_shift);
  const double max_input_rescaled = 1.0 * ((1 << ib) - 1) * (double)(1ll << (31 - ib)) / (double)(1ll << *left_shift);
  *diff_min = -(int32_t)floor(max_input_rescaled);
}

void ref_pad(const int8_t *in, ref_shape_t is, int pad_t, int pad_l, int32_t zp, int8_t *out, ref_shape_t os) {
  for (int y = 0; y < os.h; y++)
    for (int x = 0; x < os.w; x++)
      for (int c = 0; c < os.c; c++) {
        int iy = y - pad_t, ix = x - pad_l;
        out[IDX(os, y, x, c)] = (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) ? (int8_t)zp : in[IDX(is, iy, ix, c)];
      }
}

void ref_concat(const int8_t *const *ins, const int *cs, int n, int pixels, int8_t *out) {
  int total = 0;
  for (int k = 0; k < n; k++) total += cs[k];
  for (int p = 0; p < pixels; p++) {
    int o = 0;
    for (int k = 0; k < n; k++)
      for (int c = 0; c < cs[k]; c++) out[p * total + o++] = ins[k][p * cs[k] + c];
  }
}

void ref_requant(const int8_t *in, int n, int32_t in_zp, int32_t mult, int32_t shift, int32_t out_zp, int8_t *out) {
  for (int i = 0; i < n; i++) out[i] = (int8_t)clampi(ref_mbqm(in[i] - in_zp, mult, shift) + out_zp, -128, 127);
}
