/* sim/devices/semihost.c — Arm semihosting (semihost.h). */
#include "sim/devices/semihost.h"

#include <string.h>

#define SH_MAX_STRING 4096u

enum {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITEC = 0x03,
  SYS_WRITE0 = 0x04,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_READC = 0x07,
  SYS_ISERROR = 0x08,
  SYS_ISTTY = 0x09,
  SYS_SEEK = 0x0A,
  SYS_FLEN = 0x0C,
  SYS_TMPNAM = 0x0D,
  SYS_REMOVE = 0x0E,
  SYS_RENAME = 0x0F,
  SYS_CLOCK = 0x10,
  SYS_TIME = 0x11,
  SYS_SYSTEM = 0x12,
  SYS_ERRNO = 0x13,
  SYS_GET_CMDLINE = 0x15,
  SYS_HEAPINFO = 0x16,
  SYS_EXIT = 0x18,
  SYS_ELAPSED = 0x30,
  SYS_TICKFREQ = 0x31,
  SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
/* Handles of the console and the feature pseudo-file; 0 stays unused so that no handle looks like NULL. */
enum { H_STDIN = 1, H_STDOUT = 2, H_STDERR = 3, H_FEATURES = 4 };
/* ":semihosting-features": magic "SHFB" then a byte: EXIT_EXTENDED | STDOUT_STDERR. */
static const uint8_t features_file[5] = {'S', 'H', 'F', 'B', 0x03};

void dev_semihost_init(dev_semihost_t *sh, const dev_host_t *host, uint32_t heap_base, uint32_t initial_sp,
                       uint64_t clock_hz) {
  memset(sh, 0, sizeof *sh);
  sh->host = host;
  sh->heap_base = heap_base;
  sh->initial_sp = initial_sp;
  sh->clock_hz = clock_hz;
}

static uint32_t word_at(const dev_semihost_t *sh, uint32_t addr) {
  uint32_t w = 0;
  sh->host->read(sh->host->opaque, addr, &w, 4);
  return w;
}

static void put(const dev_semihost_t *sh, uint32_t addr, const void *bytes, uint32_t len) {
  sh->host->write(sh->host->opaque, addr, bytes, len);
}

static uint32_t sh_open(dev_semihost_t *sh, uint32_t args) {
  char name[64];
  dev_firmware_string(sh->host, word_at(sh, args), name, sizeof name);
  uint32_t mode = word_at(sh, args + 4);
  if (strcmp(name, ":tt") == 0) return mode < 4 ? H_STDIN : mode < 8 ? H_STDOUT : H_STDERR;
  if (strcmp(name, ":semihosting-features") == 0) {
    sh->features_pos = 0;
    return H_FEATURES;
  }
  return (uint32_t)-1; /* no host files: the firmware sees a failed open */
}

static uint32_t sh_write(const dev_semihost_t *sh, uint32_t args) {
  uint32_t handle = word_at(sh, args), buf = word_at(sh, args + 4), len = word_at(sh, args + 8);
  if (handle != H_STDOUT && handle != H_STDERR) return len; /* nothing written */
  char chunk[512];
  for (uint32_t done = 0; done < len;) {
    uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
    if (sh->host->read(sh->host->opaque, buf + done, chunk, n)) return len - done;
    sh->host->output(sh->host->opaque, handle == H_STDERR ? 2 : 1, chunk, n);
    done += n;
  }
  return 0;
}

static uint32_t sh_read(dev_semihost_t *sh, uint32_t args) {
  uint32_t handle = word_at(sh, args), buf = word_at(sh, args + 4), len = word_at(sh, args + 8);
  if (handle != H_FEATURES) return len; /* console input: end of file */
  uint32_t left = sizeof features_file - sh->features_pos;
  uint32_t n = len < left ? len : left;
  put(sh, buf, features_file + sh->features_pos, n);
  sh->features_pos += n;
  return len - n;
}

/* Heap and stack limits for newlib's rdimon crt0: heap from `end` up, stack from the initial SP down. */
static uint32_t sh_heapinfo(const dev_semihost_t *sh, uint32_t args) {
  uint32_t block = word_at(sh, args);
  uint32_t sp = sh->initial_sp;
  uint32_t info[4] = {sh->heap_base, sp > 0x1000 ? sp - 0x1000 : sp, sp, sh->heap_base};
  put(sh, block, info, sizeof info);
  return 0;
}

static uint32_t sh_cmdline(const dev_semihost_t *sh, uint32_t args) {
  uint32_t buf = word_at(sh, args), len = word_at(sh, args + 4);
  if (len < 1) return (uint32_t)-1;
  uint8_t nul = 0;
  put(sh, buf, &nul, 1);
  uint32_t zero = 0;
  put(sh, args + 4, &zero, 4);
  return 0;
}

static void sh_exit(const dev_semihost_t *sh, uint32_t reason, uint32_t code) {
  sh->host->exit(sh->host->opaque, reason == ADP_STOPPED_APPLICATION_EXIT ? (int)code : (code ? (int)code : 1));
}

static uint64_t now_cycle(const dev_semihost_t *sh) {
  mem_when_t now;
  sh->host->now(sh->host->opaque, 0, &now);
  return now.cycle;
}

uint32_t dev_semihost_call(dev_semihost_t *sh, uint32_t op, uint32_t args) {
  char c;
  char text[SH_MAX_STRING];
  const dev_host_t *host = sh->host;
  switch (op) {
  case SYS_OPEN:
    return sh_open(sh, args);
  case SYS_CLOSE:
    return 0;
  case SYS_WRITEC:
    if (host->read(host->opaque, args, &c, 1) == 0) host->output(host->opaque, 1, &c, 1);
    return 0;
  case SYS_WRITE0:
    host->output(host->opaque, 1, text, dev_firmware_string(host, args, text, sizeof text));
    return 0;
  case SYS_WRITE:
    return sh_write(sh, args);
  case SYS_READ:
    return sh_read(sh, args);
  case SYS_READC:
    return (uint32_t)-1;
  case SYS_ISERROR:
    return 0;
  case SYS_ISTTY:
    return word_at(sh, args) != H_FEATURES;
  case SYS_SEEK:
    return 0;
  case SYS_FLEN:
    return word_at(sh, args) == H_FEATURES ? sizeof features_file : 0;
  case SYS_CLOCK:
    return (uint32_t)(now_cycle(sh) * 100 / sh->clock_hz); /* simulated centiseconds */
  case SYS_TIME:
    return 0; /* deterministic runs: the epoch */
  case SYS_ERRNO:
    return 0;
  case SYS_GET_CMDLINE:
    return sh_cmdline(sh, args);
  case SYS_HEAPINFO:
    return sh_heapinfo(sh, args);
  case SYS_EXIT:
    sh_exit(sh, args, 0);
    return 0; /* AArch32: the reason is in R1 itself */
  case SYS_EXIT_EXTENDED:
    sh_exit(sh, word_at(sh, args), word_at(sh, args + 4));
    return 0;
  default:
    return (uint32_t)-1; /* TMPNAM, REMOVE, RENAME, SYSTEM, ...: refused */
  }
}
