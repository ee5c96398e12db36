/* tests/isa/test_timing_m0plus.c — every Cortex-M0+ rule of isa/timing_m0plus.c against the Cortex-M0+
 * TRM, ARM DDI 0484C, section 3.3, table 3-1 "Cortex-M0+ instruction summary" (zero wait states). */
#include "isa_test.h"
#include "tests/support/check_main.h"

#define M0P ISA_CORE_M0PLUS

static uint32_t cycles_with_multiplier(unsigned mul_cycles, const uint8_t *code, size_t size) {
  isa_block_t block = isa_test_block_at(M0P, mul_cycles, code, size, ISA_TEST_ADDR);
  uint32_t cycles = block.cycles;
  isa_block_free(&block);
  return cycles;
}

/* Table 3-1: MOVS, ADDS, MOV, LSLS, SXTH, REV: 1. */
START_TEST(m0p_t3_1_alu_1) {
  ck_assert_uint_eq(CYCLES(M0P, 0x01, 0x20), 1); /* movs r0, #1 */
  ck_assert_uint_eq(CYCLES(M0P, 0x88, 0x18), 1); /* adds r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M0P, 0x88, 0x46), 1); /* mov r8, r1 */
  ck_assert_uint_eq(CYCLES(M0P, 0x88, 0x00), 1); /* lsls r0, r1, #2 */
  ck_assert_uint_eq(CYCLES(M0P, 0x08, 0xb2), 1); /* sxth r0, r1 */
  ck_assert_uint_eq(CYCLES(M0P, 0x08, 0xba), 1); /* rev r0, r1 */
}
END_TEST

/* Table 3-1: MULS "1 or 32" (note a: multiplier implementation): mul_cycles 0/1 -> 1, 32 -> 32. */
START_TEST(m0p_t3_1_muls_1_or_32) {
  ck_assert_uint_eq(CYCLES(M0P, 0x48, 0x43), 1); /* muls r0, r1, r0 */
  ck_assert_uint_eq(cycles_with_multiplier(1, ISA_BYTES(0x48, 0x43)), 1);
  ck_assert_uint_eq(cycles_with_multiplier(32, ISA_BYTES(0x48, 0x43)), 32);
}
END_TEST

/* Table 3-1: LDR/STR (immediate, register, SP- and PC-relative) "2 or 1": 2 (no single-cycle I/O port). */
START_TEST(m0p_t3_1_load_store_2) {
  ck_assert_uint_eq(CYCLES(M0P, 0x08, 0x68), 2); /* ldr r0, [r1] */
  ck_assert_uint_eq(CYCLES(M0P, 0x88, 0x58), 2); /* ldr r0, [r1, r2] */
  ck_assert_uint_eq(CYCLES(M0P, 0x01, 0x98), 2); /* ldr r0, [sp, #4] */
  ck_assert_uint_eq(CYCLES(M0P, 0x01, 0x48), 2); /* ldr r0, [pc, #4] */
  ck_assert_uint_eq(CYCLES(M0P, 0x08, 0x60), 2); /* str r0, [r1] */
  ck_assert_uint_eq(CYCLES(M0P, 0x88, 0x54), 2); /* strb r0, [r1, r2] */
}
END_TEST

/* No load/store pipelining on the M0+: LDR; LDR = 2 + 2. */
START_TEST(m0p_t3_1_no_load_pipelining) {
  ck_assert_uint_eq(CYCLES(M0P, 0x08, 0x68, 0x11, 0x68), 4);
  ck_assert_uint_eq(CYCLES(M0P, 0x08, 0x68, 0x08, 0x60), 4);
}
END_TEST

/* Table 3-1: LDM, STM, PUSH, POP 1 + N; POP with PC 3 + N. */
START_TEST(m0p_t3_1_multiple) {
  ck_assert_uint_eq(CYCLES(M0P, 0x0e, 0xc8), 4); /* ldmia r0!, {r1-r3} */
  ck_assert_uint_eq(CYCLES(M0P, 0x06, 0xc0), 3); /* stmia r0!, {r1, r2} */
  ck_assert_uint_eq(CYCLES(M0P, 0xf0, 0xb5), 6); /* push {r4-r7, lr} */
  ck_assert_uint_eq(CYCLES(M0P, 0xf0, 0xbc), 5); /* pop {r4-r7} */
  ck_assert_uint_eq(CYCLES(M0P, 0x10, 0xbd), 5); /* pop {r4, pc}: 3 + 2 */
}
END_TEST

/* Table 3-1: B 2, BL 3, BX 2, BLX 2, MOV PC 2, ADD PC 2; B<cc> "1 or 2". */
START_TEST(m0p_t3_1_branches) {
  ck_assert_uint_eq(CYCLES(M0P, 0xfe, 0xe7), 2);             /* b . */
  ck_assert_uint_eq(CYCLES(M0P, 0xff, 0xf7, 0xfe, 0xff), 3); /* bl . */
  ck_assert_uint_eq(CYCLES(M0P, 0x70, 0x47), 2);             /* bx lr */
  ck_assert_uint_eq(CYCLES(M0P, 0x98, 0x47), 2);             /* blx r3 */
  ck_assert_uint_eq(CYCLES(M0P, 0xf7, 0x46), 2);             /* mov pc, lr */
  ck_assert_uint_eq(CYCLES(M0P, 0x87, 0x44), 2);             /* add pc, r0 */
  ck_assert_uint_eq(CYCLES(M0P, 0xfe, 0xd0), 1);             /* beq . not taken */
  ck_assert_uint_eq(TAKEN_EXTRA(M0P, 0xfe, 0xd0), 1);        /* taken: 2 */
  ck_assert_uint_eq(TAKEN_EXTRA(M0P, 0xfe, 0xe7), 0);
}
END_TEST

/* Table 3-1: CPSID 1, MRS 3, MSR 3, ISB/DMB/DSB 3, WFI/WFE 2, SEV/NOP 1, SVC/BKPT "-" -> 1. */
START_TEST(m0p_t3_1_system) {
  ck_assert_uint_eq(CYCLES(M0P, 0x72, 0xb6), 1);             /* cpsid i */
  ck_assert_uint_eq(CYCLES(M0P, 0xef, 0xf3, 0x10, 0x80), 3); /* mrs r0, primask */
  ck_assert_uint_eq(CYCLES(M0P, 0x80, 0xf3, 0x10, 0x88), 3); /* msr primask, r0 */
  ck_assert_uint_eq(CYCLES(M0P, 0xbf, 0xf3, 0x6f, 0x8f), 3); /* isb */
  ck_assert_uint_eq(CYCLES(M0P, 0xbf, 0xf3, 0x5f, 0x8f), 3); /* dmb */
  ck_assert_uint_eq(CYCLES(M0P, 0xbf, 0xf3, 0x4f, 0x8f), 3); /* dsb */
  ck_assert_uint_eq(CYCLES(M0P, 0x30, 0xbf), 2);             /* wfi */
  ck_assert_uint_eq(CYCLES(M0P, 0x20, 0xbf), 2);             /* wfe */
  ck_assert_uint_eq(CYCLES(M0P, 0x40, 0xbf), 1);             /* sev */
  ck_assert_uint_eq(CYCLES(M0P, 0xc0, 0x46), 1);             /* nop (mov r8, r8) */
  ck_assert_uint_eq(CYCLES(M0P, 0x00, 0xdf), 1);             /* svc 0 */
  ck_assert_uint_eq(CYCLES(M0P, 0x00, 0xbe), 1);             /* bkpt 0 */
}
END_TEST

/* No divider on the M0+: nothing dynamic. */
START_TEST(m0p_no_divide) { ck_assert_uint_eq(isa_test_divide(M0P, 0, 0xffffffffu, 1), 0); }
END_TEST

static Suite *m0plus_suite(void) {
  Suite *suite = suite_create("timing_m0plus");
  TCase *tc = tcase_create("ddi0484c");
  tcase_add_test(tc, m0p_t3_1_alu_1);
  tcase_add_test(tc, m0p_t3_1_muls_1_or_32);
  tcase_add_test(tc, m0p_t3_1_load_store_2);
  tcase_add_test(tc, m0p_t3_1_no_load_pipelining);
  tcase_add_test(tc, m0p_t3_1_multiple);
  tcase_add_test(tc, m0p_t3_1_branches);
  tcase_add_test(tc, m0p_t3_1_system);
  tcase_add_test(tc, m0p_no_divide);
  suite_add_tcase(suite, tc);
  return suite;
}

Suite *test_suite(void) { return m0plus_suite(); }
