/* Prints the CYCCNT figures of tests/firmware/page_split.S: the same LDR;LDR pair split by a page boundary and
 * not split. tests/cli/test_run.c checks that they are equal. */
#include <stdint.h>
#include <stdio.h>

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

uint32_t time_split(volatile uint32_t *cyccnt, const uint32_t *data);
uint32_t time_plain(volatile uint32_t *cyccnt, const uint32_t *data);

static uint32_t data[2] = {1, 2};

int main(void) {
  DEMCR |= 1u << 24;
  DWT_CTRL |= 1u;
  uint32_t split = time_split(&DWT_CYCCNT, data), plain = time_plain(&DWT_CYCCNT, data);
  printf("split=%lu plain=%lu\n", (unsigned long)split, (unsigned long)plain);
  return 0;
}
