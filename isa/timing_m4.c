/* isa/timing_m4.c — Cortex-M4 (ARMv7E-M, optional FPv4-SP) cycle model.
 *
 * Source: Cortex-M4 Technical Reference Manual r0p1, ARM DDI 0439B, section 3.3 "Instruction set
 * summary", table 3-1 (integer and DSP instructions, zero wait states), section 3.3.1 "Load/store
 * timings", and section 7.2.3 "FPU instruction set", table 7-1. The block rules (load/store pipelining,
 * address-generation stall, conditional branches, pipeline refill P) are shared with the Cortex-M3 and
 * documented in timing_v7m.c; this file holds the per-instruction figures.
 */
#include "timing_v7m.h"

/* Table 3-1 / 7-1 figure of one instruction, with P as chosen in timing_v7m.h. */
static unsigned m4_base_cycles(const isa_class_t *cls)
{
  switch (cls->kind) {
  case ISA_K_ALU:     /* MOV, ADD, ADC, ADR, SUB, RSB, CMP, AND, ..., shifts, extends, bit field, REV: 1 */
  case ISA_K_IT:      /* IT: 1 (folding onto the previous 16-bit instruction is not modelled) */
  case ISA_K_NOP:     /* NOP, SEV, YIELD: 1; PLD treated as a 1-cycle hint */
  case ISA_K_SYS:     /* MRS, MSR, CPSID, CPSIE: "1 or 2", the minimum taken */
  case ISA_K_MUL:     /* MUL: 1 */
  case ISA_K_MLA:     /* MLA: 1 */
  case ISA_K_MLS:     /* MLS: 1 */
  case ISA_K_MULL:    /* UMULL, SMULL: 1 */
  case ISA_K_MLAL:    /* UMLAL, SMLAL: 1 */
  case ISA_K_DSP_MUL: /* SMLA<xy>, SMLAD, SMUAD, SMLAL<xy>, SMLALD, SMMUL, UMAAL, ...: 1 */
  case ISA_K_BARRIER: /* DMB, DSB: 1 + B, B minimum 0 */
  case ISA_K_WAIT:    /* WFI, WFE: 1 + W, W (waiting) not modelled */
  case ISA_K_EXCEPTION: /* SVC, BKPT: exception entry is not simulated; the instruction itself 1 */
  case ISA_K_VFP_ALU: /* table 7-1: VADD, VSUB, VMUL, VNMUL, VABS, VNEG, VCMP, VCVT, VMOV, VMRS, VMSR: 1 */
    return 1;
  case ISA_K_DIV:     /* SDIV, UDIV: 2 to 12; 2 here, the rest from isa_divide_extra_cycles */
    return 2;
  case ISA_K_LOAD:    /* LDR, LDRH, LDRB, LDRSH, LDRSB, LDRT, LDREX: 2 (pipelining in timing_v7m.c) */
  case ISA_K_STORE:   /* STR, STRH, STRB, STRT, STREX: 2 */
    return 2;
  case ISA_K_LOAD_PC: /* LDR PC: 2 + P; section 3.3.1: "at least five cycles" */
    return 2 + ISA_V7M_P_LOAD;
  case ISA_K_LDRD:    /* LDRD, STRD: 1 + N, N = 2; section 3.3.1: "three cycles" */
  case ISA_K_STRD:
    return 3;
  case ISA_K_LDM:     /* LDM, POP: 1 + N; with PC: 1 + N + P */
    return 1 + cls->words + (cls->writes_pc ? ISA_V7M_P_LOAD : 0);
  case ISA_K_STM:     /* STM, PUSH: 1 + N */
    return 1 + cls->words;
  case ISA_K_BRANCH:  /* B, BL, CBZ/CBNZ, B<c> taken: 1 + P */
  case ISA_K_BRANCH_REG: /* BX, BLX, MOV PC, ADD PC: 1 + P */
  case ISA_K_ISB:     /* ISB: 1 + B, B = a pipeline refill */
    return 1 + ISA_V7M_P_REFILL;
  case ISA_K_TABLE_BRANCH: /* TBB, TBH: 2 + P; section 3.3.1: load 2 + add 1 + reload 3 = 6 */
    return 6;
  case ISA_K_VFP_MOV2: /* table 7-1: VMOV two core registers <-> two singles or a double: 2 */
    return 2;
  case ISA_K_VFP_MAC: /* table 7-1: VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS: 3 */
    return 3;
  case ISA_K_VFP_DIV: /* table 7-1: VDIV: 14 */
  case ISA_K_VFP_SQRT: /* table 7-1: VSQRT: 14 */
    return 14;
  case ISA_K_VLDR:    /* table 7-1: VLDR.F32 2, VLDR.F64 3 (1 + words) */
  case ISA_K_VSTR:    /* table 7-1: VSTR.F32 2, VSTR.F64 3 */
  case ISA_K_VLDM:    /* table 7-1: VLDM, VPOP: 1 + N (N in 32-bit words here) */
  case ISA_K_VSTM:    /* table 7-1: VSTM, VPUSH: 1 + N */
    return 1 + cls->words;
  case ISA_K_COUNT:
    break;
  }
  return 1;
}

static void m4_cost_block(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block)
{
  (void)config;
  isa_v7m_cost_block(m4_base_cycles, insns, n, block);
}

const isa_timing_t isa_timing_m4 = {
    .core = ISA_CORE_M4,
    .cost_block = m4_cost_block,
    .divide_extra_cycles = isa_v7m_divide_extra_cycles,
};
