/* tests/cli/test_annotate_names.c — C++ names and annotation hygiene (issue 17, items 4 and 5) on
 * tests/firmware/cxx_names.c: names demangled in every output (function profile, layers, allocation callers, a
 * fault), the two `(anonymous namespace)::EvalInt8` kept apart, `function` by address and `symbol@file`, `exclude`,
 * a warning per rule that matches nothing, optional markers, the index of a failing marker, the hash marker and
 * --stop-after. The ELF reader's side (sim/elf) is tests/sim/elf/test_elf_names.c. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/elf/elf_file.h"
#include "sim/probes/annotate.h"
#include "tests/support/cli_test.h"

#define FW FIRMWARE_DIR "/cxx_names.elf"
#define OUT(name) WORK_DIR "/annotate_names_" name

#define EVAL_CONV "(anonymous namespace)::EvalInt8(signed char const*, int)@cxx_names.c"
#define EVAL_DW "(anonymous namespace)::EvalInt8(signed char const*, int)@cxx_names_dw.c"
#define INVOKE "tflite::MicroInterpreter::Invoke()"
#define LONG_NAME "tflite::micro::very_long_namespace_name_for_columns::KernelRunnerWithALongName::InvokeTheKernel(int)"

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* mcusim run on elf with options and the annotation text (NULL: none); the report at OUT(tag).json. */
static int run(const char *elf, const char *options, const char *annotation, const char *tag) {
  char args[4096], ann[1024] = "", report[512];
  snprintf(report, sizeof report, "%s/annotate_names_%s.json", WORK_DIR, tag);
  if (annotation) {
    char path[512];
    snprintf(path, sizeof path, "%s/annotate_names_%s.ann.json", WORK_DIR, tag);
    write_text(path, annotation);
    snprintf(ann, sizeof ann, "--annotate %s", path);
  }
  snprintf(args, sizeof args, "run -q -p cortex-m4-0ws %s %s -r %s %s", options, ann, report, elf);
  return cli_mcusim(args);
}

static const cJSON *named(const cJSON *list, const char *name) {
  const cJSON *x;
  cJSON_ArrayForEach(x, list) if (!strcmp(cli_str(x, "name"), name)) return x;
  return NULL;
}

/* Function profile, layers by symbol, allocation callers: demangled, the two EvalInt8 as two rows; the text summary
 * keeps to 120 columns and shows a cut name whole on the next line. */
START_TEST(names_demangled_in_every_output) {
  ck_assert_int_eq(run(FW, "--profile-functions --annotate newlib-malloc",
                       "{\"version\": 1, \"layers\": [{\"function\": \"_ZN12_GLOBAL__N_18EvalInt8EPKai\"}]}", "all"),
                   0);
  cJSON *r = cli_read_json(OUT("all.json"));
  const cJSON *functions = cli_get(r, "functions"), *f;
  ck_assert_ptr_nonnull(named(functions, EVAL_CONV));
  ck_assert_ptr_nonnull(named(functions, EVAL_DW));
  ck_assert_int_eq((int)cli_num(named(functions, EVAL_CONV), "calls"), 3);
  ck_assert_int_eq((int)cli_num(named(functions, EVAL_DW), "calls"), 3);
  ck_assert_ptr_nonnull(named(functions, INVOKE));
  ck_assert_ptr_nonnull(named(functions, "int Reduce<int>(int const*, int)"));
  ck_assert_ptr_nonnull(named(functions, LONG_NAME));
  cJSON_ArrayForEach(f, functions) ck_assert_msg(strncmp(cli_str(f, "name"), "_Z", 2), "%s", cli_str(f, "name"));
  /* layer names are whole in the JSON (the memory module keeps 255 bytes: issue 17, full names) */
  const cJSON *layers = cli_get(r, "layers");
  ck_assert_int_eq(cJSON_GetArraySize(layers), 2);
  ck_assert_ptr_nonnull(named(layers, EVAL_CONV));
  ck_assert_ptr_nonnull(named(layers, EVAL_DW));
  /* the allocation's caller: the C++ function that called malloc */
  const cJSON *allocs = cli_get(r, "allocations");
  ck_assert_int_ge(cJSON_GetArraySize(allocs), 1);
  ck_assert_str_eq(cli_str(cJSON_GetArrayItem(allocs, 0), "tag"), "tflite::ArenaAllocator::Allocate(unsigned int)");
  char *json = cli_slurp(OUT("all.json"));
  ck_assert_ptr_null(strstr(json, "\"_Z"));
  free(json);
  cJSON_Delete(r);
  /* the text summary */
  char args[1024];
  snprintf(args, sizeof args, "run -q -p cortex-m4-0ws --profile-functions --annotate %s %s", OUT("all.ann.json"), FW);
  ck_assert_int_eq(cli_mcusim(args), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "| " EVAL_CONV "\n"));
  ck_assert_ptr_nonnull(strstr(cli_output, "| " EVAL_DW "\n"));
  ck_assert_ptr_nonnull(strstr(cli_output, "  " INVOKE " "));
  ck_assert_ptr_nonnull(strstr(cli_output, "       | " EVAL_DW "\n"));
  for (const char *line = cli_output; *line;) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    ck_assert_msg(n <= 120, "%zu columns: %.*s", n, (int)n, line);
    line += n + (end != NULL);
  }
}
END_TEST

START_TEST(fault_in_a_cxx_function) {
  ck_assert_int_eq(run(FIRMWARE_DIR "/cxx_names_fault.elf", "", NULL, "fault"), 3);
  cJSON *r = cli_read_json(OUT("fault.json"));
  const char *symbol = cli_str(cli_get(r, "result.fault"), "symbol");
  ck_assert_msg(!strncmp(symbol, LONG_NAME, strlen(LONG_NAME)), "%s", symbol);
  cJSON_Delete(r);
}
END_TEST

/* "0x..." and "symbol@file" pick one of the two same-name functions; exclude drops one from a pattern. */
START_TEST(function_by_address_and_by_file) {
  char msg[256], ann[512];
  sim_elf_t *elf = sim_elf_read(FW, msg, sizeof msg);
  ck_assert_ptr_nonnull(elf);
  uint32_t dw;
  ck_assert_int_eq(sim_elf_lookup(elf, EVAL_DW, &dw), 0);
  sim_elf_free(elf);
  snprintf(ann, sizeof ann, "{\"version\": 1, \"layers\": [{\"function\": \"0x%08x\"}]}", dw | 1u);
  ck_assert_int_eq(run(FW, "", ann, "addr"), 0);
  cJSON *r = cli_read_json(OUT("addr.json"));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "layers")), 1);
  ck_assert_int_eq((int)cli_num(named(cli_get(r, "layers"), EVAL_DW), "calls"), 3);
  cJSON_Delete(r);
  ck_assert_int_eq(
      run(FW, "", "{\"version\": 1, \"layers\": [{\"function\": \"_ZN12_GLOBAL__N_18EvalInt8EPKai@cxx_names.c\"}]}",
          "file"),
      0);
  r = cli_read_json(OUT("file.json"));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "layers")), 1);
  ck_assert_ptr_nonnull(named(cli_get(r, "layers"), EVAL_CONV));
  cJSON_Delete(r);
  ck_assert_int_eq(
      run(FW, "", "{\"version\": 1, \"layers\": [{\"function\": \"*EvalInt8*\", \"exclude\": [\"*@cxx_names_dw.c\"]}]}",
          "exclude"),
      0);
  r = cli_read_json(OUT("exclude.json"));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "layers")), 1);
  ck_assert_ptr_nonnull(named(cli_get(r, "layers"), EVAL_CONV));
  cJSON_Delete(r);
  /* the file's exclude applies to all its rules */
  ck_assert_int_eq(run(FW, "",
                       "{\"version\": 1, \"exclude\": \"*@cxx_names.c\", \"layers\": [{\"function\": \"*EvalInt8*\"}]}",
                       "exclude_file"),
                   0);
  r = cli_read_json(OUT("exclude_file.json"));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "layers")), 1);
  ck_assert_ptr_nonnull(named(cli_get(r, "layers"), EVAL_DW));
  cJSON_Delete(r);
}
END_TEST

/* A rule that matches nothing is a warning on stderr and in the report; an optional marker whose symbol is missing
 * is skipped with a warning; a required one stops the run naming its own index. */
START_TEST(unmatched_rules_and_optional_markers) {
  const char *ann =
      "{\"version\": 1, \"layers\": [{\"function\": \"" INVOKE "\"}, {\"function\": \"no_such_kernel_*\"}],"
      " \"markers\": [{\"name\": \"a\", \"at\": \"main\"}, {\"name\": \"b\", \"at\": \"main\"},"
      " {\"name\": \"c\", \"at\": \"main\"}, {\"name\": \"d\", \"at\": \"no_such_symbol\", \"optional\": true}]}";
  ck_assert_int_eq(run(FW, "", ann, "warn"), 0);
  char want[512];
  snprintf(want, sizeof want,
           "mcusim: warning: %s/annotate_names_warn.ann.json: layers[1]: 'no_such_kernel_*' matches no function of the "
           "firmware\n",
           WORK_DIR);
  ck_assert_msg(strstr(cli_output, want) != NULL, "%s", cli_output);
  ck_assert_ptr_nonnull(
      strstr(cli_output, "markers[3]: optional marker skipped: 'no_such_symbol' is not in the firmware"));
  cJSON *r = cli_read_json(OUT("warn.json"));
  const cJSON *warnings = cli_get(r, "annotations.warnings");
  ck_assert_int_eq(cJSON_GetArraySize(warnings), 2);
  ck_assert_ptr_nonnull(
      strstr(cJSON_GetArrayItem(warnings, 0)->valuestring, "layers[1]: 'no_such_kernel_*' matches no"));
  ck_assert_int_eq((int)cli_num(cJSON_GetArrayItem(cli_get(r, "layers"), 0), "calls"), 3);
  cJSON_Delete(r);
  /* the fourth marker, required: markers[3] (the index in its own list, not among all rules) */
  const char *bad = "{\"version\": 1, \"layers\": [{\"function\": \"" INVOKE "\"}],"
                    " \"markers\": [{\"name\": \"a\", \"at\": \"main\"}, {\"name\": \"b\", \"at\": \"main\"},"
                    " {\"name\": \"c\", \"at\": \"main\"}, {\"name\": \"d\", \"at\": \"no_such_symbol\"}]}";
  ck_assert_int_eq(run(FW, "", bad, "bad"), 2);
  snprintf(want, sizeof want,
           "mcusim: %s/annotate_names_bad.ann.json: markers[3]: 'at' no_such_symbol is not a function, "
           "function+offset or code address of the firmware\n",
           WORK_DIR);
  ck_assert_msg(strstr(cli_output, want) != NULL, "%s", cli_output);
}
END_TEST

/* FNV-1a (32-bit) of g_output[i] = 3 * i + 1, i < 16: the firmware's output after each Invoke(). */
static uint32_t expected_hash(void) {
  uint8_t out[16];
  for (int i = 0; i < 16; i++) out[i] = (uint8_t)(3 * i + 1);
  return probe_annot_fnv1a(out, sizeof out);
}

START_TEST(hash_marker_at_each_return) {
  ck_assert_uint_eq(probe_annot_fnv1a((const uint8_t *)"a", 1), 0xe40c292cu); /* the published FNV-1a test vector */
  const char *ann = "{\"version\": 1, \"markers\": [{\"name\": \"output\", \"function\": \"" INVOKE "\","
                    " \"hash\": {\"address\": \"g_output\", \"bytes\": 16}}]}";
  ck_assert_int_eq(run(FW, "", ann, "hash"), 0);
  cJSON *r = cli_read_json(OUT("hash.json"));
  const cJSON *hashes = cli_get(r, "annotations.hashes"), *h;
  ck_assert_int_eq(cJSON_GetArraySize(hashes), 3);
  char want[16];
  snprintf(want, sizeof want, "0x%08x", expected_hash());
  int call = 1;
  cJSON_ArrayForEach(h, hashes) {
    ck_assert_str_eq(cli_str(h, "name"), "output");
    ck_assert_int_eq((int)cli_num(h, "call"), call++);
    ck_assert_int_eq((int)cli_num(h, "bytes"), 16);
    ck_assert_str_eq(cli_str(h, "fnv1a"), want);
  }
  ck_assert_uint_eq((uint32_t)cli_num(r, "marks.output"), expected_hash());
  cJSON_Delete(r);
  /* a hash needs "function" (its return), and a whole number of bytes */
  ck_assert_int_eq(run(FW, "",
                       "{\"version\": 1, \"markers\": [{\"name\": \"o\", \"at\": \"main\", \"hash\": {\"address\": "
                       "\"g_output\", \"bytes\": 16}}]}",
                       "hash_at"),
                   2);
  ck_assert_ptr_nonnull(strstr(cli_output, "markers[0].hash: needs \"function\""));
  ck_assert_int_eq(
      run(FW, "",
          "{\"version\": 1, \"markers\": [{\"name\": \"o\", \"function\": \"main\", \"hash\": {\"address\": "
          "\"g_output\", \"bytes\": 0}}]}",
          "hash_zero"),
      2);
  ck_assert_ptr_nonnull(strstr(cli_output, "markers[0].hash.bytes: must be a whole number of bytes"));
}
END_TEST

/* A firmware that never exits ends normally at the Nth return of the function, with its report. */
START_TEST(stop_after_n_returns) {
  const char *ann = "{\"version\": 1, \"markers\": [{\"name\": \"output\", \"function\": \"" INVOKE "\","
                    " \"hash\": {\"address\": \"g_output\", \"bytes\": 16}}]}";
  ck_assert_int_eq(run(FIRMWARE_DIR "/cxx_names_forever.elf", "--stop-after '" INVOKE ":5'", ann, "stop"), 0);
  cJSON *r = cli_read_json(OUT("stop.json"));
  ck_assert_str_eq(cli_str(r, "result.stop"), "exit");
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "annotations.hashes")), 5);
  cJSON_Delete(r);
  /* without annotations too, by mangled name */
  ck_assert_int_eq(
      run(FIRMWARE_DIR "/cxx_names_forever.elf", "--stop-after _ZN6tflite16MicroInterpreter6InvokeEv:2", NULL, "stop2"),
      0);
  r = cli_read_json(OUT("stop2.json"));
  ck_assert_str_eq(cli_str(r, "result.stop"), "exit");
  cJSON_Delete(r);
  ck_assert_int_eq(run(FW,
                       "--stop-after "
                       "no_such_function:1",
                       NULL, "stop_bad"),
                   2);
  ck_assert_ptr_nonnull(strstr(cli_output, "--stop-after: no_such_function:1: 'no_such_function' is not a function"));
  ck_assert_int_eq(run(FW, "--stop-after main:0", NULL, "stop_zero"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "expected FUNCTION:N"));
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("annotate_names");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, names_demangled_in_every_output);
  tcase_add_test(tc, fault_in_a_cxx_function);
  tcase_add_test(tc, function_by_address_and_by_file);
  tcase_add_test(tc, unmatched_rules_and_optional_markers);
  tcase_add_test(tc, hash_marker_at_each_return);
  tcase_add_test(tc, stop_after_n_returns);
  suite_add_tcase(s, tc);
  return s;
}
