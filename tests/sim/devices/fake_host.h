/* tests/sim/devices/fake_host.h — a dev_host_t without Unicorn for the device tests: 64 KiB of firmware memory at
 * FAKE_BASE, a clock the test sets, captured output and exit code. */
#ifndef MCUSIM_TEST_FAKE_HOST_H
#define MCUSIM_TEST_FAKE_HOST_H

#include <string.h>

#include "sim/devices/dev.h"

#define FAKE_BASE 0x20000000u
#define FAKE_SIZE 0x10000u

typedef struct {
  dev_host_t host;
  uint8_t ram[FAKE_SIZE];
  uint64_t cycle;          /* what now() answers */
  uint32_t last_access;    /* the address now() was asked about */
  char out[4096];          /* console output, fds mixed */
  size_t out_len, err_len; /* bytes written to fd 1 and fd 2 */
  int exited, exit_code;
} fake_t;

static void fake_now(void *opaque, uint32_t access_addr, mem_when_t *now) {
  fake_t *f = opaque;
  f->last_access = access_addr;
  *now = (mem_when_t){.cycle = f->cycle, .insn = f->cycle / 2, .pc = 0x08000100u, .sp = 0x20008000u};
}

static int fake_in(uint32_t addr, uint32_t len) {
  return addr >= FAKE_BASE && len <= FAKE_SIZE && addr - FAKE_BASE <= FAKE_SIZE - len;
}

static int fake_read(void *opaque, uint32_t addr, void *buf, uint32_t len) {
  fake_t *f = opaque;
  if (!fake_in(addr, len)) return -1;
  memcpy(buf, f->ram + (addr - FAKE_BASE), len);
  return 0;
}

static int fake_write(void *opaque, uint32_t addr, const void *buf, uint32_t len) {
  fake_t *f = opaque;
  if (!fake_in(addr, len)) return -1;
  memcpy(f->ram + (addr - FAKE_BASE), buf, len);
  return 0;
}

static void fake_output(void *opaque, int fd, const char *data, size_t len) {
  fake_t *f = opaque;
  if (fd == 2)
    f->err_len += len;
  else
    f->out_len += len;
  size_t used = strlen(f->out);
  if (used + len < sizeof f->out) memcpy(f->out + used, data, len);
}

static void fake_exit(void *opaque, int code) {
  fake_t *f = opaque;
  f->exited = 1;
  f->exit_code = code;
}

static int fake_sram_range(void *opaque, uint32_t addr, uint32_t size) { return fake_in(addr, size ? size : 1); }

/* A zeroed fake host (static storage: the RAM is large). */
static inline fake_t *fake_host(void) {
  static fake_t f;
  memset(&f, 0, sizeof f);
  f.host = (dev_host_t){&f, fake_now, fake_read, fake_write, fake_output, fake_exit, fake_sram_range, NULL};
  return &f;
}

/* Places a NUL-terminated string in fake memory at addr. */
static inline void fake_string(fake_t *f, uint32_t addr, const char *s) {
  fake_write(f, addr, s, (uint32_t)strlen(s) + 1);
}
static inline void fake_word(fake_t *f, uint32_t addr, uint32_t w) { fake_write(f, addr, &w, 4); }
static inline uint32_t fake_word_at(fake_t *f, uint32_t addr) {
  uint32_t w = 0;
  fake_read(f, addr, &w, 4);
  return w;
}

#endif /* MCUSIM_TEST_FAKE_HOST_H */
