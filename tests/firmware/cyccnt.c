/* Times a loop with DWT->CYCCNT exactly as firmware does on a board, for N and 2N iterations, and prints
 * the two differences. The simulator's test checks that the difference of the differences equals N times
 * the cost of one iteration, and that the report's total cycles moved by the same amount between builds. */
#include <stdint.h>
#include <stdio.h>

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

#ifndef LOOPS
#define LOOPS 1000
#endif

__attribute__((noinline)) static uint32_t timed_loop(uint32_t n) {
  uint32_t acc = 0;
  uint32_t start = DWT_CYCCNT;
  for (uint32_t i = 0; i < n; i++) {
    acc += i * 3u;
    __asm__ volatile("" : "+r"(acc));
  }
  uint32_t end = DWT_CYCCNT;
  __asm__ volatile("" ::"r"(acc));
  return end - start;
}

int main(void) {
  DEMCR |= 1u << 24; /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;    /* CYCCNTENA */
  uint32_t one = timed_loop(LOOPS);
  uint32_t two = timed_loop(2 * LOOPS);
  printf("cyccnt n=%u cycles=%lu\n", LOOPS, (unsigned long)one);
  printf("cyccnt n=%u cycles=%lu\n", 2 * LOOPS, (unsigned long)two);
  return 0;
}
