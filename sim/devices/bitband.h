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
#define DEV_BITBAND_PERIPH_BASE 0x40000000u  /* the peripheral bit-band region (sim/devices/periph.c maps it) */
#define DEV_BITBAND_PERIPH_ALIAS 0x42000000u /* its alias, DEV_BITBAND_ALIAS_SIZE bytes */

/* The byte an alias offset stands for, and its bit in *bit (any access size: the alias word's address decides).
 * The same formula serves the SRAM and the peripheral alias. */
static inline uint32_t dev_bitband_target(uint32_t region_base, uint32_t alias_offset, unsigned *bit) {
  *bit = (alias_offset >> 2) & 7u;
  return region_base + (alias_offset >> 5);
}

typedef struct {
  const dev_host_t *host;
  uint32_t region_base; /* DEV_BITBAND_SRAM_BASE */
} dev_bitband_t;

void dev_bitband_init(dev_bitband_t *bb, const dev_host_t *host, uint32_t region_base);
uint64_t dev_bitband_read(void *bb, uint32_t offset, unsigned size);
void dev_bitband_write(void *bb, uint32_t offset, unsigned size, uint64_t value);

#endif /* MCUSIM_DEV_BITBAND_H */
