/* tfl_write.c — serialize a tfl_model_t as a .tflite flatbuffer (tfl.h). Written front to back: a table is its vtable
 * followed by the table (soffset = table - vtable), reference fields are placeholders patched once the child is
 * written after them (flatbuffer offsets point forward), vectors are aligned for their elements. Field ids as in
 * tfl_read.c (schema.fbs). Deterministic: the same model gives the same bytes. */
#include "tflite/tfl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint8_t *b;
  size_t n, cap;
  int oom;
} wr_t;

typedef struct {
  wr_t *w;
  size_t vt, pos;
  int n_fields;
  uint16_t off[16];
} wtab_t;

static void put(wr_t *w, const void *p, size_t k) {
  if (w->oom) return;
  if (w->n + k > w->cap) {
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->n + k) cap *= 2;
    uint8_t *nb = realloc(w->b, cap);
    if (!nb) {
      w->oom = 1;
      return;
    }
    w->b = nb;
    w->cap = cap;
  }
  if (p)
    memcpy(w->b + w->n, p, k);
  else
    memset(w->b + w->n, 0, k);
  w->n += k;
}

static void align(wr_t *w, size_t a) {
  static const uint8_t zero[16];
  while (w->n % a) put(w, zero, 1);
}

static void wr32_at(wr_t *w, size_t at, uint32_t v) {
  if (w->oom) return;
  uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  memcpy(w->b + at, p, 4);
}

static void put32(wr_t *w, uint32_t v) {
  size_t at = w->n;
  put(w, NULL, 4);
  wr32_at(w, at, v);
}

static void tbegin(wr_t *w, wtab_t *t, int n_fields) {
  memset(t, 0, sizeof *t);
  t->w = w;
  t->n_fields = n_fields;
  align(w, 2);
  t->vt = w->n;
  put(w, NULL, 4 + 2 * (size_t)n_fields);
  align(w, 4);
  t->pos = w->n;
  put(w, NULL, 4); /* soffset, filled by tend */
}

static void tscalar(wtab_t *t, int id, const void *v, size_t size) {
  align(t->w, size);
  t->off[id] = (uint16_t)(t->w->n - t->pos);
  put(t->w, v, size);
}
static void ti8(wtab_t *t, int id, int8_t v) { tscalar(t, id, &v, 1); }
static void ti32(wtab_t *t, int id, int32_t v) {
  uint8_t p[4] = {(uint8_t)v, (uint8_t)((uint32_t)v >> 8), (uint8_t)((uint32_t)v >> 16), (uint8_t)((uint32_t)v >> 24)};
  tscalar(t, id, p, 4);
}
static void tf32(wtab_t *t, int id, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  ti32(t, id, (int32_t)u);
}
/* A reference field: returns the slot's position, for patch(). */
static size_t tref(wtab_t *t, int id) {
  align(t->w, 4);
  t->off[id] = (uint16_t)(t->w->n - t->pos);
  size_t at = t->w->n;
  put(t->w, NULL, 4);
  return at;
}

static void tend(wtab_t *t) {
  wr_t *w = t->w;
  if (w->oom) return;
  size_t obj = w->n - t->pos;
  uint8_t *v = w->b + t->vt;
  uint16_t vb = (uint16_t)(4 + 2 * t->n_fields);
  v[0] = (uint8_t)vb;
  v[1] = (uint8_t)(vb >> 8);
  v[2] = (uint8_t)obj;
  v[3] = (uint8_t)(obj >> 8);
  for (int i = 0; i < t->n_fields; i++) {
    v[4 + 2 * i] = (uint8_t)t->off[i];
    v[5 + 2 * i] = (uint8_t)(t->off[i] >> 8);
  }
  wr32_at(w, t->pos, (uint32_t)(t->pos - t->vt));
}

static void patch(wr_t *w, size_t slot, size_t target) { wr32_at(w, slot, (uint32_t)(target - slot)); }

/* A vector of n elements of elem bytes, its elements aligned to al; returns the position of its count. */
static size_t vec(wr_t *w, const void *data, uint32_t n, size_t elem, size_t al) {
  if (al < 4) al = 4;
  while ((w->n + 4) % al) put(w, NULL, 1);
  size_t at = w->n;
  put32(w, n);
  put(w, data, (size_t)n * elem);
  return at;
}

static size_t vec_i32(wr_t *w, const int32_t *v, int32_t n) {
  size_t at = vec(w, NULL, (uint32_t)n, 4, 4);
  for (int32_t i = 0; i < n; i++) wr32_at(w, at + 4 + 4 * (size_t)i, (uint32_t)v[i]);
  return at;
}

static size_t str(wr_t *w, const char *s) {
  size_t n = strlen(s);
  size_t at = vec(w, s, (uint32_t)n, 1, 4);
  put(w, NULL, 1); /* the NUL flatbuffers strings carry */
  return at;
}

/* A vector of n table references: returns its position; slot i at pos + 4 + 4 i. */
static size_t vec_refs(wr_t *w, uint32_t n) { return vec(w, NULL, n, 4, 4); }

static void write_options(wr_t *w, const tfl_op_t *op, size_t slot) {
  wtab_t t;
  switch (op->options_type) {
  case TFL_OPT_CONV2D:
    tbegin(w, &t, 6);
    ti8(&t, 0, (int8_t)op->padding);
    ti32(&t, 1, op->stride_w);
    ti32(&t, 2, op->stride_h);
    ti8(&t, 3, (int8_t)op->activation);
    ti32(&t, 4, op->dilation_w);
    ti32(&t, 5, op->dilation_h);
    break;
  case TFL_OPT_DEPTHWISE_CONV2D:
    tbegin(w, &t, 7);
    ti8(&t, 0, (int8_t)op->padding);
    ti32(&t, 1, op->stride_w);
    ti32(&t, 2, op->stride_h);
    ti32(&t, 3, op->depth_multiplier);
    ti8(&t, 4, (int8_t)op->activation);
    ti32(&t, 5, op->dilation_w);
    ti32(&t, 6, op->dilation_h);
    break;
  case TFL_OPT_POOL2D:
    tbegin(w, &t, 6);
    ti8(&t, 0, (int8_t)op->padding);
    ti32(&t, 1, op->stride_w);
    ti32(&t, 2, op->stride_h);
    ti32(&t, 3, op->filter_w);
    ti32(&t, 4, op->filter_h);
    ti8(&t, 5, (int8_t)op->activation);
    break;
  case TFL_OPT_FULLY_CONNECTED:
    tbegin(w, &t, 3);
    ti8(&t, 0, (int8_t)op->activation);
    ti8(&t, 2, (int8_t)op->keep_dims);
    break;
  case TFL_OPT_SOFTMAX:
    tbegin(w, &t, 1);
    tf32(&t, 0, op->beta);
    break;
  case TFL_OPT_CONCATENATION:
    tbegin(w, &t, 2);
    ti32(&t, 0, op->axis);
    ti8(&t, 1, (int8_t)op->activation);
    break;
  case TFL_OPT_ADD:
    tbegin(w, &t, 1);
    ti8(&t, 0, (int8_t)op->activation);
    break;
  case TFL_OPT_RESHAPE: {
    tbegin(w, &t, 1);
    size_t s = tref(&t, 0);
    tend(&t);
    patch(w, slot, t.pos);
    patch(w, s, vec_i32(w, op->new_shape, op->n_new_shape));
    return;
  }
  case TFL_OPT_REDUCER:
    tbegin(w, &t, 1);
    ti8(&t, 0, (int8_t)op->keep_dims);
    break;
  default: /* PadOptions, QuantizeOptions, DequantizeOptions: empty tables */
    tbegin(w, &t, 0);
    break;
  }
  tend(&t);
  patch(w, slot, t.pos);
}

int tfl_write(const tfl_model_t *m, uint8_t **out, size_t *out_bytes, char *err, size_t err_len) {
  wr_t w = {0};
  *out = NULL;
  *out_bytes = 0;
  /* distinct operator codes, in order of first use */
  int32_t codes[TFL_MAX_OPCODES], versions[TFL_MAX_OPCODES], n_codes = 0;
  int32_t *op_code_index = calloc((size_t)(m->n_ops ? m->n_ops : 1), sizeof(int32_t));
  uint32_t *tensor_buffer = calloc((size_t)(m->n_tensors ? m->n_tensors : 1), sizeof(uint32_t));
  if (!op_code_index || !tensor_buffer) {
    free(op_code_index);
    free(tensor_buffer);
    snprintf(err, err_len, "out of memory");
    return -1;
  }
  for (int32_t i = 0; i < m->n_ops; i++) {
    int32_t k = 0;
    while (k < n_codes && (codes[k] != m->ops[i].code || versions[k] != m->ops[i].version)) k++;
    if (k == n_codes) {
      if (n_codes == TFL_MAX_OPCODES) {
        snprintf(err, err_len, "more than %d operator codes", TFL_MAX_OPCODES);
        free(op_code_index);
        free(tensor_buffer);
        return -1;
      }
      codes[n_codes] = m->ops[i].code;
      versions[n_codes++] = m->ops[i].version ? m->ops[i].version : 1;
    }
    op_code_index[i] = k;
  }
  uint32_t n_buffers = 1;
  for (int32_t i = 0; i < m->n_tensors; i++) tensor_buffer[i] = m->tensors[i].data_bytes ? n_buffers++ : 0;
  const uint32_t first_meta_buffer = n_buffers;
  n_buffers += (uint32_t)m->n_metadata;

  put32(&w, 0);          /* root offset */
  put(&w, "TFL3", 4);    /* file identifier */
  wtab_t root;
  tbegin(&w, &root, 7);
  ti32(&root, 0, 3); /* schema version 3 */
  size_t s_codes = tref(&root, 1), s_sgs = tref(&root, 2), s_desc = tref(&root, 3), s_bufs = tref(&root, 4);
  size_t s_meta = m->n_metadata ? tref(&root, 6) : 0;
  tend(&root);
  wr32_at(&w, 0, (uint32_t)root.pos);

  size_t v = vec_refs(&w, (uint32_t)n_codes);
  patch(&w, s_codes, v);
  for (int32_t k = 0; k < n_codes; k++) {
    wtab_t t;
    tbegin(&w, &t, 4);
    ti8(&t, 0, (int8_t)(codes[k] < 127 ? codes[k] : 127)); /* 127: PLACEHOLDER_FOR_GREATER_OP_CODES */
    ti32(&t, 2, versions[k]);
    ti32(&t, 3, codes[k]);
    tend(&t);
    patch(&w, v + 4 + 4 * (size_t)k, t.pos);
  }

  v = vec_refs(&w, 1);
  patch(&w, s_sgs, v);
  wtab_t sg;
  tbegin(&w, &sg, 5);
  size_t s_tens = tref(&sg, 0), s_in = tref(&sg, 1), s_out = tref(&sg, 2), s_ops = tref(&sg, 3), s_name = tref(&sg, 4);
  tend(&sg);
  patch(&w, v + 4, sg.pos);

  size_t tv = vec_refs(&w, (uint32_t)m->n_tensors);
  patch(&w, s_tens, tv);
  for (int32_t i = 0; i < m->n_tensors; i++) {
    const tfl_tensor_t *ts = &m->tensors[i];
    wtab_t t;
    tbegin(&w, &t, 5);
    size_t s_shape = tref(&t, 0);
    ti8(&t, 1, (int8_t)ts->type);
    ti32(&t, 2, (int32_t)tensor_buffer[i]);
    size_t s_tname = tref(&t, 3);
    size_t s_q = ts->n_scale || ts->n_zero_point ? tref(&t, 4) : 0;
    tend(&t);
    patch(&w, tv + 4 + 4 * (size_t)i, t.pos);
    patch(&w, s_shape, vec_i32(&w, ts->dims, ts->n_dims));
    patch(&w, s_tname, str(&w, ts->name));
    if (s_q) {
      wtab_t q;
      tbegin(&w, &q, 7);
      size_t s_scale = tref(&q, 2), s_zp = tref(&q, 3);
      ti32(&q, 6, ts->quantized_dimension);
      tend(&q);
      patch(&w, s_q, q.pos);
      size_t at = vec(&w, NULL, (uint32_t)ts->n_scale, 4, 4);
      for (int32_t k = 0; k < ts->n_scale; k++) {
        uint32_t u;
        memcpy(&u, &ts->scale[k], 4);
        wr32_at(&w, at + 4 + 4 * (size_t)k, u);
      }
      patch(&w, s_scale, at);
      at = vec(&w, NULL, (uint32_t)ts->n_zero_point, 8, 8);
      for (int32_t k = 0; k < ts->n_zero_point; k++) {
        uint64_t z = (uint64_t)ts->zero_point[k];
        wr32_at(&w, at + 4 + 8 * (size_t)k, (uint32_t)z);
        wr32_at(&w, at + 8 + 8 * (size_t)k, (uint32_t)(z >> 32));
      }
      patch(&w, s_zp, at);
    }
  }
  patch(&w, s_in, vec_i32(&w, m->inputs, m->n_inputs));
  patch(&w, s_out, vec_i32(&w, m->outputs, m->n_outputs));
  size_t ov = vec_refs(&w, (uint32_t)m->n_ops);
  patch(&w, s_ops, ov);
  for (int32_t i = 0; i < m->n_ops; i++) {
    const tfl_op_t *op = &m->ops[i];
    wtab_t t;
    tbegin(&w, &t, 5);
    ti32(&t, 0, op_code_index[i]);
    size_t s_oi = tref(&t, 1), s_oo = tref(&t, 2);
    size_t s_opt = 0;
    if (op->options_type) {
      ti8(&t, 3, (int8_t)op->options_type);
      s_opt = tref(&t, 4);
    }
    tend(&t);
    patch(&w, ov + 4 + 4 * (size_t)i, t.pos);
    patch(&w, s_oi, vec_i32(&w, op->inputs, op->n_inputs));
    patch(&w, s_oo, vec_i32(&w, op->outputs, op->n_outputs));
    if (s_opt) write_options(&w, op, s_opt);
  }
  patch(&w, s_name, str(&w, m->name));
  patch(&w, s_desc, str(&w, m->description));

  if (s_meta) {
    size_t mv = vec_refs(&w, (uint32_t)m->n_metadata);
    patch(&w, s_meta, mv);
    for (int32_t i = 0; i < m->n_metadata; i++) {
      wtab_t t;
      tbegin(&w, &t, 2);
      size_t s_mn = tref(&t, 0);
      ti32(&t, 1, (int32_t)(first_meta_buffer + (uint32_t)i));
      tend(&t);
      patch(&w, mv + 4 + 4 * (size_t)i, t.pos);
      patch(&w, s_mn, str(&w, m->metadata[i].name));
    }
  }

  /* buffers last: the weights, 16-byte aligned (schema.fbs: data force_align 16) */
  size_t bv = vec_refs(&w, n_buffers);
  patch(&w, s_bufs, bv);
  int32_t next_tensor = 0; /* buffers were numbered in tensor order */
  for (uint32_t b = 0; b < n_buffers; b++) {
    wtab_t t;
    tbegin(&w, &t, 1);
    size_t s_data = 0;
    const uint8_t *data = NULL;
    uint32_t bytes = 0;
    if (b >= first_meta_buffer) {
      data = m->metadata[b - first_meta_buffer].data;
      bytes = m->metadata[b - first_meta_buffer].bytes;
    } else if (b) {
      while (next_tensor < m->n_tensors && tensor_buffer[next_tensor] != b) next_tensor++;
      if (next_tensor < m->n_tensors) data = m->tensors[next_tensor].data, bytes = m->tensors[next_tensor].data_bytes;
    }
    if (bytes) s_data = tref(&t, 0);
    tend(&t);
    patch(&w, bv + 4 + 4 * (size_t)b, t.pos);
    if (s_data) patch(&w, s_data, vec(&w, data, bytes, 1, 16));
  }
  free(op_code_index);
  free(tensor_buffer);
  if (w.oom || w.n > TFL_FILE_MAX_BYTES) {
    free(w.b);
    snprintf(err, err_len, w.oom ? "out of memory" : "the model would be more than %u bytes", TFL_FILE_MAX_BYTES);
    return -1;
  }
  *out = w.b;
  *out_bytes = w.n;
  return 0;
}
