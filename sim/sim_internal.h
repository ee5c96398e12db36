/* sim/sim_internal.h — the simulator's state, shared by sim.c (engine, accounting) and devices.c (ITM,
 * DWT, semihosting). Not installed; the public surface is mcusim.h. */
#ifndef MCUSIM_SIM_INTERNAL_H
#define MCUSIM_SIM_INTERNAL_H

#include <unicorn/unicorn.h>

#include "isa/isa.h"
#include "mcusim.h"
#include "sim/annotate.h"
#include "sim/elf_file.h"
#include "sim/fetch.h"
#include "sim/funcprof.h"

#define SIM_STDOUT_CAPTURE_BYTES (1u << 20)
#define SIM_TRACE_MAX_ARGS 4

/* A decoded, costed basic block, cached by start address. */
typedef struct sim_block {
  isa_block_t blk;
  uint32_t *cycles_before;     /* cycles_before[k]: static cycles of insns[0..k-1]; insn_count + 1 entries */
  uint32_t unicorn_size;       /* size Unicorn reported, to detect a changed translation */
  int writes_sp;               /* SP is sampled at the start of the block after one that may move it */
  sim_fetch_memo_t fetch_memo; /* the fetch model's note that the block's lines were resident (sim/fetch.h) */
  int8_t fallthrough_adjust;   /* cycles for next[0] running straight after this block (see successor()) */
  struct sim_block *next[2];   /* last successors seen (fall-through, taken): skips the hash lookup */
  sim_fp_block_t prof;         /* function profile: the block's function, edge and figures */
} sim_block_t;

typedef struct {
  sim_block_t **slots;
  size_t cap, count; /* cap a power of two */
} sim_block_cache_t;

struct mcusim {
  const prof_t *profile;
  isa_t *isa;
  uc_engine *uc;
  sim_elf_t *elf;
  mcusim_firmware_t firmware;
  char error[512];
  int loaded, ran, strict_sram;

  /* accounting, hot */
  mcusim_totals_t totals;
  sim_block_t *cur;         /* block executing now (NULL after an interruption inside a block) */
  uint64_t cur_base_cycles; /* totals.cycles when cur started */
  uint64_t cur_base_insns;
  uint64_t cur_extra_cycles; /* dynamic cycles (divides) added inside cur so far */
  uint64_t next_check;       /* instruction count at which limits/progress are checked */
  uint32_t lowest_sp;
  sim_block_cache_t cache;
  sim_fetch_t *fetch;       /* flash wait states; NULL when the profile has none */
  sim_funcprof_t *funcprof; /* function profile; NULL unless asked for */
  sim_annot_t *annot;       /* symbol annotations (mcusim_annotate); NULL when none */

  /* locating the instruction behind an MMIO access inside cur */
  uint32_t mmio_cursor, mmio_index, mmio_left;

  /* run control */
  mcusim_limits_t limits;
  volatile sig_atomic_t stop_requested;
  double start_wall, last_progress_wall;
  mcusim_result_t result;
  int stopping; /* a stop reason is recorded; later hooks do nothing */

  /* devices */
  uint64_t cyccnt_base; /* DWT->CYCCNT = cycles - cyccnt_base while enabled */
  uint32_t cyccnt_frozen, dwt_ctrl;
  uint32_t trace_args[SIM_TRACE_MAX_ARGS];
  unsigned trace_argc;
  uint32_t heap_base;
  int sh_features_handle_pos; /* read position in the ":semihosting-features" pseudo-file */

  mem_t mem;
  mcusim_output_fn output;
  void *output_opaque;
  mcusim_progress_fn progress;
  void *progress_opaque;

  uc_hook hooks[8];
  size_t hook_count;
  uc_hook *code_hooks; /* single-address hooks: divides, and LDRD/LDM/STM with --check-alignment */
  size_t code_hook_count;
  uint32_t fault_address; /* from the unmapped/protection hooks */
  prof_region_t overflow; /* SRAM mapped behind the first region when the firmware needs more; size 0 if none */
};

/* Cycle, instruction count, PC and SP at the instruction that is executing now, found from the address it
 * accessed (MMIO callbacks use it). */
void sim_now(mcusim_t *sim, uint32_t access_addr, mem_when_t *now);
/* Whether [addr, addr+size) is SRAM of the profile (or overflow SRAM the simulator mapped). */
int sim_sram_range(const mcusim_t *sim, uint32_t addr, uint32_t size);
/* Records why the run stops and asks Unicorn to stop. */
void sim_stop(mcusim_t *sim, mcusim_stop_t stop);
/* Records a fault at pc with a formatted message and stops. */
void sim_fault(mcusim_t *sim, mcusim_fault_kind_t kind, uint32_t pc, uint32_t address, const char *what);
/* Charges only the instructions of cur up to and including the one at pc; used when an exception leaves
 * the block early (semihosting BKPT, SVC). */
void sim_truncate_block(mcusim_t *sim, uint32_t pc, int include_pc);
/* Firmware output to capture and forward. */
void sim_emit_output(mcusim_t *sim, int fd, const char *data, size_t len);

/* funcprof.c: charges the last block, closes open calls and builds the profile's view; 0 or -1 (no memory). */
int sim_funcprof_run_end(mcusim_t *sim);

/* devices.c */
int sim_devices_map(mcusim_t *sim);
/* Handles BKPT 0xAB at pc; returns 0 when the call was a semihosting request. */
int sim_semihost(mcusim_t *sim, uint32_t pc);

#endif /* MCUSIM_SIM_INTERNAL_H */
