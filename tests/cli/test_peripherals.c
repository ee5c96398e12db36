/* tests/cli/test_peripherals.c — vendor start-up peripherals through the CLI (issue 15, docs/peripherals.md): the
 * hand-written STM32-HAL-style clock set-up + UART firmware (tests/firmware/hal_clock.c) completes on the STM32F412,
 * F746, H743 and L4R5 profiles with its UART text in the report's stdout; the nRF52840 clock start completes; an
 * access to a peripheral nobody described gives exactly one warning (address and PC), and --strict-peripherals turns
 * it into today's unmapped-access fault naming the address and the PC. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/cli_test.h"

#define FW(name) FIRMWARE_DIR "/" name ".elf"
#define OUT(name) WORK_DIR "/" name ".json"

/* Runs `firmware` on `profile` with `extra` options; the report, after checking the exit code. */
static cJSON *run(const char *profile, const char *firmware, const char *name, const char *extra, int expect_rc) {
  char cmd[1024], out[512];
  snprintf(out, sizeof out, WORK_DIR "/periph_%s.json", name);
  remove(out);
  snprintf(cmd, sizeof cmd, MCUSIM_BIN " run -q -p %s %s -r %s %s 2>&1", profile, extra, out, firmware);
  int rc = cli_sh(cmd);
  ck_assert_msg(rc == expect_rc, "%s: exit %d, not %d: %s", name, rc, expect_rc, cli_output);
  return cli_read_json(out);
}

static void expect_hello(const char *profile, const char *firmware, const char *name) {
  cJSON *r = run(profile, firmware, name, "", 0);
  ck_assert_str_eq(cli_str(cli_get(r, "result"), "stop"), "exit");
  ck_assert_str_eq(cli_str(cli_get(r, "result"), "stdout"), "hello from the UART\r\n");
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "peripherals.warnings")), 0);
  ck_assert_double_eq(cli_num(cli_get(r, "peripherals"), "stream_bytes"), 21);
  ck_assert_double_eq(cli_num(cli_get(r, "peripherals"), "undescribed_accesses"), 0);
  ck_assert_int_gt(cJSON_GetArraySize(cli_get(r, "peripherals.blocks")), 5);
  cJSON_Delete(r);
}

START_TEST(hal_clock_setup_and_uart_on_stm32f412) { expect_hello("stm32f412", FW("hal_f412"), "f412"); }
END_TEST
START_TEST(hal_clock_setup_and_uart_on_stm32f746) { expect_hello("stm32f746", FW("hal_f746"), "f746"); }
END_TEST
START_TEST(hal_clock_setup_and_uart_on_stm32h743) { expect_hello("stm32h743", FW("hal_h743"), "h743"); }
END_TEST
START_TEST(hal_clock_setup_and_uart_on_stm32l4r5) { expect_hello("stm32l4r5", FW("hal_l4r5"), "l4r5"); }
END_TEST

START_TEST(nrf52840_clock_start) {
  cJSON *r = run("nrf52840", FW("nrf_clock"), "nrf", "", 0);
  ck_assert_str_eq(cli_str(cli_get(r, "result"), "stdout"), "nrf52840 clock started\r\n");
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "peripherals.warnings")), 0);
  cJSON_Delete(r);
}
END_TEST

/* The timer at 0x40000000 is not described: two accesses in its 1 KiB, one warning naming the first. */
START_TEST(an_undescribed_access_is_one_warning) {
  cJSON *r = run("stm32f412", FW("hal_f412_undescribed"), "undescribed", "", 0);
  ck_assert_str_eq(cli_str(cli_get(r, "result"), "stdout"), "hello from the UART\r\n");
  const cJSON *warnings = cli_get(r, "peripherals.warnings");
  ck_assert_int_eq(cJSON_GetArraySize(warnings), 1);
  const cJSON *w = cJSON_GetArrayItem(warnings, 0);
  ck_assert_str_eq(cli_str(w, "address"), "0x40000000");
  ck_assert_str_eq(cli_str(w, "access"), "write");
  ck_assert_double_eq(cli_num(w, "accesses"), 2);
  ck_assert_msg(strncmp(cli_str(w, "symbol"), "main", 4) == 0, "%s", cli_str(w, "symbol"));
  ck_assert_msg(strstr(cli_str(w, "message"), "0x40000000") && strstr(cli_str(w, "message"), cli_str(w, "pc")), "%s",
                cli_str(w, "message"));
  ck_assert_double_eq(cli_num(cli_get(r, "peripherals"), "undescribed_accesses"), 2);
  cJSON_Delete(r);
  /* the text summary says it too, once */
  cli_sh(MCUSIM_BIN " run -p stm32f412 " FW("hal_f412_undescribed") " 2>&1");
  const char *first =
      strstr(cli_output, "WARNING       peripheral: write of undescribed peripheral address 0x40000000");
  ck_assert_msg(first && !strstr(first + 1, "WARNING"), "%s", cli_output);
}
END_TEST

START_TEST(strict_peripherals_faults_naming_address_and_pc) {
  cJSON *r = run("stm32f412", FW("hal_f412_undescribed"), "strict", "--strict-peripherals", 3);
  const cJSON *fault = cli_get(r, "result.fault");
  ck_assert_str_eq(cli_str(fault, "kind"), "write_unmapped");
  ck_assert_str_eq(cli_str(fault, "address"), "0x40000000");
  ck_assert_msg(strstr(cli_str(fault, "message"), "write to unmapped address 0x40000000 at pc 0x"), "%s",
                cli_str(fault, "message"));
  ck_assert(cJSON_IsTrue(cli_get(r, "peripherals.strict")));
  cJSON_Delete(r);
  /* described blocks stay usable under --strict-peripherals (the bit-band alias included) */
  r = run("stm32f412", FW("hal_f412"), "strict_ok", "--strict-peripherals", 0);
  ck_assert_str_eq(cli_str(cli_get(r, "result"), "stdout"), "hello from the UART\r\n");
  cJSON_Delete(r);
}
END_TEST

/* A profile without peripherals: the same firmware still runs to its first poll, reading 0 from RCC (no fault),
 * and the report says which blocks were touched. */
START_TEST(without_a_description_reads_are_zero_not_faults) {
  cJSON *r = run(MCUSIM_PROFILES_DIR "/cortex-m4-0ws.json", FW("itm_events"), "plain", "", 0);
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "peripherals.blocks")), 0);
  ck_assert_str_eq(cli_str(cli_get(r, "peripherals"), "source"), "");
  cJSON_Delete(r);
}
END_TEST

/* A profile whose second SRAM region lies inside the peripheral region: the SRAM stays memory (the timer write lands
 * there, no warning), the space around it is the peripheral device (RCC and PWR read 0: a warning each, and the clock
 * set-up times out at its first poll, exit 1). */
START_TEST(sram_inside_the_peripheral_region_stays_memory) {
  const char *profile = WORK_DIR "/profile_sram_inside.json";
  FILE *f = fopen(profile, "w");
  ck_assert_ptr_nonnull(f);
  fputs("{ \"version\": 1, \"name\": \"sram-inside\", \"core\": \"m4\", \"clock_hz\": 100000000,"
        " \"flash\": { \"base\": \"0x08000000\", \"size\": 1048576 },"
        " \"sram\": [ { \"name\": \"sram\", \"base\": \"0x20000000\", \"size\": 262144 },"
        " { \"name\": \"odd\", \"base\": \"0x40000000\", \"size\": 4096 } ] }\n",
        f);
  fclose(f);
  cJSON *r = run(profile, FW("hal_f412_undescribed"), "sram_inside", "", 1);
  const cJSON *warnings = cli_get(r, "peripherals.warnings"), *w;
  ck_assert_int_eq(cJSON_GetArraySize(warnings), 2); /* RCC polled, PWR */
  ck_assert_str_eq(cli_str(cJSON_GetArrayItem(warnings, 0), "address"), "0x40023800");
  cJSON_ArrayForEach(w, warnings) ck_assert_str_ne(cli_str(w, "address"), "0x40000000");
  ck_assert_msg(strstr(cli_str(cli_get(r, "result"), "stdout"), "timed out at step 1"), "%s",
                cli_str(cli_get(r, "result"), "stdout"));
  cJSON_Delete(r);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("peripherals");
  TCase *tc = tcase_create("peripherals");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, hal_clock_setup_and_uart_on_stm32f412);
  tcase_add_test(tc, hal_clock_setup_and_uart_on_stm32f746);
  tcase_add_test(tc, hal_clock_setup_and_uart_on_stm32h743);
  tcase_add_test(tc, hal_clock_setup_and_uart_on_stm32l4r5);
  tcase_add_test(tc, nrf52840_clock_start);
  tcase_add_test(tc, an_undescribed_access_is_one_warning);
  tcase_add_test(tc, strict_peripherals_faults_naming_address_and_pc);
  tcase_add_test(tc, without_a_description_reads_are_zero_not_faults);
  tcase_add_test(tc, sram_inside_the_peripheral_region_stays_memory);
  suite_add_tcase(s, tc);
  return s;
}
