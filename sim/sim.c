/* sim/sim.c — the simulator handle: open and close, settings, the results it hands out, error and stop names.
 * The engine's work is in load.c (memory map, ELF, start), run.c (run loop, blocks, accounting), fault.c
 * (exceptions, faults), hooks.c (code hooks), ppb.c (devices) and probing.c (probes). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "sim/sim_internal.h"

static const char *const err_names[] = {
    [MCUSIM_OK] = "ok",
    [MCUSIM_E_BAD_ELF] = "bad firmware file",
    [MCUSIM_E_BAD_PROFILE] = "bad profile",
    [MCUSIM_E_FAULT] = "firmware fault",
    [MCUSIM_E_LIMIT] = "limit reached",
    [MCUSIM_E_INTERRUPTED] = "interrupted",
    [MCUSIM_E_NOMEM] = "out of memory",
    [MCUSIM_E_ENGINE] = "emulator failure",
    [MCUSIM_E_STATE] = "call out of order",
    [MCUSIM_E_SELF_LOOP] = "firmware halted in a self-loop",
};

const char *mcusim_strerror(mcusim_err err) {
  return (unsigned)err < sizeof err_names / sizeof *err_names ? err_names[err] : "unknown error";
}

const char *mcusim_stop_name(mcusim_stop_t stop) {
  static const char *const names[] = {"none",       "exit",        "fault",    "instruction_limit",
                                      "time_limit", "interrupted", "self_loop"};
  return (unsigned)stop < sizeof names / sizeof *names ? names[stop] : "unknown";
}

mcusim_end_t mcusim_end_of(mcusim_err err, const mcusim_result_t *result) {
  switch (err) {
  case MCUSIM_OK:
    return result->exit_code == 0 ? MCUSIM_END_OK : MCUSIM_END_FIRMWARE_FAILED;
  case MCUSIM_E_FAULT:
    return MCUSIM_END_FAULT;
  case MCUSIM_E_LIMIT:
    return MCUSIM_END_LIMIT;
  case MCUSIM_E_INTERRUPTED:
    return MCUSIM_END_INTERRUPTED;
  case MCUSIM_E_SELF_LOOP:
    return MCUSIM_END_SELF_LOOP;
  default:
    return MCUSIM_END_INTERNAL;
  }
}

mcusim_end_t mcusim_end_of_load(mcusim_err err) {
  return err == MCUSIM_E_NOMEM ? MCUSIM_END_INTERNAL : MCUSIM_END_BAD_INPUT;
}

const char *mcusim_fault_name(mcusim_fault_kind_t kind) {
  static const char *const names[] = {"none",
                                      "read_unmapped",
                                      "write_unmapped",
                                      "fetch_unmapped",
                                      "write_protected",
                                      "fetch_protected",
                                      "undefined_instruction",
                                      "bkpt",
                                      "svc",
                                      "wfi",
                                      "unaligned",
                                      "exception"};
  return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "unknown";
}

mcusim_err sim_set_error(mcusim_t *sim, mcusim_err err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cm_vmsgf(sim->error, sizeof sim->error, fmt, ap);
  va_end(ap);
  return err;
}

const char *mcusim_last_error(const mcusim_t *sim) { return sim->error; }

/* ---- open / close, settings ---- */

mcusim_err mcusim_open(const prof_t *profile, mcusim_t **out) {
  *out = NULL;
  mcusim_t *sim = calloc(1, sizeof *sim);
  if (!sim) return MCUSIM_E_NOMEM;
  sim->profile = profile;
  mem_init(&sim->mem, prof_sram_bytes(profile));
  int core = isa_core_from_name(profile->core);
  static const int uc_models[] = {[ISA_CORE_M0PLUS] = UC_CPU_ARM_CORTEX_M0,
                                  [ISA_CORE_M3] = UC_CPU_ARM_CORTEX_M3,
                                  [ISA_CORE_M4] = UC_CPU_ARM_CORTEX_M4,
                                  [ISA_CORE_M7] = UC_CPU_ARM_CORTEX_M7};
  mcusim_err err = MCUSIM_E_BAD_PROFILE;
  if (core < 0) {
    sim_set_error(sim, err, "%s: unknown core '%s'", profile->path, profile->core);
    goto fail;
  }
  isa_config_t config = {.core = (isa_core_t)core, .mul_cycles = profile->mul_cycles};
  if (isa_open(&config, &sim->isa) != ISA_OK) {
    err = sim_set_error(sim, MCUSIM_E_ENGINE, "capstone could not be opened");
    goto fail;
  }
  /* THUMB without MCLASS, then the model: a true M-profile core (DESIGN.md, engine facts). */
  if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &sim->uc) != UC_ERR_OK ||
      uc_ctl_set_cpu_model(sim->uc, uc_models[core]) != UC_ERR_OK) {
    err = sim_set_error(sim, MCUSIM_E_ENGINE, "Unicorn could not create a Cortex-%s core", profile->core);
    goto fail;
  }
  sim_devices_init(sim);
  sim_probes_init(sim);
  int fetch_err = 0;
  sim->fetch = sim_fetch_create(profile, &fetch_err);
  if (fetch_err) {
    err = MCUSIM_E_NOMEM;
    goto fail;
  }
  *out = sim;
  return MCUSIM_OK;
fail:
  mcusim_close(sim);
  return err;
}

void mcusim_close(mcusim_t *sim) {
  if (!sim) return;
  if (sim->uc) uc_close(sim->uc);
  isa_close(sim->isa);
  sim_fetch_destroy(sim->fetch);
  sim_probes_free(sim);
  sim_devices_free(sim);
  sim_elf_free(sim->elf);
  sim_cache_release(&sim->cache);
  mem_release(&sim->mem);
  free(sim->result.stdout_text);
  free(sim->code_hooks);
  free(sim);
}

void mcusim_set_output(mcusim_t *sim, mcusim_output_fn fn, void *opaque) {
  sim->output = fn;
  sim->output_opaque = opaque;
}

void mcusim_set_strict_sram(mcusim_t *sim, int strict) { sim->strict_sram = strict; }
void mcusim_set_strict_peripherals(mcusim_t *sim, int strict) { sim->strict_periph = strict; }
const mcusim_periph_t *mcusim_peripherals(const mcusim_t *sim) { return sim->ran ? &sim->periph : NULL; }
int mcusim_strict_peripherals(const mcusim_t *sim) { return sim->strict_periph; }

void mcusim_set_progress(mcusim_t *sim, mcusim_progress_fn fn, void *opaque) {
  sim->progress = fn;
  sim->progress_opaque = opaque;
}

const mcusim_result_t *mcusim_result(const mcusim_t *sim) { return &sim->result; }
const mem_t *mcusim_memory(const mcusim_t *sim) { return &sim->mem; }
const mcusim_firmware_t *mcusim_firmware(const mcusim_t *sim) { return &sim->firmware; }
const prof_t *mcusim_profile(const mcusim_t *sim) { return sim->profile; }
const mcusim_limits_t *mcusim_limits(const mcusim_t *sim) { return &sim->limits; }

void mcusim_fetch_stats(const mcusim_t *sim, uint64_t *line_lookups, uint64_t *line_misses, uint64_t *stall_cycles,
                        uint64_t *data_reads, uint64_t *data_stall_cycles) {
  sim_fetch_stats_t st;
  sim_fetch_stats(sim->fetch, &st);
  *line_lookups = st.line_lookups;
  *line_misses = st.line_misses;
  *stall_cycles = st.stall_cycles;
  *data_reads = st.data_reads;
  *data_stall_cycles = st.data_stall_cycles;
}

void mcusim_symbolize(const mcusim_t *sim, uint32_t addr, char *buf, size_t size) {
  const sim_elf_symbol_t *s = sim->elf ? sim_elf_symbol_at(sim->elf, addr & ~1u) : NULL;
  sim_elf_describe(s, s ? addr & ~1u : addr, buf, size); /* a long C++ name keeps its offset (issue 17) */
}
