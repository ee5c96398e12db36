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

#endif /* MCUSIM_TEST_ARM_ACLE_H */
