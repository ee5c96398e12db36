/* isa/exc_timing.h — exception entry, tail-chain and return latencies per core, in core cycles at zero wait states
 * (docs/timing.md "Exceptions" gives the sources). The engine adds them when it takes or leaves an exception; wait
 * states of the vector fetch come from the profile's flash on top. */
#ifndef MCUSIM_ISA_EXC_TIMING_H
#define MCUSIM_ISA_EXC_TIMING_H

#include "isa/isa.h"

typedef struct {
  unsigned entry_cycles;      /* request to the first handler instruction (stacking, vector fetch, refill) */
  unsigned tail_chain_cycles; /* one handler's return straight into the next pending handler, no unstacking */
  unsigned return_cycles;     /* exception return: unstacking and the refill at the return address */
  unsigned fp_extra_cycles;   /* entry and return with the extended (FP) frame: 18 more words moved */
} isa_exc_timing_t;

isa_exc_timing_t isa_exc_timing(isa_core_t core);

#endif /* MCUSIM_ISA_EXC_TIMING_H */
