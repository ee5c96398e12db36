/* sim/sim.c — the engine: memory map, ELF loading, the Unicorn run loop, and per-block cycle accounting.
 *
 * Accounting (ARCHITECTURE.md "Accounting"): a UC_HOOK_BLOCK charges a whole block's instructions and
 * static cycles when it starts; the next block's address tells whether a final conditional branch was
 * taken; divides get their data-dependent cycles from code hooks placed on divide instructions only; an
 * exception that leaves a block early (semihosting, SVC, a fault) un-charges the instructions after it. */
#include <capstone/capstone.h>
#include <elf.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cm.h"
#include "isa/thumb.h"
#include "sim/sim_internal.h"

#define SIM_CHECK_INTERVAL_INSNS (1u << 22) /* ~20 ms of simulation between limit/progress checks */
#define SIM_PROGRESS_SECONDS 0.5
#define SIM_UNTIL_NEVER 0xFFFFFFFFull /* odd: never a Thumb PC */
#define SIM_PPB_BASE 0xE0000000u
#define SIM_PPB_SIZE 0x00100000u
#define SIM_DEVICES_SIZE 0x2000u /* ITM + DWT, mapped as MMIO by devices.c */

static const char *const err_names[] = {
    [MCUSIM_OK] = "ok",
    [MCUSIM_E_BAD_ELF] = "bad firmware file",
    [MCUSIM_E_BAD_PROFILE] = "bad profile",
    [MCUSIM_E_FAULT] = "firmware fault",
    [MCUSIM_E_LIMIT] = "limit reached",
    [MCUSIM_E_INTERRUPTED] = "interrupted",
    [MCUSIM_E_NOMEM] = "out of memory",
    [MCUSIM_E_ENGINE] = "emulator failure",
    [MCUSIM_E_STATE] = "call out of order",
};

const char *mcusim_strerror(mcusim_err err) {
  return (unsigned)err < sizeof err_names / sizeof *err_names ? err_names[err] : "unknown error";
}

const char *mcusim_stop_name(mcusim_stop_t stop) {
  static const char *const names[] = {"none", "exit", "fault", "instruction_limit", "time_limit", "interrupted"};
  return (unsigned)stop < sizeof names / sizeof *names ? names[stop] : "unknown";
}

const char *mcusim_fault_name(mcusim_fault_kind_t kind) {
  static const char *const names[] = {"none",
                                      "read_unmapped",
                                      "write_unmapped",
                                      "fetch_unmapped",
                                      "write_protected",
                                      "fetch_protected",
                                      "undefined_instruction",
                                      "bkpt",
                                      "svc",
                                      "wfi",
                                      "unaligned",
                                      "exception"};
  return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "unknown";
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static mcusim_err set_error(mcusim_t *sim, mcusim_err err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cm_vmsgf(sim->error, sizeof sim->error, fmt, ap);
  va_end(ap);
  return err;
}

const char *mcusim_last_error(const mcusim_t *sim) { return sim->error; }

/* ---- block cache ---- */

static size_t cache_slot(const sim_block_cache_t *c, uint32_t addr) {
  return (size_t)(((addr >> 1) * 0x9E3779B1u) & (c->cap - 1));
}

static void block_free(sim_block_t *b) {
  if (!b) return;
  isa_block_free(&b->blk);
  free(b->cycles_before);
  free(b);
}

static int cache_grow(sim_block_cache_t *c) {
  size_t old_cap = c->cap;
  sim_block_t **old = c->slots;
  c->cap = old_cap ? old_cap * 2 : 4096;
  c->slots = calloc(c->cap, sizeof *c->slots);
  if (!c->slots) {
    c->slots = old;
    c->cap = old_cap;
    return -1;
  }
  for (size_t i = 0; i < old_cap; i++) {
    if (!old[i]) continue;
    size_t j = cache_slot(c, old[i]->blk.addr);
    while (c->slots[j]) j = (j + 1) & (c->cap - 1);
    c->slots[j] = old[i];
  }
  free(old);
  return 0;
}

static void cache_release(sim_block_cache_t *c) {
  for (size_t i = 0; i < c->cap; i++) block_free(c->slots[i]);
  free(c->slots);
  memset(c, 0, sizeof *c);
}

static sim_block_t *block_analyze(mcusim_t *sim, uint32_t addr, uint32_t size) {
  uint8_t code[4096];
  if (size == 0 || size > sizeof code || uc_mem_read(sim->uc, addr, code, size) != UC_ERR_OK) return NULL;
  sim_block_t *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  if (isa_analyze_block(sim->isa, code, size, addr, &b->blk) != ISA_OK) goto fail;
  b->cycles_before = malloc((b->blk.insn_count + 1) * sizeof *b->cycles_before);
  if (!b->cycles_before) goto fail;
  uint32_t sum = 0;
  for (uint32_t k = 0; k < b->blk.insn_count; k++) {
    b->cycles_before[k] = sum;
    sum += b->blk.insns[k].cycles;
  }
  b->cycles_before[b->blk.insn_count] = sum;
  b->unicorn_size = size;
  for (uint32_t k = 0; k < b->blk.insn_count; k++) b->writes_sp |= (b->blk.insns[k].flags & ISA_F_WRITES_SP) != 0;
  if (sim->funcprof) sim_funcprof_init_block(sim->funcprof, &b->prof, addr, b->blk.insns[b->blk.insn_count - 1].flags);
  return b;
fail:
  block_free(b);
  return NULL;
}

static sim_block_t *cache_get(mcusim_t *sim, uint32_t addr, uint32_t size) {
  sim_block_cache_t *c = &sim->cache;
  if (!c->cap && cache_grow(c)) return NULL;
  size_t i = cache_slot(c, addr);
  for (sim_block_t *b; (b = c->slots[i]); i = (i + 1) & (c->cap - 1)) {
    if (b->blk.addr != addr) continue;
    if (b->unicorn_size == size) return b;
    /* Unicorn translated a different block at this address (code written at run time): re-analyse. */
    sim_block_t *fresh = block_analyze(sim, addr, size);
    if (!fresh) return NULL;
    block_free(b);
    c->slots[i] = fresh;
    return fresh;
  }
  if ((c->count + 1) * 2 > c->cap) {
    if (cache_grow(c)) return NULL;
    i = cache_slot(c, addr);
    while (c->slots[i]) i = (i + 1) & (c->cap - 1);
  }
  sim_block_t *b = block_analyze(sim, addr, size);
  if (!b) return NULL;
  c->slots[i] = b;
  c->count++;
  return b;
}

/* ---- run control ---- */

void sim_stop(mcusim_t *sim, mcusim_stop_t stop) {
  if (sim->stopping) return;
  sim->stopping = 1;
  sim->result.stop = stop;
  uc_emu_stop(sim->uc);
}

static const int arm_regs[16] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                                 UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                                 UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                                 UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,  UC_ARM_REG_PC};

/* r0..r15 by number; 16 is xPSR. */
static uint32_t reg(mcusim_t *sim, int n) {
  uint32_t v = 0;
  if (n >= 0 && n < 16)
    uc_reg_read(sim->uc, arm_regs[n], &v);
  else if (n == 16)
    uc_reg_read(sim->uc, UC_ARM_REG_XPSR, &v);
  return v;
}

static void read_registers(mcusim_t *sim, uint32_t regs[17]) {
  for (int i = 0; i < 17; i++) regs[i] = reg(sim, i);
}

void sim_fault(mcusim_t *sim, mcusim_fault_kind_t kind, uint32_t pc, uint32_t address, const char *what) {
  if (sim->stopping) return;
  mcusim_fault_t *f = &sim->result.fault;
  f->kind = kind;
  f->pc = pc;
  f->address = address;
  read_registers(sim, f->regs);
  f->regs[15] = pc;
  mcusim_symbolize(sim, pc, f->symbol, sizeof f->symbol);
  uint8_t code[4] = {0};
  if (uc_mem_read(sim->uc, pc, code, 4) == UC_ERR_OK)
    isa_disasm(sim->isa, code, 4, pc, f->insn, sizeof f->insn);
  else
    snprintf(f->insn, sizeof f->insn, "?");
  snprintf(f->message, sizeof f->message, "%s at pc 0x%08x (%s: %s)", what, pc, f->symbol, f->insn);
  sim_stop(sim, MCUSIM_STOP_FAULT);
}

static int block_index_of(const sim_block_t *b, uint32_t pc) {
  for (uint32_t k = 0; k < b->blk.insn_count; k++)
    if (b->blk.insns[k].addr == pc) return (int)k;
  return -1;
}

void sim_truncate_block(mcusim_t *sim, uint32_t pc, int include_pc) {
  sim_block_t *b = sim->cur;
  if (!b) return;
  int k = block_index_of(b, pc);
  if (k >= 0) {
    uint32_t executed = (uint32_t)k + (include_pc ? 1u : 0u);
    sim->totals.instructions -= b->blk.insn_count - executed;
    sim->totals.cycles -= b->cycles_before[b->blk.insn_count] - b->cycles_before[executed];
  }
  sim->cur = NULL; /* the rest of the block runs as a new block, charged by its own hook */
}

static void report_progress(mcusim_t *sim, double now) {
  if (sim->progress && now - sim->last_progress_wall >= SIM_PROGRESS_SECONDS) {
    sim->last_progress_wall = now;
    sim->progress(sim->progress_opaque, &sim->totals, now - sim->start_wall);
  }
}

/* Runs every SIM_CHECK_INTERVAL_INSNS instructions, at the instruction limit, or when a stop is requested. */
static void check_limits(mcusim_t *sim) {
  const mcusim_limits_t *lim = &sim->limits;
  double now = wall_now();
  if (sim->stop_requested)
    sim_stop(sim, MCUSIM_STOP_INTERRUPTED);
  else if (lim->max_instructions && sim->totals.instructions >= lim->max_instructions)
    sim_stop(sim, MCUSIM_STOP_INSN_LIMIT);
  else if (lim->timeout_seconds > 0 && now - sim->start_wall >= lim->timeout_seconds)
    sim_stop(sim, MCUSIM_STOP_TIME_LIMIT);
  report_progress(sim, now);
  uint64_t next = sim->totals.instructions + SIM_CHECK_INTERVAL_INSNS;
  if (lim->max_instructions && lim->max_instructions > sim->totals.instructions && lim->max_instructions < next)
    next = lim->max_instructions;
  sim->next_check = next;
}

/* The hot path: once per executed basic block. */
/* Cycles the first instruction of `next` gains or loses from running right after the last one of `prev` when
 * the translator split straight-line code (a 1 KiB page, the block size limit): each block was costed alone, so
 * e.g. LDR;LDR across the split would count 2 + 2 instead of 3. The pair is costed together once, when the
 * successor link is made: the difference is the missing pipeline context. */
static int8_t fallthrough_adjust(mcusim_t *sim, const sim_block_t *prev, const sim_block_t *next) {
  const isa_insn_t *last = &prev->blk.insns[prev->blk.insn_count - 1];
  if (!next || (last->flags & ISA_F_BRANCH)) return 0;
  uint8_t code[8];
  uint32_t bytes = last->size + next->blk.insns[0].size;
  isa_block_t pair;
  if (uc_mem_read(sim->uc, last->addr, code, bytes) != UC_ERR_OK ||
      isa_analyze_block(sim->isa, code, bytes, last->addr, &pair) != ISA_OK)
    return 0;
  int adjust = pair.insn_count == 2 ? (int)pair.insns[1].cycles - (int)next->blk.insns[0].cycles : 0;
  isa_block_free(&pair);
  return (int8_t)adjust;
}

/* The successor of `prev` at addr, from its two remembered successors or the cache. */
static sim_block_t *successor(mcusim_t *sim, sim_block_t *prev, uint32_t addr, uint32_t size) {
  if (!prev) return cache_get(sim, addr, size);
  int taken = addr != prev->blk.end;
  sim_block_t *b = prev->next[taken];
  if (!(b && b->blk.addr == addr && b->unicorn_size == size)) {
    b = cache_get(sim, addr, size);
    prev->next[taken] = b;
    if (!taken) prev->fallthrough_adjust = fallthrough_adjust(sim, prev, b);
  }
  if (!taken) sim->totals.cycles += (uint64_t)(int64_t)prev->fallthrough_adjust;
  return b;
}

/* The hot path: once per executed basic block. */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *opaque) {
  mcusim_t *sim = opaque;
  uint32_t addr = (uint32_t)address;
  sim_block_t *prev = sim->cur;
  if (prev) {
    if (prev->blk.taken_extra_cycles && addr != prev->blk.end) {
      sim->totals.cycles += prev->blk.taken_extra_cycles;
      sim->totals.taken_branches++;
    }
    /* Reading a register costs about as much as the rest of this hook: only after SP may have moved. */
    if (prev->writes_sp) {
      uint32_t sp;
      uc_reg_read(uc, UC_ARM_REG_SP, &sp);
      if (sp < sim->lowest_sp) sim->lowest_sp = sp;
    }
  }
  sim_block_t *b = successor(sim, prev, addr, size);
  if (!b) {
    sim->cur = NULL;
    sim_fault(sim, MCUSIM_FAULT_UNDEFINED_INSN, addr, 0, "undecodable code");
    return;
  }
  /* before b is charged: what ran since the previous block entry belongs to prev */
  if (sim->funcprof)
    sim_funcprof_block(sim->funcprof, prev ? &prev->prof : NULL, prev ? prev->blk.end : 0, &b->prof, addr,
                       sim->totals.cycles, sim->totals.instructions);
  sim->cur = b;
  if (sim->fetch) sim->totals.cycles += sim_fetch_block_cycles(sim->fetch, &b->blk, &b->fetch_memo);
  sim->cur_base_cycles = sim->totals.cycles;
  sim->cur_base_insns = sim->totals.instructions;
  sim->cur_extra_cycles = 0;
  sim->mmio_cursor = sim->mmio_left = 0;
  sim->totals.instructions += b->blk.insn_count;
  sim->totals.cycles += b->blk.cycles;
  sim->totals.blocks++;
  if (sim->totals.instructions >= sim->next_check) check_limits(sim);
}

/* Divides: the only instructions whose cost depends on data; hooked one address each. */
static void on_divide(uc_engine *uc, uint64_t address, uint32_t size, void *opaque) {
  mcusim_t *sim = opaque;
  const sim_block_t *b = sim->cur;
  if (!b) return;
  int k = block_index_of(b, (uint32_t)address);
  if (k < 0 || !(b->blk.insns[k].flags & ISA_F_DIVIDE)) return;
  const isa_insn_t *in = &b->blk.insns[k];
  uint32_t extra =
      isa_divide_extra_cycles(sim->isa, (in->flags & ISA_F_SIGNED) != 0, reg(sim, in->div_rn), reg(sim, in->div_rm));
  sim->totals.cycles += extra;
  sim->cur_extra_cycles += extra;
  sim->totals.divides++;
}

/* Which instruction of the current block made a data access at `addr`: the registers are up to date
 * inside MMIO callbacks (the PC is not), so the first memory instruction after the previous access whose
 * effective address range holds `addr` is the one. */
/* Lowest address and byte span a memory instruction accesses, from register values before it executes. */
static uint32_t effective_range(const isa_insn_t *in, const uint32_t regs[16], uint32_t *span) {
  const isa_mem_t *m = &in->mem;
  uint32_t base = m->base >= 0 && m->base < 15 ? regs[m->base] : 0;
  if (m->base == 15) base = (in->addr + 4) & ~3u;
  uint32_t index = m->index >= 0 && m->index < 16 ? regs[m->index] << m->shift : 0;
  uint32_t ea = base + (m->index_sign < 0 ? -index : index) + (uint32_t)m->disp;
  *span = m->count ? 4u * m->count : (in->id == ARM_INS_LDRD || in->id == ARM_INS_STRD ? 8u : 4u);
  return m->descending ? ea - *span : ea;
}

static void read_core_registers(mcusim_t *sim, uint32_t regs[16]) {
  for (int r = 0; r < 15; r++) regs[r] = reg(sim, r);
  regs[15] = 0;
}

/* Which instruction of the current block made a data access at `addr`: the registers are up to date
 * inside MMIO callbacks (the PC is not), so the first memory instruction after the previous access whose
 * effective address range holds `addr` is the one. */
static uint32_t locate_access(mcusim_t *sim, uint32_t addr) {
  const sim_block_t *b = sim->cur;
  if (sim->mmio_left) {
    sim->mmio_left--;
    return sim->mmio_index;
  }
  uint32_t regs[16];
  int have_regs = 0;
  for (uint32_t k = sim->mmio_cursor; k < b->blk.insn_count; k++) {
    const isa_insn_t *in = &b->blk.insns[k];
    if (!(in->flags & ISA_F_MEM)) continue;
    if (!have_regs) {
      read_core_registers(sim, regs);
      have_regs = 1;
    }
    uint32_t span, lo = effective_range(in, regs, &span);
    if (addr - lo >= span) continue;
    sim->mmio_index = k;
    sim->mmio_cursor = k + 1;
    sim->mmio_left = span / 4 - 1;
    return k;
  }
  return sim->mmio_cursor < b->blk.insn_count ? sim->mmio_cursor : b->blk.insn_count - 1;
}

/* ARMv7-M faults LDRD/STRD/LDM/STM on an unaligned address whatever CCR.UNALIGN_TRP says (ARMv7-M ARM
 * A3.2.1); Unicorn does not. A code hook on those instructions checks the address before they execute. */
static void on_multiword(uc_engine *uc, uint64_t address, uint32_t size, void *opaque) {
  mcusim_t *sim = opaque;
  const sim_block_t *b = sim->cur;
  int k = b ? block_index_of(b, (uint32_t)address) : -1;
  if (k < 0 || !(b->blk.insns[k].flags & ISA_F_MEM)) return;
  const isa_insn_t *in = &b->blk.insns[k];
  if (in->mem.count < 2 && in->id != ARM_INS_LDRD && in->id != ARM_INS_STRD) return;
  uint32_t regs[16] = {0}, span; /* only the base and index registers: a register read costs ~20 ns */
  if (in->mem.base >= 0 && in->mem.base < 15) regs[in->mem.base] = reg(sim, in->mem.base);
  if (in->mem.index >= 0 && in->mem.index < 15) regs[in->mem.index] = reg(sim, in->mem.index);
  uint32_t lo = effective_range(in, regs, &span);
  if (!(lo & 3u)) return;
  char what[96];
  snprintf(what, sizeof what,
           "unaligned multi-word access at 0x%08x (UsageFault: LDRD/STRD/LDM/STM need 4-byte alignment)", lo);
  sim_truncate_block(sim, (uint32_t)address, 0);
  sim_fault(sim, MCUSIM_FAULT_UNALIGNED, (uint32_t)address, lo, what);
}

void sim_now(mcusim_t *sim, uint32_t access_addr, mem_when_t *now) {
  const sim_block_t *b = sim->cur;
  now->sp = reg(sim, 13);
  now->lr = reg(sim, 14);
  if (!b) {
    now->cycle = sim->totals.cycles;
    now->insn = sim->totals.instructions;
    now->pc = reg(sim, 15);
    return;
  }
  uint32_t k = locate_access(sim, access_addr);
  now->cycle = sim->cur_base_cycles + b->cycles_before[k] + sim->cur_extra_cycles;
  now->insn = sim->cur_base_insns + k;
  now->pc = b->blk.insns[k].addr;
}

static uint16_t read_halfword(mcusim_t *sim, uint32_t addr) {
  uint16_t hw = 0;
  uc_mem_read(sim->uc, addr, &hw, 2);
  return hw;
}

/* Exceptions Unicorn raises to the host (QEMU's EXCP_* numbers for ARM). */
enum {
  EXCP_UDEF = 1,
  EXCP_SWI = 2,
  EXCP_DATA_ABORT = 4,
  EXCP_BKPT = 7,
  EXCP_NOCP = 17,
  EXCP_INVSTATE = 18,
  EXCP_UNALIGNED = 22
};

/* UsageFaults of the instruction at PC: nothing executed it. */
static const struct {
  uint32_t intno;
  mcusim_fault_kind_t kind;
  const char *what;
} usage_faults[] = {
    {EXCP_UDEF, MCUSIM_FAULT_UNDEFINED_INSN, "undefined instruction (UsageFault)"},
    {EXCP_NOCP, MCUSIM_FAULT_UNDEFINED_INSN, "coprocessor instruction with the coprocessor disabled"},
    {EXCP_INVSTATE, MCUSIM_FAULT_EXCEPTION, "branch to an ARM-state (even) address: INVSTATE UsageFault"},
    {EXCP_UNALIGNED, MCUSIM_FAULT_UNALIGNED, "unaligned access (UsageFault)"},
    /* Measured: an unaligned LDR/LDRH/STR on the M0+ arrives as a data abort (no MPU: nothing else raises one). */
    {EXCP_DATA_ABORT, MCUSIM_FAULT_UNALIGNED, "unaligned access (HardFault on ARMv6-M)"},
};

static void on_interrupt(uc_engine *uc, uint32_t intno, void *opaque) {
  mcusim_t *sim = opaque;
  uint32_t pc = reg(sim, 15);
  char what[96];
  switch (intno) {
  case EXCP_BKPT:
    if ((read_halfword(sim, pc) & 0xFF00u) == 0xBE00u && (read_halfword(sim, pc) & 0xFFu) == 0xABu) {
      sim_truncate_block(sim, pc, 1);
      sim_semihost(sim, pc);
      if (sim->stopping) return;     /* writing PC would restart Unicorn's loop and undo the stop */
      uint32_t next = (pc + 2) | 1u; /* BKPT does not advance PC; bit 0 keeps Thumb state */
      uc_reg_write(uc, UC_ARM_REG_PC, &next);
      return;
    }
    sim_truncate_block(sim, pc, 1);
    snprintf(what, sizeof what, "BKPT 0x%02x (not semihosting: no debugger attached)", read_halfword(sim, pc) & 0xFFu);
    sim_fault(sim, MCUSIM_FAULT_BKPT, pc, 0, what);
    return;
  case EXCP_SWI: /* PC already points after the SVC */
    sim_truncate_block(sim, pc - 2, 1);
    sim_fault(sim, MCUSIM_FAULT_SVC, pc - 2, 0, "SVC with no exception model to handle it");
    return;
  default:
    for (size_t i = 0; i < sizeof usage_faults / sizeof *usage_faults; i++)
      if (usage_faults[i].intno == intno) {
        sim_truncate_block(sim, pc, 0);
        sim_fault(sim, usage_faults[i].kind, pc, 0, usage_faults[i].what);
        return;
      }
    sim_truncate_block(sim, pc, 0);
    snprintf(what, sizeof what, "CPU exception %u with no exception model to handle it", intno);
    sim_fault(sim, MCUSIM_FAULT_EXCEPTION, pc, 0, what);
  }
}

static bool on_bad_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *opaque) {
  mcusim_t *sim = opaque;
  sim->fault_address = (uint32_t)address;
  return false; /* let Unicorn stop with its error code; the run loop turns it into a fault */
}

/* ---- open / load ---- */

mcusim_err mcusim_open(const prof_t *profile, mcusim_t **out) {
  *out = NULL;
  mcusim_t *sim = calloc(1, sizeof *sim);
  if (!sim) return MCUSIM_E_NOMEM;
  sim->profile = profile;
  mem_init(&sim->mem, prof_sram_bytes(profile));
  int core = isa_core_from_name(profile->core);
  static const int uc_models[] = {[ISA_CORE_M0PLUS] = UC_CPU_ARM_CORTEX_M0,
                                  [ISA_CORE_M3] = UC_CPU_ARM_CORTEX_M3,
                                  [ISA_CORE_M4] = UC_CPU_ARM_CORTEX_M4,
                                  [ISA_CORE_M7] = UC_CPU_ARM_CORTEX_M7};
  mcusim_err err = MCUSIM_E_BAD_PROFILE;
  if (core < 0) {
    set_error(sim, err, "%s: unknown core '%s'", profile->path, profile->core);
    goto fail;
  }
  isa_config_t config = {.core = (isa_core_t)core, .mul_cycles = profile->mul_cycles};
  if (isa_open(&config, &sim->isa) != ISA_OK) {
    err = set_error(sim, MCUSIM_E_ENGINE, "capstone could not be opened");
    goto fail;
  }
  /* THUMB without MCLASS, then the model: a true M-profile core (DESIGN.md, engine facts). */
  if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &sim->uc) != UC_ERR_OK ||
      uc_ctl_set_cpu_model(sim->uc, uc_models[core]) != UC_ERR_OK) {
    err = set_error(sim, MCUSIM_E_ENGINE, "Unicorn could not create a Cortex-%s core", profile->core);
    goto fail;
  }
  int fetch_err = 0;
  sim->fetch = sim_fetch_create(profile, &fetch_err);
  if (fetch_err) {
    err = MCUSIM_E_NOMEM;
    goto fail;
  }
  *out = sim;
  return MCUSIM_OK;
fail:
  mcusim_close(sim);
  return err;
}

void mcusim_close(mcusim_t *sim) {
  if (!sim) return;
  if (sim->uc) uc_close(sim->uc);
  isa_close(sim->isa);
  sim_fetch_destroy(sim->fetch);
  sim_funcprof_destroy(sim->funcprof);
  sim_annot_free(sim->annot);
  sim_elf_free(sim->elf);
  cache_release(&sim->cache);
  mem_release(&sim->mem);
  free(sim->result.stdout_text);
  free(sim->code_hooks);
  free(sim);
}

void mcusim_set_output(mcusim_t *sim, mcusim_output_fn fn, void *opaque) {
  sim->output = fn;
  sim->output_opaque = opaque;
}

void mcusim_set_strict_sram(mcusim_t *sim, int strict) { sim->strict_sram = strict; }

void mcusim_set_progress(mcusim_t *sim, mcusim_progress_fn fn, void *opaque) {
  sim->progress = fn;
  sim->progress_opaque = opaque;
}

/* Maps an SRAM region and paints it so that touched bytes and the stack's depth can be read back later. */
static int map_painted(mcusim_t *sim, const prof_region_t *r) {
  if (uc_mem_map(sim->uc, r->base, r->size, UC_PROT_ALL) != UC_ERR_OK) return -1;
  uint32_t *paint = malloc(r->size);
  if (!paint) return -1;
  for (uint32_t w = 0; w < r->size / 4; w++) paint[w] = MEM_PAINT_WORD;
  uc_mem_write(sim->uc, r->base, paint, r->size);
  free(paint);
  return 0;
}

static mcusim_err map_memory(mcusim_t *sim) {
  const prof_t *p = sim->profile;
  if (uc_mem_map(sim->uc, p->flash.base, p->flash.size, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK)
    return set_error(sim, MCUSIM_E_BAD_PROFILE, "%s: cannot map flash at 0x%08x", p->path, p->flash.base);
  for (unsigned i = 0; i < p->sram_count; i++)
    if (map_painted(sim, &p->sram[i]))
      return set_error(sim, MCUSIM_E_BAD_PROFILE, "%s: cannot map %s at 0x%08x", p->path, p->sram[i].name,
                       p->sram[i].base);
  if (sim->overflow.size && map_painted(sim, &sim->overflow))
    return set_error(sim, MCUSIM_E_ENGINE, "cannot map %u bytes of overflow SRAM", sim->overflow.size);
  /* The PPB: ITM and DWT are devices, the rest (SCB, NVIC, SysTick) plain memory so start-up code runs. */
  if (sim_devices_map(sim) || uc_mem_map(sim->uc, SIM_PPB_BASE + SIM_DEVICES_SIZE, SIM_PPB_SIZE - SIM_DEVICES_SIZE,
                                         UC_PROT_READ | UC_PROT_WRITE))
    return set_error(sim, MCUSIM_E_ENGINE, "cannot map the private peripheral bus");
  return MCUSIM_OK;
}

/* The profile's region holding [addr, addr+size), or the overflow SRAM the simulator mapped behind it. */
static const prof_region_t *find_region(const mcusim_t *sim, uint32_t addr, uint32_t size, int *is_flash) {
  const prof_region_t *r = prof_find_region(sim->profile, addr, size, is_flash);
  if (r || !sim->overflow.size) return r;
  /* the overflow continues the first SRAM region: a range may start in one and end in the other */
  const prof_region_t *sram = &sim->profile->sram[0];
  if (addr >= sram->base && (uint64_t)addr + size <= (uint64_t)sim->overflow.base + sim->overflow.size) {
    if (is_flash) *is_flash = 0;
    return addr >= sim->overflow.base ? &sim->overflow : sram;
  }
  return NULL;
}

int sim_sram_range(const mcusim_t *sim, uint32_t addr, uint32_t size) {
  int in_flash = 0;
  return find_region(sim, addr, size ? size : 1, &in_flash) && !in_flash;
}

#define SIM_OVERFLOW_MAX (256u << 20) /* how far past the device's SRAM a firmware may reach */

static uint32_t vector_table_sp(const sim_elf_t *elf, uint32_t flash_base) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (s->file_size >= 8 && s->paddr == flash_base)
      return s->bytes[0] | s->bytes[1] << 8 | s->bytes[2] << 16 | (uint32_t)s->bytes[3] << 24;
  }
  return 0;
}

/* Firmware linked for more SRAM than the device has (e.g. for sim-large) still runs: SRAM is extended behind
 * the first region up to what its segments and initial SP need, and reports say the peak overflows. */
static void plan_overflow(mcusim_t *sim) {
  const prof_region_t *sram = &sim->profile->sram[0];
  uint64_t end = (uint64_t)sram->base + sram->size, needed = end;
  for (size_t i = 0; i < sim->elf->segment_count; i++) {
    const sim_elf_segment_t *seg = &sim->elf->segments[i];
    uint64_t top = (uint64_t)seg->vaddr + seg->mem_size;
    if (seg->vaddr >= sram->base && seg->vaddr < end + SIM_OVERFLOW_MAX && top > needed) needed = top;
  }
  uint32_t sp = vector_table_sp(sim->elf, sim->profile->flash.base);
  if (sp > end && sp <= end + SIM_OVERFLOW_MAX && sp > needed) needed = sp;
  if (needed == end || sim->strict_sram) return;
  uint64_t size = (needed - end + 0xFFF) & ~0xFFFull;
  prof_region_t candidate = {.base = (uint32_t)end, .size = (uint32_t)size};
  snprintf(candidate.name, sizeof candidate.name, "overflow");
  if (prof_find_region(sim->profile, candidate.base, 1, NULL) ||
      prof_find_region(sim->profile, (uint32_t)(end + size - 1), 1, NULL))
    return; /* another region is there: the firmware really does not fit this map */
  sim->overflow = candidate;
  mem_set_overflow_mapped(&sim->mem, size);
}

static mcusim_err load_segments(mcusim_t *sim, const char *path) {
  const prof_t *p = sim->profile;
  for (size_t i = 0; i < sim->elf->segment_count; i++) {
    const sim_elf_segment_t *s = &sim->elf->segments[i];
    int load_in_flash = 0, run_in_flash = 0;
    if (s->file_size && !find_region(sim, s->paddr, s->file_size, &load_in_flash))
      return set_error(sim, MCUSIM_E_BAD_ELF,
                       "%s: segment %zu (0x%08x..0x%08x) lies outside %s's memory map (flash 0x%08x+%u)", path, i,
                       s->paddr, s->paddr + s->file_size, p->name, p->flash.base, p->flash.size);
    if (!find_region(sim, s->vaddr, s->mem_size, &run_in_flash))
      return set_error(sim, MCUSIM_E_BAD_ELF,
                       "%s: segment %zu runs at 0x%08x..0x%08x, outside %s's memory map (does it fit the SRAM?)", path,
                       i, s->vaddr, s->vaddr + s->mem_size, p->name);
    if (s->file_size) uc_mem_write(sim->uc, s->paddr, s->bytes, s->file_size);
    if (load_in_flash) sim->firmware.flash_used_bytes += s->file_size;
    /* A segment loaded where it runs gets its zero-filled tail here (rdimon-style images rely on it). */
    if (s->paddr == s->vaddr && s->mem_size > s->file_size) {
      uint32_t tail = s->mem_size - s->file_size;
      uint8_t *zeros = calloc(1, tail);
      if (!zeros) return MCUSIM_E_NOMEM;
      uc_mem_write(sim->uc, s->vaddr + s->file_size, zeros, tail);
      free(zeros);
    }
  }
  return MCUSIM_OK;
}

static int is_dynamic_section(const char *name) {
  static const char *const prefixes[] = {".arena", ".heap", ".stack", "._user_heap_stack", ".noinit_arena", NULL};
  for (const char *const *pfx = prefixes; *pfx; pfx++)
    if (strncmp(name, *pfx, strlen(*pfx)) == 0) return 1;
  return 0;
}

/* Section sizes for the report: text, rodata, static SRAM (.data + .bss). */
static void measure_sections(mcusim_t *sim) {
  mcusim_firmware_t *fw = &sim->firmware;
  uint32_t static_end = 0;
  for (size_t i = 0; i < sim->elf->section_count; i++) {
    const sim_elf_section_t *s = &sim->elf->sections[i];
    int in_flash = 0;
    int in_memory = find_region(sim, s->addr, s->size ? s->size : 1, &in_flash) != NULL;
    if (in_memory && !in_flash && (s->flags & SHF_WRITE) && s->addr + s->size > static_end)
      static_end = s->addr + s->size;
    if (s->flags & SHF_EXECINSTR)
      fw->text_bytes += s->size;
    else if (!(s->flags & SHF_WRITE))
      fw->rodata_bytes += s->size;
    else if (in_memory && !in_flash && !is_dynamic_section(s->name)) {
      if (s->nobits)
        fw->bss_bytes += s->size;
      else
        fw->data_bytes += s->size;
    }
  }
  mem_set_static(&sim->mem, fw->data_bytes, fw->bss_bytes, static_end);
}

static void hash_file(mcusim_t *sim) {
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, sim->elf->image_size, sim->elf->image);
  sha256_digest(&ctx, sizeof digest, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(sim->firmware.sha256 + 2 * i, 3, "%02x", digest[i]);
}

static int executable_address(const mcusim_t *sim, uint32_t addr) { return find_region(sim, addr, 2, NULL) != NULL; }

/* An initial SP may point one past the end of an SRAM region (full-descending stack). */
static int stack_pointer_ok(const mcusim_t *sim, uint32_t sp) { return sim_sram_range(sim, sp - 4, 4); }

static int segment_covers(const sim_elf_t *elf, uint32_t addr, uint32_t size) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (s->file_size && addr >= s->paddr && (uint64_t)addr + size <= (uint64_t)s->paddr + s->file_size) return 1;
  }
  return 0;
}

/* Initial SP and PC: the vector table at the flash base when the image has one, else the ELF entry. */
static mcusim_err choose_start(mcusim_t *sim, const char *path) {
  const prof_t *p = sim->profile;
  mcusim_result_t *r = &sim->result;
  if (segment_covers(sim->elf, p->flash.base, 8)) {
    uint32_t vectors[2];
    uc_mem_read(sim->uc, p->flash.base, vectors, sizeof vectors);
    if (!(vectors[1] & 1u))
      return set_error(sim, MCUSIM_E_BAD_ELF, "%s: reset vector 0x%08x is even: not a Thumb address", path, vectors[1]);
    if (!executable_address(sim, vectors[1] & ~1u))
      return set_error(sim, MCUSIM_E_BAD_ELF, "%s: reset vector 0x%08x points outside %s's memory", path, vectors[1],
                       p->name);
    if (!stack_pointer_ok(sim, vectors[0]) || (vectors[0] & 3u))
      return set_error(sim, MCUSIM_E_BAD_ELF, "%s: initial stack pointer 0x%08x is not inside %s's SRAM", path,
                       vectors[0], p->name);
    r->initial_sp = vectors[0];
    r->entry_pc = vectors[1] & ~1u;
    r->start_source = "vector_table";
    return MCUSIM_OK;
  }
  uint32_t entry = sim->elf->entry & ~1u;
  if (!executable_address(sim, entry))
    return set_error(sim, MCUSIM_E_BAD_ELF, "%s: no vector table at 0x%08x and the entry 0x%08x is outside %s's memory",
                     path, p->flash.base, sim->elf->entry, p->name);
  r->initial_sp = p->sram[0].base + p->sram[0].size;
  r->entry_pc = entry;
  r->start_source = "elf_entry";
  return MCUSIM_OK;
}

static mcusim_err add_code_hook(mcusim_t *sim, uint32_t addr, void *callback) {
  uc_hook *grown = realloc(sim->code_hooks, (sim->code_hook_count + 1) * sizeof *grown);
  if (!grown) return MCUSIM_E_NOMEM;
  sim->code_hooks = grown;
  if (uc_hook_add(sim->uc, &grown[sim->code_hook_count], UC_HOOK_CODE, callback, sim, addr, addr) == UC_ERR_OK)
    sim->code_hook_count++;
  return MCUSIM_OK;
}

/* Walks Thumb instructions in [start, end) of a segment (a halfword 0b11101/0b11110/0b11111... starts a 32-bit
 * instruction: ARMv7-M ARM A5.1) and hooks those that match. Walking instructions rather than every halfword
 * matters: Unicorn looks through all code hooks each time a hooked instruction runs, and weights in flash would
 * otherwise match by the thousand. */
static mcusim_err hook_range(mcusim_t *sim, const sim_elf_segment_t *s, uint32_t start, uint32_t end,
                             int (*match)(uint16_t, uint16_t), void *callback) {
  for (uint32_t addr = start; addr + 2 <= end;) {
    uint32_t off = addr - s->paddr;
    uint16_t hw1 = (uint16_t)(s->bytes[off] | s->bytes[off + 1] << 8);
    uint32_t width = isa_thumb_width(hw1);
    uint16_t hw2 = width == 4 && addr + 4 <= end ? (uint16_t)(s->bytes[off + 2] | s->bytes[off + 3] << 8) : 0;
    if (match(hw1, hw2) && add_code_hook(sim, addr, callback)) return MCUSIM_E_NOMEM;
    addr += width;
  }
  return MCUSIM_OK;
}

/* Hooks matching instructions of every function symbol (or of whole executable segments in a stripped ELF). */
static mcusim_err hook_matching(mcusim_t *sim, int (*match)(uint16_t, uint16_t), void *callback) {
  for (size_t i = 0; i < sim->elf->segment_count; i++) {
    const sim_elf_segment_t *s = &sim->elf->segments[i];
    if (!(s->flags & 1u /* PF_X */)) continue;
    uint64_t seg_end = (uint64_t)s->paddr + s->file_size;
    int functions = 0;
    for (size_t k = 0; k < sim->elf->symbol_count; k++) {
      const sim_elf_symbol_t *f = &sim->elf->symbols[k];
      if (!f->is_function || !f->size || f->addr < s->paddr || (uint64_t)f->addr + f->size > seg_end) continue;
      functions++;
      if (hook_range(sim, s, f->addr, f->addr + f->size, match, callback)) return MCUSIM_E_NOMEM;
    }
    if (!functions && hook_range(sim, s, s->paddr, (uint32_t)seg_end, match, callback)) return MCUSIM_E_NOMEM;
  }
  return MCUSIM_OK;
}

static mcusim_err hook_divides(mcusim_t *sim) { return hook_matching(sim, isa_thumb_is_divide, (void *)on_divide); }

mcusim_err mcusim_load_elf(mcusim_t *sim, const char *path) {
  if (sim->loaded) return set_error(sim, MCUSIM_E_STATE, "a firmware is already loaded");
  char msg[512];
  sim->elf = sim_elf_read(path, msg, sizeof msg);
  if (!sim->elf) return set_error(sim, MCUSIM_E_BAD_ELF, "%s", msg);
  sim->firmware.path = path;
  sim->firmware.entry = sim->elf->entry;
  hash_file(sim);
  plan_overflow(sim);
  mcusim_err err = map_memory(sim);
  if (!err) err = load_segments(sim, path);
  if (!err) err = choose_start(sim, path);
  if (err) return err;
  measure_sections(sim);
  uint32_t end_sym;
  sim->heap_base = sim_elf_lookup(sim->elf, "end", &end_sym) == 0 ? end_sym : sim->profile->sram[0].base;
  uint32_t arena_sym;
  if (sim_elf_lookup(sim->elf, "__arena_start", &arena_sym) == 0) mem_set_arena_base(&sim->mem, arena_sym);
  sim->loaded = 1;
  return MCUSIM_OK;
}

/* ---- run ---- */

void sim_emit_output(mcusim_t *sim, int fd, const char *data, size_t len) {
  mcusim_result_t *r = &sim->result;
  if (sim->output) sim->output(sim->output_opaque, fd, data, len);
  size_t room = SIM_STDOUT_CAPTURE_BYTES - r->stdout_len;
  if (len > room) {
    r->stdout_truncated = 1;
    len = room;
  }
  if (!len) return;
  char *grown = realloc(r->stdout_text, r->stdout_len + len + 1);
  if (!grown) return;
  memcpy(grown + r->stdout_len, data, len);
  r->stdout_len += len;
  grown[r->stdout_len] = '\0';
  r->stdout_text = grown;
}

static mcusim_err install_hooks(mcusim_t *sim) {
  uc_engine *uc = sim->uc;
  int ok = uc_hook_add(uc, &sim->hooks[sim->hook_count++], UC_HOOK_INTR, (void *)on_interrupt, sim, 1, 0) == UC_ERR_OK;
  ok &= uc_hook_add(uc, &sim->hooks[sim->hook_count++], UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, (void *)on_bad_access,
                    sim, 1, 0) == UC_ERR_OK;
  if (sim->limits.accounting) {
    if (sim->limits.profile_functions && !(sim->funcprof = sim_funcprof_create(sim->elf))) return MCUSIM_E_NOMEM;
    ok &= uc_hook_add(uc, &sim->hooks[sim->hook_count++], UC_HOOK_BLOCK, (void *)on_block, sim, 1, 0) == UC_ERR_OK;
    if (ok && hook_divides(sim)) return MCUSIM_E_NOMEM;
    if (ok && !sim->limits.no_tracking && sim_annot_install(sim)) ok = 0;
    /* ARMv6-M (M0+) faults every unaligned access itself; ARMv7-M needs the check on multi-word accesses. */
    if (ok && sim->limits.check_alignment && strcmp(sim->profile->core, "m0plus") != 0 &&
        hook_matching(sim, isa_thumb_is_multiword, (void *)on_multiword))
      return MCUSIM_E_NOMEM;
    if (ok && sim->limits.precise_flash && sim->fetch)
      ok = sim_fetch_enable_data_reads(sim->fetch, uc, &sim->totals.cycles, &sim->cur_extra_cycles) == 0;
  }
  return ok ? MCUSIM_OK : set_error(sim, MCUSIM_E_ENGINE, "Unicorn refused a hook");
}

/* Turns Unicorn's error into a fault of the firmware (PC is at the faulting instruction). */
static void fault_from_engine(mcusim_t *sim, uc_err err) {
  uint32_t pc = reg(sim, 15);
  char what[128];
  mcusim_fault_kind_t kind;
  switch (err) {
  case UC_ERR_READ_UNMAPPED:
    kind = MCUSIM_FAULT_READ_UNMAPPED;
    break;
  case UC_ERR_WRITE_UNMAPPED:
    kind = MCUSIM_FAULT_WRITE_UNMAPPED;
    break;
  case UC_ERR_FETCH_UNMAPPED:
    kind = MCUSIM_FAULT_FETCH_UNMAPPED;
    break;
  case UC_ERR_WRITE_PROT:
    kind = MCUSIM_FAULT_WRITE_PROTECTED;
    break;
  case UC_ERR_FETCH_PROT:
    kind = MCUSIM_FAULT_FETCH_PROTECTED;
    break;
  case UC_ERR_INSN_INVALID:
    kind = MCUSIM_FAULT_UNDEFINED_INSN;
    break;
  case UC_ERR_READ_UNALIGNED:
  case UC_ERR_WRITE_UNALIGNED:
  case UC_ERR_FETCH_UNALIGNED:
    kind = MCUSIM_FAULT_UNALIGNED;
    break;
  default:
    kind = MCUSIM_FAULT_EXCEPTION;
    break;
  }
  int data_fault = kind == MCUSIM_FAULT_READ_UNMAPPED || kind == MCUSIM_FAULT_WRITE_UNMAPPED ||
                   kind == MCUSIM_FAULT_WRITE_PROTECTED || kind == MCUSIM_FAULT_UNALIGNED;
  /* Unicorn leaves PC at the block's start after a data fault; the registers are exact, so find the
   * memory instruction whose address matches, as for MMIO accesses. */
  if (data_fault && sim->cur && pc == sim->cur->blk.addr)
    pc = sim->cur->blk.insns[locate_access(sim, sim->fault_address)].addr;
  uint32_t xpsr = reg(sim, 16);
  if (kind == MCUSIM_FAULT_UNDEFINED_INSN && !(xpsr & (1u << 24))) {
    sim->cur = NULL;
    sim_fault(sim, MCUSIM_FAULT_EXCEPTION, pc, pc,
              "branch to an even address left Thumb state (INVSTATE UsageFault: BX/BLX needs bit 0 set)");
    return;
  }
  if (kind == MCUSIM_FAULT_WRITE_PROTECTED)
    snprintf(what, sizeof what, "write to flash at 0x%08x", sim->fault_address);
  else if (data_fault)
    snprintf(what, sizeof what, "%s 0x%08x",
             kind == MCUSIM_FAULT_READ_UNMAPPED    ? "read from unmapped address"
             : kind == MCUSIM_FAULT_WRITE_UNMAPPED ? "write to unmapped address"
                                                   : "unaligned access at",
             sim->fault_address);
  else if (kind == MCUSIM_FAULT_FETCH_UNMAPPED || kind == MCUSIM_FAULT_FETCH_PROTECTED)
    snprintf(what, sizeof what, "instruction fetch from unmapped address 0x%08x", pc);
  else
    snprintf(what, sizeof what, "%s", uc_strerror(err));
  sim_truncate_block(sim, pc, 0);
  sim_fault(sim, kind, pc, data_fault ? sim->fault_address : pc, what);
}

/* uc_emu_start returned OK without a stop we asked for: the core halted on WFI/WFE. */
static void halted(mcusim_t *sim) {
  uint32_t pc = reg(sim, 15);
  uint16_t before = read_halfword(sim, pc - 2), at = read_halfword(sim, pc);
  uint32_t wfi_pc = (before == 0xBF30u || before == 0xBF20u) ? pc - 2 : pc;
  if (at == 0xBF30u || at == 0xBF20u || before == 0xBF30u || before == 0xBF20u)
    sim_fault(sim, MCUSIM_FAULT_WFI, wfi_pc, 0, "WFI/WFE with no interrupt source to wake the core");
  else
    sim_fault(sim, MCUSIM_FAULT_EXCEPTION, pc, 0, "the core stopped for no reason the simulator knows");
}

static void scan_region(mcusim_t *sim, const prof_region_t *r) {
  uint8_t *copy = malloc(r->size);
  if (copy && uc_mem_read(sim->uc, r->base, copy, r->size) == UC_ERR_OK)
    mem_scan_painted(&sim->mem, copy, r->base, r->size);
  free(copy);
}

static void finish_memory(mcusim_t *sim) {
  mem_t *m = &sim->mem;
  mem_set_stack_low(m, sim->lowest_sp, sim->heap_base);
  for (unsigned i = 0; i < sim->profile->sram_count; i++) scan_region(sim, &sim->profile->sram[i]);
  if (sim->overflow.size) scan_region(sim, &sim->overflow);
  mem_when_t end = {sim->totals.cycles, sim->totals.instructions, reg(sim, 13), reg(sim, 15), reg(sim, 14)};
  mem_finish(m, &end);
}

static mcusim_err run_result(mcusim_t *sim) {
  switch (sim->result.stop) {
  case MCUSIM_STOP_EXIT:
    return MCUSIM_OK;
  case MCUSIM_STOP_FAULT:
    return set_error(sim, MCUSIM_E_FAULT, "%s", sim->result.fault.message);
  case MCUSIM_STOP_INSN_LIMIT:
    return set_error(sim, MCUSIM_E_LIMIT, "instruction limit of %llu reached",
                     (unsigned long long)sim->limits.max_instructions);
  case MCUSIM_STOP_TIME_LIMIT:
    return set_error(sim, MCUSIM_E_LIMIT, "time limit of %.1f s reached", sim->limits.timeout_seconds);
  case MCUSIM_STOP_INTERRUPTED:
    return set_error(sim, MCUSIM_E_INTERRUPTED, "interrupted");
  default:
    return set_error(sim, MCUSIM_E_ENGINE, "the run ended without a reason");
  }
}

mcusim_err mcusim_run(mcusim_t *sim, const mcusim_limits_t *limits) {
  if (!sim->loaded || sim->ran) return set_error(sim, MCUSIM_E_STATE, sim->ran ? "already ran" : "no firmware loaded");
  sim->ran = 1;
  sim->limits = *limits;
  sim->lowest_sp = UINT32_MAX;
  mcusim_err err = install_hooks(sim);
  if (err) return err;
  uint32_t sp = sim->result.initial_sp;
  uc_reg_write(sim->uc, UC_ARM_REG_SP, &sp);
  sim->lowest_sp = sp;
  mem_set_initial_sp(&sim->mem, sp);
  mem_when_t start = {0, 0, sp, sim->result.entry_pc, 0};
  mem_sample(&sim->mem, &start);
  sim->start_wall = sim->last_progress_wall = wall_now();
  check_limits(sim); /* sets next_check */
  uc_err uerr = uc_emu_start(sim->uc, sim->result.entry_pc | 1u, SIM_UNTIL_NEVER, 0, 0);
  if (uerr != UC_ERR_OK && !sim->stopping)
    fault_from_engine(sim, uerr);
  else if (!sim->stopping)
    halted(sim);
  if (sim->result.stop == MCUSIM_STOP_INSN_LIMIT || sim->result.stop == MCUSIM_STOP_TIME_LIMIT ||
      sim->result.stop == MCUSIM_STOP_INTERRUPTED) {
    uint32_t pc = reg(sim, 15);
    mcusim_symbolize(sim, pc, sim->result.fault.symbol, sizeof sim->result.fault.symbol);
    sim->result.fault.pc = pc;
  }
  sim->result.wall_seconds = wall_now() - sim->start_wall;
  sim->result.totals = sim->totals;
  sim->result.latency_us = (double)sim->totals.cycles * 1e6 / (double)sim->profile->clock_hz;
  finish_memory(sim);
  if (sim_funcprof_run_end(sim)) return set_error(sim, MCUSIM_E_NOMEM, "out of memory building the function profile");
  return run_result(sim);
}

void mcusim_request_stop(mcusim_t *sim) {
  sim->stop_requested = 1;
  sim->next_check = 0;
}

const mcusim_result_t *mcusim_result(const mcusim_t *sim) { return &sim->result; }
const mem_t *mcusim_memory(const mcusim_t *sim) { return &sim->mem; }
const mcusim_firmware_t *mcusim_firmware(const mcusim_t *sim) { return &sim->firmware; }
const prof_t *mcusim_profile(const mcusim_t *sim) { return sim->profile; }
const mcusim_limits_t *mcusim_limits(const mcusim_t *sim) { return &sim->limits; }

void mcusim_fetch_stats(const mcusim_t *sim, uint64_t *line_lookups, uint64_t *line_misses, uint64_t *stall_cycles,
                        uint64_t *data_reads, uint64_t *data_stall_cycles) {
  sim_fetch_stats_t st;
  sim_fetch_stats(sim->fetch, &st);
  *line_lookups = st.line_lookups;
  *line_misses = st.line_misses;
  *stall_cycles = st.stall_cycles;
  *data_reads = st.data_reads;
  *data_stall_cycles = st.data_stall_cycles;
}

void mcusim_symbolize(const mcusim_t *sim, uint32_t addr, char *buf, size_t size) {
  const sim_elf_symbol_t *s = sim->elf ? sim_elf_symbol_at(sim->elf, addr & ~1u) : NULL;
  if (!s)
    snprintf(buf, size, "0x%08x", addr);
  else if ((addr & ~1u) == s->addr)
    snprintf(buf, size, "%s", s->name);
  else
    snprintf(buf, size, "%s+0x%x", s->name, (addr & ~1u) - s->addr);
}
