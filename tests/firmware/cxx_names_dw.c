/* tests/firmware/cxx_names_dw.c — the second `(anonymous namespace)::EvalInt8(signed char const*, int)` of
 * cxx_names.c's firmware (the depthwise kernel's): same name, other file, other code. */
#include <stdint.h>

static int eval_dw(const int8_t *in, int n) __asm__("_ZN12_GLOBAL__N_18EvalInt8EPKai");
__attribute__((noinline, used)) static int eval_dw(const int8_t *in, int n) {
  int acc = 0;
  for (int i = 0; i < n; i += 2) acc += in[i] - 1;
  return acc;
}

/* helper(), local: the global one is in cxx_names.c */
static int local_helper(void) __asm__("_Z6helperv");
__attribute__((noinline, used)) static int local_helper(void) { return 5; }

int eval_dw_entry(const int8_t *in, int n) { return eval_dw(in, n) + local_helper(); }
