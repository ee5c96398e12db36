/* An STM32-HAL-style clock set-up and UART transmit, written from the reference manuals' register descriptions (no
 * vendor code): what SystemInit + SystemClock_Config + a UART driver do to RCC, PWR, FLASH, GPIO and USART, polling
 * every ready flag as the HAL does. One build per family (FAMILY_F4: RM0402 STM32F412, FAMILY_F7: RM0385 STM32F746,
 * FAMILY_H7: RM0433 STM32H743, FAMILY_L4: RM0432 STM32L4R5); the profile's peripheral description
 * (profiles/periph/) makes the flags come up. Exits with the number of the step that timed out, 0 when all went
 * through. UNDESCRIBED=1 also touches a timer nobody described (two accesses in one 1 KiB: one warning). After the
 * clock set-up, HAL_Init's 1 ms SysTick and a HAL_Delay(5) (the exception model, docs/modelled.md) run before the
 * UART text; the delay is checked against DWT->CYCCNT. */
#include <stdint.h>
#include <stdio.h>

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define BIT(n) (1u << (n))
#define WAIT(cond, step)                                                                                               \
  do {                                                                                                                 \
    uint32_t spins = 0;                                                                                                \
    while (!(cond))                                                                                                    \
      if (++spins > 100000u) return (step);                                                                            \
  } while (0)

#if defined(FAMILY_F4) || defined(FAMILY_F7)
#define RCC 0x40023800u /* RM0402/RM0385 memory map */
#define RCC_CR REG(RCC + 0x00)
#define RCC_PLLCFGR REG(RCC + 0x04)
#define RCC_CFGR REG(RCC + 0x08)
#define RCC_AHB1ENR_ADDR (RCC + 0x30)
#define RCC_APB1ENR REG(RCC + 0x40)
#define PWR_CR REG(0x40007000u)
#define PWR_CSR REG(0x40007004u)
#define FLASH_ACR REG(0x40023C00u)
#define GPIOD 0x40020C00u
#define UART 0x40004800u /* USART3: the NUCLEO-144 ST-LINK virtual COM port */
#define SWS_SHIFT 2
#define SW_PLL 2u
#if defined(FAMILY_F4)
#define SYSCLK_HZ 100000000u /* the profile's clock */
#define LATENCY 3u           /* 100 MHz at 3.3 V: 3 wait states (RM0402 flash access time table) */
#else
#define SYSCLK_HZ 216000000u
#define LATENCY 7u /* 216 MHz: 7 wait states (RM0385) */
#endif
#elif defined(FAMILY_H7)
#define RCC 0x58024400u /* RM0433 memory map */
#define RCC_CR REG(RCC + 0x00)
#define RCC_CFGR REG(RCC + 0x10)
#define RCC_D1CFGR REG(RCC + 0x18)
#define RCC_PLLCKSELR REG(RCC + 0x28)
#define RCC_PLLCFGR REG(RCC + 0x2C)
#define RCC_PLL1DIVR REG(RCC + 0x30)
#define RCC_AHB4ENR REG(RCC + 0xE0)
#define RCC_APB1LENR REG(RCC + 0xE8)
#define PWR_CSR1 REG(0x58024804u)
#define PWR_CR3 REG(0x5802480Cu)
#define PWR_D3CR REG(0x58024818u)
#define FLASH_ACR REG(0x52002000u)
#define GPIOD 0x58020C00u
#define UART 0x40004800u
#define SWS_SHIFT 3
#define SW_PLL 3u
#define SYSCLK_HZ 480000000u /* the profile's clock (this set-up programs 400 MHz; the simulator runs the profile's)   \
                              */
#define LATENCY 4u           /* 400 MHz at VOS1: 4 wait states, WRHIGHFREQ 2 (RM0433 table 17) */
#elif defined(FAMILY_L4)
#define RCC 0x40021000u /* RM0432 memory map */
#define RCC_CR REG(RCC + 0x00)
#define RCC_CFGR REG(RCC + 0x08)
#define RCC_PLLCFGR REG(RCC + 0x0C)
#define RCC_AHB2ENR_ADDR (RCC + 0x4C)
#define RCC_APB1ENR1 REG(RCC + 0x58)
#define RCC_APB1ENR2 REG(RCC + 0x5C)
#define PWR_CR1 REG(0x40007000u)
#define PWR_CR2 REG(0x40007004u)
#define PWR_SR2 REG(0x40007014u)
#define PWR_CR5 REG(0x40007080u)
#define FLASH_ACR REG(0x40022000u)
#define GPIOG 0x48001800u
#define UART 0x40008000u /* LPUART1: the NUCLEO-L4R5ZI virtual COM port */
#define SWS_SHIFT 2
#define SW_PLL 3u
#define SYSCLK_HZ 120000000u
#define LATENCY 5u /* 120 MHz range 1 boost: 5 wait states (RM0432) */
#else
#error "define FAMILY_F4, FAMILY_F7, FAMILY_H7 or FAMILY_L4"
#endif

#if defined(FAMILY_F4)
/* the original USART: SR 0x00 (TXE 7, TC 6), DR 0x04, BRR 0x08, CR1 0x0C (UE 13, TE 3) */
#define UART_BRR REG(UART + 0x08)
#define UART_CR1 REG(UART + 0x0C)
#define UART_TX_READY() (REG(UART + 0x00) & BIT(7))
#define UART_DONE() (REG(UART + 0x00) & BIT(6))
#define UART_SEND(c) (REG(UART + 0x04) = (uint8_t)(c))
#define UART_ENABLE (BIT(13) | BIT(3))
#else
/* the newer USART/LPUART: CR1 0x00 (UE 0, TE 3), BRR 0x0C, ISR 0x1C (TXE 7, TC 6, TEACK 21), TDR 0x28 */
#define UART_BRR REG(UART + 0x0C)
#define UART_CR1 REG(UART + 0x00)
#define UART_TX_READY() (REG(UART + 0x1C) & BIT(7))
#define UART_DONE() (REG(UART + 0x1C) & BIT(6))
#define UART_SEND(c) (REG(UART + 0x28) = (uint8_t)(c))
#define UART_ENABLE (BIT(0) | BIT(3))
#endif

static int clock_setup(void) {
#if defined(FAMILY_F4) || defined(FAMILY_F7)
  /* SystemInit: HSI on, CFGR reset, HSE/CSS/PLL off, PLLCFGR reset value, HSEBYP off */
  RCC_CR |= BIT(0);
  RCC_CFGR = 0;
  RCC_CR &= ~(BIT(16) | BIT(19) | BIT(24));
  RCC_PLLCFGR = 0x24003010u;
  RCC_CR &= ~BIT(18);
  /* power interface clock, then voltage scale 1 */
  RCC_APB1ENR |= BIT(28);
  (void)RCC_APB1ENR;
  PWR_CR = (PWR_CR & ~(3u << 14)) | (3u << 14);
  (void)PWR_CR;
  /* HSE (8 MHz from the ST-LINK) */
  RCC_CR |= BIT(16);
  WAIT(RCC_CR & BIT(17), 1);
  /* PLL off, configure (M 8, N 200/432, P 2, Q, source HSE), on */
  RCC_CR &= ~BIT(24);
  WAIT(!(RCC_CR & BIT(25)), 2);
#if defined(FAMILY_F4)
  RCC_PLLCFGR = 8u | (200u << 6) | (0u << 16) | BIT(22) | (4u << 24);
#else
  RCC_PLLCFGR = 8u | (432u << 6) | (0u << 16) | BIT(22) | (9u << 24);
#endif
  RCC_CR |= BIT(24);
  WAIT(RCC_CR & BIT(25), 3);
#if defined(FAMILY_F7)
  /* over-drive for 216 MHz: ODEN, wait ODRDY; ODSWEN, wait ODSWRDY (RM0385 PWR_CR1/PWR_CSR1) */
  PWR_CR |= BIT(16);
  WAIT(PWR_CSR & BIT(16), 4);
  PWR_CR |= BIT(17);
  WAIT(PWR_CSR & BIT(17), 5);
#else
  WAIT(PWR_CSR & BIT(14), 4); /* VOSRDY */
#endif
  /* flash latency before the faster clock, read back as the HAL checks it */
  FLASH_ACR = (FLASH_ACR & ~0xFu) | LATENCY | BIT(8);
  if ((FLASH_ACR & 0xFu) != LATENCY) return 6;
  /* AHB /1, APB1 /2 (F4) or /4 (F7), APB2 /1 or /2, then SYSCLK from the PLL */
  RCC_CFGR = (RCC_CFGR & ~0xFCF0u) | (4u << 10);
  RCC_CFGR = (RCC_CFGR & ~3u) | SW_PLL;
  WAIT(((RCC_CFGR >> SWS_SHIFT) & 3u) == SW_PLL, 7);
  /* GPIOD clock (through the peripheral bit-band alias on the M4), PD8 TX as AF7 */
#if defined(FAMILY_F4)
  REG(0x42000000u + (RCC_AHB1ENR_ADDR - 0x40000000u) * 32u + 3u * 4u) = 1;
  if (!(REG(RCC_AHB1ENR_ADDR) & BIT(3))) return 8;
#else
  REG(RCC_AHB1ENR_ADDR) |= BIT(3);
#endif
  REG(GPIOD + 0x00) = (REG(GPIOD + 0x00) & ~(3u << 16)) | (2u << 16);
  REG(GPIOD + 0x24) = (REG(GPIOD + 0x24) & ~0xFu) | 7u;
  RCC_APB1ENR |= BIT(18); /* USART3 */
  UART_BRR = 0x364;       /* 115200 Bd at 50/54 MHz APB1 (not checked by the model) */
#elif defined(FAMILY_H7)
  /* supply from the LDO: SCUEN, LDOEN, wait ACTVOSRDY (RM0433 PWR_CR3, PWR_CSR1) */
  PWR_CR3 = (PWR_CR3 & ~7u) | BIT(1);
  WAIT(PWR_CSR1 & BIT(13), 1);
  /* voltage scale 1, read back, wait VOSRDY (PWR_D3CR) */
  PWR_D3CR = (PWR_D3CR & ~(3u << 14)) | (3u << 14);
  (void)PWR_D3CR;
  WAIT(PWR_D3CR & BIT(13), 2);
  /* HSE on, PLL1 off, PLL1 from HSE / 4 x 400 / 2, on */
  RCC_CR |= BIT(16);
  WAIT(RCC_CR & BIT(17), 3);
  RCC_CR &= ~BIT(24);
  WAIT(!(RCC_CR & BIT(25)), 4);
  RCC_PLLCKSELR = (RCC_PLLCKSELR & ~0x3F3u) | 2u | (4u << 4);
  RCC_PLL1DIVR = (400u - 1u) | ((2u - 1u) << 9) | ((4u - 1u) << 16) | ((2u - 1u) << 24);
  RCC_PLLCFGR = (RCC_PLLCFGR & ~0xFu) | (2u << 2) | BIT(16) | BIT(17) | BIT(18);
  RCC_CR |= BIT(24);
  WAIT(RCC_CR & BIT(25), 5);
  /* flash latency and programming delay, read back */
  FLASH_ACR = (FLASH_ACR & ~0x3Fu) | LATENCY | (2u << 4);
  if ((FLASH_ACR & 0xFu) != LATENCY) return 6;
  /* D1CPRE /1, HPRE /2, D1PPRE /2; SYSCLK from PLL1 */
  RCC_D1CFGR = (8u << 0) | (4u << 4);
  RCC_CFGR = (RCC_CFGR & ~7u) | SW_PLL;
  WAIT(((RCC_CFGR >> SWS_SHIFT) & 7u) == SW_PLL, 7);
  RCC_AHB4ENR |= BIT(3); /* GPIOD */
  REG(GPIOD + 0x00) = (REG(GPIOD + 0x00) & ~(3u << 16)) | (2u << 16);
  REG(GPIOD + 0x24) = (REG(GPIOD + 0x24) & ~0xFu) | 7u;
  RCC_APB1LENR |= BIT(18); /* USART3 */
  UART_BRR = 0x364;
#elif defined(FAMILY_L4)
  /* power interface clock, range 1 boost: R1MODE 0, VOS range 1, wait VOSF clear (RM0432 PWR_CR5, PWR_SR2) */
  RCC_APB1ENR1 |= BIT(28);
  (void)RCC_APB1ENR1;
  PWR_CR5 &= ~BIT(8);
  PWR_CR1 = (PWR_CR1 & ~(3u << 9)) | (1u << 9);
  WAIT(!(PWR_SR2 & BIT(10)), 1);
  /* HSI16 on; PLL off, from HSI16 / 2 x 30 / 2, on */
  RCC_CR |= BIT(8);
  WAIT(RCC_CR & BIT(10), 2);
  RCC_CR &= ~BIT(24);
  WAIT(!(RCC_CR & BIT(25)), 3);
  RCC_PLLCFGR = 2u | ((2u - 1u) << 4) | (30u << 8) | BIT(24);
  RCC_CR |= BIT(24);
  WAIT(RCC_CR & BIT(25), 4);
  FLASH_ACR = (FLASH_ACR & ~0xFu) | LATENCY;
  if ((FLASH_ACR & 0xFu) != LATENCY) return 6;
  RCC_CFGR = (RCC_CFGR & ~3u) | SW_PLL;
  WAIT(((RCC_CFGR >> SWS_SHIFT) & 3u) == SW_PLL, 7);
  /* GPIOG clock through the peripheral bit-band alias, VDDIO2 valid, PG7 TX as AF8 */
  REG(0x42000000u + (RCC_AHB2ENR_ADDR - 0x40000000u) * 32u + 6u * 4u) = 1;
  if (!(REG(RCC_AHB2ENR_ADDR) & BIT(6))) return 8;
  PWR_CR2 |= BIT(9);
  REG(GPIOG + 0x00) = (REG(GPIOG + 0x00) & ~(3u << 14)) | (2u << 14);
  REG(GPIOG + 0x20) = (REG(GPIOG + 0x20) & ~0xF0000000u) | (8u << 28);
  RCC_APB1ENR2 |= BIT(0); /* LPUART1 */
  UART_BRR = 0x116C3;
#endif
  return 0;
}

static int uart_write(const char *s) {
  UART_CR1 = UART_ENABLE;
#if !defined(FAMILY_F4)
  WAIT(REG(UART + 0x1C) & BIT(21), 10); /* TEACK */
#endif
  for (; *s; s++) {
    WAIT(UART_TX_READY(), 11);
    UART_SEND(*s);
  }
  WAIT(UART_DONE(), 12);
  return 0;
}

/* HAL_Init's time base: SysTick at 1 ms from the core clock (ARMv7-M ARM B3.3: CSR CLKSOURCE|TICKINT|ENABLE). */
static volatile uint32_t ticks;
void SysTick_Handler(void) { ticks++; }

static int hal_delay_ms(uint32_t ms) {
  REG(0xE000EDFCu) |= BIT(24);               /* DEMCR.TRCENA */
  REG(0xE0001000u) |= 1u;                    /* DWT_CTRL.CYCCNTENA */
  REG(0xE000E014u) = SYSCLK_HZ / 1000u - 1u; /* SYST_RVR */
  REG(0xE000E018u) = 0;                      /* SYST_CVR */
  REG(0xE000E010u) = 7u;                     /* SYST_CSR */
  uint32_t start = ticks, c0 = REG(0xE0001004u);
  while (ticks - start < ms + 1u) /* HAL_Delay waits at least ms: one more tick */
    ;
  uint32_t cycles = REG(0xE0001004u) - c0;
  REG(0xE000E010u) = 0;
  /* ms + 1 ticks, the first one partial: between ms and ms + 1 milliseconds, plus the handler's time */
  if (cycles < ms * (SYSCLK_HZ / 1000u) || cycles > (ms + 1u) * (SYSCLK_HZ / 1000u) + 1000u) return 13;
  return 0;
}

int main(void) {
#if defined(UNDESCRIBED)
  REG(0x40000000u) = 1;   /* TIM2 CR1: not described */
  (void)REG(0x4000002Cu); /* TIM2 ARR: the same 1 KiB */
#endif
  int step = clock_setup();
  if (step) {
    printf("clock set-up timed out at step %d\n", step);
    return step;
  }
  step = hal_delay_ms(5);
  if (step) {
    printf("HAL_Delay(5) out of range (step %d)\n", step);
    return step;
  }
  step = uart_write("hello from the UART\r\n");
  if (step) printf("uart timed out at step %d\n", step);
  return step;
}
