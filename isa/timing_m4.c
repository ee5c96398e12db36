/* isa/timing_m4.c — Cortex-M4 (ARMv7E-M, optional FPv4-SP) cycle model.
 *
 * Source: Cortex-M4 Technical Reference Manual r0p1, ARM DDI 0439B, section 3.3 "Instruction set
 * summary", table 3-1 (integer and DSP instructions, zero wait states), section 3.3.1 "Load/store
 * timings", and section 7.2.3 "FPU instruction set", table 7-1. The block rules (load/store pipelining,
 * address-generation stall, conditional branches, pipeline refill P) are shared with the Cortex-M3 and
 * documented in timing_v7m.c; this file holds the per-instruction figures.
 */
#include "timing_v7m.h"

/* Rows where the M4 differs from the M3 (multiplies, DSP, FPU); the rest is the shared ARMv7-M table in
 * timing_v7m.c, which quotes the same table 3-1 rows. */
static unsigned m4_base_cycles(const isa_class_t *cls) {
  switch (cls->kind) {
  case ISA_K_MUL:     /* table 3-1: MUL 1 */
  case ISA_K_MLA:     /* MLA 1 */
  case ISA_K_MLS:     /* MLS 1 */
  case ISA_K_MULL:    /* UMULL, SMULL 1 */
  case ISA_K_MLAL:    /* UMLAL, SMLAL 1 */
  case ISA_K_DSP_MUL: /* SMLA<xy>, SMLAD, SMUAD, SMLAL<xy>, SMLALD, SMMUL, UMAAL, ...: 1 */
  case ISA_K_VFP_ALU: /* table 7-1: VADD, VSUB, VMUL, VNMUL, VABS, VNEG, VCMP, VCVT, VMOV, VMRS, VMSR: 1 */
    return 1;
  case ISA_K_VFP_MOV2: /* table 7-1: VMOV two core registers <-> two singles or a double: 2 */
    return 2;
  case ISA_K_VFP_MAC: /* table 7-1: VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS: 3 */
    return 3;
  case ISA_K_VFP_DIV:  /* table 7-1: VDIV: 14 */
  case ISA_K_VFP_SQRT: /* table 7-1: VSQRT: 14 */
    return 14;
  case ISA_K_VLDR: /* table 7-1: VLDR.F32 2, VLDR.F64 3 (1 + words) */
  case ISA_K_VSTR: /* table 7-1: VSTR.F32 2, VSTR.F64 3 */
  case ISA_K_VLDM: /* table 7-1: VLDM, VPOP: 1 + N (N in 32-bit words here) */
  case ISA_K_VSTM: /* table 7-1: VSTM, VPUSH: 1 + N */
    return 1 + cls->words;
  default:
    return isa_v7m_common_cycles(cls);
  }
}

static void m4_cost_block(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block) {
  (void)config;
  static const isa_v7m_core_t core = {m4_base_cycles, 0};
  isa_v7m_cost_block(&core, insns, n, block);
}

const isa_timing_t isa_timing_m4 = {
    .core = ISA_CORE_M4,
    .cost_block = m4_cost_block,
    .divide_extra_cycles = isa_v7m_divide_extra_cycles,
};
