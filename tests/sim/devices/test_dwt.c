/* tests/sim/devices/test_dwt.c — sim/devices/dwt.c without Unicorn: CYCCNT counts only while CYCCNTENA is set
 * (ARMv7-M ARM C1.8.8), a write sets it, and disabling freezes it. */
#include "tests/support/check_main.h"

#include "sim/devices/dwt.h"
#include "tests/sim/devices/fake_host.h"

START_TEST(cyccnt_counts_only_while_enabled) {
  fake_t *f = fake_host();
  dev_dwt_t dwt;
  dev_dwt_init(&dwt, &f->host);
  f->cycle = 1000;
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 0); /* reset value, not counting */
  dev_dwt_write(&dwt, DEV_DWT_CTRL, 4, DEV_DWT_CTRL_CYCCNTENA);
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CTRL, 4), DEV_DWT_CTRL_CYCCNTENA);
  f->cycle = 1250;
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 250);
  ck_assert_uint_eq(f->last_access, DEV_DWT_BASE + DEV_DWT_CYCCNT); /* the engine is asked about the very access */
  dev_dwt_write(&dwt, DEV_DWT_CTRL, 4, 0);                          /* freeze at 250 */
  f->cycle = 5000;
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 250);
  dev_dwt_write(&dwt, DEV_DWT_CTRL, 4, DEV_DWT_CTRL_CYCCNTENA); /* resumes from the frozen value */
  f->cycle = 5100;
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 350);
}
END_TEST

START_TEST(cyccnt_write_sets_the_count) {
  fake_t *f = fake_host();
  dev_dwt_t dwt;
  dev_dwt_init(&dwt, &f->host);
  f->cycle = 70;
  dev_dwt_write(&dwt, DEV_DWT_CYCCNT, 4, 5);
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 5); /* disabled: holds the written value */
  dev_dwt_write(&dwt, DEV_DWT_CTRL, 4, DEV_DWT_CTRL_CYCCNTENA);
  f->cycle = 100;
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 35);
  dev_dwt_write(&dwt, DEV_DWT_CYCCNT, 4, 0xFFFFFFF0u); /* wraps at 32 bits */
  f->cycle = 132;
  ck_assert_uint_eq(dev_dwt_read(&dwt, DEV_DWT_CYCCNT, 4), 0x10);
  ck_assert_uint_eq(dev_dwt_read(&dwt, 0x008, 4), 0); /* other registers read as zero */
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("dev_dwt");
  TCase *tc = tcase_create("cyccnt");
  tcase_add_test(tc, cyccnt_counts_only_while_enabled);
  tcase_add_test(tc, cyccnt_write_sets_the_count);
  suite_add_tcase(s, tc);
  return s;
}
