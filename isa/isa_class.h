/* isa/isa_class.h — private: sorts a capstone Thumb decode into the instruction classes the Cortex-M
 * cycle tables are written in, with the register sets the pipelining rules look at. Shared by the
 * timing models; not part of the library's public surface. */
#ifndef MCUSIM_ISA_CLASS_H
#define MCUSIM_ISA_CLASS_H

#include <stdint.h>

#include <capstone/capstone.h>

typedef enum {
  ISA_K_ALU,          /* data processing, moves, shifts, extends, bit fields, saturation, SIMD, CLZ */
  ISA_K_IT,           /* IT */
  ISA_K_NOP,          /* NOP, YIELD, SEV, PLD/PLI (hints) */
  ISA_K_SYS,          /* MRS, MSR */
  ISA_K_CPS,          /* CPSID, CPSIE */
  ISA_K_MUL,          /* MUL(S): 32-bit result */
  ISA_K_MLA,          /* MLA */
  ISA_K_MLS,          /* MLS */
  ISA_K_MULL,         /* UMULL, SMULL */
  ISA_K_MLAL,         /* UMLAL, SMLAL */
  ISA_K_DSP_MUL,      /* ARMv7E-M multiplies: SMLA<xy>, SMLAD, SMUAD, SMMUL, SMLALD, UMAAL, ... */
  ISA_K_DIV,          /* SDIV, UDIV */
  ISA_K_LOAD,         /* single load to a register other than PC (LDR*, LDREX*) */
  ISA_K_STORE,        /* single store (STR*, STREX*) */
  ISA_K_LOAD_PC,      /* LDR PC, [...] */
  ISA_K_LDRD,         /* LDRD */
  ISA_K_STRD,         /* STRD */
  ISA_K_LDM,          /* LDM, LDMDB, POP */
  ISA_K_STM,          /* STM, STMDB, PUSH */
  ISA_K_BRANCH,       /* B, B<c>, BL, CBZ, CBNZ: target known from the encoding */
  ISA_K_BRANCH_REG,   /* BX, BLX Rm, MOV PC, ADD PC: target from a register */
  ISA_K_TABLE_BRANCH, /* TBB, TBH */
  ISA_K_BARRIER,      /* DMB, DSB */
  ISA_K_ISB,          /* ISB */
  ISA_K_WAIT,         /* WFI, WFE */
  ISA_K_EXCEPTION,    /* SVC, BKPT, UDF */
  ISA_K_VFP_ALU,      /* single-cycle FPU data processing and moves (VADD, VMUL, VCVT, VMOV, VMRS...) */
  ISA_K_VFP_MOV2,     /* VMOV between two core registers and two S registers or one D register */
  ISA_K_VFP_MAC,      /* VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS */
  ISA_K_VFP_DIV,      /* VDIV */
  ISA_K_VFP_SQRT,     /* VSQRT */
  ISA_K_VLDR,         /* VLDR */
  ISA_K_VSTR,         /* VSTR */
  ISA_K_VLDM,         /* VLDM, VPOP */
  ISA_K_VSTM,         /* VSTM, VPUSH */
  ISA_K_COUNT
} isa_kind_t;

typedef struct {
  isa_kind_t kind;
  uint8_t conditional;    /* condition code other than AL: B<c>, or inside an IT block */
  uint8_t writes_pc;      /* may write PC */
  uint8_t words;          /* 32-bit words moved by LDM/STM/LDRD/STRD/VLDM/VSTM/VLDR/VSTR/PUSH/POP */
  uint8_t reg_offset;     /* single load/store addressed with a register offset */
  uint8_t narrow;         /* 16-bit encoding */
  int8_t acc_reg;         /* MLA/MLS/MLAL/DSP accumulate: accumulator register (ARM number) or -1 */
  uint16_t dst_regs;      /* core registers written (bit n = Rn), base write-back included */
  uint16_t src_regs;      /* core registers read, address registers included */
  uint16_t addr_regs;     /* registers that form a data address (base, index) */
  uint16_t load_dst_regs; /* registers written with loaded data (not the base write-back) */
} isa_class_t;

/* ARM register number 0..15 of a capstone register, -1 for anything else (FP, system). */
int isa_reg_num(int cs_reg);
/* Fill `out` from a capstone decode made with detail on. */
void isa_classify(const cs_insn *insn, isa_class_t *out);
/* Loads, stores, table branches and their FPU forms: instructions that access data memory. */
int isa_kind_is_memory(isa_kind_t kind);
/* Number of leading zeros of x, 32 for 0. */
unsigned isa_clz32(uint32_t x);
/* Significant quotient bits of a divide, from the operands' leading zeros: max(clz(d) - clz(n) + 1, 0),
 * magnitudes of negative operands when signed (the quantity ARM DDI 0363G section C.8 uses). */
unsigned isa_quotient_bits(int is_signed, uint32_t dividend, uint32_t divisor);

#endif /* MCUSIM_ISA_CLASS_H */
