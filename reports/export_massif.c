/* reports/export_massif.c — Valgrind massif format (what `valgrind --tool=massif` writes), so `ms_print` graphs
 * the run: one snapshot per timeline[] sample, time in instructions, the arena as heap, the stack as stacks. The
 * peak snapshot is the sample with the largest arena + stack (docs/report.md keeps it through decimation); its
 * heap tree lists the allocations live at that cycle. Static SRAM is constant and left out (named in desc). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/export_backend.h"

typedef struct {
  double size, address;
  const cJSON *row;
} live_t;

static int by_size_desc(const void *a, const void *b) {
  const live_t *x = a, *y = b;
  if (x->size != y->size) return x->size < y->size ? 1 : -1;
  return (x->address > y->address) - (x->address < y->address);
}

static double sample_total(const cJSON *sample) {
  return rpt_num_or(sample, "arena_bytes", 0) + rpt_num_or(sample, "stack_bytes", 0);
}

/* Index of the first sample with the largest arena + stack. */
static int peak_index(const cJSON *timeline) {
  int best = 0, i = 0;
  double best_total = -1;
  const cJSON *s;
  cJSON_ArrayForEach(s, timeline) {
    if (sample_total(s) > best_total) best_total = sample_total(s), best = i;
    i++;
  }
  return best;
}

static const char *layer_name(const cJSON *report, const cJSON *id) {
  if (!cJSON_IsNumber(id)) return NULL;
  const cJSON *row;
  cJSON_ArrayForEach(row, rpt_array(report, "layers", NULL)) {
    if (rpt_num_or(row, "id", 0) == id->valuedouble) return rpt_str_or(row, "name", "");
  }
  return NULL;
}

static bool live_at(const cJSON *alloc, double cycle) {
  const cJSON *freed = rpt_get(alloc, "free_cycle");
  return rpt_num_or(alloc, "alloc_cycle", 0) <= cycle && !(cJSON_IsNumber(freed) && freed->valuedouble <= cycle);
}

/* The peak's heap tree: one child per allocation live at the sample's cycle, largest first. */
static void put_peak_tree(rpt_buf_t *out, const cJSON *report, const cJSON *sample) {
  int count;
  const cJSON *allocs = rpt_array(report, "allocations", &count);
  live_t *live = calloc((size_t)count + 1, sizeof *live);
  size_t n = 0;
  double cycle = rpt_num_or(sample, "cycle", 0), heap = rpt_num_or(sample, "arena_bytes", 0), listed = 0;
  const cJSON *a;
  cJSON_ArrayForEach(a, allocs) {
    if (!live || !live_at(a, cycle)) continue;
    live[n++] = (live_t){rpt_num_or(a, "size", 0), (double)strtoul(rpt_str_or(a, "address", ""), NULL, 16), a};
    listed += rpt_num_or(a, "size", 0);
  }
  if (live) qsort(live, n, sizeof *live, by_size_desc);
  bool rest = heap > listed; /* allocations beyond the report's list (allocations_truncated) */
  rpt_buf_printf(out, "n%zu: %.0f (heap allocation functions) MCUSIM_ALLOC, arena\n", n + rest, heap);
  for (size_t i = 0; i < n; i++) {
    const char *layer = layer_name(report, rpt_get(live[i].row, "layer"));
    rpt_buf_printf(out, " n0: %.0f %s: %s", live[i].size, rpt_str_or(live[i].row, "address", ""),
                   rpt_str_or(live[i].row, "tag", ""));
    rpt_buf_printf(out, layer ? " (allocated in layer %s)\n" : "\n", layer);
  }
  if (rest) rpt_buf_printf(out, " n0: %.0f in allocations not listed in the report\n", heap - listed);
  free(live);
}

static void put_snapshot(rpt_buf_t *out, int index, const cJSON *sample, const char *tree) {
  rpt_buf_printf(out, "#-----------\nsnapshot=%d\n#-----------\n", index);
  rpt_buf_printf(out, "time=%.0f\nmem_heap_B=%.0f\nmem_heap_extra_B=0\nmem_stacks_B=%.0f\nheap_tree=%s\n",
                 rpt_num_or(sample, "instruction", 0), rpt_num_or(sample, "arena_bytes", 0),
                 rpt_num_or(sample, "stack_bytes", 0), tree);
}

static rpt_export_err render(const rpt_export_ctx_t *ctx, rpt_buf_t *out) {
  const cJSON *report = ctx->reports[0];
  int count;
  const cJSON *timeline = rpt_array(report, "timeline", &count);
  if (count == 0) {
    cm_msgf(ctx->msg, ctx->msg_size, "%s: the report has no timeline[] (it predates the memory timeline)",
            ctx->labels[0]);
    return RPT_EXPORT_E_DATA;
  }
  char stat[32];
  rpt_buf_printf(out, "desc: mcusim: arena as heap, stack as stacks; static SRAM (%s) not shown\ncmd: ",
                 rpt_fmt_int(rpt_figure_total_or(report, RPT_FIGURE_STATIC, 0), stat, sizeof stat));
  rpt_buf_printf(out, "%s on %s\ntime_unit: i\n", rpt_str_or(report, "firmware.path", ""),
                 rpt_str_or(report, "profile.name", ""));
  int peak = peak_index(timeline), i = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, timeline) {
    put_snapshot(out, i, s, i == peak ? "peak" : "empty");
    if (i == peak) put_peak_tree(out, report, s);
    i++;
  }
  return RPT_EXPORT_OK;
}

const rpt_export_backend_t rpt_export_massif = {
    .name = "massif",
    .summary = "Valgrind massif file for ms_print (instructions; arena as heap, stack as stacks)",
    .max_reports = 1,
    .render = render,
};
