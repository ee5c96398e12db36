/* sim/sim_internal.h — the engine's state, shared by the engine's files only: sim.c (the handle), load.c (memory
 * map, ELF loading, start), run.c (run loop, block cache, accounting), fault.c (exceptions and faults), hooks.c
 * (code hooks on chosen instructions), ppb.c (the device table) and probing.c (what probes may ask). Devices
 * (sim/devices/) and probes (sim/probes/) never include it: they see the engine through dev_host_t and
 * probe_host_t. Not installed; the public surface is mcusim.h. */
#ifndef MCUSIM_SIM_INTERNAL_H
#define MCUSIM_SIM_INTERNAL_H

#include <unicorn/unicorn.h>

#include "isa/exc_timing.h"
#include "isa/isa.h"
#include "mcusim.h"
#include "sim/devices/bitband.h"
#include "sim/devices/dwt.h"
#include "sim/devices/itm.h"
#include "sim/devices/periph.h"
#include "sim/devices/scs.h"
#include "sim/devices/semihost.h"
#include "sim/elf/elf_file.h"
#include "sim/exc.h"
#include "sim/fetch.h"
#include "sim/probes/annotate.h"
#include "sim/probes/funcprof.h"
#include "sim/probes/tflm.h"

#define SIM_STDOUT_CAPTURE_BYTES (1u << 20)
/* Firmware output between two limit checks: a semihosting SYS_WRITE of 32 KiB every ten instructions gave
 * gigabytes before the instruction-counted check came (issue 21, F24). */
#define SIM_OUTPUT_CHECK_BYTES (1u << 20)
#define SIM_MMIO_REGIONS 3 /* ITM, DWT, SCS */

/* One window of the peripheral region mapped onto the peripheral device (ppb.c): offsets from `base`. */
typedef struct {
  dev_periph_t *dev;
  uint32_t base;
} sim_periph_window_t;
#define SIM_PERIPH_WINDOWS (PROF_MAX_PERIPH_BLOCKS + 8)
/* A load and the single access after it that the static cost counts as pipelined (isa_insn_t.pipelined), whose
 * memory blocks are only known from registers: checked at block entry (sim/run.c, issue 18 rule 1). */
typedef struct {
  uint8_t k;        /* index of the second access in the block; the load is k - 1 */
  int8_t reg[2];    /* base register of each access, -1 when its address is static */
  uint32_t addr[2]; /* the static address (PC-relative literal) when reg[] is -1 */
} sim_mem_pair_t;
#define SIM_MEM_PAIRS 32 /* at most this many per block are checked (bit mask of mismatches in a uint32_t) */

/* A decoded, costed basic block, cached by start address. */
typedef struct sim_block {
  isa_block_t blk;
  uint32_t *cycles_before;     /* cycles_before[k]: static cycles of insns[0..k-1]; insn_count + 1 entries */
  uint32_t unicorn_size;       /* size Unicorn reported, to detect a changed translation */
  int writes_sp;               /* SP is sampled at the start of the block after one that may move it */
  int self_loop;               /* one unconditional branch to itself (`b .`): the core can never leave it */
  uint8_t ends_in_jump;        /* last instruction an unconditional branch: entering a successor is always a branch */
  uint8_t branch_in_penalty;   /* M3/M4: starts with a 32-bit instruction at a halfword address, +1 when branched to */
  uint8_t mem_pair_count;      /* pairs checked at entry (mem_pairs) */
  uint16_t mem_pair_regs;      /* their base registers (bit n = Rn), read in one batch */
  uint8_t mem_stable;          /* entries in a row that gave the same answer (sim/run.c) */
  uint8_t mem_skip;            /* entries left that reuse it without reading registers */
  uint8_t mem_extra;           /* cycles of that answer (bits set in mem_memo) */
  uint32_t mem_memo;           /* the last answer read: bit j set when pair j straddles two memory blocks */
  sim_mem_pair_t *mem_pairs;   /* NULL when none */
  int first_fp;                /* index of the first FP (CP10/CP11) instruction, -1 when none: NOCP while CPACR
                                  disables the FPU (issue 21 F25) */
  sim_fetch_memo_t fetch_memo; /* the fetch model's note that the block's lines were resident (sim/fetch.h) */
  int8_t fallthrough_adjust;   /* cycles for next[0] running straight after this block (see successor()) */
  struct sim_block *next[2];   /* last successors seen (fall-through, taken): skips the hash lookup */
  probe_fp_block_t prof;       /* function profile: the block's function, edge and figures */
} sim_block_t;

typedef struct {
  sim_block_t **slots;
  size_t cap, count; /* cap a power of two */
} sim_block_cache_t;

/* One device region of the PPB as mapped with uc_mmio_map (the opaque Unicorn hands back). */
typedef struct {
  dev_read_fn read;
  dev_write_fn write;
  void *state;
} sim_mmio_t;

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
  uint32_t cur_pair_mask;    /* cur's mem_pairs that reached different memory blocks (+1 each), set at its entry */
  uint64_t next_check;       /* instruction count at which limits/progress are checked */
  uint64_t next_event;       /* cycle at which the block hook looks at next_check and exc_deadline (run.c) */
  uint64_t exc_deadline;     /* cycle at which the exception model wants to look (exc.c); 0: now */
  int fp_disabled;           /* FPU core with CPACR.CP10 off: a block with an FP instruction raises NOCP */
  int nocp_trapped;          /* looked_up raised NOCP instead of returning the block */
  uint32_t fault_return_pc;  /* when set, the return address of a delivered fault (NOCP found at block entry) */
  uint32_t lowest_sp;
  sim_block_cache_t cache;
  sim_fetch_t *fetch;      /* flash wait states; NULL when the profile has none */
  probe_fp_t *funcprof;    /* function profile; NULL unless asked for */
  probe_annot_t *annot;    /* symbol annotations (mcusim_annotate); NULL when none */
  probe_tflm_t *tflm;      /* tflm mode and the _sbrk heap (probes/tflm.h); created at run */
  int tflm_off;            /* mcusim_set_tflm(sim, 0, ..) */
  const char *tflite_path; /* borrowed; NULL: the model in the ELF */
  probe_host_t probe_host; /* what probes may ask (probing.c) */

  /* locating the instruction behind an MMIO access inside cur */
  uint32_t mmio_cursor, mmio_index, mmio_left;

  /* run control */
  mcusim_limits_t limits;
  volatile sig_atomic_t stop_requested;
  double start_wall, last_progress_wall;
  mcusim_result_t result;
  int stopping;                /* a stop reason is recorded; later hooks do nothing */
  uint64_t output_since_check; /* firmware output bytes since the last limit check */

  /* devices (ppb.c) */
  dev_host_t dev_host;
  dev_itm_t itm;
  dev_dwt_t dwt;
  dev_semihost_t semihost;
  dev_bitband_t bitband;
  dev_scs_t scs;               /* SysTick, NVIC, SCB (exception state) */
  isa_exc_timing_t exc_timing; /* entry, tail-chain and return cycles of the core */
  sim_mmio_t bitband_mmio;     /* mapped at run start on the M3/M4 when nothing else is there */
  sim_mmio_t mmio[SIM_MMIO_REGIONS];
  dev_periph_t periph; /* vendor peripherals of the profile, and accesses nobody described (docs/peripherals.md) */
  sim_periph_window_t periph_windows[SIM_PERIPH_WINDOWS];
  unsigned periph_window_count;
  int strict_periph; /* --strict-peripherals: only described blocks are mapped */
  uint32_t heap_base;

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

/* r0..r15 by number (13 SP, 14 LR, 15 PC); 16 is xPSR. */
static inline uint32_t sim_reg(mcusim_t *sim, int n) {
  static const int ids[17] = {UC_ARM_REG_R0,  UC_ARM_REG_R1,  UC_ARM_REG_R2,  UC_ARM_REG_R3, UC_ARM_REG_R4,
                              UC_ARM_REG_R5,  UC_ARM_REG_R6,  UC_ARM_REG_R7,  UC_ARM_REG_R8, UC_ARM_REG_R9,
                              UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,
                              UC_ARM_REG_PC,  UC_ARM_REG_XPSR};
  uint32_t v = 0;
  if (n >= 0 && n <= 16) uc_reg_read(sim->uc, ids[n], &v);
  return v;
}

/* Index of the instruction at pc in b, or -1. */
static inline int sim_block_index(const sim_block_t *b, uint32_t pc) {
  for (uint32_t k = 0; k < b->blk.insn_count; k++)
    if (b->blk.insns[k].addr == pc) return (int)k;
  return -1;
}

/* sim.c: formats the one-line message mcusim_last_error returns; returns err. */
mcusim_err sim_set_error(mcusim_t *sim, mcusim_err err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* load.c: whether [addr, addr+size) is SRAM of the profile (or overflow SRAM the simulator mapped). */
int sim_sram_range(const mcusim_t *sim, uint32_t addr, uint32_t size);
uint16_t sim_read_halfword(mcusim_t *sim, uint32_t addr);

/* run.c */
void sim_cache_release(sim_block_cache_t *cache);
/* Drops the successor links into blocks with FP instructions (CPACR just disabled the FPU: NOCP is checked on
 * lookups). */
void sim_cache_unlink_fp(mcusim_t *sim);
/* Cycle, instruction count, PC and SP at the instruction that is executing now, found from the address it
 * accessed (MMIO callbacks use it). */
void sim_now(mcusim_t *sim, uint32_t access_addr, mem_when_t *now);
/* The same for the instruction at pc of the current block (code hooks, probes). */
void sim_now_at_pc(mcusim_t *sim, uint32_t pc, mem_when_t *now);
/* Index in cur of the memory instruction that accessed addr (cur must be set). */
uint32_t sim_locate_access(mcusim_t *sim, uint32_t addr);
/* Lowest address and byte span a memory instruction accesses, from register values before it executes. */
uint32_t sim_effective_range(const isa_insn_t *in, const uint32_t regs[16], uint32_t *span);
/* Sets next_event from next_check and exc_deadline (after either changed). */
void sim_plan_events(mcusim_t *sim);
/* Records why the run stops and asks Unicorn to stop. */
void sim_stop(mcusim_t *sim, mcusim_stop_t stop);
/* Charges only the instructions of cur up to and including the one at pc; used when an exception leaves
 * the block early (semihosting BKPT, SVC). */
void sim_truncate_block(mcusim_t *sim, uint32_t pc, int include_pc);
/* Firmware output to capture and forward. */
void sim_emit_output(mcusim_t *sim, int fd, const char *data, size_t len);

/* fault.c */
/* Records a fault at pc with a formatted message and stops. */
void sim_fault(mcusim_t *sim, mcusim_fault_kind_t kind, uint32_t pc, uint32_t address, const char *what);
/* The UC_HOOK_INTR and UC_HOOK_MEM_UNMAPPED|PROT callbacks. */
void sim_on_interrupt(uc_engine *uc, uint32_t intno, void *opaque);
bool sim_on_bad_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *opaque);
/* After uc_emu_start: Unicorn's error as a fault of the firmware, or why the core halted (WFI). */
void sim_fault_from_engine(mcusim_t *sim, uc_err err);
void sim_halted(mcusim_t *sim);

/* hooks.c: code hooks on divides (their data-dependent cycles), and on multi-word accesses (alignment). */
mcusim_err sim_hook_divides(mcusim_t *sim);
mcusim_err sim_hook_multiword(mcusim_t *sim);

/* ppb.c: the device host; maps the private peripheral bus (the device table, plain memory after it); starts the
 * devices before the run. */
void sim_devices_init(mcusim_t *sim);
int sim_ppb_map(mcusim_t *sim);
void sim_devices_start(mcusim_t *sim);
void sim_devices_free(mcusim_t *sim);
/* Handles BKPT 0xAB: the semihosting call in R0/R1, its result into R0. */
void sim_semihost(mcusim_t *sim);

/* probing.c: the probe host; creates and installs the enabled probes before the run, finishes them after. */
void sim_probes_init(mcusim_t *sim);
mcusim_err sim_probes_install(mcusim_t *sim);
int sim_probes_finish(mcusim_t *sim);
void sim_probes_free(mcusim_t *sim);
/* tflm mode (a TFLM image, unless turned off) and the heap probe: installed before the run; their figures go to the
 * memory module before it finishes. */
mcusim_err sim_probes_install_tflm(mcusim_t *sim);
void sim_probes_before_memory(mcusim_t *sim);

#endif /* MCUSIM_SIM_INTERNAL_H */
