/* isa/exc_timing.c — exception latencies per core (exc_timing.h).
 *
 * Entry: Arm Community, J. Yiu, "A Beginner's Guide on Interrupt Latency - and Interrupt Latency of the Arm Cortex-M
 * processors" (2016), table 1: Cortex-M0 16, Cortex-M0+ 15, Cortex-M3 12, Cortex-M4 12, Cortex-M7 12 cycles at zero
 * wait states (the M0+ figure also in TI SWCU193, "worst case interrupt latency ... 15 cycles").
 * Tail-chaining: 6 cycles at zero wait states on the Cortex-M3/M4 (their technical reference manuals' exception
 * handling sections; the same figure in the Yiu article); the M7 is taken as the M4. ARMv6-M parts publish no
 * tail-chain figure: the M0+ is given the M3/M4 figure scaled by its longer entry (15 - 12 + 6 = 9): an estimate,
 * marked so in docs/timing.md. Return: no ARM document gives a single figure; unstacking 8 words over the 32-bit bus
 * plus the pipeline refill is taken as 10 cycles on ARMv7-M and 12 on the M0+ (two-stage pipeline, no overlap of the
 * POP with the fetch): estimates, docs/timing.md. FP frame: 18 more words (S0-S15, FPSCR, reserved) stacked at one word
 * per cycle, without lazy stacking. */
#include "isa/exc_timing.h"

isa_exc_timing_t isa_exc_timing(isa_core_t core) {
  switch (core) {
  case ISA_CORE_M0PLUS:
    return (isa_exc_timing_t){.entry_cycles = 15, .tail_chain_cycles = 9, .return_cycles = 12, .fp_extra_cycles = 0};
  case ISA_CORE_M3:
  case ISA_CORE_M4:
  case ISA_CORE_M7:
  default:
    return (isa_exc_timing_t){.entry_cycles = 12, .tail_chain_cycles = 6, .return_cycles = 10, .fp_extra_cycles = 18};
  }
}
