/* tests/sim/probes/test_funcprof.c — sim/probes/funcprof.c with a fake engine: block entries build the call tree
 * (a taken call edge pushes, a return to the caller's next block pops), exclusive and inclusive figures, call
 * slices and folded stacks. */
#include "tests/support/check_main.h"

#include <stdlib.h>

#include "sim/mcusim.h"
#include "sim/probes/funcprof.h"
#include "tests/sim/probes/fake_engine.h"

static const mcusim_function_t *function(const mcusim_funcprof_t *v, const char *name) {
  for (size_t i = 0; i < v->function_count; i++)
    if (!strcmp(v->functions[i].name, name)) return &v->functions[i];
  return NULL;
}

START_TEST(call_and_return_edges) {
  fake_engine_t e;
  fake_engine_init(&e);
  probe_fp_t *fp = probe_fp_create(&e.elf, &e.host);
  ck_assert_ptr_nonnull(fp);
  probe_fp_block_t main1 = {0}, f1 = {0}, main2 = {0};
  probe_fp_init_block(fp, &main1, 0x100, ISA_F_CALL); /* main: ... BL f, returns to 0x108 */
  probe_fp_init_block(fp, &f1, 0x200, ISA_F_RETURN);  /* f: ... BX LR */
  probe_fp_init_block(fp, &main2, 0x108, 0);
  ck_assert_int_eq(f1.func, 1);
  probe_fp_block(fp, NULL, 0, &main1, 0x100, 0, 0);
  probe_fp_block(fp, &main1, 0x108, &f1, 0x200, 10, 3);           /* main1 ran 10 cycles, then the call */
  probe_fp_block(fp, &f1, 0x210, &main2, 0x108, 30, 8);           /* f ran 20 cycles, then the return */
  ck_assert_int_eq(probe_fp_finish(fp, &main2, 35, 10, NULL), 0); /* main2 ran 5; no ELF file: no lines */
  const mcusim_funcprof_t *v = probe_fp_view(fp);
  ck_assert_ptr_nonnull(v);
  ck_assert_int_eq(v->has_dwarf, 0);
  const mcusim_function_t *m = function(v, "main"), *f = function(v, "f");
  ck_assert_ptr_nonnull(m);
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(f->cycles, 20);
  ck_assert_uint_eq(f->inclusive_cycles, 20);
  ck_assert_uint_eq(f->calls, 1);
  ck_assert_uint_eq(m->cycles, 15);
  ck_assert_uint_eq(m->inclusive_cycles, 35);
  ck_assert_uint_eq(main1.cycles, 10);
  ck_assert_uint_eq(f1.cycles, 20);
  ck_assert_uint_eq(main2.cycles, 5);
  ck_assert_uint_eq(v->call_count, 2); /* f's call, and main's slice closed at the end */
  char *folded = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&folded, &len);
  ck_assert_int_eq(probe_fp_write_folded(fp, out), 0);
  fclose(out);
  ck_assert_str_eq(folded, "main 15\nmain;f 20\n");
  free(folded);
  probe_fp_destroy(fp);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("probe_funcprof");
  TCase *tc = tcase_create("edges");
  tcase_add_test(tc, call_and_return_edges);
  suite_add_tcase(s, tc);
  return s;
}
