/* tests/fuzz/fuzz_render.c — libFuzzer target for every renderer of a report (issue 21): the input is read as
 * `check`, `compare` and `export` read a report (rpt_read), then rendered as the text summary, compared (with itself
 * and with a fixed baseline), checked against that baseline with every output (text, JUnit, GitHub annotations,
 * Markdown), and exported in every format (HTML, Perfetto, massif, CSV layers and patches) into memory. Each
 * renderer must end; the Perfetto trace must parse back as JSON; a check line must never start a GitHub command. */
#include "fuzz_util.h"
#include "reports/check.h"
#include "reports/compare.h"
#include "reports/export_backend.h"

static const char baseline_text[] =
    "{\"schema\":\"mcusim-report/1\",\"firmware\":{\"path\":\"b.elf\",\"flash_used_bytes\":100},\"profile\":{\"name\":"
    "\"p\",\"core\":\"m4\",\"clock_hz\":1000000,\"sram_bytes\":65536},\"result\":{\"stop\":\"exit\",\"exit_code\":0},"
    "\"totals\":{\"cycles\":1000,\"instructions\":900,\"latency_us\":1000},\"memory\":{\"peak_bytes\":64,"
    "\"arena_peak_bytes\":32,\"stack_peak_bytes\":32},\"layers\":[{\"id\":0,\"name\":\"l\",\"cycles\":10,"
    "\"instructions\":9,\"arena_peak_bytes\":8}],\"timeline\":[{\"cycle\":0,\"layer\":0,\"patch\":[0,0]},"
    "{\"cycle\":10}]}";

static void no_command_line(const char *text) {
  for (const char *line = text; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    const char *start = line + strspn(line, " \t");
    if (!strncmp(start, "::", 2) && strncmp(start, "::error file=", 13) && strncmp(start, "::warning file=", 15))
      abort();
  }
}

static void check_all_outputs(const cJSON *report, const cJSON *baseline) {
  rpt_budget_t budget;
  rpt_budget_defaults(&budget);
  rpt_check_t *check = rpt_check_run(report, baseline, &budget);
  if (!check) return;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (out) {
    rpt_check_print(check, out);
    rpt_check_github_annotations(check, "r.json", out);
    rpt_check_markdown(check, out);
    rpt_check_write_junit(check, NULL, out);
    fclose(out);
    no_command_line(text);
    free(text);
  }
  rpt_check_free(check);
}

static void compare_both(const cJSON *a, const cJSON *b, FILE *sink) {
  char msg[512];
  rpt_compare_opts_t opts = {.a_name = "a.json", .b_name = "b.json", .allow_mismatch = 1};
  cJSON *cmp = rpt_compare(a, b, &opts, msg, sizeof msg);
  if (!cmp) return;
  rpt_compare_print(cmp, sink);
  rpt_json_print_flat(cmp, sink);
  cJSON_Delete(cmp);
}

static void export_all(const cJSON *report, const cJSON *baseline) {
  const cJSON *reports[2] = {report, baseline};
  const char *labels[2] = {"r", "b"};
  const rpt_export_backend_t *backends[] = {&rpt_export_html, &rpt_export_perfetto, &rpt_export_massif, &rpt_export_csv,
                                            &rpt_export_csv};
  const char *tables[] = {NULL, NULL, NULL, "layers", "patches"};
  char msg[256];
  for (size_t i = 0; i < sizeof backends / sizeof *backends; i++) {
    size_t n = backends[i]->max_reports == 1 ? 1 : 2;
    rpt_export_ctx_t ctx = {reports, labels, n, tables[i], msg, sizeof msg};
    rpt_buf_t out = {0};
    if (backends[i]->render(&ctx, &out) == RPT_EXPORT_OK && !out.failed && backends[i] == &rpt_export_perfetto) {
      cJSON *trace = cJSON_Parse(out.data);
      if (!trace) abort(); /* the trace is JSON whatever the report holds */
      cJSON_Delete(trace);
    }
    rpt_buf_free(&out);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_temp(data, size, ".json");
  if (!path) return 0;
  char msg[512];
  cJSON *r = rpt_read(path, msg, sizeof msg);
  unlink(path);
  cJSON *baseline = cJSON_Parse(baseline_text);
  FILE *sink = fopen("/dev/null", "w");
  if (r && baseline && sink) {
    rpt_print_text(r, sink);
    compare_both(r, r, sink);
    compare_both(baseline, r, sink);
    check_all_outputs(r, baseline);
    check_all_outputs(baseline, r);
    export_all(r, baseline);
  }
  if (sink) fclose(sink);
  cJSON_Delete(baseline);
  cJSON_Delete(r);
  return 0;
}
