/* tests/sim/devices/test_periph.c — sim/devices/periph.c without Unicorn: a block reads back what was written, listed
 * registers keep their reset value outside the writable mask, rules make ready bits follow their enable bits (RM0402
 * RCC_CR HSEON bit 16 -> HSERDY bit 17, RCC_CFGR SW bits 1:0 -> SWS bits 3:2), a stream register sends its byte to the
 * host's stdout, undescribed accesses read 0 and give one warning per 1 KiB, and the peripheral bit-band alias
 * (0x42000000) reaches the same registers. */
#include "tests/support/check_main.h"

#include <stdio.h>

#include "sim/devices/periph.h"
#include "tests/sim/devices/fake_host.h"

#define RCC 0x40023800u
#define UART 0x40004800u
#define OFF(addr) ((addr)-DEV_PERIPH_BASE)

/* RCC (CR, CFGR with rules) and a UART (SR fixed, DR a stream), as the STM32F4 description has them. */
static prof_periph_t *description(void) {
  static prof_periph_t d;
  memset(&d, 0, sizeof d);
  d.block_count = 2;
  prof_pblock_t *uart = &d.blocks[0], *rcc = &d.blocks[1]; /* sorted by base */
  snprintf(uart->name, sizeof uart->name, "USART3");
  uart->base = UART;
  uart->size = 0x400;
  uart->reg_count = 2;
  uart->regs[0] = (prof_preg_t){"SR", 0x00, 0xC0, 0, PROF_STREAM_NONE};
  uart->regs[1] = (prof_preg_t){"DR", 0x04, 0, 0xFFFFFFFFu, PROF_STREAM_STDOUT};
  snprintf(rcc->name, sizeof rcc->name, "RCC");
  rcc->base = RCC;
  rcc->size = 0x400;
  rcc->reg_count = 2;
  rcc->regs[0] = (prof_preg_t){"CR", 0x00, 0x83, ~0x0A020002u, PROF_STREAM_NONE};
  rcc->regs[1] = (prof_preg_t){"CFGR", 0x08, 0, ~0xCu, PROF_STREAM_NONE};
  rcc->rule_count = 3;
  rcc->rules[0] = (prof_prule_t){0x00, 1u << 16, 1, 0x00, 1u << 17}; /* HSEON -> HSERDY */
  rcc->rules[1] = (prof_prule_t){0x08, 1u, 1, 0x08, 4u};             /* SW0 -> SWS0 */
  rcc->rules[2] = (prof_prule_t){0x08, 2u, 1, 0x08, 8u};             /* SW1 -> SWS1 */
  return &d;
}

START_TEST(rules_make_ready_bits_follow) {
  fake_t *f = fake_host();
  dev_periph_t p;
  ck_assert_int_eq(dev_periph_init(&p, &f->host, description(), 0), 0);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC), 4), 0x83); /* reset value */
  dev_periph_write(&p, OFF(RCC), 4, 0x83 | (1u << 16));
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC), 4), 0x83 | (3u << 16)); /* HSERDY follows */
  dev_periph_write(&p, OFF(RCC), 4, 0x83 & ~2u);                          /* HSE off; HSIRDY is not writable */
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC), 4), 0x83);
  dev_periph_write(&p, OFF(RCC + 8), 4, 2);                     /* SW = PLL */
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC + 8), 4), 0xA); /* SWS = PLL */
  dev_periph_write(&p, OFF(RCC + 8), 4, 0xC);                   /* SWS is read-only: SW 0 clears it */
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC + 8), 4), 0);
  dev_periph_write(&p, OFF(RCC + 0x30), 2, 0xBEEF); /* unlisted: storage, byte lanes kept */
  dev_periph_write(&p, OFF(RCC + 0x33), 1, 0x12);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC + 0x30), 4), 0x1200BEEF);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC + 0x31), 1), 0xBE);
  ck_assert_uint_eq(p.counts[1].writes, 6);
  ck_assert_uint_eq(p.undescribed_accesses, 0);
  dev_periph_free(&p);
}
END_TEST

START_TEST(uart_bytes_go_to_stdout) {
  fake_t *f = fake_host();
  dev_periph_t p;
  ck_assert_int_eq(dev_periph_init(&p, &f->host, description(), 0), 0);
  for (const char *s = "hi\n"; *s; s++) {
    ck_assert_uint_eq(dev_periph_read(&p, OFF(UART), 4) & 0x80, 0x80); /* TXE */
    dev_periph_write(&p, OFF(UART + 4), 4, (uint8_t)*s);
  }
  dev_periph_write(&p, OFF(UART), 4, 0); /* clearing TC: the status is fixed */
  ck_assert_uint_eq(dev_periph_read(&p, OFF(UART), 4), 0xC0);
  ck_assert_str_eq(f->out, "hi\n");
  ck_assert_uint_eq(f->out_len, 3);
  ck_assert_uint_eq(p.stream_bytes, 3);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(UART + 4), 4), 0); /* nothing stored */
  dev_periph_free(&p);
}
END_TEST

START_TEST(undescribed_accesses_warn_once_per_kib) {
  fake_t *f = fake_host();
  dev_periph_t p;
  ck_assert_int_eq(dev_periph_init(&p, &f->host, description(), 0), 0);
  dev_periph_write(&p, OFF(0x40000000u), 4, 1);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(0x4000002Cu), 4), 0);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(0x40000400u), 4), 0); /* the next 1 KiB */
  ck_assert_uint_eq(p.warning_count, 2);
  ck_assert_uint_eq(p.warnings[0].address, 0x40000000u);
  ck_assert_uint_eq(p.warnings[0].pc, 0x08000100u); /* the fake host's PC */
  ck_assert_int_eq(p.warnings[0].is_write, 1);
  ck_assert_uint_eq(p.warnings[0].accesses, 2);
  ck_assert_uint_eq(p.warnings[1].accesses, 1);
  ck_assert_uint_eq(p.undescribed_accesses, 3);
  ck_assert_uint_eq(f->last_access, 0x40000400u);
  for (uint32_t k = 0; k < DEV_PERIPH_MAX_WARNINGS + 5; k++) dev_periph_read(&p, OFF(0x50000000u + k * 0x400u), 4);
  ck_assert_uint_eq(p.warning_count, DEV_PERIPH_MAX_WARNINGS);
  ck_assert_uint_eq(p.warnings_dropped, 7);
  dev_periph_free(&p);
}
END_TEST

static uint32_t strict_addr;
static void strict(void *opaque, uint32_t addr, uint32_t access_addr, int is_write) {
  strict_addr = addr;
  *(int *)opaque = is_write ? 2 : 1;
}

START_TEST(nothing_described_and_the_strict_hook) {
  fake_t *f = fake_host();
  dev_periph_t p;
  int called = 0;
  ck_assert_int_eq(dev_periph_init(&p, &f->host, NULL, 0), 0);
  p.on_undescribed = strict;
  p.undescribed_opaque = &called;
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC), 4), 0);
  ck_assert_int_eq(called, 1);
  ck_assert_uint_eq(strict_addr, RCC);
  dev_periph_free(&p);
}
END_TEST

START_TEST(peripheral_bitband_alias) {
  fake_t *f = fake_host();
  dev_periph_t p;
  ck_assert_int_eq(dev_periph_init(&p, &f->host, description(), 1), 0);
  uint32_t ahb1enr = RCC + 0x30, alias = 0x42000000u + (ahb1enr - 0x40000000u) * 32u;
  dev_periph_write(&p, OFF(alias + 3 * 4), 4, 1);      /* bit 3 of byte 0 */
  dev_periph_write(&p, OFF(alias + 32 + 1 * 4), 4, 3); /* bit 1 of byte 1: only bit 0 of the value counts */
  ck_assert_uint_eq(dev_periph_read(&p, OFF(ahb1enr), 4), 0x208);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(alias + 3 * 4), 4), 1);
  ck_assert_uint_eq(dev_periph_read(&p, OFF(alias + 2 * 4), 4), 0);
  dev_periph_write(&p, OFF(0x42000000u + (RCC + 2 - 0x40000000u) * 32u), 4, 1); /* RCC_CR bit 16, HSEON, by alias */
  ck_assert_uint_eq(dev_periph_read(&p, OFF(RCC), 4) & (3u << 16), 3u << 16);
  dev_periph_free(&p);
  /* without bit-banding (M0+, M7) the alias is undescribed space */
  ck_assert_int_eq(dev_periph_init(&p, &f->host, description(), 0), 0);
  dev_periph_write(&p, OFF(alias), 4, 1);
  ck_assert_uint_eq(p.warning_count, 1);
  dev_periph_free(&p);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("periph");
  TCase *tc = tcase_create("periph");
  tcase_add_test(tc, rules_make_ready_bits_follow);
  tcase_add_test(tc, uart_bytes_go_to_stdout);
  tcase_add_test(tc, undescribed_accesses_warn_once_per_kib);
  tcase_add_test(tc, nothing_described_and_the_strict_hook);
  tcase_add_test(tc, peripheral_bitband_alias);
  suite_add_tcase(s, tc);
  return s;
}
