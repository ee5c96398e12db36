/* mcusim's board support for Embench IoT 1.0 (scripts/accuracy.sh): vector table and reset, the suite's
 * start/stop triggers timed with DWT->CYCCNT as on the reference board, the count and the exit through
 * semihosting. Written for mcusim; links with the suite's STM32F407 linker script (symbols _estack, _sidata,
 * _sdata, _edata, _sbss, _ebss). */
#include <stdint.h>

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
extern int main(int argc, char *argv[]);
void Reset_Handler(void);
void _exit(int status);

__attribute__((section(".isr_vector"), used)) const void *const board_vectors[2] = {&_estack, (void *)Reset_Handler};

static volatile uint32_t board_start, board_stop;

static uint32_t board_semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void initialise_board(void) {
  DEMCR |= 1u << 24; /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u; /* CYCCNTENA */
}

void __attribute__((noinline, externally_visible)) start_trigger(void) { board_start = DWT_CYCCNT; }

void __attribute__((noinline, externally_visible)) stop_trigger(void) { board_stop = DWT_CYCCNT; }

void _exit(int status) {
  char line[32] = "embench-cycles ";
  char digits[12];
  uint32_t n = board_stop - board_start;
  int len = 0, at = 15;
  do {
    digits[len++] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  while (len) line[at++] = digits[--len];
  line[at++] = '\n';
  line[at] = 0;
  board_semihost(0x04, line);                       /* SYS_WRITE0 */
  uint32_t block[2] = {0x20026u, (uint32_t)status}; /* ADP_Stopped_ApplicationExit, status */
  board_semihost(0x20, block);                      /* SYS_EXIT_EXTENDED */
  for (;;) {
  }
}

void Reset_Handler(void) {
  uint32_t *src = &_sidata;
  for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  _exit(main(0, 0));
}
