/* isa/timing_v7m.c — block rules shared by the Cortex-M3 and Cortex-M4 models.
 *
 * Both cores have the same 3-stage pipeline and AHB-Lite load/store unit; their TRMs carry the same
 * "Load/store timings" section (DDI 0337I section 3.3.1 for M3, DDI 0439B section 3.3.1 for M4):
 *  - "LDR [any] are pipelined when possible ... if the next instruction is an LDR or STR, and the
 *    destination of the first LDR is not used to compute the address for the next instruction, then one
 *    cycle is removed from the cost of the next instruction" (LDR R0,[R1]; LDR R1,[R2] = 3 cycles;
 *    three loads = 4). Table 3-1 note b: "Neighboring load and store single instructions can pipeline
 *    their address and data phases."
 *  - "Other instructions cannot be pipelined after STR with register offset." A store with an immediate
 *    offset is one cycle and pipelines its data phase with what follows ("STR Rx,[Ry,#imm] is always one
 *    cycle"), so single loads/stores pipeline after it.
 *  - "LDREX and STREX can be pipelined exactly as LDR."
 *  - "LDRD and STRD cannot be pipelined with preceding or following instructions" (3 cycles);
 *    "LDM and STM cannot be pipelined with preceding or following instructions" (1 + N).
 *  - "Any load or store that generates an address dependent on the result of a preceding data
 *    processing operation stalls the pipeline for an additional cycle while the register bank is
 *    updated. There is no forwarding path for this scenario."
 * Not modelled (dynamic or "might"): unaligned accesses (+1/+2), "LDR Rx,[PC,#imm] might add a cycle
 * because of contention with the fetch unit", wait states (the simulator's business).
 *
 * Conditional instructions: a B<c>/CBZ/CBNZ costs 1 when not taken and 1 + P when taken (table 3-1);
 * any other conditional PC write (inside an IT block) likewise costs 1 when its condition fails, its
 * table figure when it passes. The difference goes to taken_extra_cycles when it ends the block. Other
 * conditional instructions are costed as executed (their condition is not known statically).
 */
#include "timing_v7m.h"

static int is_single_load_store(isa_kind_t kind) { return kind == ISA_K_LOAD || kind == ISA_K_STORE; }

static int is_data_processing(isa_kind_t kind) {
  switch (kind) {
  case ISA_K_ALU:
  case ISA_K_SYS:
  case ISA_K_MUL:
  case ISA_K_MLA:
  case ISA_K_MLS:
  case ISA_K_MULL:
  case ISA_K_MLAL:
  case ISA_K_DSP_MUL:
  case ISA_K_DIV:
  case ISA_K_VFP_ALU:
  case ISA_K_VFP_MOV2:
    return 1;
  default:
    return 0;
  }
}

static int is_load(isa_kind_t kind) {
  switch (kind) {
  case ISA_K_LOAD:
  case ISA_K_LOAD_PC:
  case ISA_K_LDRD:
  case ISA_K_LDM:
  case ISA_K_TABLE_BRANCH:
  case ISA_K_VLDR:
  case ISA_K_VLDM:
    return 1;
  default:
    return 0;
  }
}

/* STR/STRB/STRH with an immediate offset (pre- and post-indexed included; not STREX, whose status result waits for
 * the write): the one-cycle store of section 3.3.1, "STR Rx,[Ry,#imm] is always one cycle ... the data store is
 * performed at the same time as the next instruction is executing". */
static int is_imm_store(const cs_insn *insn, const isa_class_t *cls) {
  return cls->kind == ISA_K_STORE && !cls->reg_offset && insn->id != ARM_INS_STREX && insn->id != ARM_INS_STREXB &&
         insn->id != ARM_INS_STREXH;
}

/* May `cur` (a single LDR/STR) overlap its address phase with `prev`'s data phase? Only after a load (measured: a
 * load after a store never pipelines, jnk0le cortex_m3m4.md "stores cannot be pipelined with following load
 * instructions"); a store after a store chains at 1 cycle each when it is an immediate-offset store (see one_cycle). */
static int pipelines_after(const isa_class_t *prev, const isa_class_t *cur) {
  if (prev->kind == ISA_K_LOAD)
    return (prev->load_dst_regs & cur->addr_regs) == 0; /* address dependency: no pipelining */
  if (prev->kind == ISA_K_STORE && cur->kind == ISA_K_STORE)
    return !prev->reg_offset && (prev->dst_regs & cur->addr_regs) == 0; /* STREX status register */
  return 0;
}

/* Contextual cost of `cur` after `prev` (NULL at the start of the block); `cur_one` / `prev_one`: one-cycle stores;
 * `unaligned_wide`: cur is a 32-bit instruction at a halfword (not word) address. */
static unsigned context_cycles(const isa_v7m_core_t *core, unsigned cycles, const isa_class_t *prev, int prev_one,
                               const isa_class_t *cur, int cur_one, int unaligned_wide) {
  if (cur_one) {
    /* M3: "pre and post indexed stores effectively execute in 1 cycle when preceeding instruction is not an load"
     * (jnk0le, STM32F103); after a load such a store takes the table's 2, unpipelined. */
    int writeback = (cur->dst_regs & cur->addr_regs) != 0;
    if (core->m3 && writeback && prev && prev->kind == ISA_K_LOAD) return 2;
    cycles = 1;
  }
  if (prev == NULL) return cycles;
  if (prev_one && is_load(cur->kind)) cycles += 1; /* the store's data phase cannot overlap a load: +1 (jnk0le) */
  /* jnk0le cortex_m3m4.md: "32bit opcode loads (ldr.w, ldrb.w) may fail to pipeline correctly if they are not
   * positioned at word aligned boundaries" (issue 18 rule 4): such a load never pipelines. */
  int pipelines = !(unaligned_wide && cur->kind == ISA_K_LOAD) && pipelines_after(prev, cur);
  if (!cur_one && is_single_load_store(cur->kind) && pipelines) return cycles - 1;
  if (isa_kind_is_memory(cur->kind) && is_data_processing(prev->kind) && (prev->dst_regs & cur->addr_regs))
    return cycles + 1; /* address generation waits for the register bank */
  return cycles;
}

void isa_v7m_cost_block(const isa_v7m_core_t *core, const cs_insn *insns, size_t n, isa_block_t *block) {
  isa_class_t classes[2];
  const isa_class_t *prev = NULL;
  int prev_one = 0;
  unsigned run = 0, run_stores = 0, run_charged = 0; /* the current group of unaligned 32-bit instructions */
  block->taken_extra_cycles = 0;
  for (size_t i = 0; i < n; i++) {
    isa_class_t *cur = &classes[i & 1];
    isa_classify(&insns[i], cur);
    int cur_one = is_imm_store(&insns[i], cur);
    isa_insn_t *out = &block->insns[i];
    out->pipelined = 0;
    int unaligned_wide = out->size == 4 && (out->addr & 2u);
    unsigned full = context_cycles(core, core->base(cur), prev, prev_one, cur, cur_one, unaligned_wide);
    int m3_slow_store = cur_one && full == 2;
    if (m3_slow_store) cur_one = 0; /* M3 write-back store after a load: a two-cycle store */
    /* compendium.i-0.nl "instruction-alignment rules" (STM32F4, code in flash; issue 18 rule 3): "Groups of three or
     * more unaligned wide instructions will take one extra cycle"; "Groups of unaligned wide str only add the
     * penalty cycle from a length of 4". One cycle per group, charged on the instruction that completes it (the page
     * says a mix of memory and non-memory instructions "can cause more than one delay cycle": not modelled). */
    if (unaligned_wide) {
      run++;
      run_stores += cur->kind == ISA_K_STORE;
      if (!run_charged && run >= (run_stores == run ? 4u : 3u)) {
        full++;
        run_charged = 1;
      }
    } else {
      run = run_stores = run_charged = 0;
    }
    if (out->flags & ISA_F_COND_BRANCH) {
      /* condition failed / not taken: 1 cycle; taken: the full figure */
      out->cycles = 1;
      if (i + 1 == n) block->taken_extra_cycles = full > 1 ? full - 1 : 0;
    } else {
      out->cycles = (uint16_t)full;
    }
    /* the discount of a single access after a load: the engine takes it back when the two reach different memory
     * blocks (jnk0le cortex_m3m4.md: "load pipelining happens only when targeting the same memory block") */
    out->pipelined = prev && prev->kind == ISA_K_LOAD && is_single_load_store(cur->kind) && !m3_slow_store &&
                     pipelines_after(prev, cur) && !(unaligned_wide && cur->kind == ISA_K_LOAD);
    prev = cur;
    prev_one = cur_one;
  }
}

/* Rows common to DDI 0337I table 3-1 (M3) and DDI 0439B table 3-1 (M4), P as chosen in timing_v7m.h.
 * Multiplies are the M3's and the ARMv7E-M/FPU rows a 1-cycle fallback: the M4 overrides them. */
unsigned isa_v7m_common_cycles(const isa_class_t *cls) {
  switch (cls->kind) {
  case ISA_K_ALU: /* MOV, ADD, ADC, ADR, SUB, RSB, CMP, AND, ..., shifts, extends, bit field, REV: 1 */
  case ISA_K_IT:  /* IT: 1 (folding onto the previous 16-bit instruction is not modelled) */
  case ISA_K_NOP: /* NOP, SEV, YIELD: 1; PLD treated as a 1-cycle hint */
  case ISA_K_SYS: /* MRS, MSR, CPSID, CPSIE: "1 or 2", the minimum taken */
  case ISA_K_CPS:
  case ISA_K_MUL:       /* MUL: 1 */
  case ISA_K_BARRIER:   /* DMB, DSB: 1 + B, B minimum 0 */
  case ISA_K_WAIT:      /* WFI, WFE: 1 + W, W (waiting) not modelled */
  case ISA_K_EXCEPTION: /* SVC, BKPT: exception entry is not simulated; the instruction itself 1 */
    return 1;
  case ISA_K_MLA: /* M3: MLA, MLS 2 */
  case ISA_K_MLS:
    return 2;
  case ISA_K_MULL: /* M3: UMULL, SMULL "3 to 5": the minimum, see timing_m3.c */
    return 3;
  case ISA_K_MLAL: /* M3: UMLAL, SMLAL "4 to 7": the minimum */
    return 4;
  case ISA_K_DIV: /* SDIV, UDIV: 2 to 12; 2 here, the rest from isa_divide_extra_cycles */
    return 2;
  case ISA_K_LOAD:  /* LDR, LDRH, LDRB, LDRSH, LDRSB, LDRT, LDREX: 2 (pipelining below) */
  case ISA_K_STORE: /* STR, STRH, STRB, STRT, STREX: 2 */
    return 2;
  case ISA_K_LOAD_PC: /* LDR PC: 2 + P; "this operation takes at least five cycles" */
    return 2 + ISA_V7M_P_LOAD;
  case ISA_K_LDRD: /* LDRD, STRD: 1 + N, N = 2; "this operation requires three cycles" */
  case ISA_K_STRD:
    return 3;
  case ISA_K_LDM: /* LDM, POP: 1 + N; with PC: 1 + N + P */
    return 1 + cls->words + (cls->writes_pc ? ISA_V7M_P_LOAD : 0);
  case ISA_K_STM: /* STM, PUSH: 1 + N */
    return 1 + cls->words;
  case ISA_K_BRANCH:     /* B, BL, CBZ/CBNZ, B<c> taken: 1 + P */
  case ISA_K_BRANCH_REG: /* BX, BLX, MOV PC, ADD PC: 1 + P */
  case ISA_K_ISB:        /* ISB: 1 + B, B = a pipeline refill */
    return 1 + ISA_V7M_P_REFILL;
  case ISA_K_TABLE_BRANCH: /* TBB, TBH: 2 + P; "load 2, add 1, reload 3: at least six cycles" */
    return 6;
  case ISA_K_VFP_MOV2:
  case ISA_K_VLDR:
  case ISA_K_VSTR:
  case ISA_K_VLDM:
  case ISA_K_VSTM:
    return 1 + (cls->words ? cls->words : 1);
  default: /* DSP multiplies, FPU data processing: not on the M3 */
    return 1;
  }
}

/* Table 3-1 note a: "Division operations use early termination to minimize the number of cycles required based on
 * the number of leading ones and zeroes in the input operands" (2 to 12). Measured on STM32F407 silicon
 * (compendium.i-0.nl, "Division timing"; issue 18 rule 5): 2 cycles when either operand is zero, 3 when the dividend
 * needs fewer bits than the divisor (magnitudes for SDIV), otherwise growing with the difference in bits, up to about
 * 7 for a full 32-bit quotient. Fitted to those points: cycles = 3 + ceil(qbits / 8), qbits = bits(|n|) - bits(|d|) +
 * 1 (the quotient's bits, 0..32), i.e. 8 quotient bits per cycle: 3, 4 (1..8 bits), 5, 6, 7 (25..32 bits). No M3
 * measurements are published; the M3 documents the same range and takes the same rule. */
uint32_t isa_v7m_divide_extra_cycles(int is_signed, uint32_t dividend, uint32_t divisor) {
  if (divisor == 0 || dividend == 0) return 0;
  unsigned qbits = isa_quotient_bits(is_signed, dividend, divisor);
  return 1u + (qbits + 7u) / 8u;
}
