/* tfl.h — a bounded reader and a writer for the subset of the TensorFlow Lite flatbuffer format (`.tflite`, file
 * identifier "TFL3") that int8 MCU CNNs use: subgraph 0's tensors (shape, type, buffer, name, quantization), the
 * buffers holding weights and biases, operator codes (the deprecated byte code and the extended int32 code), operators
 * with the builtin options of CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE/MAX_POOL_2D, MEAN, FULLY_CONNECTED, RESHAPE,
 * SOFTMAX, PAD, CONCATENATION, QUANTIZE, DEQUANTIZE, and the model's metadata entries.
 *
 * Field ids and enum values are facts of the public schema (tensorflow/lite/schema/schema.fbs), cited where used.
 * The reader checks every offset, vtable, vector length and string against the buffer, walks the schema to a fixed
 * depth (so shared or cyclic references cannot loop) and caps every count; a hostile file gives one error message.
 * Library code: never prints or exits (docs/tflite.md). Ownership: tfl_free releases everything a tfl_model_t owns;
 * tensor data points into the model's own copy of the file (tfl_parse) or into memory the caller keeps (tfl_write). */
#ifndef MCUSIM_TFL_H
#define MCUSIM_TFL_H

#include <stddef.h>
#include <stdint.h>

#define TFL_FILE_MAX_BYTES (256u << 20) /* the weights go to flash: 512 MiB at most, a CNN for an MCU a few MiB */
#define TFL_MAX_TENSORS 4096
#define TFL_MAX_OPS 1024
#define TFL_MAX_BUFFERS 8192
#define TFL_MAX_OPCODES 256
#define TFL_MAX_DIMS 6
#define TFL_MAX_OP_IO 16    /* inputs (or outputs) of one operator; CONCATENATION of up to 16 tensors */
#define TFL_MAX_GRAPH_IO 16 /* subgraph inputs (or outputs) */
#define TFL_MAX_METADATA 16
#define TFL_MAX_QUANT 65536 /* scales of one tensor (one per channel) */
#define TFL_NAME_MAX 64

/* schema.fbs enum TensorType */
enum { TFL_FLOAT32 = 0, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4, TFL_INT8 = 9 };
/* schema.fbs enum BuiltinOperator (the ones this project names) */
enum {
  TFL_OP_ADD = 0,
  TFL_OP_AVERAGE_POOL_2D = 1,
  TFL_OP_CONCATENATION = 2,
  TFL_OP_CONV_2D = 3,
  TFL_OP_DEPTHWISE_CONV_2D = 4,
  TFL_OP_DEQUANTIZE = 6,
  TFL_OP_FULLY_CONNECTED = 9,
  TFL_OP_MAX_POOL_2D = 17,
  TFL_OP_RESHAPE = 22,
  TFL_OP_SOFTMAX = 25,
  TFL_OP_PAD = 34,
  TFL_OP_MEAN = 40,
  TFL_OP_QUANTIZE = 114,
};
/* schema.fbs union BuiltinOptions: the type ids (1-based, 0 = NONE) */
enum {
  TFL_OPT_NONE = 0,
  TFL_OPT_CONV2D = 1,
  TFL_OPT_DEPTHWISE_CONV2D = 2,
  TFL_OPT_POOL2D = 5,
  TFL_OPT_FULLY_CONNECTED = 8,
  TFL_OPT_SOFTMAX = 9,
  TFL_OPT_CONCATENATION = 10,
  TFL_OPT_ADD = 11,
  TFL_OPT_RESHAPE = 17,
  TFL_OPT_PAD = 22,
  TFL_OPT_REDUCER = 27,
  TFL_OPT_DEQUANTIZE = 38,
  TFL_OPT_QUANTIZE = 89,
};
/* schema.fbs enum Padding and ActivationFunctionType */
enum { TFL_PAD_SAME = 0, TFL_PAD_VALID = 1 };
enum { TFL_ACT_NONE = 0, TFL_ACT_RELU = 1, TFL_ACT_RELU_N1_TO_1 = 2, TFL_ACT_RELU6 = 3 };

typedef struct {
  char name[TFL_NAME_MAX]; /* printable ASCII; other bytes become '?', longer names are cut */
  int32_t type;            /* TFL_INT8 ... */
  int32_t n_dims;
  int32_t dims[TFL_MAX_DIMS];
  uint32_t buffer;     /* index into the model's buffers; 0: none */
  const uint8_t *data; /* the buffer's bytes, NULL when empty */
  uint32_t data_bytes;
  int32_t n_scale, n_zero_point;
  float *scale;        /* owned; n_scale entries */
  int64_t *zero_point; /* owned; n_zero_point entries */
  int32_t quantized_dimension;
} tfl_tensor_t;

typedef struct {
  int32_t code; /* builtin operator: max(deprecated_builtin_code, builtin_code) */
  int32_t version;
  int32_t n_inputs, n_outputs;
  int32_t inputs[TFL_MAX_OP_IO], outputs[TFL_MAX_OP_IO]; /* tensor indices; -1 an absent optional input */
  int32_t options_type;                                  /* TFL_OPT_* as in the file (0 none) */
  /* decoded options (defaults when absent: 0, dilation 1, beta 0) */
  int32_t padding, stride_w, stride_h, dilation_w, dilation_h, depth_multiplier, filter_w, filter_h, activation;
  int32_t axis, keep_dims;
  float beta;
  int32_t n_new_shape;
  int32_t new_shape[TFL_MAX_DIMS];
} tfl_op_t;

typedef struct {
  char name[TFL_NAME_MAX];
  const uint8_t *data; /* into the file (tfl_parse) or the caller's memory (tfl_write) */
  uint32_t bytes;
} tfl_metadata_t;

typedef struct {
  uint8_t *file; /* owned copy of the file (tfl_parse); NULL for a model built to be written */
  size_t file_bytes;
  uint32_t version;        /* Model.version (3) */
  char name[TFL_NAME_MAX]; /* SubGraph.name */
  char description[160];   /* Model.description */
  int32_t n_tensors, n_ops, n_buffers;
  tfl_tensor_t *tensors; /* owned */
  tfl_op_t *ops;         /* owned */
  int32_t n_inputs, n_outputs;
  int32_t inputs[TFL_MAX_GRAPH_IO], outputs[TFL_MAX_GRAPH_IO];
  int32_t n_metadata;
  tfl_metadata_t metadata[TFL_MAX_METADATA];
} tfl_model_t;

/* Nonzero when data starts like a .tflite file (the file identifier "TFL3" at bytes 4..7). */
int tfl_is_tflite(const uint8_t *data, size_t size);

/* Parse size bytes (copied). 0, or -1 with a one-line message in err (the file's name is the caller's to add). */
int tfl_parse(const uint8_t *data, size_t size, tfl_model_t *out, char *err, size_t err_len);
void tfl_free(tfl_model_t *m);

/* Serialize a model (tensors, ops, metadata as tfl_parse gives them; data pointers borrowed) into a malloc'ed
 * buffer. Tensors with data get one buffer each, then each metadata entry; buffer 0 is the empty sentinel.
 * 0, or -1 with a message. tfl_parse(tfl_write(m)) gives m back field for field. */
int tfl_write(const tfl_model_t *m, uint8_t **out, size_t *out_bytes, char *err, size_t err_len);

/* "CONV_2D", ... ("BUILTIN_<n>" in buf otherwise). */
const char *tfl_op_name(int32_t code, char *buf, size_t buf_len);

/* A tensor's quantization: scale i (the per-tensor scale for any i; 0 past a per-channel list), the first zero
 * point (0 when none), and whether it is int8-quantized (first scale > 0 and finite, zero point in [-128, 127]). */
double tfl_scale(const tfl_tensor_t *ts, int32_t i);
int32_t tfl_zero_point(const tfl_tensor_t *ts);
int tfl_quantized(const tfl_tensor_t *ts);

/* Analytic figures of one operator from the shapes alone (no runtime needed). */
typedef struct {
  const char *kind;                                                             /* tfl_op_name */
  int32_t in_dims[TFL_MAX_DIMS], in_n_dims, out_dims[TFL_MAX_DIMS], out_n_dims; /* first input, first output */
  uint64_t macs;        /* conv: out elements x kh x kw x in_c; depthwise: out elements x kh x kw; fc: out x in */
  uint64_t param_bytes; /* bytes of the constant inputs (weights, bias) */
  uint64_t out_bytes;   /* bytes of the outputs */
} tfl_op_info_t;
int tfl_op_info(const tfl_model_t *m, int32_t op, tfl_op_info_t *info, char *name_buf, size_t name_len);

/* Elements of a tensor (product of dims, 64-bit; 0 for a negative dim) and bytes of one element (0 unknown). */
uint64_t tfl_tensor_elems(const tfl_tensor_t *t);
uint32_t tfl_type_bytes(int32_t type);

#endif /* MCUSIM_TFL_H */
