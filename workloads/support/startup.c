/* Minimal Cortex-M start-up for mcusim firmware: vector table, .data copy, .bss clear, C++/constructor init,
 * main, then exit through newlib (semihosting SYS_EXIT under librdimon) with main's return value. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start__, __bss_end__;
extern int main(void);
extern void __libc_init_array(void);
/* librdimon opens the semihosting stdin/stdout/stderr handles here; absent without semihosting. */
extern void initialise_monitor_handles(void) __attribute__((weak));

void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void) {
  for (;;) {
  }
}

void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

/* ARMv7-M/ARMv6-M vector table: initial SP, then the reset handler (Thumb address). */
__attribute__((section(".isr_vector"), used)) const void *const mcusim_vectors[16] = {
    &__stack_top,
    (void *)Reset_Handler,
    (void *)NMI_Handler,
    (void *)HardFault_Handler,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    (void *)SVC_Handler,
    0,
    0,
    (void *)PendSV_Handler,
    (void *)SysTick_Handler,
};

void Reset_Handler(void) {
  uint32_t *src = &__data_load;
  for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (uint32_t *dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
#if defined(__ARM_FP)
  /* Enable CP10/CP11 (the FPU) as CMSIS SystemInit does: SCB->CPACR at 0xE000ED88. */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
#endif
  if (initialise_monitor_handles) initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}

/* -nostartfiles drops crti/crtn; newlib's __libc_init_array still calls these. */
void _init(void) {}
void _fini(void) {}
