/* tests/firmware/cxx_names.c — C++ names without a C++ build: functions labelled with the names g++ gives them
 * (Itanium C++ ABI mangling, `__asm__` labels), in two files. tests/cli/test_annotate_names.c checks that every
 * output shows them demangled and tells the two `(anonymous namespace)::EvalInt8` apart (this file and
 * cxx_names_dw.c): function profile, layers, allocation callers, a fault (CXX_FAULT) and annotations by address or
 * `symbol@file`. An interpreter-like loop runs INFERENCES times (forever with FOREVER, for --stop-after) and writes a
 * known output (g_output[i] = 3 * i + 1) that a hash marker checks. */
#include <stdint.h>
#include <stdlib.h>

#ifndef INFERENCES
#define INFERENCES 3
#endif

int8_t g_output[16];
static int8_t input[64] = {1, 2, 3, 4, 5, 6, 7, 8};

/* (anonymous namespace)::EvalInt8(signed char const*, int), the conv kernel's */
static int eval_conv(const int8_t *in, int n) __asm__("_ZN12_GLOBAL__N_18EvalInt8EPKai");
__attribute__((noinline, used)) static int eval_conv(const int8_t *in, int n) {
  int acc = 0;
  for (int i = 0; i < n; i++) acc += in[i] * 3;
  return acc;
}

/* the depthwise kernel's, in cxx_names_dw.c */
int eval_dw_entry(const int8_t *in, int n);

/* int Reduce<int>(int const*, int) */
int reduce_int(const int *v, int n) __asm__("_Z6ReduceIiET_PKS0_i");
__attribute__((noinline)) int reduce_int(const int *v, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += v[i];
  return s;
}

/* tflite::ArenaAllocator::Allocate(unsigned int): allocates through malloc, so it is the allocation's caller */
void *arena_allocate(unsigned n) __asm__("_ZN6tflite14ArenaAllocator8AllocateEj");
__attribute__((noinline)) void *arena_allocate(unsigned n) {
  uint8_t *p = malloc(n);
  if (p) p[0] = 0; /* work after the call: no tail call, so the allocation's caller is this function */
  return p;
}

/* tflite::micro::very_long_namespace_name_for_columns::KernelRunnerWithALongName::InvokeTheKernel(int) */
int long_named(int x) __asm__(
    "_ZN6tflite5micro36very_long_namespace_name_for_columns25KernelRunnerWithALongName15InvokeTheKernelEi");
__attribute__((noinline)) int long_named(int x) {
#ifdef CXX_FAULT
  __asm__ volatile("udf #0"); /* an undefined instruction: the fault names this function */
  return x;
#else
  return x + 1;
#endif
}

/* helper(): a global here and a local of the same name in cxx_names_dw.c; the global has no file, so the two are
 * told apart by address */
int helper(void) __asm__("_Z6helperv");
__attribute__((noinline)) int helper(void) { return 7; }

/* tflite::MicroInterpreter::Invoke() */
int invoke(void) __asm__("_ZN6tflite16MicroInterpreter6InvokeEv");
__attribute__((noinline)) int invoke(void) {
  int parts[3] = {eval_conv(input, 64), eval_dw_entry(input, 64), long_named(2) + helper()};
  for (int i = 0; i < 16; i++) g_output[i] = (int8_t)(3 * i + 1);
  return reduce_int(parts, 3);
}

int main(void) {
  void *scratch = arena_allocate(96);
  int sum = 0;
#ifdef FOREVER
  for (;;) sum += invoke();
#else
  for (int k = 0; k < INFERENCES; k++) sum += invoke();
#endif
  free(scratch);
  return sum == 0; /* 0 */
}
