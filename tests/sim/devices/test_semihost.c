/* tests/sim/devices/test_semihost.c — sim/devices/semihost.c against a fake memory, no Unicorn: console output,
 * the feature pseudo-file, HEAPINFO, CLOCK and the two exits ("Semihosting for AArch32 and AArch64", v2). */
#include "tests/support/check_main.h"

#include "sim/devices/semihost.h"
#include "tests/sim/devices/fake_host.h"

#define ARGS (FAKE_BASE + 0x100u) /* parameter block */
#define TEXT (FAKE_BASE + 0x200u)

static dev_semihost_t sh;

static fake_t *setup(void) {
  fake_t *f = fake_host();
  dev_semihost_init(&sh, &f->host, FAKE_BASE + 0x4000u, FAKE_BASE + 0x10000u, 100000000u);
  return f;
}

START_TEST(write0_writec_and_write) {
  fake_t *f = setup();
  fake_string(f, TEXT, "hello ");
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x04 /* SYS_WRITE0 */, TEXT), 0);
  fake_string(f, TEXT, "w");
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x03 /* SYS_WRITEC */, TEXT), 0);
  fake_string(f, TEXT, "orld!");
  fake_word(f, ARGS, 3); /* :tt for writing stderr */
  fake_word(f, ARGS + 4, TEXT);
  fake_word(f, ARGS + 8, 5);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x05 /* SYS_WRITE */, ARGS), 0);
  ck_assert_str_eq(f->out, "hello world!");
  ck_assert_uint_eq(f->err_len, 5);
  fake_word(f, ARGS, 9); /* not a console handle: nothing written, all bytes left */
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x05, ARGS), 5);
}
END_TEST

START_TEST(features_file) {
  fake_t *f = setup();
  fake_string(f, TEXT, ":semihosting-features");
  fake_word(f, ARGS, TEXT);
  fake_word(f, ARGS + 4, 0);
  uint32_t handle = dev_semihost_call(&sh, 0x01 /* SYS_OPEN */, ARGS);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x09 /* SYS_ISTTY */, ARGS + 8), 1);
  fake_word(f, ARGS + 8, handle);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x09, ARGS + 8), 0);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x0C /* SYS_FLEN */, ARGS + 8), 5);
  fake_word(f, ARGS, handle);
  fake_word(f, ARGS + 4, TEXT + 0x40);
  fake_word(f, ARGS + 8, 8);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x06 /* SYS_READ */, ARGS), 3); /* 8 asked, 5 read */
  ck_assert_mem_eq(f->ram + 0x240, "SHFB\x03", 5);
  fake_string(f, TEXT, "/etc/passwd");
  fake_word(f, ARGS, TEXT);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x01, ARGS), 0xFFFFFFFFu); /* no host files */
}
END_TEST

START_TEST(heapinfo_clock_and_time) {
  fake_t *f = setup();
  fake_word(f, ARGS, FAKE_BASE + 0x300);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x16 /* SYS_HEAPINFO */, ARGS), 0);
  ck_assert_uint_eq(fake_word_at(f, FAKE_BASE + 0x300), FAKE_BASE + 0x4000u); /* heap base */
  ck_assert_uint_eq(fake_word_at(f, FAKE_BASE + 0x304), FAKE_BASE + 0x10000u - 0x1000u);
  ck_assert_uint_eq(fake_word_at(f, FAKE_BASE + 0x308), FAKE_BASE + 0x10000u); /* stack base: initial SP */
  ck_assert_uint_eq(fake_word_at(f, FAKE_BASE + 0x30C), FAKE_BASE + 0x4000u);
  f->cycle = 250000000u; /* 2.5 s at 100 MHz */
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x10 /* SYS_CLOCK */, 0), 250);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x11 /* SYS_TIME */, 0), 0);
  ck_assert_uint_eq(dev_semihost_call(&sh, 0x0E /* SYS_REMOVE */, ARGS), 0xFFFFFFFFu);
}
END_TEST

START_TEST(exits) {
  fake_t *f = setup();
  dev_semihost_call(&sh, 0x18 /* SYS_EXIT */, 0x20026u /* ADP_Stopped_ApplicationExit */);
  ck_assert(f->exited);
  ck_assert_int_eq(f->exit_code, 0);
  f = setup();
  dev_semihost_call(&sh, 0x18, 0x20023u /* another reason: a failure */);
  ck_assert_int_eq(f->exit_code, 1);
  f = setup();
  fake_word(f, ARGS, 0x20026u);
  fake_word(f, ARGS + 4, 42);
  dev_semihost_call(&sh, 0x20 /* SYS_EXIT_EXTENDED */, ARGS);
  ck_assert_int_eq(f->exit_code, 42);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("dev_semihost");
  TCase *tc = tcase_create("calls");
  tcase_add_test(tc, write0_writec_and_write);
  tcase_add_test(tc, features_file);
  tcase_add_test(tc, heapinfo_clock_and_time);
  tcase_add_test(tc, exits);
  suite_add_tcase(s, tc);
  return s;
}
