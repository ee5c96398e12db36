/* Nested preemption by priority and tail-chaining (issue 15): four IRQs of a vector table copied to SRAM (VTOR);
 * each handler appends a letter on entry (upper case) and on exit (lower case). IRQ0 (low) pends IRQ1 (high), which
 * preempts at once; IRQ1 pends IRQ2 (middle) and IRQ3 (as low as IRQ0): IRQ2 tail-chains after IRQ1 because it
 * outranks the preempted IRQ0; IRQ3 waits for IRQ0 to finish and tail-chains after it: "ABbCcaDd". Then IRQ2 is
 * pended with PRIMASK set and runs right after CPSIE: "xCcy". */
#include <stdio.h>
#include <string.h>

#include "exc_regs.h"

static uint32_t ram_vectors[48] __attribute__((aligned(256)));
static char log_text[16];
static volatile uint32_t log_len;

static void note(char c) {
  if (log_len < sizeof log_text - 1) log_text[log_len++] = c;
}

static void pend(unsigned irq) {
#if defined(__ARM_ARCH_6M__)
  NVIC_ISPR0 = 1u << irq; /* ARMv6-M has no STIR */
#else
  NVIC_STIR = irq;
#endif
  __asm__ volatile("dsb\n isb" ::: "memory"); /* the pended interrupt is taken before the next instruction */
}

static void irq0(void) {
  note('A');
  pend(1);
  note('a');
}
static void irq1(void) {
  note('B');
  pend(2);
  pend(3);
  note('b');
}
static void irq2(void) {
  note('C');
  note('c');
}
static void irq3(void) {
  note('D');
  note('d');
}

int main(void) {
  memcpy(ram_vectors, (const void *)SCB_VTOR, 16 * 4);
  ram_vectors[16] = (uint32_t)irq0;
  ram_vectors[17] = (uint32_t)irq1;
  ram_vectors[18] = (uint32_t)irq2;
  ram_vectors[19] = (uint32_t)irq3;
  SCB_VTOR = (uint32_t)ram_vectors;
  NVIC_IPR(0) = 0xC0;
  NVIC_IPR(1) = 0x40;
  NVIC_IPR(2) = 0x80;
  NVIC_IPR(3) = 0xC0;
  NVIC_ISER0 = 0xF;
  pend(0);
  /* pended while PRIMASK masks it: taken right after CPSIE */
  __asm__ volatile("cpsid i" ::: "memory");
  pend(2);
  note('x');
  __asm__ volatile("cpsie i" ::: "memory");
  note('y');
  log_text[log_len] = 0;
  printf("log=%s\n", log_text);
  return strcmp(log_text, "ABbCcaDdxCcy") == 0 ? 0 : 1;
}
