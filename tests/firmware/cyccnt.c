/* Times a loop with DWT->CYCCNT exactly as firmware does on a board, for N and 2N iterations.
 * N lives in .data (not in the code), and the figures are printed by a routine whose cost does not depend
 * on the value, so two builds with different N run identical code: the difference of their reports' total
 * cycles must equal the difference of their CYCCNT measurements (tests/cli/test_run.c). */
#include <stdint.h>

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

#ifndef LOOPS
#define LOOPS 1000
#endif
volatile uint32_t loops = LOOPS;

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

/* SYS_WRITE0 of "cyccnt=XXXXXXXX\n": constant cost whatever the value. */
static void print_hex(uint32_t value) {
  static const char digits[] = "0123456789abcdef";
  char text[] = "cyccnt=00000000\n";
  for (int i = 0; i < 8; i++) text[7 + i] = digits[(value >> (28 - 4 * i)) & 0xFu];
  register uint32_t op __asm__("r0") = 4;
  register const char *arg __asm__("r1") = text;
  __asm__ volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
}

int main(void) {
  DEMCR |= 1u << 24; /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u; /* CYCCNTENA */
  uint32_t n = loops;
  uint32_t one = timed_loop(n);
  uint32_t two = timed_loop(2 * n);
  print_hex(one);
  print_hex(two);
  return 0;
}
