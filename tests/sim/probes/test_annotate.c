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

/* The bundled cmsis-nn preset hooks the kernels, not the calls that size their scratch buffers while an interpreter
 * prepares the model (a real TFLM person_detection run showed 29 such bogus layers); a rule that matches nothing is
 * a warning, not an error. */
START_TEST(cmsis_nn_preset_excludes_set_up_calls) {
  fake_engine_t e;
  fake_engine_init(&e);
  static sim_elf_symbol_t symbols[] = {
      {0x100, 0x40, "arm_convolve_s8", 1, NULL, NULL, NULL},
      {0x200, 0x20, "arm_convolve_s8_get_buffer_size", 1, NULL, NULL, NULL},
      {0x300, 0x10, "arm_depthwise_conv_wrapper_s8_get_buffer_size_dsp", 1, NULL, NULL, NULL}};
  e.elf.symbols = symbols;
  probe_annot_t *a = probe_annot_create(&e.host);
  mem_t mem;
  mem_init(&mem, 1 << 20);
  char msg[256] = "";
  ck_assert_msg(probe_annot_load(a, ANNOTATIONS_DIR "/cmsis-nn.json", &e.elf, msg, sizeof msg) == 0, "%s", msg);
  ck_assert_int_eq(probe_annot_install(a, &mem), 0);
  ck_assert_uint_eq(e.hook_count, 1);
  ck_assert_uint_eq(e.hooks[0].addr, 0x100);
  /* 10 rules, one matched (arm_convolve_*): 9 warnings naming the file and the rule in its list */
  ck_assert_uint_eq(probe_annot_warning_count(a), 9);
  ck_assert_str_eq(probe_annot_warning(a, 0), ANNOTATIONS_DIR
                   "/cmsis-nn.json: layers[1]: 'arm_depthwise_conv_*' matches no function of the firmware");
  probe_annot_free(a);
  mem_release(&mem);
}
END_TEST

/* A hash marker and --stop-after on the same function: both see each return; the stop comes at the Nth. */
START_TEST(hash_marker_and_stop_after_share_a_return) {
  fake_engine_t e;
  fake_engine_init(&e);
  mem_t mem;
  mem_init(&mem, 1 << 20);
  probe_annot_t *a = probe_annot_create(&e.host);
  char msg[256] = "";
  write_file("{\"version\": 1, \"markers\": [{\"name\": \"out\", \"function\": \"f\","
             " \"hash\": {\"address\": \"0x20000004\", \"bytes\": 4}}]}",
             0);
  ck_assert_msg(probe_annot_load(a, path, &e.elf, msg, sizeof msg) == 0, "%s", msg);
  unlink(path);
  ck_assert_int_eq(probe_annot_stop_after(a, "f:2", &e.elf, msg, sizeof msg), 0);
  ck_assert_int_eq(probe_annot_stop_after(a, "f", &e.elf, msg, sizeof msg), -1);
  ck_assert_str_eq(msg, "--stop-after: f: expected FUNCTION:N (N >= 1 returns from FUNCTION)");
  ck_assert_int_eq(probe_annot_install(a, &mem), 0);
  memcpy(e.ram + 4, "abcd", 4);
  for (int call = 1; call <= 2; call++) {
    e.regs[13] = 0x20001000u;
    e.regs[14] = 0x109;
    ck_assert(fake_run_hook(&e, 0x200)); /* both entry hooks sit at 0x200: the first runs here, run the second */
    for (size_t i = 0; i < e.hook_count; i++)
      if (e.hooks[i].addr == 0x200 && i > 0) e.hooks[i].fn(NULL, 0x200, 2, e.hooks[i].opaque);
    ck_assert_int_eq(e.finished, 0);
    ck_assert(fake_run_hook(&e, 0x108));
    ck_assert_int_eq(e.finished, call == 2);
  }
  size_t n;
  const probe_annot_hash_t *h = probe_annot_hashes(a, &n);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(h[1].call, 2);
  ck_assert_uint_eq(h[1].address, 0x20000004u);
  ck_assert_uint_eq(h[1].fnv1a, probe_annot_fnv1a((const uint8_t *)"abcd", 4));
  probe_annot_free(a);
  mem_release(&mem);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("probe_annotate");
  TCase *tc = tcase_create("hooks");
  tcase_add_test(tc, file_errors_name_the_file);
  tcase_add_test(tc, layer_and_allocator_through_the_hooks);
  tcase_add_test(tc, cmsis_nn_preset_excludes_set_up_calls);
  tcase_add_test(tc, hash_marker_and_stop_after_share_a_return);
  suite_add_tcase(s, tc);
  return s;
}
