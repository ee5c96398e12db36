/* sim/run.c — the run: the Unicorn loop, the block cache, and per-block cycle accounting.
 *
 * Accounting (ARCHITECTURE.md "Accounting"): a UC_HOOK_BLOCK charges a whole block's instructions and
 * static cycles when it starts; the next block's address tells whether a final conditional branch was
 * taken; divides get their data-dependent cycles from code hooks placed on divide instructions only; an
 * exception that leaves a block early (semihosting, SVC, a fault) un-charges the instructions after it. */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim_internal.h"

#define SIM_CHECK_INTERVAL_INSNS (1u << 22) /* ~20 ms of simulation between limit/progress checks */
#define SIM_PROGRESS_SECONDS 0.5
#define SIM_UNTIL_NEVER 0xFFFFFFFFull /* odd: never a Thumb PC */
#define SIM_MAX_BLOCK_INSNS 512       /* Unicorn ends a translated block after 512 instructions (ARCHITECTURE.md) */

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
/* ---- block cache ---- */

static size_t cache_slot(const sim_block_cache_t *c, uint32_t addr) {
  return (size_t)(((addr >> 1) * 0x9E3779B1u) & (c->cap - 1));
}

static void block_free(sim_block_t *b) {
  if (!b) return;
  isa_block_free(&b->blk);
  free(b->cycles_before);
  free(b->mem_pairs);
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

void sim_cache_release(sim_block_cache_t *c) {
  for (size_t i = 0; i < c->cap; i++) block_free(c->slots[i]);
  free(c->slots);
  memset(c, 0, sizeof *c);
}

/* `b .` as B (T2, 0xE7FE) or B.W (T4, 0xF7FF 0xBFFE), alone in its block: no instruction can leave it, and with
 * nothing pending or scheduled in the exception model nothing can interrupt it (looked_up). */
static int is_self_loop(const uint8_t *code, uint32_t size) {
  uint16_t h0 = (uint16_t)(code[0] | code[1] << 8), h1 = size >= 4 ? (uint16_t)(code[2] | code[3] << 8) : 0;
  return (size == 2 && h0 == 0xE7FEu) || (size == 4 && h0 == 0xF7FFu && h1 == 0xBFFEu);
}

/* ---- loads across memory blocks (issue 18 rule 1) ----
 * M3/M4: "load pipelining happens only when targeting the same memory block" (jnk0le/random, "pipeline cycle
 * test/doc/cortex_m3m4.md", STM32F103/F407). The static cost pipelines LDR;LDR (and LDR;STR); where the two addresses
 * may lie in different blocks (flash, each SRAM region, anything else by its 512 MiB region) the engine checks at
 * block entry, from the base registers, without memory hooks: a pair is checked when its base registers are not
 * written earlier in the block (a memory instruction's own base write-back keeps its block and is allowed); two
 * accesses through the same base register never differ. Pairs whose registers change earlier in the block keep the
 * static (pipelined) cost. */
static unsigned mem_block_of(const mcusim_t *sim, uint32_t addr) {
  const prof_t *p = sim->profile;
  if (addr - p->flash.base < p->flash.size) return 1;
  for (unsigned i = 0; i < p->sram_count; i++)
    if (addr - p->sram[i].base < p->sram[i].size) return 2 + i;
  if (sim->overflow.size && addr - sim->overflow.base < sim->overflow.size) return 2;
  return 64 + (addr >> 29);
}

static int mem_pairs_find(mcusim_t *sim, sim_block_t *b) {
  int core = isa_core_from_name(sim->profile->core);
  if (core != ISA_CORE_M3 && core != ISA_CORE_M4) return 0;
  sim_mem_pair_t pairs[SIM_MEM_PAIRS];
  unsigned n = 0;
  uint16_t clobbered = 0; /* registers written by instructions before the pair's load, other than base write-back */
  for (uint32_t k = 1; k < b->blk.insn_count && n < SIM_MEM_PAIRS; k++) {
    const isa_insn_t *ld = &b->blk.insns[k - 1], *in = &b->blk.insns[k];
    if (k >= 2) {
      const isa_insn_t *w = &b->blk.insns[k - 2];
      uint16_t wb = (w->flags & ISA_F_MEM) && w->mem.base >= 0 ? (uint16_t)(1u << w->mem.base) : 0;
      clobbered |= w->writes & (uint16_t)~wb;
    }
    if (!in->pipelined) continue;
    if (ld->mem.base >= 0 && ld->mem.base == in->mem.base) continue; /* one base register: one block */
    sim_mem_pair_t pr = {(uint8_t)k, {ld->mem.base, in->mem.base}, {(uint32_t)ld->mem.disp, (uint32_t)in->mem.disp}};
    int known = 1;
    for (int j = 0; j < 2; j++)
      if (pr.reg[j] >= 0 && (clobbered & (1u << pr.reg[j]))) known = 0;
    if (!known) continue;
    if (pr.reg[0] < 0 && pr.reg[1] < 0 && mem_block_of(sim, pr.addr[0]) == mem_block_of(sim, pr.addr[1])) continue;
    pairs[n++] = pr;
  }
  if (!n) return 0;
  b->mem_pairs = malloc(n * sizeof *b->mem_pairs);
  if (!b->mem_pairs) return -1;
  memcpy(b->mem_pairs, pairs, n * sizeof *pairs);
  b->mem_pair_count = (uint8_t)n;
  for (unsigned j = 0; j < n; j++)
    for (int i = 0; i < 2; i++)
      if (pairs[j].reg[i] >= 0) b->mem_pair_regs |= (uint16_t)(1u << pairs[j].reg[i]);
  return 0;
}

/* The registers' memory blocks at b's entry: bit j set when pair j straddles two blocks. The block's base registers
 * are read in one batch (a read through Unicorn's API costs about as much as the rest of the block hook). */
static uint32_t mem_pairs_read(mcusim_t *sim, const sim_block_t *b) {
  static const int ids[16] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                              UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                              UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                              UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,  UC_ARM_REG_PC};
  uint32_t regs[16] = {0};
  int want[16];
  void *vals[16];
  int n = 0;
  for (int r = 0; r < 15; r++)
    if (b->mem_pair_regs >> r & 1u) {
      want[n] = ids[r];
      vals[n++] = &regs[r];
    }
  if (n) uc_reg_read_batch(sim->uc, want, vals, n);
  uint32_t mask = 0;
  for (unsigned j = 0; j < b->mem_pair_count; j++) {
    const sim_mem_pair_t *pr = &b->mem_pairs[j];
    uint32_t a0 = pr->reg[0] >= 0 ? regs[pr->reg[0]] : pr->addr[0];
    uint32_t a1 = pr->reg[1] >= 0 ? regs[pr->reg[1]] : pr->addr[1];
    if (mem_block_of(sim, a0) != mem_block_of(sim, a1)) mask |= 1u << j;
  }
  return mask;
}

/* At b's entry: +1 for each pair whose two accesses reach different memory blocks; sim->cur_pair_mask says which.
 * Reading registers at every entry cost 7% of run time on person-det (M4), so a block whose answer has not changed for
 * SIM_MEM_STABLE entries in a row is re-read only every SIM_MEM_RECHECK-th entry (the answer of the last read in
 * between; any change goes back to reading every entry). Deterministic; a loop's pointers keep their blocks. */
#define SIM_MEM_STABLE 8
#define SIM_MEM_RECHECK 64
__attribute__((noinline)) static void mem_pairs_recheck(mcusim_t *sim, sim_block_t *b) {
  uint32_t mask = mem_pairs_read(sim, b);
  if (mask != b->mem_memo) {
    b->mem_memo = mask;
    b->mem_extra = (uint8_t)__builtin_popcount(mask);
    b->mem_stable = 0;
  } else if (++b->mem_stable >= SIM_MEM_STABLE) {
    b->mem_skip = SIM_MEM_RECHECK - 1;
  }
}

/* The hot path's part: the answer for b at this entry, in sim->cur_pair_mask; its cycles. */
static inline uint32_t mem_pairs_check(mcusim_t *sim, sim_block_t *b) {
  if (b->mem_skip)
    b->mem_skip--;
  else
    mem_pairs_recheck(sim, b);
  sim->cur_pair_mask = b->mem_memo;
  return b->mem_extra;
}

/* Cycles of cur's mismatched pairs whose second access is at index >= from (not yet run at instruction `from`). */
static uint32_t mem_pairs_from(const mcusim_t *sim, const sim_block_t *b, uint32_t from) {
  uint32_t n = 0;
  for (unsigned j = 0; j < b->mem_pair_count; j++)
    if ((sim->cur_pair_mask >> j & 1u) && b->mem_pairs[j].k >= from) n++;
  return n;
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
  b->self_loop = is_self_loop(code, size);
  uint8_t last_flags = b->blk.insns[b->blk.insn_count - 1].flags;
  b->ends_in_jump = (last_flags & ISA_F_BRANCH) && !(last_flags & ISA_F_COND_BRANCH);
  /* compendium.i-0.nl "instruction-alignment rules": "Branches to unaligned wide instructions will take one extra
   * cycle" (measured on a Cortex-M4; the M3 has the same fetch unit). Issue 18 rule 3. */
  int core = isa_core_from_name(sim->profile->core);
  b->branch_in_penalty = (core == ISA_CORE_M3 || core == ISA_CORE_M4) && b->blk.insns[0].size == 4 && (addr & 2u);
  if (mem_pairs_find(sim, b)) goto fail;
  b->first_fp = -1;
  for (uint32_t k = 0; k < b->blk.insn_count && b->first_fp < 0; k++) {
    unsigned id = b->blk.insns[k].id; /* capstone: the V* block, VMOV/VMRS, FLDM/FSTM (X) and VPUSH/VPOP */
    if ((id >= ARM_INS_VABAL && id <= ARM_INS_VZIP) || id == ARM_INS_VMOV || id == ARM_INS_VMRS ||
        (id >= ARM_INS_FLDMDBX && id <= ARM_INS_FSTMIAX) || id == ARM_INS_VPUSH || id == ARM_INS_VPOP)
      b->first_fp = (int)k;
  }
  if (sim->funcprof) probe_fp_init_block(sim->funcprof, &b->prof, addr, b->blk.insns[b->blk.insn_count - 1].flags);
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
  if (sim->stopping) { /* the first reason stays; asking Unicorn again is harmless and survives a PC write */
    uc_emu_stop(sim->uc);
    return;
  }
  sim->stopping = 1;
  sim->result.stop = stop;
  uc_emu_stop(sim->uc);
}

void sim_truncate_block(mcusim_t *sim, uint32_t pc, int include_pc) {
  sim_block_t *b = sim->cur;
  if (!b) return;
  int k = sim_block_index(b, pc);
  if (k >= 0) {
    uint32_t executed = (uint32_t)k + (include_pc ? 1u : 0u);
    sim->totals.instructions -= b->blk.insn_count - executed;
    sim->totals.cycles -= b->cycles_before[b->blk.insn_count] - b->cycles_before[executed];
    if (b->mem_pair_count) sim->totals.cycles -= mem_pairs_from(sim, b, executed);
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
  sim->output_since_check = 0;
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
  sim_plan_events(sim);
}

/* The block hook's one compare (cycles >= next_event) stands for two deadlines: the limit check, due at an
 * instruction count, and the exception model's next event (sim/exc.c), at a cycle. A block adds at least one cycle
 * and at most SIM_MAX_BLOCK_INSNS instructions, so cycles reach `now + insns left / SIM_MAX_BLOCK_INSNS` no later
 * than the instructions reach next_check. */
void sim_plan_events(mcusim_t *sim) {
  uint64_t left = sim->next_check > sim->totals.instructions ? sim->next_check - sim->totals.instructions : 0;
  uint64_t limit = sim->totals.cycles + left / SIM_MAX_BLOCK_INSNS;
  sim->next_event = sim->exc_deadline < limit ? sim->exc_deadline : limit;
}

/* cur (at addr) was just charged. An exception due at its start is taken before it runs: the block is un-charged
 * (its flash wait states stay: the lines were fetched) and Unicorn abandons it for the handler. */
static void on_events(mcusim_t *sim, uint32_t addr) {
  if (sim->totals.instructions >= sim->next_check) check_limits(sim);
  if (!sim->stopping && sim->cur_base_cycles >= sim->exc_deadline) {
    uint64_t cycles = sim->totals.cycles, insns = sim->totals.instructions;
    sim->totals.cycles = sim->cur_base_cycles;
    sim->totals.instructions = sim->cur_base_insns;
    if (sim_exc_check(sim, addr)) {
      sim->totals.blocks--;
    } else {
      sim->totals.cycles = cycles;
      sim->totals.instructions = insns;
    }
  }
  sim_plan_events(sim);
}

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
/* Entering a self-loop ends the run: every way into the block goes through a cache lookup first (a remembered
 * successor link is made by one), so the hot path pays nothing for the check. */
static sim_block_t *looked_up(mcusim_t *sim, uint32_t addr, uint32_t size) {
  sim_block_t *b = cache_get(sim, addr, size);
  if (b && b->self_loop && !sim_exc_can_interrupt(sim)) { /* an interrupt could leave it: an idle loop */
    sim->result.fault.pc = addr;
    mcusim_symbolize(sim, addr, sim->result.fault.symbol, sizeof sim->result.fault.symbol);
    sim_stop(sim, MCUSIM_STOP_SELF_LOOP);
  }
  /* NOCP: found on the way into a block, so the hot path pays nothing; while CPACR disables the FPU no successor
   * link leads to a block with an FP instruction (sim_cache_unlink_fp), so every entry comes through here. */
  if (b && b->first_fp >= 0 && sim->fp_disabled) {
    sim_exc_nocp(sim, b->blk.insns[b->first_fp].addr, addr);
    sim->nocp_trapped = 1;
    return NULL;
  }
  return b;
}

void sim_cache_unlink_fp(mcusim_t *sim) {
  sim_block_cache_t *c = &sim->cache;
  for (size_t i = 0; i < c->cap; i++)
    for (int t = 0; c->slots[i] && t < 2; t++)
      if (c->slots[i]->next[t] && c->slots[i]->next[t]->first_fp >= 0) c->slots[i]->next[t] = NULL;
}

static sim_block_t *successor(mcusim_t *sim, sim_block_t *prev, uint32_t addr, uint32_t size) {
  if (!prev) return looked_up(sim, addr, size);
  int taken = addr != prev->blk.end;
  sim_block_t *b = prev->next[taken];
  if (!(b && b->blk.addr == addr && b->unicorn_size == size)) {
    b = looked_up(sim, addr, size);
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
      if (sp < sim->lowest_sp && sim_exc_on_main_stack(sim)) sim->lowest_sp = sp; /* not a PSP thread stack */
    }
  }
  sim_block_t *b = successor(sim, prev, addr, size);
  if (!b) {
    if (sim->nocp_trapped) { /* NOCP raised by looked_up: the block does not run */
      sim->nocp_trapped = 0;
      return;
    }
    sim->cur = NULL;
    sim_fault(sim, MCUSIM_FAULT_UNDEFINED_INSN, addr, 0, "undecodable code");
    return;
  }
  /* before b is charged: what ran since the previous block entry belongs to prev */
  if (sim->funcprof)
    probe_fp_block(sim->funcprof, prev ? &prev->prof : NULL, prev ? prev->blk.end : 0, &b->prof, addr,
                   sim->totals.cycles, sim->totals.instructions);
  sim->cur = b;
  if (sim->fetch) sim->totals.cycles += sim_fetch_block_cycles(sim->fetch, &b->blk, &b->fetch_memo);
  if (b->branch_in_penalty && prev && (addr != prev->blk.end || prev->ends_in_jump)) sim->totals.cycles++;
  sim->cur_base_cycles = sim->totals.cycles;
  sim->cur_base_insns = sim->totals.instructions;
  sim->cur_extra_cycles = 0;
  sim->mmio_cursor = sim->mmio_left = 0;
  sim->totals.instructions += b->blk.insn_count;
  sim->totals.cycles += b->blk.cycles;
  if (b->mem_pair_count) sim->totals.cycles += mem_pairs_check(sim, b);
  sim->totals.blocks++;
  if (sim->totals.cycles >= sim->next_event) on_events(sim, addr);
}

/* Lowest address and byte span a memory instruction accesses, from register values before it executes. */
uint32_t sim_effective_range(const isa_insn_t *in, const uint32_t regs[16], uint32_t *span) {
  const isa_mem_t *m = &in->mem;
  uint32_t base = m->base >= 0 && m->base < 15 ? regs[m->base] : 0;
  if (m->base == 15) base = (in->addr + 4) & ~3u;
  uint32_t index = m->index >= 0 && m->index < 16 ? regs[m->index] << m->shift : 0;
  uint32_t ea = base + (m->index_sign < 0 ? -index : index) + (uint32_t)m->disp;
  *span = m->count ? 4u * m->count : (in->id == ARM_INS_LDRD || in->id == ARM_INS_STRD ? 8u : 4u);
  return m->descending ? ea - *span : ea;
}

static void read_core_registers(mcusim_t *sim, uint32_t regs[16]) {
  for (int r = 0; r < 15; r++) regs[r] = sim_reg(sim, r);
  regs[15] = 0;
}

/* Which instruction of the current block made a data access at `addr`: the registers are up to date
 * inside MMIO callbacks (the PC is not), so the first memory instruction after the previous access whose
 * effective address range holds `addr` is the one. */
uint32_t sim_locate_access(mcusim_t *sim, uint32_t addr) {
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
    uint32_t span, lo = sim_effective_range(in, regs, &span);
    if (addr - lo >= span) continue;
    sim->mmio_index = k;
    sim->mmio_cursor = k + 1;
    sim->mmio_left = span / 4 - 1;
    return k;
  }
  return sim->mmio_cursor < b->blk.insn_count ? sim->mmio_cursor : b->blk.insn_count - 1;
}

/* The time at the start of instruction k of cur: the block hook charged the whole block at its entry, so the
 * instruction's prefix sum of static cycles plus the dynamic cycles so far (divides) give the exact cycle. */
static void at_insn(const mcusim_t *sim, uint32_t k, mem_when_t *now) {
  const sim_block_t *b = sim->cur;
  now->cycle = sim->cur_base_cycles + b->cycles_before[k] + sim->cur_extra_cycles;
  if (b->mem_pair_count) now->cycle += mem_pairs_from(sim, b, 0) - mem_pairs_from(sim, b, k);
  now->insn = sim->cur_base_insns + k;
  now->pc = b->blk.insns[k].addr;
}

void sim_now(mcusim_t *sim, uint32_t access_addr, mem_when_t *now) {
  const sim_block_t *b = sim->cur;
  now->sp = sim_reg(sim, 13);
  now->lr = sim_reg(sim, 14);
  if (!b) {
    now->cycle = sim->totals.cycles;
    now->insn = sim->totals.instructions;
    now->pc = sim_reg(sim, 15);
    return;
  }
  at_insn(sim, sim_locate_access(sim, access_addr), now);
}

void sim_now_at_pc(mcusim_t *sim, uint32_t pc, mem_when_t *now) {
  const sim_block_t *b = sim->cur;
  int k = b ? sim_block_index(b, pc) : -1;
  if (k >= 0) {
    at_insn(sim, (uint32_t)k, now);
  } else {
    now->cycle = sim->totals.cycles;
    now->insn = sim->totals.instructions;
    now->pc = pc;
  }
  now->sp = sim_reg(sim, 13);
  now->lr = sim_reg(sim, 14);
}

/* ---- run ---- */

void sim_emit_output(mcusim_t *sim, int fd, const char *data, size_t len) {
  mcusim_result_t *r = &sim->result;
  if (sim->stopping) { /* the run is over: a long device call (SYS_WRITE of megabytes) adds nothing more */
    r->stdout_truncated |= len > 0;
    return;
  }
  if (sim->output) sim->output(sim->output_opaque, fd, data, len);
  sim->output_since_check += len;
  if (sim->output_since_check >= SIM_OUTPUT_CHECK_BYTES) check_limits(sim);
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
  int ok =
      uc_hook_add(uc, &sim->hooks[sim->hook_count++], UC_HOOK_INTR, (void *)sim_on_interrupt, sim, 1, 0) == UC_ERR_OK;
  ok &= uc_hook_add(uc, &sim->hooks[sim->hook_count++], UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT,
                    (void *)sim_on_bad_access, sim, 1, 0) == UC_ERR_OK;
  if (sim->limits.accounting) {
    if (sim->limits.profile_functions && !(sim->funcprof = probe_fp_create(sim->elf, &sim->probe_host)))
      return MCUSIM_E_NOMEM;
    ok &= uc_hook_add(uc, &sim->hooks[sim->hook_count++], UC_HOOK_BLOCK, (void *)on_block, sim, 1, 0) == UC_ERR_OK;
    if (ok && sim_hook_divides(sim)) return MCUSIM_E_NOMEM;
    if (ok && !sim->limits.no_tracking && sim->annot && probe_annot_install(sim->annot, &sim->mem)) ok = 0;
    if (ok && !sim->limits.no_tracking) {
      mcusim_err terr = sim_probes_install_tflm(sim);
      if (terr == MCUSIM_E_BAD_ELF) return terr;
      if (terr) ok = 0;
    }
    /* ARMv6-M (M0+) faults every unaligned access itself; ARMv7-M needs the check on multi-word accesses. */
    if (ok && sim->limits.check_alignment && isa_core_from_name(sim->profile->core) != ISA_CORE_M0PLUS &&
        sim_hook_multiword(sim))
      return MCUSIM_E_NOMEM;
    if (ok && sim->limits.precise_flash && sim->fetch)
      ok = sim_fetch_enable_data_reads(sim->fetch, uc, &sim->totals.cycles, &sim->cur_extra_cycles) == 0;
  }
  return ok ? MCUSIM_OK : sim_set_error(sim, MCUSIM_E_ENGINE, "Unicorn refused a hook");
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
  mem_when_t end = {sim->totals.cycles, sim->totals.instructions, sim_reg(sim, 13), sim_reg(sim, 15), sim_reg(sim, 14)};
  sim_probes_before_memory(sim);
  mem_finish(m, &end);
}

static mcusim_err run_result(mcusim_t *sim) {
  switch (sim->result.stop) {
  case MCUSIM_STOP_EXIT:
    return MCUSIM_OK;
  case MCUSIM_STOP_FAULT:
    return sim_set_error(sim, MCUSIM_E_FAULT, "%s", sim->result.fault.message);
  case MCUSIM_STOP_INSN_LIMIT:
    return sim_set_error(sim, MCUSIM_E_LIMIT, "instruction limit of %llu reached",
                         (unsigned long long)sim->limits.max_instructions);
  case MCUSIM_STOP_TIME_LIMIT:
    return sim_set_error(sim, MCUSIM_E_LIMIT, "time limit of %.1f s reached", sim->limits.timeout_seconds);
  case MCUSIM_STOP_INTERRUPTED:
    return sim_set_error(sim, MCUSIM_E_INTERRUPTED, "interrupted");
  case MCUSIM_STOP_SELF_LOOP:
    return sim_set_error(sim, MCUSIM_E_SELF_LOOP, "firmware halted in a self-loop at pc 0x%08x (%s)",
                         sim->result.fault.pc, sim->result.fault.symbol);
  default:
    return sim_set_error(sim, MCUSIM_E_ENGINE, "the run ended without a reason");
  }
}

mcusim_err mcusim_run(mcusim_t *sim, const mcusim_limits_t *limits) {
  if (!sim->loaded || sim->ran)
    return sim_set_error(sim, MCUSIM_E_STATE, sim->ran ? "already ran" : "no firmware loaded");
  sim->ran = 1;
  sim->limits = *limits;
  sim_devices_start(sim);
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
  check_limits(sim); /* sets next_check; may already stop (a timeout of 1e-9 s) */
  /* a stop recorded before Unicorn started would be lost by it, and every later request ignored (F7) */
  uint32_t start_pc = sim->result.entry_pc | 1u;
  /* Unicorn returns on WFI/WFE (UC_ERR_OK, or INSN_INVALID for a masked WFE): sleep until the next event; on an
   * engine fault delivered to the firmware's handler (--deliver-faults): go on there. */
  while (!sim->stopping) {
    uc_err uerr = uc_emu_start(sim->uc, start_pc, SIM_UNTIL_NEVER, 0, 0);
    if (sim->stopping) break;
    if ((uerr == UC_ERR_OK || uerr == UC_ERR_INSN_INVALID) && sim_exc_sleep(sim, &start_pc)) continue;
    if (uerr != UC_ERR_OK)
      sim_fault_from_engine(sim, uerr);
    else
      sim_halted(sim);
    start_pc = sim_reg(sim, 15) | 1u;
  }
  if (sim->result.stop == MCUSIM_STOP_INSN_LIMIT || sim->result.stop == MCUSIM_STOP_TIME_LIMIT ||
      sim->result.stop == MCUSIM_STOP_INTERRUPTED) {
    uint32_t pc = sim_reg(sim, 15);
    mcusim_symbolize(sim, pc, sim->result.fault.symbol, sizeof sim->result.fault.symbol);
    sim->result.fault.pc = pc;
  }
  sim->result.wall_seconds = wall_now() - sim->start_wall;
  sim->result.totals = sim->totals;
  sim->result.latency_us = (double)sim->totals.cycles * 1e6 / (double)sim->profile->clock_hz;
  finish_memory(sim);
  if (sim_probes_finish(sim)) return sim_set_error(sim, MCUSIM_E_NOMEM, "out of memory building the function profile");
  return run_result(sim);
}

void mcusim_request_stop(mcusim_t *sim) {
  sim->stop_requested = 1;
  sim->next_check = 0;
  sim->next_event = 0;
}
