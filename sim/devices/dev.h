/* sim/devices/dev.h — what every device of the simulated MCU gets from the engine, and the shape of a device's
 * register interface (TinyEMU's iomem: read/write(state, offset, size)).
 *
 * A device owns its state struct and sees the core only through dev_host_t: it never includes the engine's
 * headers, so each device is unit-tested with a fake host (tests/sim/devices/). The engine maps the regions
 * from one table (sim/ppb.c). Devices never print or exit; output and stops go through the host. */
#ifndef MCUSIM_DEV_H
#define MCUSIM_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "memory/mem.h"

/* The engine as a device sees it. Every callback gets `opaque`. */
typedef struct {
  void *opaque;
  /* Cycle, instruction count, PC, SP and LR of the instruction executing now, which accessed `access_addr` (the
   * engine finds the instruction from the address; outside an access any address in the device will do). */
  void (*now)(void *opaque, uint32_t access_addr, mem_when_t *now);
  /* Firmware memory; 0, or -1 when [addr, addr+len) is not mapped. */
  int (*read)(void *opaque, uint32_t addr, void *buf, uint32_t len);
  int (*write)(void *opaque, uint32_t addr, const void *buf, uint32_t len);
  /* Bytes the firmware wrote to its console: fd 1 stdout, 2 stderr. */
  void (*output)(void *opaque, int fd, const char *data, size_t len);
  /* The firmware asked to stop with this exit code. */
  void (*exit)(void *opaque, int code);
  /* Whether [addr, addr+size) is SRAM (of the profile, or overflow SRAM the engine mapped). */
  int (*sram_range)(void *opaque, uint32_t addr, uint32_t size);
  /* A device's pending exceptions or next event changed (the SCS): the engine looks at the next instruction
   * boundary it can stop at. May be NULL. */
  void (*kick)(void *opaque);
} dev_host_t;

/* A register read or write of `size` bytes at `offset` from the device's base. */
typedef uint64_t (*dev_read_fn)(void *state, uint32_t offset, unsigned size);
typedef void (*dev_write_fn)(void *state, uint32_t offset, unsigned size, uint64_t value);

/* A NUL-terminated string from firmware memory (names in flash, semihosting arguments), at most size - 1
 * characters, cut at the first unreadable byte; returns its length. */
size_t dev_firmware_string(const dev_host_t *host, uint32_t addr, char *buf, size_t size);

#endif /* MCUSIM_DEV_H */
