/* tests/integration/test_memory.c — the memory report end to end: a synthetic firmware with a known pattern of
 * layers, patches and allocations gives exact figures; each misuse gives its diagnostic; firmware without trace
 * calls still gets its figures; the bundled MobileNetV2's per-layer arena equals the analytic input + output. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define FW(name) FIRMWARE_DIR "/" name ".elf"
#define OUT(name) WORK_DIR "/mem_" name ".json"

static int run(const char *profile, const char *elf, const char *out) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s run -q -p %s -r %s %s > /dev/null 2>&1", MCUSIM_BIN, profile, out, elf);
  int status = system(cmd);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static cJSON *load(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "no report %s", path);
  static char buf[8 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  cJSON *r = cJSON_Parse(buf);
  ck_assert_msg(r != NULL, "%s is not JSON", path);
  return r;
}

static double num(const cJSON *obj, const char *key) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);
  ck_assert_msg(cJSON_IsNumber(x), "'%s' is not a number", key);
  return x->valuedouble;
}

static const cJSON *get(const cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key); }

static const cJSON *layer_named(const cJSON *report, const char *name) {
  const cJSON *l;
  cJSON_ArrayForEach(l, get(report, "layers")) if (!strcmp(get(l, "name")->valuestring, name)) return l;
  ck_abort_msg("no layer %s", name);
  return NULL;
}

START_TEST(synthetic_pattern_gives_exact_figures) {
  ck_assert_int_eq(run("cortex-m4-0ws", FW("trace_events"), OUT("trace")), 0);
  cJSON *r = load(OUT("trace"));
  const cJSON *mem = get(r, "memory");
  ck_assert_int_eq((int)num(mem, "arena_peak_bytes"), 5000);
  ck_assert_int_eq((int)num(mem, "arena_high_water_bytes"), 4096 + 2000);
  ck_assert_int_eq(cJSON_GetArraySize(get(r, "layers")), 3);
  const cJSON *a = layer_named(r, "conv_a"), *b = layer_named(r, "dw_b"), *c = layer_named(r, "fc_c");
  ck_assert_str_eq(get(a, "kind")->valuestring, "conv2d");
  ck_assert_int_eq(cJSON_GetArrayItem(get(a, "out_shape"), 2)->valueint, 16);
  ck_assert_int_eq((int)num(a, "calls"), 1);
  ck_assert_int_eq((int)num(a, "macs"), 100);
  ck_assert_int_eq((int)num(a, "arena_peak_bytes"), 4000);
  ck_assert_int_eq((int)num(a, "arena_at_entry_bytes"), 0);
  ck_assert(cJSON_IsFalse(get(a, "patch_stage")));
  ck_assert_int_eq((int)num(b, "calls"), 2);
  ck_assert_int_eq((int)num(b, "macs"), 80);
  ck_assert_int_eq((int)num(b, "arena_peak_bytes"), 5000);
  ck_assert_int_eq((int)num(b, "arena_at_entry_bytes"), 3000);
  ck_assert(cJSON_IsTrue(get(b, "patch_stage")));
  ck_assert_int_eq((int)num(c, "arena_peak_bytes"), 3000);
  ck_assert(num(a, "cycles") > 0 && num(b, "cycles") > 0);
  /* patches */
  const cJSON *patches = get(r, "patches");
  ck_assert_int_eq(cJSON_GetArraySize(patches), 2);
  ck_assert_int_eq((int)num(cJSON_GetArrayItem(patches, 0), "arena_peak_bytes"), 5000);
  ck_assert_int_eq((int)num(cJSON_GetArrayItem(patches, 1), "arena_peak_bytes"), 3500);
  ck_assert_int_eq((int)num(cJSON_GetArrayItem(patches, 1), "index"), 1);
  ck_assert_int_eq((int)num(cJSON_GetArrayItem(patches, 0), "macs"), 50);
  /* a patch contains its layer: its cycles are at least the layer's share */
  ck_assert(num(cJSON_GetArrayItem(patches, 0), "cycles") >= num(b, "cycles") / 2);
  /* other + top-level ranges = total */
  double ranges = num(a, "cycles") + num(c, "cycles") + num(cJSON_GetArrayItem(patches, 0), "cycles") +
                  num(cJSON_GetArrayItem(patches, 1), "cycles");
  ck_assert_int_eq((long)(ranges + num(get(r, "other"), "cycles")), (long)num(get(r, "totals"), "cycles"));
  /* marks, allocations, timeline */
  ck_assert_str_eq(get(get(r, "marks"), "model")->valuestring, "synthetic");
  ck_assert_int_eq((int)num(get(r, "marks"), "answer"), 42);
  ck_assert_int_eq(cJSON_GetArraySize(get(r, "allocations")), 4);
  const cJSON *tmp = cJSON_GetArrayItem(get(r, "allocations"), 2);
  ck_assert_str_eq(get(tmp, "tag")->valuestring, "tmp");
  ck_assert_int_eq((int)num(tmp, "layer"), 1);
  ck_assert(num(tmp, "free_cycle") > num(tmp, "alloc_cycle"));
  double timeline_peak = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, get(r, "timeline")) if (num(s, "arena_bytes") > timeline_peak) timeline_peak =
      num(s, "arena_bytes");
  ck_assert_int_eq((int)timeline_peak, 5000);
  ck_assert_int_eq(cJSON_GetArraySize(get(r, "diagnostics")), 0);
  cJSON_Delete(r);
}
END_TEST

static const char *const misuses[] = {"unknown_free", "double_free", "overlap", "outside_sram", "stack_into_static"};

START_TEST(each_misuse_gives_its_diagnostic) {
  char elf[512], out[512];
  snprintf(elf, sizeof elf, "%s/misuse_%s.elf", FIRMWARE_DIR, misuses[_i]);
  snprintf(out, sizeof out, "%s/mem_misuse_%s.json", WORK_DIR, misuses[_i]);
  ck_assert_int_eq(run("cortex-m4-0ws", elf, out), 0);
  cJSON *r = load(out);
  const cJSON *d = cJSON_GetArrayItem(get(r, "diagnostics"), 0);
  ck_assert_msg(d != NULL, "no diagnostic for %s", misuses[_i]);
  ck_assert_str_eq(get(d, "kind")->valuestring, misuses[_i]);
  ck_assert(strlen(get(d, "message")->valuestring) > 10);
  if (strcmp(misuses[_i], "stack_into_static") != 0)
    ck_assert_msg(strncmp(get(d, "caller")->valuestring, "main+", 5) == 0, "caller %s", get(d, "caller")->valuestring);
  cJSON_Delete(r);
}
END_TEST

START_TEST(firmware_without_trace_calls_still_gets_figures) {
  ck_assert_int_eq(run("cortex-m4-0ws", FW("hello"), OUT("hello")), 1); /* hello exits 3 */
  cJSON *r = load(OUT("hello"));
  ck_assert_int_eq(cJSON_GetArraySize(get(r, "layers")), 0);
  ck_assert(num(get(r, "totals"), "instructions") > 0);
  ck_assert_int_eq((long)num(get(r, "other"), "cycles"), (long)num(get(r, "totals"), "cycles"));
  ck_assert(num(get(r, "memory"), "stack_peak_bytes") > 0);
  ck_assert(num(get(r, "memory"), "touched_bytes") > 0);
  cJSON_Delete(r);
}
END_TEST

static long out_bytes(const cJSON *layer) {
  const cJSON *shape = get(layer, "out_shape");
  return (long)cJSON_GetArrayItem(shape, 0)->valueint * cJSON_GetArrayItem(shape, 1)->valueint *
         cJSON_GetArrayItem(shape, 2)->valueint;
}

/* Per layer, the simulated arena peak equals the generator's analytic input + output bytes (the paper's
 * count), with the runtime's documented differences: the input frame stays in flash (layer 0), an in-place
 * depthwise needs a one-channel scratch (in_h x in_w), and inside a residual block the block's input stays
 * live during the depthwise. */
START_TEST(mobilenet_per_layer_arena_matches_the_analytic_count) {
  ck_assert_int_eq(run("stm32h743", WORKLOAD_DIR "/mbv2-w0.35-r144_layerwise.elf", OUT("mbv2")), 0);
  cJSON *r = load(OUT("mbv2"));
  FILE *plan = popen(GEN_BIN " --model " MODEL_DIR "/mbv2-w0.35-r144.json --schedule layerwise --plan", "r");
  ck_assert_ptr_nonnull(plan);
  char line[512], name[64], op[16];
  int id, k, s, ih, iw, ic, oh, ow, oc, checked = 0;
  long macs, inout, expected[256];
  int is_dw[256] = {0}, residual[256] = {0}, in_hw[256] = {0};
  while (fgets(line, sizeof line, plan)) {
    if (sscanf(line, "%d %63s %15s %d/%d %dx%dx%d %dx%dx%d %ld %ld", &id, name, op, &k, &s, &ih, &iw, &ic, &oh, &ow,
               &oc, &macs, &inout) != 13 ||
        id < 0 || id >= 256)
      continue;
    expected[id] = inout - (id == 0 ? (long)ih * iw * ic : 0);
    is_dw[id] = !strcmp(op, "dw");
    in_hw[id] = ih * iw;
    residual[id] = strstr(line, "+res") != NULL;
  }
  pclose(plan);
  const cJSON *l;
  cJSON_ArrayForEach(l, get(r, "layers")) {
    int i = (int)num(l, "id");
    long want = expected[i] + (is_dw[i] ? in_hw[i] : 0);
    if (is_dw[i] && residual[i + 1]) want += expected[i - 1] - out_bytes(cJSON_GetArrayItem(get(r, "layers"), i - 1));
    ck_assert_msg((long)num(l, "arena_peak_bytes") == want, "layer %d %s: simulated %ld, analytic %ld", i,
                  get(l, "name")->valuestring, (long)num(l, "arena_peak_bytes"), want);
    checked++;
  }
  ck_assert_int_ge(checked, 50);
  /* the layer-wise peak is the paper's figure: b2_expand, 72 x 72 x (8 + 48) */
  ck_assert_int_eq((int)num(get(r, "memory"), "arena_peak_bytes"), 72 * 72 * (8 + 48));
  cJSON_Delete(r);
}
END_TEST

/* A firmware linked for more SRAM than the device has runs to the end on the device's profile; the report says
 * by how much it overflows. --strict-sram refuses it instead. */
START_TEST(overflow_sram_is_mapped_and_reported) {
  const char *elf = WORKLOAD_DIR "/mcunet-vww-r160_layerwise.elf";
  ck_assert_int_eq(run("stm32f746", elf, OUT("overflow")), 0);
  cJSON *r = load(OUT("overflow"));
  const cJSON *mem = get(r, "memory");
  ck_assert(cJSON_IsFalse(get(mem, "fits")));
  ck_assert_int_eq((long)num(mem, "overflow_bytes"), (long)(num(mem, "peak_bytes") - 327680));
  ck_assert(num(mem, "overflow_mapped_bytes") > 0);
  cJSON_Delete(r);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s run -q --strict-sram -p stm32f746 %s > /dev/null 2>&1", MCUSIM_BIN, elf);
  int status = system(cmd);
  ck_assert_int_eq(WEXITSTATUS(status), 2);
}
END_TEST

int main(void) {
  Suite *s = suite_create("memory");
  TCase *tc = tcase_create("report");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, synthetic_pattern_gives_exact_figures);
  tcase_add_loop_test(tc, each_misuse_gives_its_diagnostic, 0, sizeof misuses / sizeof *misuses);
  tcase_add_test(tc, firmware_without_trace_calls_still_gets_figures);
  tcase_add_test(tc, mobilenet_per_layer_arena_matches_the_analytic_count);
  tcase_add_test(tc, overflow_sram_is_mapped_and_reported);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
