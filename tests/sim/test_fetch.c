/* tests/sim/test_fetch.c — sim/fetch.c: instruction fetch behind the ART / I-cache model and data reads from flash
 * (precise mode). Profiles are parsed from JSON so that the tests read like the bundled files. */
#include "tests/support/check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fetch.h"

static prof_t *profile(const char *flash) {
  char json[2048], msg[256];
  snprintf(json, sizeof json,
           "{ \"version\": 1, \"name\": \"t\", \"core\": \"m4\", \"clock_hz\": 100000000, \"flash\": %s,"
           " \"sram\": [ { \"name\": \"sram\", \"base\": \"0x20000000\", \"size\": 65536 } ] }",
           flash);
  prof_t *p = NULL;
  ck_assert_msg(prof_parse(json, "t.json", &p, msg, sizeof msg) == PROF_OK, "%s", msg);
  return p;
}

/* STM32F4 ART as in profiles/stm32f412.json: 3 WS, 64 x 128-bit lines, prefetch; 8-line D-cache. */
#define ART                                                                                                            \
  "{ \"base\": \"0x08000000\", \"size\": 65536, \"wait_states\": 3, \"read_bits\": 128,"                               \
  " \"icache\": { \"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 64, \"prefetch\": %s },"             \
  " \"dcache\": { \"kind\": \"art\", \"line_bytes\": 16, \"lines\": 8, \"ways\": 8 } }"

static sim_fetch_t *art(int prefetch, prof_t **p) {
  char flash[1024];
  snprintf(flash, sizeof flash, ART, prefetch ? "true" : "false");
  *p = profile(flash);
  int err = 0;
  sim_fetch_t *f = sim_fetch_create(*p, &err);
  ck_assert_int_eq(err, 0);
  ck_assert_ptr_nonnull(f);
  return f;
}

static uint32_t run(sim_fetch_t *f, uint32_t addr, uint32_t end, uint32_t cycles) {
  isa_block_t b = {.addr = addr, .end = end, .insn_count = (end - addr) / 2, .cycles = cycles};
  sim_fetch_memo_t memo = {0};
  return sim_fetch_block_cycles(f, &b, &memo);
}

/* The per-block memo only skips work: a pseudo-random walk over blocks costs the same with memos kept per block
 * as with none. */
START_TEST(block_memo_changes_nothing) {
  char flash[1024];
  snprintf(flash, sizeof flash, ART, "true");
  prof_t *p1 = profile(flash), *p2 = profile(flash);
  int err = 0;
  sim_fetch_t *with_memo = sim_fetch_create(p1, &err), *without = sim_fetch_create(p2, &err);
  ck_assert_ptr_nonnull(with_memo);
  ck_assert_ptr_nonnull(without);
  isa_block_t blocks[40];
  sim_fetch_memo_t memos[40] = {0};
  for (int i = 0; i < 40; i++)
    blocks[i] = (isa_block_t){.addr = 0x08000000u + 64u * (uint32_t)i,
                              .end = 0x08000000u + 64u * (uint32_t)i + 18u,
                              .insn_count = 9,
                              .cycles = 11};
  uint32_t state = 12345;
  for (int step = 0; step < 20000; step++) {
    state = state * 1664525u + 1013904223u;
    int i = (int)((state >> 8) % (step % 100 < 50 ? 6u : 40u)); /* phases of a small and a large working set */
    sim_fetch_memo_t none = {0};
    ck_assert_uint_eq(sim_fetch_block_cycles(with_memo, &blocks[i], &memos[i]),
                      sim_fetch_block_cycles(without, &blocks[i], &none));
  }
  sim_fetch_destroy(with_memo);
  sim_fetch_destroy(without);
  prof_free(p1);
  prof_free(p2);
}
END_TEST

START_TEST(zero_wait_states_create_nothing) {
  prof_t *p = profile("{ \"base\": 0, \"size\": 65536, \"wait_states\": 0 }");
  int err = 1;
  ck_assert_ptr_null(sim_fetch_create(p, &err));
  ck_assert_int_eq(err, 0);
  sim_fetch_stats_t st;
  sim_fetch_stats(NULL, &st);
  ck_assert_uint_eq(st.line_lookups + st.line_misses + st.stall_cycles + st.data_reads, 0);
  prof_free(p);
}
END_TEST

/* A 128-bit line costs the 3 wait states once (RM0090 3.4: "the instruction cache ... 64 lines of 128 bits"); the
 * second execution hits. */
START_TEST(art_miss_then_hit) {
  prof_t *p;
  sim_fetch_t *f = art(0, &p);
  ck_assert_uint_eq(run(f, 0x08000100, 0x08000110, 8), 3);
  ck_assert_uint_eq(run(f, 0x08000100, 0x08000110, 8), 0);
  ck_assert_uint_eq(run(f, 0x08000104, 0x0800010c, 4), 0); /* same line, another block */
  sim_fetch_stats_t st;
  sim_fetch_stats(f, &st);
  ck_assert_uint_eq(st.line_lookups, 3);
  ck_assert_uint_eq(st.line_misses, 1);
  ck_assert_uint_eq(st.stall_cycles, 3);
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

START_TEST(sram_and_tcm_fetch_is_free) {
  prof_t *p;
  sim_fetch_t *f = art(0, &p);
  ck_assert_uint_eq(run(f, 0x20000000, 0x20000040, 32), 0);
  ck_assert_uint_eq(run(f, 0x00000000, 0x00000040, 32), 0); /* below flash (ITCM on an M7) */
  sim_fetch_stats_t st;
  sim_fetch_stats(f, &st);
  ck_assert_uint_eq(st.line_lookups, 0);
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

/* A block over two lines: without prefetch 2 x 3; with prefetch the second (sequential) line was being read while
 * the first executed: 32 bytes in 2 cycles = 1 cycle per line hidden, so the second line stalls 3 - 1 = 2. */
START_TEST(sequential_prefetch_hides_execution_time) {
  prof_t *p;
  sim_fetch_t *f = art(0, &p);
  ck_assert_uint_eq(run(f, 0x08000200, 0x08000220, 2), 6);
  sim_fetch_destroy(f);
  prof_free(p);
  f = art(1, &p);
  ck_assert_uint_eq(run(f, 0x08000200, 0x08000220, 2), 5);
  /* Straight-line code at >= 3 cycles per line: the prefetch hides every following line entirely. */
  ck_assert_uint_eq(run(f, 0x08000400, 0x08000440, 16), 3);
  /* The fall-through into the next block's line is sequential too. */
  ck_assert_uint_eq(run(f, 0x08000440, 0x08000450, 8), 0);
  /* A jump elsewhere is not. */
  ck_assert_uint_eq(run(f, 0x08000800, 0x08000810, 8), 3);
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

/* 64 lines, fully associative, LRU: a loop over 64 lines fits (hits after the first pass), 65 lines thrash. */
START_TEST(art_capacity_64_lines_lru) {
  prof_t *p;
  sim_fetch_t *f = art(0, &p);
  for (int pass = 0; pass < 3; pass++) {
    uint32_t cost = 0;
    for (uint32_t i = 0; i < 64; i++) cost += run(f, 0x08001000 + 16 * i, 0x08001010 + 16 * i, 8);
    ck_assert_uint_eq(cost, pass == 0 ? 64 * 3 : 0);
  }
  sim_fetch_destroy(f);
  prof_free(p);
  f = art(0, &p);
  for (int pass = 0; pass < 3; pass++) {
    uint32_t cost = 0;
    for (uint32_t i = 0; i < 65; i++) cost += run(f, 0x08001000 + 16 * i, 0x08001010 + 16 * i, 8);
    ck_assert_uint_eq(cost, 65 * 3);
  }
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

/* Cortex-M7 L1 I-cache as in profiles/stm32f746.json: 4 KiB, 2-way, 32-byte lines = 64 sets; lines 2 KiB apart share
 * a set. A, B, A, C: C evicts B (least recently used), so A then hits and B misses. */
START_TEST(two_way_lru_replacement) {
  prof_t *p = profile("{ \"base\": \"0x08000000\", \"size\": 65536, \"wait_states\": 7, \"read_bits\": 256,"
                      " \"icache\": { \"kind\": \"l1\", \"line_bytes\": 32, \"lines\": 128, \"ways\": 2 } }");
  int err = 0;
  sim_fetch_t *f = sim_fetch_create(p, &err);
  ck_assert_ptr_nonnull(f);
  const uint32_t a = 0x08000000, b = a + 2048, c = a + 4096;
  ck_assert_uint_eq(run(f, a, a + 8, 4), 7);
  ck_assert_uint_eq(run(f, b, b + 8, 4), 7);
  ck_assert_uint_eq(run(f, a, a + 8, 4), 0);
  ck_assert_uint_eq(run(f, c, c + 8, 4), 7);
  ck_assert_uint_eq(run(f, a, a + 8, 4), 0);
  ck_assert_uint_eq(run(f, b, b + 8, 4), 7);
  ck_assert_uint_eq(run(f, c, c + 8, 4), 7); /* B took C's way; A is now the LRU one */
  ck_assert_uint_eq(run(f, b, b + 8, 4), 0);
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

/* No cache: every 32-bit flash read of the block pays the wait states (12 bytes = 3 reads). */
START_TEST(uncached_flash_pays_every_read) {
  prof_t *p = profile("{ \"base\": 0, \"size\": 65536, \"wait_states\": 2 }");
  int err = 0;
  sim_fetch_t *f = sim_fetch_create(p, &err);
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(run(f, 0x100, 0x10c, 6), 6);
  ck_assert_uint_eq(run(f, 0x100, 0x10c, 6), 6);
  ck_assert_uint_eq(run(f, 0x102, 0x106, 2), 4); /* two halfwords in two words */
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

/* RP2040 XIP: zero "wait states" but a cache miss costs the QSPI transfer (56 cycles in profiles/rp2040.json). */
START_TEST(xip_cache_miss_cost) {
  prof_t *p = profile("{ \"base\": \"0x10000000\", \"size\": 65536, \"wait_states\": 0, \"read_bits\": 64,"
                      " \"icache\": { \"kind\": \"xip\", \"line_bytes\": 8, \"lines\": 2048, \"ways\": 2,"
                      " \"miss_cycles\": 56, \"unified\": true } }");
  int err = 0;
  sim_fetch_t *f = sim_fetch_create(p, &err);
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(run(f, 0x10000100, 0x10000110, 8), 112);
  ck_assert_uint_eq(run(f, 0x10000100, 0x10000110, 8), 0);
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

/* Precise mode on real Unicorn: three loads from flash, the first two from one 128-bit line, the third from the next:
 * ART D-cache miss (3), hit, miss (3). */
START_TEST(precise_data_reads_through_the_dcache) {
  prof_t *p;
  sim_fetch_t *f = art(0, &p);
  uc_engine *uc = NULL;
  ck_assert_int_eq(uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc), UC_ERR_OK);
  ck_assert_int_eq(uc_ctl_set_cpu_model(uc, UC_CPU_ARM_CORTEX_M4), UC_ERR_OK);
  ck_assert_int_eq(uc_mem_map(uc, 0x08000000, 65536, UC_PROT_READ | UC_PROT_EXEC), UC_ERR_OK);
  /* ldr r0, [r1]; ldr r0, [r1]; ldr r2, [r1, #16] */
  const uint8_t code[] = {0x08, 0x68, 0x08, 0x68, 0x0a, 0x69};
  ck_assert_int_eq(uc_mem_write(uc, 0x08000000, code, sizeof code), UC_ERR_OK);
  uint32_t r1 = 0x08000100;
  uc_reg_write(uc, UC_ARM_REG_R1, &r1);
  uint64_t cycles = 0;
  ck_assert_int_eq(sim_fetch_enable_data_reads(f, uc, &cycles, NULL), 0);
  ck_assert_int_eq(uc_emu_start(uc, 0x08000000 | 1, 0x08000000 + sizeof code, 0, 0), UC_ERR_OK);
  sim_fetch_stats_t st;
  sim_fetch_stats(f, &st);
  ck_assert_uint_eq(st.data_reads, 3);
  ck_assert_uint_eq(st.data_stall_cycles, 6);
  ck_assert_uint_eq(cycles, 6);
  uc_close(uc);
  sim_fetch_destroy(f);
  prof_free(p);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("fetch");
  TCase *tc = tcase_create("fetch");
  tcase_add_test(tc, zero_wait_states_create_nothing);
  tcase_add_test(tc, block_memo_changes_nothing);
  tcase_add_test(tc, art_miss_then_hit);
  tcase_add_test(tc, sram_and_tcm_fetch_is_free);
  tcase_add_test(tc, sequential_prefetch_hides_execution_time);
  tcase_add_test(tc, art_capacity_64_lines_lru);
  tcase_add_test(tc, two_way_lru_replacement);
  tcase_add_test(tc, uncached_flash_pays_every_read);
  tcase_add_test(tc, xip_cache_miss_cost);
  tcase_add_test(tc, precise_data_reads_through_the_dcache);
  suite_add_tcase(s, tc);
  return s;
}
