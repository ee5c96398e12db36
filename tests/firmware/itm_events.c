/* ITM port 0 as stdout (CMSIS ITM_SendChar style) and arena events with a known pattern:
 * alloc 1000 @A, alloc 3000 @B (live 4000), free A (3000), alloc 2000 @C (live 5000 = peak), free B, free C. */
#include <stdint.h>

#include "mcusim_trace.h"

static uint8_t arena[8192] __attribute__((section(".arena"), aligned(8)));

static void itm_puts(const char *s) {
  while (*s) {
    while (MCUSIM_ITM_PORT(0) == 0u) {
    }
    *(volatile uint8_t *)MCUSIM_ITM_BASE = (uint8_t)*s++;
  }
}

int main(void) {
  itm_puts("itm says hi\n");
  MCUSIM_ALLOC(arena, 1000, "a");
  MCUSIM_ALLOC(arena + 1024, 3000, "b");
  MCUSIM_FREE(arena);
  MCUSIM_ALLOC(arena + 4096, 2000, "c");
  MCUSIM_FREE(arena + 1024);
  MCUSIM_FREE(arena + 4096);
  return 0;
}
