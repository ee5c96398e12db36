/* sim/probes/probe.h — what the engine offers its add-ons (the function profile, symbol annotations): the time of
 * an instruction inside the block that is executing, registers by the engine's numbering, code hooks on chosen
 * addresses, symbols, and a walk over the blocks it has costed. Probes ask through this table; they never see the
 * engine's state or its accounting fields, so there is one answer to "which cycle is this PC at". The engine
 * fills it (sim/probing.c) and calls a probe only when it is enabled. */
#ifndef MCUSIM_PROBE_H
#define MCUSIM_PROBE_H

#include <stdint.h>

#include "isa/isa.h"
#include "memory/mem.h"
#include "sim/elf/elf_file.h"

#define PROBE_REG_SP 13
#define PROBE_REG_LR 14
#define PROBE_REG_PC 15

/* A code hook: the shape of Unicorn's UC_HOOK_CODE callback, so that the engine installs it as it is (the first
 * argument is the engine's emulator handle, of no use to a probe). */
typedef void (*probe_code_fn)(void *engine, uint64_t address, uint32_t size, void *opaque);

struct probe_fp_block;
/* One costed block: its decode and what the function profile charged it. */
typedef void (*probe_block_fn)(void *ctx, const isa_block_t *blk, const struct probe_fp_block *charged);

typedef struct {
  void *opaque; /* the engine; handed back to every callback */
  /* Cycle and instruction count at the start of the instruction at pc inside the block executing now (the time of
   * the last block entry when pc is not in it), with pc, SP and LR. */
  void (*now_at_pc)(void *opaque, uint32_t pc, mem_when_t *when);
  /* r0..r15 by number (PROBE_REG_SP, ...). */
  uint32_t (*reg)(void *opaque, int n);
  /* Whether the run is stopping (a stop reason is recorded): hooks then do nothing. */
  int (*stopping)(void *opaque);
  /* Calls fn(.., opaque) before the instruction at addr executes. retranslate: the code there may already be
   * translated (a return address hooked during the run), so the engine drops it for the hook to apply. 0 or -1. */
  int (*hook_code)(void *opaque, uint32_t addr, probe_code_fn fn, void *fn_opaque, int retranslate);
  /* The firmware's symbol containing addr, or NULL; the address of a named symbol (0 when found). */
  const sim_elf_symbol_t *(*symbol_at)(void *opaque, uint32_t addr);
  int (*lookup)(void *opaque, const char *name, uint32_t *addr);
  /* Calls visit for every block the engine has costed so far. */
  void (*each_block)(void *opaque, probe_block_fn visit, void *ctx);
  /* Reads len bytes of firmware memory at addr (issue 17: tflm's output checksum). 0, or -1 when unmapped. */
  int (*read_mem)(void *opaque, uint32_t addr, void *buf, uint32_t len);
} probe_host_t;

#endif /* MCUSIM_PROBE_H */
