/* sim/probing.c — what the engine offers its probes (sim/probes/probe.h) and the public calls that reach them:
 * mcusim_annotate, mcusim_function_profile, mcusim_write_folded. Probes are created only when asked for, so a
 * run without them pays nothing. */
#include <errno.h>
#include <stdio.h>

#include "sim/sim_internal.h"

/* ---- the host probes see ---- */

static void host_now_at_pc(void *opaque, uint32_t pc, mem_when_t *when) { sim_now_at_pc(opaque, pc, when); }
static uint32_t host_reg(void *opaque, int n) { return sim_reg(opaque, n); }
static int host_stopping(void *opaque) { return ((const mcusim_t *)opaque)->stopping; }

static int host_hook_code(void *opaque, uint32_t addr, probe_code_fn fn, void *fn_opaque, int retranslate) {
  mcusim_t *sim = opaque;
  uc_hook h;
  if (uc_hook_add(sim->uc, &h, UC_HOOK_CODE, (void *)fn, fn_opaque, addr, addr) != UC_ERR_OK) return -1;
  if (retranslate) uc_ctl_remove_cache(sim->uc, addr, addr + 2);
  return 0;
}

static const sim_elf_symbol_t *host_symbol_at(void *opaque, uint32_t addr) {
  return sim_elf_symbol_at(((const mcusim_t *)opaque)->elf, addr);
}

static int host_lookup(void *opaque, const char *name, uint32_t *addr) {
  return sim_elf_lookup(((const mcusim_t *)opaque)->elf, name, addr);
}

static void host_each_block(void *opaque, probe_block_fn visit, void *ctx) {
  const sim_block_cache_t *c = &((const mcusim_t *)opaque)->cache;
  for (size_t i = 0; i < c->cap; i++)
    if (c->slots[i]) visit(ctx, &c->slots[i]->blk, &c->slots[i]->prof);
}

static int host_read_mem(void *opaque, uint32_t addr, void *buf, uint32_t n) {
  return uc_mem_read(((mcusim_t *)opaque)->uc, addr, buf, n) == UC_ERR_OK ? 0 : -1;
}

static void host_finish(void *opaque) {
  mcusim_t *sim = opaque;
  if (sim->stopping) return;
  sim->result.exit_code = 0;
  sim_stop(sim, MCUSIM_STOP_EXIT);
}

void sim_probes_init(mcusim_t *sim) {
  sim->probe_host = (probe_host_t){.opaque = sim,
                                   .now_at_pc = host_now_at_pc,
                                   .reg = host_reg,
                                   .stopping = host_stopping,
                                   .hook_code = host_hook_code,
                                   .symbol_at = host_symbol_at,
                                   .lookup = host_lookup,
                                   .each_block = host_each_block,
                                   .read_mem = host_read_mem,
                                   .finish = host_finish};
}

int sim_probes_finish(mcusim_t *sim) {
  if (!sim->funcprof) return 0;
  return probe_fp_finish(sim->funcprof, sim->cur ? &sim->cur->prof : NULL, sim->totals.cycles, sim->totals.instructions,
                         sim->firmware.path);
}

void sim_probes_free(mcusim_t *sim) {
  probe_fp_destroy(sim->funcprof);
  probe_annot_free(sim->annot);
  probe_tflm_free(sim->tflm);
}

static mcusim_err create_tflm(mcusim_t *sim) {
  int tflm = !sim->tflm_off && probe_tflm_is_image(sim->elf);
  probe_tflm_free(sim->tflm);
  if (!(sim->tflm = probe_tflm_create(&sim->probe_host, sim->elf, tflm, tflm ? sim->tflite_path : NULL, sim->error,
                                      sizeof sim->error)))
    return MCUSIM_E_BAD_ELF;
  return MCUSIM_OK;
}

mcusim_err sim_probes_install_tflm(mcusim_t *sim) {
  if (!sim->tflm && create_tflm(sim)) return MCUSIM_E_BAD_ELF;
  return probe_tflm_install(sim->tflm, &sim->mem) ? MCUSIM_E_ENGINE : MCUSIM_OK;
}

void sim_probes_before_memory(mcusim_t *sim) { probe_tflm_finish(sim->tflm); }

mcusim_err mcusim_set_tflm(mcusim_t *sim, int enable, const char *tflite_path) {
  if (!sim->loaded || sim->ran) return MCUSIM_E_STATE;
  sim->tflm_off = !enable;
  sim->tflite_path = tflite_path;
  return create_tflm(sim);
}

int mcusim_tflm_mode(const mcusim_t *sim) { return !sim->tflm_off && sim->elf && probe_tflm_is_image(sim->elf); }

/* ---- public calls ---- */

mcusim_err mcusim_annotate(mcusim_t *sim, const char *path) {
  if (!sim->loaded || sim->ran) return MCUSIM_E_STATE;
  if (!sim->annot && !(sim->annot = probe_annot_create(&sim->probe_host))) return MCUSIM_E_NOMEM;
  return probe_annot_load(sim->annot, path, sim->elf, sim->error, sizeof sim->error) ? MCUSIM_E_BAD_ELF : MCUSIM_OK;
}

mcusim_err mcusim_stop_after(mcusim_t *sim, const char *spec) {
  if (!sim->loaded || sim->ran) return MCUSIM_E_STATE;
  if (!sim->annot && !(sim->annot = probe_annot_create(&sim->probe_host))) return MCUSIM_E_NOMEM;
  return probe_annot_stop_after(sim->annot, spec, sim->elf, sim->error, sizeof sim->error) ? MCUSIM_E_BAD_ELF
                                                                                           : MCUSIM_OK;
}

const char *mcusim_annotation_warning(const mcusim_t *sim, size_t i) { return probe_annot_warning(sim->annot, i); }

int mcusim_annotation_hash(const mcusim_t *sim, size_t i, const char **name, uint64_t *call, uint32_t *address,
                           uint32_t *bytes, uint32_t *fnv1a) {
  size_t n;
  const probe_annot_hash_t *h = probe_annot_hashes(sim->annot, &n);
  if (i >= n) return -1;
  *name = h[i].name;
  *call = h[i].call;
  *address = h[i].address;
  *bytes = h[i].bytes;
  *fnv1a = h[i].fnv1a;
  return 0;
}

const mcusim_funcprof_t *mcusim_function_profile(const mcusim_t *sim) {
  return sim->funcprof ? probe_fp_view(sim->funcprof) : NULL;
}

int mcusim_write_folded(const mcusim_t *sim, const char *path) {
  if (!sim->funcprof) {
    errno = EINVAL;
    return -1;
  }
  FILE *out = fopen(path, "w");
  if (!out) return -1;
  int rc = probe_fp_write_folded(sim->funcprof, out);
  if (fclose(out)) rc = -1;
  return rc;
}
