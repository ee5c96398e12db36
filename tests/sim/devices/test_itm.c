/* tests/sim/devices/test_itm.c — sim/devices/itm.c without Unicorn: what CMSIS code polls for reads back right,
 * port 0 is stdout, and events on ports 1/2 (workloads/mcusim_trace.h) reach the memory module stamped by the host. */
#include "tests/support/check_main.h"

#include "sim/devices/itm.h"
#include "tests/sim/devices/fake_host.h"
#include "workloads/mcusim_trace.h"

#define PORT(n) (4u * (n))

START_TEST(reads_ready_ter_and_tcr) {
  fake_t *f = fake_host();
  dev_itm_t itm;
  dev_itm_init(&itm, &f->host, NULL);
  for (unsigned p = 0; p < 32; p++) ck_assert_uint_eq(dev_itm_read(&itm, PORT(p), 4), 1); /* FIFO ready */
  ck_assert_uint_eq(dev_itm_read(&itm, 0xE00, 4), 0xFFFFFFFFu);                           /* TER: all ports */
  ck_assert_uint_eq(dev_itm_read(&itm, 0xE80, 4) & 1u, 1u);                               /* TCR.ITMENA */
  ck_assert_uint_eq(dev_itm_read(&itm, 0xFB0, 4), 0);
}
END_TEST

START_TEST(port0_is_stdout) {
  fake_t *f = fake_host();
  dev_itm_t itm;
  dev_itm_init(&itm, &f->host, NULL);
  dev_itm_write(&itm, PORT(MCUSIM_ITM_PORT_STDOUT), 1, 'h');
  dev_itm_write(&itm, PORT(MCUSIM_ITM_PORT_STDOUT), 4, 0x0A216F69u); /* "io!\n", little-endian */
  ck_assert_str_eq(f->out, "hio!\n");
  dev_itm_write(&itm, 0xE80, 4, 0); /* control registers: accepted, nothing written */
  ck_assert_uint_eq(f->out_len, 5);
}
END_TEST

static void event(dev_itm_t *itm, uint32_t code, unsigned argc, const uint32_t *args) {
  for (unsigned i = 0; i < argc; i++) dev_itm_write(itm, PORT(MCUSIM_ITM_PORT_ARG), 4, args[i]);
  dev_itm_write(itm, PORT(MCUSIM_ITM_PORT_EVENT), 4, code);
}

START_TEST(events_reach_memory_stamped) {
  fake_t *f = fake_host();
  mem_t mem;
  mem_init(&mem, FAKE_SIZE);
  dev_itm_t itm;
  dev_itm_init(&itm, &f->host, &mem);
  fake_string(f, FAKE_BASE + 0x100, "conv0");
  fake_string(f, FAKE_BASE + 0x200, "act");
  f->cycle = 100;
  event(&itm, MCUSIM_EV_LAYER_BEGIN, 3, (uint32_t[]){0, FAKE_BASE + 0x100, 4096});
  ck_assert_uint_eq(f->last_access, DEV_ITM_BASE + PORT(MCUSIM_ITM_PORT_EVENT));
  f->cycle = 120;
  event(&itm, MCUSIM_EV_ALLOC, 3, (uint32_t[]){FAKE_BASE + 0x1000, 256, FAKE_BASE + 0x200});
  event(&itm, MCUSIM_EV_ALLOC, 3, (uint32_t[]){0x40000000u, 16, FAKE_BASE + 0x200}); /* outside SRAM: diagnosed */
  f->cycle = 160;
  event(&itm, MCUSIM_EV_FREE, 1, (uint32_t[]){FAKE_BASE + 0x1000});
  f->cycle = 200;
  event(&itm, MCUSIM_EV_LAYER_END, 1, (uint32_t[]){0});
  event(&itm, MCUSIM_EV_LAYER_END, 0, NULL); /* too few arguments: not ours, ignored */
  ck_assert_uint_eq(mem.layer_count, 1);
  ck_assert_str_eq(mem.layers[0].name, "conv0");
  ck_assert_uint_eq(mem.layers[0].range.cycles, 100);
  ck_assert_uint_eq(mem.layers[0].range.macs, 4096);
  ck_assert_uint_eq(mem.alloc_count, 2);
  ck_assert_uint_eq(mem.allocs[0].alloc_cycle, 120);
  ck_assert_uint_eq(mem.allocs[0].free_cycle, 160);
  ck_assert_str_eq(mem.allocs[0].tag, "act");
  ck_assert_uint_eq(mem.diag_count, 1);
  ck_assert_int_eq(mem.diags[0].kind, MEM_DIAG_OUTSIDE_SRAM);
  mem_release(&mem);
}
END_TEST

START_TEST(untracked_ignores_events) {
  fake_t *f = fake_host();
  dev_itm_t itm;
  dev_itm_init(&itm, &f->host, NULL);
  event(&itm, MCUSIM_EV_MARK, 2, (uint32_t[]){FAKE_BASE, 1});
  ck_assert_uint_eq(itm.argc, 0);
  ck_assert_uint_eq(f->last_access, 0); /* never asked for the time */
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("dev_itm");
  TCase *tc = tcase_create("ports");
  tcase_add_test(tc, reads_ready_ter_and_tcr);
  tcase_add_test(tc, port0_is_stdout);
  tcase_add_test(tc, events_reach_memory_stamped);
  tcase_add_test(tc, untracked_ignores_events);
  suite_add_tcase(s, tc);
  return s;
}
