/* tests/isa/test_isa.c — isa/isa.c: core names, errors, block decoding, flags, divide operands and
 * the memory-address descriptions the simulator uses to find which instruction touched MMIO. */
#include <string.h>

#include <capstone/capstone.h>

#include "isa_test.h"
#include "tests/support/check_main.h"

/* Decode one instruction (or a short sequence) with the M4 model at `addr`, return insn `index`. */
static isa_insn_t insn_at(const uint8_t *code, size_t size, uint32_t addr, unsigned index) {
  isa_block_t block = isa_test_block_at(ISA_CORE_M4, 0, code, size, addr);
  ck_assert_uint_gt(block.insn_count, index);
  isa_insn_t insn = block.insns[index];
  isa_block_free(&block);
  return insn;
}

#define INSN(...) insn_at(ISA_BYTES(__VA_ARGS__), ISA_TEST_ADDR, 0)

START_TEST(core_names_round_trip) {
  const char *names[] = {"m0plus", "m3", "m4", "m7"};
  for (int i = 0; i < ISA_CORE_COUNT; i++) {
    ck_assert_int_eq(isa_core_from_name(names[i]), i);
    ck_assert_str_eq(isa_core_name((isa_core_t)i), names[i]);
  }
  ck_assert_int_eq(isa_core_from_name("m33"), -1);
  ck_assert_int_eq(isa_core_from_name(NULL), -1);
  ck_assert_ptr_null(isa_core_name(ISA_CORE_COUNT));
}
END_TEST

START_TEST(errors_and_arguments) {
  for (int e = ISA_OK; e <= ISA_E_ARG; e++) ck_assert_ptr_nonnull(isa_strerror((isa_err)e));
  isa_t *isa = NULL;
  isa_config_t bad = {.core = ISA_CORE_COUNT};
  ck_assert_int_eq(isa_open(&bad, &isa), ISA_E_ARG);
  ck_assert_int_eq(isa_open(NULL, &isa), ISA_E_ARG);
  isa_config_t bad_mul = {.core = ISA_CORE_M0PLUS, .mul_cycles = 33};
  ck_assert_int_eq(isa_open(&bad_mul, &isa), ISA_E_ARG);
  isa_close(NULL);
  isa_block_free(NULL);
}
END_TEST

START_TEST(undecodable_first_insn) {
  isa_config_t config = {.core = ISA_CORE_M4};
  isa_t *isa = NULL;
  ck_assert_int_eq(isa_open(&config, &isa), ISA_OK);
  const uint8_t half_of_wide[] = {0x51, 0xf8}; /* first halfword of ldr.w only */
  isa_block_t block;
  ck_assert_int_eq(isa_analyze_block(isa, half_of_wide, sizeof half_of_wide, 0x100, &block), ISA_E_UNDECODABLE);
  /* decoding stops at the first undecodable halfword after at least one instruction */
  const uint8_t nop_then_half[] = {0x00, 0xbf, 0x51, 0xf8};
  ck_assert_int_eq(isa_analyze_block(isa, nop_then_half, sizeof nop_then_half, 0x100, &block), ISA_OK);
  ck_assert_uint_eq(block.insn_count, 1);
  ck_assert_uint_eq(block.end, 0x102);
  isa_block_free(&block);
  isa_close(isa);
}
END_TEST

START_TEST(block_fields) {
  /* adds r0, r1, r2; sdiv r0, r1, r2; ldr.w r0, [r1, #4]; udiv r3, r4, r5; bx lr */
  const uint8_t code[] = {0x88, 0x18, 0x91, 0xfb, 0xf2, 0xf0, 0xd1, 0xf8,
                          0x04, 0x00, 0xb4, 0xfb, 0xf5, 0xf3, 0x70, 0x47};
  isa_block_t block = isa_test_block_at(ISA_CORE_M4, 0, code, sizeof code, 0x2000);
  ck_assert_uint_eq(block.addr, 0x2000);
  ck_assert_uint_eq(block.end, 0x2010);
  ck_assert_uint_eq(block.insn_count, 5);
  ck_assert_uint_eq(block.divide_count, 2);
  ck_assert_uint_eq(block.insns[0].addr, 0x2000);
  ck_assert_uint_eq(block.insns[0].size, 2);
  ck_assert_uint_eq(block.insns[1].addr, 0x2002);
  ck_assert_uint_eq(block.insns[1].size, 4);
  ck_assert_uint_eq(block.insns[1].id, ARM_INS_SDIV);
  uint32_t sum = 0;
  for (uint32_t i = 0; i < block.insn_count; i++) sum += block.insns[i].cycles;
  ck_assert_uint_eq(block.cycles, sum);
  isa_block_free(&block);
  ck_assert_ptr_null(block.insns);
}
END_TEST

START_TEST(divide_flags_and_operands) {
  isa_insn_t sdiv = INSN(0x91, 0xfb, 0xf2, 0xf0); /* sdiv r0, r1, r2 */
  ck_assert_uint_eq(sdiv.flags, ISA_F_DIVIDE | ISA_F_SIGNED);
  ck_assert_int_eq(sdiv.div_rn, 1);
  ck_assert_int_eq(sdiv.div_rm, 2);
  isa_insn_t udiv = INSN(0xb4, 0xfb, 0xf5, 0xf3); /* udiv r3, r4, r5 */
  ck_assert_uint_eq(udiv.flags, ISA_F_DIVIDE);
  ck_assert_int_eq(udiv.div_rn, 4);
  ck_assert_int_eq(udiv.div_rm, 5);
  isa_insn_t add = INSN(0x88, 0x18); /* adds r0, r1, r2 */
  ck_assert_uint_eq(add.flags, 0);
  ck_assert_int_eq(add.div_rn, -1);
  ck_assert_int_eq(add.mem.base, -1);
}
END_TEST

START_TEST(branch_flags) {
  ck_assert_uint_eq(INSN(0xfe, 0xe7).flags, ISA_F_BRANCH);                          /* b . */
  ck_assert_uint_eq(INSN(0xfe, 0xd0).flags, ISA_F_BRANCH | ISA_F_COND_BRANCH);      /* beq . */
  ck_assert_uint_eq(INSN(0x00, 0xb1).flags, ISA_F_BRANCH | ISA_F_COND_BRANCH);      /* cbz r0 */
  ck_assert_uint_eq(INSN(0x00, 0xb9).flags, ISA_F_BRANCH | ISA_F_COND_BRANCH);      /* cbnz r0 */
  ck_assert_uint_eq(INSN(0xff, 0xf7, 0xfe, 0xff).flags, ISA_F_BRANCH | ISA_F_CALL); /* bl . */
  ck_assert_uint_eq(INSN(0x70, 0x47).flags, ISA_F_BRANCH | ISA_F_RETURN);           /* bx lr */
  ck_assert_uint_eq(INSN(0x98, 0x47).flags, ISA_F_BRANCH | ISA_F_CALL);             /* blx r3 */
  ck_assert_uint_eq(INSN(0xf7, 0x46).flags, ISA_F_BRANCH);                          /* mov pc, lr */
  ck_assert_uint_eq(INSN(0x87, 0x44).flags, ISA_F_BRANCH);                          /* add pc, r0 */
  ck_assert_uint_eq(INSN(0x10, 0xbd).flags,
                    ISA_F_BRANCH | ISA_F_RETURN | ISA_F_MEM | ISA_F_WRITES_SP); /* pop {r4, pc} */
  ck_assert_uint_eq(INSN(0xf0, 0xbc).flags, ISA_F_MEM | ISA_F_WRITES_SP);       /* pop {r4-r7} */
  ck_assert_uint_eq(INSN(0x5d, 0xf8, 0x04, 0xfb).flags,
                    ISA_F_BRANCH | ISA_F_RETURN | ISA_F_MEM | ISA_F_WRITES_SP);    /* ldr.w pc, [sp], #4 */
  ck_assert_uint_eq(INSN(0x90, 0xe8, 0x06, 0x80).flags, ISA_F_BRANCH | ISA_F_MEM); /* ldm r0, {r1, r2, pc} */
  ck_assert_uint_eq(INSN(0xd0, 0xe8, 0x01, 0xf0).flags, ISA_F_BRANCH | ISA_F_MEM); /* tbb [r0, r1] */
  ck_assert_uint_eq(INSN(0xbd, 0xe8, 0x10, 0x80).flags,
                    ISA_F_BRANCH | ISA_F_RETURN | ISA_F_MEM | ISA_F_WRITES_SP); /* pop.w {r4, pc} */
  ck_assert_uint_eq(INSN(0x00, 0xbf).flags, 0);                                 /* nop */
}
END_TEST

/* The simulator samples SP only after blocks that may move it. */
START_TEST(writes_sp_flag) {
  ck_assert_uint_eq(INSN(0x84, 0xb0).flags, ISA_F_WRITES_SP);                               /* sub sp, #16 */
  ck_assert_uint_eq(INSN(0x85, 0x46).flags, ISA_F_WRITES_SP);                               /* mov sp, r0 */
  ck_assert_uint_eq(INSN(0x4d, 0xf8, 0x04, 0x0d).flags & ISA_F_WRITES_SP, ISA_F_WRITES_SP); /* str r0, [sp, #-4]! */
  ck_assert_uint_eq(INSN(0x08, 0x44).flags, 0);                                             /* add r0, r1 */
  ck_assert_uint_eq(INSN(0x00, 0x98).flags & ISA_F_WRITES_SP, 0);                           /* ldr r0, [sp] */
}
END_TEST

/* Decoded as a block, instructions inside an IT block keep their condition: a BX/POP {pc} there is a
 * conditional branch; a conditional MOV is not a branch at all. */
START_TEST(it_block_conditions_survive) {
  const uint8_t bxeq[] = {0x08, 0xbf, 0x70, 0x47}; /* it eq; bxeq lr */
  ck_assert_uint_eq(insn_at(bxeq, sizeof bxeq, ISA_TEST_ADDR, 1).flags,
                    ISA_F_BRANCH | ISA_F_COND_BRANCH | ISA_F_RETURN);
  ck_assert_uint_eq(insn_at(bxeq, sizeof bxeq, ISA_TEST_ADDR, 0).flags, 0);
  const uint8_t popne[] = {0x18, 0xbf, 0x10, 0xbd}; /* it ne; popne {r4, pc} */
  ck_assert_uint_eq(insn_at(popne, sizeof popne, ISA_TEST_ADDR, 1).flags,
                    ISA_F_BRANCH | ISA_F_COND_BRANCH | ISA_F_RETURN | ISA_F_MEM | ISA_F_WRITES_SP);
  const uint8_t beq_in_it[] = {0x08, 0xbf, 0xff, 0xe7}; /* it eq; beq.n +2 (in an IT block) */
  ck_assert_uint_eq(insn_at(beq_in_it, sizeof beq_in_it, ISA_TEST_ADDR, 1).flags, ISA_F_BRANCH | ISA_F_COND_BRANCH);
  const uint8_t moveq[] = {0x08, 0xbf, 0x08, 0x46}; /* it eq; moveq r0, r1 */
  ck_assert_uint_eq(insn_at(moveq, sizeof moveq, ISA_TEST_ADDR, 1).flags, 0);
}
END_TEST

/* str r3, [r2, #4] -> base 2, disp 4, no index, single transfer */
START_TEST(mem_immediate_offset) {
  isa_insn_t insn = INSN(0x53, 0x60);
  ck_assert_uint_eq(insn.flags, ISA_F_MEM);
  ck_assert_int_eq(insn.mem.base, 2);
  ck_assert_int_eq(insn.mem.index, -1);
  ck_assert_int_eq(insn.mem.disp, 4);
  ck_assert_uint_eq(insn.mem.count, 0);
  ck_assert_uint_eq(insn.mem.descending, 0);
  isa_insn_t neg = INSN(0x31, 0xf9, 0x02, 0x0c); /* ldrsh.w r0, [r1, #-2] */
  ck_assert_int_eq(neg.mem.base, 1);
  ck_assert_int_eq(neg.mem.disp, -2);
}
END_TEST

/* ldr r0, [pc, #24] -> base -1, disp = Align(addr + 4, 4) + 24, at aligned and unaligned addresses;
 * ldr.w r0, [pc, #-8] -> negative literal offset; vldr s0, [pc, #8] likewise. */
START_TEST(mem_literal_is_absolute) {
  const uint8_t ldr_lit[] = {0x06, 0x48};
  isa_insn_t a = insn_at(ldr_lit, sizeof ldr_lit, 0x1000, 0);
  ck_assert_int_eq(a.mem.base, -1);
  ck_assert_int_eq(a.mem.disp, 0x1004 + 24);
  isa_insn_t b = insn_at(ldr_lit, sizeof ldr_lit, 0x1002, 0);
  ck_assert_int_eq(b.mem.base, -1);
  ck_assert_int_eq(b.mem.disp, 0x1004 + 24);
  const uint8_t ldrw_lit[] = {0x5f, 0xf8, 0x08, 0x00};
  isa_insn_t c = insn_at(ldrw_lit, sizeof ldrw_lit, 0x2002, 0);
  ck_assert_int_eq(c.mem.base, -1);
  ck_assert_int_eq(c.mem.disp, 0x2004 - 8);
  const uint8_t vldr_lit[] = {0x9f, 0xed, 0x02, 0x0a};
  isa_insn_t d = insn_at(vldr_lit, sizeof vldr_lit, 0x3000, 0);
  ck_assert_int_eq(d.mem.base, -1);
  ck_assert_int_eq(d.mem.disp, 0x3004 + 8);
}
END_TEST

/* ldr.w r0, [r1, r2, lsl #2] -> base 1, index 2, shift 2, sign +1; tbh [r0, r1, lsl #1] likewise. */
START_TEST(mem_register_offset) {
  isa_insn_t insn = INSN(0x51, 0xf8, 0x22, 0x00);
  ck_assert_int_eq(insn.mem.base, 1);
  ck_assert_int_eq(insn.mem.index, 2);
  ck_assert_uint_eq(insn.mem.shift, 2);
  ck_assert_int_eq(insn.mem.index_sign, 1);
  ck_assert_int_eq(insn.mem.disp, 0);
  isa_insn_t tbh = INSN(0xd0, 0xe8, 0x11, 0xf0);
  ck_assert_int_eq(tbh.mem.base, 0);
  ck_assert_int_eq(tbh.mem.index, 1);
  ck_assert_uint_eq(tbh.mem.shift, 1);
  isa_insn_t ldrsb = INSN(0x88, 0x56); /* ldrsb r0, [r1, r2] */
  ck_assert_int_eq(ldrsb.mem.base, 1);
  ck_assert_int_eq(ldrsb.mem.index, 2);
  ck_assert_uint_eq(ldrsb.mem.shift, 0);
}
END_TEST

/* Post-indexed forms access the base as it was: disp 0. Pre-indexed with write-back keep the offset. */
START_TEST(mem_post_and_pre_index) {
  isa_insn_t post = INSN(0x51, 0xf8, 0x04, 0x0b); /* ldr.w r0, [r1], #4 */
  ck_assert_int_eq(post.mem.base, 1);
  ck_assert_int_eq(post.mem.disp, 0);
  isa_insn_t post_neg = INSN(0x11, 0xf8, 0x01, 0x09); /* ldrb.w r0, [r1], #-1 */
  ck_assert_int_eq(post_neg.mem.disp, 0);
  isa_insn_t pre = INSN(0x51, 0xf8, 0x04, 0x0d); /* ldr.w r0, [r1, #-4]! */
  ck_assert_int_eq(pre.mem.base, 1);
  ck_assert_int_eq(pre.mem.disp, -4);
  isa_insn_t strd_post = INSN(0x62, 0xe8, 0x02, 0x01); /* strd r0, r1, [r2], #-8 */
  ck_assert_int_eq(strd_post.mem.base, 2);
  ck_assert_int_eq(strd_post.mem.disp, 0);
  ck_assert_uint_eq(strd_post.mem.count, 2);
}
END_TEST

/* LDRD/STRD are memory instructions covering two words: ldrd r0, r1, [r2, #8] -> base 2, disp 8, count 2. */
START_TEST(mem_doubleword) {
  isa_insn_t insn = INSN(0xd2, 0xe9, 0x02, 0x01);
  ck_assert_uint_eq(insn.flags, ISA_F_MEM);
  ck_assert_int_eq(insn.mem.base, 2);
  ck_assert_int_eq(insn.mem.disp, 8);
  ck_assert_uint_eq(insn.mem.count, 2);
  ck_assert_uint_eq(insn.mem.descending, 0);
}
END_TEST

/* push {r4-r7, lr} -> base 13, count 5, descending; pop {r4, pc} -> base 13, count 2, ascending;
 * ldmdb r0!, {r1-r3} -> base 0, count 3, descending; stmia r0!, {r1, r2} -> count 2 ascending;
 * vpush {d8-d9} -> base 13, 4 words, descending. */
START_TEST(mem_multiple) {
  isa_insn_t push = INSN(0xf0, 0xb5);
  ck_assert_uint_eq(push.flags, ISA_F_MEM | ISA_F_WRITES_SP);
  ck_assert_int_eq(push.mem.base, 13);
  ck_assert_uint_eq(push.mem.count, 5);
  ck_assert_uint_eq(push.mem.descending, 1);
  ck_assert_int_eq(push.mem.disp, 0);
  isa_insn_t pop = INSN(0x10, 0xbd);
  ck_assert_int_eq(pop.mem.base, 13);
  ck_assert_uint_eq(pop.mem.count, 2);
  ck_assert_uint_eq(pop.mem.descending, 0);
  isa_insn_t ldmdb = INSN(0x30, 0xe9, 0x0e, 0x00);
  ck_assert_int_eq(ldmdb.mem.base, 0);
  ck_assert_uint_eq(ldmdb.mem.count, 3);
  ck_assert_uint_eq(ldmdb.mem.descending, 1);
  isa_insn_t stmia = INSN(0x06, 0xc0);
  ck_assert_int_eq(stmia.mem.base, 0);
  ck_assert_uint_eq(stmia.mem.count, 2);
  ck_assert_uint_eq(stmia.mem.descending, 0);
  isa_insn_t stmdb_sp = INSN(0x2d, 0xe9, 0xf0, 0x0f); /* push.w {r4-r11} (stmdb sp!) */
  ck_assert_int_eq(stmdb_sp.mem.base, 13);
  ck_assert_uint_eq(stmdb_sp.mem.count, 8);
  ck_assert_uint_eq(stmdb_sp.mem.descending, 1);
  isa_insn_t vpush = INSN(0x2d, 0xed, 0x04, 0x8b);
  ck_assert_int_eq(vpush.mem.base, 13);
  ck_assert_uint_eq(vpush.mem.count, 4);
  ck_assert_uint_eq(vpush.mem.descending, 1);
}
END_TEST

/* PLD is a hint with no data access the simulator could see. */
START_TEST(mem_pld_is_not_memory) { ck_assert_uint_eq(INSN(0x90, 0xf8, 0x04, 0xf0).flags, 0); }
END_TEST

START_TEST(disasm_text) {
  isa_config_t config = {.core = ISA_CORE_M4};
  isa_t *isa = NULL;
  ck_assert_int_eq(isa_open(&config, &isa), ISA_OK);
  char buf[64];
  const uint8_t adds[] = {0x88, 0x18};
  isa_disasm(isa, adds, sizeof adds, 0x100, buf, sizeof buf);
  ck_assert_str_eq(buf, "adds r0, r1, r2");
  const uint8_t nop[] = {0x00, 0xbf};
  isa_disasm(isa, nop, sizeof nop, 0x100, buf, sizeof buf);
  ck_assert_str_eq(buf, "nop");
  const uint8_t half[] = {0x51, 0xf8};
  isa_disasm(isa, half, sizeof half, 0x100, buf, sizeof buf);
  ck_assert_str_eq(buf, "(undecodable)");
  char tiny[4];
  isa_disasm(isa, adds, sizeof adds, 0x100, tiny, sizeof tiny);
  ck_assert_uint_eq(strlen(tiny), 3);
  isa_close(isa);
}
END_TEST

static Suite *isa_suite(void) {
  Suite *suite = suite_create("isa");
  TCase *tc = tcase_create("decode");
  tcase_add_test(tc, core_names_round_trip);
  tcase_add_test(tc, errors_and_arguments);
  tcase_add_test(tc, undecodable_first_insn);
  tcase_add_test(tc, block_fields);
  tcase_add_test(tc, divide_flags_and_operands);
  tcase_add_test(tc, branch_flags);
  tcase_add_test(tc, writes_sp_flag);
  tcase_add_test(tc, it_block_conditions_survive);
  tcase_add_test(tc, mem_immediate_offset);
  tcase_add_test(tc, mem_literal_is_absolute);
  tcase_add_test(tc, mem_register_offset);
  tcase_add_test(tc, mem_post_and_pre_index);
  tcase_add_test(tc, mem_doubleword);
  tcase_add_test(tc, mem_multiple);
  tcase_add_test(tc, mem_pld_is_not_memory);
  tcase_add_test(tc, disasm_text);
  suite_add_tcase(suite, tc);
  return suite;
}

Suite *test_suite(void) { return isa_suite(); }
