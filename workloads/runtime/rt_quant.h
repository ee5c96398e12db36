/* rt_quant.h — TFLite fixed-point requantization, bit-exact on Cortex-M and the host.
 * The rounding is that of TFLite's MultiplyByQuantizedMultiplier (gemmlowp SaturatingRoundingDoublingHighMul
 * followed by RoundingDivideByPOT), written without 64-bit division so M-profile cores need no __aeabi_ldivmod. */
#ifndef MCUSIM_RT_QUANT_H
#define MCUSIM_RT_QUANT_H

#include <stdint.h>

#if defined(__ARM_FEATURE_SAT)
#include <arm_acle.h>
#endif

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

/* v saturated to int8: one SSAT where the core has it */
static inline int8_t rt_sat_s8(int32_t v) {
#if defined(__ARM_FEATURE_SAT)
  return (int8_t)__ssat(v, 8);
#else
  return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
#endif
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
 * same multiplier and shift, so the shift split and the rounding constants are resolved before the loop over
 * pixels. TFLite's QuantizeMultiplier gives a multiplier in [2^30, 2^31) (or 0), never INT32_MIN, so gemmlowp's one
 * saturating case (both operands INT32_MIN) cannot occur and is not tested per output; results are those of
 * rt_requantize bit for bit (tests/workloads/test_kernels.c).
 *
 * Right shifts (right >= 1, then left == 0) take both roundings in one 64-bit multiply-accumulate. With y = x * mult,
 * gemmlowp's v = floor((y + 2^30) / 2^31); RoundingDivideByPOT(v, right) = floor((v + 2^(right-1) - (v < 0)) / 2^right)
 * (half away from zero); and floor((floor(a / m) + c) / n) = floor((a + c*m) / (m*n)) for integers, so the result is
 * floor((y + C) / 2^(31+right)) with C = 2^30 + 2^(30+right) - (v < 0) * 2^31: the high word of one SMLAL, shifted
 * right by right - 1. (v < 0) may be read as (x < 0): they differ only when v == 0 (x = -1, y >= -2^30), where both
 * give 0. C's low word is rlo ^ (x & 2^31), its high word rhi + (x < 0 ? rneg : 0); y + C cannot overflow 64 bits. */
typedef struct {
  int32_t mult, left, right, mask, half; /* half = mask >> 1: the rounding threshold of a non-negative value */
  int32_t rlo, rhi, rneg, rsh;           /* the fused form's constants (right >= 1): see above */
} rt_rq_t;

static inline rt_rq_t rt_rq_prep(int32_t mult, int32_t shift) {
  rt_rq_t q;
  q.mult = mult;
  q.left = shift > 0 ? shift : 0;
  q.right = shift > 0 ? 0 : -shift;
  q.mask = (int32_t)((1u << q.right) - 1u);
  q.half = q.mask >> 1;
  /* C for x >= 0 is 2^30 + 2^(30+right); x < 0 subtracts 2^31, which borrows from the high word unless right == 1
   * (low word 0xC0000000 -> 0x40000000) */
  const int64_t c = q.right >= 1 && q.right <= 31 ? (1ll << 30) + (1ll << (30 + q.right)) : 0;
  q.rlo = (int32_t)(uint32_t)c;
  q.rhi = (int32_t)(c >> 32);
  q.rneg = q.right >= 2 ? -1 : 0;
  q.rsh = q.right >= 1 ? q.right - 1 : 0;
  return q;
}

/* rt_requantize(acc, mult, shift, ...) for q = rt_rq_prep(mult, shift). As in TFLite, the requantized value plus
 * out_zp must fit int32 (it does for any accumulator short of the int32 ends). */
static inline int8_t rt_rq_apply(int32_t acc, const rt_rq_t *q, int32_t out_zp, int32_t lo, int32_t hi) {
  int32_t r;
  if (__builtin_expect(q->right >= 1, 1)) {
    const uint32_t clo = (uint32_t)q->rlo ^ ((uint32_t)acc & 0x80000000u);
    const int32_t chi = q->rhi + ((acc >> 31) & q->rneg);
    const int64_t c = (int64_t)(((uint64_t)(uint32_t)chi << 32) | clo);
    r = (int32_t)(((int64_t)acc * (int64_t)q->mult + c) >> 32) >> q->rsh;
  } else { /* right == 0: gemmlowp's high multiply alone, after the left shift */
    const int32_t x = (int32_t)((uint32_t)acc << q->left);
    r = (int32_t)(((int64_t)x * (int64_t)q->mult + (1ll << 30)) >> 31);
  }
  return rt_clamp_s8(r + out_zp, lo, hi);
}

/* The fused form for the common case, with the output zero point folded in: right in [2, 21] (the high word's
 * adjustment is then x < 0 ? -1 : 0 and the low word's constant 2^30) and |out_zp| <= 128, so adding out_zp * 2^rsh
 * to the high word cannot overflow it (|rhi| < 2^29 + 2^27) nor the 64-bit sum (|y| < 2^62, the rest < 2^61):
 * floor((hi:lo) / 2^rsh) + out_zp = floor((hi:lo + out_zp * 2^(32+rsh)) / 2^rsh). A kernel keeps the three words in
 * registers and tests rt_rqz_prep's answer once per channel, falling back to rt_rq_apply. */
typedef struct {
  int32_t mult, hi, sh;
} rt_rqz_t;

static inline int rt_rqz_prep(rt_rqz_t *z, int32_t mult, int32_t shift, int32_t out_zp) {
  const int32_t right = -shift;
  if (right < 2 || right > 21 || out_zp < -128 || out_zp > 128) return 0;
  z->mult = mult;
  z->sh = right - 1;
  z->hi = (1 << (right - 2)) + (int32_t)((uint32_t)out_zp << z->sh);
  return 1;
}

/* rt_requantize(acc, ...) + out_zp before the clamp, for a channel rt_rqz_prep accepted */
static inline int32_t rt_rqz_apply(int32_t acc, int32_t mult, int32_t hi, int32_t sh) {
  const uint32_t clo = 0x40000000u | ((uint32_t)acc & 0x80000000u);
  const int32_t chi = hi + (acc >> 31);
  const int64_t c = (int64_t)(((uint64_t)(uint32_t)chi << 32) | clo);
  return (int32_t)(((int64_t)acc * (int64_t)mult + c) >> 32) >> sh;
}

#endif /* MCUSIM_RT_QUANT_H */
