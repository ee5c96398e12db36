/* A two-thread round-robin scheduler as an RTOS port does it (issue 15): SysTick pends PendSV every tick; PendSV
 * saves R4-R11 (and S16-S31 when the thread has an FP context, EXC_RETURN bit 4 clear) on the thread's PSP stack and
 * switches; SVC starts the first thread. Both threads compute (float math on FPU cores, integer math everywhere)
 * and the results must equal the same computation run in main before the scheduler started. */
#include <stdio.h>
#include <stdlib.h>

#include "exc_regs.h"

#ifndef TICK_CYCLES
#define TICK_CYCLES 5000u
#endif
#define ITERATIONS 20000u
#define STACK_WORDS 256u

static uint32_t stack_a[STACK_WORDS] __attribute__((aligned(8))), stack_b[STACK_WORDS] __attribute__((aligned(8)));
uint32_t *thread_sp[2];
volatile uint32_t current;
volatile uint32_t done[2], switches, fp_switches; /* fp_switches: PendSV entered with an FP frame */
volatile uint32_t int_result[2];
volatile float fp_result[2];

__attribute__((noinline)) static uint32_t int_work(uint32_t seed) {
  uint32_t x = seed;
  for (uint32_t i = 0; i < ITERATIONS; i++) x = x * 1664525u + 1013904223u + (x >> 7);
  return x;
}

#if defined(__ARM_FP)
__attribute__((noinline)) static float fp_work(float seed) {
  float x = seed, y = 0.5f;
  for (uint32_t i = 0; i < ITERATIONS; i++) {
    x = x * 0.99991f + y;
    y = y * 1.00003f - 0.0001f * x;
  }
  return x + y;
}
#endif

static void thread(uint32_t id) {
  int_result[id] = int_work(id + 1u);
#if defined(__ARM_FP)
  fp_result[id] = fp_work((float)id + 1.5f);
#endif
  done[id] = 1;
  if (id == 1)
    for (;;) {
    }
  while (!done[1]) {
  }
  SYST_CSR = 0;
  uint32_t ok = 1;
  for (uint32_t t = 0; t < 2; t++) {
    ok &= int_result[t] == int_work(t + 1u);
#if defined(__ARM_FP)
    ok &= fp_result[t] == fp_work((float)t + 1.5f);
#endif
  }
  printf("threads ok=%lu switches=%lu fp_switches=%lu psp=%d\n", (unsigned long)ok, (unsigned long)switches,
         (unsigned long)fp_switches,
         (int)((uint32_t)__builtin_frame_address(0) >= (uint32_t)stack_a &&
               (uint32_t)__builtin_frame_address(0) < (uint32_t)(stack_a + STACK_WORDS)));
  exit(ok ? 0 : 1);
}

static void thread_a(void) { thread(0); }
static void thread_b(void) { thread(1); }

/* Initial stack of a thread: the hardware frame (xPSR, PC, LR, R12, R3-R0), below it EXC_RETURN and R4-R11 as the
 * PendSV handler saves them. */
static uint32_t *initial_stack(uint32_t *top, void (*entry)(void)) {
  uint32_t *sp = top - 8;
  for (int i = 0; i < 8; i++) sp[i] = 0;
  sp[6] = (uint32_t)entry & ~1u; /* return address */
  sp[7] = 0x01000000u;           /* xPSR: Thumb */
  sp -= 9;
  for (int i = 0; i < 8; i++) sp[i] = 0x04040404u * (uint32_t)(i + 4); /* R4-R11 */
  sp[8] = 0xFFFFFFFDu;                                                 /* EXC_RETURN: thread, PSP, basic frame */
  return sp;
}

void SysTick_Handler(void) { SCB_ICSR = ICSR_PENDSVSET; }

void switch_context(void) {
  current ^= 1u;
  switches++;
}

#if defined(__ARM_ARCH_6M__)
/* ARMv6-M: STM/LDM reach only R0-R7, so R8-R11 go through R4-R7; EXC_RETURN is always the basic frame. */
__attribute__((naked)) void PendSV_Handler(void) {
  __asm__ volatile(".syntax unified\n"
                   "mrs r0, psp\n"
                   "subs r0, r0, #36\n"
                   "mov r1, r0\n"
                   "stmia r1!, {r4-r7}\n"
                   "mov r4, r8\n mov r5, r9\n mov r6, r10\n mov r7, r11\n"
                   "stmia r1!, {r4-r7}\n"
                   "mov r2, lr\n str r2, [r1]\n"
                   "ldr r2, =current\n ldr r3, [r2]\n lsls r3, r3, #2\n ldr r1, =thread_sp\n str r0, [r1, r3]\n"
                   "bl switch_context\n"
                   "ldr r2, =current\n ldr r3, [r2]\n lsls r3, r3, #2\n ldr r1, =thread_sp\n ldr r0, [r1, r3]\n"
                   "adds r0, r0, #16\n"
                   "ldmia r0!, {r4-r7}\n"
                   "mov r8, r4\n mov r9, r5\n mov r10, r6\n mov r11, r7\n"
                   "ldr r1, [r0]\n mov lr, r1\n"
                   "subs r0, r0, #32\n"
                   "ldmia r0!, {r4-r7}\n"
                   "adds r0, r0, #20\n"
                   "msr psp, r0\n"
                   "bx lr\n"
                   ".ltorg\n");
}

__attribute__((naked)) void SVC_Handler(void) {
  __asm__ volatile(".syntax unified\n"
                   "ldr r1, =thread_sp\n ldr r0, [r1]\n"
                   "adds r0, r0, #16\n"
                   "ldmia r0!, {r4-r7}\n"
                   "mov r8, r4\n mov r9, r5\n mov r10, r6\n mov r11, r7\n"
                   "ldr r1, [r0]\n mov lr, r1\n"
                   "subs r0, r0, #32\n"
                   "ldmia r0!, {r4-r7}\n"
                   "adds r0, r0, #20\n"
                   "msr psp, r0\n"
                   "bx lr\n"
                   ".ltorg\n");
}
#else
__attribute__((naked)) void PendSV_Handler(void) {
  __asm__ volatile("mrs r0, psp\n"
#if defined(__ARM_FP)
                   "tst lr, #0x10\n"
                   "bne 1f\n"
                   "ldr r2, =fp_switches\n ldr r3, [r2]\n adds r3, r3, #1\n str r3, [r2]\n"
                   "vstmdb r0!, {s16-s31}\n"
                   "1:\n"
#endif
                   "stmdb r0!, {r4-r11, lr}\n"
                   "ldr r2, =current\n ldr r3, [r2]\n ldr r1, =thread_sp\n str r0, [r1, r3, lsl #2]\n"
                   "bl switch_context\n"
                   "ldr r2, =current\n ldr r3, [r2]\n ldr r1, =thread_sp\n ldr r0, [r1, r3, lsl #2]\n"
                   "ldmia r0!, {r4-r11, lr}\n"
#if defined(__ARM_FP)
                   "tst lr, #0x10\n"
                   "it eq\n"
                   "vldmiaeq r0!, {s16-s31}\n"
#endif
                   "msr psp, r0\n"
                   "isb\n"
                   "bx lr\n"
                   ".ltorg\n");
}

__attribute__((naked)) void SVC_Handler(void) {
  __asm__ volatile("ldr r1, =thread_sp\n ldr r0, [r1]\n"
                   "ldmia r0!, {r4-r11, lr}\n"
                   "msr psp, r0\n"
                   "isb\n"
                   "bx lr\n"
                   ".ltorg\n");
}
#endif

int main(void) {
  thread_sp[0] = initial_stack(stack_a + STACK_WORDS, thread_a);
  thread_sp[1] = initial_stack(stack_b + STACK_WORDS, thread_b);
  current = 0;
  SCB_SHPR3 = 0xFFu << 16 | 0x80u << 24; /* PendSV lowest, SysTick above it */
  SYST_RVR = TICK_CYCLES - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u;
  __asm__ volatile("svc 0");
  return 99; /* not reached */
}
