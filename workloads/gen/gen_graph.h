/* gen_graph.h — a .tflite general graph -> the generator's gen_model_t with one rt_node_t per layer (runtime/rt.h,
 * rt_graph_t), for the models the sequential layer table cannot express (docs/tflite.md "General graphs").
 *
 * Every operator of the runtime's graph set maps onto one layer: CONV_2D (any kh x kw, stride, SAME/VALID),
 * DEPTHWISE_CONV_2D (any depth multiplier), ADD, AVERAGE/MAX_POOL_2D, MEAN over H,W, FULLY_CONNECTED,
 * RESHAPE/SQUEEZE, SOFTMAX, PAD, CONCATENATION along channels, QUANTIZE int8 -> int8 (requantize); QUANTIZE of the
 * float graph input and DEQUANTIZE of the graph output are the edges and cost nothing. The blob holds the input frame
 * then, per layer with weights, the int8 weights and int32 bias, multiplier and shift [out_c], every offset checked
 * against the blob and every multiplier/shift against the range the runtime's fixed point assumes (it trusts them).
 * The block list is one block per layer (groups of layers past GEN_MAX_BLOCKS), so a schedule's blocks=K names a
 * prefix of K layers (patch:n=N,layers=K says the same). */
#ifndef MCUSIM_GEN_GRAPH_H
#define MCUSIM_GEN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "tflite/tfl.h"
#include "workloads/gen/gen_model.h"

/* Build m from t as a graph. op_ok[n_ops] receives 1 per operator the graph runtime runs; why (a list of the
 * operators it lacks, or what is wrong) is filled on failure. 0, or -1. */
int gen_graph_import(const tfl_model_t *t, gen_model_t *m, uint8_t *op_ok, char *why, size_t why_len);

/* Check every blob range and per-channel parameter of a graph model against its blob (the runtime trusts them).
 * 0, or -1 with a message naming the layer. */
int gen_graph_check(const gen_model_t *m, char *err, size_t err_len);

#endif /* MCUSIM_GEN_GRAPH_H */
