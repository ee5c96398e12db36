/* isa/isa_class.c — capstone decode -> instruction class and register sets (see isa_class.h). */
#include "isa_class.h"

#include <string.h>

int isa_reg_num(int cs_reg) {
  if (cs_reg >= ARM_REG_R0 && cs_reg <= ARM_REG_R12) return cs_reg - ARM_REG_R0;
  switch (cs_reg) {
  case ARM_REG_SP:
    return 13;
  case ARM_REG_LR:
    return 14;
  case ARM_REG_PC:
    return 15;
  default:
    return -1;
  }
}

static uint16_t reg_bit(int cs_reg) {
  int n = isa_reg_num(cs_reg);
  return n < 0 ? 0 : (uint16_t)(1u << n);
}

static int is_double_reg(int cs_reg) { return cs_reg >= ARM_REG_D0 && cs_reg <= ARM_REG_D31; }

unsigned isa_clz32(uint32_t x) { return x == 0 ? 32 : (unsigned)__builtin_clz(x); }

unsigned isa_quotient_bits(int is_signed, uint32_t dividend, uint32_t divisor) {
  if (is_signed) {
    /* DDI 0363G C.8: a negative operand is negated before its leading zeros are counted. */
    if ((int32_t)dividend < 0) dividend = 0u - dividend;
    if ((int32_t)divisor < 0) divisor = 0u - divisor;
  }
  int bits = (int)isa_clz32(divisor) - (int)isa_clz32(dividend) + 1;
  return bits > 0 ? (unsigned)bits : 0;
}

/* Class by instruction id alone; PC destinations and VMOV forms are refined by the caller. */
static isa_kind_t kind_of_id(unsigned id) {
  switch (id) {
  case ARM_INS_LDR:
  case ARM_INS_LDRB:
  case ARM_INS_LDRH:
  case ARM_INS_LDRSB:
  case ARM_INS_LDRSH:
  case ARM_INS_LDRT:
  case ARM_INS_LDRBT:
  case ARM_INS_LDRHT:
  case ARM_INS_LDRSBT:
  case ARM_INS_LDRSHT:
  case ARM_INS_LDREX:
  case ARM_INS_LDREXB:
  case ARM_INS_LDREXH:
    return ISA_K_LOAD;
  case ARM_INS_STR:
  case ARM_INS_STRB:
  case ARM_INS_STRH:
  case ARM_INS_STRT:
  case ARM_INS_STRBT:
  case ARM_INS_STRHT:
  case ARM_INS_STREX:
  case ARM_INS_STREXB:
  case ARM_INS_STREXH:
    return ISA_K_STORE;
  case ARM_INS_LDRD:
    return ISA_K_LDRD;
  case ARM_INS_STRD:
    return ISA_K_STRD;
  case ARM_INS_LDM:
  case ARM_INS_LDMDB:
  case ARM_INS_POP:
    return ISA_K_LDM;
  case ARM_INS_STM:
  case ARM_INS_STMDB:
  case ARM_INS_PUSH:
    return ISA_K_STM;
  case ARM_INS_B:
  case ARM_INS_BL:
  case ARM_INS_CBZ:
  case ARM_INS_CBNZ:
    return ISA_K_BRANCH;
  case ARM_INS_BX:
  case ARM_INS_BLX:
    return ISA_K_BRANCH_REG;
  case ARM_INS_TBB:
  case ARM_INS_TBH:
    return ISA_K_TABLE_BRANCH;
  case ARM_INS_DMB:
  case ARM_INS_DSB:
    return ISA_K_BARRIER;
  case ARM_INS_ISB:
    return ISA_K_ISB;
  case ARM_INS_WFI:
  case ARM_INS_WFE:
    return ISA_K_WAIT;
  case ARM_INS_SVC:
  case ARM_INS_BKPT:
  case ARM_INS_UDF:
    return ISA_K_EXCEPTION;
  case ARM_INS_MRS:
  case ARM_INS_MSR:
    return ISA_K_SYS;
  case ARM_INS_CPS:
    return ISA_K_CPS;
  case ARM_INS_IT:
    return ISA_K_IT;
  case ARM_INS_NOP:
  case ARM_INS_YIELD:
  case ARM_INS_SEV:
  case ARM_INS_HINT:
  case ARM_INS_PLD:
  case ARM_INS_PLDW:
  case ARM_INS_PLI:
  case ARM_INS_CLREX:
  case ARM_INS_DBG:
    return ISA_K_NOP;
  case ARM_INS_MUL:
    return ISA_K_MUL;
  case ARM_INS_MLA:
    return ISA_K_MLA;
  case ARM_INS_MLS:
    return ISA_K_MLS;
  case ARM_INS_UMULL:
  case ARM_INS_SMULL:
    return ISA_K_MULL;
  case ARM_INS_UMLAL:
  case ARM_INS_SMLAL:
    return ISA_K_MLAL;
  case ARM_INS_SMLABB:
  case ARM_INS_SMLABT:
  case ARM_INS_SMLATB:
  case ARM_INS_SMLATT:
  case ARM_INS_SMLAD:
  case ARM_INS_SMLADX:
  case ARM_INS_SMLALBB:
  case ARM_INS_SMLALBT:
  case ARM_INS_SMLALTB:
  case ARM_INS_SMLALTT:
  case ARM_INS_SMLALD:
  case ARM_INS_SMLALDX:
  case ARM_INS_SMLAWB:
  case ARM_INS_SMLAWT:
  case ARM_INS_SMLSD:
  case ARM_INS_SMLSDX:
  case ARM_INS_SMLSLD:
  case ARM_INS_SMLSLDX:
  case ARM_INS_SMMLA:
  case ARM_INS_SMMLAR:
  case ARM_INS_SMMLS:
  case ARM_INS_SMMLSR:
  case ARM_INS_SMMUL:
  case ARM_INS_SMMULR:
  case ARM_INS_SMUAD:
  case ARM_INS_SMUADX:
  case ARM_INS_SMULBB:
  case ARM_INS_SMULBT:
  case ARM_INS_SMULTB:
  case ARM_INS_SMULTT:
  case ARM_INS_SMULWB:
  case ARM_INS_SMULWT:
  case ARM_INS_SMUSD:
  case ARM_INS_SMUSDX:
  case ARM_INS_UMAAL:
    return ISA_K_DSP_MUL;
  case ARM_INS_SDIV:
  case ARM_INS_UDIV:
    return ISA_K_DIV;
  case ARM_INS_VDIV:
    return ISA_K_VFP_DIV;
  case ARM_INS_VSQRT:
    return ISA_K_VFP_SQRT;
  case ARM_INS_VMLA:
  case ARM_INS_VMLS:
  case ARM_INS_VNMLA:
  case ARM_INS_VNMLS:
  case ARM_INS_VFMA:
  case ARM_INS_VFMS:
  case ARM_INS_VFNMA:
  case ARM_INS_VFNMS:
    return ISA_K_VFP_MAC;
  case ARM_INS_VLDR:
    return ISA_K_VLDR;
  case ARM_INS_VSTR:
    return ISA_K_VSTR;
  case ARM_INS_VLDMIA:
  case ARM_INS_VLDMDB:
  case ARM_INS_VPOP:
    return ISA_K_VLDM;
  case ARM_INS_VSTMIA:
  case ARM_INS_VSTMDB:
  case ARM_INS_VPUSH:
    return ISA_K_VSTM;
  default:
    return ISA_K_ALU;
  }
}

static int is_vfp_id(unsigned id) {
  return id == ARM_INS_VMOV || id == ARM_INS_VMRS || id == ARM_INS_VMSR || id == ARM_INS_VABS || id == ARM_INS_VADD ||
         id == ARM_INS_VSUB || id == ARM_INS_VMUL || id == ARM_INS_VNMUL || id == ARM_INS_VNEG || id == ARM_INS_VCMP ||
         id == ARM_INS_VCMPE || id == ARM_INS_VCVT || id == ARM_INS_VCVTB || id == ARM_INS_VCVTT ||
         id == ARM_INS_VCVTR || id == ARM_INS_VMAXNM || id == ARM_INS_VMINNM || id == ARM_INS_VSELEQ ||
         id == ARM_INS_VSELGE || id == ARM_INS_VSELGT || id == ARM_INS_VSELVS || id == ARM_INS_VRINTA ||
         id == ARM_INS_VRINTM || id == ARM_INS_VRINTN || id == ARM_INS_VRINTP || id == ARM_INS_VRINTR ||
         id == ARM_INS_VRINTX || id == ARM_INS_VRINTZ;
}

/* Instructions whose first or last operand is an accumulator they read and write. */
static int8_t accumulator_of(const cs_insn *insn, isa_kind_t kind) {
  const cs_arm *arm = &insn->detail->arm;
  switch (kind) {
  case ISA_K_MLA:
  case ISA_K_MLS:
    return arm->op_count == 4 ? (int8_t)isa_reg_num(arm->operands[3].reg) : -1;
  case ISA_K_MLAL:
    return (int8_t)isa_reg_num(arm->operands[0].reg);
  case ISA_K_DSP_MUL:
    switch (insn->id) {
    case ARM_INS_SMLALBB:
    case ARM_INS_SMLALBT:
    case ARM_INS_SMLALTB:
    case ARM_INS_SMLALTT:
    case ARM_INS_SMLALD:
    case ARM_INS_SMLALDX:
    case ARM_INS_SMLSLD:
    case ARM_INS_SMLSLDX:
    case ARM_INS_UMAAL:
      return (int8_t)isa_reg_num(arm->operands[0].reg);
    default:
      return arm->op_count == 4 ? (int8_t)isa_reg_num(arm->operands[3].reg) : -1;
    }
  default:
    return -1;
  }
}

/* LDM/STM/PUSH/POP and VLDM/VSTM/VPUSH/VPOP: register list, base register, words moved. */
static void classify_multiple(const cs_insn *insn, isa_class_t *out) {
  const cs_arm *arm = &insn->detail->arm;
  int stack =
      insn->id == ARM_INS_PUSH || insn->id == ARM_INS_POP || insn->id == ARM_INS_VPUSH || insn->id == ARM_INS_VPOP;
  int loads = out->kind == ISA_K_LDM || out->kind == ISA_K_VLDM;
  unsigned first = 0;
  if (stack) {
    out->addr_regs = out->src_regs = out->dst_regs = 1u << 13; /* SP is read and written back */
  } else if (arm->op_count > 0) {
    uint16_t base = reg_bit(arm->operands[0].reg);
    out->addr_regs |= base;
    out->src_regs |= base;
    if (arm->writeback) out->dst_regs |= base;
    first = 1;
  }
  unsigned words = 0;
  for (unsigned i = first; i < arm->op_count; i++) {
    int reg = arm->operands[i].reg;
    words += is_double_reg(reg) ? 2 : 1;
    if (loads) {
      out->dst_regs |= reg_bit(reg);
      out->load_dst_regs |= reg_bit(reg);
    } else {
      out->src_regs |= reg_bit(reg);
    }
  }
  out->words = (uint8_t)words;
}

/* Every other instruction: operand access flags give the register sets. */
static void classify_operands(const cs_insn *insn, isa_class_t *out) {
  const cs_arm *arm = &insn->detail->arm;
  for (unsigned i = 0; i < arm->op_count; i++) {
    const cs_arm_op *op = &arm->operands[i];
    if (op->type == ARM_OP_MEM) {
      uint16_t regs = (uint16_t)(reg_bit(op->mem.base) | reg_bit(op->mem.index));
      out->addr_regs |= regs;
      out->src_regs |= regs;
      if (arm->writeback) out->dst_regs |= reg_bit(op->mem.base);
      if (op->mem.index != ARM_REG_INVALID) out->reg_offset = 1;
      if (is_double_reg(arm->operands[0].reg)) out->words = 2;
    } else if (op->type == ARM_OP_REG) {
      uint8_t access = op->access ? op->access : (i == 0 ? CS_AC_WRITE : CS_AC_READ);
      if (access & CS_AC_WRITE) out->dst_regs |= reg_bit(op->reg);
      if (access & CS_AC_READ) out->src_regs |= reg_bit(op->reg);
    }
  }
  for (unsigned i = 0; i < insn->detail->regs_read_count; i++) out->src_regs |= reg_bit(insn->detail->regs_read[i]);
  for (unsigned i = 0; i < insn->detail->regs_write_count; i++) out->dst_regs |= reg_bit(insn->detail->regs_write[i]);
}

static unsigned core_reg_operands(const cs_arm *arm) {
  unsigned n = 0;
  for (unsigned i = 0; i < arm->op_count; i++)
    if (arm->operands[i].type == ARM_OP_REG && isa_reg_num(arm->operands[i].reg) >= 0) n++;
  return n;
}

void isa_classify(const cs_insn *insn, isa_class_t *out) {
  const cs_arm *arm = &insn->detail->arm;
  memset(out, 0, sizeof *out);
  out->kind = kind_of_id(insn->id);
  out->narrow = insn->size == 2;
  out->conditional = arm->cc != ARM_CC_AL && arm->cc != ARM_CC_INVALID;
  if (insn->id == ARM_INS_IT) out->conditional = 0; /* IT's cc is the block's condition, not its own */
  if (out->kind == ISA_K_ALU && is_vfp_id(insn->id))
    out->kind = (insn->id == ARM_INS_VMOV && core_reg_operands(arm) >= 2) ? ISA_K_VFP_MOV2 : ISA_K_VFP_ALU;

  if (out->kind == ISA_K_LDM || out->kind == ISA_K_STM || out->kind == ISA_K_VLDM || out->kind == ISA_K_VSTM)
    classify_multiple(insn, out);
  else
    classify_operands(insn, out);

  switch (out->kind) {
  case ISA_K_LOAD:
  case ISA_K_LDRD:
    /* loaded registers: the written registers minus a written-back base */
    for (unsigned i = 0; i < arm->op_count; i++)
      if (arm->operands[i].type == ARM_OP_REG && (arm->operands[i].access & CS_AC_WRITE))
        out->load_dst_regs |= reg_bit(arm->operands[i].reg);
    out->words = out->kind == ISA_K_LDRD ? 2 : 0;
    break;
  case ISA_K_STRD:
    out->words = 2;
    break;
  case ISA_K_VLDR:
  case ISA_K_VSTR:
    if (out->words == 0) out->words = 1;
    break;
  default:
    break;
  }
  out->writes_pc = (out->dst_regs & (1u << 15)) != 0 || out->kind == ISA_K_BRANCH || out->kind == ISA_K_BRANCH_REG ||
                   out->kind == ISA_K_TABLE_BRANCH;
  if (out->kind == ISA_K_LOAD && (out->load_dst_regs & (1u << 15)))
    out->kind = ISA_K_LOAD_PC;
  else if (out->kind == ISA_K_ALU && out->writes_pc)
    out->kind = ISA_K_BRANCH_REG; /* MOV PC, Rm / ADD PC, Rm: table row "1 + P" */
  out->acc_reg = accumulator_of(insn, out->kind);
}

int isa_kind_is_memory(isa_kind_t kind) {
  switch (kind) {
  case ISA_K_LOAD:
  case ISA_K_STORE:
  case ISA_K_LOAD_PC:
  case ISA_K_LDRD:
  case ISA_K_STRD:
  case ISA_K_LDM:
  case ISA_K_STM:
  case ISA_K_TABLE_BRANCH:
  case ISA_K_VLDR:
  case ISA_K_VSTR:
  case ISA_K_VLDM:
  case ISA_K_VSTM:
    return 1;
  default:
    return 0;
  }
}
