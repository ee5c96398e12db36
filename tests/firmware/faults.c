/* One fault per build (FAULT_<kind>=1): the simulator must stop with a diagnostic naming the PC, the
 * symbol and the instruction, and still write the partial report. */
#include <stdint.h>
#include <stdio.h>

__attribute__((noinline)) void faulting_function(void) {
#if defined(FAULT_unmapped_read)
  volatile uint32_t x = *(volatile uint32_t *)0x60000000u;
  (void)x;
#elif defined(FAULT_unmapped_write)
  *(volatile uint32_t *)0x60000000u = 1;
#elif defined(FAULT_flash_write)
  volatile uint32_t *flash = (volatile uint32_t *)(uintptr_t)0x00000100u;
  __asm__ volatile("" : "+r"(flash));
  *flash = 1; /* flash is read-only */
#elif defined(FAULT_undefined)
  __asm__ volatile(".short 0xde00"); /* UDF #0 */
#elif defined(FAULT_bkpt)
  __asm__ volatile("bkpt 0x01");
#elif defined(FAULT_svc)
  __asm__ volatile("svc 0x05");
#elif defined(FAULT_wfi)
  __asm__ volatile("wfi");
#elif defined(FAULT_runaway)
  for (volatile uint32_t i = 0;; i++) {
  }
#elif defined(FAULT_even_jump)
  void (*fn)(void) = (void (*)(void))(uintptr_t)0x00000200u; /* bit 0 clear: ARM state */
  fn();
#endif
}

int main(void) {
  printf("before the fault\n");
  faulting_function();
  printf("after the fault\n");
  return 0;
}
