/* Faults into the firmware's handlers with --deliver-faults, and system registers (issue 15), one per build:
 *   CASE_udf_usage:  UDF with UsageFault enabled in SHCSR: the UsageFault handler sees CFSR.UNDEFINSTR
 *   CASE_udf_hard:   UDF with UsageFault disabled: HardFault with HFSR.FORCED and CFSR.UNDEFINSTR
 *   CASE_bus:        a read of unmapped memory: BusFault with PRECISERR, BFARVALID and BFAR = the address
 *   CASE_sysreset:   AIRCR.SYSRESETREQ ends the run (exit 0) before the trap after it
 *   CASE_cpuid:      prints SCB->CPUID
 *   CASE_nocp:       (FPU cores) a float instruction with CPACR not enabling CP10/CP11: NOCP UsageFault
 * Handlers print what they saw and exit through semihosting. */
#include <stdio.h>
#include <stdlib.h>

#include "exc_regs.h"

static void report_and_exit(const char *which) {
#if defined(__ARM_FP)
  SCB_CPACR |= 0xFu << 20; /* printf uses the FPU (CASE_nocp turned it off) */
  __asm__ volatile("dsb\n isb");
#endif
  printf("%s cfsr=%08lx hfsr=%08lx bfar=%08lx\n", which, (unsigned long)SCB_CFSR, (unsigned long)SCB_HFSR,
         (unsigned long)REG(0xE000ED38u));
  exit(0);
}

void HardFault_Handler(void) { report_and_exit("hardfault"); }
void UsageFault_Handler(void) { report_and_exit("usagefault"); }
void BusFault_Handler(void) { report_and_exit("busfault"); }

static uint32_t ram_vectors[16] __attribute__((aligned(128)));

int main(void) {
  /* the start-up table has no BusFault/UsageFault entries: a copy in SRAM does */
  for (int i = 0; i < 16; i++) ram_vectors[i] = ((const uint32_t *)SCB_VTOR)[i];
  ram_vectors[3] = (uint32_t)HardFault_Handler;
  ram_vectors[5] = (uint32_t)BusFault_Handler;
  ram_vectors[6] = (uint32_t)UsageFault_Handler;
  SCB_VTOR = (uint32_t)ram_vectors;
#if defined(CASE_udf_usage)
  SCB_SHCSR |= 7u << 16; /* MEMFAULTENA, BUSFAULTENA, USGFAULTENA */
  __asm__ volatile("udf #1");
#elif defined(CASE_udf_hard)
  __asm__ volatile("udf #1");
#elif defined(CASE_bus)
  SCB_SHCSR |= 7u << 16;
  (void)REG(0x70000000u);
#elif defined(CASE_sysreset)
  SCB_AIRCR = 0x05FA0004u;
  __asm__ volatile("dsb\n isb\n udf #2");
#elif defined(CASE_cpuid)
  printf("cpuid=%08lx\n", (unsigned long)SCB_CPUID);
  return 0;
#elif defined(CASE_nocp)
  SCB_SHCSR |= 7u << 16;
  SCB_CPACR &= ~(0xFu << 20);
  __asm__ volatile("dsb\n isb");
  volatile float x = 1.5f;
  x = x * 2.0f;
  printf("nocp not raised: %d\n", (int)x);
#endif
  return 1;
}
