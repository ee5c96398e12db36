/* tests/cli/test_timing.c — instruction timing measured the way one measures it on a board: the
 * microbenchmark firmware (tests/firmware/ubench/ubench.c) times each sequence with DWT->CYCCNT over REPS
 * repetitions minus an empty measurement, under `mcusim run` on the zero-wait-state profiles. Every figure below is
 * the Technical Reference Manual's (M0+: DDI 0484C table 3-1; M3: DDI 0337I table 3-1 and 3.3.1; M4: DDI 0439B
 * table 3-1 and 3.3.1), or for the M7 the documented assumption of the approximate model (docs/timing.md).
 * Sequences that end in "mov r8, r8" (a NOP, 1 cycle) include it: it keeps repetitions from pipelining. */
#include "tests/support/check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

/* The firmware's figure for `name` ("name cycles" on a line of its own), or -1. */
static long measured(const char *name) {
  size_t len = strlen(name);
  for (const char *line = cli_output; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (strncmp(line, name, len) == 0 && line[len] == ' ') return strtol(line + len + 1, NULL, 10);
  return -1;
}

typedef struct {
  const char *name;
  unsigned cycles; /* per repetition */
  const char *rule;
} expect_t;

static void check_core(const char *core, const expect_t *want, size_t n) {
  char args[1024];
  snprintf(args, sizeof args, "run -p cortex-%s-0ws %s/ubench_%s.elf", core, FIRMWARE_DIR, core);
  ck_assert_msg(cli_mcusim(args) == 0, "mcusim %s failed:\n%s", args, cli_output);
  long reps = measured("reps");
  ck_assert_int_gt(reps, 0);
  for (size_t i = 0; i < n; i++) {
    long got = measured(want[i].name);
    ck_assert_msg(got >= 0, "%s: %s not printed", core, want[i].name);
    ck_assert_msg(got == reps * (long)want[i].cycles,
                  "%s %s (%s): measured %ld cycles for %ld repetitions, want %u each", core, want[i].name, want[i].rule,
                  got, reps, want[i].cycles);
  }
}

#define CHECK_CORE(core, table) check_core(core, table, sizeof table / sizeof table[0])

/* DDI 0484C table 3-1 (fast multiplier). No load pipelining on the M0+. */
static const expect_t m0plus[] = {
    {"alu", 1, "ADDS 1"},
    {"mov_high", 1, "MOV high register 1"},
    {"b", 2, "B 2 (taken)"},
    {"bcc_taken", 3, "CMP 1 + B<cc> taken 2"},
    {"bcc_not_taken", 2, "CMP 1 + B<cc> not taken 1"},
    {"bl_bx", 5, "BL 3 + BX 2"},
    {"bl_pop_pc", 9, "BL 3 + PUSH {lr} 1+N + POP {pc} 3+N"},
    {"push_pop_2", 6, "PUSH/POP 1+N each"},
    {"ldr", 2, "LDR 2"},
    {"ldr_ldr", 4, "LDR 2 + LDR 2: no pipelining"},
    {"str", 2, "STR 2"},
    {"ldm_3", 4, "LDM 1+N"},
    {"stm_2", 3, "STM 1+N"},
    {"muls", 1, "MULS 1 (fast multiplier)"},
};

/* Rules the M3 (DDI 0337I) and M4 (DDI 0439B) share: table 3-1 and section 3.3.1. */
#define V7M_SHARED                                                                                                     \
  {"alu", 1, "ADDS 1"}, {"mov_high", 1, "MOV 1"}, {"b", 2, "B 1+P, P=1"}, {"bcc_taken", 3, "CMP 1 + B<c> taken 1+P"},  \
      {"bcc_not_taken", 2, "CMP 1 + B<c> not taken 1"}, {"cbz_taken", 2, "CBZ taken 1+P"},                             \
      {"cbnz_not_taken", 1, "CBNZ not taken 1"}, {"bl_bx", 4, "BL 1+P + BX 1+P"},                                      \
      {"bl_pop_pc", 9, "BL 2 + PUSH {lr} 1+N + POP {pc} 1+N+P, P=3"},                                                  \
      {"push_pop_2", 6, "PUSH/POP 1+N each, not pipelined"}, {"ldr", 3, "LDR 2 (+ NOP 1)"},                            \
      {"ldr_ldr", 4, "LDR;LDR 3 (+ NOP)"}, {"ldr_3", 5, "three loads 4 (+ NOP)"}, {"ldr_str", 4, "LDR;STR 3 (+ NOP)"}, \
      {"ldr_addr_dep", 5, "loaded register as next address: 2 + 2 (+ NOP)"},                                           \
      {"str_reg_ldr", 5, "nothing pipelines after STR register offset: 2 + 2 (+ NOP)"},                                \
      {"str_imm_ldr", 5, "STR #imm 1 + 1 before a load, LDR 2 (jnk0le) (+ NOP)"},                                      \
      {"alu_addr", 5, "ALU result as next address: 1 + 2 + 1 stall (+ NOP)"},                                          \
      {"ldr_ldrw_unaligned", 5, "LDR 2 + LDR.W at a halfword address 2, not pipelined (jnk0le) + NOP"},                \
      {"ldrw_ldrw_aligned", 5, "LDR.W;LDR.W word-aligned 3 + 2 NOPs"},                                                 \
      {"wide3_unaligned", 6, "NOP + 3 unaligned ADD.W + 1 (compendium: groups of 3) + NOP"},                           \
      {"wide3_aligned", 3, "3 word-aligned ADD.W"},                                                                    \
      {"strw3_unaligned", 5, "NOP + 3 unaligned STR.W 1 each, no penalty below 4 stores (compendium) + NOP"},          \
      {"strw4_unaligned", 9, "NOP + 4 unaligned STR.W + 1 (compendium) + 3 NOPs"},                                     \
      {"b_to_unaligned_wide", 5, "B 2 + 1 to an unaligned 32-bit target (compendium) + ADD.W + NOP"},                  \
      {"b_to_aligned_wide", 3, "B 2 + ADD.W at a word address"},                                                       \
      {"ldr_flash_sram", 5, "LDR flash; LDR SRAM: different memory blocks, no pipelining (jnk0le) 2 + 2 + NOP"},       \
      {"ldr_sram_flash", 5, "LDR SRAM; LDR flash: 2 + 2 + NOP"},                                                       \
      {"ldr_flash_flash", 4, "LDR flash; LDR flash: one block, pipelined 3 + NOP"},                                    \
      {"ldr_sram_sram", 4, "LDR SRAM; LDR SRAM: pipelined 3 + NOP"},                                                   \
      {"ldr_literal_sram", 6, "LDR [PC,#0] (flash); LDR SRAM: 2 + 2 + 2 NOPs"},                                        \
      {"ldr_flash_str_sram", 5, "LDR flash; STR #imm SRAM: not pipelined 2 + 2 + NOP (jnk0le)"},                       \
      {"ldr_sram_str_sram", 4, "LDR SRAM; STR #imm SRAM: 2 + 1 + NOP"},                                                \
      {"str_run_4", 5, "4 neighbouring STR #imm, 1 each (TRM 3.3.1, jnk0le) (+ NOP)"},                                 \
      {"ldrd", 4, "LDRD 1+N = 3 (+ NOP)"}, {"ldm_3", 4, "LDM 1+N"}, {"stm_2", 3, "STM 1+N"}, {"mul", 1, "MUL 1"},      \
      {"udiv_5_by_100", 3, "UDIV, dividend shorter than divisor: 3 (measured, compendium)"},                           \
      {"udiv_100_by_7", 4, "UDIV, 5 quotient bits: 3 + ceil(5/8)"},                                                    \
      {"udiv_max_by_1", 7, "UDIV, 32 quotient bits: 7 (measured maximum)"}, {"udiv_by_0", 2, "UDIV by 0: 2"},          \
      {"udiv_0_by_7", 2, "UDIV zero dividend: 2"}, {"udiv_1000_by_1", 5, "UDIV, 10 quotient bits: 3 + ceil(10/8)"},    \
      {"sdiv_minus_100_by_7", 4, "SDIV |-100|/7: 3 + ceil(5/8)"},                                                      \
      {"udiv_nosize_max_by_1", 11, "BL 2 + UDIV 0xFFFFFFFF/1 7 in an asm function without .size + BX 2"}, {            \
    "it_2", 4, "CMP 1 + IT 1 + two conditional ADDs 1 each"                                                            \
  }

static const expect_t m3[] = {
    V7M_SHARED,
    {"str_imm", 2, "STR #imm 1 (TRM 3.3.1, jnk0le) + NOP"},
    {"str_post", 2, "STR post-indexed 1 when not after a load (jnk0le, M3) + NOP"},
    {"ldr_str_post", 5, "LDR 2 + STR post-indexed after a load 2 on the M3 (jnk0le) + NOP"},
    {"mla", 2, "MLA 2 on the M3"},
    {"umull", 3, "UMULL 3 to 5: 3 for small operands"},
};

static const expect_t m4[] = {
    V7M_SHARED,
    {"str_imm", 2, "STR #imm 1 (TRM 3.3.1, jnk0le) + NOP"},
    {"str_post", 2, "STR post-indexed 1 on the M4 (jnk0le) + NOP"},
    {"ldr_str_post", 4, "LDR 2 + STR post-indexed 1 (jnk0le) + NOP"},
    {"mla", 1, "MLA 1 on the M4"},
    {"umull", 1, "UMULL 1"},
    {"dsp_4", 4, "SMLAD, QADD, SSAT, SXTB16: 1 each"},
};

/* Cortex-M7: no published table; these are the approximate model's stated assumptions (docs/timing.md). */
static const expect_t m7[] = {
    {"ldr", 1, "LDR + NOP dual-issue"},
    {"ldr_ldr", 2, "one load/store per pair: LDR;LDR 2, the NOP pairs with the second"},
    {"b", 2, "B taken: 1 + 1 bubble"},
    {"bcc_taken", 2, "CMP + B<c> pair 1, taken + 1"},
    {"bcc_not_taken", 1, "CMP + B<c> pair, not taken 1"},
    {"udiv_5_by_100", 3, "UDIV 3 + ceil(0/2)"},
    {"udiv_100_by_7", 6, "UDIV 3 + ceil(5/2)"},
    {"udiv_max_by_1", 19, "UDIV 3 + ceil(32/2)"},
    {"udiv_by_0", 3, "UDIV by 0: 3"},
    {"sdiv_minus_100_by_7", 7, "SDIV 3 + ceil(5/2) + 1"},
    {"dsp_4", 4, "SMLAD, QADD, SSAT, SXTB16 dependent chain: 1 each"},
};

START_TEST(cortex_m0plus_manual) { CHECK_CORE("m0plus", m0plus); }
END_TEST
START_TEST(cortex_m3_manual) { CHECK_CORE("m3", m3); }
END_TEST
START_TEST(cortex_m4_manual) { CHECK_CORE("m4", m4); }
END_TEST
START_TEST(cortex_m7_model_assumptions) { CHECK_CORE("m7", m7); }
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("timing");
  TCase *tc = tcase_create("ubench");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, cortex_m0plus_manual);
  tcase_add_test(tc, cortex_m3_manual);
  tcase_add_test(tc, cortex_m4_manual);
  tcase_add_test(tc, cortex_m7_model_assumptions);
  suite_add_tcase(s, tc);
  return s;
}
