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

#endif /* MCUSIM_RT_QUANT_H */
