/* rt.h — the mcusim int8 inference runtime: model description, kernels, arena, executors.
 *
 * One C source base compiled for Cortex-M firmware (arm-none-eabi-gcc) and natively on the host (unit
 * tests, the generator's dry run). A model is DATA: a table of rt_layer_t plus one blob holding weights,
 * biases, per-channel requantization and the input frame; rt_run() interprets it under a schedule
 * (layer-wise or patch-based). Quantization follows TFLite int8: per-channel symmetric weights, asymmetric
 * activations with zero points, int32 multiplier + shift (MultiplyByQuantizedMultiplier rounding).
 *
 * Tensors are NHWC (one image), int8. Coordinates are absolute positions in a layer's full feature map, so
 * a kernel computes any rectangle of its output from any buffer window of its input that covers the
 * receptive field; positions outside the feature map read as the input zero point (padding). That single
 * rule makes layer-wise and patch-based execution bit-identical by construction.
 */
#ifndef MCUSIM_RT_H
#define MCUSIM_RT_H

#include <stddef.h>
#include <stdint.h>

#define RT_MAX_LAYERS 96
#define RT_ARENA_MAX_BLOCKS 32
#define RT_ADD_LEFT_SHIFT 20 /* TFLite int8 ADD: inputs are shifted left by 20 before rescaling */

typedef enum {
  RT_OK = 0,
  RT_E_NOMEM,     /* the arena cannot hold an allocation */
  RT_E_BAD_MODEL, /* a layer table the executor cannot run (bad index, unsupported op in patch stage) */
  RT_E_BAD_SCHEDULE,
} rt_err;

const char *rt_strerror(rt_err err);

enum rt_op {
  RT_OP_CONV = 1,    /* KxK convolution, groups = 1 (the stem) */
  RT_OP_DW = 2,      /* KxK depthwise, in place when its input has no other reader */
  RT_OP_PW = 3,      /* 1x1 convolution; with res_src >= 0 the residual add is fused, in place into the residual */
  RT_OP_AVGPOOL = 4, /* global average pool to 1x1, same quantization in and out */
  RT_OP_FC = 5,      /* fully connected over the flattened input */
};

/* TFLite int8 ADD parameters (fused into a PW layer's output): out = clamp(M_o(M_1(a) + M_2(b)) + zp_o). */
typedef struct {
  int32_t in1_zp, in1_mult, in1_shift; /* in1: the PW result (zero point = the layer's out_zp) */
  int32_t in2_zp, in2_mult, in2_shift; /* in2: the residual tensor */
  int32_t out_zp, out_mult, out_shift;
  int32_t act_min, act_max;
} rt_add_params_t;

typedef struct {
  const char *name; /* "b2_expand": a NUL-terminated string in flash, decoded by the simulator */
  uint8_t op, k, stride, pad;
  int16_t res_src; /* index of the layer whose output is added to this one (in place), -1 none */
  uint16_t in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t in_zp, out_zp, act_min, act_max;
  rt_add_params_t add;
  /* byte offsets into the model blob; weights int8 (CONV: OHWI, DW: HWC, PW/FC: OI), the rest int32[out_c] */
  uint32_t weights_off, bias_off, mult_off, shift_off;
} rt_layer_t;

typedef struct {
  const char *name;
  uint16_t n_layers;
  const rt_layer_t *layers;
  const uint8_t *blob; /* 4-byte aligned */
  uint32_t input_off;  /* the input frame (in_h x in_w x in_c int8) inside the blob, read from flash */
  uint16_t in_h, in_w, in_c;
  int32_t in_zp;
} rt_model_t;

typedef struct {
  const char *name;       /* "layerwise", "patch:n=4,blocks=5" */
  uint8_t patch_n;        /* 0: layer-wise; else an n x n grid over the patch stage's output */
  uint8_t patch_layers;   /* the patch stage is layers [0, patch_layers) */
  uint8_t input_in_arena; /* copy the input frame into the arena (counted) instead of reading it from flash */
  uint8_t halo_clip;      /* 1: patches skip positions outside the feature map; 0: every patch computes its
                             whole receptive-field window (uniform patches, the paper's MAC count) */
} rt_schedule_t;

/* A rectangle of a feature map in absolute coordinates (may extend outside it in uniform patches). */
typedef struct {
  int32_t y0, x0, h, w;
} rt_rect_t;

/* A buffer holding a window of a feature map: pixel (y, x) at data[((y - y0) * w + (x - x0)) * c]. */
typedef struct {
  int8_t *data;
  int32_t y0, x0, h, w, c;
} rt_view_t;

/* Weights and parameters of one layer, resolved from the blob. */
typedef struct {
  const int8_t *weights;
  const int32_t *bias, *mult, *shift;
} rt_layer_data_t;

rt_layer_data_t rt_layer_data(const rt_model_t *model, const rt_layer_t *layer);

/* Analytic MACs of one output pixel of a layer (multiply-accumulates of its kernel; ADD and pooling: 0). */
uint32_t rt_layer_macs_per_pixel(const rt_layer_t *layer);
static inline uint64_t rt_layer_macs(const rt_layer_t *layer) {
  return (uint64_t)rt_layer_macs_per_pixel(layer) * layer->out_h * layer->out_w;
}

/* ---- kernels: compute `region` of the layer's output into `out` (which contains region) ---- */
void rt_conv(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
             rt_rect_t region);
/* Depthwise: if out->data == in->data the layer runs in place channel by channel through `tmp` (in->h*in->w
 * bytes, one input channel), which is the paper's in-place depthwise. */
void rt_depthwise(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *out,
                  rt_rect_t region, int8_t *tmp);
/* Pointwise: res (may be NULL) is the residual tensor; out may alias res (in place, element by element). */
void rt_pointwise(const rt_layer_t *L, const rt_layer_data_t *D, const rt_view_t *in, const rt_view_t *res,
                  const rt_view_t *out, rt_rect_t region);
void rt_avgpool(const rt_layer_t *L, const rt_view_t *in, const rt_view_t *out);
void rt_fully_connected(const rt_layer_t *L, const rt_layer_data_t *D, const int8_t *in, int8_t *out);
/* TFLite int8 ADD of n elements (out may alias a or b). */
void rt_add(const rt_add_params_t *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t n);
/* sum_i (x[i] + in_offset) * w[i] + acc; the ARMv7E-M SIMD path (SXTB16/SADD16/SMLAD) under __ARM_FEATURE_SIMD32. */
int32_t rt_dot_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t in_offset, int32_t acc);

/* ---- arena: a fixed buffer; every allocation and free is reported through mcusim_trace.h ---- */
typedef struct {
  uint32_t off, size; /* size as requested (reported); placement rounds up to 4 bytes */
  const char *tag;
  uint8_t from_top;
} rt_block_t;

typedef struct {
  uint8_t *base;
  uint32_t size;
  rt_block_t blocks[RT_ARENA_MAX_BLOCKS]; /* live blocks sorted by offset */
  int32_t n_blocks;
  uint32_t live_bytes, live_peak_bytes; /* what the simulator computes from the events */
  uint32_t required_bytes; /* smallest arena size that reproduces this run: max(bottom extent + top extent) */
} rt_arena_t;

void rt_arena_init(rt_arena_t *arena, void *base, uint32_t size);
/* from_top: place at the highest free address (ping-pong between the two ends keeps fragmentation low). */
void *rt_arena_alloc(rt_arena_t *arena, uint32_t size, const char *tag, int from_top);
void rt_arena_free(rt_arena_t *arena, void *ptr);
/* Give back the tail of a block (in-place stride-2 depthwise): reported as free + alloc at the same address. */
void rt_arena_shrink(rt_arena_t *arena, void *ptr, uint32_t new_size);

/* ---- executor ---- */
typedef struct {
  uint64_t macs;                   /* declared MACs of the whole run (sum of what the trace events declare) */
  uint64_t patch_stage_macs;       /* of which in the patch stage (layer-wise: the same layers, run whole) */
  uint32_t patch_in_h, patch_in_w; /* largest input window of one patch (the stage's first layer) */
  uint32_t patch_peak_bytes;       /* largest arena live bytes inside one patch (stage output included) */
  uint32_t checksum;               /* FNV-1a over the output tensor */
  uint32_t output_bytes;
} rt_stats_t;

/* Run one inference. output (may be NULL) receives the last layer's output (output_bytes of it). */
rt_err rt_run(const rt_model_t *model, const rt_schedule_t *sched, rt_arena_t *arena, int8_t *output,
              rt_stats_t *stats);

/* The patch plan: windows (absolute, in each layer's output frame) that patch `index` needs; in_win is the
 * first layer's input window. Returns the declared MACs of the patch. Exposed for tests and the planner. */
uint64_t rt_patch_plan(const rt_model_t *model, const rt_schedule_t *sched, int index, rt_rect_t *out_wins,
                       rt_rect_t *in_win);

uint32_t rt_fnv1a(const int8_t *data, uint32_t n, uint32_t hash);
#define RT_FNV1A_INIT 0x811C9DC5u

/* ---- general graphs (issue 16): TFLite int8 operators and explicit edges ----
 * A graph model is an rt_model_t whose layers are described further by one rt_node_t each (rt_graph_t). The
 * sequential layer table above, its executor rt_run() and the bundled firmware are untouched: rt_layer_t keeps
 * its size (the bundled layer tables, flash images and cycles stay byte-identical), and a graph runs through
 * rt_graph_run() (runtime/rt_graph.c) with the operators of runtime/rt_ops.c.
 *
 * In a graph, the rt_layer_t fields keep their meaning (shapes, zero points, activation clamp, blob offsets of
 * weights/bias/mult/shift, `add` for ADD) and k/stride/pad/res_src are ignored; rt_node_t adds the edges
 * (tensor t = output of layer t-1, tensor 0 = the model input), rectangular windows and strides, TFLite's
 * padding before the map (SAME: total/2 per axis, the rest after; VALID: 0) and per-operator constants.
 * Semantics are those of TFLite's reference int8 kernels (tests/workloads/ref_ops.c is the independent check). */
#define RT_MAX_INPUTS 4

enum rt_graph_op {
  RT_OP_CONV2D = 6,    /* CONV_2D: weights OHWI int8 (per-channel), bias/mult/shift int32[out_c] */
  RT_OP_DWCONV = 7,    /* DEPTHWISE_CONV_2D: weights [kh][kw][out_c], out_c = in_c * depth_mult */
  RT_OP_ADD = 8,       /* ADD in[0] + in[1] with the rescaling of L->add (same shape) */
  RT_OP_AVGPOOL2D = 9, /* AVERAGE_POOL_2D: valid positions only, same quantization in and out */
  RT_OP_MAXPOOL2D = 10,
  RT_OP_MEAN = 11,    /* MEAN over H, W (keep_dims): node mult/shift = in_scale / out_scale */
  RT_OP_RESHAPE = 12, /* no data movement: the output shares its input's buffer */
  RT_OP_SOFTMAX = 13, /* over channels; output scale 1/256, zero point -128; node mult/shift/diff_min */
  RT_OP_PAD = 14,     /* zero-point padding: pad_top/pad_left before, the rest after (H, W only) */
  RT_OP_CONCAT = 15,  /* CONCATENATION along channels of in[0..n_in): same scale and zero point (TFLite int8) */
  RT_OP_REQUANT = 16, /* QUANTIZE int8 -> int8: out = MBQM(x - in_zp, mult, shift) + out_zp */
  /* RT_OP_FC (5) and RT_OP_AVGPOOL (4, global) are valid graph operators too */
};

typedef struct {
  int16_t in[RT_MAX_INPUTS]; /* tensors read, -1 unused: 0 the model input, t the output of layer t-1 */
  uint8_t n_in;              /* inputs used (CONCAT: up to RT_MAX_INPUTS; ADD: 2; others: 1) */
  uint8_t kh, kw, sh, sw;    /* window and stride (CONV2D, DWCONV, AVGPOOL2D, MAXPOOL2D) */
  uint8_t pad_top, pad_left; /* padding before the map (after it follows from the output size) */
  uint8_t depth_mult;        /* DWCONV */
  int32_t mult, shift;       /* MEAN, REQUANT: MultiplyByQuantizedMultiplier; SOFTMAX: input_beta_multiplier and
                                input_beta_left_shift (PreprocessSoftmaxScaling, 5 integer bits) */
  int32_t diff_min;          /* SOFTMAX: -CalculateInputRadius(5, input_beta_left_shift, 31) */
} rt_node_t;

typedef struct {
  rt_model_t model;       /* layers, blob, input frame; the output is the last layer's */
  const rt_node_t *nodes; /* one per layer */
} rt_graph_t;

/* Operators (rt_ops.c): compute `region` of layer L's output into `out` from the views of its inputs, all in
 * absolute coordinates; positions outside the input map are padding (convolutions: the input zero point;
 * pools: not counted). RESHAPE computes nothing. Non-spatial operators (MEAN, SOFTMAX, FC, ADD, CONCAT, REQUANT,
 * global AVGPOOL) take the whole tensors. */
void rt_op_run(const rt_model_t *m, const rt_layer_t *L, const rt_node_t *N, const rt_view_t *const *in,
               const rt_view_t *out, rt_rect_t region);
/* In-place depthwise (the sequential executor's trick, rt_depthwise with a one-channel scratch `tmp` of
 * in->h * in->w bytes): possible for a DWCONV with depth multiplier 1 and a square window up to 7x7, one stride
 * and the same padding before both axes; out->data == in->data. The executor uses it when the input buffer has
 * no later reader and holds at least as many pixels as the output region. */
int rt_op_dw_in_place_ok(const rt_layer_t *L, const rt_node_t *N);
void rt_op_dw_in_place(const rt_model_t *m, const rt_layer_t *L, const rt_node_t *N, const rt_view_t *in,
                       const rt_view_t *out, rt_rect_t region, int8_t *tmp);
/* MACs of one output pixel (CONV2D, DWCONV, FC as the sequential ops; everything else 0). */
uint32_t rt_op_macs_per_pixel(const rt_layer_t *L, const rt_node_t *N);
/* The input rectangle layer L reads to produce `out` (spatial, one-input operators). */
rt_rect_t rt_op_input_rect(const rt_layer_t *L, const rt_node_t *N, rt_rect_t out);
/* 1 if the operator computes any output window from an input window (can be in a patch stage). */
int rt_op_is_spatial(uint8_t op);
const char *rt_op_kind(uint8_t op);

/* Run one inference of a graph: layer-wise (every tensor allocated in the arena from its producer until its last
 * reader; RESHAPE shares its input's block), or with a patch stage over layers [0, patch_layers) when they are a
 * chain of spatial operators whose inner tensors no later layer reads. The input frame is read from flash
 * (input_in_arena copies it into the arena). Refuses a model it cannot run with RT_E_BAD_MODEL / _SCHEDULE. */
rt_err rt_graph_run(const rt_graph_t *g, const rt_schedule_t *sched, rt_arena_t *arena, int8_t *output,
                    rt_stats_t *stats);
/* rt_patch_plan for a graph's patch stage. */
uint64_t rt_graph_patch_plan(const rt_graph_t *g, const rt_schedule_t *sched, int index, rt_rect_t *out_wins,
                             rt_rect_t *in_win);
/* Validate edges and shapes (inputs produced earlier, shapes consistent). RT_OK or RT_E_BAD_MODEL. */
rt_err rt_graph_check(const rt_graph_t *g);
/* Validate a schedule for a graph. RT_OK or RT_E_BAD_SCHEDULE / RT_E_BAD_MODEL. */
rt_err rt_graph_check_schedule(const rt_graph_t *g, const rt_schedule_t *sched);

#endif /* MCUSIM_RT_H */
