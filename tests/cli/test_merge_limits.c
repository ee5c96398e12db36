/* tests/cli/test_merge_limits.c — issue 21 F28: `merge` holds at most 8192 rows; more is an error naming the cap, not
 * a table silently cut short. */
#include <stdio.h>
#include <string.h>

#include "tests/support/check_main.h"
#include "tests/support/cli_test.h"

#define DIR WORK_DIR "/merge_limits"

START_TEST(more_rows_than_merge_holds_is_an_error) {
  ck_assert_int_eq(cli_sh("rm -rf " DIR " && mkdir -p " DIR), 0);
  FILE *f = fopen(DIR "/sweep-1-of-1.json", "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "{\"schema\": \"mcusim-sweep/1\", \"jobs_total\": 9000, \"shard\": 1, \"shards\": 1, \"jobs\": [");
  for (int j = 0; j < 9000; j++)
    fprintf(f, "%s{\"index\": %d, \"id\": \"j%d\", \"status\": \"ok\"}", j ? "," : "", j, j);
  fprintf(f, "]}\n");
  fclose(f);
  int rc = cli_mcusim("merge " DIR " --format csv -o " WORK_DIR "/merge_limits.csv");
  ck_assert_msg(rc == 2, "exit %d: %s", rc, cli_output);
  ck_assert_msg(strstr(cli_output, "8192"), "the message names the cap: %s", cli_output);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("merge_limits");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, more_rows_than_merge_holds_is_an_error);
  suite_add_tcase(s, tc);
  return s;
}
