/* sim/devices/periph.h — vendor peripherals described by the profile (docs/peripherals.md): register blocks in the
 * peripheral region 0x40000000-0x5FFFFFFF as storage that reads back what was written, with reset values, writable
 * masks, registers whose writes go to the firmware's stdout (a UART data register) and rules "when bits M of register
 * R are written 1, bits N of register S read as 1" (RCC HSEON -> HSERDY, SW -> SWS, PWR ODEN -> ODRDY, nRF52
 * TASKS_HFCLKSTART -> EVENTS_HFCLKSTARTED).
 *
 * An access nobody described reads 0 and ignores the write; it is recorded once per 1 KiB of address space (address,
 * PC of the instruction, count) for the report, and handed to `on_undescribed` when the engine set one
 * (--strict-peripherals: a fault). On the Cortex-M3/M4 the peripheral bit-band alias (0x42000000, ARMv7-M ARM
 * "Bit-banding") maps each word onto one bit of 0x40000000-0x400FFFFF through the same registers.
 *
 * Offsets are from DEV_PERIPH_BASE. The device owns its storage (dev_periph_free); the description and the host are
 * borrowed and must outlive it. */
#ifndef MCUSIM_DEV_PERIPH_H
#define MCUSIM_DEV_PERIPH_H

#include "profiles/prof.h"
#include "sim/devices/dev.h"

#define DEV_PERIPH_BASE PROF_PERIPH_BASE
#define DEV_PERIPH_SIZE PROF_PERIPH_SIZE
#define DEV_PERIPH_WARN_GRAIN 0x400u /* one warning per 1 KiB of undescribed space */
#define DEV_PERIPH_MAX_WARNINGS 64   /* recorded; later ones are counted in warnings_dropped */

typedef struct {
  uint32_t address; /* first undescribed address accessed in its 1 KiB */
  uint32_t pc;      /* of the instruction that accessed it first */
  int is_write;
  uint64_t accesses; /* accesses to that 1 KiB in the run */
} dev_periph_warning_t;

typedef struct {
  uint64_t reads, writes;
} dev_periph_counts_t;

typedef struct {
  const dev_host_t *host;
  const prof_periph_t *desc; /* NULL: nothing described */
  int bitband;               /* the peripheral bit-band alias exists (Cortex-M3/M4) */
  uint32_t *words[PROF_MAX_PERIPH_BLOCKS];
  dev_periph_counts_t counts[PROF_MAX_PERIPH_BLOCKS];
  unsigned last_block; /* the block of the previous access: most accesses poll one register */
  uint64_t stream_bytes, undescribed_accesses, warnings_dropped;
  dev_periph_warning_t warnings[DEV_PERIPH_MAX_WARNINGS];
  unsigned warning_count;
  /* Set by the engine for --strict-peripherals: called after an undescribed access is recorded. */
  void (*on_undescribed)(void *opaque, uint32_t addr, uint32_t access_addr, int is_write);
  void *undescribed_opaque;
} dev_periph_t;

/* 0, or -1 when out of memory (the device is then empty and can be freed). */
int dev_periph_init(dev_periph_t *p, const dev_host_t *host, const prof_periph_t *desc, int bitband);
void dev_periph_free(dev_periph_t *p);
uint64_t dev_periph_read(void *p, uint32_t offset, unsigned size);
void dev_periph_write(void *p, uint32_t offset, unsigned size, uint64_t value);

#endif /* MCUSIM_DEV_PERIPH_H */
