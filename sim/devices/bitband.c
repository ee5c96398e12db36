/* sim/devices/bitband.c — the SRAM bit-band alias (bitband.h). */
#include "sim/devices/bitband.h"

void dev_bitband_init(dev_bitband_t *bb, const dev_host_t *host, uint32_t region_base) {
  bb->host = host;
  bb->region_base = region_base;
}

static uint32_t byte_of(const dev_bitband_t *bb, uint32_t offset, unsigned *bit) {
  return dev_bitband_target(bb->region_base, offset, bit);
}

uint64_t dev_bitband_read(void *state, uint32_t offset, unsigned size) {
  const dev_bitband_t *bb = state;
  unsigned bit;
  uint8_t byte = 0;
  uint32_t addr = byte_of(bb, offset, &bit);
  if (bb->host->read(bb->host->opaque, addr, &byte, 1)) return 0; /* outside SRAM: reads as zero */
  return (byte >> bit) & 1u;
}

void dev_bitband_write(void *state, uint32_t offset, unsigned size, uint64_t value) {
  const dev_bitband_t *bb = state;
  unsigned bit;
  uint8_t byte = 0;
  uint32_t addr = byte_of(bb, offset, &bit);
  if (bb->host->read(bb->host->opaque, addr, &byte, 1)) return;
  byte = (uint8_t)((value & 1u) ? byte | (1u << bit) : byte & ~(1u << bit));
  bb->host->write(bb->host->opaque, addr, &byte, 1);
}
