/* tests/memory/test_mem_limits.c — firmware-driven lists are capped (issue 21, F23): a million patch, layer and mark
 * events (1.2 GB of RSS and a 174 MB report before) keep at most MEM_PATCHES_MAX / MEM_LAYERS_MAX / MEM_MARKS_MAX
 * records, say so once each as a `list_full` diagnostic, and take linear time (the lookups are hashed). */
#include "tests/support/check_main.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "memory/mem.h"

static size_t diags_of(const mem_t *m, mem_diag_kind_t kind) {
  size_t n = 0;
  for (size_t i = 0; i < m->diag_count; i++) n += m->diags[i].kind == kind;
  return n;
}

START_TEST(a_million_events_keep_bounded_lists) {
  mem_t m;
  mem_init(&m, 1u << 20);
  clock_t t0 = clock();
  mem_when_t w = {0};
  char name[32];
  for (uint32_t i = 0; i < 1000000u; i++) {
    w.cycle = w.insn = 10u * i;
    mem_patch_begin(&m, &w, 0, i, 1);
    mem_layer_begin(&m, &w, i, "L", 1);
    w.cycle += 5;
    mem_layer_end(&m, &w, i);
    mem_patch_end(&m, &w, 0, i);
    snprintf(name, sizeof name, "mark%u", i);
    mem_mark_number(&m, name, i);
  }
  double took = (double)(clock() - t0) / CLOCKS_PER_SEC;
  ck_assert_uint_eq(m.patch_count, MEM_PATCHES_MAX);
  ck_assert_uint_eq(m.layer_count, MEM_LAYERS_MAX);
  ck_assert_uint_eq(m.mark_count, MEM_MARKS_MAX);
  ck_assert_uint_eq(diags_of(&m, MEM_DIAG_LIST_FULL), 3);
  ck_assert_uint_eq(diags_of(&m, MEM_DIAG_UNBALANCED_RANGE), 0); /* unrecorded ranges still nest and close */
  ck_assert_str_eq(mem_diag_name(MEM_DIAG_LIST_FULL), "list_full");
  ck_assert_msg(took < 10.0, "a million events took %.1f s", took);
  /* the recorded ones are exact, and existing names and ids are still found */
  ck_assert_uint_eq(m.layers[7].range.cycles, 5);
  mem_layer_begin(&m, &w, 7, "L", 1);
  mem_layer_end(&m, &w, 7);
  ck_assert_uint_eq(m.layers[7].calls, 2);
  mem_mark_number(&m, "mark3", 42);
  ck_assert_uint_eq(m.marks[3].number, 42);
  mem_release(&m);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("mem_limits");
  TCase *tc = tcase_create("limits");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, a_million_events_keep_bounded_lists);
  suite_add_tcase(s, tc);
  return s;
}
