/* gen_tflite.h — a .tflite model <-> the generator's gen_model_t (docs/tflite.md).
 *
 * Import maps the operators today's runtime runs (workloads/runtime/rt.h) onto the same layer table and blob layout
 * as a model JSON, with the file's real weights, biases and zero points, and per-channel requantization computed
 * from the scales the TFLite way (QuantizeMultiplier of input_scale * filter_scale / output_scale, in double):
 * CONV_2D (a 1x1 stride-1 one as the pointwise kernel, followed by an ADD of an earlier layer's output fused into it),
 * DEPTHWISE_CONV_2D (multiplier 1), a PAD feeding a VALID convolution, AVERAGE_POOL_2D over the whole map or MEAN
 * over H,W with unchanged quantization (the global average pool), FULLY_CONNECTED, a RESHAPE before it, QUANTIZE of
 * the graph's float input and DEQUANTIZE of its output. A graph outside that subset is imported as a general graph
 * (gen_graph.h: gen_model_t.nodes) when the graph runtime runs every operator, else refused naming every operator it
 * lacks; gen_tflite_ops still gives its analytic figures.
 *
 * Export writes the same network as a .tflite: weights, biases, scales and zero points, plus three metadata entries
 * that make the round trip exact (model JSON -> .tflite -> import gives byte-identical generated C and blob):
 * "mcusim.requant" (the int32 multipliers and shifts the generator computed from double-precision scales, which the
 * float32 scales of the format cannot always reproduce; used on import only when they agree with the scales to 1e-6),
 * "mcusim.blocks" (the block list patch schedules count) and "mcusim.input" (the input frame). */
#ifndef MCUSIM_GEN_TFLITE_H
#define MCUSIM_GEN_TFLITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "workloads/gen/gen_model.h"

#define GEN_TFLITE_MAX_BYTES (256u << 20) /* = TFL_FILE_MAX_BYTES */

int gen_tflite_is_tflite(const uint8_t *data, size_t size);

/* Build a runnable model from a .tflite's bytes. 0, or -1 with a one-line message. */
int gen_tflite_parse(const uint8_t *data, size_t size, gen_model_t *out, char *err, size_t err_len);

/* Serialize a model as a .tflite into a malloc'ed buffer the caller frees. 0, or -1 with a message. */
int gen_tflite_write(const gen_model_t *m, uint8_t **out, size_t *out_bytes, char *err, size_t err_len);

/* Analytic figures of every operator of a .tflite, whether or not the runtime can run it. */
typedef struct {
  char kind[24];           /* CONV_2D, ... */
  char name[GEN_NAME_MAX]; /* its first output tensor's name */
  int32_t in_n_dims, out_n_dims;
  int32_t in_dims[6], out_dims[6];
  uint64_t macs, param_bytes, out_bytes;
  int supported; /* 1 when the runtime runs it (alone or fused with a neighbour) */
} gen_tflite_op_t;

/* *rows (malloc'ed, caller frees) and *n_rows; 0, or -1 with a message when the file cannot be read at all. */
int gen_tflite_ops(const uint8_t *data, size_t size, gen_tflite_op_t **rows, int32_t *n_rows, char *err,
                   size_t err_len);

/* The analytic table of a .tflite file's operators for people (`mcusim plan` and `mcusim-gen --plan` on a model the
 * runtime cannot run): per operator its shapes, MACs, constant bytes (weights in flash), activation bytes in + out
 * (the operator's own peak, its first input and its outputs), and whether the runtime runs it; then the totals and the
 * operators the runtime lacks. Returns the number of unsupported operators, or -1 when the file cannot be read (err).
 */
int gen_tflite_ops_print(const char *path, FILE *out, char *err, size_t err_len);

#endif /* MCUSIM_GEN_TFLITE_H */
