/* tests/isa/test_timing_m7.c — the Cortex-M7 APPROXIMATION of isa/timing_m7.c. ARM publishes no M7
 * cycle table; each test checks one stated assumption of the model (see timing_m7.c and docs/timing.md),
 * not a manual figure. */
#include "isa_test.h"
#include "tests/support/check_main.h"

#define M7 ISA_CORE_M7

/* Dual issue: two independent ALU instructions share one cycle; a dependent pair does not. */
START_TEST(m7_dual_issue_independent_alu) {
  ck_assert_uint_eq(CYCLES(M7, 0x88, 0x18, 0x63, 0x19), 1); /* adds r0,r1,r2; adds r3,r4,r5 */
  ck_assert_uint_eq(CYCLES(M7, 0x88, 0x18, 0x81, 0x18), 2); /* adds r0,r1,r2; adds r1,r0,r2 (RAW) */
  ck_assert_uint_eq(CYCLES(M7, 0x88, 0x18, 0x01, 0x30), 2); /* adds r0,r1,r2; adds r0,#1 (RAW) */
  /* three independent instructions: a pair then a single */
  ck_assert_uint_eq(CYCLES(M7, 0x88, 0x18, 0x63, 0x19, 0x88, 0x18), 2);
}
END_TEST

/* At most one load/store per pair; an ALU instruction pairs with a load. */
START_TEST(m7_one_memory_op_per_pair) {
  ck_assert_uint_eq(CYCLES(M7, 0x08, 0x68, 0x1a, 0x68), 2); /* ldr r0,[r1]; ldr r2,[r3] */
  ck_assert_uint_eq(CYCLES(M7, 0x63, 0x19, 0x08, 0x68), 1); /* adds r3,r4,r5; ldr r0,[r1] */
}
END_TEST

/* Load-use penalty 1: ldr r0,[r1]; adds r0,#1 = 1 + 1 + 1; the store of a loaded value too. */
START_TEST(m7_load_use_penalty_1) {
  ck_assert_uint_eq(CYCLES(M7, 0x08, 0x68, 0x01, 0x30), 3);
  ck_assert_uint_eq(CYCLES(M7, 0x08, 0x68, 0x08, 0x60), 3); /* ldr r0,[r1]; str r0,[r1] */
  ck_assert_uint_eq(CYCLES(M7, 0x08, 0x68), 1);             /* a word load alone: 1 */
  /* ldr r0,[r1]; adds r3,r4,r5 (paired with the load); adds r0,#1: r0 is used in the next issue cycle */
  ck_assert_uint_eq(CYCLES(M7, 0x08, 0x68, 0x63, 0x19, 0x01, 0x30), 3);
}
END_TEST

/* MAC latency 2: a result read by the next instruction stalls 1; back-to-back accumulation into the
 * same accumulator does not (but two MACs never pair: one multiplier). */
START_TEST(m7_mac_latency_2) {
  ck_assert_uint_eq(CYCLES(M7, 0x01, 0xfb, 0x02, 0xf0, 0x43, 0x1c), 3);             /* mul r0; adds r3,r0,#1 */
  ck_assert_uint_eq(CYCLES(M7, 0x21, 0xfb, 0x02, 0x00, 0x23, 0xfb, 0x04, 0x00), 2); /* smlad; smlad into r0 */
  ck_assert_uint_eq(CYCLES(M7, 0x01, 0xfb, 0x02, 0x00, 0x03, 0xfb, 0x04, 0x00), 2); /* mla; mla into r0 */
}
END_TEST

/* Branches: a conditional branch pairs as the second of a pair (CMP + BNE in one cycle), a taken branch
 * adds a 1-cycle bubble (predicted correctly); B alone costs 1 + 1. */
START_TEST(m7_branches) {
  ck_assert_uint_eq(CYCLES(M7, 0x00, 0x28, 0xfe, 0xd1), 1); /* cmp r0,#0; bne . */
  ck_assert_uint_eq(TAKEN_EXTRA(M7, 0x00, 0x28, 0xfe, 0xd1), 1);
  ck_assert_uint_eq(CYCLES(M7, 0xfe, 0xd1), 1); /* bne . alone, not taken */
  ck_assert_uint_eq(TAKEN_EXTRA(M7, 0xfe, 0xd1), 1);
  ck_assert_uint_eq(CYCLES(M7, 0xfe, 0xe7), 2);             /* b . */
  ck_assert_uint_eq(CYCLES(M7, 0x70, 0x47), 2);             /* bx lr (return predicted) */
  ck_assert_uint_eq(CYCLES(M7, 0xd0, 0xe8, 0x01, 0xf0), 6); /* tbb: 2 + unpredicted refill 4 */
}
END_TEST

/* 64-bit load/store path: LDRD 1; PUSH/POP 1 + ceil(N/2); POP {pc} adds the taken bubble. */
START_TEST(m7_load_store_multiple) {
  ck_assert_uint_eq(CYCLES(M7, 0xd2, 0xe9, 0x00, 0x01), 1); /* ldrd r0, r1, [r2] */
  ck_assert_uint_eq(CYCLES(M7, 0xf0, 0xb5), 4);             /* push {r4-r7, lr}: 1 + 3 */
  ck_assert_uint_eq(CYCLES(M7, 0xf0, 0xbd), 5);             /* pop {r4-r7, pc}: 1 + 3 + 1 */
}
END_TEST

/* SDIV/UDIV 3..20: 3 + ceil(qbits/2), +1 signed, clamped; divide by zero 3. */
START_TEST(m7_divide_3_to_20) {
  ck_assert_uint_eq(CYCLES(M7, 0x91, 0xfb, 0xf2, 0xf0), 3); /* sdiv r0, r1, r2 */
  ck_assert_uint_eq(3 + isa_test_divide(M7, 0, 1, 2), 3);
  ck_assert_uint_eq(3 + isa_test_divide(M7, 0, 9, 0), 3);
  ck_assert_uint_eq(3 + isa_test_divide(M7, 0, 0xffffffffu, 1), 19);
  ck_assert_uint_eq(3 + isa_test_divide(M7, 1, 0x80000000u, 1), 20);
  ck_assert_uint_eq(3 + isa_test_divide(M7, 0, 1000, 10), 7); /* 7 quotient bits */
}
END_TEST

/* FPU: VADD 1, VLDR 1; VDIV.F32 16 and VSQRT.F32 14, measured on STM32H743 (jnk0le/random "pipeline cycle
 * test/doc/cortex_m7.md": "vdiv.f/vsqrt.f execute in 16/14 cycles"; issue 18 rule 8). */
START_TEST(m7_fpu) {
  ck_assert_uint_eq(CYCLES(M7, 0x30, 0xee, 0x81, 0x0a), 1);  /* vadd.f32 */
  ck_assert_uint_eq(CYCLES(M7, 0x80, 0xee, 0x81, 0x0a), 16); /* vdiv.f32 */
  ck_assert_uint_eq(CYCLES(M7, 0xb1, 0xee, 0xe0, 0x0a), 14); /* vsqrt.f32 */
  ck_assert_uint_eq(CYCLES(M7, 0x90, 0xed, 0x02, 0x0a), 1);  /* vldr s0, [r0, #8] */
}
END_TEST

static Suite *m7_suite(void) {
  Suite *suite = suite_create("timing_m7");
  TCase *tc = tcase_create("approximation");
  tcase_add_test(tc, m7_dual_issue_independent_alu);
  tcase_add_test(tc, m7_one_memory_op_per_pair);
  tcase_add_test(tc, m7_load_use_penalty_1);
  tcase_add_test(tc, m7_mac_latency_2);
  tcase_add_test(tc, m7_branches);
  tcase_add_test(tc, m7_load_store_multiple);
  tcase_add_test(tc, m7_divide_3_to_20);
  tcase_add_test(tc, m7_fpu);
  suite_add_tcase(suite, tc);
  return suite;
}

Suite *test_suite(void) { return m7_suite(); }
