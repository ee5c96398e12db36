/* isa/timing_m7.c — Cortex-M7 cycle model: an APPROXIMATION.
 *
 * ARM publishes no instruction timing table for the Cortex-M7 (the TRM, DDI 0489, describes a 6-stage
 * in-order superscalar pipeline with dual issue, a branch predictor with a BTAC, a 64-bit load/store
 * path and a pipelined MAC, but gives no cycle figures). This model encodes those published features
 * with assumed figures, chosen to be simple and stated here and in docs/timing.md; it is not a
 * reproduction of the hardware and will not match cycle-for-cycle.
 *
 * Assumptions (zero wait states, TCM or cache hits):
 *  - Dual issue: two adjacent instructions issue in the same cycle when both are simple (data
 *    processing, IT, NOP, multiply/MAC, single load/store, single-cycle FPU), the first is not a branch
 *    (a branch may be the second), at most one of them is a load/store, at most one a multiply, at
 *    most one an FPU operation, the second does not read a register the first writes, and they do not
 *    write the same register. Flag (APSR) dependencies are ignored, so CMP + B<cond> pair.
 *  - Single loads and stores, LDRD/STRD: 1 cycle. A load's result is available one cycle late: an
 *    instruction in the next issue cycle using a loaded register stalls 1 cycle (load-use penalty).
 *  - LDM/STM/PUSH/POP, VLDM/VSTM: 1 + ceil(words / 2) (64-bit data path).
 *  - Multiplies and MACs issue in 1 cycle with a 2-cycle result latency: the next instruction reading
 *    the result stalls 1 cycle, except a MAC that only accumulates into the same accumulator
 *    (back-to-back SMLAD/MLA chains into one accumulator run at 1 per cycle).
 *  - Branches: direct branches (B, BL, CBZ/CBNZ, B<c>) are assumed predicted correctly by the
 *    BTAC/static predictor: not taken 1 cycle, taken 1 + 1 bubble; returns (BX LR, POP {pc}, LDR pc)
 *    and other register branches are assumed predicted (return stack) at the same 1 bubble. TBB/TBH and
 *    ISB are not predicted: a refill of 4 cycles (the 6-stage pipeline's fetch-to-execute depth).
 *  - SDIV/UDIV: 3 to 20 cycles; early termination by quotient bits in the shape of the Cortex-R4 formula
 *    (DDI 0363G section C.8): 3 + ceil(qbits / 2), +1 for SDIV, clamped to 20.
 *  - FPU (FPv5): single-cycle issue for VADD/VMUL/VMLA/VFMA/VCVT/VMOV; VDIV.F32 16, VSQRT.F32 14 (measured on
 *    STM32H743, jnk0le/random "pipeline cycle test/doc/cortex_m7.md"); VLDR/VSTR 1.
 */
#include "isa_class.h"
#include "timing.h"

#define M7_LOAD_USE_STALL 1u
#define M7_MAC_RESULT_STALL 1u
#define M7_TAKEN_BUBBLE 1u
#define M7_UNPREDICTED_REFILL 4u
#define M7_DIVIDE_MIN 3u
#define M7_DIVIDE_MAX 20u

static unsigned pair_words(unsigned words) { return (words + 1u) / 2u; }

/* Issue cycles of one instruction alone, taken branches included. */
static unsigned m7_base_cycles(const isa_class_t *cls) {
  switch (cls->kind) {
  case ISA_K_DIV:
    return M7_DIVIDE_MIN;
  case ISA_K_LDM:
  case ISA_K_STM:
  case ISA_K_VLDM:
  case ISA_K_VSTM:
    return 1 + pair_words(cls->words) + (cls->writes_pc ? M7_TAKEN_BUBBLE : 0);
  case ISA_K_LOAD_PC:
  case ISA_K_BRANCH:
  case ISA_K_BRANCH_REG:
    return 1 + M7_TAKEN_BUBBLE;
  case ISA_K_TABLE_BRANCH:
    return 2 + M7_UNPREDICTED_REFILL;
  case ISA_K_ISB:
    return 1 + M7_UNPREDICTED_REFILL;
  case ISA_K_VFP_DIV: /* measured on STM32H743 (jnk0le/random cortex_m7.md): VDIV.F32 16 */
    return 16;
  case ISA_K_VFP_SQRT: /* VSQRT.F32 14 (same measurement) */
    return 14;
  default: /* ALU, multiplies, single and double loads/stores, FPU data processing, hints */
    return 1;
  }
}

static int is_multiply(isa_kind_t kind) {
  return kind == ISA_K_MUL || kind == ISA_K_MLA || kind == ISA_K_MLS || kind == ISA_K_MULL || kind == ISA_K_MLAL ||
         kind == ISA_K_DSP_MUL;
}

static int is_single_memory(isa_kind_t kind) {
  return kind == ISA_K_LOAD || kind == ISA_K_STORE || kind == ISA_K_VLDR || kind == ISA_K_VSTR;
}

static int is_fpu_op(isa_kind_t kind) {
  return kind == ISA_K_VFP_ALU || kind == ISA_K_VFP_MAC || kind == ISA_K_VFP_MOV2;
}

static int is_pairable(isa_kind_t kind) {
  return kind == ISA_K_ALU || kind == ISA_K_IT || kind == ISA_K_NOP || kind == ISA_K_CPS || is_multiply(kind) ||
         is_single_memory(kind) || is_fpu_op(kind) || kind == ISA_K_BRANCH || kind == ISA_K_BRANCH_REG;
}

static int can_dual_issue(const isa_class_t *first, const isa_class_t *second) {
  if (!is_pairable(first->kind) || !is_pairable(second->kind) || first->writes_pc) return 0;
  if (is_single_memory(first->kind) && is_single_memory(second->kind)) return 0;
  if (is_multiply(first->kind) && is_multiply(second->kind)) return 0;
  if (is_fpu_op(first->kind) && is_fpu_op(second->kind)) return 0;
  return (first->dst_regs & second->src_regs) == 0 && (first->dst_regs & second->dst_regs) == 0;
}

/* Stall cycles of `cur` waiting for a result of `prev`. */
static unsigned result_stall(const isa_class_t *prev, const isa_class_t *cur) {
  if (prev->load_dst_regs & cur->src_regs) return M7_LOAD_USE_STALL;
  if (!is_multiply(prev->kind) || (prev->dst_regs & cur->src_regs) == 0) return 0;
  /* back-to-back accumulation: cur reads prev's result only as its own accumulator */
  if (cur->acc_reg >= 0 && prev->dst_regs == (1u << cur->acc_reg)) {
    uint16_t others = (uint16_t)(cur->src_regs & ~(1u << cur->acc_reg));
    if ((prev->dst_regs & others) == 0) return 0;
  }
  return M7_MAC_RESULT_STALL;
}

/* Stall of `cur` on the previous issue cycle: prev, and the first of prev's pair when prev was paired. */
static unsigned group_stall(const isa_class_t *pair_first, const isa_class_t *prev, const isa_class_t *cur) {
  unsigned stall = prev ? result_stall(prev, cur) : 0;
  if (pair_first) {
    unsigned first_stall = result_stall(pair_first, cur);
    if (first_stall > stall) stall = first_stall;
  }
  return stall;
}

static void m7_cost_block(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block) {
  (void)config;
  isa_class_t classes[3];
  const isa_class_t *prev = NULL;
  const isa_class_t *pair_first = NULL; /* when prev issued as the second of a pair: its partner */
  block->taken_extra_cycles = 0;
  for (size_t i = 0; i < n; i++) {
    isa_class_t *cur = &classes[i % 3];
    isa_classify(&insns[i], cur);
    isa_insn_t *out = &block->insns[i];
    unsigned full = m7_base_cycles(cur);
    unsigned stall = group_stall(pair_first, prev, cur);
    int paired = prev && !pair_first && stall == 0 && can_dual_issue(prev, cur);
    unsigned issue = paired ? full - 1 : full + stall; /* a paired instruction shares prev's cycle */
    if (out->flags & ISA_F_COND_BRANCH) {
      unsigned not_taken = paired ? 0 : 1 + stall;
      out->cycles = (uint16_t)not_taken;
      if (i + 1 == n) block->taken_extra_cycles = issue - not_taken;
    } else {
      out->cycles = (uint16_t)issue;
    }
    pair_first = paired ? prev : NULL;
    prev = cur;
  }
}

/* 3 + ceil(qbits / 2) (+1 signed), clamped to [3, 20]; divide by zero takes the minimum. */
static uint32_t m7_divide_extra_cycles(int is_signed, uint32_t dividend, uint32_t divisor) {
  if (divisor == 0) return 0;
  unsigned qbits = isa_quotient_bits(is_signed, dividend, divisor);
  unsigned cycles = M7_DIVIDE_MIN + (qbits + 1u) / 2u + (is_signed && qbits ? 1u : 0u);
  if (cycles > M7_DIVIDE_MAX) cycles = M7_DIVIDE_MAX;
  return cycles - M7_DIVIDE_MIN;
}

const isa_timing_t isa_timing_m7 = {
    .core = ISA_CORE_M7,
    .cost_block = m7_cost_block,
    .divide_extra_cycles = m7_divide_extra_cycles,
};
