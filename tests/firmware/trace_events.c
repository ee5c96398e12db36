/* Known trace pattern for the memory report (tests/cli/test_memory.c):
 *   layer 0 "conv_a" (100 MACs): alloc in 1000 @0, alloc out 3000 @1024 -> live 4000; free in -> 3000
 *   patch (0,0) (50 MACs) { layer 1 "dw_b" (40 MACs): alloc tmp 2000 @4096 -> 5000 (peak); free tmp }
 *   patch (0,1) (50 MACs) { layer 1 "dw_b" (40 MACs): alloc tmp 500 @4096 -> 3500; free tmp }
 *   layer 2 "fc_c" (7 MACs): free out -> 0
 * plus marks (number and string), layer info and parameters (layer 0). MISUSE_<kind>=1 adds one misuse at the end. */
#include <stdint.h>

#include "mcusim_trace.h"

static uint8_t arena[8192] __attribute__((section(".arena"), aligned(8)));

__attribute__((noinline)) static void work(int n) {
  for (volatile int i = 0; i < n; i++) {
  }
}

int main(void) {
  MCUSIM_MARK_STR("model", "synthetic");
  MCUSIM_MARK("answer", 42);
  MCUSIM_LAYER_INFO(0, "conv2d", 8, 8, 16);
  MCUSIM_LAYER_PARAMS(0, 448, 624); /* 3x3x3x16 weights + 16 biases; + 16 x 3 int32 in flash */
  MCUSIM_LAYER_BEGIN(0, "conv_a", 100);
  MCUSIM_ALLOC(arena, 1000, "in");
  MCUSIM_ALLOC(arena + 1024, 3000, "out");
  work(100);
  MCUSIM_FREE(arena);
  MCUSIM_LAYER_END(0);
  for (int p = 0; p < 2; p++) {
    MCUSIM_PATCH_BEGIN(0, p, 50);
    MCUSIM_LAYER_BEGIN(1, "dw_b", 40);
    MCUSIM_ALLOC(arena + 4096, p == 0 ? 2000 : 500, "tmp");
    work(50);
    MCUSIM_FREE(arena + 4096);
    MCUSIM_LAYER_END(1);
    MCUSIM_PATCH_END(0, p);
  }
  MCUSIM_LAYER_BEGIN(2, "fc_c", 7);
  MCUSIM_FREE(arena + 1024);
  MCUSIM_LAYER_END(2);
#if defined(MISUSE_unknown_free)
  MCUSIM_FREE(arena + 16);
#elif defined(MISUSE_double_free)
  MCUSIM_ALLOC(arena, 64, "twice");
  MCUSIM_FREE(arena);
  MCUSIM_FREE(arena);
#elif defined(MISUSE_overlap)
  MCUSIM_ALLOC(arena, 128, "first");
  MCUSIM_ALLOC(arena + 64, 128, "second");
#elif defined(MISUSE_outside_sram)
  MCUSIM_ALLOC((void *)0x00001000, 256, "in_flash");
#elif defined(MISUSE_stack_into_static)
  volatile uint8_t big[0x3F000]; /* from the top of 256 KiB SRAM down past .bss and the arena */
  big[0] = 1;
  big[sizeof big - 1] = 2;
#endif
  return 0;
}
