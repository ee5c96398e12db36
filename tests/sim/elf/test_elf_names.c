/* tests/sim/elf/test_elf_names.c — sim/elf's names on tests/firmware/cxx_names.c (issue 17): C++ symbols demangled
 * (libiberty), the source file of local symbols, same-name functions told apart by "@file" or "@0xaddr", lookups by
 * shown, linkage, demangled name and "name@file", patterns, and bounded names that keep what tells them apart. */
#include "tests/support/check_main.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/elf/elf_file.h"

#define FW FIRMWARE_DIR "/cxx_names.elf"
#define EVAL_CONV "(anonymous namespace)::EvalInt8(signed char const*, int)@cxx_names.c"
#define EVAL_DW "(anonymous namespace)::EvalInt8(signed char const*, int)@cxx_names_dw.c"
#define INVOKE "tflite::MicroInterpreter::Invoke()"

START_TEST(elf_symbols_demangled_with_their_files) {
  char msg[256];
  sim_elf_t *elf = sim_elf_read(FW, msg, sizeof msg);
  ck_assert_msg(elf != NULL, "%s", msg);
  uint32_t conv, dw, by_linkage, invoke;
  ck_assert_int_eq(sim_elf_lookup(elf, EVAL_CONV, &conv), 0);
  ck_assert_int_eq(sim_elf_lookup(elf, EVAL_DW, &dw), 0);
  ck_assert_uint_ne(conv, dw);
  /* symbol@file, by linkage or demangled name; the bare linkage name finds one of them */
  uint32_t a;
  ck_assert_int_eq(sim_elf_lookup(elf, "_ZN12_GLOBAL__N_18EvalInt8EPKai@cxx_names_dw.c", &a), 0);
  ck_assert_uint_eq(a, dw);
  ck_assert_int_eq(sim_elf_lookup(elf, "(anonymous namespace)::EvalInt8(signed char const*, int)@cxx_names.c", &a), 0);
  ck_assert_uint_eq(a, conv);
  ck_assert_int_eq(sim_elf_lookup(elf, "_ZN12_GLOBAL__N_18EvalInt8EPKai", &by_linkage), 0);
  ck_assert(by_linkage == conv || by_linkage == dw);
  ck_assert_int_eq(sim_elf_lookup(elf, "_ZN6tflite16MicroInterpreter6InvokeEv", &invoke), 0);
  ck_assert_int_eq(sim_elf_lookup(elf, INVOKE, &a), 0);
  ck_assert_uint_eq(a, invoke);
  const sim_elf_symbol_t *s = sim_elf_symbol_at(elf, dw);
  ck_assert_str_eq(s->name, EVAL_DW);
  ck_assert_str_eq(s->linkage, "_ZN12_GLOBAL__N_18EvalInt8EPKai");
  ck_assert_str_eq(s->demangled, "(anonymous namespace)::EvalInt8(signed char const*, int)");
  ck_assert_str_eq(s->file, "cxx_names_dw.c");
  ck_assert(sim_elf_symbol_matches(s, "*EvalInt8*@cxx_names_dw.c"));
  ck_assert(!sim_elf_symbol_matches(s, "*EvalInt8*@cxx_names.c"));
  ck_assert(sim_elf_symbol_matches(s, "_ZN12_GLOBAL__N_1*"));
  /* bounded outputs (fault symbols, layer names) drop the parameters first, keeping the file and the offset */
  char out[64];
  sim_elf_describe(s, dw + 4, out, sizeof out);
  ck_assert_str_eq(out, "(anonymous namespace)::EvalInt8@cxx_names_dw.c+0x4");
  sim_elf_describe(s, dw, out, 24);
  ck_assert_str_eq(out, "(anonymous...names_dw.c");
  sim_elf_describe(NULL, 0x1234, out, sizeof out);
  ck_assert_str_eq(out, "0x00001234");
  s = sim_elf_symbol_at(elf, invoke);
  ck_assert_str_eq(s->name, INVOKE);
  ck_assert_ptr_null(s->file); /* a global symbol: no STT_FILE applies */
  /* a name that repeats where files cannot tell it apart (a global has none) gets its address */
  size_t helpers = 0;
  for (size_t i = 0; i < elf->symbol_count; i++)
    if (!strcmp(elf->symbols[i].linkage, "_Z6helperv")) {
      char want[64];
      snprintf(want, sizeof want, "helper()@0x%08x", elf->symbols[i].addr);
      ck_assert_str_eq(elf->symbols[i].name, want);
      helpers++;
    }
  ck_assert_uint_eq(helpers, 2);
  for (size_t i = 0; i < elf->symbol_count; i++)
    ck_assert_msg(strncmp(elf->symbols[i].name, "_Z", 2), "%s", elf->symbols[i].name);
  char d[128];
  ck_assert_str_eq(sim_elf_demangle("_Z6ReduceIiET_PKS0_i", d, sizeof d), "int Reduce<int>(int const*, int)");
  ck_assert_str_eq(sim_elf_demangle("main", d, sizeof d), "main");
  ck_assert_str_eq(sim_elf_demangle("_Znot_a_name", d, sizeof d), "_Znot_a_name");
  sim_elf_free(elf);
}
END_TEST

Suite *test_suite(void) {
  if (access(FW, R_OK)) {
    printf("skipped: %s not built (-DMCUSIM_FIRMWARE=OFF?)\n", FW);
    return NULL;
  }
  Suite *s = suite_create("elf_names");
  TCase *tc = tcase_create("cxx_names");
  tcase_add_test(tc, elf_symbols_demangled_with_their_files);
  suite_add_tcase(s, tc);
  return s;
}
