/* sim/devices/dev.c — helpers every device shares (dev.h). */
#include "sim/devices/dev.h"

size_t dev_firmware_string(const dev_host_t *host, uint32_t addr, char *buf, size_t size) {
  size_t n = 0;
  for (; n + 1 < size; n++)
    if (host->read(host->opaque, addr + (uint32_t)n, &buf[n], 1) != 0 || buf[n] == '\0') break;
  buf[n] = '\0';
  return n;
}
