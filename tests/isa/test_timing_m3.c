/* tests/isa/test_timing_m3.c — every Cortex-M3 rule of isa/timing_m3.c and isa/timing_v7m.c against
 * the Cortex-M3 TRM r2p1, ARM DDI 0337I: section 3.3 table 3-1 "Cortex-M3 instruction set summary" and
 * section 3.3.1 "Load/store timings". Zero wait states; P = 1 for branches, 3 for PC loaded from memory. */
#include "isa_test.h"
#include "tests/support/check_main.h"

#define M3 ISA_CORE_M3

/* Table 3-1: MOV, ADD, shifts, MOVW, MVN, logical, extend, CLZ, RBIT, bit field: 1. */
START_TEST(m3_t3_1_alu_1) {
  ck_assert_uint_eq(CYCLES(M3, 0x88, 0x18), 1);             /* adds r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0x46), 1);             /* mov r0, r1 */
  ck_assert_uint_eq(CYCLES(M3, 0x88, 0x00), 1);             /* lsls r0, r1, #2 */
  ck_assert_uint_eq(CYCLES(M3, 0x40, 0xf2, 0xd2, 0x40), 1); /* movw r0, #1234 */
  ck_assert_uint_eq(CYCLES(M3, 0x01, 0xeb, 0xc2, 0x00), 1); /* add.w r0, r1, r2, lsl #3 */
  ck_assert_uint_eq(CYCLES(M3, 0xc8, 0xb2), 1);             /* uxtb r0, r1 */
  ck_assert_uint_eq(CYCLES(M3, 0xb1, 0xfa, 0x81, 0xf0), 1); /* clz r0, r1 */
  ck_assert_uint_eq(CYCLES(M3, 0xc1, 0xf3, 0x82, 0x00), 1); /* ubfx r0, r1, #2, #3 */
  ck_assert_uint_eq(CYCLES(M3, 0x01, 0xf3, 0x07, 0x00), 1); /* ssat r0, #8, r1 */
}
END_TEST

/* Table 3-1: MUL 1; MLA, MLS 2. */
START_TEST(m3_t3_1_mul_1_mla_mls_2) {
  ck_assert_uint_eq(CYCLES(M3, 0x01, 0xfb, 0x02, 0xf0), 1); /* mul.w r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M3, 0x48, 0x43), 1);             /* muls r0, r1 */
  ck_assert_uint_eq(CYCLES(M3, 0x01, 0xfb, 0x02, 0x30), 2); /* mla r0, r1, r2, r3 */
  ck_assert_uint_eq(CYCLES(M3, 0x01, 0xfb, 0x12, 0x30), 2); /* mls r0, r1, r2, r3 */
}
END_TEST

/* Table 3-1: SMULL/UMULL "3 to 5", SMLAL/UMLAL "4 to 7": the documented minimum is taken. */
START_TEST(m3_t3_1_long_multiply_minimum) {
  ck_assert_uint_eq(CYCLES(M3, 0x82, 0xfb, 0x03, 0x01), 3); /* smull r0, r1, r2, r3 */
  ck_assert_uint_eq(CYCLES(M3, 0xa2, 0xfb, 0x03, 0x01), 3); /* umull */
  ck_assert_uint_eq(CYCLES(M3, 0xc2, 0xfb, 0x03, 0x01), 4); /* smlal */
  ck_assert_uint_eq(CYCLES(M3, 0xe2, 0xfb, 0x03, 0x01), 4); /* umlal */
}
END_TEST

/* Table 3-1: single loads and stores 2. */
START_TEST(m3_t3_1_single_load_store_2) {
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0x68), 2); /* ldr r0, [r1] */
  ck_assert_uint_eq(CYCLES(M3, 0x1a, 0x88), 2); /* ldrh r2, [r3] */
  ck_assert_uint_eq(CYCLES(M3, 0x88, 0x50), 2); /* str r0, [r1, r2] */
}
END_TEST

/* Section 3.3.1 "STR Rx,[Ry,#imm] is always one cycle"; jnk0le/random "pipeline cycle test/doc/cortex_m3m4.md"
 * (STM32F103): immediate offset stores 1; "[cm3] pre and post indexed stores effectively execute in 1 cycle when
 * preceeding instruction is not an load" (after a load: 2, not pipelined); a following load adds a cycle. */
START_TEST(m3_str_imm_1) {
  ck_assert_uint_eq(CYCLES(M3, 0x48, 0x60), 1);                         /* str r0, [r1, #4] */
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0x70), 1);                         /* strb r0, [r1] */
  ck_assert_uint_eq(CYCLES(M3, 0x48, 0x60, 0x01, 0x30), 2);             /* str #imm; adds */
  ck_assert_uint_eq(CYCLES(M3, 0x41, 0xf8, 0x04, 0x0b, 0x01, 0x30), 2); /* str.w r0, [r1], #4; adds */
  ck_assert_uint_eq(CYCLES(M3, 0x1a, 0x68, 0x41, 0xf8, 0x04, 0x0b), 4); /* ldr r2, [r3]; str.w r0, [r1], #4 */
  ck_assert_uint_eq(CYCLES(M3, 0x1a, 0x68, 0x48, 0x60), 3);             /* ldr r2, [r3]; str r0, [r1, #4] */
  ck_assert_uint_eq(CYCLES(M3, 0x48, 0x60, 0x23, 0x68), 4);             /* str #imm; ldr: 1 + 1 + 2 */
}
END_TEST

/* Section 3.3.1: LDR R0,[R1]; LDR R1,[R2] = 3; three loads = 4; LDR;STR = 3. */
START_TEST(m3_s3_3_1_load_pipelining) {
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0x68, 0x11, 0x68), 3);
  ck_assert_uint_eq(CYCLES(M3, 0x48, 0x59, 0x11, 0x68, 0x5a, 0x68), 4);
  ck_assert_uint_eq(CYCLES(M3, 0x88, 0x58, 0x58, 0x61), 3);
  ck_assert_uint_eq(CYCLES(M3, 0x88, 0x58, 0x99, 0x50), 3);
}
END_TEST

/* Section 3.3.1: no pipelining when the loaded register forms the next address, nor after STR with a
 * register offset; AGU stall of one cycle after a data-processing result used as an address. */
START_TEST(m3_s3_3_1_pipelining_exceptions) {
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0x68, 0x02, 0x68), 4); /* ldr r0,[r1]; ldr r2,[r0] */
  ck_assert_uint_eq(CYCLES(M3, 0x88, 0x50, 0x23, 0x68), 4); /* str r0,[r1,r2]; ldr r3,[r4] */
  ck_assert_uint_eq(CYCLES(M3, 0x04, 0x31, 0x08, 0x68), 4); /* adds r1,#4; ldr r0,[r1] */
  ck_assert_uint_eq(CYCLES(M3, 0x04, 0x32, 0x08, 0x68), 3); /* adds r2,#4; ldr r0,[r1] */
}
END_TEST

/* Table 3-1: LDRD/STRD 1 + N = 3 ("three cycles"), LDM/STM/PUSH/POP 1 + N, POP {pc} 1 + N + P,
 * LDR PC 2 + P ("at least five cycles"). */
START_TEST(m3_t3_1_multiple_and_pc_loads) {
  ck_assert_uint_eq(CYCLES(M3, 0xd4, 0xe9, 0x00, 0x23), 3); /* ldrd r2, r3, [r4] */
  ck_assert_uint_eq(CYCLES(M3, 0xc4, 0xe9, 0x02, 0x23), 3); /* strd */
  ck_assert_uint_eq(CYCLES(M3, 0x90, 0xe8, 0x0e, 0x00), 4); /* ldm r0, {r1-r3} */
  ck_assert_uint_eq(CYCLES(M3, 0xf0, 0xb5), 6);             /* push {r4-r7, lr} */
  ck_assert_uint_eq(CYCLES(M3, 0x10, 0xbd), 6);             /* pop {r4, pc} */
  ck_assert_uint_eq(CYCLES(M3, 0x5d, 0xf8, 0x04, 0xfb), 5); /* ldr.w pc, [sp], #4 */
}
END_TEST

/* Table 3-1: B, BL, BX, BLX, MOV PC 1 + P = 2; B<cond>/CBZ "1 or 1 + P"; TBB/TBH 2 + P ("six"). */
START_TEST(m3_t3_1_branches) {
  ck_assert_uint_eq(CYCLES(M3, 0xfe, 0xe7), 2);             /* b . */
  ck_assert_uint_eq(CYCLES(M3, 0xff, 0xf7, 0xfe, 0xff), 2); /* bl . */
  ck_assert_uint_eq(CYCLES(M3, 0x70, 0x47), 2);             /* bx lr */
  ck_assert_uint_eq(CYCLES(M3, 0xf7, 0x46), 2);             /* mov pc, lr */
  ck_assert_uint_eq(CYCLES(M3, 0xfe, 0xd0), 1);             /* beq . not taken */
  ck_assert_uint_eq(TAKEN_EXTRA(M3, 0xfe, 0xd0), 1);        /* taken: + P */
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xb1), 1);             /* cbz r0 */
  ck_assert_uint_eq(TAKEN_EXTRA(M3, 0x00, 0xb1), 1);
  ck_assert_uint_eq(CYCLES(M3, 0xd0, 0xe8, 0x01, 0xf0), 6); /* tbb [r0, r1] */
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0xbf, 0x70, 0x47), 2); /* it eq; bxeq lr */
  ck_assert_uint_eq(TAKEN_EXTRA(M3, 0x08, 0xbf, 0x70, 0x47), 1);
}
END_TEST

/* Table 3-1: SDIV/UDIV "2 to 12": 2 static, early termination by quotient bits (timing_v7m.c). */
START_TEST(m3_t3_1_divide_2_to_12) {
  ck_assert_uint_eq(CYCLES(M3, 0x91, 0xfb, 0xf2, 0xf0), 2); /* sdiv r0, r1, r2 */
  /* the M4's measured rule (no M3 divide measurements are published; same documented range, 2 to 12): 2 for a zero
   * operand, 3 when the dividend is shorter than the divisor, 3 + ceil(qbits / 8) up to 7 */
  ck_assert_uint_eq(2 + isa_test_divide(M3, 0, 1, 2), 3);
  ck_assert_uint_eq(2 + isa_test_divide(M3, 0, 7, 0), 2);
  ck_assert_uint_eq(2 + isa_test_divide(M3, 0, 0, 7), 2);
  ck_assert_uint_eq(2 + isa_test_divide(M3, 0, 0xffffffffu, 1), 7);
  ck_assert_uint_eq(2 + isa_test_divide(M3, 1, (uint32_t)-1000, 10), 4);
}
END_TEST

/* Table 3-1: NOP, WFI, SVC, CPSID, MRS, DMB 1; ISB 1 + B = 2. */
START_TEST(m3_t3_1_system_and_hints) {
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xbf), 1);             /* nop */
  ck_assert_uint_eq(CYCLES(M3, 0x30, 0xbf), 1);             /* wfi */
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xdf), 1);             /* svc 0 */
  ck_assert_uint_eq(CYCLES(M3, 0x72, 0xb6), 1);             /* cpsid i */
  ck_assert_uint_eq(CYCLES(M3, 0xef, 0xf3, 0x10, 0x80), 1); /* mrs r0, primask */
  ck_assert_uint_eq(CYCLES(M3, 0xbf, 0xf3, 0x5f, 0x8f), 1); /* dmb */
  ck_assert_uint_eq(CYCLES(M3, 0xbf, 0xf3, 0x6f, 0x8f), 2); /* isb */
}
END_TEST

/* Issue 18 rule 4, measured (jnk0le/random "pipeline cycle test/doc/cortex_m3m4.md", STM32F103/F407): "32bit opcode
 * loads (ldr.w, ldrb.w) may fail to pipeline correctly if they are not positioned at word aligned boundaries":
 * ldr r0,[r1]; ldr.w r2,[r3] at a halfword address = 2 + 2; the same pair word-aligned (ldr.w; ldr.w) = 3. */
START_TEST(m3_unaligned_wide_load_no_pipelining) {
  ck_assert_uint_eq(CYCLES(M3, 0x08, 0x68, 0xd3, 0xf8, 0x00, 0x20), 4);
  ck_assert_uint_eq(CYCLES(M3, 0xd1, 0xf8, 0x00, 0x00, 0xd3, 0xf8, 0x00, 0x20), 3);
}
END_TEST

/* Issue 18 rule 3, measured (compendium.i-0.nl "instruction-alignment rules", STM32F4 flash): "Groups of three or
 * more unaligned wide instructions will take one extra cycle"; "Groups of unaligned wide str only add the penalty
 * cycle from a length of 4". nop; add.w x3 = 1 + 3 + 1; nop; add.w x2 = 3; add.w x3 word-aligned = 3;
 * nop; str.w x3 = 1 + 3; nop; str.w x4 = 1 + 4 + 1. */
START_TEST(m3_unaligned_wide_group_extra_cycle) {
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xbf, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00), 5);
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xbf, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00), 3);
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00), 3);
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xbf, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00), 4);
  ck_assert_uint_eq(CYCLES(M3, 0x00, 0xbf, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00, 0xc1,
                           0xf8, 0x04, 0x00),
                    6);
}
END_TEST

static Suite *m3_suite(void) {
  Suite *suite = suite_create("timing_m3");
  TCase *tc = tcase_create("ddi0337i");
  tcase_add_test(tc, m3_t3_1_alu_1);
  tcase_add_test(tc, m3_t3_1_mul_1_mla_mls_2);
  tcase_add_test(tc, m3_t3_1_long_multiply_minimum);
  tcase_add_test(tc, m3_t3_1_single_load_store_2);
  tcase_add_test(tc, m3_s3_3_1_load_pipelining);
  tcase_add_test(tc, m3_s3_3_1_pipelining_exceptions);
  tcase_add_test(tc, m3_t3_1_multiple_and_pc_loads);
  tcase_add_test(tc, m3_t3_1_branches);
  tcase_add_test(tc, m3_t3_1_divide_2_to_12);
  tcase_add_test(tc, m3_str_imm_1);
  tcase_add_test(tc, m3_t3_1_system_and_hints);
  tcase_add_test(tc, m3_unaligned_wide_load_no_pipelining);
  tcase_add_test(tc, m3_unaligned_wide_group_extra_cycle);
  suite_add_tcase(suite, tc);
  return suite;
}

Suite *test_suite(void) { return m3_suite(); }
