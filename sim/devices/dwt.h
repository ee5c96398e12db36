/* sim/devices/dwt.h — the DWT cycle counter (ARMv7-M ARM C1.8.8): CYCCNT counts the engine's cycles only while
 * DWT_CTRL.CYCCNTENA is set, as on silicon; a write sets it. The time comes from host->now, so a read sees the
 * cycle of the very instruction that reads. */
#ifndef MCUSIM_DEV_DWT_H
#define MCUSIM_DEV_DWT_H

#include "sim/devices/dev.h"

#define DEV_DWT_BASE 0xE0001000u
#define DEV_DWT_SIZE 0x1000u
#define DEV_DWT_CTRL 0x000u
#define DEV_DWT_CYCCNT 0x004u
#define DEV_DWT_CTRL_CYCCNTENA 1u

typedef struct {
  const dev_host_t *host;
  uint64_t cyccnt_base; /* CYCCNT = cycles - cyccnt_base while enabled */
  uint32_t cyccnt_frozen, ctrl;
} dev_dwt_t;

void dev_dwt_init(dev_dwt_t *dwt, const dev_host_t *host);
uint64_t dev_dwt_read(void *dwt, uint32_t offset, unsigned size);
void dev_dwt_write(void *dwt, uint32_t offset, unsigned size, uint64_t value);

#endif /* MCUSIM_DEV_DWT_H */
