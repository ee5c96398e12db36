/* sim/funcprof.h — the function profile (issue 10): cycles and instructions per function, exclusive and inclusive,
 * a calling-context tree for folded stacks, call slices for the Perfetto trace, and per-line figures from DWARF.
 *
 * How it works (docs/annotate.md "The function profile"): the block hook hands every block entry to
 * sim_funcprof_block(). What the run charged since the previous block entry (its static cost, the taken-branch
 * extra, divides, fetch stalls) belongs to the previous block: it goes to the current call-tree node and to the
 * block's own counters. A call edge (the previous block ended in a taken BL/BLX) pushes a frame; a return edge
 * (BX LR, POP {pc}) or a change of function pops to the frame whose return address is the new block; a change
 * of function that is no return is a tail call and replaces the top frame's function. Everything else is a
 * compare and four additions per block.
 *
 * Ownership: created by sim_funcprof_create, freed by sim_funcprof_destroy; the ELF is borrowed. Internal to
 * the simulator library; the public read-only view is mcusim_funcprof_t in mcusim.h. */
#ifndef MCUSIM_SIM_FUNCPROF_H
#define MCUSIM_SIM_FUNCPROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_FP_MAX_DEPTH 512        /* deeper call chains are folded into their top frame (and flagged) */
#define SIM_FP_MAX_NODES (1u << 20) /* call-tree nodes; beyond, new contexts join their parent (flagged) */
#define SIM_FP_MAX_SLICES 4096u     /* call slices kept for the trace: the longest ones (threshold doubles) */
#define SIM_FP_TOP_LINES 200u       /* source lines kept in the report, by cycles */

/* Per translated block: its function and how it ends, and what it was charged. Lives in sim_block_t. */
typedef struct {
  int32_t func;                  /* index of the containing symbol in the ELF's table, -1 when none */
  uint8_t edge;                  /* ISA_F_CALL / ISA_F_RETURN of the block's last instruction */
  uint64_t cycles, insns, count; /* charged to this block, and how many times it started */
} sim_fp_block_t;

typedef struct {
  int32_t func;
  uint32_t parent, first_child, next_sibling; /* node indexes; node 0 is the root (no function) */
  uint64_t self_cycles, self_insns, calls;
} sim_fp_node_t;

typedef struct {
  uint32_t node;
  uint32_t ret; /* return address the frame's caller resumes at; odd (never a block address) for frame 0 */
  uint64_t start_cycles, start_insns;
} sim_fp_frame_t;

struct sim_elf;
struct mcusim_funcprof;
typedef struct sim_funcprof {
  const struct sim_elf *elf;
  sim_fp_node_t *nodes;
  size_t node_count, node_cap;
  sim_fp_frame_t frames[SIM_FP_MAX_DEPTH];
  size_t depth;     /* frames in use; frames[depth - 1] is the top */
  int32_t top_func; /* function of the top frame (cached for the hot path) */
  sim_fp_node_t *top_node;
  uint64_t mark_cycles, mark_insns; /* totals at the previous block entry */
  int depth_overflow, node_overflow;
  struct mcusim_call *slices;
  size_t slice_count;
  uint64_t slice_min_cycles;
  struct mcusim_funcprof *view; /* built by sim_funcprof_finish */
} sim_funcprof_t;

sim_funcprof_t *sim_funcprof_create(const struct sim_elf *elf);
void sim_funcprof_destroy(sim_funcprof_t *fp);
/* Fills a block's function and edge once, when the block is analysed. */
void sim_funcprof_init_block(const sim_funcprof_t *fp, sim_fp_block_t *pb, uint32_t addr, uint8_t last_flags);

/* Call, return and function-change handling: the slow path of sim_funcprof_block. */
void sim_funcprof_edge(sim_funcprof_t *fp, const sim_fp_block_t *prev, uint32_t prev_end, uint32_t addr, int32_t func,
                       uint64_t cycles, uint64_t insns);

/* The hot path: block `b` at `addr` starts; `cycles`/`insns` are the totals before it is charged. `prev` is the
 * block that ran before (NULL after an interruption inside a block), `prev_end` its fall-through address. */
static inline void sim_funcprof_block(sim_funcprof_t *fp, sim_fp_block_t *prev, uint32_t prev_end, sim_fp_block_t *b,
                                      uint32_t addr, uint64_t cycles, uint64_t insns) {
  uint64_t dc = cycles - fp->mark_cycles, di = insns - fp->mark_insns;
  fp->top_node->self_cycles += dc;
  fp->top_node->self_insns += di;
  if (prev) {
    prev->cycles += dc;
    prev->insns += di;
  }
  fp->mark_cycles = cycles;
  fp->mark_insns = insns;
  b->count++;
  if (b->func != fp->top_func || (prev && prev->edge && addr != prev_end))
    sim_funcprof_edge(fp, prev, prev_end, addr, b->func, cycles, insns);
}

/* Folded stacks ("main;conv;dot 1234", cycles): flamegraph.pl and speedscope read them. Returns 0 or -1. */
int sim_funcprof_write_folded(const sim_funcprof_t *fp, FILE *out);

#endif /* MCUSIM_SIM_FUNCPROF_H */
