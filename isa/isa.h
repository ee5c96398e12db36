/* isa/isa.h — decode a Thumb basic block with capstone and cost it with a per-core timing model.
 *
 * The simulator (sim/) calls isa_analyze_block() once per translated block and caches the result;
 * per executed block it adds `cycles`, plus `taken_extra_cycles` when the block leaves through its
 * final conditional branch (known from the next block's address), plus isa_divide_cycles() for each
 * executed divide (operands read by a code hook placed on divide instructions only).
 *
 * Ownership: isa_t is opaque, created by isa_open and freed by isa_close. isa_block_t.insns is
 * allocated by isa_analyze_block and freed by isa_block_free. The module never prints or exits.
 */
#ifndef MCUSIM_ISA_H
#define MCUSIM_ISA_H

#include <stddef.h>
#include <stdint.h>

typedef enum { ISA_CORE_M0PLUS, ISA_CORE_M3, ISA_CORE_M4, ISA_CORE_M7, ISA_CORE_COUNT } isa_core_t;

typedef enum {
  ISA_OK,
  ISA_E_NOMEM,
  ISA_E_CAPSTONE,    /* capstone could not be opened */
  ISA_E_UNDECODABLE, /* the first instruction of the block does not decode */
  ISA_E_ARG,
} isa_err;

const char *isa_strerror(isa_err err);
/* The one table of core names: "m0plus", "m3", "m4", "m7" (profiles, reports, CLI) <-> enum; -1 / NULL when unknown. */
int isa_core_from_name(const char *name);
const char *isa_core_name(isa_core_t core);
/* "M0+", "M3", "M4", "M7": how reports print a core; NULL when unknown. */
const char *isa_core_display(isa_core_t core);

typedef struct {
  isa_core_t core;
  unsigned mul_cycles; /* Cortex-M0+ multiplier option: 1 (fast) or 32 (small); 0 means 1. Ignored elsewhere. */
} isa_config_t;

enum isa_insn_flags {
  ISA_F_COND_BRANCH = 1u << 0, /* conditional branch (B<c>, CBZ/CBNZ): taken adds taken_extra_cycles */
  ISA_F_DIVIDE = 1u << 1,      /* SDIV/UDIV: cost in `cycles` is the minimum, the rest is dynamic */
  ISA_F_MEM = 1u << 2,         /* reads or writes data memory; mem describes the address */
  ISA_F_BRANCH = 1u << 3,      /* any instruction that may write PC */
  ISA_F_SIGNED = 1u << 4,      /* with ISA_F_DIVIDE: SDIV */
  ISA_F_WRITES_SP = 1u << 5,   /* may change SP (PUSH/POP, SUB SP, write-back to SP, MOV SP, ...) */
  ISA_F_CALL = 1u << 6,        /* BL, BLX: writes LR with the return address (the function profile's call edge) */
  ISA_F_RETURN = 1u << 7,      /* BX LR, POP/LDM/LDR loading PC from the stack: the usual AAPCS returns */
};

/* Effective data address of a memory instruction, from register values before it executes:
 * base + (index << shift) * index_sign + disp; a multiple transfer covers [lo, lo + 4*count). */
typedef struct {
  int8_t base;  /* ARM register number 0..15, -1 when none */
  int8_t index; /* -1 when none */
  int8_t index_sign;
  uint8_t shift;
  int32_t disp;       /* already 0 for post-indexed forms */
  uint8_t count;      /* registers transferred by LDM/STM/PUSH/POP, else 0 */
  uint8_t descending; /* STMDB/PUSH/LDMDB: the range ends at base */
} isa_mem_t;

typedef struct {
  uint32_t addr;
  uint8_t size;          /* 2 or 4 bytes */
  uint8_t flags;         /* enum isa_insn_flags */
  uint16_t cycles;       /* static cost in this block's context (branch not taken, divide at its minimum) */
  uint16_t id;           /* capstone instruction id (arm_insn) */
  int8_t div_rn, div_rm; /* with ISA_F_DIVIDE: dividend and divisor registers */
  isa_mem_t mem;
  uint16_t writes;   /* core registers written (bit n = Rn), base write-back included */
  uint8_t pipelined; /* M3/M4: a single load/store whose cost counts it pipelined with the load just before it; real
                        only when both access the same memory block (the simulator checks, issue 18 rule 1) */
} isa_insn_t;

typedef struct {
  uint32_t addr; /* first instruction */
  uint32_t end;  /* address after the last instruction (the fall-through) */
  uint32_t insn_count;
  uint32_t cycles;             /* sum of insns[].cycles */
  uint32_t taken_extra_cycles; /* added when the final conditional branch is taken */
  uint32_t divide_count;
  isa_insn_t *insns; /* insn_count entries */
} isa_block_t;

typedef struct isa isa_t;

isa_err isa_open(const isa_config_t *config, isa_t **out);
void isa_close(isa_t *isa);

/* Decode `size` bytes of Thumb code at `addr` (a whole block, so IT conditions survive) and cost it.
 * Decoding stops at the first undecodable halfword after at least one instruction. */
isa_err isa_analyze_block(isa_t *isa, const uint8_t *code, size_t size, uint32_t addr, isa_block_t *out);
void isa_block_free(isa_block_t *block);

/* Extra cycles of a divide beyond the minimum already in its static cost. */
uint32_t isa_divide_extra_cycles(const isa_t *isa, int is_signed, uint32_t dividend, uint32_t divisor);

/* Disassembly of one instruction as "mnemonic operands" into buf (for diagnostics). */
void isa_disasm(isa_t *isa, const uint8_t *code, size_t size, uint32_t addr, char *buf, size_t buf_size);

#endif /* MCUSIM_ISA_H */
