/* isa/timing_m0plus.c — Cortex-M0+ (ARMv6-M) cycle model.
 *
 * Source: Cortex-M0+ Technical Reference Manual, ARM DDI 0484C, section 3.3 "Instruction set summary",
 * table 3-1 "Cortex-M0+ instruction summary" (zero wait states). The M0+ has a 2-stage pipeline and
 * no load/store pipelining: every figure is per instruction, with no context rules.
 *  - ALU, MOV, shifts, extends, REV, compare, logical: 1; MOV PC / ADD PC: 2.
 *  - MULS: "1 or 32" (note a: depends on the multiplier implemented) -> isa_config_t.mul_cycles.
 *  - LDR/LDRH/LDRB/LDRSH/LDRSB/STR/STRH/STRB (all offsets, SP- and PC-relative): "2 or 1" (note b: 1 for
 *    the single-cycle I/O port); 2 here, the I/O port being a profile property the model does not see.
 *  - LDM, STM, PUSH, POP: 1 + N; POP with PC: 3 + N.
 *  - B<cc>: "1 or 2" (1 not taken, 2 taken); B: 2; BL: 3; BX, BLX: 2.
 *  - CPSID/CPSIE, SEV, YIELD, NOP: 1; MRS, MSR: 3; ISB, DMB, DSB: 3; WFE, WFI: 2; SVC, BKPT: "-" (the
 *    exception entry is not simulated), 1 here.
 * ARMv7-M instructions (which the M0+ does not have) cost 1.
 */
#include "isa_class.h"
#include "timing.h"

static unsigned m0plus_cycles(const isa_config_t *config, const isa_class_t *cls) {
  switch (cls->kind) {
  case ISA_K_MUL:
    return config->mul_cycles ? config->mul_cycles : 1;
  case ISA_K_LOAD:
  case ISA_K_STORE:
    return 2;
  case ISA_K_LDM: /* POP {..., PC}: 3 + N; LDM, POP: 1 + N */
    return (cls->writes_pc ? 3u : 1u) + cls->words;
  case ISA_K_STM: /* STM, PUSH: 1 + N */
    return 1 + cls->words;
  case ISA_K_BRANCH: /* B 2, BL 3, B<cc> taken 2 */
    return (cls->dst_regs & (1u << 14)) ? 3 : 2;
  case ISA_K_BRANCH_REG: /* BX, BLX, MOV PC, ADD PC: 2 */
    return 2;
  case ISA_K_SYS:     /* MRS, MSR: 3 */
  case ISA_K_BARRIER: /* DMB, DSB: 3 */
  case ISA_K_ISB:     /* ISB: 3 */
    return 3;
  case ISA_K_WAIT: /* WFE, WFI: 2 */
    return 2;
  default: /* data processing, CPS, hints, SVC, BKPT: 1 */
    return 1;
  }
}

static void m0plus_cost_block(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block) {
  block->taken_extra_cycles = 0;
  for (size_t i = 0; i < n; i++) {
    isa_class_t cls;
    isa_classify(&insns[i], &cls);
    unsigned full = m0plus_cycles(config, &cls);
    isa_insn_t *out = &block->insns[i];
    if (out->flags & ISA_F_COND_BRANCH) {
      out->cycles = 1; /* B<cc> not taken: 1; taken: 2 */
      if (i + 1 == n) block->taken_extra_cycles = full - 1;
    } else {
      out->cycles = (uint16_t)full;
    }
  }
}

/* The M0+ has no divide instruction. */
static uint32_t m0plus_divide_extra_cycles(int is_signed, uint32_t dividend, uint32_t divisor) {
  (void)is_signed;
  (void)dividend;
  (void)divisor;
  return 0;
}

const isa_timing_t isa_timing_m0plus = {
    .core = ISA_CORE_M0PLUS,
    .cost_block = m0plus_cost_block,
    .divide_extra_cycles = m0plus_divide_extra_cycles,
};
