/* gen_model.c — build a runnable int8 model from its JSON description (format: docs/models.md).
 *
 * Weights are deterministic pseudo-random (splitmix64 seeded from the model name and layer index). So that
 * the pseudo-random network keeps a live int8 signal through 50+ layers (instead of saturating or collapsing
 * to a constant, which would make the bit-identity checks weak), each layer is calibrated on the input frame
 * as a post-training quantizer would be: the generator runs the network once on the host with the runtime's
 * own kernels, measures each layer's accumulator spread on sampled outputs, and picks the output scale. */
#include "workloads/gen/gen_model.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "workloads/gen/gen_tflite.h"

enum { ACT_NONE = 0, ACT_RELU = 1 };

typedef struct {
  char name[GEN_NAME_MAX];
  uint8_t op, k, stride, pad, act;
  int16_t res_src;
  uint16_t out_c;
} spec_t;

uint64_t gen_hash64(const char *s, uint64_t salt) {
  uint64_t h = 0xcbf29ce484222325ull ^ salt;
  for (; *s; s++) {
    h ^= (uint8_t)*s;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t gen_rand(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double rand_unit(uint64_t *st) { return (double)(gen_rand(st) >> 11) * (1.0 / 9007199254740992.0); }
static int32_t rand_range(uint64_t *st, int32_t lo, int32_t hi) {
  return lo + (int32_t)(gen_rand(st) % (uint64_t)(hi - lo + 1));
}

void gen_quantize_multiplier(double real, int32_t *mult, int32_t *shift) {
  if (real == 0.0) {
    *mult = 0;
    *shift = 0;
    return;
  }
  int exp;
  double q = frexp(real, &exp); /* real = q * 2^exp, q in [0.5, 1) */
  int64_t q_fixed = (int64_t)llround(q * (double)(1ll << 31));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    exp++;
  }
  if (exp < -31) { /* too small to represent: flush to zero like TFLite */
    exp = 0;
    q_fixed = 0;
  }
  *mult = (int32_t)q_fixed;
  *shift = exp;
}

/* ---- JSON -> layer specs ---- */

/* o.key as a whole number (def when absent). A string, a fraction ("k": 3.7 was read as 3) or a number beyond
 * +-2^30 is refused with a message naming where and the key. */
static int get_int(const cJSON *o, const char *where, const char *key, int def, int *v, char *err, size_t err_len) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!j) {
    *v = def;
    return 0;
  }
  if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) || fabs(j->valuedouble) > (double)(1 << 30)) {
    cm_msgf(err, err_len, "%s: \"%s\" must be a whole number", where, key);
    return -1;
  }
  *v = (int)j->valuedouble;
  return 0;
}

/* The first key that appears twice in one object, anywhere in the tree (cJSON keeps both and reads the first, so
 * a second "k" would be silently ignored), or NULL. */
static const char *duplicate_key(const cJSON *node) {
  for (const cJSON *a = node ? node->child : NULL; a; a = a->next) {
    if (cJSON_IsObject(node))
      for (const cJSON *b = a->next; b; b = b->next)
        if (a->string && b->string && !strcmp(a->string, b->string)) return a->string;
    const char *inner = duplicate_key(a);
    if (inner) return inner;
  }
  return NULL;
}

/* The first key of object o not in the NULL-terminated list, or NULL: a misspelt field ("strides", "kh",
 * "activation") is an error, not a silently different network (issue 16, as profiles/prof.c). */
static const char *unknown_key(const cJSON *o, const char *const *known) {
  for (const cJSON *c = o->child; c; c = c->next) {
    int found = 0;
    for (const char *const *k = known; *k && !found; k++) found = c->string && !strcmp(c->string, *k);
    if (!found) return c->string ? c->string : "?";
  }
  return NULL;
}

/* "act": relu6 / relu (ReLU; the int8 output zero point -128 makes the clamp), none / linear; def when absent. */
static int parse_act(const cJSON *o, const char *where, int def, int *act, char *err, size_t err_len) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "act");
  *act = def;
  if (!v) return 0;
  if (cJSON_IsString(v) && (!strcmp(v->valuestring, "none") || !strcmp(v->valuestring, "linear")))
    *act = ACT_NONE;
  else if (cJSON_IsString(v) && (!strcmp(v->valuestring, "relu") || !strcmp(v->valuestring, "relu6")))
    *act = ACT_RELU;
  else {
    cm_msgf(err, err_len, "%s: \"act\" must be \"relu6\", \"relu\", \"none\" or \"linear\"", where);
    return -1;
  }
  return 0;
}

/* The fields each block type reads (docs/models.md). */
static const char *const *block_fields(const char *type) {
  static const char *const conv[] = {"type", "name", "k", "stride", "out", "act", NULL};
  static const char *const dwconv[] = {"type", "name", "k", "stride", "act", NULL};
  static const char *const mbconv[] = {"type", "name", "k", "stride", "out", "expand", "mid", "residual", NULL};
  static const char *const avgpool[] = {"type", "name", NULL};
  static const char *const fc[] = {"type", "name", "out", "act", NULL};
  if (!strcmp(type, "conv") || !strcmp(type, "dwsep")) return conv;
  if (!strcmp(type, "dwconv")) return dwconv;
  if (!strcmp(type, "mbconv")) return mbconv;
  if (!strcmp(type, "avgpool")) return avgpool;
  if (!strcmp(type, "fc")) return fc;
  return NULL;
}

static int add_spec(spec_t *specs, int *n, const char *block, const char *suffix, uint8_t op, int k, int stride,
                    int act, int out_c, int res_src) {
  if (*n >= RT_MAX_LAYERS) return -1;
  spec_t *s = &specs[(*n)++];
  memset(s, 0, sizeof *s);
  if (suffix)
    snprintf(s->name, sizeof s->name, "%.32s_%.12s", block, suffix);
  else
    snprintf(s->name, sizeof s->name, "%s", block);
  s->op = op;
  s->k = (uint8_t)k;
  s->stride = (uint8_t)stride;
  s->pad = (uint8_t)((k - 1) / 2);
  s->act = (uint8_t)act;
  s->out_c = (uint16_t)out_c;
  s->res_src = (int16_t)res_src;
  return 0;
}

static int expand_blocks(const cJSON *blocks, gen_model_t *m, spec_t *specs, int *n_specs, int in_c, char *err,
                         size_t err_len) {
  int n = 0, c = in_c, bi = 0;
  const cJSON *b;
  cJSON_ArrayForEach(b, blocks) {
    if (bi >= GEN_MAX_BLOCKS) {
      cm_msgf(err, err_len, "more than %d blocks", GEN_MAX_BLOCKS);
      return -1;
    }
    if (!cJSON_IsObject(b)) {
      cm_msgf(err, err_len, "block %d: not an object", bi);
      return -1;
    }
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(b, "type");
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(b, "name");
    if (jn && !cJSON_IsString(jn)) {
      cm_msgf(err, err_len, "block %d: \"name\" must be a string", bi);
      return -1;
    }
    if (!cJSON_IsString(jt)) {
      cm_msgf(err, err_len, "block %d: missing \"type\"", bi);
      return -1;
    }
    char bname[GEN_NAME_MAX];
    if (cJSON_IsString(jn))
      snprintf(bname, sizeof bname, "%.*s", GEN_NAME_MAX - 12, jn->valuestring);
    else
      snprintf(bname, sizeof bname, "b%d", bi);
    snprintf(m->block_names[bi], GEN_NAME_MAX, "%s", bname);
    m->block_first_layer[bi] = n;
    const char *type = jt->valuestring;
    char where[GEN_NAME_MAX + 8];
    snprintf(where, sizeof where, "block %s", bname);
    const char *const *fields = block_fields(type);
    const char *bad = fields ? unknown_key(b, fields) : NULL;
    if (bad) {
      cm_msgf(err, err_len, "block %s: unknown field \"%.40s\" (a %s block takes no such field)", bname, bad, type);
      return -1;
    }
    int k, stride, out, act_relu, act_none, rc = 0;
    if (parse_act(b, where, ACT_RELU, &act_relu, err, err_len) ||
        parse_act(b, where, ACT_NONE, &act_none, err, err_len))
      return -1;
    if (get_int(b, where, "k", 3, &k, err, err_len) || get_int(b, where, "stride", 1, &stride, err, err_len) ||
        get_int(b, where, "out", c, &out, err, err_len))
      return -1;
    if (k < 1 || k > 7 || (k % 2) == 0 || stride < 1 || stride > 2 || out < 1 || out > 4096) {
      cm_msgf(err, err_len, "block %s: k must be 1,3,5,7, stride 1 or 2, out 1..4096", bname);
      return -1;
    }
    if (strcmp(type, "conv") == 0) {
      uint8_t op = (k == 1 && stride == 1) ? RT_OP_PW : RT_OP_CONV;
      rc = add_spec(specs, &n, bname, NULL, op, k, stride, act_relu, out, -1);
      c = out;
    } else if (strcmp(type, "dwconv") == 0) {
      rc = add_spec(specs, &n, bname, NULL, RT_OP_DW, k, stride, act_relu, c, -1);
    } else if (strcmp(type, "dwsep") == 0) {
      rc = add_spec(specs, &n, bname, "dw", RT_OP_DW, k, stride, ACT_RELU, c, -1);
      if (!rc) rc = add_spec(specs, &n, bname, "pw", RT_OP_PW, 1, 1, act_relu, out, -1);
      c = out;
    } else if (strcmp(type, "mbconv") == 0) {
      const cJSON *je = cJSON_GetObjectItemCaseSensitive(b, "expand");
      if (je && !cJSON_IsNumber(je)) {
        cm_msgf(err, err_len, "block %s: \"expand\" must be a number", bname);
        return -1;
      }
      double ratio = cJSON_IsNumber(je) ? je->valuedouble : 6.0;
      int mid;
      if (get_int(b, where, "mid", ratio > 0 && ratio <= 64 ? (int)lround(ratio * c) : 0, &mid, err, err_len))
        return -1;
      if (mid < 1 || mid > 4096) { /* expand 0 gave 0 channels and a division by zero in calibration (fuzz_model) */
        cm_msgf(err, err_len, "block %s: expand/mid gives %d channels (1..4096)", bname, mid);
        return -1;
      }
      const cJSON *jr = cJSON_GetObjectItemCaseSensitive(b, "residual");
      if (jr && !cJSON_IsBool(jr)) {
        cm_msgf(err, err_len, "block %s: \"residual\" must be true or false", bname);
        return -1;
      }
      int residual = cJSON_IsBool(jr) ? cJSON_IsTrue(jr) : (stride == 1 && out == c);
      int block_in = n - 1; /* the layer whose output enters this block */
      if (residual && (stride != 1 || out != c || block_in < 0)) {
        cm_msgf(err, err_len, "block %s: a residual needs stride 1, out == in, and a previous layer", bname);
        return -1;
      }
      if (mid != c) rc = add_spec(specs, &n, bname, "expand", RT_OP_PW, 1, 1, ACT_RELU, mid, -1);
      if (!rc) rc = add_spec(specs, &n, bname, "dw", RT_OP_DW, k, stride, ACT_RELU, mid, -1);
      if (!rc) rc = add_spec(specs, &n, bname, "project", RT_OP_PW, 1, 1, ACT_NONE, out, residual ? block_in : -1);
      c = out;
    } else if (strcmp(type, "avgpool") == 0) {
      rc = add_spec(specs, &n, bname, NULL, RT_OP_AVGPOOL, 1, 1, ACT_NONE, c, -1);
    } else if (strcmp(type, "fc") == 0) {
      rc = add_spec(specs, &n, bname, NULL, RT_OP_FC, 1, 1, act_none, out, -1);
      c = out;
    } else {
      cm_msgf(err, err_len, "block %s: unknown type \"%s\" (conv, dwconv, dwsep, mbconv, avgpool, fc)", bname, type);
      return -1;
    }
    if (rc) {
      cm_msgf(err, err_len, "more than %d layers", RT_MAX_LAYERS);
      return -1;
    }
    bi++;
  }
  m->n_blocks = bi;
  m->block_first_layer[bi] = n;
  *n_specs = n;
  if (n == 0) {
    cm_msgf(err, err_len, "no blocks");
    return -1;
  }
  return 0;
}

/* ---- calibration: reference accumulator of one output element (without bias) ---- */
static int32_t ref_acc(const rt_layer_t *L, const int8_t *w, const int8_t *in, int32_t oy, int32_t ox, int32_t co) {
  int32_t acc = 0;
  if (L->op == RT_OP_PW) {
    const int8_t *x = in + ((size_t)oy * L->in_w + ox) * L->in_c;
    for (int32_t ci = 0; ci < L->in_c; ci++) acc += (x[ci] - L->in_zp) * w[co * L->in_c + ci];
    return acc;
  }
  if (L->op == RT_OP_FC) {
    int32_t n = L->in_h * L->in_w * L->in_c;
    for (int32_t i = 0; i < n; i++) acc += (in[i] - L->in_zp) * w[(size_t)co * n + i];
    return acc;
  }
  for (int32_t ky = 0; ky < L->k; ky++)
    for (int32_t kx = 0; kx < L->k; kx++) {
      int32_t iy = oy * L->stride - L->pad + ky, ix = ox * L->stride - L->pad + kx;
      if (iy < 0 || iy >= L->in_h || ix < 0 || ix >= L->in_w) continue;
      const int8_t *x = in + ((size_t)iy * L->in_w + ix) * L->in_c;
      if (L->op == RT_OP_DW)
        acc += (x[co] - L->in_zp) * w[(ky * L->k + kx) * L->in_c + co];
      else
        for (int32_t ci = 0; ci < L->in_c; ci++)
          acc += (x[ci] - L->in_zp) * w[((co * L->k + ky) * L->k + kx) * L->in_c + ci];
    }
  return acc;
}

static uint64_t align4(uint64_t v) { return (v + 3u) & ~(uint64_t)3u; }

/* In 64 bits: an fc layer after a 1024x1024x4 input has 4 Gi weights (issue 21, F5). */
uint64_t gen_weight_count(const rt_layer_t *L) {
  switch (L->op) {
  case RT_OP_CONV:
    return (uint64_t)L->out_c * L->k * L->k * L->in_c;
  case RT_OP_DW:
    return (uint64_t)L->k * L->k * L->in_c;
  case RT_OP_PW:
    return (uint64_t)L->out_c * L->in_c;
  case RT_OP_FC:
    return (uint64_t)L->out_c * L->in_h * L->in_w * L->in_c;
  default:
    return 0;
  }
}

int gen_layer_place(rt_layer_t *L, uint64_t *off, uint64_t *weights) {
  const uint64_t weights_off = *off, nw = gen_weight_count(L), params = align4(weights_off + nw);
  *weights = nw;
  *off = params + 12u * (uint64_t)L->out_c;
  if (*off > GEN_BLOB_MAX_BYTES) return -1;
  L->weights_off = (uint32_t)weights_off;
  L->bias_off = (uint32_t)params;
  L->mult_off = (uint32_t)(params + 4u * L->out_c);
  L->shift_off = (uint32_t)(params + 8u * L->out_c);
  return 0;
}

/* Zero point of tensor t (output of layer t-1) as the next layer reads it. */
static int32_t tensor_zp(const gen_model_t *m, int32_t t) {
  if (t == 0) return m->model.in_zp;
  const rt_layer_t *P = &m->layers[t - 1];
  return P->res_src >= 0 ? P->add.out_zp : P->out_zp;
}

/* Fill layer i's weights and quantization from its input tensor, then run it to produce its output. 0, or -1 when
 * memory ran out. */
static int calibrate_layer(gen_model_t *m, int32_t i, int8_t **tens, double *scale) {
  rt_layer_t *L = &m->layers[i];
  const double s_in = scale[i];
  uint64_t st = gen_hash64(m->name, (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull);
  const rt_view_t in = {tens[i], 0, 0, L->in_h, L->in_w, L->in_c};
  tens[i + 1] = calloc((size_t)L->out_h * L->out_w * L->out_c, 1);
  double *s_w = malloc(sizeof(double) * L->out_c);
  if (!tens[i + 1] || !s_w) {
    free(s_w);
    return -1;
  }
  rt_view_t out = {tens[i + 1], 0, 0, L->out_h, L->out_w, L->out_c};
  rt_rect_t full = {0, 0, L->out_h, L->out_w};
  if (L->op == RT_OP_AVGPOOL) {
    L->out_zp = L->in_zp;
    L->act_min = -128;
    L->act_max = 127;
    scale[i + 1] = s_in;
    m->conv_scale[i] = m->out_scale[i] = s_in;
    rt_avgpool(L, &in, &out);
    free(s_w);
    return 0;
  }
  int8_t *w = (int8_t *)(m->blob + L->weights_off);
  int32_t *bias = (int32_t *)(void *)(m->blob + L->bias_off);
  int32_t *mult = (int32_t *)(void *)(m->blob + L->mult_off);
  int32_t *shift = (int32_t *)(void *)(m->blob + L->shift_off);
  const uint64_t nw = gen_weight_count(L);
  for (uint64_t j = 0; j < nw; j++) w[j] = (int8_t)rand_range(&st, -127, 127);
  for (int32_t c = 0; c < L->out_c; c++) s_w[c] = (0.6 + 0.8 * rand_unit(&st)) / 127.0;
  memcpy(m->filter_scale + m->filter_scale_off[i], s_w, sizeof(double) * L->out_c);
  /* spread of the real-valued accumulator over sampled output elements */
  double sum2 = 0;
  const int samples = 2048;
  for (int sidx = 0; sidx < samples; sidx++) {
    int32_t oy = rand_range(&st, 0, L->out_h - 1), ox = rand_range(&st, 0, L->out_w - 1);
    int32_t co = rand_range(&st, 0, L->out_c - 1);
    double real = ref_acc(L, w, tens[i], oy, ox, co) * s_in * s_w[co];
    sum2 += real * real;
  }
  double sigma = sqrt(sum2 / samples);
  if (sigma <= 0) sigma = s_in;
  const int relu = L->act_max == 1; /* set by the caller: 1 = relu, 0 = linear */
  double s_out;
  if (relu) {
    L->out_zp = -128;
    s_out = 3.0 * sigma / 255.0; /* [0, 3 sigma] -> [-128, 127] */
  } else {
    L->out_zp = rand_range(&st, -6, 6);
    s_out = 8.0 * sigma / 255.0; /* [-4 sigma, 4 sigma] */
  }
  L->act_min = -128;
  L->act_max = 127;
  for (int32_t c = 0; c < L->out_c; c++) {
    double acc_scale = s_in * s_w[c];
    double b_real = (rand_unit(&st) - 0.5) * sigma; /* bias: up to half a sigma either way */
    bias[c] = (int32_t)lround(b_real / acc_scale);
    int32_t qm, qs;
    gen_quantize_multiplier(acc_scale / s_out, &qm, &qs);
    mult[c] = qm;
    shift[c] = qs;
  }
  free(s_w);
  scale[i + 1] = s_out;
  m->conv_scale[i] = m->out_scale[i] = s_out;
  if (L->res_src >= 0) { /* fused TFLite ADD with the residual tensor */
    const int32_t r = L->res_src + 1;
    const double s1 = s_out, s2 = scale[r], twice_max = 2.0 * (s1 > s2 ? s1 : s2);
    const double s_add = 1.4 * (s1 > s2 ? s1 : s2);
    rt_add_params_t *a = &L->add;
    a->in1_zp = L->out_zp;
    a->in2_zp = tensor_zp(m, r);
    gen_quantize_multiplier(s1 / twice_max, &a->in1_mult, &a->in1_shift);
    gen_quantize_multiplier(s2 / twice_max, &a->in2_mult, &a->in2_shift);
    gen_quantize_multiplier(twice_max / ((double)(1 << RT_ADD_LEFT_SHIFT) * s_add), &a->out_mult, &a->out_shift);
    a->out_zp = rand_range(&st, -6, 6);
    a->act_min = -128;
    a->act_max = 127;
    scale[i + 1] = s_add;
    m->out_scale[i] = s_add;
  }
  switch (L->op) {
  case RT_OP_CONV:
    rt_conv(L, &(rt_layer_data_t){w, bias, mult, shift}, &in, &out, full);
    break;
  case RT_OP_DW:
    rt_depthwise(L, &(rt_layer_data_t){w, bias, mult, shift}, &in, &out, full, NULL);
    break;
  case RT_OP_PW: {
    rt_view_t res;
    if (L->res_src >= 0) {
      const rt_layer_t *R = &m->layers[L->res_src];
      res = (rt_view_t){tens[L->res_src + 1], 0, 0, R->out_h, R->out_w, R->out_c};
    }
    rt_pointwise(L, &(rt_layer_data_t){w, bias, mult, shift}, &in, L->res_src >= 0 ? &res : NULL, &out, full);
    break;
  }
  case RT_OP_FC:
    rt_fully_connected(L, &(rt_layer_data_t){w, bias, mult, shift}, tens[i], tens[i + 1]);
    break;
  default:
    break;
  }
  return 0;
}

int gen_model_parse(const char *json_text, gen_model_t *m, char *err, size_t err_len) {
  memset(m, 0, sizeof *m);
  spec_t specs[RT_MAX_LAYERS];
  int n = 0, rc = -1;
  cJSON *root = cJSON_Parse(json_text);
  if (!root) {
    const char *near = cJSON_GetErrorPtr();
    if (near && *near)
      cm_msgf(err, err_len, "JSON parse error near: %.40s", near);
    else
      cm_msgf(err, err_len, "not a model: the JSON text is empty or ends early");
    return -1;
  }
  const char *dup = duplicate_key(root);
  if (dup) {
    cm_msgf(err, err_len, "\"%.40s\" appears twice in one object", dup);
    goto fail;
  }
  static const char *const root_fields[] = {"version", "name", "description", "input", "blocks", NULL};
  static const char *const input_fields[] = {"h", "w", "c", NULL};
  const char *bad = cJSON_IsObject(root) ? unknown_key(root, root_fields) : NULL;
  if (bad) {
    cm_msgf(err, err_len, "unknown field \"%.40s\" (version, name, description, input, blocks)", bad);
    goto fail;
  }
  const cJSON *jv = cJSON_GetObjectItemCaseSensitive(root, "version");
  const cJSON *jn = cJSON_GetObjectItemCaseSensitive(root, "name");
  const cJSON *ji = cJSON_GetObjectItemCaseSensitive(root, "input");
  const cJSON *jb = cJSON_GetObjectItemCaseSensitive(root, "blocks");
  const cJSON *jd = cJSON_GetObjectItemCaseSensitive(root, "description");
  if (!cJSON_IsNumber(jv) || jv->valuedouble != 1) {
    cm_msgf(err, err_len, "\"version\": 1 required");
    goto fail;
  }
  if (!cJSON_IsString(jn) || !cJSON_IsObject(ji) || !cJSON_IsArray(jb)) {
    cm_msgf(err, err_len, "\"name\" (string), \"input\" (object) and \"blocks\" (array) required");
    goto fail;
  }
  if ((bad = unknown_key(ji, input_fields))) {
    cm_msgf(err, err_len, "input: unknown field \"%.40s\" (h, w, c)", bad);
    goto fail;
  }
  snprintf(m->name, sizeof m->name, "%s", jn->valuestring);
  if (jd && !cJSON_IsString(jd)) {
    cm_msgf(err, err_len, "\"description\" must be a string");
    goto fail;
  }
  if (cJSON_IsString(jd)) snprintf(m->description, sizeof m->description, "%s", jd->valuestring);
  int in_h, in_w, in_c;
  if (get_int(ji, "input", "h", 0, &in_h, err, err_len) || get_int(ji, "input", "w", 0, &in_w, err, err_len) ||
      get_int(ji, "input", "c", 0, &in_c, err, err_len))
    goto fail;
  if (in_h < 1 || in_w < 1 || in_c < 1 || in_h > 4096 || in_w > 4096 || in_c > 64) {
    cm_msgf(err, err_len, "input h, w, c out of range");
    goto fail;
  }
  if ((uint64_t)in_h * in_w * in_c > GEN_TENSOR_MAX_BYTES) {
    cm_msgf(err, err_len, "input: %dx%dx%d is more than the %u bytes a tensor may have", in_h, in_w, in_c,
            GEN_TENSOR_MAX_BYTES);
    goto fail;
  }
  if (expand_blocks(jb, m, specs, &n, in_c, err, err_len)) goto fail;

  m->layers = calloc((size_t)n, sizeof(rt_layer_t));
  m->layer_names = calloc((size_t)n, sizeof *m->layer_names);
  if (!m->layers || !m->layer_names) {
    cm_msgf(err, err_len, "out of memory");
    goto fail;
  }
  /* shapes and blob layout: the input frame first, then per layer weights, bias, mult, shift; in 64 bits, refused
   * beyond what the firmware can address (the offsets are 32-bit, the blob lives in flash) */
  uint64_t off = align4((uint64_t)in_h * in_w * in_c);
  int32_t h = in_h, w = in_w, c = in_c;
  for (int32_t i = 0; i < n; i++) {
    rt_layer_t *L = &m->layers[i];
    const spec_t *s = &specs[i];
    memcpy(m->layer_names[i], s->name, GEN_NAME_MAX);
    L->name = m->layer_names[i];
    L->op = s->op;
    L->k = s->k;
    L->stride = s->stride;
    L->pad = s->pad;
    L->res_src = s->res_src;
    L->in_h = (uint16_t)h;
    L->in_w = (uint16_t)w;
    L->in_c = (uint16_t)c;
    if (s->op == RT_OP_AVGPOOL || s->op == RT_OP_FC) {
      h = w = 1;
    } else if (s->op != RT_OP_PW) {
      h = (h + 2 * s->pad - s->k) / s->stride + 1;
      w = (w + 2 * s->pad - s->k) / s->stride + 1;
    }
    if (h < 1 || w < 1) {
      cm_msgf(err, err_len, "layer %s: feature map shrinks to nothing", s->name);
      goto fail;
    }
    c = s->op == RT_OP_DW || s->op == RT_OP_AVGPOOL ? c : s->out_c;
    L->out_h = (uint16_t)h;
    L->out_w = (uint16_t)w;
    L->out_c = (uint16_t)c;
    L->act_max = s->act; /* carried to calibration, replaced there */
    if ((uint64_t)h * w * c > GEN_TENSOR_MAX_BYTES) {
      cm_msgf(err, err_len, "layer %s: its %dx%dx%d output is more than the %u bytes a tensor may have", s->name, h, w,
              c, GEN_TENSOR_MAX_BYTES);
      goto fail;
    }
    if (s->op != RT_OP_AVGPOOL) {
      uint64_t nw;
      if (gen_layer_place(L, &off, &nw)) {
        cm_msgf(err, err_len,
                "layer %s: the weights reach %llu bytes, more than the %u bytes the firmware can address in flash",
                s->name, (unsigned long long)off, GEN_BLOB_MAX_BYTES);
        goto fail;
      }
      m->weight_bytes += nw;
      m->param_bytes += nw + 12u * c;
    }
  }
  m->blob_bytes = (uint32_t)off;
  m->conv_scale = calloc((size_t)n, sizeof(double));
  m->out_scale = calloc((size_t)n, sizeof(double));
  m->filter_scale_off = calloc((size_t)n, sizeof(uint32_t));
  uint32_t n_channels = 0;
  for (int32_t i = 0; m->filter_scale_off && i < n; i++) {
    m->filter_scale_off[i] = n_channels;
    n_channels += m->layers[i].op == RT_OP_AVGPOOL ? 0u : m->layers[i].out_c;
  }
  m->filter_scale = calloc(n_channels ? n_channels : 1, sizeof(double));
  m->input_scale = 1.0 / 128.0;
  if (!m->conv_scale || !m->out_scale || !m->filter_scale_off || !m->filter_scale) {
    cm_msgf(err, err_len, "out of memory");
    goto fail;
  }
  m->blob = calloc(1, off ? off : 4);
  if (!m->blob) {
    cm_msgf(err, err_len, "out of memory for the %llu-byte weights blob", (unsigned long long)off);
    goto fail;
  }
  m->model.name = m->name;
  m->model.n_layers = (uint16_t)n;
  m->model.layers = m->layers;
  m->model.blob = m->blob;
  m->model.input_off = 0;
  m->model.in_h = (uint16_t)in_h;
  m->model.in_w = (uint16_t)in_w;
  m->model.in_c = (uint16_t)in_c;
  m->model.in_zp = 0;
  {
    /* the input frame: a deterministic pseudo-random "image" standing in for the camera */
    uint64_t st = gen_hash64(m->name, 0x1234567ull);
    for (uint32_t j = 0; j < (uint32_t)in_h * in_w * in_c; j++) m->blob[j] = (uint8_t)rand_range(&st, -128, 127);
    int8_t **tens = calloc((size_t)n + 1, sizeof *tens);
    double *scale = calloc((size_t)n + 1, sizeof *scale);
    int32_t failed = tens && scale ? -1 : 0;
    if (tens && scale) {
      tens[0] = (int8_t *)m->blob;
      scale[0] = m->input_scale;
      for (int32_t i = 0; i < n && failed < 0; i++) {
        m->layers[i].in_zp = tensor_zp(m, i);
        if (calibrate_layer(m, i, tens, scale)) failed = i;
      }
      for (int32_t i = 1; i <= n; i++) free(tens[i]);
    }
    free(tens);
    free(scale);
    if (failed >= 0) {
      cm_msgf(err, err_len, "layer %s: out of memory calibrating it", m->layer_names[failed]);
      goto fail;
    }
  }
  rc = 0;
fail:
  cJSON_Delete(root);
  if (rc) gen_model_free(m);
  return rc;
}

int gen_model_load(const char *path, gen_model_t *m, char *err, size_t err_len) {
  size_t len = 0;
  char *text = cm_read_file(path, GEN_TFLITE_MAX_BYTES, &len);
  if (!text) {
    if (errno == EFBIG)
      cm_msgf(err, err_len, "%s is larger than %u bytes", path, GEN_TFLITE_MAX_BYTES);
    else /* a directory: EISDIR (it crashed once, issue 21 F4) */
      cm_msgf(err, err_len, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  int rc;
  if (gen_tflite_is_tflite((const uint8_t *)text, len)) /* by content, not by the file's name */
    rc = gen_tflite_parse((const uint8_t *)text, len, m, err, err_len);
  else if (len > GEN_MODEL_MAX_BYTES) {
    cm_msgf(err, err_len, "%s is larger than %u bytes (and not a .tflite)", path, GEN_MODEL_MAX_BYTES);
    rc = -1;
  } else
    rc = gen_model_parse(text, m, err, err_len);
  free(text);
  return rc;
}

void gen_model_free(gen_model_t *m) {
  free(m->conv_scale);
  free(m->out_scale);
  free(m->filter_scale);
  free(m->filter_scale_off);
  m->conv_scale = m->out_scale = m->filter_scale = NULL;
  m->filter_scale_off = NULL;
  free(m->layers);
  free(m->layer_names);
  free(m->blob);
  free(m->nodes);
  m->nodes = NULL;
  m->layers = NULL;
  m->layer_names = NULL;
  m->blob = NULL;
}

int gen_schedule_parse(const gen_model_t *m, const char *spec, rt_schedule_t *out, char *name_buf, size_t name_len,
                       char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  snprintf(name_buf, name_len, "%s", spec);
  out->name = name_buf;
  const char *opts;
  int patch = 0;
  if (strncmp(spec, "layerwise", 9) == 0 && (spec[9] == 0 || spec[9] == ',')) {
    opts = spec[9] ? spec + 10 : spec + 9;
  } else if (strncmp(spec, "patch:", 6) == 0) {
    patch = 1;
    opts = spec + 6;
  } else {
    cm_msgf(err, err_len, "schedule must be \"layerwise[,...]\" or \"patch:n=N,blocks=K[,...]\"");
    return -1;
  }
  int n = patch ? 0 : -1, blocks = -1, layers = -1;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", opts);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    if (sscanf(tok, "n=%d", &n) == 1 || sscanf(tok, "blocks=%d", &blocks) == 1) continue;
    if (m->nodes && sscanf(tok, "layers=%d", &layers) == 1) continue; /* a graph: the first K layers */
    if (strcmp(tok, "input=arena") == 0)
      out->input_in_arena = 1;
    else if (strcmp(tok, "input=flash") == 0)
      out->input_in_arena = 0;
    else if (strcmp(tok, "halo=clip") == 0)
      out->halo_clip = 1;
    else if (strcmp(tok, "halo=full") == 0)
      out->halo_clip = 0;
    else {
      cm_msgf(err, err_len, "unknown schedule option \"%s\"", tok);
      return -1;
    }
  }
  if (layers >= 0) { /* graphs only (gen_graph.h): blocks=K and layers=K agree up to GEN_MAX_BLOCKS layers */
    if (blocks >= 0 || layers > m->model.n_layers || (patch && layers < 1)) {
      cm_msgf(err, err_len, "layers=%d: the graph has %d layers (a patch schedule needs 1..%d; not with blocks=)",
              layers, m->model.n_layers, m->model.n_layers);
      return -1;
    }
    if (patch && (n < 1 || n > 16)) {
      cm_msgf(err, err_len, "patch schedule needs n=1..16");
      return -1;
    }
    out->patch_n = patch ? (uint8_t)n : 0;
    out->patch_layers = (uint8_t)layers;
    return 0;
  }
  if (blocks > m->n_blocks || (patch && blocks < 1)) {
    cm_msgf(err, err_len, "blocks=%d: the model has %d blocks (a patch schedule needs blocks >= 1)", blocks,
            m->n_blocks);
    return -1;
  }
  if (patch && (n < 1 || n > 16)) {
    cm_msgf(err, err_len, "patch schedule needs n=1..16");
    return -1;
  }
  out->patch_n = patch ? (uint8_t)n : 0;
  out->patch_layers = blocks > 0 ? (uint8_t)m->block_first_layer[blocks] : 0;
  return 0;
}
