/* tests/fuzz/fuzz_budget.c — libFuzzer target for `mcusim check`'s budget JSON (reports/check.c rpt_budget_parse)
 * and its command-line settings (rpt_budget_set): a budget or one error line; a parsed budget gates a comparison of
 * a small report against itself without failing. */
#include "fuzz_util.h"
#include "reports/check.h"

static const char report_text[] =
    "{\"schema\": \"mcusim-report/1\", \"firmware\": {\"flash_used_bytes\": 100}, \"profile\": {\"name\": \"p\", "
    "\"clock_hz\": 1000000}, \"result\": {\"stop\": \"exit\", \"exit_code\": 0}, \"totals\": {\"cycles\": 1000, "
    "\"instructions\": 900, \"latency_us\": 1000}, \"memory\": {\"peak_bytes\": 64, \"arena_peak_bytes\": 32, "
    "\"stack_peak_bytes\": 32}, \"layers\": [{\"name\": \"l\", \"cycles\": 10, \"instructions\": 9, "
    "\"arena_peak_bytes\": 8}]}";

static int one_line(const char *msg, size_t size) { return memchr(msg, '\0', size) && !strchr(msg, '\n'); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) return 0;
  char msg[512];
  rpt_budget_t budget;
  rpt_budget_defaults(&budget);
  if (rpt_budget_parse(&budget, text, "fuzz.json", msg, sizeof msg) != 0 && !one_line(msg, sizeof msg)) abort();
  /* the same bytes as a --max-growth / --max setting */
  if (rpt_budget_set(&budget, size % 2 ? 'g' : 'm', text, msg, sizeof msg) != 0 && !one_line(msg, sizeof msg)) abort();
  cJSON *report = cJSON_Parse(report_text);
  rpt_check_t *check = report ? rpt_check_run(report, report, &budget) : NULL;
  if (check) {
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
      rpt_check_print(check, sink);
      fclose(sink);
    }
    rpt_check_free(check);
  }
  cJSON_Delete(report);
  free(text);
  return 0;
}
