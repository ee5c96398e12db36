/* tests/tflite/test_gen_tflite.c — .tflite import and export (workloads/gen/gen_tflite.c): the bundled models round
 * trip to identical layer tables and blobs (VWW, MbV2, person detection); a file without the exact-requantization
 * metadata imports the TFLite way; hand-built graphs map PAD + VALID conv, SAME stride 2 (leading pad 0), RELU6,
 * residual ADD, MEAN, RESHAPE, QUANTIZE/DEQUANTIZE onto the runtime; a graph with operators the runtime lacks is
 * refused naming each, while its analytic figures stay available. */
#include "tests/support/check_main.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tflite/tfl.h"
#include "workloads/gen/gen_tflite.h"

static char err[512];

static void load_json(const char *name, gen_model_t *m) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s.json", MCUSIM_MODELS_DIR, name);
  ck_assert_msg(gen_model_load(path, m, err, sizeof err) == 0, "%s: %s", path, err);
}

static void same_model(const gen_model_t *a, const gen_model_t *b) {
  ck_assert_str_eq(a->name, b->name);
  ck_assert_str_eq(a->description, b->description);
  ck_assert_uint_eq(a->blob_bytes, b->blob_bytes);
  ck_assert_msg(memcmp(a->blob, b->blob, a->blob_bytes) == 0, "blobs differ");
  ck_assert_int_eq(a->model.n_layers, b->model.n_layers);
  for (int32_t i = 0; i < a->model.n_layers; i++) {
    rt_layer_t la = a->layers[i], lb = b->layers[i];
    ck_assert_str_eq(la.name, lb.name);
    la.name = lb.name = NULL;
    ck_assert_msg(memcmp(&la, &lb, sizeof la) == 0, "layer %d (%s) differs", i, a->layers[i].name);
  }
  ck_assert_int_eq(a->model.in_h, b->model.in_h);
  ck_assert_int_eq(a->model.in_c, b->model.in_c);
  ck_assert_int_eq(a->model.in_zp, b->model.in_zp);
  ck_assert_int_eq(a->n_blocks, b->n_blocks);
  for (int32_t k = 0; k < a->n_blocks; k++) {
    ck_assert_str_eq(a->block_names[k], b->block_names[k]);
    ck_assert_int_eq(a->block_first_layer[k], b->block_first_layer[k]);
  }
  ck_assert_int_eq(a->block_first_layer[a->n_blocks], b->block_first_layer[b->n_blocks]);
  ck_assert_uint_eq(a->weight_bytes, b->weight_bytes);
  ck_assert_uint_eq(a->param_bytes, b->param_bytes);
}

static uint32_t checksum(const gen_model_t *m) {
  rt_schedule_t s = {"layerwise", 0, 0, 0, 0};
  const uint32_t bytes = 64u << 20;
  void *mem = malloc(bytes);
  rt_arena_t arena;
  rt_arena_init(&arena, mem, bytes);
  rt_stats_t st;
  ck_assert_int_eq(rt_run(&m->model, &s, &arena, NULL, &st), RT_OK);
  free(mem);
  return st.checksum;
}

static void round_trip(const char *name) {
  gen_model_t a, b, c;
  load_json(name, &a);
  uint8_t *file, *file2;
  size_t n, n2;
  ck_assert_msg(gen_tflite_write(&a, &file, &n, err, sizeof err) == 0, "%s", err);
  ck_assert(gen_tflite_is_tflite(file, n));
  ck_assert_msg(gen_tflite_parse(file, n, &b, err, sizeof err) == 0, "%s: %s", name, err);
  same_model(&a, &b);
  /* the imported model exports to the same bytes, and imports again to the same model */
  ck_assert_msg(gen_tflite_write(&b, &file2, &n2, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, n2);
  ck_assert_msg(memcmp(file, file2, n) == 0, "%s: the second export differs", name);
  ck_assert(gen_tflite_parse(file2, n2, &c, err, sizeof err) == 0);
  same_model(&a, &c);
  free(file);
  free(file2);
  gen_model_free(&a);
  gen_model_free(&b);
  gen_model_free(&c);
}

START_TEST(vww_round_trips_exactly) { round_trip("mcunet-vww-r160"); }
END_TEST
START_TEST(mbv2_round_trips_exactly) { round_trip("mbv2-w0.35-r144"); }
END_TEST
START_TEST(person_detection_round_trips_exactly) { round_trip("person-det-mbv1-r96"); }
END_TEST

/* Without "mcusim.requant", multipliers come from the float32 scales the TFLite way: each within 1e-6 of the
 * generator's (relative), and on the person-detection model the output is the same (measured: checksum 0xb7e60faa). */
START_TEST(without_exact_metadata_requantization_is_tflites) {
  gen_model_t a, b;
  load_json("person-det-mbv1-r96", &a);
  uint8_t *file, *file2;
  size_t n, n2;
  ck_assert(gen_tflite_write(&a, &file, &n, err, sizeof err) == 0);
  tfl_model_t t;
  ck_assert(tfl_parse(file, n, &t, err, sizeof err) == 0);
  ck_assert_str_eq(t.metadata[0].name, "mcusim.requant");
  t.metadata[0] = t.metadata[--t.n_metadata];
  ck_assert(tfl_write(&t, &file2, &n2, err, sizeof err) == 0);
  ck_assert_msg(gen_tflite_parse(file2, n2, &b, err, sizeof err) == 0, "%s", err);
  int differ = 0;
  for (int32_t i = 0; i < a.model.n_layers; i++) {
    const rt_layer_t *L = &a.layers[i];
    if (L->op == RT_OP_AVGPOOL) continue;
    const int32_t *ma = (const int32_t *)(const void *)(a.blob + L->mult_off), *sa = ma + L->out_c;
    const int32_t *mb = (const int32_t *)(const void *)(b.blob + L->mult_off), *sb = mb + L->out_c;
    for (int32_t c = 0; c < L->out_c; c++) {
      double ra = ldexp(ma[c], sa[c] - 31), rb = ldexp(mb[c], sb[c] - 31);
      ck_assert_msg(fabs(ra - rb) <= 1e-6 * ra, "layer %s channel %d: %g vs %g", L->name, c, ra, rb);
      differ += ma[c] != mb[c];
    }
  }
  ck_assert_int_gt(differ, 0); /* float32 scales do not reproduce every double-derived multiplier */
  ck_assert_uint_eq(checksum(&a), 0xb7e60faau);
  ck_assert_uint_eq(checksum(&b), 0xb7e60faau);
  tfl_free(&t);
  free(file);
  free(file2);
  gen_model_free(&a);
  gen_model_free(&b);
}
END_TEST

/* ---- hand-built graphs ---- */
static tfl_model_t M;
static int8_t W[8192];
static int32_t BIAS[64];
static int32_t PADS[8] = {0, 0, 1, 1, 1, 1, 0, 0};
static int32_t AXES[2] = {1, 2};

static int32_t tensor(const char *name, int32_t type, int32_t n, const int32_t *dims, const void *data, uint32_t bytes,
                      float scale, int32_t zp) {
  tfl_tensor_t *t = &M.tensors[M.n_tensors];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  t->type = type;
  t->n_dims = n;
  memcpy(t->dims, dims, sizeof(int32_t) * (size_t)n);
  t->data = data;
  t->data_bytes = bytes;
  if (scale > 0) {
    t->scale = malloc(sizeof(float));
    t->zero_point = malloc(sizeof(int64_t));
    t->scale[0] = scale;
    t->zero_point[0] = zp;
    t->n_scale = t->n_zero_point = 1;
  }
  return M.n_tensors++;
}

/* per-channel weight scales 0.01 .. */
static void per_channel(int32_t ti, int32_t n, int32_t qdim) {
  tfl_tensor_t *t = &M.tensors[ti];
  free(t->scale);
  free(t->zero_point);
  t->scale = malloc(sizeof(float) * (size_t)n);
  t->zero_point = calloc((size_t)n, sizeof(int64_t));
  for (int32_t i = 0; i < n; i++) t->scale[i] = 0.01f + 0.001f * (float)i;
  t->n_scale = t->n_zero_point = n;
  t->quantized_dimension = qdim;
}

static tfl_op_t *op(int32_t code, int32_t opt, int32_t n_in, const int32_t *in, int32_t out) {
  tfl_op_t *o = &M.ops[M.n_ops++];
  memset(o, 0, sizeof *o);
  o->code = code;
  o->version = 1;
  o->options_type = opt;
  o->dilation_w = o->dilation_h = 1;
  o->n_inputs = n_in;
  memcpy(o->inputs, in, sizeof(int32_t) * (size_t)n_in);
  o->n_outputs = 1;
  o->outputs[0] = out;
  return o;
}

static void begin(void) {
  tfl_free(&M);
  memset(&M, 0, sizeof M);
  M.tensors = calloc(64, sizeof(tfl_tensor_t));
  M.ops = calloc(32, sizeof(tfl_op_t));
  M.version = 3;
  snprintf(M.name, sizeof M.name, "hand");
  for (int i = 0; i < 8192; i++) W[i] = (int8_t)((i * 37) % 255 - 127);
  for (int i = 0; i < 64; i++) BIAS[i] = i * 100 - 3000;
}

/* QUANTIZE -> PAD -> CONV 3x3 VALID s2 RELU6 -> DW 3x3 SAME -> CONV 1x1 -> ADD(dw out) -> MEAN -> RESHAPE -> FC ->
 * DEQUANTIZE, 16x16x3 input */
static void chain(void) {
  begin();
  int32_t x = tensor("x", TFL_FLOAT32, 4, (const int32_t[]){1, 16, 16, 3}, NULL, 0, 0, 0);
  int32_t q = tensor("q", TFL_INT8, 4, (const int32_t[]){1, 16, 16, 3}, NULL, 0, 0.02f, 3);
  int32_t pt = tensor("pads", TFL_INT32, 2, (const int32_t[]){4, 2}, PADS, 32, 0, 0);
  int32_t p = tensor("padded", TFL_INT8, 4, (const int32_t[]){1, 18, 18, 3}, NULL, 0, 0.02f, 3);
  int32_t w1 = tensor("w1", TFL_INT8, 4, (const int32_t[]){8, 3, 3, 3}, W, 216, 0.01f, 0);
  per_channel(w1, 8, 0);
  int32_t b1 = tensor("b1", TFL_INT32, 1, (const int32_t[]){8}, BIAS, 32, 0.0002f, 0);
  int32_t c1 = tensor("stem", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 8}, NULL, 0, 0.05f, -128);
  int32_t w2 = tensor("w2", TFL_INT8, 4, (const int32_t[]){1, 3, 3, 8}, W + 300, 72, 0.01f, 0);
  per_channel(w2, 8, 3);
  int32_t c2 = tensor("dw", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 8}, NULL, 0, 0.04f, -128);
  int32_t w3 = tensor("w3", TFL_INT8, 4, (const int32_t[]){8, 1, 1, 8}, W + 500, 64, 0.01f, 0);
  int32_t b3 = tensor("b3", TFL_INT32, 1, (const int32_t[]){8}, BIAS, 32, 0.0004f, 0);
  int32_t c3 = tensor("pw", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 8}, NULL, 0, 0.03f, 2);
  int32_t a = tensor("sum", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 8}, NULL, 0, 0.06f, -5);
  int32_t ax = tensor("axes", TFL_INT32, 1, (const int32_t[]){2}, AXES, 8, 0, 0);
  int32_t mn = tensor("mean", TFL_INT8, 2, (const int32_t[]){1, 8}, NULL, 0, 0.06f, -5);
  int32_t r = tensor("flat", TFL_INT8, 2, (const int32_t[]){1, 8}, NULL, 0, 0.06f, -5);
  int32_t w4 = tensor("w4", TFL_INT8, 2, (const int32_t[]){4, 8}, W + 700, 32, 0.01f, 0);
  int32_t b4 = tensor("b4", TFL_INT32, 1, (const int32_t[]){4}, BIAS, 16, 0.0006f, 0);
  int32_t f = tensor("logits", TFL_INT8, 2, (const int32_t[]){1, 4}, NULL, 0, 0.1f, 0);
  int32_t y = tensor("y", TFL_FLOAT32, 2, (const int32_t[]){1, 4}, NULL, 0, 0, 0);
  op(TFL_OP_QUANTIZE, TFL_OPT_QUANTIZE, 1, (const int32_t[]){x}, q);
  op(TFL_OP_PAD, TFL_OPT_PAD, 2, (const int32_t[]){q, pt}, p);
  tfl_op_t *o = op(TFL_OP_CONV_2D, TFL_OPT_CONV2D, 3, (const int32_t[]){p, w1, b1}, c1);
  o->padding = TFL_PAD_VALID, o->stride_w = o->stride_h = 2, o->activation = TFL_ACT_RELU6;
  o = op(TFL_OP_DEPTHWISE_CONV_2D, TFL_OPT_DEPTHWISE_CONV2D, 3, (const int32_t[]){c1, w2, -1}, c2);
  o->padding = TFL_PAD_SAME, o->stride_w = o->stride_h = 1, o->depth_multiplier = 1, o->activation = TFL_ACT_RELU;
  o = op(TFL_OP_CONV_2D, TFL_OPT_CONV2D, 3, (const int32_t[]){c2, w3, b3}, c3);
  o->padding = TFL_PAD_SAME, o->stride_w = o->stride_h = 1;
  op(TFL_OP_ADD, TFL_OPT_ADD, 2, (const int32_t[]){c2, c3}, a); /* the residual first: either order */
  op(TFL_OP_MEAN, TFL_OPT_REDUCER, 2, (const int32_t[]){a, ax}, mn);
  o = op(TFL_OP_RESHAPE, TFL_OPT_RESHAPE, 1, (const int32_t[]){mn}, r);
  o->n_new_shape = 2, o->new_shape[0] = 1, o->new_shape[1] = 8;
  op(TFL_OP_FULLY_CONNECTED, TFL_OPT_FULLY_CONNECTED, 3, (const int32_t[]){r, w4, b4}, f);
  op(TFL_OP_DEQUANTIZE, TFL_OPT_DEQUANTIZE, 1, (const int32_t[]){f}, y);
  M.n_inputs = 1, M.inputs[0] = x;
  M.n_outputs = 1, M.outputs[0] = y;
}

static int import(gen_model_t *g) {
  uint8_t *file;
  size_t n;
  ck_assert_msg(tfl_write(&M, &file, &n, err, sizeof err) == 0, "%s", err);
  int rc = gen_tflite_parse(file, n, g, err, sizeof err);
  free(file);
  return rc;
}

START_TEST(a_hand_built_chain_maps_onto_the_runtime) {
  chain();
  gen_model_t g;
  ck_assert_msg(import(&g) == 0, "%s", err);
  ck_assert_int_eq(g.model.n_layers, 5);
  const rt_layer_t *L = g.layers;
  ck_assert_int_eq(L[0].op, RT_OP_CONV);
  ck_assert_int_eq(L[0].pad, 1); /* the PAD before a VALID conv */
  ck_assert_int_eq(L[0].stride, 2);
  ck_assert_int_eq(L[0].out_h, 8);
  ck_assert_int_eq(L[0].in_zp, 3);
  ck_assert_int_eq(L[0].out_zp, -128);
  /* RELU6: [max(zp, -128), min(127, zp + round(6 / scale))] = [-128, -128 + 120] */
  ck_assert_int_eq(L[0].act_min, -128);
  ck_assert_int_eq(L[0].act_max, -8);
  ck_assert_int_eq(L[1].op, RT_OP_DW);
  ck_assert_int_eq(L[1].pad, 1);
  ck_assert_int_eq(L[2].op, RT_OP_PW);
  ck_assert_int_eq(L[2].res_src, 1);
  ck_assert_int_eq(L[2].add.in1_zp, 2);
  ck_assert_int_eq(L[2].add.in2_zp, -128);
  ck_assert_int_eq(L[2].add.out_zp, -5);
  ck_assert_int_eq(L[3].op, RT_OP_AVGPOOL);
  ck_assert_int_eq(L[4].op, RT_OP_FC);
  ck_assert_int_eq(L[4].in_c, 8);
  ck_assert_int_eq(L[4].out_c, 4);
  ck_assert_int_eq(g.model.in_zp, 3);
  ck_assert_str_eq(L[0].name, "stem");
  /* the weights are the file's, bias absent is 0, multipliers from input_scale * filter_scale / output_scale */
  ck_assert_mem_eq(g.blob + L[0].weights_off, W, 216);
  ck_assert_mem_eq(g.blob + L[4].weights_off, W + 700, 32);
  const int32_t *bias1 = (const int32_t *)(const void *)(g.blob + L[1].bias_off);
  ck_assert_int_eq(bias1[5], 0);
  const int32_t *mult = (const int32_t *)(const void *)(g.blob + L[0].mult_off), *shift = mult + 8;
  int32_t em, es;
  gen_quantize_multiplier((double)0.02f * (double)(0.01f + 0.001f * 3.0f) / (double)0.05f, &em, &es);
  ck_assert_int_eq(mult[3], em);
  ck_assert_int_eq(shift[3], es);
  /* TFLite ADD: twice_max = 2 max(s1, s2); in1 = s1 / twice_max ... */
  gen_quantize_multiplier((double)0.03f / (2.0 * (double)0.04f), &em, &es);
  ck_assert_int_eq(L[2].add.in1_mult, em);
  ck_assert_int_eq(L[2].add.in1_shift, es);
  gen_quantize_multiplier(2.0 * (double)0.04f / ((double)(1 << 20) * (double)0.06f), &em, &es);
  ck_assert_int_eq(L[2].add.out_mult, em);
  ck_assert_int_eq(g.n_blocks, 5); /* no block metadata: one block per layer */
  ck_assert_uint_ne(checksum(&g), 0);
  gen_model_free(&g);
}
END_TEST

START_TEST(same_padding_with_stride_2_on_an_even_map_has_no_leading_pad) {
  begin();
  int32_t q = tensor("in", TFL_INT8, 4, (const int32_t[]){1, 16, 16, 3}, NULL, 0, 0.02f, 0);
  int32_t w = tensor("w", TFL_INT8, 4, (const int32_t[]){8, 3, 3, 3}, W, 216, 0.01f, 0);
  int32_t c = tensor("conv", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 8}, NULL, 0, 0.05f, 0);
  tfl_op_t *o = op(TFL_OP_CONV_2D, TFL_OPT_CONV2D, 2, (const int32_t[]){q, w}, c);
  o->padding = TFL_PAD_SAME, o->stride_w = o->stride_h = 2;
  M.n_inputs = 1, M.inputs[0] = q;
  /* then a depthwise 3x3 SAME stride 2 (8 -> 4, leading pad 0) and a 1x1: a patch stage over all three */
  int32_t w2 = tensor("w2", TFL_INT8, 4, (const int32_t[]){1, 3, 3, 8}, W + 300, 72, 0.01f, 0);
  int32_t d = tensor("dw", TFL_INT8, 4, (const int32_t[]){1, 4, 4, 8}, NULL, 0, 0.04f, -3);
  o = op(TFL_OP_DEPTHWISE_CONV_2D, TFL_OPT_DEPTHWISE_CONV2D, 2, (const int32_t[]){c, w2}, d);
  o->padding = TFL_PAD_SAME, o->stride_w = o->stride_h = 2, o->depth_multiplier = 1;
  int32_t w3 = tensor("w3", TFL_INT8, 4, (const int32_t[]){6, 1, 1, 8}, W + 500, 48, 0.01f, 0);
  int32_t p = tensor("pw", TFL_INT8, 4, (const int32_t[]){1, 4, 4, 6}, NULL, 0, 0.03f, 1);
  o = op(TFL_OP_CONV_2D, TFL_OPT_CONV2D, 2, (const int32_t[]){d, w3}, p);
  o->padding = TFL_PAD_VALID, o->stride_w = o->stride_h = 1;
  M.n_outputs = 1, M.outputs[0] = p;
  gen_model_t g;
  ck_assert_msg(import(&g) == 0, "%s", err);
  /* TFLite SAME: out 8, total pad (8-1)*2+3-16 = 1, leading 0 (the extra row at the bottom) */
  ck_assert_int_eq(g.layers[0].pad, 0);
  ck_assert_int_eq(g.layers[0].out_h, 8);
  ck_assert_int_eq(g.layers[1].pad, 0);
  ck_assert_int_eq(g.layers[1].out_h, 4);
  ck_assert_int_eq(g.layers[2].op, RT_OP_PW);
  /* the runtime takes the leading pad per layer: 2x2 patches over the three layers give the layer-wise output */
  const uint32_t layerwise = checksum(&g);
  rt_schedule_t ps;
  char name[64];
  ck_assert_msg(gen_schedule_parse(&g, "patch:n=2,blocks=3", &ps, name, sizeof name, err, sizeof err) == 0, "%s", err);
  const uint32_t bytes = 1u << 20;
  void *mem = malloc(bytes);
  rt_arena_t arena;
  rt_arena_init(&arena, mem, bytes);
  rt_stats_t st;
  ck_assert_int_eq(rt_run(&g.model, &ps, &arena, NULL, &st), RT_OK);
  ck_assert_uint_eq(st.checksum, layerwise);
  free(mem);
  gen_model_free(&g);
}
END_TEST

START_TEST(operators_the_runtime_lacks_are_listed) {
  begin();
  int32_t q = tensor("in", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 4}, NULL, 0, 0.02f, 0);
  int32_t w = tensor("w", TFL_INT8, 4, (const int32_t[]){4, 1, 1, 4}, W, 16, 0.01f, 0);
  int32_t c = tensor("pw", TFL_INT8, 4, (const int32_t[]){1, 8, 8, 4}, NULL, 0, 0.05f, 0);
  int32_t mp = tensor("maxpool", TFL_INT8, 4, (const int32_t[]){1, 4, 4, 4}, NULL, 0, 0.05f, 0);
  int32_t fw = tensor("fw", TFL_INT8, 2, (const int32_t[]){2, 64}, W, 128, 0.01f, 0);
  int32_t f = tensor("fc", TFL_INT8, 2, (const int32_t[]){1, 2}, NULL, 0, 0.1f, 0);
  int32_t s = tensor("prob", TFL_INT8, 2, (const int32_t[]){1, 2}, NULL, 0, 1.0f / 256, -128);
  tfl_op_t *o = op(TFL_OP_CONV_2D, TFL_OPT_CONV2D, 2, (const int32_t[]){q, w}, c);
  o->padding = TFL_PAD_SAME, o->stride_w = o->stride_h = 1;
  o = op(TFL_OP_MAX_POOL_2D, TFL_OPT_POOL2D, 1, (const int32_t[]){c}, mp);
  o->padding = TFL_PAD_VALID, o->stride_w = o->stride_h = 2, o->filter_w = o->filter_h = 2;
  op(TFL_OP_FULLY_CONNECTED, TFL_OPT_FULLY_CONNECTED, 2, (const int32_t[]){mp, fw}, f);
  /* the graph runtime (gen_graph.c) runs MAX_POOL_2D and SOFTMAX; schema.fbs BuiltinOperator 14 (LOGISTIC) it lacks */
  op(14, TFL_OPT_NONE, 1, (const int32_t[]){f}, s);
  M.n_inputs = 1, M.inputs[0] = q;
  M.n_outputs = 1, M.outputs[0] = s;
  gen_model_t g;
  ck_assert_int_ne(import(&g), 0);
  ck_assert_msg(strstr(err, "(operator 3)") && !strstr(err, "(operator 1)"), "%s", err);
  ck_assert_ptr_null(strchr(err, '\n'));
  /* the analytic figures of every operator stay available */
  uint8_t *file;
  size_t n;
  ck_assert(tfl_write(&M, &file, &n, err, sizeof err) == 0);
  gen_tflite_op_t *rows;
  int32_t nr;
  ck_assert_msg(gen_tflite_ops(file, n, &rows, &nr, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(nr, 4);
  ck_assert_str_eq(rows[0].kind, "CONV_2D");
  ck_assert_uint_eq(rows[0].macs, 8ull * 8 * 4 * 4);
  ck_assert_int_eq(rows[0].supported, 1);
  ck_assert_str_eq(rows[1].kind, "MAX_POOL_2D");
  ck_assert_int_eq(rows[1].supported, 1); /* by the graph runtime */
  ck_assert_uint_eq(rows[2].macs, 2ull * 64);
  ck_assert_uint_eq(rows[2].param_bytes, 128);
  ck_assert_int_eq(rows[3].supported, 0);
  ck_assert_str_eq(rows[3].name, "prob");
  free(rows);
  /* the table `mcusim plan` and `mcusim-gen --plan` print for it */
  char path[] = "/tmp/mcusim-test-ops-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert(write(fd, file, n) == (ssize_t)n);
  close(fd);
  char *text = NULL;
  size_t text_len = 0;
  FILE *mem = open_memstream(&text, &text_len);
  ck_assert_int_eq(gen_tflite_ops_print(path, mem, err, sizeof err), 1);
  fclose(mem);
  unlink(path);
  ck_assert_msg(strstr(text, "total: 4 operators, 1152 MACs, 144 constant bytes"), "%s", text);
  ck_assert_msg(strstr(text, "the runtime lacks 1 of them: BUILTIN_14 (3)"), "%s", text);
  ck_assert_msg(strstr(text, "in+out B"), "%s", text);
  free(text);
  free(file);
}
END_TEST

static void teardown(void) { tfl_free(&M); }

Suite *test_suite(void) {
  Suite *s = suite_create("gen_tflite");
  TCase *tc = tcase_create("gen_tflite");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, vww_round_trips_exactly);
  tcase_add_test(tc, mbv2_round_trips_exactly);
  tcase_add_test(tc, person_detection_round_trips_exactly);
  tcase_add_test(tc, without_exact_metadata_requantization_is_tflites);
  tcase_add_test(tc, a_hand_built_chain_maps_onto_the_runtime);
  tcase_add_test(tc, same_padding_with_stride_2_on_an_even_map_has_no_leading_pad);
  tcase_add_test(tc, operators_the_runtime_lacks_are_listed);
  suite_add_tcase(s, tc);
  return s;
}
