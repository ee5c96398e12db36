/* rt_quant.h — TFLite fixed-point requantization, bit-exact on Cortex-M and the host.
 * The rounding is that of TFLite's MultiplyByQuantizedMultiplier (gemmlowp SaturatingRoundingDoublingHighMul
 * followed by RoundingDivideByPOT), written without 64-bit division so M-profile cores need no __aeabi_ldivmod. */
#ifndef MCUSIM_RT_QUANT_H
#define MCUSIM_RT_QUANT_H

#include <stdint.h>

/* round(a * b / 2^31) with ties away from zero, saturating the single overflow case. gemmlowp nudges by
 * +2^30 (ab >= 0) or 1 - 2^30 (ab < 0) and divides truncating toward zero; for ab = -x < 0 that is
 * -floor((x + 2^30 - 1) / 2^31) = -ceil((x - 2^30) / 2^31) = floor((ab + 2^30) / 2^31), so both signs are one
 * add and an arithmetic shift (the form of CMSIS-NN's arm_nn_doubling_high_mult_no_sat): no branch per output. */
static inline int32_t rt_srdhm(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  return (int32_t)(((int64_t)a * (int64_t)b + (1ll << 30)) >> 31);
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t rt_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  if (exponent <= 0) return x;
  int32_t mask = (int32_t)((1u << exponent) - 1u);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* The same for exponents up to 62: softmax divides by 2^(bits over unit + 23), which reaches 32 and more when the sum
 * of exponentials is >= 2^9 (about 512 logits near the maximum). gemmlowp's RoundingDivideByPOT asserts exponent <= 31
 * and shifts an int32 by it; here the quotient is the rounded x / 2^exponent itself (0, or -1 for x = -2^31 at 32). */
static inline int32_t rt_rounding_divide_by_pot_wide(int32_t x, int32_t exponent) {
  if (exponent <= 0) return x;
  if (exponent < 32) return rt_rounding_divide_by_pot(x, exponent);
  int64_t mask = (int64_t)((1ull << exponent) - 1u);
  int64_t remainder = (int64_t)x & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t)(((int64_t)x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* x * multiplier * 2^shift, multiplier a Q31 value in [2^30, 2^31). */
static inline int32_t rt_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  int32_t left_shift = shift > 0 ? shift : 0;
  int32_t right_shift = shift > 0 ? 0 : -shift;
  return rt_rounding_divide_by_pot(rt_srdhm((int32_t)((uint32_t)x << left_shift), multiplier), right_shift);
}

static inline int8_t rt_clamp_s8(int32_t v, int32_t lo, int32_t hi) {
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return (int8_t)v;
}

/* accumulator -> int8 output of a conv-like layer */
static inline int8_t rt_requantize(int32_t acc, int32_t mult, int32_t shift, int32_t out_zp, int32_t lo, int32_t hi) {
  return rt_clamp_s8(rt_mbqm(acc, mult, shift) + out_zp, lo, hi);
}

/* rt_requantize with the per-channel work done once: the kernels requantize every output of a channel with the
 * same multiplier and shift, so the shift split and the rounding mask are resolved before the loop over pixels.
 * TFLite's QuantizeMultiplier gives a multiplier in [2^30, 2^31) (or 0), never INT32_MIN, so gemmlowp's one
 * saturating case (both operands INT32_MIN) cannot occur and is not tested per output; results are those of
 * rt_requantize bit for bit (tests/workloads/test_kernels.c). */
typedef struct {
  int32_t mult, left, right, mask, half; /* half = mask >> 1: the rounding threshold of a non-negative value */
} rt_rq_t;

static inline rt_rq_t rt_rq_prep(int32_t mult, int32_t shift) {
  rt_rq_t q;
  q.mult = mult;
  q.left = shift > 0 ? shift : 0;
  q.right = shift > 0 ? 0 : -shift;
  q.mask = (int32_t)((1u << q.right) - 1u);
  q.half = q.mask >> 1;
  return q;
}

static inline int8_t rt_rq_apply(int32_t acc, const rt_rq_t *q, int32_t out_zp, int32_t lo, int32_t hi) {
  const int32_t x = (int32_t)((uint32_t)acc << q->left);
  const int32_t v = (int32_t)(((int64_t)x * (int64_t)q->mult + (1ll << 30)) >> 31);
  /* rt_rounding_divide_by_pot(v, right): right == 0 gives mask 0, so the comparison adds nothing */
  const int32_t r = (v >> q->right) + ((v & q->mask) > q->half + (v < 0) ? 1 : 0);
  return rt_clamp_s8(r + out_zp, lo, hi);
}

#endif /* MCUSIM_RT_QUANT_H */
