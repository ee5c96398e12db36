/* tests/memory/test_mem.c — memory/mem.c in isolation: the bounded timeline keeps the exact peak, nested ranges
 * attribute cycles and arena peaks, misuse is recorded, other = total minus top-level ranges. */
#include "tests/support/check_main.h"
#include <stdlib.h>

#include "memory/mem.h"

static mem_when_t at(uint64_t cycle) { return (mem_when_t){.cycle = cycle, .insn = cycle / 2, .sp = 0x20001000u}; }

START_TEST(timeline_is_bounded_and_keeps_the_peak) {
  mem_t m;
  mem_init(&m, 1 << 20);
  m.initial_sp = 0x20001000u;
  uint32_t state = 1;
  uint64_t peak = 0, peak_cycle = 0;
  for (uint64_t i = 0; i < 100000; i++) {
    state = state * 1664525u + 1013904223u;
    uint32_t size = 16 + (state >> 20);
    mem_when_t w = at(10 * i);
    mem_alloc(&m, &w, 0x20000000u, size, "t");
    if (m.arena_live_bytes > peak) {
      peak = m.arena_live_bytes;
      peak_cycle = w.cycle;
    }
    mem_free(&m, &w, 0x20000000u);
  }
  mem_when_t end = at(10 * 100000);
  mem_finish(&m, &end);
  ck_assert_uint_le(m.timeline_count, MEM_TIMELINE_MAX);
  ck_assert(m.timeline_decimated);
  uint64_t kept = 0, kept_cycle = 0;
  for (size_t i = 0; i < m.timeline_count; i++)
    if (m.timeline[i].arena_bytes > kept) {
      kept = m.timeline[i].arena_bytes;
      kept_cycle = m.timeline[i].cycle;
    }
  ck_assert_uint_eq(kept, peak);
  ck_assert_uint_eq(kept_cycle, peak_cycle);
  ck_assert_uint_eq(m.arena_peak_bytes, peak);
  for (size_t i = 1; i < m.timeline_count; i++) ck_assert_uint_le(m.timeline[i - 1].cycle, m.timeline[i].cycle);
  mem_release(&m);
}
END_TEST

START_TEST(nested_ranges_and_other) {
  mem_t m;
  mem_init(&m, 1 << 20);
  mem_when_t w = at(100);
  mem_patch_begin(&m, &w, 0, 3, 50);
  w = at(110);
  mem_layer_begin(&m, &w, 7, "conv", 40);
  w = at(120);
  mem_alloc(&m, &w, 0x20000000u, 300, "a");
  w = at(130);
  mem_free(&m, &w, 0x20000000u);
  w = at(150);
  mem_layer_end(&m, &w, 7);
  w = at(200);
  mem_patch_end(&m, &w, 0, 3);
  mem_when_t end = at(1000);
  mem_finish(&m, &end);
  ck_assert_uint_eq(m.layer_count, 1);
  ck_assert_uint_eq(m.layers[0].range.cycles, 40);
  ck_assert_uint_eq(m.layers[0].range.arena_peak_bytes, 300);
  ck_assert_uint_eq(m.layers[0].calls_in_patch, 1);
  ck_assert_uint_eq(m.patch_count, 1);
  ck_assert_uint_eq(m.patches[0].range.cycles, 100);
  ck_assert_uint_eq(m.patches[0].index, 3);
  ck_assert_uint_eq(m.other_cycles, 1000 - 100);
  ck_assert_uint_eq(m.diag_count, 0);
  mem_release(&m);
}
END_TEST

/* Parameters arrive before the layer's first begin (MCUSIM_LAYER_PARAMS); a layer without them says unknown. */
START_TEST(layer_params_known_or_unknown) {
  mem_t m;
  mem_init(&m, 1 << 20);
  mem_layer_info(&m, 3, "conv2d", 8, 8, 16);
  mem_layer_params(&m, 3, 448, 624);
  mem_when_t w = at(10);
  mem_layer_begin(&m, &w, 3, "conv", 40);
  w = at(20);
  mem_layer_end(&m, &w, 3);
  mem_layer_begin(&m, &w, 4, "pool", 0);
  w = at(30);
  mem_layer_end(&m, &w, 4);
  mem_when_t end = at(40);
  mem_finish(&m, &end);
  ck_assert_uint_eq(m.layer_count, 2);
  ck_assert(m.layers[0].has_params);
  ck_assert_uint_eq(m.layers[0].params, 448);
  ck_assert_uint_eq(m.layers[0].weight_bytes, 624);
  ck_assert_str_eq(m.layers[0].name, "conv");
  ck_assert(!m.layers[1].has_params);
  mem_release(&m);
}
END_TEST

START_TEST(misuse_and_unbalanced_ranges_are_recorded) {
  mem_t m;
  mem_init(&m, 1 << 20);
  mem_when_t w = at(10);
  ck_assert_int_eq(mem_free(&m, &w, 0x1234), -1);
  mem_alloc(&m, &w, 0x100, 64, "x");
  ck_assert_int_eq(mem_alloc(&m, &w, 0x120, 64, "y"), -1);
  mem_free(&m, &w, 0x100);
  ck_assert_int_eq(mem_free(&m, &w, 0x100), -1);
  mem_layer_end(&m, &w, 99);
  ck_assert_uint_eq(m.diag_count, 4);
  ck_assert_int_eq(m.diags[0].kind, MEM_DIAG_UNKNOWN_FREE);
  ck_assert_int_eq(m.diags[1].kind, MEM_DIAG_OVERLAP);
  ck_assert_int_eq(m.diags[2].kind, MEM_DIAG_DOUBLE_FREE);
  ck_assert_int_eq(m.diags[3].kind, MEM_DIAG_UNBALANCED_RANGE);
  mem_release(&m);
}
END_TEST

START_TEST(setters_feed_the_finish) {
  mem_t m;
  mem_init(&m, 1 << 20);
  mem_set_static(&m, 100, 28, 0x20000400u);
  mem_set_initial_sp(&m, 0x20001000u);
  mem_set_arena_base(&m, 0x20000800u);
  mem_set_overflow_mapped(&m, 4096);
  mem_when_t w = at(10);
  mem_alloc(&m, &w, 0x20000900u, 64, "a");
  mem_set_stack_low(&m, 0x20000300u, 0x20000400u); /* below the static end: a diagnostic */
  mem_when_t end = at(20);
  mem_finish(&m, &end);
  ck_assert_uint_eq(m.static_bytes, 128);
  ck_assert_uint_eq(m.stack_peak_bytes, 0xD00);
  ck_assert_uint_eq(m.arena_base, 0x20000800u);
  ck_assert_uint_eq(m.overflow_mapped_bytes, 4096);
  ck_assert_uint_eq(m.diag_count, 1);
  ck_assert_int_eq(m.diags[0].kind, MEM_DIAG_STACK_INTO_STATIC);
  mem_release(&m);
}
END_TEST

START_TEST(free_all_empties_the_live_set) {
  mem_t m;
  mem_init(&m, 1 << 20);
  mem_when_t w = at(10);
  mem_alloc(&m, &w, 0x100, 16, "a");
  mem_alloc(&m, &w, 0x200, 32, "b");
  mem_alloc(&m, &w, 0x300, 64, "c");
  w = at(20);
  mem_free_all(&m, &w);
  ck_assert_uint_eq(m.live_count, 0);
  ck_assert_uint_eq(m.arena_live_bytes, 0);
  ck_assert_uint_eq(m.arena_peak_bytes, 112);
  ck_assert_uint_eq(m.free_count, 3);
  ck_assert_uint_eq(m.diag_count, 0);
  for (size_t i = 0; i < m.alloc_record_count; i++) ck_assert_uint_eq(m.allocs[i].free_cycle, 20);
  mem_release(&m);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("mem");
  TCase *tc = tcase_create("mem");
  tcase_add_test(tc, timeline_is_bounded_and_keeps_the_peak);
  tcase_add_test(tc, nested_ranges_and_other);
  tcase_add_test(tc, layer_params_known_or_unknown);
  tcase_add_test(tc, misuse_and_unbalanced_ranges_are_recorded);
  tcase_add_test(tc, setters_feed_the_finish);
  tcase_add_test(tc, free_all_empties_the_live_set);
  suite_add_tcase(s, tc);
  return s;
}
