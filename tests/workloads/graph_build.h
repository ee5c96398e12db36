/* tests/workloads/graph_build.h — builds rt_graph_t tables directly (native tests only): layers with
 * deterministic random weights and per-channel requantization scaled so activations use the int8 range, plus the
 * same graph evaluated by the independent reference (ref_ops.c), tensor by tensor. */
#ifndef MCUSIM_TESTS_GRAPH_BUILD_H
#define MCUSIM_TESTS_GRAPH_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/runtime/rt.h"

#define GB_MAX 64

typedef struct {
  rt_layer_t layers[GB_MAX];
  rt_node_t nodes[GB_MAX];
  char names[GB_MAX][24];
  uint8_t *blob;
  size_t blob_bytes;
  int n;
  uint64_t rng;
  rt_graph_t g; /* valid after gb_finish */
} gb_t;

enum { GB_ACT_NONE, GB_ACT_RELU, GB_ACT_RELU6 };

/* A new graph whose input is an h x w x c random frame with zero point zp; tensor 0. */
void gb_init(gb_t *b, const char *name, int h, int w, int c, int32_t zp, uint64_t seed);
/* Each returns the output tensor's index (layer index + 1). same: TFLite SAME padding, else VALID. */
int gb_conv(gb_t *b, int src, int out_c, int kh, int kw, int sh, int sw, int same, int act);
int gb_dw(gb_t *b, int src, int dm, int kh, int kw, int sh, int sw, int same, int act);
int gb_pool(gb_t *b, int src, int is_max, int kh, int kw, int sh, int sw, int same);
int gb_add(gb_t *b, int a, int c, int act);
int gb_mean(gb_t *b, int src);
int gb_fc(gb_t *b, int src, int n_out, int act);
int gb_reshape(gb_t *b, int src, int h, int w, int c);
int gb_softmax(gb_t *b, int src);
int gb_pad(gb_t *b, int src, int top, int left, int bottom, int right);
int gb_concat(gb_t *b, int n, const int *srcs);
int gb_requant(gb_t *b, int src, double real);
const rt_graph_t *gb_finish(gb_t *b);
void gb_free(gb_t *b);

/* The graph's output computed with tests/workloads/ref_ops.c on whole tensors; returns its byte count. */
int gb_reference(const gb_t *b, int8_t *out, int cap);

#endif /* MCUSIM_TESTS_GRAPH_BUILD_H */
