/* tests/isa/test_timing_m4.c — every Cortex-M4 rule of isa/timing_m4.c (and the shared rules of
 * isa/timing_v7m.c) against the figure in the Cortex-M4 TRM, ARM DDI 0439B: table 3-1 "Cortex-M4
 * instruction set summary", section 3.3.1 "Load/store timings", table 7-1 "FPU instruction set".
 * Zero wait states; P (pipeline refill) = 1 for branches, 3 for PC loaded from memory (timing_v7m.h). */
#include "isa_test.h"
#include "tests/support/check_main.h"

#define M4 ISA_CORE_M4

/* Table 3-1: MOV, ADD, shifts, MOVW, MVN, ADD with shifted register: 1 each. */
START_TEST(m4_t3_1_alu_1) {
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x18), 1);             /* adds r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x46), 1);             /* mov r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x00), 1);             /* lsls r0, r1, #2 */
  ck_assert_uint_eq(CYCLES(M4, 0x40, 0xf2, 0xd2, 0x40), 1); /* movw r0, #1234 */
  ck_assert_uint_eq(CYCLES(M4, 0x6f, 0xea, 0x01, 0x00), 1); /* mvn.w r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x01, 0xeb, 0xc2, 0x00), 1); /* add.w r0, r1, r2, lsl #3 */
  ck_assert_uint_eq(CYCLES(M4, 0xc8, 0xb2), 1);             /* uxtb r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0xb1, 0xfa, 0x81, 0xf0), 1); /* clz r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x91, 0xfa, 0xa1, 0xf0), 1); /* rbit r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0xc1, 0xf3, 0x82, 0x00), 1); /* ubfx r0, r1, #2, #3 */
}
END_TEST

/* Table 3-1: LDR, LDRB, LDRH, LDRSB, STR, STRB, STRH: 2 when alone. */
START_TEST(m4_t3_1_single_load_store_2) {
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x68), 2); /* ldr r0, [r1] */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x78), 2); /* ldrb r0, [r1] */
  ck_assert_uint_eq(CYCLES(M4, 0x1a, 0x88), 2); /* ldrh r2, [r3] */
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x56), 2); /* ldrsb r0, [r1, r2] */
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x50), 2); /* str r0, [r1, r2] */
}
END_TEST

/* Section 3.3.1: "STR Rx,[Ry,#imm] is always one cycle" (the data phase overlaps the next instruction); measured on
 * STM32F407 (jnk0le/random, "pipeline cycle test/doc/cortex_m3m4.md": "immediate offset store (+ pre and post
 * indexed on cm4) effectively execute in 1 cycle"; issue 18 rule 2). */
START_TEST(m4_s3_3_1_str_imm_1) {
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x60), 1);                         /* str r0, [r1, #4] */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x70), 1);                         /* strb r0, [r1] */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x80), 1);                         /* strh r0, [r1] */
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x60, 0x01, 0x30), 2);             /* str r0, [r1, #4]; adds r0, #1 */
  ck_assert_uint_eq(CYCLES(M4, 0x41, 0xf8, 0x04, 0x0b, 0x01, 0x30), 2); /* str.w r0, [r1], #4; adds */
  ck_assert_uint_eq(CYCLES(M4, 0x1a, 0x68, 0x41, 0xf8, 0x04, 0x0b), 3); /* ldr r2, [r3]; str.w r0, [r1], #4 */
}
END_TEST

/* jnk0le cortex_m3m4.md: "stores cannot be pipelined with following load instructions (adds extra cycle to store)",
 * "stores can't be pipelined with following load multiple": str #imm; ldr = 1 + 1 + 2; str #imm; ldm {3} = 1 + 1 + 4.
 */
START_TEST(m4_store_then_load_extra_cycle) {
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x60, 0x23, 0x68), 4);
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x60, 0x90, 0xe8, 0x0e, 0x00), 6);
}
END_TEST

/* Section 3.3.1: "LDR R0,[R1]; LDR R1,[R2] - normally three cycles total". */
START_TEST(m4_s3_3_1_ldr_ldr_3) { ck_assert_uint_eq(CYCLES(M4, 0x08, 0x68, 0x11, 0x68), 3); }
END_TEST

/* Section 3.3.1: "LDR R0,[R1,R5]; LDR R1,[R2]; LDR R2,[R3,#4] - normally four cycles total". */
START_TEST(m4_s3_3_1_three_loads_4) { ck_assert_uint_eq(CYCLES(M4, 0x48, 0x59, 0x11, 0x68, 0x5a, 0x68), 4); }
END_TEST

/* Section 3.3.1: "LDR R0,[R1,R2]; STR R0,[R3,#20]" and "LDR R0,[R1,R2]; STR R1,[R3,R2]": three cycles. */
START_TEST(m4_s3_3_1_ldr_str_3) {
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x58, 0x58, 0x61), 3);
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x58, 0x99, 0x50), 3);
}
END_TEST

/* Section 3.3.1: pipelined only if "the destination of the first LDR is not used to compute the
 * address for the next instruction": ldr r0,[r1]; ldr r2,[r0] = 2 + 2. */
START_TEST(m4_s3_3_1_address_dependency_no_pipelining) { ck_assert_uint_eq(CYCLES(M4, 0x08, 0x68, 0x02, 0x68), 4); }
END_TEST

/* Section 3.3.1: "Other instructions cannot be pipelined after STR with register offset":
 * str r0,[r1,r2]; ldr r3,[r4] = 2 + 2. (A load after STR #imm does not pipeline either, measured: 1 + 1 + 2, see
 * m4_store_then_load_extra_cycle; this test said 3 before issue 18.) */
START_TEST(m4_s3_3_1_store_register_offset_blocks) {
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x50, 0x23, 0x68), 4);
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x60, 0x23, 0x68), 4);
}
END_TEST

/* Table 3-1 note b: neighbouring single loads and stores pipeline. Four immediate-offset stores in a row: 1 each
 * (section 3.3.1 "always one cycle", measured by jnk0le); 5 (N + 1) before issue 18. With a register-offset store
 * first: 2 + 1 + 1 + 1. */
START_TEST(m4_t3_1_note_b_store_run) {
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x60, 0x08, 0x70, 0x08, 0x80, 0x48, 0x60), 4);
  ck_assert_uint_eq(CYCLES(M4, 0x88, 0x50, 0x08, 0x70, 0x08, 0x80, 0x48, 0x60), 5);
}
END_TEST

/* Section 3.3.1: "LDREX and STREX can be pipelined exactly as LDR": ldrex; strex (independent) = 3. */
START_TEST(m4_s3_3_1_ldrex_strex_pipeline) {
  ck_assert_uint_eq(CYCLES(M4, 0x51, 0xe8, 0x00, 0x0f, 0x41, 0xe8, 0x00, 0x02), 3);
}
END_TEST

/* Section 3.3.1: "Any load or store that generates an address dependent on the result of a preceding
 * data processing operation stalls the pipeline for an additional cycle":
 * adds r1,#4; ldr r0,[r1] = 1 + 2 + 1; with an unrelated register (adds r2,#4) = 1 + 2. */
START_TEST(m4_s3_3_1_agu_stall_after_alu) {
  ck_assert_uint_eq(CYCLES(M4, 0x04, 0x31, 0x08, 0x68), 4);
  ck_assert_uint_eq(CYCLES(M4, 0x04, 0x32, 0x08, 0x68), 3);
}
END_TEST

/* Table 3-1: LDRD, STRD 1 + N = 3; section 3.3.1 "cannot be pipelined with preceding or following
 * instructions": ldr; ldrd = 2 + 3; ldrd; ldr = 3 + 2. */
START_TEST(m4_t3_1_ldrd_strd_3) {
  ck_assert_uint_eq(CYCLES(M4, 0xd4, 0xe9, 0x00, 0x23), 3);             /* ldrd r2, r3, [r4] */
  ck_assert_uint_eq(CYCLES(M4, 0xc4, 0xe9, 0x02, 0x23), 3);             /* strd r2, r3, [r4, #8] */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x68, 0xd4, 0xe9, 0x00, 0x23), 5); /* ldr; ldrd */
  ck_assert_uint_eq(CYCLES(M4, 0xd4, 0xe9, 0x00, 0x23, 0x08, 0x68), 5); /* ldrd; ldr */
}
END_TEST

/* Table 3-1: LDM, POP, STM, PUSH: 1 + N; not pipelined with a neighbour. */
START_TEST(m4_t3_1_ldm_stm_1_plus_n) {
  ck_assert_uint_eq(CYCLES(M4, 0x90, 0xe8, 0x0e, 0x00), 4);             /* ldmia.w r0, {r1, r2, r3} */
  ck_assert_uint_eq(CYCLES(M4, 0xf0, 0xbc), 5);                         /* pop {r4-r7} */
  ck_assert_uint_eq(CYCLES(M4, 0xf0, 0xb5), 6);                         /* push {r4-r7, lr} */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x68, 0x90, 0xe8, 0x0e, 0x00), 6); /* ldr r0,[r1]; ldm */
}
END_TEST

/* Table 3-1: POP/LDM including PC: 1 + N + P, P = 3 for a PC loaded from memory. */
START_TEST(m4_t3_1_pop_pc_1_plus_n_plus_p) { ck_assert_uint_eq(CYCLES(M4, 0x10, 0xbd), 1 + 2 + 3); /* pop {r4, pc} */ }
END_TEST

/* Table 3-1: LDR PC 2 + P; section 3.3.1 "this operation takes at least five cycles". */
START_TEST(m4_s3_3_1_ldr_pc_5) { ck_assert_uint_eq(CYCLES(M4, 0x5d, 0xf8, 0x04, 0xfb), 5); /* ldr.w pc, [sp], #4 */ }
END_TEST

/* Table 3-1: B, BL, BX, BLX, MOV PC: 1 + P = 2 (P = 1). */
START_TEST(m4_t3_1_branch_1_plus_p) {
  ck_assert_uint_eq(CYCLES(M4, 0xfe, 0xe7), 2);             /* b.n . */
  ck_assert_uint_eq(CYCLES(M4, 0xff, 0xf7, 0xfe, 0xff), 2); /* bl . */
  ck_assert_uint_eq(CYCLES(M4, 0x70, 0x47), 2);             /* bx lr */
  ck_assert_uint_eq(CYCLES(M4, 0x98, 0x47), 2);             /* blx r3 */
  ck_assert_uint_eq(CYCLES(M4, 0xf7, 0x46), 2);             /* mov pc, lr */
  ck_assert_uint_eq(TAKEN_EXTRA(M4, 0xfe, 0xe7), 0);        /* unconditional: nothing dynamic */
}
END_TEST

/* Table 3-1: B<cond>, CBZ/CBNZ: "1 or 1 + P": 1 not taken, + P = 1 when taken. */
START_TEST(m4_t3_1_conditional_branch_1_or_1_plus_p) {
  ck_assert_uint_eq(CYCLES(M4, 0xfe, 0xd0), 1); /* beq . */
  ck_assert_uint_eq(TAKEN_EXTRA(M4, 0xfe, 0xd0), 1);
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xb1), 1); /* cbz r0, +4 */
  ck_assert_uint_eq(TAKEN_EXTRA(M4, 0x00, 0xb1), 1);
}
END_TEST

/* IT blocks: a conditional BX/POP {pc} costs 1 when its condition fails, its table figure otherwise. */
START_TEST(m4_it_conditional_pc_writes) {
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0xbf, 0x70, 0x47), 2);      /* it eq; bxeq lr: 1 + 1 */
  ck_assert_uint_eq(TAKEN_EXTRA(M4, 0x08, 0xbf, 0x70, 0x47), 1); /* taken: 1 + P */
  ck_assert_uint_eq(CYCLES(M4, 0x18, 0xbf, 0x10, 0xbd), 2);      /* it ne; popne {r4, pc} */
  ck_assert_uint_eq(TAKEN_EXTRA(M4, 0x18, 0xbf, 0x10, 0xbd), 5); /* 1 + N + P - 1 */
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0xbf, 0x08, 0x46), 2);      /* it eq; moveq r0, r1: 1 + 1 */
}
END_TEST

/* Table 3-1: TBB/TBH 2 + P; section 3.3.1 "at least six cycles". */
START_TEST(m4_s3_3_1_tbb_tbh_6) {
  ck_assert_uint_eq(CYCLES(M4, 0xd0, 0xe8, 0x01, 0xf0), 6); /* tbb [r0, r1] */
  ck_assert_uint_eq(CYCLES(M4, 0xd0, 0xe8, 0x11, 0xf0), 6); /* tbh [r0, r1, lsl #1] */
}
END_TEST

/* Table 3-1: MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL: 1 each on the M4. */
START_TEST(m4_t3_1_multiply_1) {
  ck_assert_uint_eq(CYCLES(M4, 0x01, 0xfb, 0x02, 0xf0), 1); /* mul.w r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M4, 0x48, 0x43), 1);             /* muls r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x01, 0xfb, 0x02, 0x30), 1); /* mla r0, r1, r2, r3 */
  ck_assert_uint_eq(CYCLES(M4, 0x01, 0xfb, 0x12, 0x30), 1); /* mls r0, r1, r2, r3 */
  ck_assert_uint_eq(CYCLES(M4, 0x82, 0xfb, 0x03, 0x01), 1); /* smull r0, r1, r2, r3 */
  ck_assert_uint_eq(CYCLES(M4, 0xa2, 0xfb, 0x03, 0x01), 1); /* umull */
  ck_assert_uint_eq(CYCLES(M4, 0xc2, 0xfb, 0x03, 0x01), 1); /* smlal */
  ck_assert_uint_eq(CYCLES(M4, 0xe2, 0xfb, 0x03, 0x01), 1); /* umlal */
}
END_TEST

/* Table 3-1: DSP multiplies and SIMD (SMLAD, SMUAD, SMLABB, SMULBB, SMMUL, SMLALD, UMAAL, SXTB16,
 * SXTAB16, SSAT, USAT, QADD, SADD16, PKHBT): 1 each. */
START_TEST(m4_t3_1_dsp_simd_1) {
  ck_assert_uint_eq(CYCLES(M4, 0x21, 0xfb, 0x02, 0x30), 1); /* smlad r0, r1, r2, r3 */
  ck_assert_uint_eq(CYCLES(M4, 0x21, 0xfb, 0x02, 0xf0), 1); /* smuad r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M4, 0x11, 0xfb, 0x02, 0x30), 1); /* smlabb */
  ck_assert_uint_eq(CYCLES(M4, 0x11, 0xfb, 0x02, 0xf0), 1); /* smulbb */
  ck_assert_uint_eq(CYCLES(M4, 0x51, 0xfb, 0x02, 0xf0), 1); /* smmul */
  ck_assert_uint_eq(CYCLES(M4, 0xc2, 0xfb, 0xc3, 0x01), 1); /* smlald */
  ck_assert_uint_eq(CYCLES(M4, 0xe2, 0xfb, 0x63, 0x01), 1); /* umaal */
  ck_assert_uint_eq(CYCLES(M4, 0x2f, 0xfa, 0x81, 0xf0), 1); /* sxtb16 r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x2f, 0xfa, 0x91, 0xf0), 1); /* sxtb16 r0, r1, ror #8 */
  ck_assert_uint_eq(CYCLES(M4, 0x21, 0xfa, 0x82, 0xf0), 1); /* sxtab16 */
  ck_assert_uint_eq(CYCLES(M4, 0x01, 0xf3, 0x07, 0x00), 1); /* ssat r0, #8, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x81, 0xf3, 0x08, 0x00), 1); /* usat r0, #8, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x82, 0xfa, 0x81, 0xf0), 1); /* qadd */
  ck_assert_uint_eq(CYCLES(M4, 0x91, 0xfa, 0x02, 0xf0), 1); /* sadd16 */
  ck_assert_uint_eq(CYCLES(M4, 0xc1, 0xea, 0x02, 0x40), 1); /* pkhbt r0, r1, r2, lsl #16 */
}
END_TEST

/* Table 3-1: SDIV/UDIV "2 to 12": 2 statically. */
START_TEST(m4_t3_1_divide_static_2) {
  ck_assert_uint_eq(CYCLES(M4, 0x91, 0xfb, 0xf2, 0xf0), 2); /* sdiv r0, r1, r2 */
  ck_assert_uint_eq(CYCLES(M4, 0xb4, 0xfb, 0xf5, 0xf3), 2); /* udiv r3, r4, r5 */
}
END_TEST

/* Early termination as measured on STM32F407 silicon (compendium.i-0.nl, "Division timing", issue 18 rule 5): 2 when
 * an operand is zero, 3 when the dividend has fewer significant bits than the divisor, else growing with the bit-length
 * difference up to about 7. Fitted: 3 + ceil(qbits / 8), qbits = bits(|n|) - bits(|d|) + 1 (the quotient's bits). */
START_TEST(m4_divide_measured_2_3_to_7) {
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 1, 2), 3);                /* fewer bits than the divisor: 3 */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 100, 0), 2);              /* divide by zero: 2 */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 0, 7), 2);                /* zero dividend: 2 */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 0xffffffffu, 1), 7);      /* 32 quotient bits: the maximum 7 */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 5, 7), 4);                /* same length, 1 quotient bit */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 1000, 10), 4);            /* 10 vs 4 bits: 7 quotient bits */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 0, 1000, 1), 5);             /* 10 quotient bits */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 1, (uint32_t)-1000, 10), 4); /* signed: magnitudes */
  ck_assert_uint_eq(2 + isa_test_divide(M4, 1, 0x80000000u, 1), 7);
}
END_TEST

/* Table 3-1: NOP, SEV, YIELD, WFI/WFE (1 + W), SVC, BKPT, CPSID/CPSIE, MRS/MSR ("1 or 2": 1),
 * DMB/DSB (1 + B, B >= 0): 1; ISB 1 + B with B a pipeline refill: 2. */
START_TEST(m4_t3_1_system_and_hints) {
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xbf), 1);             /* nop */
  ck_assert_uint_eq(CYCLES(M4, 0x30, 0xbf), 1);             /* wfi */
  ck_assert_uint_eq(CYCLES(M4, 0x20, 0xbf), 1);             /* wfe */
  ck_assert_uint_eq(CYCLES(M4, 0x40, 0xbf), 1);             /* sev */
  ck_assert_uint_eq(CYCLES(M4, 0x10, 0xbf), 1);             /* yield */
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xdf), 1);             /* svc 0 */
  ck_assert_uint_eq(CYCLES(M4, 0xab, 0xbe), 1);             /* bkpt 0xab */
  ck_assert_uint_eq(CYCLES(M4, 0x72, 0xb6), 1);             /* cpsid i */
  ck_assert_uint_eq(CYCLES(M4, 0xef, 0xf3, 0x10, 0x80), 1); /* mrs r0, primask */
  ck_assert_uint_eq(CYCLES(M4, 0x80, 0xf3, 0x10, 0x88), 1); /* msr primask, r0 */
  ck_assert_uint_eq(CYCLES(M4, 0xbf, 0xf3, 0x5f, 0x8f), 1); /* dmb sy */
  ck_assert_uint_eq(CYCLES(M4, 0xbf, 0xf3, 0x4f, 0x8f), 1); /* dsb sy */
  ck_assert_uint_eq(CYCLES(M4, 0xbf, 0xf3, 0x6f, 0x8f), 2); /* isb sy */
}
END_TEST

/* Table 7-1: VADD, VMUL, VCVT, VCMP, VNEG, VMOV (immediate, core <-> single), VMRS: 1. */
START_TEST(m4_t7_1_fpu_single_cycle) {
  ck_assert_uint_eq(CYCLES(M4, 0x30, 0xee, 0x81, 0x0a), 1); /* vadd.f32 s0, s1, s2 */
  ck_assert_uint_eq(CYCLES(M4, 0x20, 0xee, 0x81, 0x0a), 1); /* vmul.f32 */
  ck_assert_uint_eq(CYCLES(M4, 0xbd, 0xee, 0xc0, 0x0a), 1); /* vcvt.s32.f32 s0, s0 */
  ck_assert_uint_eq(CYCLES(M4, 0xb4, 0xee, 0x60, 0x0a), 1); /* vcmp.f32 */
  ck_assert_uint_eq(CYCLES(M4, 0xb1, 0xee, 0x60, 0x0a), 1); /* vneg.f32 */
  ck_assert_uint_eq(CYCLES(M4, 0xb7, 0xee, 0x00, 0x0a), 1); /* vmov.f32 s0, #1.0 */
  ck_assert_uint_eq(CYCLES(M4, 0x10, 0xee, 0x10, 0x0a), 1); /* vmov r0, s0 */
  ck_assert_uint_eq(CYCLES(M4, 0xf1, 0xee, 0x10, 0xfa), 1); /* vmrs APSR_nzcv, fpscr */
}
END_TEST

/* Table 7-1: VMOV two core registers <-> two singles / a double: 2. */
START_TEST(m4_t7_1_fpu_vmov_pair_2) {
  ck_assert_uint_eq(CYCLES(M4, 0x41, 0xec, 0x10, 0x0a), 2); /* vmov s0, s1, r0, r1 */
  ck_assert_uint_eq(CYCLES(M4, 0x41, 0xec, 0x10, 0x0b), 2); /* vmov d0, r0, r1 */
}
END_TEST

/* Table 7-1: VMLA, VFMA: 3; VDIV, VSQRT: 14. */
START_TEST(m4_t7_1_fpu_mac_3_div_sqrt_14) {
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xee, 0x81, 0x0a), 3);  /* vmla.f32 */
  ck_assert_uint_eq(CYCLES(M4, 0xa0, 0xee, 0x81, 0x0a), 3);  /* vfma.f32 */
  ck_assert_uint_eq(CYCLES(M4, 0x80, 0xee, 0x81, 0x0a), 14); /* vdiv.f32 */
  ck_assert_uint_eq(CYCLES(M4, 0xb1, 0xee, 0xe0, 0x0a), 14); /* vsqrt.f32 */
}
END_TEST

/* Table 7-1: VLDR/VSTR.F32 2, VLDR.F64 3, VPUSH/VPOP/VLDM 1 + N (N in words). */
START_TEST(m4_t7_1_fpu_load_store) {
  ck_assert_uint_eq(CYCLES(M4, 0x90, 0xed, 0x02, 0x0a), 2); /* vldr s0, [r0, #8] */
  ck_assert_uint_eq(CYCLES(M4, 0x80, 0xed, 0x00, 0x0a), 2); /* vstr s0, [r0] */
  ck_assert_uint_eq(CYCLES(M4, 0x90, 0xed, 0x00, 0x0b), 3); /* vldr d0, [r0] */
  ck_assert_uint_eq(CYCLES(M4, 0x2d, 0xed, 0x04, 0x8a), 5); /* vpush {s16-s19} */
  ck_assert_uint_eq(CYCLES(M4, 0xbd, 0xec, 0x04, 0x8b), 5); /* vpop {d8-d9} */
  ck_assert_uint_eq(CYCLES(M4, 0xb0, 0xec, 0x04, 0x0a), 5); /* vldmia r0!, {s0-s3} */
}
END_TEST

/* The block total is the sum of the per-instruction costs. */
START_TEST(m4_block_sum) {
  const uint8_t code[] = {0x88, 0x18, 0x08, 0x68, 0x11, 0x68, 0xfe, 0xd0}; /* adds; ldr; ldr; beq */
  isa_block_t block = isa_test_block_at(M4, 0, code, sizeof code, ISA_TEST_ADDR);
  ck_assert_uint_eq(block.insn_count, 4);
  ck_assert_uint_eq(block.insns[0].cycles, 1);
  ck_assert_uint_eq(block.insns[1].cycles, 2);
  ck_assert_uint_eq(block.insns[2].cycles, 1);
  ck_assert_uint_eq(block.insns[3].cycles, 1);
  ck_assert_uint_eq(block.cycles, 5);
  ck_assert_uint_eq(block.taken_extra_cycles, 1);
  isa_block_free(&block);
}
END_TEST

/* Issue 18 rule 4, measured (jnk0le/random "pipeline cycle test/doc/cortex_m3m4.md", STM32F103/F407): "32bit opcode
 * loads (ldr.w, ldrb.w) may fail to pipeline correctly if they are not positioned at word aligned boundaries":
 * ldr r0,[r1]; ldr.w r2,[r3] at a halfword address = 2 + 2; the same pair word-aligned (ldr.w; ldr.w) = 3. */
START_TEST(m4_unaligned_wide_load_no_pipelining) {
  ck_assert_uint_eq(CYCLES(M4, 0x08, 0x68, 0xd3, 0xf8, 0x00, 0x20), 4);
  ck_assert_uint_eq(CYCLES(M4, 0xd1, 0xf8, 0x00, 0x00, 0xd3, 0xf8, 0x00, 0x20), 3);
}
END_TEST

/* Issue 18 rule 3, measured (compendium.i-0.nl "instruction-alignment rules", STM32F4 flash): "Groups of three or
 * more unaligned wide instructions will take one extra cycle"; "Groups of unaligned wide str only add the penalty
 * cycle from a length of 4". nop; add.w x3 = 1 + 3 + 1; nop; add.w x2 = 3; add.w x3 word-aligned = 3;
 * nop; str.w x3 = 1 + 3; nop; str.w x4 = 1 + 4 + 1. */
START_TEST(m4_unaligned_wide_group_extra_cycle) {
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xbf, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00), 5);
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xbf, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00), 3);
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xf1, 0x01, 0x00), 3);
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xbf, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00), 4);
  ck_assert_uint_eq(CYCLES(M4, 0x00, 0xbf, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00, 0xc1, 0xf8, 0x04, 0x00, 0xc1,
                           0xf8, 0x04, 0x00),
                    6);
}
END_TEST

static Suite *m4_suite(void) {
  Suite *suite = suite_create("timing_m4");
  TCase *tc = tcase_create("ddi0439b");
  tcase_add_test(tc, m4_t3_1_alu_1);
  tcase_add_test(tc, m4_t3_1_single_load_store_2);
  tcase_add_test(tc, m4_s3_3_1_str_imm_1);
  tcase_add_test(tc, m4_store_then_load_extra_cycle);
  tcase_add_test(tc, m4_s3_3_1_ldr_ldr_3);
  tcase_add_test(tc, m4_s3_3_1_three_loads_4);
  tcase_add_test(tc, m4_s3_3_1_ldr_str_3);
  tcase_add_test(tc, m4_s3_3_1_address_dependency_no_pipelining);
  tcase_add_test(tc, m4_s3_3_1_store_register_offset_blocks);
  tcase_add_test(tc, m4_t3_1_note_b_store_run);
  tcase_add_test(tc, m4_s3_3_1_ldrex_strex_pipeline);
  tcase_add_test(tc, m4_s3_3_1_agu_stall_after_alu);
  tcase_add_test(tc, m4_t3_1_ldrd_strd_3);
  tcase_add_test(tc, m4_t3_1_ldm_stm_1_plus_n);
  tcase_add_test(tc, m4_t3_1_pop_pc_1_plus_n_plus_p);
  tcase_add_test(tc, m4_s3_3_1_ldr_pc_5);
  tcase_add_test(tc, m4_t3_1_branch_1_plus_p);
  tcase_add_test(tc, m4_t3_1_conditional_branch_1_or_1_plus_p);
  tcase_add_test(tc, m4_it_conditional_pc_writes);
  tcase_add_test(tc, m4_s3_3_1_tbb_tbh_6);
  tcase_add_test(tc, m4_t3_1_multiply_1);
  tcase_add_test(tc, m4_t3_1_dsp_simd_1);
  tcase_add_test(tc, m4_t3_1_divide_static_2);
  tcase_add_test(tc, m4_divide_measured_2_3_to_7);
  tcase_add_test(tc, m4_t3_1_system_and_hints);
  tcase_add_test(tc, m4_t7_1_fpu_single_cycle);
  tcase_add_test(tc, m4_t7_1_fpu_vmov_pair_2);
  tcase_add_test(tc, m4_t7_1_fpu_mac_3_div_sqrt_14);
  tcase_add_test(tc, m4_t7_1_fpu_load_store);
  tcase_add_test(tc, m4_block_sum);
  tcase_add_test(tc, m4_unaligned_wide_load_no_pipelining);
  tcase_add_test(tc, m4_unaligned_wide_group_extra_cycle);
  suite_add_tcase(suite, tc);
  return suite;
}

Suite *test_suite(void) { return m4_suite(); }
