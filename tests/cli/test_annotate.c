/* tests/cli/test_annotate.c — a firmware written the way third-party code is (tests/firmware/thirdparty_cnn.c:
 * malloc/free, CMSIS-NN-style names, no trace header) gets exact per-layer and per-allocation figures from the bundled
 * annotation presets alone; the function profile adds up to the run's totals; a bad annotation file is refused with
 * its name and field. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

#define FW FIRMWARE_DIR "/thirdparty_cnn.elf"
#define OUT(name) WORK_DIR "/annotate_" name

static int sh(const char *cmd) {
  int status = system(cmd);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(const char *options, const char *report) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s run -q -p cortex-m4-0ws %s -r %s %s > %s.txt 2>&1", MCUSIM_BIN, options, report, FW,
           report);
  return sh(cmd);
}

static const cJSON *named(const cJSON *list, const char *name) {
  const cJSON *x;
  cJSON_ArrayForEach(x, list) if (!strcmp(cli_get(x, "name")->valuestring, name)) return x;
  ck_abort_msg("no entry %s", name);
  return NULL;
}

/* The model's buffers (thirdparty_cnn.c): conv out 2048 + scratch 54, depthwise out 2048, pool 8, fc 4. */
START_TEST(presets_give_exact_layers_and_allocations) {
  ck_assert_int_eq(run("--annotate cmsis-nn --annotate newlib-malloc", OUT("presets.json")), 0);
  cJSON *r = cli_read_json(OUT("presets.json"));
  const cJSON *layers = cli_get(r, "layers");
  ck_assert_int_eq(cJSON_GetArraySize(layers), 4);
  static const struct {
    const char *name, *kind;
    int peak, entry;
  } want[] = {{"conv_0", "conv2d", 2048 + 54, 2048 + 54},
              {"dw_1", "depthwise", 2048 + 2048, 2048 + 2048},
              {"avgpool_2", "avgpool", 2048 + 8, 2048 + 8},
              {"fc_3", "fully_connected", 8 + 4, 8 + 4}};
  for (int i = 0; i < 4; i++) {
    const cJSON *l = cJSON_GetArrayItem(layers, i);
    ck_assert_str_eq(cli_get(l, "name")->valuestring, want[i].name);
    ck_assert_str_eq(cli_get(l, "kind")->valuestring, want[i].kind);
    ck_assert_int_eq((int)cli_num(l, "id"), i);
    ck_assert_int_eq((int)cli_num(l, "calls"), 1);
    ck_assert_int_eq((int)cli_num(l, "arena_peak_bytes"), want[i].peak);
    ck_assert_int_eq((int)cli_num(l, "arena_at_entry_bytes"), want[i].entry);
  }
  ck_assert_int_eq((int)cli_num(cli_get(r, "memory"), "arena_peak_bytes"), 4096);
  static const int sizes[] = {2048, 54, 2048, 8, 4};
  const cJSON *allocs = cli_get(r, "allocations");
  ck_assert_int_eq(cJSON_GetArraySize(allocs), 5);
  for (int i = 0; i < 5; i++) {
    const cJSON *a = cJSON_GetArrayItem(allocs, i);
    ck_assert_int_eq((int)cli_num(a, "size"), sizes[i]);
    ck_assert_str_eq(cli_get(a, "tag")->valuestring, "model_invoke"); /* the caller, through malloc's tail call */
    ck_assert(cli_num(a, "free_cycle") > cli_num(a, "alloc_cycle"));
  }
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "diagnostics")), 0);
  /* layers + other = total */
  double sum = cli_num(cli_get(r, "other"), "cycles");
  const cJSON *l;
  cJSON_ArrayForEach(l, layers) sum += cli_num(l, "cycles");
  ck_assert_int_eq((long)sum, (long)cli_num(cli_get(r, "totals"), "cycles"));
  cJSON_Delete(r);
}
END_TEST

/* Exclusive cycles of all functions add up to the run; a layer's cycles equal its kernel's inclusive cycles (the layer
 * runs from the kernel's first instruction to its return); the folded stacks add up to the run too. */
START_TEST(function_profile_adds_up) {
  ck_assert_int_eq(run("--annotate cmsis-nn --folded " OUT("stacks.folded"), OUT("profile.json")), 0);
  cJSON *r = cli_read_json(OUT("profile.json"));
  double total = cli_num(cli_get(r, "totals"), "cycles"), sum = 0, insns = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, cli_get(r, "functions")) {
    sum += cli_num(f, "cycles");
    insns += cli_num(f, "instructions");
  }
  ck_assert_int_eq((long)sum, (long)total);
  ck_assert_int_eq((long)insns, (long)cli_num(cli_get(r, "totals"), "instructions"));
  const cJSON *conv = named(cli_get(r, "functions"), "arm_convolve_s8");
  const cJSON *im2col = named(cli_get(r, "functions"), "arm_nn_im2col_s8_s16");
  ck_assert_int_eq((int)cli_num(conv, "calls"), 1);
  ck_assert_int_eq((int)cli_num(im2col, "calls"), 16 * 16);
  ck_assert_int_eq((long)cli_num(conv, "inclusive_cycles"),
                   (long)(cli_num(conv, "cycles") + cli_num(im2col, "inclusive_cycles")));
  ck_assert_int_eq((long)cli_num(conv, "inclusive_cycles"),
                   (long)cli_num(named(cli_get(r, "layers"), "conv_0"), "cycles"));
  ck_assert_int_eq((long)cli_num(named(cli_get(r, "functions"), "main"), "inclusive_cycles"),
                   (long)cli_num(named(cli_get(r, "functions"), "model_invoke"), "inclusive_cycles") +
                       (long)cli_num(named(cli_get(r, "functions"), "main"), "cycles"));
  /* DWARF: the hottest line is in the firmware's source */
  const cJSON *line = cJSON_GetArrayItem(cli_get(r, "lines"), 0);
  ck_assert_ptr_nonnull(line);
  ck_assert_ptr_nonnull(strstr(cli_get(line, "file")->valuestring, "thirdparty_cnn.c"));
  ck_assert(cli_num(line, "line") > 0);
  ck_assert(cJSON_GetArraySize(cli_get(r, "calls")) > 0);
  FILE *folded = fopen(OUT("stacks.folded"), "r");
  ck_assert_ptr_nonnull(folded);
  char text[4096];
  double folded_sum = 0;
  int conv_stack = 0;
  while (fgets(text, sizeof text, folded)) {
    char *space = strrchr(text, ' ');
    ck_assert_ptr_nonnull(space);
    folded_sum += strtod(space + 1, NULL);
    conv_stack |= strstr(text, "main;model_invoke;arm_convolve_s8;arm_nn_im2col_s8_s16 ") != NULL;
  }
  fclose(folded);
  ck_assert_int_eq((long)folded_sum, (long)total);
  ck_assert(conv_stack);
  cJSON_Delete(r);
}
END_TEST

/* Layers by symbol (one row per function, calls add up), a custom allocator spelled out with its registers, and a
 * marker capturing a register: the same figures through a hand-written file. */
START_TEST(hand_written_file) {
  FILE *f = fopen(OUT("custom.json"), "w");
  ck_assert_ptr_nonnull(f);
  fputs("{\"version\": 1,\n"
        " \"layers\": [{\"function\": \"arm_nn_im2col_*\", \"name\": \"symbol\"}],\n"
        " \"allocators\": [{\"function\": \"_malloc_r\", \"kind\": \"malloc\", \"size\": \"r1\", \"tag\": \"heap\"},\n"
        "                {\"function\": \"_free_r\", \"kind\": \"free\", \"pointer\": \"r1\"}],\n"
        " \"markers\": [{\"name\": \"fc_input\", \"at\": \"arm_fully_connected_s8\", \"value\": \"r0\"},\n"
        "             {\"name\": \"invocations\", \"at\": \"model_invoke\"}]}\n",
        f);
  fclose(f);
  ck_assert_int_eq(run("--annotate " OUT("custom.json"), OUT("custom_report.json")), 0);
  cJSON *r = cli_read_json(OUT("custom_report.json"));
  const cJSON *l = named(cli_get(r, "layers"), "arm_nn_im2col_s8_s16");
  ck_assert_int_eq((int)cli_num(l, "calls"), 256);
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "allocations")), 5);
  ck_assert_str_eq(cli_get(cJSON_GetArrayItem(cli_get(r, "allocations"), 0), "tag")->valuestring, "heap");
  /* the fc input is the pool output: the fourth allocation's address */
  const char *pool_addr = cli_get(cJSON_GetArrayItem(cli_get(r, "allocations"), 3), "address")->valuestring;
  ck_assert_int_eq((long)cli_num(cli_get(r, "marks"), "fc_input"), strtol(pool_addr, NULL, 16));
  ck_assert_int_eq((int)cli_num(cli_get(r, "marks"), "invocations"), 1);
  cJSON_Delete(r);
}
END_TEST

static const char *const bad_files[][2] = {
    {"{\"layers\": []}", "version: missing"},
    {"{\"version\": 2}", "version: must be 1"},
    {"{\"version\": 1, \"layers\": [{\"function\": \"f\", \"nmae\": \"call\"}]}", "layers[0].nmae: unknown field"},
    {"{\"version\": 1, \"allocators\": [{\"function\": \"m\", \"kind\": \"malloc\", \"size\": \"r7\"}]}",
     "allocators[0].size: 'r7' is not an argument register"},
    {"{\"version\": 1, \"allocators\": [{\"function\": \"m\", \"kind\": \"new\"}]}", "allocators[0].kind:"},
    {"{\"version\": 1, \"markers\": [{\"name\": \"m\", \"at\": \"no_such_function\"}]}", "markers[0]: 'at'"},
    {"{\"version\": 1, \"layers\": [{\"name\": \"call\"}]}", "layers[0].function: missing"},
};

START_TEST(bad_file_is_refused_naming_file_and_field) {
  FILE *f = fopen(OUT("bad.json"), "w");
  ck_assert_ptr_nonnull(f);
  fputs(bad_files[_i][0], f);
  fclose(f);
  ck_assert_int_eq(run("--annotate " OUT("bad.json"), OUT("bad_report.json")), 2);
  FILE *out = fopen(OUT("bad_report.json") ".txt", "r");
  char text[1024] = "";
  size_t n = fread(text, 1, sizeof text - 1, out);
  text[n] = '\0';
  fclose(out);
  ck_assert_msg(strstr(text, OUT("bad.json") ": ") && strstr(text, bad_files[_i][1]), "case %d: %s", _i, text);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("annotate");
  TCase *tc = tcase_create("third-party firmware");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, presets_give_exact_layers_and_allocations);
  tcase_add_test(tc, function_profile_adds_up);
  tcase_add_test(tc, hand_written_file);
  tcase_add_loop_test(tc, bad_file_is_refused_naming_file_and_field, 0, sizeof bad_files / sizeof *bad_files);
  suite_add_tcase(s, tc);
  return s;
}
