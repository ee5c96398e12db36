/* sim/devices.c — the devices firmware talks to: ITM stimulus ports (stdout and trace events), DWT's
 * cycle counter, and Arm semihosting. ITM and DWT are uc_mmio_map regions, which cost nothing to code
 * that does not touch them (DESIGN.md, engine facts). */
#include <stdio.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "workloads/mcusim_trace.h"

#define ITM_BASE 0xE0000000u
#define DWT_BASE 0xE0001000u
#define ITM_TER 0xE00u /* trace enable: all ports on */
#define ITM_TCR 0xE80u /* trace control: ITMENA set */
#define DWT_CTRL 0x000u
#define DWT_CYCCNT 0x004u
#define DWT_CTRL_CYCCNTENA 1u
#define SIM_MAX_STRING 4096u

/* ---- ITM (ARMv7-M ARM, C1.7) ---- */

static uint64_t itm_read(uc_engine *uc, uint64_t offset, unsigned size, void *opaque) {
  if (offset < 0x80) return 1; /* stimulus port: FIFO ready */
  if (offset == ITM_TER) return 0xFFFFFFFFu;
  if (offset == ITM_TCR) return 1u;
  return 0;
}

/* A NUL-terminated string from firmware memory (names in flash, semihosting arguments), at most size - 1
 * characters; returns its length. */
static size_t firmware_string(mcusim_t *sim, uint32_t addr, char *buf, size_t size) {
  size_t n = 0;
  for (; n + 1 < size; n++)
    if (uc_mem_read(sim->uc, addr + (uint32_t)n, &buf[n], 1) != UC_ERR_OK || buf[n] == '\0') break;
  buf[n] = '\0';
  return n;
}

static void trace_alloc(mcusim_t *sim, const mem_when_t *when, const uint32_t *a) {
  char tag[MEM_NAME_MAX];
  firmware_string(sim, a[2], tag, sizeof tag);
  if (!sim_sram_range(sim, a[0], a[1])) {
    char msg[160];
    snprintf(msg, sizeof msg, "allocation '%s' of %u B at 0x%08x lies outside SRAM", tag, a[1], a[0]);
    mem_diagnose(&sim->mem, MEM_DIAG_OUTSIDE_SRAM, when, a[0], a[1], msg);
  }
  mem_alloc(&sim->mem, when, a[0], a[1], tag);
}

/* Decodes one event of workloads/mcusim_trace.h, stamped with the cycle of the instruction that wrote it. */
static void trace_event(mcusim_t *sim, uint32_t offset, uint32_t code) {
  const uint32_t *a = sim->trace_args;
  unsigned argc = sim->trace_argc;
  static const unsigned needed[] = {
      [MCUSIM_EV_LAYER_BEGIN] = 3, [MCUSIM_EV_LAYER_END] = 1,  [MCUSIM_EV_PATCH_BEGIN] = 3,
      [MCUSIM_EV_PATCH_END] = 2,   [MCUSIM_EV_ALLOC] = 3,      [MCUSIM_EV_FREE] = 1,
      [MCUSIM_EV_MARK] = 2,        [MCUSIM_EV_LAYER_INFO] = 4, [MCUSIM_EV_MARK_STR] = 2};
  sim->trace_argc = 0;
  if (code == 0 || code >= sizeof needed / sizeof *needed || argc < needed[code]) return; /* not ours */
  mem_when_t when;
  sim_now(sim, ITM_BASE + offset, &when);
  char name[MEM_NAME_MAX], text[MEM_NAME_MAX];
  mem_t *mem = &sim->mem;
  switch (code) {
  case MCUSIM_EV_LAYER_BEGIN:
    firmware_string(sim, a[1], name, sizeof name);
    mem_layer_begin(mem, &when, a[0], name, a[2]);
    break;
  case MCUSIM_EV_LAYER_END:
    mem_layer_end(mem, &when, a[0]);
    break;
  case MCUSIM_EV_PATCH_BEGIN:
    mem_patch_begin(mem, &when, a[0], a[1], a[2]);
    break;
  case MCUSIM_EV_PATCH_END:
    mem_patch_end(mem, &when, a[0], a[1]);
    break;
  case MCUSIM_EV_ALLOC:
    trace_alloc(sim, &when, a);
    break;
  case MCUSIM_EV_FREE:
    mem_free(mem, &when, a[0]);
    break;
  case MCUSIM_EV_MARK:
    firmware_string(sim, a[0], name, sizeof name);
    mem_mark_number(mem, name, a[1]);
    break;
  case MCUSIM_EV_MARK_STR:
    firmware_string(sim, a[0], name, sizeof name);
    firmware_string(sim, a[1], text, sizeof text);
    mem_mark_string(mem, name, text);
    break;
  case MCUSIM_EV_LAYER_INFO:
    firmware_string(sim, a[1], text, sizeof text);
    mem_layer_info(mem, a[0], text, a[2] >> 16, a[2] & 0xFFFFu, a[3]);
    break;
  }
}

static void itm_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *opaque) {
  mcusim_t *sim = opaque;
  unsigned port = (unsigned)(offset / 4);
  if (offset >= 0x80) return; /* control registers: accepted, nothing to model */
  if (port == MCUSIM_ITM_PORT_STDOUT) {
    char bytes[4];
    for (unsigned i = 0; i < size && i < 4; i++) bytes[i] = (char)(value >> (8 * i));
    sim_emit_output(sim, 1, bytes, size < 4 ? size : 4);
  } else if (sim->limits.no_tracking) {
    return;
  } else if (port == MCUSIM_ITM_PORT_ARG) {
    if (sim->trace_argc < SIM_TRACE_MAX_ARGS) sim->trace_args[sim->trace_argc++] = (uint32_t)value;
  } else if (port == MCUSIM_ITM_PORT_EVENT) {
    trace_event(sim, (uint32_t)offset, (uint32_t)value);
  }
}

/* ---- DWT cycle counter (ARMv7-M ARM, C1.8.8) ---- */

static uint32_t cyccnt(mcusim_t *sim, uint32_t offset) {
  if (!(sim->dwt_ctrl & DWT_CTRL_CYCCNTENA)) return sim->cyccnt_frozen;
  mem_when_t now;
  sim_now(sim, DWT_BASE + offset, &now);
  return (uint32_t)(now.cycle - sim->cyccnt_base);
}

static uint64_t dwt_read(uc_engine *uc, uint64_t offset, unsigned size, void *opaque) {
  mcusim_t *sim = opaque;
  if (offset == DWT_CYCCNT) return cyccnt(sim, (uint32_t)offset);
  if (offset == DWT_CTRL) return sim->dwt_ctrl;
  return 0;
}

static void dwt_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *opaque) {
  mcusim_t *sim = opaque;
  mem_when_t now;
  if (offset == DWT_CYCCNT) {
    sim_now(sim, DWT_BASE + (uint32_t)offset, &now);
    sim->cyccnt_base = now.cycle - (uint32_t)value;
    sim->cyccnt_frozen = (uint32_t)value;
  } else if (offset == DWT_CTRL) {
    uint32_t was = sim->dwt_ctrl & DWT_CTRL_CYCCNTENA, enable = (uint32_t)value & DWT_CTRL_CYCCNTENA;
    sim_now(sim, DWT_BASE + (uint32_t)offset, &now);
    if (!was && enable) sim->cyccnt_base = now.cycle - sim->cyccnt_frozen; /* resumes from the frozen value */
    if (was && !enable) sim->cyccnt_frozen = (uint32_t)(now.cycle - sim->cyccnt_base);
    sim->dwt_ctrl = (uint32_t)value;
  }
}

int sim_devices_map(mcusim_t *sim) {
  if (uc_mmio_map(sim->uc, ITM_BASE, 0x1000, itm_read, sim, itm_write, sim) != UC_ERR_OK) return -1;
  if (uc_mmio_map(sim->uc, DWT_BASE, 0x1000, dwt_read, sim, dwt_write, sim) != UC_ERR_OK) return -1;
  return 0;
}

/* ---- semihosting (Arm "Semihosting for AArch32 and AArch64", version 2) ---- */

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

static uint32_t word_at(mcusim_t *sim, uint32_t addr) {
  uint32_t w = 0;
  uc_mem_read(sim->uc, addr, &w, 4);
  return w;
}

static uint32_t sh_open(mcusim_t *sim, uint32_t args) {
  char name[64];
  firmware_string(sim, word_at(sim, args), name, sizeof name);
  uint32_t mode = word_at(sim, args + 4);
  if (strcmp(name, ":tt") == 0) return mode < 4 ? H_STDIN : mode < 8 ? H_STDOUT : H_STDERR;
  if (strcmp(name, ":semihosting-features") == 0) {
    sim->sh_features_handle_pos = 0;
    return H_FEATURES;
  }
  return (uint32_t)-1; /* no host files: the firmware sees a failed open */
}

static uint32_t sh_write(mcusim_t *sim, uint32_t args) {
  uint32_t handle = word_at(sim, args), buf = word_at(sim, args + 4), len = word_at(sim, args + 8);
  if (handle != H_STDOUT && handle != H_STDERR) return len; /* nothing written */
  char chunk[512];
  for (uint32_t done = 0; done < len;) {
    uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
    if (uc_mem_read(sim->uc, buf + done, chunk, n) != UC_ERR_OK) return len - done;
    sim_emit_output(sim, handle == H_STDERR ? 2 : 1, chunk, n);
    done += n;
  }
  return 0;
}

static uint32_t sh_read(mcusim_t *sim, uint32_t args) {
  uint32_t handle = word_at(sim, args), buf = word_at(sim, args + 4), len = word_at(sim, args + 8);
  if (handle != H_FEATURES) return len; /* console input: end of file */
  uint32_t left = sizeof features_file - (uint32_t)sim->sh_features_handle_pos;
  uint32_t n = len < left ? len : left;
  uc_mem_write(sim->uc, buf, features_file + sim->sh_features_handle_pos, n);
  sim->sh_features_handle_pos += (int)n;
  return len - n;
}

/* Heap and stack limits for newlib's rdimon crt0: heap from `end` up, stack from the initial SP down. */
static uint32_t sh_heapinfo(mcusim_t *sim, uint32_t args) {
  uint32_t block = word_at(sim, args);
  uint32_t sp = sim->result.initial_sp;
  uint32_t info[4] = {sim->heap_base, sp > 0x1000 ? sp - 0x1000 : sp, sp, sim->heap_base};
  uc_mem_write(sim->uc, block, info, sizeof info);
  return 0;
}

static uint32_t sh_cmdline(mcusim_t *sim, uint32_t args) {
  uint32_t buf = word_at(sim, args), len = word_at(sim, args + 4);
  if (len < 1) return (uint32_t)-1;
  uint8_t nul = 0;
  uc_mem_write(sim->uc, buf, &nul, 1);
  uint32_t zero = 0;
  uc_mem_write(sim->uc, args + 4, &zero, 4);
  return 0;
}

static void sh_exit(mcusim_t *sim, uint32_t reason, uint32_t code) {
  if (sim->stopping) return;
  sim->result.exit_code = reason == ADP_STOPPED_APPLICATION_EXIT ? (int)code : (code ? (int)code : 1);
  sim_stop(sim, MCUSIM_STOP_EXIT);
}

static uint32_t semihost_call(mcusim_t *sim, uint32_t op, uint32_t args) {
  char c;
  char text[SIM_MAX_STRING];
  uint64_t cycles = sim->totals.cycles;
  switch (op) {
  case SYS_OPEN:
    return sh_open(sim, args);
  case SYS_CLOSE:
    return 0;
  case SYS_WRITEC:
    if (uc_mem_read(sim->uc, args, &c, 1) == UC_ERR_OK) sim_emit_output(sim, 1, &c, 1);
    return 0;
  case SYS_WRITE0:
    sim_emit_output(sim, 1, text, firmware_string(sim, args, text, sizeof text));
    return 0;
  case SYS_WRITE:
    return sh_write(sim, args);
  case SYS_READ:
    return sh_read(sim, args);
  case SYS_READC:
    return (uint32_t)-1;
  case SYS_ISERROR:
    return 0;
  case SYS_ISTTY:
    return word_at(sim, args) != H_FEATURES;
  case SYS_SEEK:
    return 0;
  case SYS_FLEN:
    return word_at(sim, args) == H_FEATURES ? sizeof features_file : 0;
  case SYS_CLOCK:
    return (uint32_t)(cycles * 100 / sim->profile->clock_hz); /* simulated centiseconds */
  case SYS_TIME:
    return 0; /* deterministic runs: the epoch */
  case SYS_ERRNO:
    return 0;
  case SYS_GET_CMDLINE:
    return sh_cmdline(sim, args);
  case SYS_HEAPINFO:
    return sh_heapinfo(sim, args);
  case SYS_EXIT:
    sh_exit(sim, args, 0);
    return 0; /* AArch32: the reason is in R1 itself */
  case SYS_EXIT_EXTENDED:
    sh_exit(sim, word_at(sim, args), word_at(sim, args + 4));
    return 0;
  default:
    return (uint32_t)-1; /* TMPNAM, REMOVE, RENAME, SYSTEM, ...: refused */
  }
}

int sim_semihost(mcusim_t *sim, uint32_t pc) {
  uint32_t op = 0, args = 0;
  uc_reg_read(sim->uc, UC_ARM_REG_R0, &op);
  uc_reg_read(sim->uc, UC_ARM_REG_R1, &args);
  uint32_t ret = semihost_call(sim, op, args);
  uc_reg_write(sim->uc, UC_ARM_REG_R0, &ret);
  (void)pc;
  return 0;
}
