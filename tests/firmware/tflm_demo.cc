// tests/firmware/tflm_demo.cc — a firmware with TensorFlow Lite Micro's structure, written for mcusim's tests
// (issue 17): no TFLM or CMSIS-NN code. What mcusim's tflm mode relies on is shaped as in TFLM:
//   - tflite::MicroInterpreter::AllocateTensors() runs each registration's prepare, then lays the activations out
//     in a static tensor_arena from a plan (offsets), persistent buffers taken from the arena's tail, temporary ones
//     from the head and reset at once; status codes are returned, nothing is freed one by one;
//   - tflite::MicroInterpreter::Invoke() loops over the nodes and calls each registration's invoke through its
//     function pointer (TFLMRegistration: init/free/prepare/invoke);
//   - arena_used_bytes() reports what the allocator used; the model flatbuffer (written by mcusim-gen --tflite-out)
//     sits in .rodata (tflm_model.S).
// The firmware measures each invoke with DWT->CYCCNT as a MicroProfiler would (the cost of the read itself
// calibrated out) and prints the inference's cycles, the arena figures and a hash of the output through
// semihosting. OPTIMIZED=1 builds unrolled kernels with the same results (compare's test).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern "C" const uint8_t tflm_model_data[]; // tflm_model.S: the .tflite, "TFL3" at offset 4

#ifndef INFERENCES
#define INFERENCES 2
#endif

typedef enum { kTfLiteOk = 0, kTfLiteError = 1 } TfLiteStatus;

namespace tflite {

struct TfLiteTensor {
  int8_t *data;
  int32_t h, w, c;
  uint32_t bytes;
  int32_t first_use, last_use; // op indices (planner)
  uint32_t offset;             // in the arena (planner)
};

struct TfLiteNode {
  int32_t input, output; // tensor indices
  const void *builtin_data;
  void *user_data; // set by init
};

class MicroAllocator;

struct TfLiteContext {
  TfLiteTensor *tensors;
  MicroAllocator *allocator;
};

// TFLM's registration shape: the interpreter only ever calls these four through pointers.
struct TFLMRegistration {
  void *(*init)(TfLiteContext *context, const char *buffer, size_t length);
  void (*free)(TfLiteContext *context, void *buffer);
  TfLiteStatus (*prepare)(TfLiteContext *context, TfLiteNode *node);
  TfLiteStatus (*invoke)(TfLiteContext *context, TfLiteNode *node);
};

// Head/tail allocator over one buffer, as TFLM's single-arena allocator: the head holds the planned activations and
// the temporaries above them, the tail the persistent buffers.
class MicroAllocator {
public:
  MicroAllocator(uint8_t *buffer, size_t size)
      : start_(buffer), end_(buffer + size), head_(buffer), tail_(buffer + size), temp_(0), temp_peak_(0) {}
  // out of line, as in TFLM (a virtual there): tests annotate it as an allocator inside the static arena
  __attribute__((noinline)) void *AllocatePersistentBuffer(size_t bytes) {
    uint8_t *p = (uint8_t *)(((uintptr_t)tail_ - bytes) & ~(uintptr_t)15);
    if (p < head_ + temp_peak_) return nullptr;
    tail_ = p;
    return p;
  }
  TfLiteStatus SetHeadBytes(size_t bytes) {
    if (start_ + bytes > tail_) return kTfLiteError;
    head_ = start_ + bytes;
    return kTfLiteOk;
  }
  void *AllocateTemp(size_t bytes) {
    size_t at = (temp_ + 15) & ~(size_t)15;
    if (head_ + at + bytes > tail_) return nullptr;
    temp_ = at + bytes;
    if (temp_ > temp_peak_) temp_peak_ = temp_;
    return head_ + at;
  }
  void ResetTempAllocations() { temp_ = 0; }
  uint8_t *start() const { return start_; }
  size_t used_bytes() const { return (size_t)(head_ - start_) + temp_peak_ + (size_t)(end_ - tail_); }

private:
  uint8_t *start_, *end_, *head_, *tail_;
  size_t temp_, temp_peak_;
};

struct NodeSpec {
  const TFLMRegistration *registration;
  TfLiteNode node;
};

class MicroInterpreter {
public:
  MicroInterpreter(NodeSpec *nodes, int node_count, TfLiteTensor *tensors, int tensor_count, uint8_t *arena,
                   size_t arena_bytes)
      : nodes_(nodes), node_count_(node_count), tensor_count_(tensor_count), allocator_(arena, arena_bytes), ticks_(0) {
    context_.tensors = tensors;
    context_.allocator = &allocator_;
  }
  TfLiteStatus AllocateTensors();
  TfLiteStatus Invoke();
  size_t arena_used_bytes() const;
  uint32_t total_ticks() const { return ticks_; }
  TfLiteTensor *tensor(int i) { return &context_.tensors[i]; }

private:
  NodeSpec *nodes_;
  int node_count_, tensor_count_;
  MicroAllocator allocator_;
  TfLiteContext context_;
  uint32_t ticks_;
};

} // namespace tflite

using namespace tflite;

#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT_ADDR ((volatile uint32_t *)0xE0001004u)
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)

static uint32_t calibration_ticks; // the cost of one CYCCNT read, measured as back-to-back reads

__attribute__((noinline)) static void calibrate(void) {
  uint32_t t0, t1;
  __asm__ volatile("ldr %0, [%2]\n\tldr %1, [%2]" : "=&r"(t0), "=&r"(t1) : "r"(DWT_CYCCNT_ADDR) : "memory");
  calibration_ticks = t1 - t0;
}

// Greedy first-fit plan of the activations by lifetime (a small version of TFLM's GreedyMemoryPlanner).
static uint32_t plan(TfLiteTensor *t, int n) {
  uint32_t high = 0;
  for (int i = 0; i < n; i++) {
    uint32_t offset = 0;
    for (int again = 1; again;) {
      again = 0;
      for (int k = 0; k < i; k++) {
        bool live = !(t[k].last_use < t[i].first_use || t[i].last_use < t[k].first_use);
        if (live && offset < t[k].offset + t[k].bytes && t[k].offset < offset + t[i].bytes) {
          offset = (t[k].offset + t[k].bytes + 15) & ~15u;
          again = 1;
        }
      }
    }
    t[i].offset = offset;
    if (offset + t[i].bytes > high) high = offset + t[i].bytes;
  }
  return high;
}

__attribute__((noinline)) size_t MicroInterpreter::arena_used_bytes() const { return allocator_.used_bytes(); }

__attribute__((noinline)) TfLiteStatus MicroInterpreter::AllocateTensors() {
  for (int i = 0; i < node_count_; i++) {
    NodeSpec *n = &nodes_[i];
    if (n->registration->init) n->node.user_data = n->registration->init(&context_, nullptr, 0);
    if (n->registration->prepare && n->registration->prepare(&context_, &n->node) != kTfLiteOk) return kTfLiteError;
    allocator_.ResetTempAllocations();
  }
  uint32_t planned = plan(context_.tensors, tensor_count_);
  if (allocator_.SetHeadBytes(planned) != kTfLiteOk) return kTfLiteError;
  for (int i = 0; i < tensor_count_; i++)
    context_.tensors[i].data = (int8_t *)allocator_.start() + context_.tensors[i].offset;
  return kTfLiteOk;
}

__attribute__((noinline)) TfLiteStatus MicroInterpreter::Invoke() {
  for (int i = 0; i < node_count_; i++) {
    NodeSpec *n = &nodes_[i];
    TfLiteStatus (*invoke)(TfLiteContext *, TfLiteNode *) = n->registration->invoke;
    // The MicroProfiler's reads of CYCCNT sit right around the call, so their difference less one read is the
    // operator's cycles: what mcusim times from the call instruction to its return.
    register TfLiteContext *r0 __asm__("r0") = &context_;
    register TfLiteNode *r1 __asm__("r1") = &n->node;
    uint32_t t0, t1;
    __asm__ volatile("ldr %1, [%4]\n\tblx %5\n\tldr %2, [%4]"
                     : "+r"(r0), "=&r"(t0), "=&r"(t1), "+r"(r1)
                     : "r"(DWT_CYCCNT_ADDR), "r"(invoke)
                     : "r2", "r3", "r12", "lr", "memory", "cc");
    ticks_ += t1 - t0 - calibration_ticks;
    if ((TfLiteStatus)(uintptr_t)r0 != kTfLiteOk) return kTfLiteError;
    allocator_.ResetTempAllocations();
  }
  return kTfLiteOk;
}

// ---- kernels: int8 reference loops of our own ----

struct ConvParams {
  int32_t k, stride, depthwise, pad;
};

static int8_t requantize(int32_t acc, int32_t shift) {
  acc >>= shift;
  return (int8_t)(acc > 127 ? 127 : acc < -128 ? -128 : acc);
}

static int8_t weight(int32_t a, int32_t b, int32_t c) { return (int8_t)(((a * 7 + b * 13 + c * 5) % 17) - 8); }

static void *conv_init(TfLiteContext *, const char *, size_t) { return nullptr; }

// Per-channel bias, persistent (as TFLM's per-channel quantisation data).
static TfLiteStatus conv_prepare(TfLiteContext *context, TfLiteNode *node) {
  const TfLiteTensor *out = &context->tensors[node->output];
  int32_t *bias = (int32_t *)context->allocator->AllocatePersistentBuffer((size_t)out->c * 4);
  if (!bias) return kTfLiteError;
  for (int32_t c = 0; c < out->c; c++) bias[c] = (c % 5) * 16 - 32;
  node->user_data = bias;
  return kTfLiteOk;
}

static TfLiteStatus conv_eval(TfLiteContext *context, TfLiteNode *node) {
  const ConvParams *p = (const ConvParams *)node->builtin_data;
  const TfLiteTensor *in = &context->tensors[node->input];
  TfLiteTensor *out = &context->tensors[node->output];
  const int32_t *bias = (const int32_t *)node->user_data;
  for (int32_t y = 0; y < out->h; y++)
    for (int32_t x = 0; x < out->w; x++)
      for (int32_t oc = 0; oc < out->c; oc++) {
        int32_t acc = bias[oc];
        for (int32_t ky = 0; ky < p->k; ky++) {
          int32_t iy = y * p->stride + ky - p->pad;
          if (iy < 0 || iy >= in->h) continue;
#if OPTIMIZED
          if (p->k == 3 && !p->depthwise) {
            // unrolled over the kernel's width; the same sums as the loop below
            for (int32_t ic = 0; ic < in->c; ic++) {
              int32_t ix = x * p->stride - p->pad;
              const int8_t *row = in->data + (iy * in->w) * in->c + ic;
              if (ix >= 0) acc += row[ix * in->c] * weight(oc, ky * 3 + 0, ic);
              if (ix + 1 >= 0 && ix + 1 < in->w) acc += row[(ix + 1) * in->c] * weight(oc, ky * 3 + 1, ic);
              if (ix + 2 < in->w) acc += row[(ix + 2) * in->c] * weight(oc, ky * 3 + 2, ic);
            }
            continue;
          }
#endif
          for (int32_t kx = 0; kx < p->k; kx++) {
            int32_t ix = x * p->stride + kx - p->pad;
            if (ix < 0 || ix >= in->w) continue;
            if (p->depthwise)
              acc += in->data[(iy * in->w + ix) * in->c + oc] * weight(oc, ky * p->k + kx, 0);
            else
              for (int32_t ic = 0; ic < in->c; ic++)
                acc += in->data[(iy * in->w + ix) * in->c + ic] * weight(oc, ky * p->k + kx, ic);
          }
        }
        out->data[(y * out->w + x) * out->c + oc] = requantize(acc, p->k == 1 ? 5 : 4);
      }
  return kTfLiteOk;
}

// Global average pool; its sums go to a temporary buffer (reset after the operator, as TFLM's scratch).
static TfLiteStatus pool_prepare(TfLiteContext *context, TfLiteNode *node) {
  return context->allocator->AllocateTemp((size_t)context->tensors[node->output].c * 4) ? kTfLiteOk : kTfLiteError;
}

static TfLiteStatus pool_eval(TfLiteContext *context, TfLiteNode *node) {
  const TfLiteTensor *in = &context->tensors[node->input];
  TfLiteTensor *out = &context->tensors[node->output];
  int32_t *sums = (int32_t *)context->allocator->AllocateTemp((size_t)in->c * 4);
  if (!sums) return kTfLiteError;
  for (int32_t c = 0; c < in->c; c++) sums[c] = 0;
  for (int32_t i = 0; i < in->h * in->w; i++)
    for (int32_t c = 0; c < in->c; c++) sums[c] += in->data[i * in->c + c];
  for (int32_t c = 0; c < in->c; c++) out->data[c] = (int8_t)(sums[c] / (in->h * in->w));
  return kTfLiteOk;
}

// Zero border of one pixel (the model's explicit PAD before the stride-2 convolution).
static TfLiteStatus pad_eval(TfLiteContext *context, TfLiteNode *node) {
  const TfLiteTensor *in = &context->tensors[node->input];
  TfLiteTensor *out = &context->tensors[node->output];
  for (int32_t y = 0; y < out->h; y++)
    for (int32_t x = 0; x < out->w; x++)
      for (int32_t c = 0; c < out->c; c++) {
        int32_t iy = y - 1, ix = x - 1;
        out->data[(y * out->w + x) * out->c + c] =
            iy < 0 || ix < 0 || iy >= in->h || ix >= in->w ? 0 : in->data[(iy * in->w + ix) * in->c + c];
      }
  return kTfLiteOk;
}

static TfLiteStatus fc_eval(TfLiteContext *context, TfLiteNode *node) {
  const TfLiteTensor *in = &context->tensors[node->input];
  TfLiteTensor *out = &context->tensors[node->output];
  int32_t n_in = in->h * in->w * in->c;
  for (int32_t o = 0; o < out->c; o++) {
    int32_t acc = 0;
    for (int32_t i = 0; i < n_in; i++) acc += in->data[i] * weight(o, i, 3);
    out->data[o] = requantize(acc, 3);
  }
  return kTfLiteOk;
}

static const TFLMRegistration conv_registration = {conv_init, nullptr, conv_prepare, conv_eval};
static const TFLMRegistration pool_registration = {nullptr, nullptr, pool_prepare, pool_eval};
static const TFLMRegistration pad_registration = {nullptr, nullptr, nullptr, pad_eval};
static const TFLMRegistration fc_registration = {nullptr, nullptr, nullptr, fc_eval};

// ---- the model's graph (the same operators and shapes as tflm_model.tflite) ----

namespace {
constexpr size_t kTensorArenaSize = 8 * 1024;
alignas(16) uint8_t tensor_arena[kTensorArenaSize];

const ConvParams stem = {3, 2, 0, 0}, dw = {3, 1, 1, 1}, pw = {1, 1, 0, 0};

TfLiteTensor tensors[] = {
    {nullptr, 16, 16, 1, 256, 0, 0, 0}, {nullptr, 18, 18, 1, 324, 0, 1, 0}, {nullptr, 8, 8, 8, 512, 1, 2, 0},
    {nullptr, 8, 8, 8, 512, 2, 3, 0},   {nullptr, 8, 8, 16, 1024, 3, 4, 0}, {nullptr, 1, 1, 16, 16, 4, 5, 0},
    {nullptr, 1, 1, 4, 4, 5, 5, 0},
};

NodeSpec nodes[] = {
    {&pad_registration, {0, 1, nullptr, nullptr}},  {&conv_registration, {1, 2, &stem, nullptr}},
    {&conv_registration, {2, 3, &dw, nullptr}},     {&conv_registration, {3, 4, &pw, nullptr}},
    {&pool_registration, {4, 5, nullptr, nullptr}}, {&fc_registration, {5, 6, nullptr, nullptr}},
};
} // namespace

int main(void) {
  DEMCR |= 1u << 24;
  DWT_CTRL |= 1u;
  calibrate();
  static MicroInterpreter interpreter(nodes, sizeof nodes / sizeof *nodes, tensors, sizeof tensors / sizeof *tensors,
                                      tensor_arena, kTensorArenaSize);
  if (interpreter.AllocateTensors() != kTfLiteOk) {
    printf("AllocateTensors failed\n");
    return 1;
  }
  printf("model at %p: %.4s\n", (const void *)tflm_model_data, (const char *)tflm_model_data + 4);
  printf("arena reserved %u used %u\n", (unsigned)kTensorArenaSize, (unsigned)interpreter.arena_used_bytes());
  for (int k = 0; k < INFERENCES; k++) {
    TfLiteTensor *input = interpreter.tensor(0);
    for (uint32_t i = 0; i < input->bytes; i++) input->data[i] = (int8_t)((i * 37u + (uint32_t)k * 11u) % 251u - 125);
    uint32_t before = interpreter.total_ticks();
    if (interpreter.Invoke() != kTfLiteOk) {
      printf("Invoke failed\n");
      return 1;
    }
    const TfLiteTensor *output = interpreter.tensor(6);
    uint32_t hash = 2166136261u; // FNV-1a
    for (uint32_t i = 0; i < output->bytes; i++) hash = (hash ^ (uint8_t)output->data[i]) * 16777619u;
    printf("inference %d cycles %lu output hash %08lx\n", k, (unsigned long)(interpreter.total_ticks() - before),
           (unsigned long)hash);
  }
  return 0;
}
