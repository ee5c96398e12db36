/* tests/cli/test_run.c — `mcusim run` end to end on cross-compiled test firmware: exit codes,
 * firmware cli_output, the JSON report, faults, limits and bad input. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

static const cJSON *at(const cJSON *obj, const char *a, const char *b) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, a);
  return b ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

static double num(const cJSON *obj, const char *a, const char *b) {
  const cJSON *x = at(obj, a, b);
  ck_assert_msg(cJSON_IsNumber(x), "%s.%s is not a number", a, b ? b : "");
  return x->valuedouble;
}

static const char *str(const cJSON *obj, const char *a, const char *b) {
  const cJSON *x = at(obj, a, b);
  ck_assert_msg(cJSON_IsString(x), "%s.%s is not a string", a, b ? b : "");
  return x->valuestring;
}

#define FW(name) FIRMWARE_DIR "/" name ".elf"
#define OUT(name) WORK_DIR "/" name ".json"

START_TEST(printf_via_semihosting_and_exit_code_3) {
  int rc = cli_mcusim("run -p cortex-m4-0ws -r " OUT("hello") " " FW("hello"));
  ck_assert_int_eq(rc, 1); /* firmware exited non-zero */
  ck_assert_ptr_nonnull(strstr(cli_output, "hello from Cortex-M, 2 + 3 = 5"));
  ck_assert_ptr_nonnull(strstr(cli_output, "firmware exited with code 3"));
  cJSON *r = cli_read_json(OUT("hello"));
  ck_assert_str_eq(str(r, "schema", NULL), "mcusim-report/1");
  ck_assert_int_eq((int)num(r, "result", "exit_code"), 3);
  ck_assert_str_eq(str(r, "result", "stop"), "exit");
  ck_assert_ptr_nonnull(strstr(str(r, "result", "stdout"), "2 + 3 = 5"));
  ck_assert_ptr_nonnull(strstr(str(r, "result", "stdout"), "to stderr"));
  ck_assert_int_eq(strlen(str(r, "firmware", "sha256")), 64);
  ck_assert_str_eq(str(r, "profile", "name"), "cortex-m4-0ws");
  ck_assert_str_eq(str(r, "profile", "core"), "m4");
  ck_assert(num(r, "totals", "instructions") > 1000);
  ck_assert(num(r, "totals", "cycles") >= num(r, "totals", "instructions"));
  ck_assert(num(r, "totals", "latency_us") > 0);
  ck_assert(num(r, "firmware", "text_bytes") > 0);
  ck_assert_int_eq((int)num(r, "memory", "static_bytes"),
                   (int)(num(r, "firmware", "data_bytes") + num(r, "firmware", "bss_bytes")));
  ck_assert(num(r, "memory", "stack_peak_bytes") > 0);
  /* sampled stack peak and the painted one agree to within a frame never written */
  ck_assert(num(r, "memory", "stack_painted_bytes") <= num(r, "memory", "stack_peak_bytes"));
  ck_assert(num(r, "memory", "stack_painted_bytes") + 64 >= num(r, "memory", "stack_peak_bytes"));
  cJSON_Delete(r);
}
END_TEST

/* The same loop timed for N and 2N iterations in two builds that differ only in N (in .data): the change in
 * the report's total cycles must equal the change in what the firmware measured with DWT->CYCCNT. */
static void cyccnt_figures(const char *name, const char *out, unsigned long *sum, double *total) {
  char args[512];
  snprintf(args, sizeof args, "run -p cortex-m4-0ws -r %s %s/%s.elf", out, FIRMWARE_DIR, name);
  ck_assert_int_eq(cli_mcusim(args), 0);
  unsigned long one, two;
  const char *first = strstr(cli_output, "cyccnt=");
  ck_assert_ptr_nonnull(first);
  ck_assert_int_eq(sscanf(first, "cyccnt=%lx\ncyccnt=%lx", &one, &two), 2);
  ck_assert(two > one);
  *sum = one + two;
  cJSON *r = cli_read_json(out);
  *total = num(r, "totals", "cycles");
  cJSON_Delete(r);
}

START_TEST(cyccnt_differences_match_report_totals) {
  unsigned long sum_1000, sum_3000;
  double total_1000, total_3000;
  cyccnt_figures("cyccnt_1000", OUT("cyccnt_1000"), &sum_1000, &total_1000);
  cyccnt_figures("cyccnt_3000", OUT("cyccnt_3000"), &sum_3000, &total_3000);
  ck_assert_int_eq((long)(total_3000 - total_1000), (long)(sum_3000 - sum_1000));
  /* 3x the iterations: the per-iteration cost is the same in both timed loops */
  ck_assert_int_eq((long)(sum_3000 - sum_1000) % 6000, 0);
}
END_TEST

/* Unicorn ends a block at every 1 KiB page: LDR;LDR split there must still pipeline (DDI 0439B 3.3.1). */
START_TEST(pipelining_survives_a_page_split) {
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws " FW("page_split")), 0);
  unsigned long split = 0, plain = 0;
  const char *line = strstr(cli_output, "split=");
  ck_assert_ptr_nonnull(line);
  ck_assert_int_eq(sscanf(line, "split=%lu plain=%lu", &split, &plain), 2);
  ck_assert_uint_eq(split, plain);
  ck_assert_uint_gt(plain, 510);
}
END_TEST

START_TEST(itm_stdout_and_arena_events) {
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws -r " OUT("itm") " " FW("itm_events")), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "itm says hi"));
  cJSON *r = cli_read_json(OUT("itm"));
  ck_assert_int_eq((int)num(r, "memory", "arena_peak_bytes"), 5000);
  ck_assert_int_eq((int)num(r, "memory", "peak_bytes"),
                   (int)(num(r, "memory", "static_bytes") + num(r, "memory", "stack_peak_bytes") + 5000));
  ck_assert(cJSON_IsTrue(at(r, "memory", "fits")));
  cJSON_Delete(r);
}
END_TEST

static const struct {
  const char *firmware, *kind, *says;
} faults[] = {
    {"fault_unmapped_read", "read_unmapped", "read from unmapped address 0x60000000"},
    {"fault_unmapped_write", "write_unmapped", "write to unmapped address 0x60000000"},
    {"fault_flash_write", "write_protected", "write to flash at 0x00000100"},
    {"fault_undefined", "undefined_instruction", "udf"},
    {"fault_bkpt", "bkpt", "BKPT 0x01"},
    {"fault_svc", "svc", "SVC"},
    {"fault_wfi", "wfi", "WFI"},
    {"fault_even_jump", "exception", "even address"},
};

START_TEST(each_fault_class_stops_with_a_diagnostic_and_a_report) {
  char args[512], out[256];
  snprintf(out, sizeof out, "%s/%s.json", WORK_DIR, faults[_i].firmware);
  remove(out);
  snprintf(args, sizeof args, "run -p cortex-m4-0ws -r %s %s/%s.elf", out, FIRMWARE_DIR, faults[_i].firmware);
  ck_assert_int_eq(cli_mcusim(args), 3);
  ck_assert_msg(strstr(cli_output, faults[_i].says), "'%s' not in: %s", faults[_i].says, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "before the fault")); /* cli_output before the fault is kept */
  cJSON *r = cli_read_json(out);
  ck_assert_str_eq(str(r, "result", "stop"), "fault");
  const cJSON *fault = at(r, "result", "fault");
  ck_assert_str_eq(str(fault, "kind", NULL), faults[_i].kind);
  if (strcmp(faults[_i].kind, "exception") != 0)
    ck_assert_msg(strncmp(str(fault, "symbol", NULL), "faulting_function", 17) == 0, "symbol %s",
                  str(fault, "symbol", NULL));
  ck_assert(cJSON_IsObject(at(fault, "registers", NULL)));
  ck_assert(num(r, "totals", "instructions") > 0);
  cJSON_Delete(r);
}
END_TEST

START_TEST(instruction_and_time_limits) {
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws --max-insns 200000 -r " OUT("limit") " " FW("fault_runaway")),
                   4);
  cJSON *r = cli_read_json(OUT("limit"));
  ck_assert_str_eq(str(r, "result", "stop"), "instruction_limit");
  ck_assert(num(r, "totals", "instructions") >= 200000 && num(r, "totals", "instructions") < 200100);
  ck_assert_str_eq(str(at(r, "result", "stopped_at"), "symbol", NULL), "faulting_function+0x6");
  cJSON_Delete(r);
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws --timeout 0.5 -r " OUT("timeout") " " FW("fault_runaway")), 4);
  r = cli_read_json(OUT("timeout"));
  ck_assert_str_eq(str(r, "result", "stop"), "time_limit");
  cJSON_Delete(r);
}
END_TEST

/* SIGINT (Ctrl-C) stops the run: exit 5 and the partial report, marked interrupted. */
START_TEST(interrupt_writes_the_partial_report) {
  char cmd[1024];
  remove(OUT("interrupted"));
  snprintf(cmd, sizeof cmd, "timeout --preserve-status -s INT 1 %s run -q -p cortex-m4-0ws -r %s %s > /dev/null 2>&1",
           MCUSIM_BIN, OUT("interrupted"), FW("fault_runaway"));
  int status = system(cmd);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 5);
  cJSON *r = cli_read_json(OUT("interrupted"));
  ck_assert_str_eq(str(r, "result", "stop"), "interrupted");
  ck_assert(num(r, "totals", "instructions") > 0);
  cJSON_Delete(r);
}
END_TEST

START_TEST(bad_input_is_one_line_and_exit_2) {
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws /nonexistent/fw.elf"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "/nonexistent/fw.elf: cannot open"));
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws " MCUSIM_PROFILES_JSON), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "not an ELF"));
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws " MCUSIM_BIN), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "64-bit"));
  ck_assert_int_eq(cli_mcusim("run -p no-such-mcu " FW("hello")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "profile 'no-such-mcu' not found"));
  FILE *f = fopen(WORK_DIR "/typo.json", "w");
  fputs("{\"version\": 1, \"name\": \"t\", \"core\": \"m4\", \"clock_hz\": 1000000, \"clokc\": 1,"
        "\"flash\": {\"base\": 0, \"size\": 65536}, \"sram\": [{\"base\": \"0x20000000\", \"size\": 65536}]}",
        f);
  fclose(f);
  ck_assert_int_eq(cli_mcusim("run -p " WORK_DIR "/typo.json " FW("hello")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "typo.json: unknown field 'clokc'"));
  /* firmware linked for another memory map */
  ck_assert_int_eq(cli_mcusim("run -p stm32f412 " FW("hello")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "outside stm32f412's memory map"));
  ck_assert_int_eq(cli_mcusim("run " FW("hello")), 2);
  ck_assert_int_eq(cli_mcusim("frobnicate"), 2);
}
END_TEST

START_TEST(reports_are_deterministic) {
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("det1") " " FW("itm_events")), 0);
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("det2") " " FW("itm_events")), 0);
  char *a = cli_slurp(OUT("det1")), *b = cli_slurp(OUT("det2"));
  ck_assert_str_eq(a, b);
  free(a);
  free(b);
}
END_TEST

/* Bundled workloads: both schedules complete on their profile, each firmware checks its cli_output checksum
 * against the native run (exit 0), the two schedules print the same checksum, and the arena peak comes out
 * of the firmware's own alloc/free events. */
static const struct {
  const char *firmware, *profile;
  int arena_peak;
} workloads[] = {
    {"person-det-mbv1-r96_layerwise", "stm32f412", 55296},
    {"person-det-mbv1-r96_patch2", "stm32f412", 38616},
    {"mbv2-w0.35-r144_layerwise", "stm32h743", 290304},
    {"mbv2-w0.35-r144_patch4", "stm32h743", 46008},
};

static void checksum_of(const char *text, char *out, size_t size) {
  const char *c = strstr(text, "checksum=");
  ck_assert_ptr_nonnull(c);
  snprintf(out, size, "%.*s", (int)strcspn(c, " \n"), c);
}

START_TEST(bundled_workloads_match_across_schedules) {
  char first[64] = "", args[512], out[256];
  for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++) {
    snprintf(out, sizeof out, "%s/%s.json", WORK_DIR, workloads[i].firmware);
    snprintf(args, sizeof args, "run -p %s -r %s %s/%s.elf", workloads[i].profile, out, WORKLOAD_DIR,
             workloads[i].firmware);
    ck_assert_msg(cli_mcusim(args) == 0, "%s: %s", workloads[i].firmware, cli_output);
    char sum[64];
    checksum_of(cli_output, sum, sizeof sum);
    if (i % 2 == 0)
      snprintf(first, sizeof first, "%s", sum);
    else
      ck_assert_str_eq(sum, first);
    cJSON *r = cli_read_json(out);
    ck_assert_int_eq((int)num(r, "memory", "arena_peak_bytes"), workloads[i].arena_peak);
    ck_assert(cJSON_IsTrue(at(r, "memory", "fits")));
    cJSON_Delete(r);
  }
}
END_TEST

/* run and compare render through the same exporters as `mcusim export` */
START_TEST(run_and_compare_write_exports) {
  remove(WORK_DIR "/exp.html");
  remove(WORK_DIR "/cmp.html");
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("exp") " --html " WORK_DIR "/exp.html --csv " WORK_DIR
                                                                       "/exp.csv " FW("trace_events")),
                   0);
  char *html = cli_slurp(WORK_DIR "/exp.html");
  ck_assert_msg(html && strstr(html, "<svg"), "no HTML page with SVG");
  free(html);
  char *csv = cli_slurp(WORK_DIR "/exp.csv");
  ck_assert_msg(csv && strstr(csv, "conv_a"), "no layer row in the CSV");
  free(csv);
  ck_assert_int_eq(cli_mcusim("compare --allow-mismatch " OUT("exp") " " OUT("itm") " --html " WORK_DIR "/cmp.html"),
                   0);
  html = cli_slurp(WORK_DIR "/cmp.html");
  ck_assert_msg(html && strstr(html, "<svg"), "compare --html wrote no page");
  free(html);
}
END_TEST

START_TEST(help_and_profiles) {
  ck_assert_int_eq(cli_mcusim("run --help"), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "usage: mcusim run"));
  ck_assert_int_eq(cli_mcusim("bench --help"), 0);
  ck_assert_int_eq(cli_mcusim("profiles --help"), 0);
  ck_assert_int_eq(cli_mcusim("--help"), 0);
  ck_assert_int_eq(cli_mcusim("profiles"), 0);
  for (const char *const *p = (const char *const[]){"stm32f746", "stm32h743", "stm32f412", "cortex-m4-0ws", NULL}; *p;
       p++)
    ck_assert_msg(strstr(cli_output, *p), "profile %s not listed", *p);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("run");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, printf_via_semihosting_and_exit_code_3);
  tcase_add_test(tc, cyccnt_differences_match_report_totals);
  tcase_add_test(tc, pipelining_survives_a_page_split);
  tcase_add_test(tc, itm_stdout_and_arena_events);
  tcase_add_loop_test(tc, each_fault_class_stops_with_a_diagnostic_and_a_report, 0, sizeof faults / sizeof *faults);
  tcase_add_test(tc, instruction_and_time_limits);
  tcase_add_test(tc, interrupt_writes_the_partial_report);
  tcase_add_test(tc, bad_input_is_one_line_and_exit_2);
  tcase_add_test(tc, reports_are_deterministic);
  tcase_add_test(tc, bundled_workloads_match_across_schedules);
  tcase_add_test(tc, run_and_compare_write_exports);
  tcase_add_test(tc, help_and_profiles);
  suite_add_tcase(s, tc);
  return s;
}
