/* tests/cli/test_faulting_fw.c — firmware that faults in ways test_run.c does not cover (stack
 * overflow through .bss, an arena larger than SRAM, unaligned LDRD/LDM/STM on the M4 and any unaligned access on
 * the M0+, a jump to an even SRAM address, undefined instructions inside a block): each run stops with exit 3, one
 * diagnostic line (PC, symbol, instruction) and a partial report with the fault and all registers; never a crash. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

static const struct {
  const char *firmware, *profile;
  const char *kind;   /* result.fault.kind */
  const char *symbol; /* prefix of result.fault.symbol */
  const char *says;   /* in the diagnostic line */
} cases[] = {
    /* the recursion writes through .bss and .data and faults below the SRAM base */
    {"m4_stack_overflow", "cortex-m4-0ws", "write_unmapped", "dive", "write to unmapped address 0x1fff"},
    /* the loop runs from the arena over the stack and faults at the end of SRAM */
    {"m4_arena_overflow", "cortex-m4-0ws", "write_unmapped", "faulting_function", "0x20040000"},
    {"m4_even_jump_sram", "cortex-m4-0ws", "exception", "", "even address"},
    {"m4_udf_mid_block", "cortex-m4-0ws", "undefined_instruction", "faulting_function", "udf #7"},
    {"m4_udf_wide_mid_block", "cortex-m4-0ws", "undefined_instruction", "faulting_function", "udf.w #0x2a"},
    {"m0_ldr_unaligned", M0_PROFILE, "unaligned", "faulting_function", "ldr"},
    {"m0_ldrh_unaligned", M0_PROFILE, "unaligned", "faulting_function", "ldrh"},
    {"m0_str_unaligned", M0_PROFILE, "unaligned", "faulting_function", "str"},
    {"m0_udf_mid_block", M0_PROFILE, "undefined_instruction", "faulting_function", "udf #7"},
};

/* Unicorn 2.0.1 (QEMU 5.0) checks no alignment for LDRD/STRD/LDM/STM on ARMv7-M; `--check-alignment` hooks those
 * instructions and faults them as a Cortex-M4 does (UNALIGNED UsageFault). Without it they run on, and still must
 * not crash the simulator. */
static const struct {
  const char *firmware, *insn;
} unaligned_v7m[] = {{"m4_ldrd_unaligned", "ldrd"}, {"m4_ldm_unaligned", "ldm"}, {"m4_stm_unaligned", "stm"}};

START_TEST(unaligned_multiword_access_on_m4) {
  char args[1024], out[512];
  snprintf(out, sizeof out, "%s/%s.json", WORK_DIR, unaligned_v7m[_i].firmware);
  remove(out);
  snprintf(args, sizeof args, "run --check-alignment -p cortex-m4-0ws -r %s %s/%s.elf", out, FIRMWARE_DIR,
           unaligned_v7m[_i].firmware);
  ck_assert_int_eq(cli_mcusim(args), 3);
  ck_assert_msg(strstr(cli_output, "unaligned multi-word access") && strstr(cli_output, unaligned_v7m[_i].insn), "%s",
                cli_output);
  cJSON *r = cli_read_json(out);
  const cJSON *fault = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "result"), "fault");
  ck_assert_str_eq(cli_str(fault, "kind"), "unaligned");
  ck_assert_int_eq(strncmp(cli_str(fault, "symbol"), "faulting_function", 17), 0);
  cJSON_Delete(r);
  snprintf(args, sizeof args, "run -p cortex-m4-0ws -r %s %s/%s.elf", out, FIRMWARE_DIR, unaligned_v7m[_i].firmware);
  int rc = cli_mcusim(args);
  ck_assert_msg(rc == 0 || rc == 3, "%s without the check: exit %d:\n%s", unaligned_v7m[_i].firmware, rc, cli_output);
}
END_TEST

START_TEST(faulting_firmware_stops_with_a_diagnostic_and_a_partial_report) {
  char args[1024], out[512];
  snprintf(out, sizeof out, "%s/%s.json", WORK_DIR, cases[_i].firmware);
  remove(out);
  snprintf(args, sizeof args, "run -p %s -r %s %s/%s.elf", cases[_i].profile, out, FIRMWARE_DIR, cases[_i].firmware);
  int rc = cli_mcusim(args);
  ck_assert_msg(rc == 3, "%s: exit %d, expected 3 (fault):\n%s", cases[_i].firmware, rc, cli_output);
  ck_assert_msg(strstr(cli_output, "before the fault"), "%s: cli_output before the fault lost:\n%s", cases[_i].firmware,
                cli_output);
  ck_assert_msg(!strstr(cli_output, "after the fault"), "%s: ran on after the fault:\n%s", cases[_i].firmware,
                cli_output);
  ck_assert_msg(strstr(cli_output, cases[_i].says), "%s: '%s' not in:\n%s", cases[_i].firmware, cases[_i].says,
                cli_output);
  cJSON *r = cli_read_json(out);
  const cJSON *result = cJSON_GetObjectItemCaseSensitive(r, "result");
  ck_assert_str_eq(cli_str(result, "stop"), "fault");
  const cJSON *fault = cJSON_GetObjectItemCaseSensitive(result, "fault");
  ck_assert_msg(cJSON_IsObject(fault), "%s: no result.fault", cases[_i].firmware);
  ck_assert_msg(strcmp(cli_str(fault, "kind"), cases[_i].kind) == 0, "%s: kind %s, expected %s", cases[_i].firmware,
                cli_str(fault, "kind"), cases[_i].kind);
  ck_assert_msg(strncmp(cli_str(fault, "symbol"), cases[_i].symbol, strlen(cases[_i].symbol)) == 0,
                "%s: symbol %s, expected %s...", cases[_i].firmware, cli_str(fault, "symbol"), cases[_i].symbol);
  ck_assert_int_eq(strncmp(cli_str(fault, "pc"), "0x", 2), 0);
  const cJSON *regs = cJSON_GetObjectItemCaseSensitive(fault, "registers");
  ck_assert(cJSON_IsObject(regs));
  ck_assert_int_eq(cJSON_GetArraySize(regs), 17); /* r0-r12, sp, lr, pc, xpsr */
  const cJSON *insns = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "totals"), "instructions");
  ck_assert(cJSON_IsNumber(insns) && insns->valuedouble > 0);
  cJSON_Delete(r);
}
END_TEST

/* The three instructions before the UDF in the same block are charged, the one after it is not: the block is
 * truncated at the fault (ARCHITECTURE.md, "Early exits un-charge"). The M0+ build differs only in the core. */
START_TEST(undefined_instruction_mid_block_charges_only_what_ran) {
  char args[1024];
  double insns[2];
  const char *fw[2] = {"m4_udf_mid_block", "m4_udf_wide_mid_block"};
  for (int i = 0; i < 2; i++) {
    snprintf(args, sizeof args, "run -q -p cortex-m4-0ws -r %s/%s.json %s/%s.elf", WORK_DIR, fw[i], FIRMWARE_DIR,
             fw[i]);
    ck_assert_int_eq(cli_mcusim(args), 3);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", WORK_DIR, fw[i]);
    cJSON *r = cli_read_json(path);
    insns[i] =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "totals"), "instructions")->valuedouble;
    cJSON_Delete(r);
  }
  /* the narrow build runs movs, adds, adds before its UDF; the wide build movs, adds: one instruction fewer */
  ck_assert_int_eq((long)(insns[0] - insns[1]), 1);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("faulting_firmware");
  TCase *tc = tcase_create("run");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, faulting_firmware_stops_with_a_diagnostic_and_a_partial_report, 0,
                      sizeof cases / sizeof *cases);
  tcase_add_test(tc, undefined_instruction_mid_block_charges_only_what_ran);
  tcase_add_loop_test(tc, unaligned_multiword_access_on_m4, 0, sizeof unaligned_v7m / sizeof *unaligned_v7m);
  suite_add_tcase(s, tc);
  return s;
}
