/* tests/cli/test_gen_hostile.c — mcusim-gen and `mcusim plan` on hostile model files (issue 21): a model name that
 * closes a comment and adds `.incbin "/etc/passwd"` must not reach the assembler or C as code (F9); a directory or a
 * pipe as the model is one line and exit 2 (F4). */
#include "tests/support/check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/cli_test.h"

#define HOSTILE WORK_DIR "/hostile_model.json"

START_TEST(model_strings_never_become_code) {
  FILE *f = fopen(HOSTILE, "w");
  ck_assert_ptr_nonnull(f);
  fputs("{\"version\": 1, \"name\": \"*/.incbin \\\"/etc/passwd\\\"\\n.include \\\"/etc/hostname\\\" /*\","
        " \"input\": {\"h\": 8, \"w\": 8, \"c\": 3},"
        " \"blocks\": [{\"type\": \"conv\", \"name\": \"*/ x\", \"k\": 3, \"out\": 4}, {\"type\": \"avgpool\"}]}",
        f);
  fclose(f);
  int rc = cli_sh(GEN_BIN " --model " HOSTILE " --schedule layerwise --out " WORK_DIR "/hostile_gen");
  ck_assert_msg(rc == 0, "exit %d: %s", rc, cli_output);
  char *s = cli_slurp(WORK_DIR "/hostile_gen.S"), *c = cli_slurp(WORK_DIR "/hostile_gen.c");
  ck_assert_ptr_nonnull(s);
  ck_assert_ptr_nonnull(c);
  ck_assert_msg(!strstr(s, "passwd") && !strstr(s, "hostname"), "%s", s);
  ck_assert_msg(!strstr(c, "*/.incbin") || strstr(c, "\"*/.incbin \\\"/etc/passwd\\\""), "%s", c);
  ck_assert_msg(!strstr(c, "\n.include"), "%s", c);
  /* the assembler sees one .incbin: the blob */
  const char *first = strstr(s, ".incbin");
  ck_assert_ptr_nonnull(first);
  ck_assert_ptr_null(strstr(first + 1, ".incbin"));
  free(s);
  free(c);
}
END_TEST

START_TEST(a_directory_or_a_pipe_as_the_model_is_one_line_and_exit_2) {
  ck_assert_int_eq(cli_sh(GEN_BIN " --model /tmp --plan"), 2);
  ck_assert_msg(strstr(cli_output, "/tmp: cannot open /tmp: Is a directory"), "%s", cli_output);
  ck_assert_int_eq(cli_sh("printf '' | " GEN_BIN " --model /dev/stdin --plan"), 2);
  ck_assert_msg(strstr(cli_output, "empty or ends early"), "%s", cli_output);
  ck_assert_int_eq(cli_sh(MCUSIM_BIN " plan /tmp"), 2);
  ck_assert_msg(strstr(cli_output, "Is a directory"), "%s", cli_output);
  ck_assert_int_eq(cli_sh("printf '{' | " MCUSIM_BIN " plan /dev/stdin"), 2);
  ck_assert_msg(strstr(cli_output, "empty or ends early"), "%s", cli_output);
  ck_assert_int_eq(cli_sh(GEN_BIN " --model " HOSTILE " --schedule bogus --plan"), 2);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("gen_hostile");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, model_strings_never_become_code);
  tcase_add_test(tc, a_directory_or_a_pipe_as_the_model_is_one_line_and_exit_2);
  suite_add_tcase(s, tc);
  return s;
}
