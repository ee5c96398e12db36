/* nRF52840 clock start and UART0 transmit, written from the nRF52840 Product Specification's register tables (no
 * vendor code): start the HFXO (TASKS_HFCLKSTART, wait EVENTS_HFCLKSTARTED, check HFCLKSTAT), the LFCLK, then send a
 * line through the legacy UART0 (TXD, EVENTS_TXDRDY). Exits with the step that timed out, 0 when all went through. */
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define CLOCK 0x40000000u
#define UART0 0x40002000u
#define WAIT(cond, step)                                                                                               \
  do {                                                                                                                 \
    uint32_t spins = 0;                                                                                                \
    while (!(cond))                                                                                                    \
      if (++spins > 100000u) return (step);                                                                            \
  } while (0)

int main(void) {
  REG(CLOCK + 0x100) = 0; /* EVENTS_HFCLKSTARTED */
  REG(CLOCK + 0x000) = 1; /* TASKS_HFCLKSTART */
  WAIT(REG(CLOCK + 0x100), 1);
  if ((REG(CLOCK + 0x40C) & 0x10001u) != 0x10001u) return 2; /* HFCLKSTAT: SRC Xtal, STATE running */
  REG(CLOCK + 0x518) = 1;                                    /* LFCLKSRC: Xtal */
  REG(CLOCK + 0x104) = 0;                                    /* EVENTS_LFCLKSTARTED */
  REG(CLOCK + 0x008) = 1;                                    /* TASKS_LFCLKSTART */
  WAIT(REG(CLOCK + 0x104), 3);
  REG(UART0 + 0x500) = 4;           /* ENABLE */
  REG(UART0 + 0x524) = 0x01E00000u; /* BAUDRATE 115200 */
  REG(UART0 + 0x008) = 1;           /* TASKS_STARTTX */
  for (const char *s = "nrf52840 clock started\r\n"; *s; s++) {
    REG(UART0 + 0x11C) = 0; /* EVENTS_TXDRDY */
    REG(UART0 + 0x51C) = (uint8_t)*s;
    WAIT(REG(UART0 + 0x11C), 4);
  }
  return 0;
}
