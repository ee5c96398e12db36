/* isa/timing.h — internal interface between the generic decoder (isa.c) and one timing model per core
 * (timing_m0plus.c, timing_m3.c, timing_m4.c, timing_m7.c). Not part of the library's public surface. */
#ifndef MCUSIM_ISA_TIMING_H
#define MCUSIM_ISA_TIMING_H

#include <capstone/capstone.h>

#include "isa.h"

typedef struct {
  isa_core_t core;
  /* Set block->insns[i].cycles for every i < n and block->taken_extra_cycles. On entry insns[i] already
   * holds addr, size, id, flags and mem, and `insns` are capstone's decodes with detail (same order).
   * The costs assume zero-wait-state memories; flash wait states are the simulator's business. */
  void (*cost_block)(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block);
  /* Cycles a divide takes beyond the minimum the static cost already counts. */
  uint32_t (*divide_extra_cycles)(int is_signed, uint32_t dividend, uint32_t divisor);
} isa_timing_t;

extern const isa_timing_t isa_timing_m0plus;
extern const isa_timing_t isa_timing_m3;
extern const isa_timing_t isa_timing_m4;
extern const isa_timing_t isa_timing_m7;

#endif /* MCUSIM_ISA_TIMING_H */
