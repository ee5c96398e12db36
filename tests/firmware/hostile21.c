/* Firmware for the engine's limits and fidelity (issue 21), one behaviour per build (CASE_<name>=1):
 * self_loop      prints, then halts in `b .` as newlib's nosys _exit does: a self-loop, not a limit
 * unmapped_jump  calls a function at an address no region maps
 * nx_jump        calls a function in the PPB (mapped read/write, not executable)
 * wfe_masked     masks interrupts and waits in a WFE loop: nothing can wake the core
 * bitband        sets and clears bits through the SRAM bit-band alias (ARMv7-M) and checks the word
 * heapinfo_flash asks SYS_HEAPINFO to write its block into flash (read-only)
 * print_flood    writes 960 KiB per semihosting call without end (the time limit must still stop it) */
#include <stdint.h>
#include <stdio.h>

#if defined(CASE_bitband)
static volatile uint32_t word __attribute__((aligned(4)));
#endif

__attribute__((unused)) static uint32_t semihost(uint32_t op, uint32_t arg) {
  register uint32_t r0 __asm__("r0") = op;
  register uint32_t r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int main(void) {
  printf("start\n");
#if defined(CASE_self_loop)
  fflush(stdout);
  __asm__ volatile("halt: b halt");
#elif defined(CASE_unmapped_jump)
  void (*fn)(void) = (void (*)(void))(uintptr_t)0x60000001u;
  fn();
#elif defined(CASE_nx_jump)
  void (*fn)(void) = (void (*)(void))(uintptr_t)0xE0010001u; /* the PPB: mapped, never executable */
  fn();
#elif defined(CASE_wfe_masked)
  __asm__ volatile("cpsid i");
  for (;;) __asm__ volatile("wfe");
#elif defined(CASE_bitband)
  uint32_t addr = (uint32_t)(uintptr_t)&word;
  volatile uint32_t *alias = (volatile uint32_t *)(uintptr_t)(0x22000000u + (addr - 0x20000000u) * 32u);
  word = 0;
  alias[3] = 1;
  alias[31] = 1;
  uint32_t after_set = word, bit3 = alias[3], bit4 = alias[4];
  alias[3] = 0;
  printf("bitband %08lx %lu %lu %08lx\n", (unsigned long)after_set, (unsigned long)bit3, (unsigned long)bit4,
         (unsigned long)word);
  return after_set == 0x80000008u && bit3 == 1 && bit4 == 0 && word == 0x80000000u ? 0 : 1;
#elif defined(CASE_heapinfo_flash)
  static uint32_t block = 0x00000100u; /* where the four words go: flash */
  semihost(0x16 /* SYS_HEAPINFO */, (uint32_t)(uintptr_t)&block);
#elif defined(CASE_print_flood)
  static const char tt[] = ":tt";
  uint32_t open_args[3] = {(uint32_t)(uintptr_t)tt, 4 /* "w" */, 3};
  uint32_t handle = semihost(0x01 /* SYS_OPEN */, (uint32_t)(uintptr_t)open_args);
  uint32_t write_args[3] = {handle, 0x0u, 0xF0000u}; /* 960 KiB of flash per SYS_WRITE, a few instructions apart */
  for (;;) semihost(0x05 /* SYS_WRITE */, (uint32_t)(uintptr_t)write_args);
#endif
  return 0;
}
