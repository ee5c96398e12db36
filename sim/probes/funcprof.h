/* sim/probes/funcprof.h — the function profile (issue 10): cycles and instructions per function, exclusive and
 * inclusive, a calling-context tree for folded stacks, call slices for the Perfetto trace, and per-line figures from
 * DWARF.
 *
 * How it works (docs/annotate.md "The function profile"): the block hook hands every block entry to
 * probe_fp_block(). What the run charged since the previous block entry (its static cost, the taken-branch
 * extra, divides, fetch stalls) belongs to the previous block: it goes to the current call-tree node and to the
 * block's own counters. A call edge (the previous block ended in a taken BL/BLX) pushes a frame; a return edge
 * (BX LR, POP {pc}) or a change of function pops to the frame whose return address is the new block; a change
 * of function that is no return is a tail call and replaces the top frame's function. Everything else is a
 * compare and four additions per block.
 *
 * Ownership: created by probe_fp_create, freed by probe_fp_destroy; the ELF and the host are borrowed. Internal to
 * the simulator library; the public read-only view is probe_fp_view_t (sim/probes/fp_view.h; mcusim_funcprof_t in
 * mcusim.h). */
#ifndef MCUSIM_PROBE_FUNCPROF_H
#define MCUSIM_PROBE_FUNCPROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/probes/fp_view.h"
#include "sim/probes/probe.h"

#define PROBE_FP_MAX_DEPTH 512        /* deeper call chains are folded into their top frame (and flagged) */
#define PROBE_FP_MAX_NODES (1u << 20) /* call-tree nodes; beyond, new contexts join their parent (flagged) */
#define PROBE_FP_MAX_SLICES 4096u     /* call slices kept for the trace: the longest ones (threshold doubles) */
#define PROBE_FP_TOP_LINES 200u       /* source lines kept in the report, by cycles */

/* Per translated block: its function and how it ends, and what it was charged. Lives in sim_block_t. */
typedef struct probe_fp_block {
  int32_t func;                  /* index of the containing symbol in the ELF's table, -1 when none */
  uint8_t edge;                  /* ISA_F_CALL / ISA_F_RETURN of the block's last instruction */
  uint64_t cycles, insns, count; /* charged to this block, and how many times it started */
} probe_fp_block_t;

typedef struct {
  int32_t func;
  uint32_t parent, first_child, next_sibling; /* node indexes; node 0 is the root (no function) */
  uint64_t self_cycles, self_insns, calls;
} probe_fp_node_t;

typedef struct {
  uint32_t node;
  uint32_t ret; /* return address the frame's caller resumes at; odd (never a block address) for frame 0 */
  uint64_t start_cycles, start_insns;
} probe_fp_frame_t;

typedef struct probe_fp {
  const sim_elf_t *elf;
  const probe_host_t *host;
  probe_fp_node_t *nodes;
  size_t node_count, node_cap;
  probe_fp_frame_t frames[PROBE_FP_MAX_DEPTH];
  size_t depth;     /* frames in use; frames[depth - 1] is the top */
  int32_t top_func; /* function of the top frame (cached for the hot path) */
  probe_fp_node_t *top_node;
  uint64_t mark_cycles, mark_insns; /* totals at the previous block entry */
  int depth_overflow, node_overflow;
  probe_fp_call_t *slices;
  size_t slice_count;
  uint64_t slice_min_cycles;
  probe_fp_view_t *view; /* built by probe_fp_finish */
} probe_fp_t;

probe_fp_t *probe_fp_create(const sim_elf_t *elf, const probe_host_t *host);
void probe_fp_destroy(probe_fp_t *fp);
/* Fills a block's function and edge once, when the block is analysed. */
void probe_fp_init_block(const probe_fp_t *fp, probe_fp_block_t *pb, uint32_t addr, uint8_t last_flags);

/* Call, return and function-change handling: the slow path of probe_fp_block. */
void probe_fp_edge(probe_fp_t *fp, const probe_fp_block_t *prev, uint32_t prev_end, uint32_t addr, int32_t func,
                   uint64_t cycles, uint64_t insns);

/* Charges what the run counted since the previous block entry (totals now: cycles/insns) to the current call-tree
 * node and to `prev`, the block that ran (NULL after an interruption inside a block). */
static inline void probe_fp_charge(probe_fp_t *fp, probe_fp_block_t *prev, uint64_t cycles, uint64_t insns) {
  uint64_t dc = cycles - fp->mark_cycles, di = insns - fp->mark_insns;
  fp->top_node->self_cycles += dc;
  fp->top_node->self_insns += di;
  if (prev) {
    prev->cycles += dc;
    prev->insns += di;
  }
  fp->mark_cycles = cycles;
  fp->mark_insns = insns;
}

/* The hot path: block `b` at `addr` starts; `cycles`/`insns` are the totals before it is charged. `prev` is the
 * block that ran before (NULL after an interruption inside a block), `prev_end` its fall-through address. */
static inline void probe_fp_block(probe_fp_t *fp, probe_fp_block_t *prev, uint32_t prev_end, probe_fp_block_t *b,
                                  uint32_t addr, uint64_t cycles, uint64_t insns) {
  probe_fp_charge(fp, prev, cycles, insns);
  b->count++;
  if (b->func != fp->top_func || (prev && prev->edge && addr != prev_end))
    probe_fp_edge(fp, prev, prev_end, addr, b->func, cycles, insns);
}

/* At the end of the run: charges what ran since the last block entry (to `cur`, the block executing then, when not
 * NULL), closes open calls and builds the view (per-line figures from the DWARF of elf_path, walking the host's
 * blocks). `cycles`/`insns` are the run's totals. 0, or -1 when out of memory. */
int probe_fp_finish(probe_fp_t *fp, probe_fp_block_t *cur, uint64_t cycles, uint64_t insns, const char *elf_path);
/* The profile built by probe_fp_finish (NULL before); owned by fp. */
const probe_fp_view_t *probe_fp_view(const probe_fp_t *fp);

/* Folded stacks ("main;conv;dot 1234", cycles): flamegraph.pl and speedscope read them. Returns 0 or -1. */
int probe_fp_write_folded(const probe_fp_t *fp, FILE *out);

#endif /* MCUSIM_PROBE_FUNCPROF_H */
