/* tests/sim/probes/test_annotate.c — sim/probes/annotate.c with a fake engine: file errors name the file and stay
 * bounded, an entry hook opens a layer stamped by the engine's clock, the return hook (placed on first use at LR,
 * with the translated block dropped) closes it, and allocator results become allocations. */
#include "tests/support/check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim/probes/annotate.h"
#include "tests/sim/probes/fake_engine.h"

static char path[64];

static void write_file(const char *text, size_t pad_bytes) {
  snprintf(path, sizeof path, "/tmp/test_annotate_%d.json", (int)getpid());
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  for (size_t i = 0; i < pad_bytes; i++) fputc(' ', f);
  fclose(f);
}

START_TEST(file_errors_name_the_file) {
  fake_engine_t e;
  fake_engine_init(&e);
  probe_annot_t *a = probe_annot_create(&e.host);
  char msg[256], want[256];
  write_file("{\"version\": 1, \"layers\": [{\"function\": \"f\", \"nmae\": \"call\"}]}", 0);
  ck_assert_int_eq(probe_annot_load(a, path, &e.elf, msg, sizeof msg), -1);
  snprintf(want, sizeof want, "%s: layers[0].nmae: unknown field (a typo?)", path);
  ck_assert_str_eq(msg, want);
  write_file("{\"version\": 1}", 1u << 20); /* valid JSON, but more than the 1 MiB bound */
  ck_assert_int_eq(probe_annot_load(a, path, &e.elf, msg, sizeof msg), -1);
  snprintf(want, sizeof want, "%s: (file): larger than 1 MiB", path);
  ck_assert_str_eq(msg, want);
  unlink(path);
  ck_assert_int_eq(probe_annot_load(a, path, &e.elf, msg, sizeof msg), -1);
  ck_assert_ptr_nonnull(strstr(msg, "cannot read the annotation file"));
  probe_annot_free(a);
}
END_TEST

START_TEST(layer_and_allocator_through_the_hooks) {
  fake_engine_t e;
  fake_engine_init(&e);
  mem_t mem;
  mem_init(&mem, 1 << 20);
  probe_annot_t *a = probe_annot_create(&e.host);
  char msg[256] = "";
  write_file("{\"version\": 1, \"layers\": [{\"function\": \"f\", \"name\": \"symbol\"}],"
             " \"allocators\": [{\"function\": \"g\", \"kind\": \"malloc\", \"tag\": \"buf\"}]}",
             0);
  ck_assert_msg(probe_annot_load(a, path, &e.elf, msg, sizeof msg) == 0, "%s", msg);
  unlink(path);
  ck_assert_int_eq(probe_annot_install(a, &mem), 0);
  ck_assert_uint_eq(e.hook_count, 2); /* the entries of f and g */
  /* main calls f at cycle 100; f returns to 0x109 (Thumb) at cycle 160 */
  e.regs[13] = 0x20001000u;
  e.regs[14] = 0x109;
  e.cycle = 100;
  ck_assert(fake_run_hook(&e, 0x200));
  ck_assert_uint_eq(e.hook_count, 3);
  ck_assert_uint_eq(e.hooks[2].addr, 0x108);
  ck_assert_int_eq(e.hooks[2].retranslate, 1);
  /* inside f: g(64) returns 0x20000800 to 0x205 */
  e.regs[0] = 64;
  e.regs[13] = 0x20000FF0u;
  e.regs[14] = 0x205;
  e.cycle = 120;
  ck_assert(fake_run_hook(&e, 0x300));
  e.regs[0] = 0x20000800u;
  e.cycle = 130;
  ck_assert(fake_run_hook(&e, 0x204));
  e.regs[13] = 0x20001000u;
  e.cycle = 160;
  ck_assert(fake_run_hook(&e, 0x108));
  ck_assert_uint_eq(mem.layer_count, 1);
  ck_assert_str_eq(mem.layers[0].name, "f");
  ck_assert_uint_eq(mem.layers[0].range.cycles, 60);
  ck_assert_uint_eq(mem.alloc_count, 1);
  ck_assert_uint_eq(mem.allocs[0].address, 0x20000800u);
  ck_assert_uint_eq(mem.allocs[0].size, 64);
  ck_assert_uint_eq(mem.allocs[0].alloc_cycle, 130);
  ck_assert_str_eq(mem.allocs[0].tag, "buf");
  probe_annot_free(a);
  mem_release(&mem);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("probe_annotate");
  TCase *tc = tcase_create("hooks");
  tcase_add_test(tc, file_errors_name_the_file);
  tcase_add_test(tc, layer_and_allocator_through_the_hooks);
  suite_add_tcase(s, tc);
  return s;
}
