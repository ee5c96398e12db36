/* sim/devices/semihost.h — Arm semihosting ("Semihosting for AArch32 and AArch64", version 2) for a firmware
 * without a debugger: console output, the ":tt" and ":semihosting-features" pseudo-files, HEAPINFO for newlib's
 * rdimon crt0, CLOCK in simulated centiseconds, TIME 0 (deterministic runs), EXIT/EXIT_EXTENDED. No host file
 * access: other opens fail. The engine traps BKPT 0xAB and calls dev_semihost_call with R0 and R1. */
#ifndef MCUSIM_DEV_SEMIHOST_H
#define MCUSIM_DEV_SEMIHOST_H

#include "sim/devices/dev.h"

typedef struct {
  const dev_host_t *host;
  uint32_t heap_base;    /* newlib's `end`: the heap grows up from it */
  uint32_t initial_sp;   /* the stack grows down from it */
  uint64_t clock_hz;     /* for SYS_CLOCK */
  uint32_t features_pos; /* read position in the ":semihosting-features" pseudo-file */
} dev_semihost_t;

void dev_semihost_init(dev_semihost_t *sh, const dev_host_t *host, uint32_t heap_base, uint32_t initial_sp,
                       uint64_t clock_hz);
/* Runs operation `op` (R0) with the parameter block or value `args` (R1); returns what goes back into R0. */
uint32_t dev_semihost_call(dev_semihost_t *sh, uint32_t op, uint32_t args);

#endif /* MCUSIM_DEV_SEMIHOST_H */
