/* tests/fuzz/fuzz_merge.c — libFuzzer target for `mcusim merge` (issue 21): the input is read as a sweep manifest
 * (jobs_total through xp_sweep_jobs_total, one row per job as sim/cli/cli_merge.c makes them) and as a job's report
 * (xp_sweep_figures, the row's figures); the merged table is written as CSV, JSON and HTML. Bounded whatever the
 * numbers say; the JSON table must parse back. */
#include "fuzz_util.h"
#include "reports/rpt.h"
#include "workloads/explore/sweep.h"

enum { MAX_ROWS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) return 0;
  char msg[256];
  cJSON *root = rpt_parse_json(text, "fuzz.json", msg, sizeof msg);
  free(text);
  size_t total = 0, n = 0;
  static xp_sweep_row_t rows[MAX_ROWS];
  xp_sweep_figures_t fig;
  int has_figures = root && !xp_sweep_figures(root, &fig);
  if (root && !xp_sweep_jobs_total(root, &total)) {
    const cJSON *job;
    cJSON_ArrayForEach(job, rpt_get(root, "jobs")) {
      if (n == MAX_ROWS || !cJSON_IsString(rpt_get(job, "id"))) continue;
      xp_sweep_row_t *r = &rows[n++];
      memset(r, 0, sizeof *r);
      r->index = (size_t)rpt_u64_or(job, "index", 0);
      snprintf(r->id, sizeof r->id, "%s", rpt_str_or(job, "id", ""));
      snprintf(r->status, sizeof r->status, "%s", rpt_str_or(job, "status", "?"));
      if ((r->has_figures = has_figures)) r->fig = fig;
    }
    for (xp_sweep_format_t fmt = XP_SWEEP_CSV; fmt <= XP_SWEEP_HTML; fmt++) {
      char *out_text = NULL;
      size_t len = 0;
      FILE *out = open_memstream(&out_text, &len);
      if (!out) continue;
      int rc = xp_sweep_write_table(rows, n, total, fmt, out);
      fclose(out);
      if (rc == 0 && fmt == XP_SWEEP_JSON) {
        cJSON *table = cJSON_Parse(out_text);
        if (!table) abort();
        cJSON_Delete(table);
      }
      free(out_text);
    }
  }
  cJSON_Delete(root);
  return 0;
}
