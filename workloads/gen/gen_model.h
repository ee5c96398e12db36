/* gen_model.h — model JSON (docs/models.md) -> an in-memory rt_model_t with deterministic pseudo-random
 * weights, calibrated so activations use the int8 range; schedule strings -> rt_schedule_t.
 * Host only (cJSON, math). The generator CLI writes the result out as C + a binary blob; tests run it natively. */
#ifndef MCUSIM_GEN_MODEL_H
#define MCUSIM_GEN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/rt.h"

#define GEN_MAX_BLOCKS 64
#define GEN_NAME_MAX 48
#define GEN_MODEL_MAX_BYTES (1u << 20) /* a model description is a few KiB (the weights are generated) */
/* The weights blob goes to flash and is addressed with 32-bit offsets: at most the Cortex-M code region
 * (0x00000000-0x1FFFFFFF), 512 MiB. An activation tensor goes to SRAM: at most the SRAM region, 512 MiB. */
#define GEN_BLOB_MAX_BYTES (512u << 20)
#define GEN_TENSOR_MAX_BYTES (512u << 20)

typedef struct {
  char name[GEN_NAME_MAX];
  char description[160];
  rt_model_t model; /* points into the arrays below */
  rt_layer_t *layers;
  char (*layer_names)[GEN_NAME_MAX];
  uint8_t *blob; /* owned, 4-byte aligned */
  uint32_t blob_bytes;
  int32_t n_blocks;
  char block_names[GEN_MAX_BLOCKS][GEN_NAME_MAX];
  int32_t block_first_layer[GEN_MAX_BLOCKS + 1]; /* block b is layers [first[b], first[b+1]) */
  uint64_t weight_bytes;                         /* int8 weights only */
  uint64_t param_bytes;                          /* weights + int32 bias/mult/shift */
  /* The quantization scales behind the integers (what a .tflite stores; gen_tflite.c writes and reads them). */
  double input_scale;
  double *conv_scale;         /* [n_layers]: scale of each layer's own output (before a fused ADD) */
  double *out_scale;          /* [n_layers]: scale of each layer's final output (after a fused ADD) */
  double *filter_scale;       /* per output channel of the layers with weights: layer i's at filter_scale_off[i] */
  uint32_t *filter_scale_off; /* [n_layers] */
  /* A general graph (a .tflite the sequential table cannot express, gen_graph.h): one node per layer, and the
   * graph the runtime's rt_graph_run takes. NULL / unused for a sequential model (rt_run). */
  rt_node_t *nodes;
  rt_graph_t graph;
} gen_model_t;

/* Parse a model description and build it. err receives a message on failure. Returns 0 on success. */
int gen_model_parse(const char *json_text, gen_model_t *out, char *err, size_t err_len);
/* The same from a file: a model JSON of at most GEN_MODEL_MAX_BYTES, or a .tflite (recognised by its file identifier,
 * not its name; gen_tflite.h). */
int gen_model_load(const char *path, gen_model_t *out, char *err, size_t err_len);
void gen_model_free(gen_model_t *m);

/* "layerwise[,input=arena]" or "patch:n=4,blocks=5[,input=arena][,halo=clip]" (blocks counted in the model's
 * block list, which starts with the stem). A layer-wise schedule keeps patch_layers from an optional
 * blocks=K so its patch-stage MACs can be compared. The name is copied into name_buf. */
int gen_schedule_parse(const gen_model_t *m, const char *spec, rt_schedule_t *out, char *name_buf, size_t name_len,
                       char *err, size_t err_len);

/* TFLite QuantizeMultiplier: real = mult * 2^(shift - 31), mult in [2^30, 2^31). */
void gen_quantize_multiplier(double real, int32_t *mult, int32_t *shift);

/* Weights of a layer (int8), from its op and shape; in 64 bits (an fc after a 1024x1024x4 input has 4 Gi). */
uint64_t gen_weight_count(const rt_layer_t *layer);
/* The model blob's layout, one layer at a time (model JSON and .tflite import alike): the layer's weights at *off,
 * then bias, multiplier and shift (int32[out_c]) 4-byte aligned; *off moves past them and *weights gets the weight
 * count. -1 (offsets not set) when the blob would pass GEN_BLOB_MAX_BYTES: *off then says how far it would reach. */
int gen_layer_place(rt_layer_t *layer, uint64_t *off, uint64_t *weights);

/* Deterministic PRNG (splitmix64) used for weights and the input frame. */
uint64_t gen_hash64(const char *s, uint64_t salt);
uint64_t gen_rand(uint64_t *state);

#endif /* MCUSIM_GEN_MODEL_H */
