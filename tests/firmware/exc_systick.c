/* SysTick and exception entry/return (issue 15), one behaviour per build:
 *   CASE_delay:   a HAL_Delay-style busy wait on a 1 ms SysTick counter; prints the ticks and the largest number
 *                 of cycles from a SysTick wrap to the handler's first read of SYST_CVR (the block-boundary error).
 *   CASE_latency: the core sleeps in WFI; the SysTick handler's first instruction after loading the address reads
 *                 SYST_CVR: RVR + 1 - CVR is the number of cycles since the wrap (entry latency + that one load).
 *   CASE_wfi:     the delay loop sleeping in WFI between ticks: the report's sleep_cycles. */
#include <stdio.h>

#include "exc_regs.h"

#ifndef TICK_CYCLES
#define TICK_CYCLES 100000u /* 1 ms at 100 MHz */
#endif
#ifndef DELAY_MS
#define DELAY_MS 20u
#endif

volatile uint32_t ticks;
volatile uint32_t cvr_at_entry, max_since_wrap;

/* The handler reads SYST_CVR first thing; the rest counts ticks. Written in assembly so its first instructions are
 * known: LDR r1, =SYST_CVR (a literal load) then LDR r2, [r1]. */
__attribute__((naked)) void SysTick_Handler(void) {
  __asm__ volatile(".syntax unified\n"
                   "ldr r1, =0xE000E018\n"
                   "ldr r2, [r1]\n"
                   "ldr r1, =cvr_at_entry\n"
                   "str r2, [r1]\n"
                   "ldr r1, =ticks\n"
                   "ldr r2, [r1]\n"
                   "adds r2, r2, #1\n"
                   "str r2, [r1]\n"
                   "push {lr}\n"
                   "bl note_latency\n"
                   "pop {pc}\n"
                   ".ltorg\n");
}

void note_latency(void) {
  uint32_t since = TICK_CYCLES - cvr_at_entry; /* RVR + 1 - CVR */
  if (since > max_since_wrap) max_since_wrap = since;
}

static void systick_start(void) {
  SYST_RVR = TICK_CYCLES - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* CLKSOURCE processor clock, TICKINT, ENABLE */
}

int main(void) {
  if (SCB_CPUID == 0) return 10; /* CMSIS start-up code checks it */
#if defined(CASE_latency)
  systick_start();
  __asm__ volatile("wfi");
  SYST_CSR = 0;
  printf("since_wrap=%lu\n", (unsigned long)(TICK_CYCLES - cvr_at_entry));
  return 0;
#else
  systick_start();
  uint32_t start = ticks;
  while (ticks - start < DELAY_MS + 1u) { /* HAL_Delay adds one tick to guarantee the minimum wait */
#if defined(CASE_wfi)
    __asm__ volatile("wfi");
#endif
  }
  SYST_CSR = 0;
  printf("ticks=%lu max_since_wrap=%lu\n", (unsigned long)ticks, (unsigned long)max_since_wrap);
  return 0;
#endif
}
