/* isa/timing_m0plus.c — temporary 1-cycle-per-instruction model; the table-based model follows. */
#include "timing.h"

static void m0plus_cost_block(const isa_config_t *config, const cs_insn *insns, size_t n, isa_block_t *block)
{
  (void)config;
  (void)insns;
  block->taken_extra_cycles = 0;
  for (size_t i = 0; i < n; i++)
    block->insns[i].cycles = 1;
}

static uint32_t m0plus_divide_extra_cycles(int is_signed, uint32_t dividend, uint32_t divisor)
{
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
