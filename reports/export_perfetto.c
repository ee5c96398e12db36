/* reports/export_perfetto.c — Chrome trace event format (JSON object form), opened by ui.perfetto.dev and
 * chrome://tracing. One pid per report so runs sit side by side; tid 1 "layers" and tid 2 "patches" hold complete
 * events ("ph":"X") rebuilt from timeline[] (each sample carries the innermost layer and the patch from its cycle
 * until the next sample); tid 3 "run" holds the whole run; memory is one counter ("ph":"C") with static, stack
 * and arena series. Times are microseconds at the profile's clock: ts = cycle / clock_hz * 1e6. */
#include <stdio.h>
#include <string.h>

#include "reports/export_backend.h"

enum { TID_LAYERS = 1, TID_PATCHES = 2, TID_RUN = 3, TID_FUNCTIONS = 4 };

typedef struct {
  rpt_buf_t *out;
  const cJSON *report;
  int pid;
  double us_per_cycle;
  bool *first; /* no comma before the first event */
} trace_t;

static void put_event_head(trace_t *t, const char *ph, int tid, double cycle) {
  rpt_buf_printf(t->out, "%s{\"ph\":\"%s\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"name\":", *t->first ? "" : ",\n", ph,
                 t->pid, tid, rpt_finite(cycle * t->us_per_cycle));
  *t->first = false;
}

static void put_metadata(trace_t *t, const char *what, int tid, const char *key, const char *value) {
  put_event_head(t, "M", tid, 0);
  rpt_buf_printf(t->out, "\"%s\",\"args\":{\"%s\":", what, key);
  rpt_buf_json_str(t->out, value);
  rpt_buf_put(t->out, "}}");
}

static void put_names(trace_t *t, const char *label) {
  char name[256];
  snprintf(name, sizeof name, "%s (%s, %s @ %.0f MHz)", label, rpt_str_or(t->report, "profile.name", ""),
           rpt_str_or(t->report, "profile.core", ""), rpt_clock_hz(t->report) / 1e6);
  put_metadata(t, "process_name", 0, "name", name);
  put_event_head(t, "M", 0, 0);
  rpt_buf_printf(t->out, "\"process_sort_index\",\"args\":{\"sort_index\":%d}}", t->pid);
  put_metadata(t, "thread_name", TID_LAYERS, "name", "layers");
  put_metadata(t, "thread_name", TID_PATCHES, "name", "patches");
  put_metadata(t, "thread_name", TID_RUN, "name", "run");
}

static const cJSON *find_layer(const cJSON *report, const cJSON *id) {
  const cJSON *row;
  cJSON_ArrayForEach(row, rpt_array(report, "layers", NULL)) {
    if (cJSON_IsNumber(id) && rpt_num_or(row, "id", 0) == id->valuedouble) return row;
  }
  return NULL;
}

/* One complete event from sample `from` up to sample `to` (exclusive end). */
static void put_slice(trace_t *t, int tid, const cJSON *from, const cJSON *to) {
  double start = rpt_num_or(from, "cycle", 0), end = rpt_num_or(to, "cycle", 0);
  const cJSON *patch = rpt_sample_patch(from);
  char patch_name[32];
  put_event_head(t, "X", tid, start);
  char name[96];
  if (tid == TID_LAYERS) {
    const cJSON *layer = find_layer(t->report, rpt_get(from, "layer"));
    if (layer)
      snprintf(name, sizeof name, "%s", rpt_str_or(layer, "name", ""));
    else
      snprintf(name, sizeof name, "layer %.0f", rpt_num_or(from, "layer", 0));
  } else {
    snprintf(name, sizeof name, "patch %s", rpt_patch_name(patch, patch_name, sizeof patch_name));
  }
  rpt_buf_json_str(t->out, name);
  rpt_buf_printf(t->out, ",\"dur\":%.3f,\"args\":{\"cycles\":%.0f,\"instructions\":%.0f",
                 rpt_finite((end - start) * t->us_per_cycle), rpt_finite(end - start),
                 rpt_finite(rpt_num_or(to, "instruction", 0) - rpt_num_or(from, "instruction", 0)));
  if (tid == TID_LAYERS) rpt_buf_printf(t->out, ",\"layer\":%.0f", rpt_finite(rpt_num_or(from, "layer", 0)));
  if (tid == TID_LAYERS && patch)
    rpt_buf_printf(t->out, ",\"patch\":\"%s\"", rpt_patch_name(patch, patch_name, sizeof patch_name));
  rpt_buf_put(t->out, "}}");
}

static bool in_slice(int tid, const cJSON *sample) {
  if (tid == TID_PATCHES) return rpt_sample_patch(sample) != NULL;
  return cJSON_IsNumber(rpt_get(sample, "layer"));
}

static void put_slices(trace_t *t, int tid, const cJSON *timeline) {
  const cJSON *open = NULL, *s;
  cJSON_ArrayForEach(s, timeline) {
    if (open && rpt_same_slice(tid == TID_PATCHES, open, s)) continue;
    if (open) put_slice(t, tid, open, s);
    open = in_slice(tid, s) ? s : NULL;
  }
  /* A slice still open at the last sample (a run stopped inside a layer) ends there. */
  const cJSON *last = cJSON_GetArrayItem(timeline, cJSON_GetArraySize(timeline) - 1);
  if (open && open != last) put_slice(t, tid, open, last);
}

static void put_counters(trace_t *t, const cJSON *timeline) {
  double stat = rpt_figure_total_or(t->report, RPT_FIGURE_STATIC, 0), prev_stack = -1, prev_arena = -1;
  const cJSON *s;
  cJSON_ArrayForEach(s, timeline) {
    double stack = rpt_num_or(s, "stack_bytes", 0), arena = rpt_num_or(s, "arena_bytes", 0);
    if (stack == prev_stack && arena == prev_arena) continue;
    put_event_head(t, "C", 0, rpt_num_or(s, "cycle", 0));
    rpt_buf_printf(t->out, "\"memory (bytes)\",\"args\":{\"static\":%.0f,\"stack\":%.0f,\"arena\":%.0f}}",
                   rpt_finite(stat), rpt_finite(stack), rpt_finite(arena));
    prev_stack = stack, prev_arena = arena;
  }
}

static void put_run(trace_t *t, const char *label) {
  double cycles = rpt_figure_total_or(t->report, RPT_FIGURE_CYCLES, 0);
  put_event_head(t, "X", TID_RUN, 0);
  rpt_buf_json_str(t->out, label);
  rpt_buf_printf(t->out, ",\"dur\":%.3f,\"args\":{\"cycles\":%.0f,\"instructions\":%.0f,\"peak_sram_bytes\":%.0f}}",
                 rpt_finite(cycles * t->us_per_cycle), rpt_finite(cycles),
                 rpt_finite(rpt_figure_total_or(t->report, RPT_FIGURE_INSTRUCTIONS, 0)),
                 rpt_finite(rpt_figure_total_or(t->report, RPT_FIGURE_PEAK, 0)));
}

/* tid 4 "functions": the report's calls[] (run with --profile-functions), nested by depth; absent otherwise. */
static void put_calls(trace_t *t) {
  const cJSON *calls = rpt_array(t->report, "calls", NULL), *c;
  if (!calls || cJSON_GetArraySize(calls) == 0) return;
  put_metadata(t, "thread_name", TID_FUNCTIONS, "name", "functions");
  cJSON_ArrayForEach(c, calls) {
    put_event_head(t, "X", TID_FUNCTIONS, rpt_num_or(c, "start_cycle", 0));
    rpt_buf_json_str(t->out, rpt_str_or(c, "name", ""));
    rpt_buf_printf(t->out, ",\"dur\":%.3f,\"args\":{\"cycles\":%.0f,\"instructions\":%.0f,\"depth\":%.0f}}",
                   rpt_finite(rpt_num_or(c, "cycles", 0) * t->us_per_cycle), rpt_finite(rpt_num_or(c, "cycles", 0)),
                   rpt_finite(rpt_num_or(c, "instructions", 0)), rpt_finite(rpt_num_or(c, "depth", 0)));
  }
}

static rpt_export_err render(const rpt_export_ctx_t *ctx, rpt_buf_t *out) {
  rpt_buf_put(out, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
  bool first = true;
  for (size_t i = 0; i < ctx->n; i++) {
    trace_t t = {out, ctx->reports[i], (int)i + 1, 1e6 / rpt_clock_hz(ctx->reports[i]), &first};
    const cJSON *timeline = rpt_array(t.report, "timeline", NULL);
    put_names(&t, ctx->labels[i]);
    put_run(&t, ctx->labels[i]);
    put_calls(&t);
    if (!timeline || cJSON_GetArraySize(timeline) == 0) continue;
    put_slices(&t, TID_LAYERS, timeline);
    put_slices(&t, TID_PATCHES, timeline);
    put_counters(&t, timeline);
  }
  rpt_buf_put(out, "\n]}\n");
  return RPT_EXPORT_OK;
}

const rpt_export_backend_t rpt_export_perfetto = {
    .name = "perfetto",
    .summary = "Chrome/Perfetto trace JSON: layers and patches as slices, memory as counters",
    .render = render,
};
