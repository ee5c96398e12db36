/* tests/firmware/cxx_names_dw.c — the second `(anonymous namespace)::EvalInt8(signed char const*, int)` of
 * cxx_names.c's firmware (the depthwise kernel's): same name, other file, other code. */
#include <stdint.h>

static int eval_dw(const int8_t *in, int n) __asm__("_ZN12_GLOBAL__N_18EvalInt8EPKai");
__attribute__((noinline, used)) static int eval_dw(const int8_t *in, int n) {
  int acc = 0;
  for (int i = 0; i < n; i += 2) acc += in[i] - 1;
  return acc;
}

int eval_dw_entry(const int8_t *in, int n) { return eval_dw(in, n); }
