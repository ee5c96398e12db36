/* tests/support/check_main.h — the one Check runner every unit and integration test shares.
 *
 * A test file defines test_suite() and nothing else to run: check_main.c's main() runs the suite and exits
 * 0 when every test passed, 1 when one failed. A suite that cannot run here (a missing tool) prints why and
 * returns NULL: the test then exits TEST_SKIP, which ctest reports as skipped (SKIP_RETURN_CODE). */
#ifndef MCUSIM_CHECK_MAIN_H
#define MCUSIM_CHECK_MAIN_H

#include <check.h>

#define TEST_SKIP 77

Suite *test_suite(void);

#endif /* MCUSIM_CHECK_MAIN_H */
