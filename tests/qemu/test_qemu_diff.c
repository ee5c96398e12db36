/* tests/qemu/test_qemu_diff.c — differential test: each ELF runs under QEMU (qemu-system-arm, an MPS2 board with
 * -semihosting) and under `mcusim run`; the firmware's output (stdout and stderr, in order) and its exit code must be
 * the same. Exits 77 (ctest SKIP) with a message when qemu-system-arm is not installed. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
  const char *firmware; /* FIRMWARE_DIR/NAME.elf */
  const char *machine;  /* QEMU board */
  const char *profile;  /* PROFILE_DIR/NAME.json */
  const char *expect;   /* a line the output must hold (the workload's own check) */
} cases[] = {
    {"an386_hello", "mps2-an386", "mps2-an386", "2 + 3 = 5"},
    {"an386_bench_dot", "mps2-an386", "mps2-an386", "checksum="},
    {"an386_person-det_layerwise", "mps2-an386", "mps2-an386", "PASS"},
    {"an386_person-det_patch2", "mps2-an386", "mps2-an386", "PASS"},
    {"an500_hello", "mps2-an500", "mps2-an500", "2 + 3 = 5"},
    {"an500_bench_dot", "mps2-an500", "mps2-an500", "checksum="},
    {"an500_person-det_layerwise", "mps2-an500", "mps2-an500", "PASS"},
    {"an500_person-det_patch2", "mps2-an500", "mps2-an500", "PASS"},
};

/* Runs a shell command, capturing stdout+stderr into buf; returns the exit code (-1 when killed). */
static int capture(const char *cmd, char *buf, size_t size) {
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = fread(buf, 1, size - 1, p);
  buf[n] = '\0';
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char qemu_out[1 << 16], sim_out[1 << 16];

START_TEST(same_output_and_exit_code_as_qemu) {
  char cmd[2048], elf[512], report[512];
  snprintf(elf, sizeof elf, "%s/%s.elf", FIRMWARE_DIR, cases[_i].firmware);
  snprintf(report, sizeof report, "%s/%s.json", WORK_DIR, cases[_i].firmware);
  /* -monitor/-serial none: nothing but the firmware's semihosting output reaches stdout */
  snprintf(
      cmd, sizeof cmd,
      "timeout -s KILL 120 qemu-system-arm -M %s -nographic -monitor none -serial none -semihosting -kernel %s 2>&1",
      cases[_i].machine, elf);
  int qemu_rc = capture(cmd, qemu_out, sizeof qemu_out);
  snprintf(cmd, sizeof cmd, "%s run -q -p %s/%s.json -r %s %s 2>&1", MCUSIM_BIN, PROFILE_DIR, cases[_i].profile, report,
           elf);
  char summary[4096];
  int sim_rc = capture(cmd, summary, sizeof summary);
  ck_assert_msg(sim_rc == 0 || sim_rc == 1, "%s: mcusim exit %d:\n%s", cases[_i].firmware, sim_rc, summary);

  FILE *f = fopen(report, "rb");
  ck_assert_ptr_nonnull(f);
  static char text[1 << 20];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  cJSON *r = cJSON_Parse(text);
  ck_assert_ptr_nonnull(r);
  const cJSON *result = cJSON_GetObjectItemCaseSensitive(r, "result");
  const cJSON *out = cJSON_GetObjectItemCaseSensitive(result, "stdout");
  const cJSON *code = cJSON_GetObjectItemCaseSensitive(result, "exit_code");
  ck_assert(cJSON_IsString(out) && cJSON_IsNumber(code));
  snprintf(sim_out, sizeof sim_out, "%s", out->valuestring);

  ck_assert_msg(strcmp(qemu_out, sim_out) == 0, "%s: output differs\n--- qemu (exit %d)\n%s--- mcusim\n%s",
                cases[_i].firmware, qemu_rc, qemu_out, sim_out);
  ck_assert_msg(qemu_rc == code->valueint, "%s: exit code %d under QEMU, %d under mcusim", cases[_i].firmware, qemu_rc,
                code->valueint);
  ck_assert_msg(strstr(sim_out, cases[_i].expect), "%s: '%s' not in the output:\n%s", cases[_i].firmware,
                cases[_i].expect, sim_out);
  cJSON_Delete(r);
}
END_TEST

Suite *test_suite(void) {
  if (system("command -v qemu-system-arm > /dev/null 2>&1") != 0) {
    printf("SKIP: qemu-system-arm is not installed (Debian: apt-get install qemu-system-arm); no QEMU differential "
           "test\n");
    return NULL;
  }
  Suite *s = suite_create("qemu_diff");
  TCase *tc = tcase_create("diff");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, same_output_and_exit_code_as_qemu, 0, sizeof cases / sizeof *cases);
  suite_add_tcase(s, tc);
  return s;
}
