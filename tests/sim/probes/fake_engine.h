/* tests/sim/probes/fake_engine.h — a probe_host_t without the engine or Unicorn for the probe tests: a symbol
 * table, registers and a clock the test sets, and the code hooks a probe asked for, which the test then calls as
 * the engine would. */
#ifndef MCUSIM_TEST_FAKE_ENGINE_H
#define MCUSIM_TEST_FAKE_ENGINE_H

#include <string.h>

#include "sim/probes/probe.h"

#define FAKE_MAX_HOOKS 16

typedef struct {
  probe_host_t host;
  sim_elf_t elf;
  uint32_t regs[16];
  uint64_t cycle, insn; /* what now_at_pc answers */
  struct {
    uint32_t addr;
    probe_code_fn fn;
    void *opaque;
    int retranslate;
  } hooks[FAKE_MAX_HOOKS];
  size_t hook_count;
} fake_engine_t;

static void fake_now_at_pc(void *opaque, uint32_t pc, mem_when_t *w) {
  fake_engine_t *e = opaque;
  *w = (mem_when_t){.cycle = e->cycle, .insn = e->insn, .pc = pc, .sp = e->regs[13], .lr = e->regs[14]};
}

static uint32_t fake_reg(void *opaque, int n) { return ((fake_engine_t *)opaque)->regs[n]; }
static int fake_stopping(void *opaque) { return 0; }

static int fake_hook_code(void *opaque, uint32_t addr, probe_code_fn fn, void *fn_opaque, int retranslate) {
  fake_engine_t *e = opaque;
  if (e->hook_count == FAKE_MAX_HOOKS) return -1;
  e->hooks[e->hook_count++] = (typeof(e->hooks[0])){addr, fn, fn_opaque, retranslate};
  return 0;
}

static const sim_elf_symbol_t *fake_symbol_at(void *opaque, uint32_t addr) {
  const sim_elf_t *elf = &((fake_engine_t *)opaque)->elf;
  for (size_t i = 0; i < elf->symbol_count; i++)
    if (addr >= elf->symbols[i].addr && addr - elf->symbols[i].addr < elf->symbols[i].size) return &elf->symbols[i];
  return NULL;
}

static int fake_lookup(void *opaque, const char *name, uint32_t *addr) {
  const sim_elf_t *elf = &((fake_engine_t *)opaque)->elf;
  for (size_t i = 0; i < elf->symbol_count; i++)
    if (!strcmp(elf->symbols[i].name, name)) return *addr = elf->symbols[i].addr, 0;
  return -1;
}

static void fake_each_block(void *opaque, probe_block_fn visit, void *ctx) {}

/* Symbols main [0x100, 0x140), f [0x200, 0x220), g [0x300, 0x310) in one executable segment. */
static inline void fake_engine_init(fake_engine_t *e) {
  static sim_elf_symbol_t symbols[] = {{0x100, 0x40, "main", 1}, {0x200, 0x20, "f", 1}, {0x300, 0x10, "g", 1}};
  static sim_elf_segment_t segment = {
      .paddr = 0x100, .vaddr = 0x100, .file_size = 0x300, .mem_size = 0x300, .flags = 1u /* PF_X */};
  memset(e, 0, sizeof *e);
  e->elf = (sim_elf_t){.symbols = symbols, .symbol_count = 3, .segments = &segment, .segment_count = 1};
  e->host = (probe_host_t){e,           fake_now_at_pc, fake_reg, fake_stopping, fake_hook_code, fake_symbol_at,
                           fake_lookup, fake_each_block, NULL};
}

/* Runs the hook a probe placed at addr, as the engine would before the instruction there; 0 when there is none. */
static inline int fake_run_hook(fake_engine_t *e, uint32_t addr) {
  for (size_t i = 0; i < e->hook_count; i++)
    if (e->hooks[i].addr == addr) {
      e->hooks[i].fn(NULL, addr, 2, e->hooks[i].opaque);
      return 1;
    }
  return 0;
}

#endif /* MCUSIM_TEST_FAKE_ENGINE_H */
