/* tests/firmware/exc_regs.h — the System Control Space registers the exception test firmware uses (ARMv7-M ARM
 * B3.2-B3.4; addresses only, written here rather than taken from a vendor header). */
#ifndef EXC_REGS_H
#define EXC_REGS_H
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define NVIC_ISPR0 REG(0xE000E200u)
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xE000E400u + (n)))
#define SCB_CPUID REG(0xE000ED00u)
#define SCB_ICSR REG(0xE000ED04u)
#define SCB_VTOR REG(0xE000ED08u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define SCB_SCR REG(0xE000ED10u)
#define SCB_CCR REG(0xE000ED14u)
#define SCB_SHPR2 REG(0xE000ED1Cu)
#define SCB_SHPR3 REG(0xE000ED20u)
#define SCB_SHCSR REG(0xE000ED24u)
#define SCB_CFSR REG(0xE000ED28u)
#define SCB_HFSR REG(0xE000ED2Cu)
#define SCB_CPACR REG(0xE000ED88u)
#define NVIC_STIR REG(0xE000EF00u)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

#define ICSR_PENDSVSET (1u << 28)

static inline void cyccnt_start(void) {
  DEMCR |= 1u << 24;
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
}

/* semihosting SYS_EXIT_EXTENDED-free exit: newlib's exit() through librdimon */
#endif
