/* isa/timing_v7m.h — private: the block-level rules Cortex-M3 and Cortex-M4 share (3-stage pipeline,
 * ARM DDI 0337I section 3.3.1 / DDI 0439B section 3.3.1 "Load/store timings"); each core supplies the
 * per-instruction table figure. */
#ifndef MCUSIM_ISA_TIMING_V7M_H
#define MCUSIM_ISA_TIMING_V7M_H

#include "isa_class.h"
#include "timing.h"

/* Pipeline refill P (DDI 0439B table 3-1 note: "ranges from 1 to 3 depending on the alignment and width
 * of the target instruction, and whether the processor manages to speculate the address early").
 * Branches whose target is known at decode (B, BL, CBZ, BX, MOV/ADD PC, ISB): P = 1, so a taken branch
 * costs 2 with zero wait states (also LLVM's Cortex-M3 machine model: "best case branch taken cost" 2).
 * PC loaded from memory (LDR PC, POP/LDM {PC}, TBB/TBH): the manual's section 3.3.1 text counts "three
 * cycles for the pipeline reload", so P = 3. */
#define ISA_V7M_P_REFILL 1u
#define ISA_V7M_P_LOAD 3u

/* Table figure of one instruction in isolation, for the core's table (branch taken, PC writes). */
typedef unsigned (*isa_v7m_base_fn)(const isa_class_t *cls);

/* Table rows the M3 and M4 share (the M4 overrides multiplies and adds DSP/FPU rows). */
unsigned isa_v7m_common_cycles(const isa_class_t *cls);
/* What differs between the two cores in the block rules. */
typedef struct {
  isa_v7m_base_fn base; /* the core's table */
  int m3;               /* Cortex-M3: write-back stores after a load are not one-cycle (jnk0le, STM32F103) */
} isa_v7m_core_t;
void isa_v7m_cost_block(const isa_v7m_core_t *core, const cs_insn *insns, size_t n, isa_block_t *block);
/* SDIV/UDIV cycles beyond the minimum 2: measured 2 (zero operand), 3 .. 7 (timing_v7m.c). */
uint32_t isa_v7m_divide_extra_cycles(int is_signed, uint32_t dividend, uint32_t divisor);

#endif /* MCUSIM_ISA_TIMING_V7M_H */
