/* printf via newlib + librdimon semihosting, unmodified; returns 3 so the exit code is visible. */
#include <stdio.h>

int main(void) {
  printf("hello from Cortex-M, %d + %d = %d\n", 2, 3, 2 + 3);
  fprintf(stderr, "to stderr\n");
  return 3;
}
