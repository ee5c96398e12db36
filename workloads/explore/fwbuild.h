/* workloads/explore/fwbuild.h — build one firmware for (model JSON, schedule, profile) without CMake and simulate
 * it through the libraries, as `search` and `sweep` need hundreds of them: the generator (`mcusim-gen --model M
 * --schedule S --out DIR/fw`), then arm-none-eabi-gcc with the flags and linker script of cmake/firmware.cmake
 * (Release: -O3 -DNDEBUG ... -O2 -g -ffunction-sections -fdata-sections; workloads/support/cortex-m.ld with a MEMORY
 * block from the profile). The core flags and the MEMORY block come from the files CMake reads too
 * (workloads/support/cores.txt, memory.ld.in; fwsupport.c). The runtime, main.c and startup.c do not depend on the
 * model: they are compiled once per core into WORK/rt-<core>/ (xp_fw_prepare_cores) and linked into every firmware of
 * that core.
 *
 * A firmware that needs more SRAM than the part has is linked with a larger SRAM (the simulator maps overflow SRAM
 * behind the device's and reports the overflow); one whose weights exceed the part's flash is linked and run
 * with a copy of the profile whose flash is enlarged (DIR/profile.json, name "<part>+flash"), and says so. */
#ifndef MCUSIM_FWBUILD_H
#define MCUSIM_FWBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "profiles/prof.h"
#include "sim/mcusim.h"

#define XP_FW_PATH_MAX 1024
#define XP_FW_MAX_CORES 16
#define XP_FW_MAX_CORE_FLAGS 8
#define XP_FW_MEMORY_TEMPLATE_MAX 2048

/* One line of workloads/support/cores.txt: a core as the profiles name it and its compiler flags. */
typedef struct {
  char name[16];
  char flags[XP_FW_MAX_CORE_FLAGS][48];
  int n_flags;
} xp_fw_core_t;

typedef struct {
  char gen[XP_FW_PATH_MAX];        /* mcusim-gen ($MCUSIM_GEN, else the build's) */
  char cc[XP_FW_PATH_MAX];         /* arm-none-eabi-gcc ($MCUSIM_CC, else from PATH) */
  char root[XP_FW_PATH_MAX];       /* the source tree ($MCUSIM_ROOT, else the build's): runtime, support, models */
  char work[XP_FW_PATH_MAX];       /* folder for the per-core runtime objects */
  const char *const *profile_dirs; /* where a profile named by name is looked up (prof_load); borrowed */
  /* what cmake/firmware.cmake reads too: ROOT/workloads/support/cores.txt and memory.ld.in */
  xp_fw_core_t cores[XP_FW_MAX_CORES];
  size_t n_cores;
  char memory_template[XP_FW_MEMORY_TEMPLATE_MAX];
} xp_fw_tools_t;

/* Defaults from the environment and the build; `work` is copied, `profile_dirs` borrowed; reads the core flags and
 * the MEMORY template from the source tree. 0, or -1 with a message. */
int xp_fw_tools_init(xp_fw_tools_t *t, const char *work, const char *const *profile_dirs, char *err, size_t err_len);

/* Parses the text of cores.txt ("NAME FLAG..." per line, '#' comment lines, blank lines) into `cores` (capacity
 * `cap`); returns the count, or -1 with a message. */
int xp_fw_cores_parse(const char *text, xp_fw_core_t *cores, size_t cap, char *err, size_t err_len);
/* The core named `name`, or NULL. */
const xp_fw_core_t *xp_fw_core(const xp_fw_tools_t *t, const char *name);

/* Writes the linker MEMORY block for the profile with these flash and SRAM sizes (the bases are the profile's):
 * memory.ld.in filled as cmake/firmware.cmake fills it, so a firmware linked with the part's sizes gets the same
 * file. 0, or -1 (errno set, or EINVAL for a template naming an unknown @VARIABLE@). */
int xp_fw_write_memory_ld(const xp_fw_tools_t *t, const prof_t *p, uint64_t flash_bytes, uint64_t sram_bytes,
                          const char *path);

/* Compiles the model-independent objects for each core (distinct names) into WORK/rt-<core>/ unless present,
 * `parallel` compilers at a time. Call it before fanning out the jobs. 0 or -1 with a message. */
int xp_fw_prepare_cores(const xp_fw_tools_t *t, const char *const *cores, size_t n_cores, int parallel, char *err,
                        size_t err_len);

typedef struct {
  char elf[XP_FW_PATH_MAX];
  char run_profile[XP_FW_PATH_MAX]; /* the profile to run with: the given one, or DIR/profile.json */
  uint64_t flash_needed_bytes;      /* the model blob + ~64 KiB of code */
  uint64_t flash_over_bytes;        /* flash_needed - the part's flash when over, else 0 */
  uint32_t arena_bytes;             /* the arena the generator sized for this schedule */
} xp_fw_built_t;

/* Generates and links DIR/fw.elf (logs in DIR/build.log). `profile_arg` is what the user named (name or path).
 * 0, or -1 with a message. */
int xp_fw_build(const xp_fw_tools_t *t, const char *model_path, const char *spec, const prof_t *profile,
                const char *profile_arg, const char *dir, xp_fw_built_t *out, char *err, size_t err_len);

/* How a job ended: its child's exit code. A run's end is the engine's mcusim_end_t (the values of `mcusim run`'s exit
 * codes, README "Exit codes"), so a job means what the same run from the command line would; a job also ends in a
 * failed build. */
enum {
  XP_FW_OK = MCUSIM_END_OK,                           /* the firmware exited 0 (its output equals the native run) */
  XP_FW_FIRMWARE_FAILED = MCUSIM_END_FIRMWARE_FAILED, /* it exited non-zero */
  XP_FW_BAD_INPUT = MCUSIM_END_BAD_INPUT,             /* profile or ELF refused */
  XP_FW_FAULT = MCUSIM_END_FAULT,
  XP_FW_LIMIT = MCUSIM_END_LIMIT,
  XP_FW_INTERRUPTED = MCUSIM_END_INTERRUPTED,
  XP_FW_SELF_LOOP = MCUSIM_END_SELF_LOOP,
  XP_FW_INTERNAL = MCUSIM_END_INTERNAL,
  XP_FW_BUILD_FAILED = 100,
};

/* Simulates ELF on the profile (name, found in t->profile_dirs, or path) with the defaults of `mcusim run`, writes
 * the JSON report to REPORT and appends to LOG what `mcusim run --quiet --profile P --report REPORT ELF` prints
 * (an error line, the text summary, "  report        REPORT"). Returns an XP_FW_* status. */
int xp_fw_run(const xp_fw_tools_t *t, const char *profile, const char *elf, const char *report, const char *log);

/* A whole job (in a forked child): xp_fw_build into DIR, then xp_fw_run with DIR/report.json and DIR/run.log; writes
 * DIR/job.json (model, schedule, profile, run_profile, flash_needed_bytes, flash_over_bytes, arena_bytes, error).
 * Returns the run's XP_FW_* status, or XP_FW_BUILD_FAILED. */
int xp_fw_job(const xp_fw_tools_t *t, const char *model_path, const char *spec, const prof_t *profile,
              const char *profile_arg, const char *dir);
/* "ok", "firmware_failed" (exit 1), "bad_input", "fault", "limit", "interrupted", "build_failed", "error" */
const char *xp_fw_status(int code);

/* mkdir -p */
int xp_fw_mkdirs(const char *path);

#endif /* MCUSIM_FWBUILD_H */
