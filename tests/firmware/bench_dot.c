/* Compute-bound benchmark: int8 dot products with per-output requantisation, the inner loop of every
 * TinyML kernel, over buffers in SRAM. About 100 M instructions. */
#include <stdint.h>
#include <stdio.h>

#define N 4096
#define ROUNDS 600

static int8_t a[N], b[N];

static uint32_t rng_state = 12345u;
static uint32_t next_random(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return rng_state >> 8;
}

__attribute__((noinline)) static int32_t dot(const int8_t *x, const int8_t *y, int n) {
  int32_t acc = 0;
  for (int i = 0; i < n; i++) acc += x[i] * y[i];
  return acc;
}

int main(void) {
  for (int i = 0; i < N; i++) {
    a[i] = (int8_t)next_random();
    b[i] = (int8_t)next_random();
  }
  uint32_t checksum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    int32_t acc = dot(a, b, N);
    int32_t q = (int32_t)(((int64_t)acc * 1518500250) >> 38); /* requantise */
    checksum = checksum * 31u + (uint32_t)q;
    a[r % N] ^= (int8_t)q;
  }
  printf("checksum=0x%08lx\n", (unsigned long)checksum);
  return 0;
}
