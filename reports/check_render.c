/* reports/check_render.c — what `mcusim check` shows: the bloat-o-meter-style delta table with the verdict last,
 * JUnit XML, GitHub Actions annotations and the Markdown step summary, all from one rpt_check_t. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/cm.h"
#include "rpt.h"

typedef struct {
  char name[96], old_value[48], new_value[48], delta[64];
} cells_t;

static void format_value(double v, rpt_unit_t unit, int sign, char *buf, size_t size) {
  const char *prefix = sign && v > 0 ? "+" : v < 0 ? "-" : "";
  if (unit == RPT_UNIT_MS) {
    snprintf(buf, size, "%s%.3f ms", prefix, fabs(v));
    return;
  }
  char digits[32];
  rpt_group_digits(rpt_to_u64(fabs(v) + 0.5), digits, sizeof digits);
  snprintf(buf, size, "%s%s", prefix, digits);
}

/* "+3.8%", "+0.04%", "-<0.01%" */
static void format_pct(double delta, double old_value, char *buf, size_t size) {
  double pct = delta * 100.0 / old_value;
  if (fabs(pct) >= 0.1)
    snprintf(buf, size, "%+.1f%%", pct);
  else if (fabs(pct) >= 0.01)
    snprintf(buf, size, "%+.2f%%", pct);
  else
    snprintf(buf, size, "%s<0.01%%", pct > 0 ? "+" : "-");
}

static void row_name(const rpt_check_row_t *row, char *buf, size_t size) {
  if (row->layer[0])
    snprintf(buf, size, "%s %s", row->layer, row->figure);
  else
    snprintf(buf, size, "%s", row->figure);
}

static void row_cells(const rpt_check_row_t *row, cells_t *c) {
  row_name(row, c->name, sizeof c->name);
  if (!strcmp(row->figure, "result")) {
    snprintf(c->old_value, sizeof c->old_value, "%s", row->old_text);
    snprintf(c->new_value, sizeof c->new_value, "%s", row->new_text);
    snprintf(c->delta, sizeof c->delta, "%s", strcmp(row->old_text, row->new_text) ? "changed" : "");
    return;
  }
  snprintf(c->old_value, sizeof c->old_value, "-");
  snprintf(c->new_value, sizeof c->new_value, "-");
  if (row->has_old) format_value(row->old_value, row->unit, 0, c->old_value, sizeof c->old_value);
  if (row->has_new) format_value(row->new_value, row->unit, 0, c->new_value, sizeof c->new_value);
  if (!row->has_old || !row->has_new) {
    snprintf(c->delta, sizeof c->delta, "%s", row->has_new ? "(added)" : "(removed)");
    return;
  }
  double delta = row->new_value - row->old_value;
  format_value(delta, row->unit, 1, c->delta, sizeof c->delta);
  if (delta != 0 && row->old_value != 0) {
    char pct[24];
    format_pct(delta, row->old_value, pct, sizeof pct);
    snprintf(c->delta + strlen(c->delta), sizeof c->delta - strlen(c->delta), " (%s)", pct);
  }
}

static const char *status_word(const rpt_check_row_t *row) {
  if (row->verdict == RPT_VERDICT_FAIL) return "FAIL";
  if (row->change == RPT_CHANGE_GREW) return "grown";
  if (row->verdict == RPT_VERDICT_WARN) return "warning";
  return row->change == RPT_CHANGE_SHRANK ? "improved" : "";
}

/* ---- text ---- */

/* Layer rows worth a line: anything but an unchanged, passing figure; added/removed layers are summarised. */
static int listed(const rpt_check_row_t *row) {
  if (!row->layer[0]) return 1;
  if (row->change == RPT_CHANGE_ADDED || row->change == RPT_CHANGE_REMOVED) return 0;
  return row->change != RPT_CHANGE_SAME || row->verdict != RPT_VERDICT_OK;
}

static void print_row(const rpt_check_row_t *row, int width, FILE *out) {
  cells_t c;
  row_cells(row, &c);
  char line[512];
  int n = snprintf(line, sizeof line, "%-*s %15s -> %15s %20s  %-14s %s", width, c.name, c.old_value, c.new_value,
                   c.delta, row->limit, status_word(row));
  while (n > 0 && (size_t)n < sizeof line && line[n - 1] == ' ') line[--n] = '\0'; /* no trailing blanks */
  fprintf(out, "%s\n", line);
}

static void print_layer_group(const rpt_check_t *check, rpt_change_t change, int width, FILE *out) {
  for (size_t i = 0; i < check->n_rows; i++) {
    const rpt_check_row_t *row = &check->rows[i];
    if (row->layer[0] && row->change == change && listed(row)) print_row(row, width, out);
  }
}

/* "added layers (3): conv0, dw1, pw1": layers only in one report, one line instead of a row per figure. */
static void print_layer_names(const rpt_check_t *check, rpt_change_t change, FILE *out) {
  size_t n = 0;
  const char *last = "";
  for (size_t i = 0; i < check->n_rows; i++)
    if (check->rows[i].layer[0] && check->rows[i].change == change && strcmp(last, check->rows[i].layer)) {
      last = check->rows[i].layer;
      n++;
    }
  if (!n) return;
  fprintf(out, "%s layers (%zu):", change == RPT_CHANGE_ADDED ? "added" : "removed", n);
  size_t shown = 0;
  last = "";
  for (size_t i = 0; i < check->n_rows && shown < 12; i++)
    if (check->rows[i].layer[0] && check->rows[i].change == change && strcmp(last, check->rows[i].layer)) {
      last = check->rows[i].layer;
      fprintf(out, "%s %s", shown++ ? "," : "", last);
    }
  fprintf(out, "%s\n", n > shown ? ", ..." : "");
}

static void print_verdict(const rpt_check_t *check, FILE *out) {
  char name[96];
  size_t grown_ok = 0;
  for (size_t i = 0; i < check->n_rows; i++) {
    const rpt_check_row_t *row = &check->rows[i];
    grown_ok += row->change == RPT_CHANGE_GREW && row->verdict != RPT_VERDICT_FAIL;
    if (row->verdict == RPT_VERDICT_FAIL) {
      row_name(row, name, sizeof name);
      fprintf(out, "regression: %s: %s\n", name, row->why);
    }
  }
  fprintf(out, "check: %s (%zu regression%s, %zu grown within limits, %zu improved)\n",
          check->regressions ? "FAIL" : "PASS", check->regressions, check->regressions == 1 ? "" : "s", grown_ok,
          check->shrunk);
}

void rpt_check_print(const rpt_check_t *check, FILE *out) {
  int width = 12;
  cells_t c;
  for (size_t i = 0; i < check->n_rows; i++)
    if (listed(&check->rows[i])) {
      row_cells(&check->rows[i], &c);
      if ((int)strlen(c.name) > width) width = (int)strlen(c.name);
    }
  fprintf(out, "mcusim check: %s\n", check->label);
  if (strcmp(check->old_sha, check->new_sha))
    fprintf(out, "firmware %s... -> %s...\n", check->old_sha, check->new_sha);
  else
    fprintf(out, "firmware %s... (same ELF)\n", check->new_sha);
  fprintf(out, "grow/shrink: %zu/%zu added/removed: %zu/%zu\n", check->grown, check->shrunk, check->added,
          check->removed);
  fprintf(out, "%-*s %15s    %15s %20s  %s\n", width, "figure", "old", "new", "delta (%)", "limit");
  for (size_t i = 0; i < check->n_rows; i++)
    if (!check->rows[i].layer[0]) print_row(&check->rows[i], width, out);
  print_layer_group(check, RPT_CHANGE_GREW, width, out);
  print_layer_group(check, RPT_CHANGE_SAME, width, out);
  print_layer_group(check, RPT_CHANGE_SHRANK, width, out);
  print_layer_names(check, RPT_CHANGE_ADDED, out);
  print_layer_names(check, RPT_CHANGE_REMOVED, out);
  print_verdict(check, out);
}

/* ---- JUnit XML ---- */

static void junit_row_line(const rpt_check_row_t *row, FILE *out) {
  cells_t c;
  row_cells(row, &c);
  cm_escape_file(CM_ESC_XML, c.name, out);
  fputs(": ", out);
  cm_escape_file(CM_ESC_XML, c.old_value, out);
  fputs(" -> ", out);
  cm_escape_file(CM_ESC_XML, c.new_value, out);
  fputs(" ", out);
  cm_escape_file(CM_ESC_XML, c.delta, out);
  if (row->limit[0]) {
    fputs(" limit ", out);
    cm_escape_file(CM_ESC_XML, row->limit, out);
  }
  fputs("\n", out);
}

/* One test case for rows [first, end): a total figure, or every figure of one layer. */
static void junit_case(const rpt_check_t *check, size_t first, size_t end, FILE *out) {
  const rpt_check_row_t *row = &check->rows[first];
  int layer = row->layer[0] != 0, failed = 0, removed = 1;
  for (size_t i = first; i < end; i++) {
    failed |= check->rows[i].verdict == RPT_VERDICT_FAIL;
    removed &= check->rows[i].change == RPT_CHANGE_REMOVED;
  }
  fputs(layer ? "    <testcase classname=\"mcusim.check.layers\" name=\""
              : "    <testcase classname=\"mcusim.check.totals\" name=\"",
        out);
  cm_escape_file(CM_ESC_XML, layer ? row->layer : row->figure, out);
  fputs("\">\n", out);
  for (size_t i = first; i < end; i++)
    if (check->rows[i].verdict == RPT_VERDICT_FAIL) {
      fputs("      <failure message=\"", out);
      cm_escape_file(CM_ESC_XML, check->rows[i].figure, out);
      fputs(": ", out);
      cm_escape_file(CM_ESC_XML, check->rows[i].why, out);
      fputs("\"/>\n", out);
    }
  if (removed && !failed) fputs("      <skipped message=\"only in the baseline\"/>\n", out);
  fputs("      <system-out>", out);
  for (size_t i = first; i < end; i++) junit_row_line(&check->rows[i], out);
  fputs("</system-out>\n    </testcase>\n", out);
}

/* Rows of one layer are adjacent; a test case ends where the layer changes. */
static size_t case_end(const rpt_check_t *check, size_t first) {
  if (!check->rows[first].layer[0]) return first + 1;
  size_t end = first + 1;
  while (end < check->n_rows && !strcmp(check->rows[end].layer, check->rows[first].layer)) end++;
  return end;
}

void rpt_check_write_junit(const rpt_check_t *check, const char *suite, FILE *out) {
  size_t cases = 0, failures = 0, skipped = 0;
  for (size_t i = 0; i < check->n_rows; i = case_end(check, i)) {
    size_t end = case_end(check, i);
    int failed = 0, removed = 1;
    for (size_t j = i; j < end; j++) {
      failed |= check->rows[j].verdict == RPT_VERDICT_FAIL;
      removed &= check->rows[j].change == RPT_CHANGE_REMOVED;
    }
    cases++;
    failures += failed;
    skipped += removed && !failed;
  }
  if (!suite) suite = check->label;
  fprintf(out,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mcusim check\" tests=\"%zu\" "
          "failures=\"%zu\">\n  <testsuite name=\"",
          cases, failures);
  cm_escape_file(CM_ESC_XML, suite, out);
  fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", cases, failures, skipped);
  for (size_t i = 0; i < check->n_rows; i = case_end(check, i)) junit_case(check, i, case_end(check, i), out);
  fputs("  </testsuite>\n</testsuites>\n", out);
}

/* ---- GitHub Actions ---- */

void rpt_check_github_annotations(const rpt_check_t *check, const char *file, FILE *out) {
  char title[320], text[640];
  for (size_t i = 0; i < check->n_rows; i++) {
    const rpt_check_row_t *row = &check->rows[i];
    if (row->verdict == RPT_VERDICT_OK) continue;
    cells_t c;
    row_cells(row, &c);
    fputs(row->verdict == RPT_VERDICT_FAIL ? "::error" : "::warning", out);
    snprintf(title, sizeof title, "mcusim check %s: %s", check->label, c.name);
    fputs(" file=", out);
    cm_escape_file(CM_ESC_GH_PROPERTY, file ? file : "", out);
    fputs(",title=", out);
    cm_escape_file(CM_ESC_GH_PROPERTY, title, out);
    snprintf(text, sizeof text, "%s %s -> %s %s: %s%s%s", c.name, c.old_value, c.new_value, c.delta, row->why,
             row->limit[0] ? " (limit " : "", row->limit[0] ? row->limit : "");
    fputs("::", out);
    cm_escape_file(CM_ESC_GH_DATA, text, out);
    fputs(row->limit[0] ? ")\n" : "\n", out);
  }
}

static void md_cell(const char *s, FILE *out) {
  for (; *s; s++) {
    if (*s == '|') fputc('\\', out);
    fputc(*s == '\n' ? ' ' : *s, out);
  }
  fputs(" | ", out);
}

void rpt_check_markdown(const rpt_check_t *check, FILE *out) {
  fprintf(out, "### mcusim check: %s: %s\n\n", check->label, check->regressions ? "FAIL" : "PASS");
  fputs("| figure | old | new | delta (%) | limit | |\n|---|--:|--:|--:|---|---|\n", out);
  for (size_t i = 0; i < check->n_rows; i++) {
    const rpt_check_row_t *row = &check->rows[i];
    if (!listed(row)) continue;
    cells_t c;
    row_cells(row, &c);
    fputs("| ", out);
    md_cell(c.name, out);
    md_cell(c.old_value, out);
    md_cell(c.new_value, out);
    md_cell(c.delta, out);
    md_cell(row->limit, out);
    fprintf(out, "%s%s%s |\n", row->verdict == RPT_VERDICT_FAIL ? "**" : "", status_word(row),
            row->verdict == RPT_VERDICT_FAIL ? "**" : "");
  }
  fprintf(out, "\n%zu regression%s, %zu improved; added/removed figures: %zu/%zu\n\n", check->regressions,
          check->regressions == 1 ? "" : "s", check->shrunk, check->added, check->removed);
}
