/* sim/devices/dwt.c — the DWT cycle counter (dwt.h). */
#include "sim/devices/dwt.h"

#include <string.h>

void dev_dwt_init(dev_dwt_t *dwt, const dev_host_t *host) {
  memset(dwt, 0, sizeof *dwt);
  dwt->host = host;
}

static uint64_t now_cycle(const dev_dwt_t *dwt, uint32_t offset) {
  mem_when_t now;
  dwt->host->now(dwt->host->opaque, DEV_DWT_BASE + offset, &now);
  return now.cycle;
}

uint64_t dev_dwt_read(void *state, uint32_t offset, unsigned size) {
  const dev_dwt_t *dwt = state;
  if (offset == DEV_DWT_CYCCNT) {
    if (!(dwt->ctrl & DEV_DWT_CTRL_CYCCNTENA)) return dwt->cyccnt_frozen;
    return (uint32_t)(now_cycle(dwt, offset) - dwt->cyccnt_base);
  }
  if (offset == DEV_DWT_CTRL) return dwt->ctrl;
  return 0;
}

void dev_dwt_write(void *state, uint32_t offset, unsigned size, uint64_t value) {
  dev_dwt_t *dwt = state;
  if (offset == DEV_DWT_CYCCNT) {
    dwt->cyccnt_base = now_cycle(dwt, offset) - (uint32_t)value;
    dwt->cyccnt_frozen = (uint32_t)value;
  } else if (offset == DEV_DWT_CTRL) {
    uint32_t was = dwt->ctrl & DEV_DWT_CTRL_CYCCNTENA, enable = (uint32_t)value & DEV_DWT_CTRL_CYCCNTENA;
    uint64_t cycle = now_cycle(dwt, offset);
    if (!was && enable) dwt->cyccnt_base = cycle - dwt->cyccnt_frozen; /* resumes from the frozen value */
    if (was && !enable) dwt->cyccnt_frozen = (uint32_t)(cycle - dwt->cyccnt_base);
    dwt->ctrl = (uint32_t)value;
  }
}
