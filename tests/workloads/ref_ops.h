/* tests/workloads/ref_ops.h — an independent, straightforward implementation of TFLite's reference int8 operator
 * semantics, for checking workloads/runtime/rt_ops.c bit for bit. Written from the public reference kernels'
 * semantics (tensorflow/lite/kernels/internal/reference/..., gemmlowp fixedpoint.h); shares no code with the
 * runtime: whole tensors, NHWC with one image, plain loops, 64-bit division in the rounding as TFLite writes it. */
#ifndef MCUSIM_TESTS_REF_OPS_H
#define MCUSIM_TESTS_REF_OPS_H

#include <stdint.h>

typedef struct {
  int h, w, c;
} ref_shape_t;

/* TFLite ComputeOutSize / ComputePaddingHeightWidth for one axis: output size and padding before the map. */
void ref_padding(int in, int k, int stride, int same, int *out, int *pad_before);

int32_t ref_mbqm(int32_t x, int32_t mult, int32_t shift); /* MultiplyByQuantizedMultiplier */

void ref_conv(const int8_t *in, ref_shape_t is, int32_t in_zp, const int8_t *w, const int32_t *bias,
              const int32_t *mult, const int32_t *shift, int kh, int kw, int sh, int sw, int pad_t, int pad_l,
              int8_t *out, ref_shape_t os, int32_t out_zp, int32_t amin, int32_t amax);
void ref_dwconv(const int8_t *in, ref_shape_t is, int32_t in_zp, const int8_t *w, const int32_t *bias,
                const int32_t *mult, const int32_t *shift, int kh, int kw, int sh, int sw, int pad_t, int pad_l, int dm,
                int8_t *out, ref_shape_t os, int32_t out_zp, int32_t amin, int32_t amax);
void ref_pool(const int8_t *in, ref_shape_t is, int kh, int kw, int sh, int sw, int pad_t, int pad_l, int is_max,
              int8_t *out, ref_shape_t os, int32_t amin, int32_t amax);
void ref_mean(const int8_t *in, ref_shape_t is, int32_t in_zp, int32_t mult, int32_t shift, int32_t out_zp,
              int8_t *out);
void ref_add(const int8_t *a, const int8_t *b, int n, int32_t a_zp, int32_t a_mult, int32_t a_shift, int32_t b_zp,
             int32_t b_mult, int32_t b_shift, int32_t out_zp, int32_t out_mult, int32_t out_shift, int32_t amin,
             int32_t amax, int8_t *out);
void ref_fc(const int8_t *in, int n_in, int32_t in_zp, const int8_t *w, const int32_t *bias, const int32_t *mult,
            const int32_t *shift, int n_out, int32_t out_zp, int32_t amin, int32_t amax, int8_t *out);
void ref_softmax(const int8_t *in, int rows, int depth, int32_t beta_mult, int32_t beta_left_shift, int32_t diff_min,
                 int8_t *out);
/* PreprocessSoftmaxScaling(beta, input_scale, 5 integer bits) and -CalculateInputRadius(5, left_shift, 31). */
void ref_softmax_params(double beta, double input_scale, int32_t *mult, int32_t *left_shift, int32_t *diff_min);
void ref_pad(const int8_t *in, ref_shape_t is, int pad_t, int pad_l, int32_t zp, int8_t *out, ref_shape_t os);
void ref_concat(const int8_t *const *ins, const int *cs, int n, int pixels, int8_t *out);
void ref_requant(const int8_t *in, int n, int32_t in_zp, int32_t mult, int32_t shift, int32_t out_zp, int8_t *out);
/* TFLite QuantizeMultiplier: real = mult * 2^(shift - 31). */
void ref_quantize_multiplier(double real, int32_t *mult, int32_t *shift);

#endif /* MCUSIM_TESTS_REF_OPS_H */
