/* tests/sim/devices/test_bitband.c — sim/devices/bitband.c without Unicorn: alias word n*32 + b*4 is bit b of byte n
 * (bit_word_offset = byte_offset * 32 + bit_number * 4); writes set/clear from bit 0 of the value, reads give 0 or 1.
 */
#include "tests/support/check_main.h"

#include "sim/devices/bitband.h"
#include "tests/sim/devices/fake_host.h"

START_TEST(alias_words_are_bits_of_sram) {
  fake_t *f = fake_host();
  dev_bitband_t bb;
  dev_bitband_init(&bb, &f->host, FAKE_BASE);
  dev_bitband_write(&bb, 0x10 * 32 + 3 * 4, 4, 1); /* byte 0x10, bit 3 */
  dev_bitband_write(&bb, 0x13 * 32 + 7 * 4, 4, 3); /* byte 0x13, bit 7: only bit 0 of the value counts */
  ck_assert_uint_eq(f->ram[0x10], 0x08);
  ck_assert_uint_eq(f->ram[0x13], 0x80);
  ck_assert_uint_eq(dev_bitband_read(&bb, 0x10 * 32 + 3 * 4, 4), 1);
  ck_assert_uint_eq(dev_bitband_read(&bb, 0x10 * 32 + 4 * 4, 4), 0);
  ck_assert_uint_eq(dev_bitband_read(&bb, 0x13 * 32 + 7 * 4, 1), 1); /* a byte access to the alias word too */
  f->ram[0x20] = 0xFF;
  dev_bitband_write(&bb, 0x20 * 32 + 5 * 4, 4, 0); /* clears one bit, keeps the others */
  ck_assert_uint_eq(f->ram[0x20], 0xDF);
}
END_TEST

START_TEST(outside_the_host_memory_reads_zero_and_writes_nothing) {
  fake_t *f = fake_host();
  dev_bitband_t bb;
  dev_bitband_init(&bb, &f->host, FAKE_BASE);
  uint32_t beyond = FAKE_SIZE * 32u; /* the first byte after the fake SRAM */
  dev_bitband_write(&bb, beyond, 4, 1);
  ck_assert_uint_eq(dev_bitband_read(&bb, beyond, 4), 0);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("bitband");
  TCase *tc = tcase_create("bitband");
  tcase_add_test(tc, alias_words_are_bits_of_sram);
  tcase_add_test(tc, outside_the_host_memory_reads_zero_and_writes_nothing);
  suite_add_tcase(s, tc);
  return s;
}
