/* sim/devices/bitband.h — the SRAM bit-band alias of the Cortex-M3/M4 (ARMv7-M ARM, and the M3/M4 TRMs "Bit-banding"):
 * each word of the 32 MiB alias at 0x22000000 is one bit of the 1 MiB at 0x20000000,
 *   bit_word_offset = byte_offset * 32 + bit_number * 4.
 * A read returns the bit (0 or 1); a write sets or clears it from bit 0 of the value (read-modify-write of the
 * byte through the host). Without it the alias is unmapped memory and CMSIS-style bit-band code faults. */
#ifndef MCUSIM_DEV_BITBAND_H
#define MCUSIM_DEV_BITBAND_H

#include "sim/devices/dev.h"

#define DEV_BITBAND_SRAM_BASE 0x20000000u  /* the bit-band region */
#define DEV_BITBAND_ALIAS_BASE 0x22000000u /* its alias */
#define DEV_BITBAND_ALIAS_SIZE 0x02000000u

typedef struct {
  const dev_host_t *host;
  uint32_t region_base; /* DEV_BITBAND_SRAM_BASE */
} dev_bitband_t;

void dev_bitband_init(dev_bitband_t *bb, const dev_host_t *host, uint32_t region_base);
uint64_t dev_bitband_read(void *bb, uint32_t offset, unsigned size);
void dev_bitband_write(void *bb, uint32_t offset, unsigned size, uint64_t value);

#endif /* MCUSIM_DEV_BITBAND_H */
