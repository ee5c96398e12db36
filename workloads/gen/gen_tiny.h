/* gen_tiny.h — models shaped like the four MLPerf Tiny references, described in C (gen_tiny.c) and written as
 * .tflite files by the project's own writer (tflite/tfl.h), with deterministic pseudo-random weights: MobileNetV1
 * 0.25 visual wake words 96x96x3, DS-CNN keyword spotting 49x10x1, ResNet-8 CIFAR-10 32x32x3 (residual ADDs, 1x1
 * stride-2 shortcuts), and the FC autoencoder 640-128x3-8-128x3-640 (float edges: QUANTIZE in, DEQUANTIZE out).
 * Activations share one scale (0.05); weights are per-channel with scales ~ 1/(73 sqrt(fan_in)) so the int8 range
 * stays in use. `mcusim-gen --tiny-model NAME --tflite-out F` writes one; the build writes all four. */
#ifndef MCUSIM_GEN_TINY_H
#define MCUSIM_GEN_TINY_H

#include <stddef.h>
#include <stdint.h>

#define GEN_TINY_COUNT 5 /* the four, and "op-zoo": every graph operator once, a few KB (tests, fuzz corpus) */
extern const char *const gen_tiny_names[GEN_TINY_COUNT];

/* The named model as .tflite bytes (malloc'ed, caller frees). 0, or -1 with a message. */
int gen_tiny_write(const char *name, uint8_t **out, size_t *out_bytes, char *err, size_t err_len);

#endif /* MCUSIM_GEN_TINY_H */
