/* tests/tflite/test_tfl.c — the .tflite reader and writer (tflite/): hand-built graphs with every operator and option
 * the reader decodes, written and read back field for field; the extended operator code; and hostile files (every
 * truncation, offsets and vtables out of range, huge vectors, negative sizes, bad indices), each one error line. */
#include "tests/support/check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite/tfl.h"

static char err[256];

/* ---- a small model builder over tfl_model_t ---- */
static tfl_model_t M;
static float scales[64];
static int64_t zps[64];
static uint8_t wdata[4096];

static void model_begin(void) {
  tfl_free(&M);
  memset(&M, 0, sizeof M);
  M.tensors = calloc(64, sizeof(tfl_tensor_t));
  M.ops = calloc(32, sizeof(tfl_op_t));
  M.version = 3;
  snprintf(M.name, sizeof M.name, "g");
  for (int i = 0; i < 64; i++) scales[i] = 0.01f * (float)(i + 1), zps[i] = 0;
  for (int i = 0; i < 4096; i++) wdata[i] = (uint8_t)(i * 7);
}

static int32_t tensor(const char *name, int32_t type, int32_t n, const int32_t *dims, uint32_t data_bytes, int32_t nq) {
  tfl_tensor_t *t = &M.tensors[M.n_tensors];
  snprintf(t->name, sizeof t->name, "%s", name);
  t->type = type;
  t->n_dims = n;
  memcpy(t->dims, dims, sizeof(int32_t) * (size_t)n);
  if (data_bytes) t->data = wdata, t->data_bytes = data_bytes;
  if (nq) { /* owned by M: tfl_free releases them */
    t->scale = malloc(sizeof(float) * (size_t)nq);
    t->zero_point = malloc(sizeof(int64_t) * (size_t)nq);
    memcpy(t->scale, scales, sizeof(float) * (size_t)nq);
    memcpy(t->zero_point, zps, sizeof(int64_t) * (size_t)nq);
    t->n_scale = t->n_zero_point = nq;
  }
  return M.n_tensors++;
}

static tfl_op_t *op(int32_t code, int32_t opt, int32_t in0, int32_t in1, int32_t in2, int32_t out) {
  tfl_op_t *o = &M.ops[M.n_ops++];
  memset(o, 0, sizeof *o);
  o->code = code;
  o->version = 1;
  o->options_type = opt;
  o->dilation_w = o->dilation_h = 1;
  o->inputs[o->n_inputs++] = in0;
  if (in1 != -2) o->inputs[o->n_inputs++] = in1;
  if (in2 != -2) o->inputs[o->n_inputs++] = in2;
  o->outputs[o->n_outputs++] = out;
  return o;
}

/* Every operator and option of the subset, in one graph (not meant to run: the reader reads any graph). */
static void every_op(void) {
  model_begin();
  const int32_t d4[4] = {1, 8, 8, 4}, w4[4] = {4, 3, 3, 4}, dw4[4] = {1, 3, 3, 4}, b1[1] = {4}, p2[2] = {4, 2};
  const int32_t fc2[2] = {2, 256}, o2[2] = {1, 2}, ax[1] = {2}, one4[4] = {1, 1, 1, 4};
  int32_t x = tensor("x", TFL_FLOAT32, 4, d4, 0, 0);
  int32_t q = tensor("q", TFL_INT8, 4, d4, 0, 1);
  int32_t w = tensor("w", TFL_INT8, 4, w4, 144, 4);
  M.tensors[w].quantized_dimension = 0;
  int32_t b = tensor("b", TFL_INT32, 1, b1, 16, 4);
  int32_t c = tensor("conv", TFL_INT8, 4, d4, 0, 1);
  int32_t dw = tensor("dww", TFL_INT8, 4, dw4, 36, 4);
  M.tensors[dw].quantized_dimension = 3;
  int32_t d = tensor("dw", TFL_INT8, 4, d4, 0, 1);
  int32_t a = tensor("add", TFL_INT8, 4, d4, 0, 1);
  int32_t pads = tensor("paddings", TFL_INT32, 2, p2, 32, 0);
  int32_t p = tensor("pad", TFL_INT8, 4, d4, 0, 1);
  int32_t ap = tensor("avg", TFL_INT8, 4, d4, 0, 1);
  int32_t mp = tensor("max", TFL_INT8, 4, d4, 0, 1);
  int32_t axes = tensor("axes", TFL_INT32, 1, ax, 8, 0);
  int32_t mean = tensor("mean", TFL_INT8, 4, one4, 0, 1);
  int32_t cat = tensor("cat", TFL_INT8, 4, d4, 0, 1);
  int32_t r = tensor("flat", TFL_INT8, 2, (const int32_t[]){1, 256}, 0, 1);
  int32_t fw = tensor("fcw", TFL_INT8, 2, fc2, 512, 1);
  int32_t f = tensor("fc", TFL_INT8, 2, o2, 0, 1);
  int32_t s = tensor("softmax", TFL_INT8, 2, o2, 0, 1);
  int32_t y = tensor("y", TFL_FLOAT32, 2, o2, 0, 0);
  op(TFL_OP_QUANTIZE, TFL_OPT_QUANTIZE, x, -2, -2, q);
  tfl_op_t *o = op(TFL_OP_CONV_2D, TFL_OPT_CONV2D, q, w, b, c);
  o->padding = TFL_PAD_SAME, o->stride_w = 1, o->stride_h = 2, o->activation = TFL_ACT_RELU6, o->dilation_w = 2,
  o->dilation_h = 3;
  o = op(TFL_OP_DEPTHWISE_CONV_2D, TFL_OPT_DEPTHWISE_CONV2D, c, dw, -1, d); /* -1: an absent bias */
  o->padding = TFL_PAD_VALID, o->stride_w = 2, o->stride_h = 1, o->depth_multiplier = 1, o->activation = TFL_ACT_RELU;
  o = op(TFL_OP_ADD, TFL_OPT_ADD, d, c, -2, a);
  o->activation = TFL_ACT_RELU;
  op(TFL_OP_PAD, TFL_OPT_PAD, a, pads, -2, p);
  o = op(TFL_OP_AVERAGE_POOL_2D, TFL_OPT_POOL2D, p, -2, -2, ap);
  o->padding = TFL_PAD_VALID, o->stride_w = 2, o->stride_h = 3, o->filter_w = 4, o->filter_h = 5;
  o = op(TFL_OP_MAX_POOL_2D, TFL_OPT_POOL2D, ap, -2, -2, mp);
  o->padding = TFL_PAD_SAME, o->filter_w = o->filter_h = 2, o->activation = TFL_ACT_RELU6;
  o = op(TFL_OP_MEAN, TFL_OPT_REDUCER, mp, axes, -2, mean);
  o->keep_dims = 1;
  o = op(TFL_OP_CONCATENATION, TFL_OPT_CONCATENATION, mp, ap, -2, cat);
  o->axis = 3, o->activation = TFL_ACT_RELU;
  o = op(TFL_OP_RESHAPE, TFL_OPT_RESHAPE, cat, -2, -2, r);
  o->n_new_shape = 2, o->new_shape[0] = 1, o->new_shape[1] = 256;
  o = op(TFL_OP_FULLY_CONNECTED, TFL_OPT_FULLY_CONNECTED, r, fw, -1, f);
  o->activation = TFL_ACT_RELU, o->keep_dims = 1;
  o = op(TFL_OP_SOFTMAX, TFL_OPT_SOFTMAX, f, -2, -2, s);
  o->beta = 0.5f;
  op(TFL_OP_DEQUANTIZE, TFL_OPT_DEQUANTIZE, s, -2, -2, y);
  M.n_inputs = 1, M.inputs[0] = x;
  M.n_outputs = 1, M.outputs[0] = y;
  M.n_metadata = 1;
  snprintf(M.metadata[0].name, TFL_NAME_MAX, "note");
  M.metadata[0].data = (const uint8_t *)"hello";
  M.metadata[0].bytes = 5;
  snprintf(M.description, sizeof M.description, "every operator");
}

static uint8_t *written(size_t *n) {
  uint8_t *buf;
  ck_assert_msg(tfl_write(&M, &buf, n, err, sizeof err) == 0, "%s", err);
  return buf;
}

START_TEST(every_operator_and_option_round_trips) {
  every_op();
  size_t n;
  uint8_t *buf = written(&n);
  ck_assert(tfl_is_tflite(buf, n));
  tfl_model_t r;
  ck_assert_msg(tfl_parse(buf, n, &r, err, sizeof err) == 0, "%s", err);
  ck_assert_str_eq(r.name, "g");
  ck_assert_str_eq(r.description, "every operator");
  ck_assert_int_eq(r.n_tensors, M.n_tensors);
  ck_assert_int_eq(r.n_ops, M.n_ops);
  for (int32_t i = 0; i < M.n_tensors; i++) {
    const tfl_tensor_t *a = &M.tensors[i], *b = &r.tensors[i];
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->type, b->type);
    ck_assert_int_eq(a->n_dims, b->n_dims);
    ck_assert_mem_eq(a->dims, b->dims, sizeof(int32_t) * (size_t)a->n_dims);
    ck_assert_uint_eq(a->data_bytes, b->data_bytes);
    if (a->data_bytes) ck_assert_mem_eq(a->data, b->data, a->data_bytes);
    ck_assert_int_eq(a->n_scale, b->n_scale);
    if (a->n_scale) ck_assert_mem_eq(a->scale, b->scale, sizeof(float) * (size_t)a->n_scale);
    if (a->n_zero_point) ck_assert_mem_eq(a->zero_point, b->zero_point, sizeof(int64_t) * (size_t)a->n_zero_point);
    ck_assert_int_eq(a->quantized_dimension, b->quantized_dimension);
  }
  for (int32_t i = 0; i < M.n_ops; i++) {
    tfl_op_t a = M.ops[i], b = r.ops[i];
    ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "operator %d (%d) differs after the round trip", i, a.code);
  }
  ck_assert_int_eq(r.ops[1].dilation_h, 3);
  ck_assert_int_eq(r.ops[2].inputs[2], -1);
  ck_assert(r.ops[11].beta == 0.5f);
  ck_assert_int_eq(r.n_metadata, 1);
  ck_assert_str_eq(r.metadata[0].name, "note");
  ck_assert_mem_eq(r.metadata[0].data, "hello", 5);
  /* written again, the same bytes (deterministic) */
  tfl_free(&M);
  M = r;
  size_t n2;
  uint8_t *buf2 = written(&n2);
  ck_assert_uint_eq(n, n2);
  ck_assert_mem_eq(buf, buf2, n);
  free(buf);
  free(buf2);
}
END_TEST

START_TEST(operator_info_gives_macs_and_parameters) {
  every_op();
  size_t n;
  uint8_t *buf = written(&n);
  tfl_model_t r;
  ck_assert(tfl_parse(buf, n, &r, err, sizeof err) == 0);
  tfl_op_info_t info;
  char nb[24];
  ck_assert_int_eq(tfl_op_info(&r, 1, &info, nb, sizeof nb), 0);
  ck_assert_str_eq(info.kind, "CONV_2D");
  ck_assert_uint_eq(info.macs, 8ull * 8 * 4 * 3 * 3 * 4); /* out elements x kh x kw x in_c */
  ck_assert_uint_eq(info.param_bytes, 144 + 16);
  ck_assert_int_eq(tfl_op_info(&r, 2, &info, nb, sizeof nb), 0);
  ck_assert_uint_eq(info.macs, 8ull * 8 * 4 * 3 * 3); /* depthwise: out elements x kh x kw */
  ck_assert_int_eq(tfl_op_info(&r, 11, &info, nb, sizeof nb), 0);
  ck_assert_str_eq(info.kind, "SOFTMAX");
  ck_assert_uint_eq(info.macs, 0);
  ck_assert_int_eq(tfl_op_info(&r, 10, &info, nb, sizeof nb), 0);
  ck_assert_str_eq(info.kind, "FULLY_CONNECTED");
  ck_assert_uint_eq(info.macs, 2ull * 256);
  tfl_free(&r);
  free(buf);
}
END_TEST

/* ---- byte-level access to a written file, to bend it ---- */
static uint32_t u32(const uint8_t *b, size_t at) { return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | (uint32_t)b[at + 3] << 24; }
static void put_u32(uint8_t *b, size_t at, uint32_t v) {
  b[at] = (uint8_t)v, b[at + 1] = (uint8_t)(v >> 8), b[at + 2] = (uint8_t)(v >> 16), b[at + 3] = (uint8_t)(v >> 24);
}
/* Position of field id's value in the table at pos (0 absent). */
static size_t fpos(const uint8_t *b, size_t pos, int id) {
  size_t vt = pos - (size_t)(int32_t)u32(b, pos);
  uint16_t vb = (uint16_t)(b[vt] | b[vt + 1] << 8);
  if (4u + 2u * id >= vb) return 0;
  uint16_t off = (uint16_t)(b[vt + 4 + 2 * id] | b[vt + 5 + 2 * id] << 8);
  return off ? pos + off : 0;
}
static size_t deref(const uint8_t *b, size_t at) { return at + u32(b, at); }
/* The table element i of the vector field id of the table at pos. */
static size_t elem(const uint8_t *b, size_t pos, int id, uint32_t i) {
  size_t v = deref(b, fpos(b, pos, id));
  return deref(b, v + 4 + 4 * i);
}

static void refused(const uint8_t *b, size_t n, const char *says) {
  tfl_model_t r;
  int rc = tfl_parse(b, n, &r, err, sizeof err);
  if (rc == 0) tfl_free(&r);
  ck_assert_msg(rc != 0, "accepted (expected \"%s\")", says);
  ck_assert_msg(strstr(err, says), "\"%s\" does not say \"%s\"", err, says);
  ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(the_extended_operator_code_is_the_larger_of_the_two) {
  every_op();
  M.ops[0].code = 150; /* GELU: above 127, only in the int32 field */
  size_t n;
  uint8_t *buf = written(&n);
  tfl_model_t r;
  ck_assert(tfl_parse(buf, n, &r, err, sizeof err) == 0);
  ck_assert_int_eq(r.ops[0].code, 150);
  char nb[24];
  ck_assert_str_eq(tfl_op_name(r.ops[0].code, nb, sizeof nb), "BUILTIN_150");
  tfl_free(&r);
  /* an old file: only the byte field (the int32 one zeroed) */
  size_t root = u32(buf, 0);
  size_t oc1 = elem(buf, root, 1, 1); /* operator code 1: CONV_2D */
  size_t at = fpos(buf, oc1, 3);
  ck_assert(at);
  put_u32(buf, at, 0);
  ck_assert(tfl_parse(buf, n, &r, err, sizeof err) == 0);
  ck_assert_int_eq(r.ops[1].code, TFL_OP_CONV_2D);
  tfl_free(&r);
  free(buf);
}
END_TEST

START_TEST(every_truncation_is_refused_cleanly) {
  every_op();
  size_t n;
  uint8_t *buf = written(&n);
  for (size_t k = 0; k < n; k += (k < 256 ? 1 : 7)) {
    uint8_t *cut = malloc(k ? k : 1);
    memcpy(cut, buf, k);
    tfl_model_t r;
    err[0] = 0;
    if (tfl_parse(cut, k, &r, err, sizeof err) == 0)
      tfl_free(&r); /* a cut that loses only trailing padding may still parse */
    else
      ck_assert_msg(err[0] && !strchr(err, '\n'), "cut at %zu: \"%s\"", k, err);
    free(cut);
  }
  refused(buf, 7, "not a .tflite");
  free(buf);
}
END_TEST

START_TEST(hostile_offsets_vtables_and_sizes_are_refused) {
  every_op();
  size_t n;
  uint8_t *buf = written(&n), *b = malloc(n);
  const size_t root = u32(buf, 0);
#define BENT(stmt, says)                                                                                               \
  do {                                                                                                                 \
    memcpy(b, buf, n);                                                                                                 \
    stmt;                                                                                                              \
    refused(b, n, says);                                                                                               \
  } while (0)
  BENT(memcpy(b + 4, "TFL2", 4), "no \"TFL3\" identifier");
  BENT(put_u32(b, 0, 0x7ffffff0u), "outside the");                        /* root table beyond the end */
  BENT(put_u32(b, root, 0x80000000u), "vtable offset out of range");      /* vtable before the file */
  BENT(put_u32(b, root, (uint32_t)(-(int32_t)(n))), "vtable offset out of range");
  size_t vt = root - u32(buf, root);
  BENT((b[vt] = 0xff, b[vt + 1] = 0xff), "vtable of 65535 bytes");          /* a vtable longer than the file */
  BENT((b[vt + 2] = 0xff, b[vt + 3] = 0xff), "does not fit");               /* a table longer than the file */
  BENT(put_u32(b, fpos(buf, root, 0), 2), "schema version 2");
  size_t subs = deref(buf, fpos(buf, root, 2));
  BENT(put_u32(b, subs, 0), "no subgraph");
  BENT(put_u32(b, subs, 0x40000000u), "runs past the end");                 /* a huge vector */
  BENT(put_u32(b, fpos(buf, root, 2), 0xfffffff0u), "points outside");      /* a reference beyond the end */
  size_t sg = elem(buf, root, 2, 0);
  size_t tensors = deref(buf, fpos(buf, sg, 0));
  BENT(put_u32(b, tensors, TFL_MAX_TENSORS + 1), "");                       /* more tensors than taken (or the end) */
  size_t t2 = elem(buf, sg, 0, 2); /* tensor "w" */
  size_t shape = deref(buf, fpos(buf, t2, 0));
  BENT(put_u32(b, shape + 4, 0xffffffffu), "dimension 0 is -1");           /* a negative size */
  BENT(put_u32(b, shape, 7), "more than the 6");                            /* rank beyond the cap */
  BENT(put_u32(b, fpos(buf, t2, 2), 9999), "buffer 9999");                  /* a buffer index out of range */
  size_t op1 = elem(buf, sg, 3, 1);
  BENT(put_u32(b, fpos(buf, op1, 0), 77), "opcode_index 77");
  size_t ins = deref(buf, fpos(buf, op1, 1));
  BENT(put_u32(b, ins + 4, 5000), "tensor index 5000");
  BENT(put_u32(b, ins + 4, (uint32_t)-7), "tensor index -7");
  size_t q = deref(buf, fpos(buf, t2, 4));
  BENT(put_u32(b, fpos(buf, q, 6), 9), "quantized_dimension 9");
  /* a vtable loop: the options table's vtable offset pointing at the table itself (soffset 0) reads as a 0-byte
   * vtable, refused; the reader never follows a reference it has seen, so no loop runs */
  size_t opt = deref(buf, fpos(buf, op1, 4));
  BENT(put_u32(b, opt, 0), "vtable of");
#undef BENT
  free(b);
  free(buf);
}
END_TEST

START_TEST(custom_operators_are_refused_by_name) {
  every_op();
  size_t n;
  uint8_t *buf = written(&n);
  /* operator code 0 gains a custom_code (field 1): its vtable slot set to where the int32 code lies, so the string
   * is wherever that offset leads; either it reads as a name or it runs out of the file: refused either way */
  const size_t root = u32(buf, 0), oc0 = elem(buf, root, 1, 0), vt = oc0 - u32(buf, oc0);
  buf[vt + 4 + 2] = buf[vt + 4 + 6];
  buf[vt + 4 + 3] = buf[vt + 4 + 7];
  refused(buf, n, "operator code");
  free(buf);
  ck_assert_int_eq(tfl_type_bytes(TFL_INT8), 1);
  ck_assert_int_eq(tfl_type_bytes(TFL_INT32), 4);
  ck_assert_int_eq(tfl_type_bytes(99), 0);
}
END_TEST

static void teardown(void) { tfl_free(&M); }

Suite *test_suite(void) {
  Suite *s = suite_create("tfl");
  TCase *tc = tcase_create("tfl");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, every_operator_and_option_round_trips);
  tcase_add_test(tc, operator_info_gives_macs_and_parameters);
  tcase_add_test(tc, the_extended_operator_code_is_the_larger_of_the_two);
  tcase_add_test(tc, every_truncation_is_refused_cleanly);
  tcase_add_test(tc, hostile_offsets_vtables_and_sizes_are_refused);
  tcase_add_test(tc, custom_operators_are_refused_by_name);
  suite_add_tcase(s, tc);
  return s;
}
