/* gen_plan.h — the analytic plan of a model under a schedule, from the model description alone (no run):
 * per-layer activation bytes and MACs, the layer-wise peak, and for a patch schedule the receptive field, the
 * input patch with its halo, per-patch MACs, the MAC overhead and the per-patch peak (MCUNetV2, Sec. 3).
 *
 * Two memory counts per layer:
 *  - io_bytes: input + output of the layer, int8, depthwise in place (input only): the paper's count;
 *  - live_bytes: everything the bundled runtime holds while the layer runs (residual inputs kept for a later
 *    add, the stitched stage output, the in-place depthwise's one-channel scratch). This equals the simulated
 *    arena peak inside the layer (tests/cli/test_compare.c checks it against `mcusim run`).
 * The input frame is read from flash and not counted (schedules with input=arena are refused).
 * The windows come from the runtime's own planner (rt_patch_plan), so plan and firmware cannot disagree on them. */
#ifndef MCUSIM_GEN_PLAN_H
#define MCUSIM_GEN_PLAN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "workloads/gen/gen_model.h"

typedef struct {
  const char *name, *op; /* op: conv, dw, pw, avgpool, fc */
  uint32_t in_bytes, out_bytes;
  uint64_t io_bytes;   /* paper: in + out (depthwise in place: in) */
  uint64_t live_bytes; /* runtime: layer-wise run */
  uint64_t macs;       /* whole layer */
  int patch_stage;
  /* patch schedule, stage layers: the largest window any patch computes, io bytes of the largest patch */
  int32_t win_h, win_w;
  uint64_t patch_io_bytes;
  /* patch schedule, every layer: MACs (stage layers: summed over the patches) and live bytes of the run */
  uint64_t patched_macs, patched_live_bytes;
} gen_plan_layer_t;

typedef struct {
  const char *model;
  int32_t n_layers;
  gen_plan_layer_t layers[RT_MAX_LAYERS];
  /* layer-wise */
  uint64_t macs, stage_macs; /* overall; the patch stage's layers run whole */
  uint64_t peak_io_bytes;    /* per-layer peak, the paper's count */
  uint64_t peak_live_bytes;  /* the runtime's arena peak */
  int32_t peak_io_layer, peak_live_layer;
  /* patch schedule (patch_n > 0) */
  int32_t patch_n, patch_layers, halo_clip;
  int32_t receptive_field;        /* of the stage's output pixel, in input pixels */
  int32_t patch_in_h, patch_in_w; /* largest input window of one patch (halo included) */
  uint64_t patch_macs_max;        /* MACs of the most expensive patch */
  uint64_t patched_stage_macs, patched_macs;
  double stage_mac_overhead, mac_overhead;                 /* patched / layer-wise - 1 */
  uint64_t stage_out_bytes;                                /* the stitched stage output, held across the patches */
  uint64_t in_patch_io_bytes;                              /* max over stage layers: window in + out, + stage output */
  uint64_t in_patch_live_bytes;                            /* runtime: max arena inside one patch */
  uint64_t later_io_bytes, later_live_bytes;               /* max over the layers after the stage */
  uint64_t patched_peak_io_bytes, patched_peak_live_bytes; /* the network's peak with patches */
} gen_plan_t;

/* Plan `m` under `s`. Returns 0, or -1 with a message (schedule the runtime refuses, input=arena). */
int gen_plan(const gen_model_t *m, const rt_schedule_t *s, gen_plan_t *out, char *err, size_t err_len);

/* Plan a general graph (runtime/rt.h, rt_graph_t) under `s`: the liveness walk of rt_graph_run (every tensor
 * held from its producer to its last reader, RESHAPE sharing its input's block, depthwise in place with its
 * one-channel scratch when its input has no later reader), so live_bytes
 * and the peaks equal the executor's arena figures to the byte (tests/workloads/test_graph.c). io_bytes: inputs +
 * output (the input frame, in flash, not counted). Returns 0, or -1 with a message (a model or schedule the
 * executor refuses, input=arena). */
int gen_plan_graph(const rt_graph_t *g, const char *name, const rt_schedule_t *s, gen_plan_t *out, char *err,
                   size_t err_len);

/* The plan as JSON (schema "mcusim-plan/1", documented in docs/compare.md). Caller frees with cJSON_Delete. */
cJSON *gen_plan_json(const gen_plan_t *p);

/* Text table for people. */
void gen_plan_print(const gen_plan_t *p, FILE *out);

#endif /* MCUSIM_GEN_PLAN_H */
