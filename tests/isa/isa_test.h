/* tests/isa/isa_test.h — helpers shared by the isa/ unit tests: analyze a block of raw little-endian
 * Thumb bytes (encodings from arm-none-eabi-as + objdump, written out so the tests need no cross
 * toolchain) with one core's model. */
#ifndef MCUSIM_TESTS_ISA_TEST_H
#define MCUSIM_TESTS_ISA_TEST_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "isa/isa.h"

#define ISA_TEST_ADDR 0x08000100u

/* Analyze `code` at `addr` with `core` (mul_cycles for the M0+); the caller frees with isa_block_free. */
static inline isa_block_t isa_test_block_at(isa_core_t core, unsigned mul_cycles, const uint8_t *code, size_t size,
                                            uint32_t addr) {
  isa_config_t config = {.core = core, .mul_cycles = mul_cycles};
  isa_t *isa = NULL;
  ck_assert_int_eq(isa_open(&config, &isa), ISA_OK);
  isa_block_t block;
  ck_assert_int_eq(isa_analyze_block(isa, code, size, addr, &block), ISA_OK);
  isa_close(isa);
  return block;
}

/* Static block cycles (branch not taken) of a byte sequence. */
static inline uint32_t isa_test_cycles(isa_core_t core, const uint8_t *code, size_t size) {
  isa_block_t block = isa_test_block_at(core, 0, code, size, ISA_TEST_ADDR);
  uint32_t cycles = block.cycles;
  isa_block_free(&block);
  return cycles;
}

/* Extra cycles when the block's final conditional branch is taken. */
static inline uint32_t isa_test_taken_extra(isa_core_t core, const uint8_t *code, size_t size) {
  isa_block_t block = isa_test_block_at(core, 0, code, size, ISA_TEST_ADDR);
  uint32_t extra = block.taken_extra_cycles;
  isa_block_free(&block);
  return extra;
}

static inline uint32_t isa_test_divide(isa_core_t core, int is_signed, uint32_t dividend, uint32_t divisor) {
  isa_config_t config = {.core = core};
  isa_t *isa = NULL;
  ck_assert_int_eq(isa_open(&config, &isa), ISA_OK);
  uint32_t extra = isa_divide_extra_cycles(isa, is_signed, dividend, divisor);
  isa_close(isa);
  return extra;
}

#define ISA_BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
/* Cycles of a byte list on a core: CYCLES(ISA_CORE_M4, 0x08, 0x68) */
#define CYCLES(core, ...) isa_test_cycles((core), ISA_BYTES(__VA_ARGS__))
#define TAKEN_EXTRA(core, ...) isa_test_taken_extra((core), ISA_BYTES(__VA_ARGS__))

/* Run a suite, return the process exit status. */

#endif /* MCUSIM_TESTS_ISA_TEST_H */
