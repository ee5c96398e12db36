/* tests/workloads/acle/arm_acle.h — the ARMv7E-M SIMD intrinsics the runtime's kernels use, in portable C, so
 * test_dw_simd can run the kernels' __ARM_FEATURE_SIMD32 paths on the host (Arm ACLE section 9.4 semantics:
 * SXTB16 sign-extends bytes 0 and 2 to halfwords, SMLAD adds both halfword products to the accumulator, SADD16
 * adds halfwords without carry between them). Only test_dw_simd includes it (its include path comes first). */
#ifndef MCUSIM_TEST_ARM_ACLE_H
#define MCUSIM_TEST_ARM_ACLE_H

#include <stdint.h>

typedef int32_t int8x4_t;
typedef int32_t int16x2_t;

static inline int16x2_t __sxtb16(int8x4_t v) {
  const uint32_t u = (uint32_t)v;
  return (int16x2_t)((uint32_t)(uint16_t)(int16_t)(int8_t)(u & 0xff) |
                     (uint32_t)(uint16_t)(int16_t)(int8_t)((u >> 16) & 0xff) << 16);
}

static inline int32_t __smlad(int16x2_t a, int16x2_t b, int32_t acc) {
  const int32_t lo = (int32_t)(int16_t)((uint32_t)a & 0xffff) * (int16_t)((uint32_t)b & 0xffff);
  const int32_t hi = (int32_t)(int16_t)((uint32_t)a >> 16) * (int16_t)((uint32_t)b >> 16);
  return (int32_t)((uint32_t)acc + (uint32_t)lo + (uint32_t)hi);
}

static inline int16x2_t __sadd16(int16x2_t a, int16x2_t b) {
  const uint16_t lo = (uint16_t)((uint32_t)a + (uint32_t)b);
  const uint16_t hi = (uint16_t)(((uint32_t)a >> 16) + ((uint32_t)b >> 16));
  return (int16x2_t)((uint32_t)lo | (uint32_t)hi << 16);
}

/* the rest of the ACLE 9.4/9.5 halfword forms the kernels might use, same semantics */
static inline int32_t dw_acle_lo(int32_t v) { return (int16_t)((uint32_t)v & 0xffff); }
static inline int32_t dw_acle_hi(int32_t v) { return (int16_t)((uint32_t)v >> 16); }
static inline int32_t dw_acle_pack(int32_t lo, int32_t hi) {
  return (int32_t)((uint32_t)(uint16_t)lo | (uint32_t)(uint16_t)hi << 16);
}
static inline uint32_t __ror(uint32_t x, uint32_t y) {
  y &= 31;
  return y ? (x >> y) | (x << (32 - y)) : x;
}
static inline int16x2_t __sxtab16(int16x2_t a, int8x4_t b) {
  const int16x2_t e = __sxtb16(b);
  return dw_acle_pack(dw_acle_lo(a) + dw_acle_lo(e), dw_acle_hi(a) + dw_acle_hi(e));
}
static inline int16x2_t __ssub16(int16x2_t a, int16x2_t b) {
  return dw_acle_pack(dw_acle_lo(a) - dw_acle_lo(b), dw_acle_hi(a) - dw_acle_hi(b));
}
static inline int32_t __smuad(int16x2_t a, int16x2_t b) { return __smlad(a, b, 0); }
static inline int32_t __smladx(int16x2_t a, int16x2_t b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(dw_acle_lo(a) * dw_acle_hi(b)) +
                   (uint32_t)(dw_acle_hi(a) * dw_acle_lo(b)));
}
static inline int32_t __smuadx(int16x2_t a, int16x2_t b) { return __smladx(a, b, 0); }
static inline int32_t __smlabb(int32_t a, int32_t b, int32_t acc) { return acc + dw_acle_lo(a) * dw_acle_lo(b); }
static inline int32_t __smlabt(int32_t a, int32_t b, int32_t acc) { return acc + dw_acle_lo(a) * dw_acle_hi(b); }
static inline int32_t __smlatb(int32_t a, int32_t b, int32_t acc) { return acc + dw_acle_hi(a) * dw_acle_lo(b); }
static inline int32_t __smlatt(int32_t a, int32_t b, int32_t acc) { return acc + dw_acle_hi(a) * dw_acle_hi(b); }
static inline int32_t __smulbb(int32_t a, int32_t b) { return dw_acle_lo(a) * dw_acle_lo(b); }
static inline int32_t __smultt(int32_t a, int32_t b) { return dw_acle_hi(a) * dw_acle_hi(b); }
static inline int32_t dw_acle_sat(int64_t v, int64_t lo, int64_t hi) {
  return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}
#define __ssat(x, bits) dw_acle_sat((x), -(1ll << ((bits)-1)), (1ll << ((bits)-1)) - 1)
#define __usat(x, bits) ((uint32_t)dw_acle_sat((x), 0, (1ll << (bits)) - 1))
static inline int32_t __qadd(int32_t a, int32_t b) { return dw_acle_sat((int64_t)a + b, INT32_MIN, INT32_MAX); }
static inline int32_t __qsub(int32_t a, int32_t b) { return dw_acle_sat((int64_t)a - b, INT32_MIN, INT32_MAX); }

#endif /* MCUSIM_TEST_ARM_ACLE_H */
