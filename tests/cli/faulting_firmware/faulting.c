/* Faulting firmware beyond tests/firmware/faults.c, one fault per build (FAULT_<kind>=1): the simulator must stop
 * with a diagnostic (PC, symbol+offset, instruction, registers) and a partial report, never crash. */
#include <stdint.h>
#include <stdio.h>

#include "mcusim_trace.h"

volatile uint32_t sink;
uint32_t words[8] __attribute__((aligned(8))) = {1, 2, 3, 4, 5, 6, 7, 8};

#if defined(FAULT_stack_overflow)
/* Each frame holds 256 bytes; the recursion runs down through the heap, .bss and .data until SRAM ends. */
__attribute__((noinline)) static uint32_t dive(uint32_t depth) {
  volatile uint32_t frame[64];
  if (depth == UINT32_MAX) return 0; /* never: SRAM ends long before */
  frame[depth & 63] = depth;
  return dive(depth + 1) + frame[(depth + 1) & 63];
}
#endif

#if defined(FAULT_arena_overflow)
static uint8_t arena[4096] __attribute__((section(".arena"), aligned(8)));
#endif

__attribute__((noinline)) void faulting_function(void) {
#if defined(FAULT_stack_overflow)
  sink = dive(0);
#elif defined(FAULT_arena_overflow)
  /* The firmware believes its arena holds 1 MiB: more than the whole SRAM. */
  MCUSIM_ALLOC(arena, 1u << 20, "oversized");
  volatile uint32_t *p = (volatile uint32_t *)arena;
  for (uint32_t i = 0; i < (1u << 20) / 4; i++) p[i] = i;
#elif defined(FAULT_ldrd_unaligned)
  /* ARMv7-M: LDRD/STRD/LDM/STM fault on any unaligned address, whatever CCR.UNALIGN_TRP says. */
  uint32_t lo, hi;
  __asm__ volatile(".syntax unified\n ldrd %0, %1, [%2]" : "=r"(lo), "=r"(hi) : "r"((uintptr_t)words + 2));
  sink = lo + hi;
#elif defined(FAULT_ldm_unaligned)
  uint32_t sum;
  __asm__ volatile(".syntax unified\n mov r4, %1\n ldm r4, {r5, r6}\n adds %0, r5, r6"
                   : "=r"(sum)
                   : "r"((uintptr_t)words + 2)
                   : "r4", "r5", "r6", "cc");
  sink = sum;
#elif defined(FAULT_stm_unaligned)
  __asm__ volatile(
      ".syntax unified\n mov r4, %0\n movs r5, #1\n movs r6, #2\n stm r4!, {r5, r6}" ::"r"((uintptr_t)words + 1)
      : "r4", "r5", "r6", "memory");
#elif defined(FAULT_ldr_unaligned)
  /* ARMv6-M: every unaligned word or halfword access faults. */
  uint32_t v;
  __asm__ volatile(".syntax unified\n ldr %0, [%1]" : "=r"(v) : "r"((uintptr_t)words + 2));
  sink = v;
#elif defined(FAULT_ldrh_unaligned)
  uint32_t v;
  __asm__ volatile(".syntax unified\n ldrh %0, [%1]" : "=r"(v) : "r"((uintptr_t)words + 1));
  sink = v;
#elif defined(FAULT_str_unaligned)
  __asm__ volatile(".syntax unified\n movs r5, #7\n str r5, [%0]" ::"r"((uintptr_t)words + 2) : "r5", "memory");
#elif defined(FAULT_even_jump_sram)
  /* A function pointer into SRAM with bit 0 clear: BLX to ARM state (INVSTATE). */
  void (*fn)(void) = (void (*)(void))((uintptr_t)words & ~1u);
  __asm__ volatile(".syntax unified\n " : "+r"(fn));
  fn();
#elif defined(FAULT_udf_mid_block)
  /* An undefined instruction after three good ones of the same basic block: those three are charged. */
  __asm__ volatile(".syntax unified\n movs r0, #1\n adds r0, #2\n adds r0, #3\n .short 0xde07\n adds r0, #4" ::
                       : "r0", "cc");
#elif defined(FAULT_udf_wide_mid_block)
  __asm__ volatile(".syntax unified\n movs r0, #1\n adds r0, #2\n udf.w #42\n adds r0, #4" ::: "r0", "cc");
#endif
}

int main(void) {
  printf("before the fault\n");
  faulting_function();
  printf("after the fault\n");
  return 0;
}
