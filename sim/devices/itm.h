/* sim/devices/itm.h — the ITM stimulus ports (ARMv7-M ARM C1.7): port 0 is the firmware's stdout, port 1 the
 * argument FIFO and port 2 the event code of workloads/mcusim_trace.h. An event is decoded where it is written:
 * stamped with the writing instruction's time (host->now), its strings read from firmware memory, and handed to
 * the memory module as plain values (ARCHITECTURE.md "Memory report"). Reads return what CMSIS code polls for:
 * stimulus ports 1 (FIFO ready), TER all ones, TCR ITMENA. */
#ifndef MCUSIM_DEV_ITM_H
#define MCUSIM_DEV_ITM_H

#include "sim/devices/dev.h"

#define DEV_ITM_BASE 0xE0000000u
#define DEV_ITM_SIZE 0x1000u
#define DEV_ITM_MAX_ARGS 4

typedef struct {
  const dev_host_t *host;
  mem_t *events; /* where decoded trace events go; NULL: ports 1 and 2 are ignored (no tracking) */
  uint32_t args[DEV_ITM_MAX_ARGS];
  unsigned argc;
} dev_itm_t;

/* `host` and `events` are borrowed and must outlive the device. */
void dev_itm_init(dev_itm_t *itm, const dev_host_t *host, mem_t *events);
uint64_t dev_itm_read(void *itm, uint32_t offset, unsigned size);
void dev_itm_write(void *itm, uint32_t offset, unsigned size, uint64_t value);

#endif /* MCUSIM_DEV_ITM_H */
