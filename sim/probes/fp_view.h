/* sim/probes/fp_view.h — the read-only view of a function profile that probe_fp_finish builds: the figures
 * per function, per source line and per call slice. Public through sim/mcusim.h, which names them mcusim_function_t,
 * mcusim_line_t, mcusim_call_t and mcusim_funcprof_t (docs/report.md "functions", "lines", "calls"). Plain data:
 * no other include of ours. */
#ifndef MCUSIM_PROBE_FP_VIEW_H
#define MCUSIM_PROBE_FP_VIEW_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *name; /* symbol, or "[unknown]" for code outside any symbol */
  uint32_t address;
  uint64_t calls, instructions, cycles;              /* exclusive: the function's own blocks */
  uint64_t inclusive_instructions, inclusive_cycles; /* with callees; recursion counted once */
} probe_fp_function_t;
typedef struct {
  const char *file, *function;
  uint32_t line;
  uint64_t instructions, cycles;
} probe_fp_line_t;
typedef struct probe_fp_call {
  const char *name;
  uint32_t depth; /* 0: outermost */
  uint64_t start_cycle, cycles, instructions;
} probe_fp_call_t;
typedef struct probe_fp_view {
  probe_fp_function_t *functions; /* by exclusive cycles, descending; only functions that ran */
  size_t function_count;
  probe_fp_line_t *lines; /* the hottest source lines (DWARF), by cycles, descending */
  size_t line_count;
  int has_dwarf;
  probe_fp_call_t *calls; /* calls of at least calls_min_cycles, in the order they ended */
  size_t call_count;
  uint64_t calls_min_cycles;
  int truncated; /* call depth or call-tree size limit reached: inclusive figures are approximate */
} probe_fp_view_t;

#endif /* MCUSIM_PROBE_FP_VIEW_H */
