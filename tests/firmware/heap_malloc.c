/* tests/firmware/heap_malloc.c — newlib malloc of 16 KiB, no trace header and no annotations: mcusim counts the
 * heap from _sbrk (issue 17 item 3, tests/cli/test_tflm.c). Prints the break it reached. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  volatile uint8_t *p = malloc(16 * 1024);
  if (!p) return 1;
  memset((void *)p, 1, 16 * 1024);
  printf("malloc 16384 at %p\n", (void *)p);
  free((void *)p);
  return 0;
}
