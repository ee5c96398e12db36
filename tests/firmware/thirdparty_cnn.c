/* tests/firmware/thirdparty_cnn.c — a firmware written the way third-party inference code is: plain C with
 * CMSIS-NN-style kernel names, activations from malloc/free, no mcusim trace header. The bundled annotation
 * presets (annotations/cmsis-nn.json, annotations/newlib-malloc.json) alone give its layers and allocations;
 * tests/cli/test_annotate.c checks the figures exactly.
 *
 * Model: 16x16x3 input (flash) -> conv 3x3 (8 ch) -> depthwise 3x3 -> average pool -> fully connected (4).
 * Buffers: conv out 2048 B + conv scratch 54 B, depthwise out 2048 B, pool out 8 B, fc out 4 B. */
#include <stdint.h>
#include <stdlib.h>

#define H 16
#define W 16
#define C_IN 3
#define C_OUT 8
#define CLASSES 4

static const int8_t input[H * W * C_IN] = {1, -2, 3, 4, -5, 6, 7, -8, 9};
static const int8_t conv_w[C_OUT * 3 * 3 * C_IN] = {1, 2, -1, 3, 0, 1, -2, 1};
static const int8_t dw_w[C_OUT * 3 * 3] = {1, 0, -1, 2, 1, 0, 1, -1};
static const int8_t fc_w[CLASSES * C_OUT] = {3, -1, 2, 0, 1, -2, 1, 4};

static int8_t clamp8(int32_t v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }

/* im2col of one output pixel into a 16-bit scratch, as CMSIS-NN's arm_convolve_s8 does */
__attribute__((noinline)) void arm_nn_im2col_s8_s16(const int8_t *in, int y, int x, int16_t *col) {
  for (int ky = 0; ky < 3; ky++)
    for (int kx = 0; kx < 3; kx++)
      for (int c = 0; c < C_IN; c++) {
        int iy = y + ky - 1, ix = x + kx - 1;
        *col++ = (iy < 0 || iy >= H || ix < 0 || ix >= W) ? 0 : in[(iy * W + ix) * C_IN + c];
      }
}

__attribute__((noinline)) void arm_convolve_s8(const int8_t *in, int16_t *scratch, int8_t *out) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      arm_nn_im2col_s8_s16(in, y, x, scratch);
      for (int o = 0; o < C_OUT; o++) {
        int32_t acc = 0;
        for (int k = 0; k < 3 * 3 * C_IN; k++) acc += scratch[k] * conv_w[o * 3 * 3 * C_IN + k];
        out[(y * W + x) * C_OUT + o] = clamp8(acc >> 2);
      }
    }
}

__attribute__((noinline)) void arm_depthwise_conv_s8(const int8_t *in, int8_t *out) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < C_OUT; c++) {
        int32_t acc = 0;
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++) {
            int iy = y + ky - 1, ix = x + kx - 1;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W)
              acc += in[(iy * W + ix) * C_OUT + c] * dw_w[c * 9 + ky * 3 + kx];
          }
        out[(y * W + x) * C_OUT + c] = clamp8(acc >> 1);
      }
}

__attribute__((noinline)) void arm_avgpool_s8(const int8_t *in, int8_t *out) {
  for (int c = 0; c < C_OUT; c++) {
    int32_t sum = 0;
    for (int i = 0; i < H * W; i++) sum += in[i * C_OUT + c];
    out[c] = clamp8(sum / (H * W));
  }
}

__attribute__((noinline)) void arm_fully_connected_s8(const int8_t *in, int8_t *out) {
  for (int o = 0; o < CLASSES; o++) {
    int32_t acc = 0;
    for (int i = 0; i < C_OUT; i++) acc += in[i] * fc_w[o * C_OUT + i];
    out[o] = clamp8(acc);
  }
}

/* The application's inference: each layer allocates its output and frees its input when done. */
__attribute__((noinline)) int model_invoke(void) {
  int8_t *conv_out = malloc(H * W * C_OUT);
  int16_t *scratch = malloc(3 * 3 * C_IN * sizeof(int16_t));
  if (!conv_out || !scratch) return -1;
  arm_convolve_s8(input, scratch, conv_out);
  free(scratch);
  int8_t *dw_out = malloc(H * W * C_OUT);
  if (!dw_out) return -1;
  arm_depthwise_conv_s8(conv_out, dw_out);
  free(conv_out);
  int8_t *pooled = malloc(C_OUT);
  if (!pooled) return -1;
  arm_avgpool_s8(dw_out, pooled);
  free(dw_out);
  int8_t *scores = malloc(CLASSES);
  if (!scores) return -1;
  arm_fully_connected_s8(pooled, scores);
  free(pooled);
  int best = 0;
  for (int i = 1; i < CLASSES; i++)
    if (scores[i] > scores[best]) best = i;
  free(scores);
  return best;
}

int main(void) { return model_invoke() < 0; }
