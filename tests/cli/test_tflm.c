/* tests/cli/test_tflm.c — tflm mode (issue 17, docs/tflm.md) on the TFLM-structured test firmware
 * (tests/firmware/tflm_demo.cc): with no annotation file, one row per operator per inference with the model's kind,
 * shape and MACs; the per-operator cycles add up exactly to what the firmware measured with DWT; the arena's
 * reserved and used bytes are what the firmware's allocator printed; compare of the reference and unrolled builds
 * lines operators up and says the outputs match. Also: a static arena with annotated allocations inside it is counted
 * once, and newlib's heap counts without annotations. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/cli_test.h"

#define FW(name) FIRMWARE_DIR "/" name ".elf"
#define OUT(name) WORK_DIR "/tflm_" name

static cJSON *run(const char *fw, const char *options, const char *report) {
  char args[2048];
  snprintf(args, sizeof args, "run -q -p cortex-m4-0ws %s -r %s %s", options, report, fw);
  ck_assert_msg(cli_mcusim(args) == 0, "%s", cli_output);
  return cli_read_json(report);
}

/* tflm_model.tflite: PAD, CONV_2D, DEPTHWISE_CONV_2D, CONV_2D, AVERAGE_POOL_2D, FULLY_CONNECTED */
static const struct {
  const char *name, *kind;
  int h, w, c, macs, live;
  int params, weight_bytes; /* constant inputs: elements and bytes (int8 weights, int32 bias, PAD's int32 paddings) */
} ops[] = {{"0/PAD", "PAD", 18, 18, 1, 0, 256 + 324, 4 * 2, 4 * 2 * 4},
           {"1/CONV_2D", "CONV_2D", 8, 8, 8, 4608, 324 + 512, 8 * 3 * 3 * 1 + 8, 8 * 3 * 3 * 1 + 8 * 4},
           {"2/DEPTHWISE_CONV_2D", "DEPTHWISE_CONV_2D", 8, 8, 8, 4608, 512 + 512, 3 * 3 * 8 + 8, 3 * 3 * 8 + 8 * 4},
           {"3/CONV_2D", "CONV_2D", 8, 8, 16, 8192, 512 + 1024, 16 * 8 + 16, 16 * 8 + 16 * 4},
           {"4/AVERAGE_POOL_2D", "AVERAGE_POOL_2D", 1, 1, 16, 0, 1024 + 16, 0, 0},
           {"5/FULLY_CONNECTED", "FULLY_CONNECTED", 1, 1, 4, 64, 16 + 4, 4 * 16 + 4, 4 * 16 + 4 * 4}};

START_TEST(operators_cycles_and_arena_match_the_firmware) {
  cJSON *r = run(FW("tflm_demo"), "", OUT("ref.json"));
  const char *out = cli_str(r, "result.stdout");
  unsigned reserved = 0, used = 0;
  ck_assert_msg(sscanf(strstr(out, "arena reserved"), "arena reserved %u used %u", &reserved, &used) == 2, "%s", out);
  const cJSON *layers = cli_get(r, "layers");
  ck_assert_int_eq(cJSON_GetArraySize(layers), 1 + 2 * 6);
  ck_assert_str_eq(cli_str(cJSON_GetArrayItem(layers, 0), "name"), "AllocateTensors");
  ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(layers, 0), "params")); /* not an operator: unknown */
  const char *line = out;
  unsigned long last_hash = 0;
  for (int inference = 0; inference < 2; inference++) {
    int k;
    unsigned long fw_cycles, hash;
    line = strstr(line, "inference ");
    ck_assert_ptr_nonnull(line);
    ck_assert_int_eq(sscanf(line, "inference %d cycles %lu output hash %lx", &k, &fw_cycles, &hash), 3);
    line++;
    last_hash = hash;
    double sum = 0;
    for (int i = 0; i < 6; i++) {
      const cJSON *l = cJSON_GetArrayItem(layers, 1 + inference * 6 + i);
      char name[64];
      if (inference)
        snprintf(name, sizeof name, "%s (inference 2)", ops[i].name);
      else
        snprintf(name, sizeof name, "%s", ops[i].name);
      ck_assert_str_eq(cli_str(l, "name"), name);
      ck_assert_str_eq(cli_str(l, "kind"), ops[i].kind);
      const cJSON *shape = cli_get(l, "out_shape");
      ck_assert_int_eq(cJSON_GetArrayItem(shape, 0)->valueint, ops[i].h);
      ck_assert_int_eq(cJSON_GetArrayItem(shape, 1)->valueint, ops[i].w);
      ck_assert_int_eq(cJSON_GetArrayItem(shape, 2)->valueint, ops[i].c);
      ck_assert_int_eq((int)cli_num(l, "macs"), ops[i].macs);
      ck_assert_int_eq((int)cli_num(l, "params"), ops[i].params); /* from the model in flash */
      ck_assert_int_eq((int)cli_num(l, "weight_bytes"), ops[i].weight_bytes);
      ck_assert_int_eq((int)cli_num(l, "calls"), 1);
      ck_assert_int_eq((int)cli_num(l, "arena_peak_bytes"), ops[i].live);
      sum += cli_num(l, "cycles");
    }
    /* exact: the firmware's reads of DWT->CYCCNT sit around the invoke call, one read's cost calibrated out */
    ck_assert_uint_eq((unsigned long)sum, fw_cycles);
  }
  ck_assert_int_eq((int)cli_num(r, "memory.static_arena.reserved_bytes"), (int)reserved);
  ck_assert_int_eq((int)cli_num(r, "memory.static_arena.used_bytes"), (int)used);
  ck_assert_uint_eq((unsigned long)cli_num(r, "marks.checksum"), last_hash);
  /* peak SRAM = static - reserved + used + stack + heap */
  ck_assert_int_eq((long)cli_num(r, "memory.peak_bytes"),
                   (long)(cli_num(r, "memory.static_bytes") - reserved + used + cli_num(r, "memory.stack_peak_bytes") +
                          cli_num(r, "memory.heap_bytes")));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "diagnostics")), 0);
  cJSON_Delete(r);
  /* the text summary says the arena could shrink */
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws " FW("tflm_demo")), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "could shrink from 8,192 B reserved to"));
  /* and sums the operators' parameters, 2 inferences x (8 + 80 + 80 + 144 + 68) and x (32 + 104 + 104 + 192 + 80) B */
  ck_assert_ptr_nonnull(
      strstr(cli_output, "weights       760 params, 1,024 B read from flash, summed over 12 layer rows"));
}
END_TEST

START_TEST(compare_lines_operators_up_and_outputs_match) {
  cJSON_Delete(run(FW("tflm_demo"), "", OUT("a.json")));
  cJSON_Delete(run(FW("tflm_demo_opt"), "", OUT("b.json")));
  ck_assert_int_eq(cli_mcusim("compare " OUT("a.json") " " OUT("b.json")), 0);
  ck_assert_msg(strstr(cli_output, "outputs              match"), "%s", cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "1/CONV_2D "));
  ck_assert_ptr_nonnull(strstr(cli_output, "5/FULLY_CONNECTED (inference 2)"));
}
END_TEST

START_TEST(no_tflm_and_bad_model) {
  cJSON *r = run(FW("tflm_demo"), "--no-tflm", OUT("off.json"));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(r, "layers")), 0);
  cJSON_Delete(r);
  /* --tflite: the model from a file gives the same rows */
  r = run(FW("tflm_demo"), "--tflite " MODEL, OUT("file.json"));
  ck_assert_str_eq(cli_str(cJSON_GetArrayItem(cli_get(r, "layers"), 2), "name"), "1/CONV_2D");
  cJSON_Delete(r);
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws --tflite " FW("hello") " " FW("tflm_demo")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "hello.elf: not a usable .tflite model"));
}
END_TEST

/* An allocator annotated inside the static arena (the persistent buffers): listed, but never counted twice. */
START_TEST(static_arena_with_annotated_allocations_is_counted_once) {
  FILE *f = fopen(OUT("annot.json"), "w");
  ck_assert_ptr_nonnull(f);
  fputs("{\"version\": 1, \"allocators\": [{\"function\": \"_ZN6tflite14MicroAllocator24AllocatePersistentBufferEj\","
        " \"kind\": \"malloc\", \"size\": \"r1\", \"tag\": \"persistent\"}]}\n",
        f);
  fclose(f);
  cJSON *plain = run(FW("tflm_demo"), "--no-tflm", OUT("plain.json"));
  cJSON *annotated = run(FW("tflm_demo"), "--no-tflm --annotate " OUT("annot.json"), OUT("annotated.json"));
  ck_assert_int_eq(cJSON_GetArraySize(cli_get(annotated, "allocations")), 3); /* the three convolutions' biases */
  ck_assert(cli_num(annotated, "memory.arena_peak_bytes") > 0);
  ck_assert_int_eq((long)cli_num(annotated, "memory.peak_bytes"), (long)cli_num(plain, "memory.peak_bytes"));
  ck_assert_int_eq((int)cli_num(annotated, "memory.static_arena.outside_peak_bytes"), 0);
  cJSON_Delete(plain);
  cJSON_Delete(annotated);
}
END_TEST

/* newlib malloc of 16 KiB, no annotations: the _sbrk heap is in the RAM total. */
START_TEST(heap_counts_without_annotations) {
  cJSON *r = run(FW("heap_malloc"), "", OUT("heap.json"));
  double heap = cli_num(r, "memory.heap_bytes");
  ck_assert(heap >= 16384 && heap < 16384 + 4096);
  ck_assert_int_eq((long)cli_num(r, "memory.peak_bytes"),
                   (long)(cli_num(r, "memory.static_bytes") + cli_num(r, "memory.stack_peak_bytes") + heap));
  /* malloc annotated as well: its allocations are inside the heap, counted once */
  cJSON *annotated = run(FW("heap_malloc"), "--annotate newlib-malloc", OUT("heap_annotated.json"));
  ck_assert(cli_num(annotated, "memory.arena_peak_bytes") >= 16384);
  ck_assert_int_eq((long)cli_num(annotated, "memory.peak_bytes"), (long)cli_num(r, "memory.peak_bytes"));
  cJSON_Delete(annotated);
  cJSON_Delete(r);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("tflm");
  TCase *tc = tcase_create("tflm");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, operators_cycles_and_arena_match_the_firmware);
  tcase_add_test(tc, compare_lines_operators_up_and_outputs_match);
  tcase_add_test(tc, no_tflm_and_bad_model);
  tcase_add_test(tc, static_arena_with_annotated_allocations_is_counted_once);
  tcase_add_test(tc, heap_counts_without_annotations);
  suite_add_tcase(s, tc);
  return s;
}
