/* tfl_read.c — the bounded .tflite reader (tfl.h). A flatbuffer is a tree of tables addressed by 32-bit offsets:
 * a table starts with a signed offset to its vtable (vtable = table - soffset); the vtable is [u16 vtable bytes, u16
 * table bytes, u16 field offset per field id] (0: the field is absent); a reference field holds an unsigned offset
 * forward from its own position; a vector is a u32 count followed by its elements; a string a vector of bytes.
 * Every one of these is checked against the buffer here, in 64-bit arithmetic, before it is read. */
#include "tflite/tfl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const uint8_t *b;
  size_t n;
  char *err;
  size_t err_len;
  int failed;
} rd_t;

typedef struct {
  size_t pos; /* the table */
  size_t vt;  /* its vtable */
  uint16_t vt_bytes, obj_bytes;
} tab_t;

static int fail(rd_t *r, const char *fmt, ...) {
  if (!r->failed && r->err && r->err_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->err_len, fmt, ap);
    va_end(ap);
  }
  r->failed = 1;
  return -1;
}

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* The table at pos, its vtable checked. what names it in the message. */
static int table_at(rd_t *r, uint64_t pos, tab_t *t, const char *what) {
  if (pos + 4 > r->n)
    return fail(r, "%s: table at offset %llu is outside the %zu-byte file", what, (unsigned long long)pos, r->n);
  int64_t vt = (int64_t)pos - (int64_t)(int32_t)rd32(r->b + pos);
  if (vt < 0 || (uint64_t)vt + 4 > r->n || (vt & 1))
    return fail(r, "%s: vtable offset out of range (table at %llu)", what, (unsigned long long)pos);
  t->pos = (size_t)pos;
  t->vt = (size_t)vt;
  t->vt_bytes = rd16(r->b + vt);
  t->obj_bytes = rd16(r->b + vt + 2);
  if (t->vt_bytes < 4 || (t->vt_bytes & 1) || (uint64_t)vt + t->vt_bytes > r->n)
    return fail(r, "%s: vtable of %u bytes does not fit the file", what, t->vt_bytes);
  if (t->obj_bytes < 4 || pos + t->obj_bytes > r->n)
    return fail(r, "%s: table of %u bytes does not fit the file", what, t->obj_bytes);
  return 0;
}

/* Offset of field id inside the table (0 when absent), checked to hold size bytes within the table. */
static size_t field(rd_t *r, const tab_t *t, int id, size_t size, const char *what) {
  if (r->failed || 4u + 2u * (unsigned)id + 2u > t->vt_bytes) return 0;
  uint16_t off = rd16(r->b + t->vt + 4 + 2 * id);
  if (!off) return 0;
  if ((size_t)off + size > t->obj_bytes) {
    fail(r, "%s: field %d lies outside its table", what, id);
    return 0;
  }
  return off;
}

static int64_t get_int(rd_t *r, const tab_t *t, int id, size_t size, int64_t def, const char *what) {
  size_t off = field(r, t, id, size, what);
  if (!off) return def;
  const uint8_t *p = r->b + t->pos + off;
  switch (size) {
  case 1:
    return (int8_t)p[0];
  case 2:
    return (int16_t)rd16(p);
  case 4:
    return (int32_t)rd32(p);
  default:
    return (int64_t)rd64(p);
  }
}

static float get_f32(rd_t *r, const tab_t *t, int id, float def, const char *what) {
  size_t off = field(r, t, id, 4, what);
  if (!off) return def;
  uint32_t u = rd32(r->b + t->pos + off);
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* The target of reference field id: 1 found (*target set), 0 absent, -1 out of range. */
static int get_ref(rd_t *r, const tab_t *t, int id, uint64_t *target, const char *what) {
  size_t off = field(r, t, id, 4, what);
  if (!off) return r->failed ? -1 : 0;
  uint64_t at = (uint64_t)t->pos + off;
  uint64_t tg = at + rd32(r->b + at);
  if (tg + 4 > r->n) return fail(r, "%s: field %d points outside the file", what, id);
  *target = tg;
  return 1;
}

/* Vector field id: *start (first element), *count; 0 absent (count 0), 1 found, -1 bad. Elements of elem bytes. */
static int get_vec(rd_t *r, const tab_t *t, int id, size_t elem, uint32_t max, uint64_t *start, uint32_t *count,
                   const char *what) {
  uint64_t tg;
  *count = 0;
  *start = 0;
  int rc = get_ref(r, t, id, &tg, what);
  if (rc <= 0) return rc;
  uint32_t n = rd32(r->b + tg);
  if (tg + 4 + (uint64_t)n * elem > r->n)
    return fail(r, "%s: a vector of %u elements runs past the end of the file", what, n);
  if (n > max) return fail(r, "%s: %u elements, more than the %u this reader takes", what, n, max);
  *start = tg + 4;
  *count = n;
  return 1;
}

/* A string field copied into buf (cut to fit, non-printable bytes as '?'). */
static int get_str(rd_t *r, const tab_t *t, int id, char *buf, size_t buf_len, const char *what) {
  uint64_t s;
  uint32_t n;
  buf[0] = 0;
  if (get_vec(r, t, id, 1, UINT32_MAX, &s, &n, what) < 0) return -1;
  size_t k = 0;
  for (uint32_t i = 0; i < n && k + 1 < buf_len; i++) {
    uint8_t c = r->b[s + i];
    buf[k++] = (c >= 32 && c < 127) ? (char)c : '?';
  }
  buf[k] = 0;
  return 0;
}

/* The i-th table of a vector of tables. */
static int vec_table(rd_t *r, uint64_t start, uint32_t i, tab_t *t, const char *what) {
  uint64_t at = start + 4ull * i;
  return table_at(r, at + rd32(r->b + at), t, what);
}

static int read_int_list(rd_t *r, const tab_t *t, int id, int32_t *out, int32_t *n_out, uint32_t max,
                         const char *what) {
  uint64_t s;
  uint32_t n;
  if (get_vec(r, t, id, 4, max, &s, &n, what) < 0) return -1;
  for (uint32_t i = 0; i < n; i++) out[i] = (int32_t)rd32(r->b + s + 4ull * i);
  *n_out = (int32_t)n;
  return 0;
}

uint32_t tfl_type_bytes(int32_t type) {
  switch (type) {
  case TFL_FLOAT32:
  case TFL_INT32:
    return 4;
  case TFL_INT8:
  case TFL_UINT8:
    return 1;
  case TFL_INT64:
    return 8;
  default:
    return 0;
  }
}

uint64_t tfl_tensor_elems(const tfl_tensor_t *t) {
  uint64_t e = 1;
  for (int32_t d = 0; d < t->n_dims; d++) {
    if (t->dims[d] < 0) return 0;
    e *= (uint64_t)t->dims[d];
    if (e > (1ull << 40)) return 1ull << 40; /* dims are capped, this only keeps the product from wrapping */
  }
  return e;
}

int tfl_is_tflite(const uint8_t *data, size_t size) { return size >= 8 && memcmp(data + 4, "TFL3", 4) == 0; }

static int read_tensor(rd_t *r, tfl_model_t *m, const tab_t *t, tfl_tensor_t *ts, int32_t idx, uint64_t buf_start,
                       uint32_t n_buffers) {
  char what[48];
  snprintf(what, sizeof what, "tensor %d", idx);
  /* schema.fbs table Tensor: shape 0, type 1, buffer 2, name 3, quantization 4 */
  uint64_t s;
  uint32_t n;
  if (get_vec(r, t, 0, 4, TFL_MAX_DIMS, &s, &n, what) < 0) return -1;
  ts->n_dims = (int32_t)n;
  for (uint32_t i = 0; i < n; i++) {
    ts->dims[i] = (int32_t)rd32(r->b + s + 4ull * i);
    if (ts->dims[i] < 0 || ts->dims[i] > (1 << 24)) return fail(r, "%s: dimension %d is %d", what, (int)i, ts->dims[i]);
  }
  ts->type = (int32_t)get_int(r, t, 1, 1, 0, what);
  ts->buffer = (uint32_t)get_int(r, t, 2, 4, 0, what);
  if (get_str(r, t, 3, ts->name, sizeof ts->name, what)) return -1;
  if (ts->buffer >= n_buffers && !(ts->buffer == 0 && n_buffers == 0))
    return fail(r, "%s: buffer %u, the model has %u", what, ts->buffer, n_buffers);
  if (ts->buffer) {
    tab_t bt;
    if (vec_table(r, buf_start, ts->buffer, &bt, "buffer")) return -1;
    /* schema.fbs table Buffer: data 0, offset 1, size 2 (offset > 1: data outside the flatbuffer, > 2 GiB models) */
    if ((uint64_t)get_int(r, &bt, 1, 8, 0, "buffer") > 1)
      return fail(r, "%s: buffer %u lies outside the flatbuffer (a model over 2 GiB), not supported", what, ts->buffer);
    uint64_t ds;
    uint32_t dn;
    if (get_vec(r, &bt, 0, 1, TFL_FILE_MAX_BYTES, &ds, &dn, "buffer") < 0) return -1;
    ts->data = dn ? m->file + ds : NULL;
    ts->data_bytes = dn;
  }
  uint64_t qpos;
  int rc = get_ref(r, t, 4, &qpos, what);
  if (rc < 0) return -1;
  if (rc) {
    tab_t q;
    if (table_at(r, qpos, &q, what)) return -1;
    /* schema.fbs table QuantizationParameters: min 0, max 1, scale 2, zero_point 3 (long), details 4-5 (a union:
     * type and value), quantized_dimension 6 */
    if (get_vec(r, &q, 2, 4, TFL_MAX_QUANT, &s, &n, what) < 0) return -1;
    if (n) {
      ts->scale = malloc(sizeof(float) * n);
      if (!ts->scale) return fail(r, "out of memory");
      for (uint32_t i = 0; i < n; i++) {
        uint32_t u = rd32(r->b + s + 4ull * i);
        memcpy(&ts->scale[i], &u, 4);
      }
      ts->n_scale = (int32_t)n;
    }
    if (get_vec(r, &q, 3, 8, TFL_MAX_QUANT, &s, &n, what) < 0) return -1;
    if (n) {
      ts->zero_point = malloc(sizeof(int64_t) * n);
      if (!ts->zero_point) return fail(r, "out of memory");
      for (uint32_t i = 0; i < n; i++) ts->zero_point[i] = (int64_t)rd64(r->b + s + 8ull * i);
      ts->n_zero_point = (int32_t)n;
    }
    ts->quantized_dimension = (int32_t)get_int(r, &q, 6, 4, 0, what);
    if (ts->quantized_dimension < 0 || ts->quantized_dimension >= TFL_MAX_DIMS)
      return fail(r, "%s: quantized_dimension %d", what, ts->quantized_dimension);
  }
  return r->failed ? -1 : 0;
}

static int read_options(rd_t *r, const tab_t *ot, tfl_op_t *op, const char *what) {
  op->dilation_w = op->dilation_h = 1;
  switch (op->options_type) {
  case TFL_OPT_CONV2D: /* Conv2DOptions: padding 0, stride_w 1, stride_h 2, activation 3, dilation_w 4, dilation_h 5 */
    op->padding = (int32_t)get_int(r, ot, 0, 1, 0, what);
    op->stride_w = (int32_t)get_int(r, ot, 1, 4, 0, what);
    op->stride_h = (int32_t)get_int(r, ot, 2, 4, 0, what);
    op->activation = (int32_t)get_int(r, ot, 3, 1, 0, what);
    op->dilation_w = (int32_t)get_int(r, ot, 4, 4, 1, what);
    op->dilation_h = (int32_t)get_int(r, ot, 5, 4, 1, what);
    break;
  case TFL_OPT_DEPTHWISE_CONV2D: /* padding 0, stride_w 1, stride_h 2, depth_multiplier 3, activation 4, dilation 5-6 */
    op->padding = (int32_t)get_int(r, ot, 0, 1, 0, what);
    op->stride_w = (int32_t)get_int(r, ot, 1, 4, 0, what);
    op->stride_h = (int32_t)get_int(r, ot, 2, 4, 0, what);
    op->depth_multiplier = (int32_t)get_int(r, ot, 3, 4, 0, what);
    op->activation = (int32_t)get_int(r, ot, 4, 1, 0, what);
    op->dilation_w = (int32_t)get_int(r, ot, 5, 4, 1, what);
    op->dilation_h = (int32_t)get_int(r, ot, 6, 4, 1, what);
    break;
  case TFL_OPT_POOL2D: /* Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4, act 5 */
    op->padding = (int32_t)get_int(r, ot, 0, 1, 0, what);
    op->stride_w = (int32_t)get_int(r, ot, 1, 4, 0, what);
    op->stride_h = (int32_t)get_int(r, ot, 2, 4, 0, what);
    op->filter_w = (int32_t)get_int(r, ot, 3, 4, 0, what);
    op->filter_h = (int32_t)get_int(r, ot, 4, 4, 0, what);
    op->activation = (int32_t)get_int(r, ot, 5, 1, 0, what);
    break;
  case TFL_OPT_FULLY_CONNECTED: /* FullyConnectedOptions: activation 0, weights_format 1, keep_num_dims 2 */
    op->activation = (int32_t)get_int(r, ot, 0, 1, 0, what);
    if (get_int(r, ot, 1, 1, 0, what) != 0)
      return fail(r, "%s: shuffled FULLY_CONNECTED weights are not supported", what);
    op->keep_dims = (int32_t)get_int(r, ot, 2, 1, 0, what);
    break;
  case TFL_OPT_SOFTMAX: /* SoftmaxOptions: beta 0 */
    op->beta = get_f32(r, ot, 0, 0.0f, what);
    break;
  case TFL_OPT_CONCATENATION: /* ConcatenationOptions: axis 0, activation 1 */
    op->axis = (int32_t)get_int(r, ot, 0, 4, 0, what);
    op->activation = (int32_t)get_int(r, ot, 1, 1, 0, what);
    break;
  case TFL_OPT_ADD: /* AddOptions: activation 0 */
    op->activation = (int32_t)get_int(r, ot, 0, 1, 0, what);
    break;
  case TFL_OPT_RESHAPE: /* ReshapeOptions: new_shape 0 */
    if (read_int_list(r, ot, 0, op->new_shape, &op->n_new_shape, TFL_MAX_DIMS, what)) return -1;
    break;
  case TFL_OPT_REDUCER: /* ReducerOptions: keep_dims 0 */
    op->keep_dims = (int32_t)get_int(r, ot, 0, 1, 0, what);
    break;
  default: /* PadOptions, QuantizeOptions, DequantizeOptions have no fields; other options are not read */
    break;
  }
  return r->failed ? -1 : 0;
}

int tfl_parse(const uint8_t *data, size_t size, tfl_model_t *m, char *err, size_t err_len) {
  memset(m, 0, sizeof *m);
  rd_t r = {NULL, size, err, err_len, 0};
  if (size > TFL_FILE_MAX_BYTES) return fail(&r, "larger than %u bytes", TFL_FILE_MAX_BYTES);
  if (!tfl_is_tflite(data, size)) return fail(&r, "not a .tflite file (no \"TFL3\" identifier at byte 4)");
  m->file = malloc(size);
  if (!m->file) return fail(&r, "out of memory for a %zu-byte file", size);
  memcpy(m->file, data, size);
  m->file_bytes = size;
  r.b = m->file;
  tab_t root, sg;
  uint64_t s, ocs, sgs, bufs;
  uint32_t n, n_oc, n_sg, n_buf;
  int32_t *codes = NULL;
  if (table_at(&r, rd32(r.b), &root, "model")) goto fail;
  /* schema.fbs table Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4, metadata_buffer 5,
   * metadata 6 */
  m->version = (uint32_t)get_int(&r, &root, 0, 4, 0, "model");
  if (get_vec(&r, &root, 1, 4, TFL_MAX_OPCODES, &ocs, &n_oc, "operator_codes") < 0 ||
      get_vec(&r, &root, 2, 4, UINT32_MAX, &sgs, &n_sg, "subgraphs") < 0 ||
      get_str(&r, &root, 3, m->description, sizeof m->description, "description") ||
      get_vec(&r, &root, 4, 4, TFL_MAX_BUFFERS, &bufs, &n_buf, "buffers") < 0)
    goto fail;
  m->n_buffers = (int32_t)n_buf;
  if (m->version != 3) {
    fail(&r, "schema version %u (3 expected)", m->version);
    goto fail;
  }
  if (n_sg < 1) {
    fail(&r, "no subgraph");
    goto fail;
  }
  codes = calloc(n_oc ? n_oc : 1, sizeof *codes);
  int32_t *versions = calloc(n_oc ? n_oc : 1, sizeof *versions);
  if (!codes || !versions) {
    free(versions);
    fail(&r, "out of memory");
    goto fail;
  }
  for (uint32_t i = 0; i < n_oc; i++) {
    tab_t oc;
    if (vec_table(&r, ocs, i, &oc, "operator code")) break;
    /* schema.fbs table OperatorCode: deprecated_builtin_code 0 (byte), custom_code 1, version 2 (default 1),
     * builtin_code 3 (int32). The real code is the larger of the two: old writers fill only the byte, new ones put
     * 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) there for codes above it. */
    int64_t dep = get_int(&r, &oc, 0, 1, 0, "operator code"), ext = get_int(&r, &oc, 3, 4, 0, "operator code");
    codes[i] = (int32_t)(dep > ext ? dep : ext);
    versions[i] = (int32_t)get_int(&r, &oc, 2, 4, 1, "operator code");
    if (codes[i] < 0) fail(&r, "operator code %u: negative builtin code", i);
    if (field(&r, &oc, 1, 4, "operator code")) {
      char cname[32];
      get_str(&r, &oc, 1, cname, sizeof cname, "operator code");
      fail(&r, "custom operator \"%s\" (operator code %u) is not supported", cname, i);
    }
  }
  if (r.failed || vec_table(&r, sgs, 0, &sg, "subgraph 0")) {
    free(versions);
    goto fail;
  }
  /* schema.fbs table SubGraph: tensors 0, inputs 1, outputs 2, operators 3, name 4 */
  uint64_t ts, os;
  uint32_t n_t, n_o;
  if (get_vec(&r, &sg, 0, 4, TFL_MAX_TENSORS, &ts, &n_t, "tensors") < 0 ||
      get_vec(&r, &sg, 3, 4, TFL_MAX_OPS, &os, &n_o, "operators") < 0 ||
      read_int_list(&r, &sg, 1, m->inputs, &m->n_inputs, TFL_MAX_GRAPH_IO, "subgraph inputs") ||
      read_int_list(&r, &sg, 2, m->outputs, &m->n_outputs, TFL_MAX_GRAPH_IO, "subgraph outputs") ||
      get_str(&r, &sg, 4, m->name, sizeof m->name, "subgraph")) {
    free(versions);
    goto fail;
  }
  m->tensors = calloc(n_t ? n_t : 1, sizeof *m->tensors);
  m->ops = calloc(n_o ? n_o : 1, sizeof *m->ops);
  if (!m->tensors || !m->ops) {
    free(versions);
    fail(&r, "out of memory");
    goto fail;
  }
  for (uint32_t i = 0; i < n_t && !r.failed; i++) {
    tab_t t;
    m->n_tensors = (int32_t)i + 1;
    if (vec_table(&r, ts, i, &t, "tensor") == 0) read_tensor(&r, m, &t, &m->tensors[i], (int32_t)i, bufs, n_buf);
  }
  for (int32_t k = 0; k < m->n_inputs + m->n_outputs && !r.failed; k++) {
    int32_t t = k < m->n_inputs ? m->inputs[k] : m->outputs[k - m->n_inputs];
    if (t < 0 || t >= (int32_t)n_t)
      fail(&r, "subgraph %s %d: tensor %d does not exist", k < m->n_inputs ? "input" : "output", k, t);
  }
  for (uint32_t i = 0; i < n_o && !r.failed; i++) {
    tab_t ot;
    char what[32];
    snprintf(what, sizeof what, "operator %u", i);
    tfl_op_t *op = &m->ops[i];
    m->n_ops = (int32_t)i + 1;
    if (vec_table(&r, os, i, &ot, what)) break;
    /* schema.fbs table Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4 */
    uint32_t oci = (uint32_t)get_int(&r, &ot, 0, 4, 0, what);
    if (oci >= n_oc) {
      fail(&r, "%s: opcode_index %u, the model has %u operator codes", what, oci, n_oc);
      break;
    }
    op->code = codes[oci];
    op->version = versions[oci];
    if (read_int_list(&r, &ot, 1, op->inputs, &op->n_inputs, TFL_MAX_OP_IO, what) ||
        read_int_list(&r, &ot, 2, op->outputs, &op->n_outputs, TFL_MAX_OP_IO, what))
      break;
    for (int32_t k = 0; k < op->n_inputs + op->n_outputs; k++) {
      int32_t t = k < op->n_inputs ? op->inputs[k] : op->outputs[k - op->n_inputs];
      if (t < (k < op->n_inputs ? -1 : 0) || t >= (int32_t)n_t) {
        fail(&r, "%s: tensor index %d, the subgraph has %u tensors", what, t, n_t);
        break;
      }
    }
    op->options_type = (int32_t)(uint8_t)get_int(&r, &ot, 3, 1, 0, what);
    uint64_t opos;
    int rc = get_ref(&r, &ot, 4, &opos, what);
    tab_t opt;
    op->dilation_w = op->dilation_h = 1;
    if (rc > 0 && table_at(&r, opos, &opt, what) == 0) read_options(&r, &opt, op, what);
  }
  free(versions);
  /* schema.fbs table Metadata: name 0, buffer 1 */
  if (!r.failed && get_vec(&r, &root, 6, 4, TFL_MAX_METADATA, &s, &n, "metadata") >= 0) {
    for (uint32_t i = 0; i < n && !r.failed; i++) {
      tab_t mt, bt;
      tfl_metadata_t *md = &m->metadata[i];
      if (vec_table(&r, s, i, &mt, "metadata")) break;
      get_str(&r, &mt, 0, md->name, sizeof md->name, "metadata");
      uint32_t b = (uint32_t)get_int(&r, &mt, 1, 4, 0, "metadata");
      if (b >= n_buf) {
        fail(&r, "metadata %s: buffer %u, the model has %u", md->name, b, n_buf);
        break;
      }
      uint64_t ds;
      uint32_t dn;
      if (vec_table(&r, bufs, b, &bt, "buffer") || get_vec(&r, &bt, 0, 1, TFL_FILE_MAX_BYTES, &ds, &dn, "buffer") < 0)
        break;
      md->data = dn ? m->file + ds : NULL;
      md->bytes = dn;
      m->n_metadata = (int32_t)i + 1;
    }
  }
  if (r.failed) goto fail;
  free(codes);
  return 0;
fail:
  free(codes);
  tfl_free(m);
  return -1;
}

void tfl_free(tfl_model_t *m) {
  for (int32_t i = 0; m->tensors && i < m->n_tensors; i++) {
    free(m->tensors[i].scale);
    free(m->tensors[i].zero_point);
  }
  free(m->tensors);
  free(m->ops);
  free(m->file);
  memset(m, 0, sizeof *m);
}

double tfl_scale(const tfl_tensor_t *ts, int32_t i) {
  return ts->n_scale == 1 ? (double)ts->scale[0] : i < ts->n_scale ? (double)ts->scale[i] : 0.0;
}

int32_t tfl_zero_point(const tfl_tensor_t *ts) { return ts->n_zero_point ? (int32_t)ts->zero_point[0] : 0; }

int tfl_quantized(const tfl_tensor_t *ts) {
  return ts->n_scale >= 1 && ts->scale[0] > 0 && isfinite(ts->scale[0]) &&
         (ts->n_zero_point == 0 || (ts->zero_point[0] >= -128 && ts->zero_point[0] <= 127));
}

const char *tfl_op_name(int32_t code, char *buf, size_t buf_len) {
  switch (code) {
  case TFL_OP_ADD:
    return "ADD";
  case TFL_OP_AVERAGE_POOL_2D:
    return "AVERAGE_POOL_2D";
  case TFL_OP_CONCATENATION:
    return "CONCATENATION";
  case TFL_OP_CONV_2D:
    return "CONV_2D";
  case TFL_OP_DEPTHWISE_CONV_2D:
    return "DEPTHWISE_CONV_2D";
  case TFL_OP_DEQUANTIZE:
    return "DEQUANTIZE";
  case TFL_OP_FULLY_CONNECTED:
    return "FULLY_CONNECTED";
  case TFL_OP_MAX_POOL_2D:
    return "MAX_POOL_2D";
  case TFL_OP_RESHAPE:
    return "RESHAPE";
  case TFL_OP_SOFTMAX:
    return "SOFTMAX";
  case TFL_OP_PAD:
    return "PAD";
  case TFL_OP_MEAN:
    return "MEAN";
  case TFL_OP_QUANTIZE:
    return "QUANTIZE";
  default:
    snprintf(buf, buf_len, "BUILTIN_%d", code);
    return buf;
  }
}

static void copy_dims(const tfl_tensor_t *t, int32_t *dims, int32_t *n) {
  *n = t->n_dims;
  memcpy(dims, t->dims, sizeof(int32_t) * (size_t)t->n_dims);
}

int tfl_op_info(const tfl_model_t *m, int32_t i, tfl_op_info_t *info, char *name_buf, size_t name_len) {
  memset(info, 0, sizeof *info);
  if (i < 0 || i >= m->n_ops) return -1;
  const tfl_op_t *op = &m->ops[i];
  info->kind = tfl_op_name(op->code, name_buf, name_len);
  const tfl_tensor_t *in = op->n_inputs > 0 && op->inputs[0] >= 0 ? &m->tensors[op->inputs[0]] : NULL;
  const tfl_tensor_t *out = op->n_outputs > 0 ? &m->tensors[op->outputs[0]] : NULL;
  const tfl_tensor_t *w = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
  if (in) copy_dims(in, info->in_dims, &info->in_n_dims);
  if (out) copy_dims(out, info->out_dims, &info->out_n_dims);
  for (int32_t k = 0; k < op->n_inputs; k++)
    if (op->inputs[k] >= 0 && m->tensors[op->inputs[k]].data) info->param_bytes += m->tensors[op->inputs[k]].data_bytes;
  for (int32_t k = 0; k < op->n_outputs; k++)
    info->out_bytes += tfl_tensor_elems(&m->tensors[op->outputs[k]]) * tfl_type_bytes(m->tensors[op->outputs[k]].type);
  const uint64_t out_elems = out ? tfl_tensor_elems(out) : 0;
  if (w && w->n_dims == 4 && op->code == TFL_OP_CONV_2D) /* filter [O, H, W, I] */
    info->macs = out_elems * (uint64_t)w->dims[1] * w->dims[2] * w->dims[3];
  else if (w && w->n_dims == 4 && op->code == TFL_OP_DEPTHWISE_CONV_2D) /* filter [1, H, W, C * multiplier] */
    info->macs = out_elems * (uint64_t)w->dims[1] * w->dims[2];
  else if (w && w->n_dims == 2 && op->code == TFL_OP_FULLY_CONNECTED) /* weights [O, I] */
    info->macs = (uint64_t)w->dims[0] * w->dims[1] * (out_elems / (w->dims[0] ? (uint64_t)w->dims[0] : 1));
  return 0;
}
