/* sim/hooks.c — code hooks on chosen instructions: divides (the only data-dependent cycles) always, LDRD/STRD/LDM/STM
 * with --check-alignment. Each is a single-address UC_HOOK_CODE found by decoding the Thumb instructions of every
 * executable section (ARCHITECTURE.md "Accounting" says why not every halfword). */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>

#include "isa/thumb.h"
#include "sim/sim_internal.h"

/* Divides: the only instructions whose cost depends on data; hooked one address each. */
static void on_divide(uc_engine *uc, uint64_t address, uint32_t size, void *opaque) {
  mcusim_t *sim = opaque;
  const sim_block_t *b = sim->cur;
  if (!b) return;
  int k = sim_block_index(b, (uint32_t)address);
  if (k < 0 || !(b->blk.insns[k].flags & ISA_F_DIVIDE)) return;
  const isa_insn_t *in = &b->blk.insns[k];
  uint32_t extra = isa_divide_extra_cycles(sim->isa, (in->flags & ISA_F_SIGNED) != 0, sim_reg(sim, in->div_rn),
                                           sim_reg(sim, in->div_rm));
  sim->totals.cycles += extra;
  sim->cur_extra_cycles += extra;
  sim->totals.divides++;
}

/* ARMv7-M faults LDRD/STRD/LDM/STM on an unaligned address whatever CCR.UNALIGN_TRP says (ARMv7-M ARM
 * A3.2.1); Unicorn does not. A code hook on those instructions checks the address before they execute. */
static void on_multiword(uc_engine *uc, uint64_t address, uint32_t size, void *opaque) {
  mcusim_t *sim = opaque;
  const sim_block_t *b = sim->cur;
  int k = b ? sim_block_index(b, (uint32_t)address) : -1;
  if (k < 0 || !(b->blk.insns[k].flags & ISA_F_MEM)) return;
  const isa_insn_t *in = &b->blk.insns[k];
  if (in->mem.count < 2 && in->id != ARM_INS_LDRD && in->id != ARM_INS_STRD) return;
  uint32_t regs[16] = {0}, span; /* only the base and index registers: a register read costs ~20 ns */
  if (in->mem.base >= 0 && in->mem.base < 15) regs[in->mem.base] = sim_reg(sim, in->mem.base);
  if (in->mem.index >= 0 && in->mem.index < 15) regs[in->mem.index] = sim_reg(sim, in->mem.index);
  uint32_t lo = sim_effective_range(in, regs, &span);
  if (!(lo & 3u)) return;
  char what[96];
  snprintf(what, sizeof what,
           "unaligned multi-word access at 0x%08x (UsageFault: LDRD/STRD/LDM/STM need 4-byte alignment)", lo);
  sim_truncate_block(sim, (uint32_t)address, 0);
  sim_fault(sim, MCUSIM_FAULT_UNALIGNED, (uint32_t)address, lo, what);
}

static mcusim_err add_code_hook(mcusim_t *sim, uint32_t addr, void *callback) {
  uc_hook *grown = realloc(sim->code_hooks, (sim->code_hook_count + 1) * sizeof *grown);
  if (!grown) return MCUSIM_E_NOMEM;
  sim->code_hooks = grown;
  if (uc_hook_add(sim->uc, &grown[sim->code_hook_count], UC_HOOK_CODE, callback, sim, addr, addr) == UC_ERR_OK)
    sim->code_hook_count++;
  return MCUSIM_OK;
}

/* Walks Thumb instructions in [start, end) (run addresses; code[0] is the byte at start) with isa_thumb_width and hooks
 * those that match. Walking instructions rather than every halfword matters: Unicorn looks through all code hooks each
 * time a hooked instruction runs, and weights in flash would otherwise match by the thousand. A data word of a
 * literal pool that happens to look like a divide gets a hook that never fires (on_divide checks the decoded block). */
static mcusim_err hook_range(mcusim_t *sim, const uint8_t *code, uint32_t start, uint32_t end,
                             int (*match)(uint16_t, uint16_t), void *callback) {
  for (uint32_t addr = start; addr + 2 <= end;) {
    uint32_t off = addr - start;
    uint16_t hw1 = (uint16_t)(code[off] | code[off + 1] << 8);
    uint32_t width = isa_thumb_width(hw1);
    uint16_t hw2 = width == 4 && addr + 4 <= end ? (uint16_t)(code[off + 2] | code[off + 3] << 8) : 0;
    if (match(hw1, hw2) && add_code_hook(sim, addr, callback)) return MCUSIM_E_NOMEM;
    addr += width;
  }
  return MCUSIM_OK;
}

/* The segment holding [addr, addr + size) at its run address, or NULL. */
static const sim_elf_segment_t *segment_of(const sim_elf_t *elf, uint32_t addr, uint32_t size) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (addr >= s->vaddr && (uint64_t)addr + size <= (uint64_t)s->vaddr + s->file_size) return s;
  }
  return NULL;
}

/* Hooks matching instructions of the functions of every executable section (issue 18: a divide in an assembly function
 * whose symbol has no .size was never hooked). Each function symbol starts a walk: to its end when it has a size, else
 * to the next symbol of any kind (function or object) or the end of the section. The linker script puts .rodata
 * (weights) in .text, so the walk never runs on past the code into a whole section. Each address is walked once
 * (aliases, nested symbols). A section without function symbols is walked whole, an ELF without section headers is
 * walked segment by segment. */
static mcusim_err hook_matching(mcusim_t *sim, int (*match)(uint16_t, uint16_t), void *callback) {
  const sim_elf_t *elf = sim->elf;
  int sections = 0;
  mcusim_err err = MCUSIM_OK;
  for (size_t i = 0; i < elf->section_count && !err; i++) {
    const sim_elf_section_t *sec = &elf->sections[i];
    if (!(sec->flags & 0x4u /* SHF_EXECINSTR */) || sec->nobits || sec->size < 2) continue;
    const sim_elf_segment_t *s = segment_of(elf, sec->addr, sec->size);
    if (!s) continue;
    sections++;
    uint32_t sec_end = sec->addr + sec->size, covered = sec->addr;
    int functions = 0;
    for (size_t k = 0; k < elf->symbol_count && !err; k++) { /* sorted by address, the larger first */
      const sim_elf_symbol_t *f = &elf->symbols[k];
      if (!f->is_function || f->addr < sec->addr || f->addr >= sec_end) continue;
      functions++;
      uint32_t end = sec_end;
      if (f->size) {
        if (f->size < sec_end - f->addr) end = f->addr + f->size;
      } else {
        for (size_t j = k + 1; j < elf->symbol_count; j++)
          if (elf->symbols[j].addr > f->addr) {
            if (elf->symbols[j].addr < end) end = elf->symbols[j].addr;
            break;
          }
      }
      uint32_t start = f->addr > covered ? f->addr : covered;
      if (start >= end) continue;
      if ((start - f->addr) & 1u) start++; /* never mid-halfword */
      err = hook_range(sim, s->bytes + (start - s->vaddr), start, end, match, callback);
      covered = end;
    }
    if (!functions && !err) /* no symbols (stripped): the whole section */
      err = hook_range(sim, s->bytes + (sec->addr - s->vaddr), sec->addr, sec_end, match, callback);
  }
  for (size_t i = 0; i < elf->segment_count && !sections && !err; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (s->flags & 1u /* PF_X */) err = hook_range(sim, s->bytes, s->vaddr, s->vaddr + s->file_size, match, callback);
  }
  return err;
}

mcusim_err sim_hook_divides(mcusim_t *sim) { return hook_matching(sim, isa_thumb_is_divide, (void *)on_divide); }

mcusim_err sim_hook_multiword(mcusim_t *sim) {
  return hook_matching(sim, isa_thumb_is_multiword, (void *)on_multiword);
}
