/* sim/mcusim.h — the simulator library's public surface.
 *
 * One mcusim_t simulates one MCU described by a profile, running one firmware ELF under Unicorn with
 * cycle accounting. The library never prints or exits: output goes through callbacks, errors come back
 * as mcusim_err with a message available from mcusim_last_error().
 *
 * Typical use:
 *   prof_t *p; prof_load("stm32f746", dirs, &p, msg, sizeof msg);
 *   mcusim_t *sim; mcusim_open(p, &sim);
 *   mcusim_load_elf(sim, "fw.elf");
 *   mcusim_run(sim, &limits);            // fills the run result, also when the firmware faults
 *   const mcusim_result_t *r = mcusim_result(sim);
 *   mcusim_close(sim); prof_free(p);
 */
#ifndef MCUSIM_H
#define MCUSIM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "memory/mem.h"
#include "profiles/prof.h"
#include "sim/devices/periph.h"
#include "sim/probes/fp_view.h"

typedef struct mcusim mcusim_t;

typedef enum {
  MCUSIM_OK = 0,
  MCUSIM_E_BAD_ELF,     /* the firmware file is unreadable or not a Cortex-M executable for this profile */
  MCUSIM_E_BAD_PROFILE, /* the profile cannot be used (e.g. its core is unknown to Unicorn) */
  MCUSIM_E_FAULT,       /* the firmware faulted; the result holds what was measured until then */
  MCUSIM_E_LIMIT,       /* the instruction or time limit stopped the run */
  MCUSIM_E_INTERRUPTED, /* mcusim_request_stop() (e.g. SIGINT) stopped the run */
  MCUSIM_E_NOMEM,
  MCUSIM_E_ENGINE,    /* Unicorn or capstone failed in a way the firmware did not cause */
  MCUSIM_E_STATE,     /* call out of order (run before load, ...) */
  MCUSIM_E_SELF_LOOP, /* the firmware halted in a self-loop; the result holds what ran until then */
} mcusim_err;

const char *mcusim_strerror(mcusim_err err);

/* Why a run ended. */
typedef enum {
  MCUSIM_STOP_NONE = 0,
  MCUSIM_STOP_EXIT,        /* semihosting SYS_EXIT / SYS_EXIT_EXTENDED */
  MCUSIM_STOP_FAULT,       /* see mcusim_fault_t.kind */
  MCUSIM_STOP_INSN_LIMIT,  /* --max-insns reached */
  MCUSIM_STOP_TIME_LIMIT,  /* --timeout reached */
  MCUSIM_STOP_INTERRUPTED, /* stop requested from outside */
  MCUSIM_STOP_SELF_LOOP,   /* the core reached a branch to itself with nothing pending (newlib nosys _exit: `b .`) */
} mcusim_stop_t;

typedef enum {
  MCUSIM_FAULT_NONE = 0,
  MCUSIM_FAULT_READ_UNMAPPED,
  MCUSIM_FAULT_WRITE_UNMAPPED,
  MCUSIM_FAULT_FETCH_UNMAPPED,
  MCUSIM_FAULT_WRITE_PROTECTED, /* write to flash */
  MCUSIM_FAULT_FETCH_PROTECTED,
  MCUSIM_FAULT_UNDEFINED_INSN,
  MCUSIM_FAULT_BKPT, /* BKPT other than semihosting 0xAB */
  MCUSIM_FAULT_SVC,  /* no SVCall handler in the vector table (or one that only spins), or SVC not takeable */
  MCUSIM_FAULT_WFI,  /* WFI/WFE with no interrupt source to wake the core */
  MCUSIM_FAULT_UNALIGNED,
  MCUSIM_FAULT_EXCEPTION, /* any other CPU exception Unicorn raised */
} mcusim_fault_kind_t;

/* How a run ended, as one number that scripts rely on: the CLI's exit codes (README "Exit codes") and the status of a
 * search or sweep job are these. Bad input (2) is the caller's to say: a run that started never ends with it. */
typedef enum {
  MCUSIM_END_OK = 0,              /* the firmware exited 0 */
  MCUSIM_END_FIRMWARE_FAILED = 1, /* it exited non-zero */
  MCUSIM_END_BAD_INPUT = 2,       /* profile, firmware or another input refused before the run */
  MCUSIM_END_FAULT = 3,           /* the firmware faulted */
  MCUSIM_END_LIMIT = 4,           /* instruction or time limit */
  MCUSIM_END_INTERRUPTED = 5,     /* mcusim_request_stop() */
  MCUSIM_END_SELF_LOOP = 6,       /* the firmware halted in a self-loop (`b .`) instead of exiting */
  MCUSIM_END_INTERNAL = 70,       /* out of memory, engine failure, misuse */
} mcusim_end_t;

const char *mcusim_stop_name(mcusim_stop_t stop);        /* "exit", "fault", ... */
const char *mcusim_fault_name(mcusim_fault_kind_t kind); /* "read_unmapped", ... */

typedef struct {
  mcusim_fault_kind_t kind;
  uint32_t pc;
  uint32_t address;  /* data address for memory faults, else 0 */
  char symbol[128];  /* "function+0x1a" or "?" */
  char insn[64];     /* disassembly at pc, or "?" */
  char message[256]; /* one line: what happened and where */
  uint32_t regs[17]; /* r0-r12, sp, lr, pc, xpsr */
} mcusim_fault_t;

/* Figures a run produces, declared once (X-macro): name, JSON key, unit. */
#define MCUSIM_TOTALS(X)                                                                                               \
  X(instructions, "instructions", "insns")                                                                             \
  X(cycles, "cycles", "cycles")                                                                                        \
  X(blocks, "blocks", "blocks")                                                                                        \
  X(divides, "divides", "insns")                                                                                       \
  X(taken_branches, "taken_branches", "insns")                                                                         \
  X(sleep_cycles, "sleep_cycles", "cycles") /* of cycles: spent in WFI/WFE waiting for an interrupt */                 \
  X(exceptions, "exceptions", "exceptions") /* exception entries, tail-chains included */

typedef struct {
#define MCUSIM_TOTAL_FIELD(name, key, unit) uint64_t name;
  MCUSIM_TOTALS(MCUSIM_TOTAL_FIELD)
#undef MCUSIM_TOTAL_FIELD
} mcusim_totals_t;

typedef struct {
  mcusim_stop_t stop;
  int exit_code; /* firmware's exit code (valid when stop == MCUSIM_STOP_EXIT) */
  mcusim_fault_t fault;
  mcusim_totals_t totals;
  double latency_us; /* cycles at the profile's clock */
  char *stdout_text; /* captured firmware output (stdout and stderr interleaved), NUL-terminated */
  size_t stdout_len;
  int stdout_truncated;
  uint32_t initial_sp, entry_pc;
  const char *start_source; /* "vector_table" or "elf_entry" */
  double wall_seconds;
  uint32_t faults_delivered;      /* --deliver-faults: faults vectored to the firmware's handlers */
  mcusim_fault_t delivered_fault; /* the first of them, named at its instruction */
} mcusim_result_t;

typedef struct {
  uint64_t max_instructions; /* 0: no limit */
  double timeout_seconds;    /* 0: no limit */
  int accounting;            /* 1: full accounting (default); 0: bare Unicorn, for the speed benchmark */
  int precise_flash;         /* 1: charge wait states of data reads from flash (a memory hook: slower) */
  int no_tracking;           /* 1: ignore the firmware's trace events (for the benchmark's tracking cost) */
  int check_alignment;       /* 1: fault unaligned LDRD/STRD/LDM/STM on ARMv7-M as silicon does (code hooks) */
  int profile_functions; /* 1: per-function and per-line profile, call slices (sim/probes/funcprof.h; costs speed) */
  int deliver_faults;    /* 1: faults vector to the firmware's HardFault/MemManage/BusFault/UsageFault handlers with
                            CFSR/HFSR/MMFAR/BFAR set (default 0: the run stops at the faulting instruction) */
} mcusim_limits_t;

/* Firmware output: called for every chunk the firmware writes (ITM port 0, semihosting). fd 1 or 2. */
typedef void (*mcusim_output_fn)(void *opaque, int fd, const char *data, size_t len);
/* Progress: called about every 0.5 s of host time during a run. */
typedef void (*mcusim_progress_fn)(void *opaque, const mcusim_totals_t *totals, double wall_seconds);

mcusim_err mcusim_open(const prof_t *profile, mcusim_t **out); /* profile is borrowed; must outlive sim */
void mcusim_close(mcusim_t *sim);
const char *mcusim_last_error(const mcusim_t *sim); /* message of the last failing call */

void mcusim_set_output(mcusim_t *sim, mcusim_output_fn fn, void *opaque);
void mcusim_set_progress(mcusim_t *sim, mcusim_progress_fn fn, void *opaque);

/* Before loading: refuse firmware that needs more SRAM than the profile has (default: map overflow SRAM
 * behind the device's, run to completion and report the overflow). */
void mcusim_set_strict_sram(mcusim_t *sim, int strict);
/* Before running: map only the peripheral blocks the profile describes, so any other access to 0x40000000-0x5FFFFFFF
 * faults (default: it reads 0, is ignored and is reported once per 1 KiB; docs/peripherals.md). */
void mcusim_set_strict_peripherals(mcusim_t *sim, int strict);
int mcusim_strict_peripherals(const mcusim_t *sim);
mcusim_err mcusim_load_elf(mcusim_t *sim, const char *path);
/* After loading, before running: layers, allocators and markers from a symbol annotation file (docs/annotate.md);
 * may be called for several files. A bad file gives MCUSIM_E_BAD_ELF with "FILE: field: problem". */
mcusim_err mcusim_annotate(mcusim_t *sim, const char *path);
/* After loading, before running: the run ends as a normal completion (stop "exit", code 0) at the Nth return from
 * FUNCTION ("FUNCTION:N"; FUNCTION as an annotation's "function"). A bad spec gives MCUSIM_E_BAD_ELF. */
mcusim_err mcusim_stop_after(mcusim_t *sim, const char *spec);
/* Annotation warnings (a rule that matched nothing, an optional marker skipped), one line each; NULL past the end. */
const char *mcusim_annotation_warning(const mcusim_t *sim, size_t i);
/* The i-th hash of a hash marker (docs/annotate.md): its name, call (1, 2, ...), range and FNV-1a; -1 past the end. */
int mcusim_annotation_hash(const mcusim_t *sim, size_t i, const char **name, uint64_t *call, uint32_t *address,
                           uint32_t *bytes, uint32_t *fnv1a);
/* After loading, before running: tflm mode (docs/tflm.md), on by default for a TFLM image; enable 0 turns it off.
 * tflite_path: the model, or NULL to find it in the firmware. A model file that cannot be used gives
 * MCUSIM_E_BAD_ELF with "FILE: problem". */
mcusim_err mcusim_set_tflm(mcusim_t *sim, int enable, const char *tflite_path);
/* Whether the loaded firmware runs in tflm mode. */
int mcusim_tflm_mode(const mcusim_t *sim);
mcusim_err mcusim_run(mcusim_t *sim, const mcusim_limits_t *limits);
/* Async-signal-safe: asks a running mcusim_run to stop soon with MCUSIM_STOP_INTERRUPTED. */
void mcusim_request_stop(mcusim_t *sim);

const mcusim_result_t *mcusim_result(const mcusim_t *sim);
/* The end of a run from mcusim_run's error and the result (whose exit code counts when the firmware exited). */
mcusim_end_t mcusim_end_of(mcusim_err err, const mcusim_result_t *result);
/* The end when mcusim_load_elf failed with err: bad input (the file, or a profile whose memory map cannot be mapped:
 * the only way loading fails in the engine), except out of memory (internal). */
mcusim_end_t mcusim_end_of_load(mcusim_err err);
const mem_t *mcusim_memory(const mcusim_t *sim);

/* Firmware facts from the ELF (valid after mcusim_load_elf). */
typedef struct {
  const char *path;
  char sha256[65];
  uint64_t text_bytes, rodata_bytes, data_bytes, bss_bytes, flash_used_bytes;
  uint32_t entry;
} mcusim_firmware_t;
const mcusim_firmware_t *mcusim_firmware(const mcusim_t *sim);
const prof_t *mcusim_profile(const mcusim_t *sim);
/* The limits and modes the run used. */
const mcusim_limits_t *mcusim_limits(const mcusim_t *sim);
/* Flash fetch model figures (all zero when the profile has no wait states). */
void mcusim_fetch_stats(const mcusim_t *sim, uint64_t *line_lookups, uint64_t *line_misses, uint64_t *stall_cycles,
                        uint64_t *data_reads, uint64_t *data_stall_cycles);

/* Function profile of a run with limits.profile_functions (docs/report.md "functions", "lines", "calls"); the
 * types are defined beside the probe that builds them (sim/probes/fp_view.h). */
typedef probe_fp_function_t mcusim_function_t;
typedef probe_fp_line_t mcusim_line_t;
typedef probe_fp_call_t mcusim_call_t;
typedef probe_fp_view_t mcusim_funcprof_t;
/* NULL unless the run profiled functions. */
const mcusim_funcprof_t *mcusim_function_profile(const mcusim_t *sim);
/* Folded stacks of the run (flamegraph.pl, speedscope), cycles as the value. Returns 0, or -1 with errno set. */
int mcusim_write_folded(const mcusim_t *sim, const char *path);

/* The peripheral device after a run: the profile's blocks (desc, NULL when none) with access counts, the stream
 * bytes, the undescribed accesses and their warnings (sim/devices/periph.h); NULL before a run. */
typedef dev_periph_t mcusim_periph_t;
const mcusim_periph_t *mcusim_peripherals(const mcusim_t *sim);

/* "func+0x12" for an address, from the ELF's symbols; "0x..." when none. */
void mcusim_symbolize(const mcusim_t *sim, uint32_t addr, char *buf, size_t size);

#endif /* MCUSIM_H */
