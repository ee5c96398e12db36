/* tests/support/check_main.c — main() of every Check test (check_main.h). */
#include "tests/support/check_main.h"

#include <stdlib.h>

int main(void) {
  Suite *suite = test_suite();
  if (!suite) return TEST_SKIP;
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
