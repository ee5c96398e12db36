/* isa/timing_m3.c — Cortex-M3 (ARMv7-M) cycle model.
 *
 * Source: Cortex-M3 Technical Reference Manual r2p1, ARM DDI 0337I, section 3.3, table 3-1 "Cortex-M3
 * instruction set summary", and section 3.3.1 "Load/store timings" (zero wait states; the same table is
 * table 18-1 in the older r1p1 edition, DDI 0337E). Every row except the multiplies is the M4's (DDI
 * 0439B table 3-1 was derived from it); the shared rows and block rules are in timing_v7m.c.
 *
 * Multiplies that differ from the M4: MUL 1, MLA 2, MLS 2, UMULL/SMULL "3 to 5", UMLAL/SMLAL "4 to 7".
 * The TRM: "UMULL/SMULL/UMLAL/SMLAL use early termination depending on the size of source values ...
 * MLAL versions take four to seven cycles and MULL versions take three to five cycles" (early when
 * |inputs| < 64K). The operands are not known statically and the simulator reads registers only for
 * divides, so the model takes the documented minimum, 3 and 4 (an underestimate of up to 2 and 3 cycles
 * for wide operands such as Q31 requantization multipliers). The ARMv7E-M DSP and FPU instructions do
 * not exist on the M3 (they are UNDEFINED there); they fall back to 1 cycle.
 */
#include "timing_v7m.h"

static void m3_cost_block(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block) {
  (void)config;
  static const isa_v7m_core_t core = {isa_v7m_common_cycles, 1};
  isa_v7m_cost_block(&core, insns, n, block);
}

const isa_timing_t isa_timing_m3 = {
    .core = ISA_CORE_M3,
    .cost_block = m3_cost_block,
    .divide_extra_cycles = isa_v7m_divide_extra_cycles,
};
