/* isa/isa.c — capstone decode of Thumb blocks, per-instruction flags and memory descriptions, and
 * dispatch to the per-core timing model (see isa.h for the contract). */
#include "isa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "isa_class.h"
#include "timing.h"

struct isa {
  csh cs;
  isa_config_t config;
  const isa_timing_t *timing;
};

/* The one core-name table of the project: profile name and display name, by isa_core_t. */
static const struct {
  const char *name, *display;
} cores[ISA_CORE_COUNT] = {
    [ISA_CORE_M0PLUS] = {"m0plus", "M0+"},
    [ISA_CORE_M3] = {"m3", "M3"},
    [ISA_CORE_M4] = {"m4", "M4"},
    [ISA_CORE_M7] = {"m7", "M7"},
};

static const isa_timing_t *const core_timings[ISA_CORE_COUNT] = {&isa_timing_m0plus, &isa_timing_m3, &isa_timing_m4,
                                                                 &isa_timing_m7};

const char *isa_strerror(isa_err err) {
  switch (err) {
  case ISA_OK:
    return "success";
  case ISA_E_NOMEM:
    return "out of memory";
  case ISA_E_CAPSTONE:
    return "capstone could not be opened";
  case ISA_E_UNDECODABLE:
    return "the first instruction of the block does not decode";
  case ISA_E_ARG:
    return "invalid argument";
  }
  return "unknown isa error";
}

int isa_core_from_name(const char *name) {
  if (name == NULL) return -1;
  for (int i = 0; i < ISA_CORE_COUNT; i++)
    if (strcmp(name, cores[i].name) == 0) return i;
  return -1;
}

const char *isa_core_name(isa_core_t core) { return (unsigned)core < ISA_CORE_COUNT ? cores[core].name : NULL; }

const char *isa_core_display(isa_core_t core) { return (unsigned)core < ISA_CORE_COUNT ? cores[core].display : NULL; }

isa_err isa_open(const isa_config_t *config, isa_t **out) {
  if (config == NULL || out == NULL || (unsigned)config->core >= ISA_CORE_COUNT || config->mul_cycles > 32)
    return ISA_E_ARG;
  isa_t *isa = calloc(1, sizeof *isa);
  if (isa == NULL) return ISA_E_NOMEM;
  isa->config = *config;
  if (isa->config.mul_cycles == 0) isa->config.mul_cycles = 1;
  isa->timing = core_timings[config->core];
  if (cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &isa->cs) != CS_ERR_OK) goto fail;
  if (cs_option(isa->cs, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
    cs_close(&isa->cs);
    goto fail;
  }
  *out = isa;
  return ISA_OK;
fail:
  free(isa);
  return ISA_E_CAPSTONE;
}

void isa_close(isa_t *isa) {
  if (isa == NULL) return;
  cs_close(&isa->cs);
  free(isa);
}

static int is_descending(unsigned id) {
  return id == ARM_INS_PUSH || id == ARM_INS_STMDB || id == ARM_INS_LDMDB || id == ARM_INS_VPUSH ||
         id == ARM_INS_VSTMDB || id == ARM_INS_VLDMDB;
}

/* Single transfers (LDR/STR/LDRD/STRD/VLDR/VSTR/TBB/TBH): the [base, index, shift, disp] operand.
 * Capstone 4 gives a post-indexed offset as an extra operand after the memory one, with disp 0;
 * a PC base is turned into the absolute literal address Align(addr + 4, 4) + disp. */
static void describe_single(const cs_insn *insn, const isa_class_t *cls, isa_mem_t *mem) {
  const cs_arm *arm = &insn->detail->arm;
  for (unsigned i = 0; i < arm->op_count; i++) {
    const cs_arm_op *op = &arm->operands[i];
    if (op->type != ARM_OP_MEM) continue;
    mem->base = (int8_t)isa_reg_num(op->mem.base);
    mem->index = (int8_t)isa_reg_num(op->mem.index);
    mem->index_sign = mem->index < 0 ? 0 : (op->mem.scale < 0 || op->subtracted ? -1 : 1);
    if (mem->index >= 0)
      mem->shift = (uint8_t)(op->shift.type == ARM_SFT_LSL ? op->shift.value : (unsigned)op->mem.lshift);
    mem->disp = op->mem.disp;
    if (i + 1 < arm->op_count && arm->writeback) mem->disp = 0; /* post-indexed: the access uses the base as it was */
    if (mem->base == 15) {
      mem->base = -1;
      mem->disp += (int32_t)(((uint32_t)insn->address + 4u) & ~3u);
    }
    mem->count = cls->words >= 2 ? cls->words : 0;
    return;
  }
}

static void describe_multiple(const cs_insn *insn, const isa_class_t *cls, isa_mem_t *mem) {
  const cs_arm *arm = &insn->detail->arm;
  int stack =
      insn->id == ARM_INS_PUSH || insn->id == ARM_INS_POP || insn->id == ARM_INS_VPUSH || insn->id == ARM_INS_VPOP;
  mem->base = stack ? 13 : (int8_t)isa_reg_num(arm->operands[0].reg);
  mem->count = cls->words;
  mem->descending = (uint8_t)is_descending(insn->id);
}

/* Call and return edges for the function profile: BL/BLX set LR; a return is BX LR or PC loaded from the stack
 * (POP {..., pc}, LDM SP!, LDR PC, [SP], #4), the forms AAPCS code uses. */
static uint8_t call_or_return(const cs_insn *insn, const isa_class_t *cls) {
  const cs_arm *arm = &insn->detail->arm;
  if (insn->id == ARM_INS_BL || insn->id == ARM_INS_BLX) return ISA_F_CALL;
  if (insn->id == ARM_INS_BX && arm->op_count == 1 && arm->operands[0].type == ARM_OP_REG &&
      arm->operands[0].reg == ARM_REG_LR)
    return ISA_F_RETURN;
  if ((cls->kind == ISA_K_LDM || cls->kind == ISA_K_LOAD_PC) && (cls->addr_regs & (1u << 13))) return ISA_F_RETURN;
  return 0;
}

static void describe_insn(const cs_insn *insn, isa_insn_t *out) {
  isa_class_t cls;
  isa_classify(insn, &cls);
  memset(out, 0, sizeof *out);
  out->addr = (uint32_t)insn->address;
  out->size = (uint8_t)insn->size;
  out->id = (uint16_t)insn->id;
  out->div_rn = out->div_rm = -1;
  out->mem.base = out->mem.index = -1;
  out->writes = cls.dst_regs;
  if (cls.writes_pc) {
    out->flags |= ISA_F_BRANCH;
    if (cls.conditional || insn->id == ARM_INS_CBZ || insn->id == ARM_INS_CBNZ) out->flags |= ISA_F_COND_BRANCH;
    out->flags |= call_or_return(insn, &cls);
  }
  if ((cls.dst_regs & (1u << 13)) || insn->id == ARM_INS_PUSH || insn->id == ARM_INS_POP || insn->id == ARM_INS_VPUSH ||
      insn->id == ARM_INS_VPOP)
    out->flags |= ISA_F_WRITES_SP;
  if (cls.kind == ISA_K_DIV) {
    const cs_arm *arm = &insn->detail->arm;
    out->flags |= ISA_F_DIVIDE | (insn->id == ARM_INS_SDIV ? ISA_F_SIGNED : 0);
    out->div_rn = (int8_t)isa_reg_num(arm->operands[1].reg);
    out->div_rm = (int8_t)isa_reg_num(arm->operands[2].reg);
  }
  if (isa_kind_is_memory(cls.kind)) {
    out->flags |= ISA_F_MEM;
    if (cls.kind == ISA_K_LDM || cls.kind == ISA_K_STM || cls.kind == ISA_K_VLDM || cls.kind == ISA_K_VSTM)
      describe_multiple(insn, &cls, &out->mem);
    else
      describe_single(insn, &cls, &out->mem);
  }
}

isa_err isa_analyze_block(isa_t *isa, const uint8_t *code, size_t size, uint32_t addr, isa_block_t *out) {
  if (isa == NULL || code == NULL || out == NULL) return ISA_E_ARG;
  memset(out, 0, sizeof *out);
  out->addr = out->end = addr;
  cs_insn *decoded = NULL;
  /* Decoding the whole block in one call keeps capstone's IT state, so conditions survive. */
  size_t n = cs_disasm(isa->cs, code, size, addr, 0, &decoded);
  if (n == 0) return ISA_E_UNDECODABLE;
  out->insns = calloc(n, sizeof *out->insns);
  if (out->insns == NULL) {
    cs_free(decoded, n);
    return ISA_E_NOMEM;
  }
  out->insn_count = (uint32_t)n;
  for (size_t i = 0; i < n; i++) {
    describe_insn(&decoded[i], &out->insns[i]);
    if (out->insns[i].flags & ISA_F_DIVIDE) out->divide_count++;
  }
  isa->timing->cost_block(&isa->config, decoded, n, out);
  for (size_t i = 0; i < n; i++) out->cycles += out->insns[i].cycles;
  out->end = (uint32_t)(decoded[n - 1].address + decoded[n - 1].size);
  cs_free(decoded, n);
  return ISA_OK;
}

void isa_block_free(isa_block_t *block) {
  if (block == NULL) return;
  free(block->insns);
  block->insns = NULL;
  block->insn_count = 0;
}

uint32_t isa_divide_extra_cycles(const isa_t *isa, int is_signed, uint32_t dividend, uint32_t divisor) {
  if (isa == NULL) return 0;
  return isa->timing->divide_extra_cycles(is_signed, dividend, divisor);
}

void isa_disasm(isa_t *isa, const uint8_t *code, size_t size, uint32_t addr, char *buf, size_t buf_size) {
  if (buf == NULL || buf_size == 0) return;
  buf[0] = '\0';
  if (isa == NULL || code == NULL) return;
  cs_insn *insn = NULL;
  if (cs_disasm(isa->cs, code, size, addr, 1, &insn) == 0) {
    snprintf(buf, buf_size, "(undecodable)");
    return;
  }
  if (insn->op_str[0] != '\0')
    snprintf(buf, buf_size, "%s %s", insn->mnemonic, insn->op_str);
  else
    snprintf(buf, buf_size, "%s", insn->mnemonic);
  cs_free(insn, 1);
}
