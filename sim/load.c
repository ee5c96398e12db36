/* sim/load.c — before the run: the memory map (flash read+execute, SRAM painted, overflow SRAM, the PPB), the
 * firmware's segments, section sizes and hash, and where it starts (vector table or ELF entry). */
#include <elf.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

uint16_t sim_read_halfword(mcusim_t *sim, uint32_t addr) {
  uint16_t hw = 0;
  uc_mem_read(sim->uc, addr, &hw, 2);
  return hw;
}

/* Maps an SRAM region and paints it so that touched bytes and the stack's depth can be read back later. */
static int map_painted(mcusim_t *sim, const prof_region_t *r) {
  if (uc_mem_map(sim->uc, r->base, r->size, UC_PROT_ALL) != UC_ERR_OK) return -1;
  uint32_t *paint = malloc(r->size);
  if (!paint) return -1;
  for (uint32_t w = 0; w < r->size / 4; w++) paint[w] = MEM_PAINT_WORD;
  uc_mem_write(sim->uc, r->base, paint, r->size);
  free(paint);
  return 0;
}

static mcusim_err map_memory(mcusim_t *sim) {
  const prof_t *p = sim->profile;
  if (uc_mem_map(sim->uc, p->flash.base, p->flash.size, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK)
    return sim_set_error(sim, MCUSIM_E_BAD_PROFILE, "%s: cannot map flash at 0x%08x", p->path, p->flash.base);
  for (unsigned i = 0; i < p->sram_count; i++)
    if (map_painted(sim, &p->sram[i]))
      return sim_set_error(sim, MCUSIM_E_BAD_PROFILE, "%s: cannot map %s at 0x%08x", p->path, p->sram[i].name,
                           p->sram[i].base);
  if (sim->overflow.size && map_painted(sim, &sim->overflow))
    return sim_set_error(sim, MCUSIM_E_ENGINE, "cannot map %u bytes of overflow SRAM", sim->overflow.size);
  if (sim_ppb_map(sim)) return sim_set_error(sim, MCUSIM_E_ENGINE, "cannot map the private peripheral bus");
  return MCUSIM_OK;
}

/* The profile's region holding [addr, addr+size), or the overflow SRAM the simulator mapped behind it. */
static const prof_region_t *find_region(const mcusim_t *sim, uint32_t addr, uint32_t size, int *is_flash) {
  const prof_region_t *r = prof_find_region(sim->profile, addr, size, is_flash);
  if (r || !sim->overflow.size) return r;
  /* the overflow continues the first SRAM region: a range may start in one and end in the other */
  const prof_region_t *sram = &sim->profile->sram[0];
  if (addr >= sram->base && (uint64_t)addr + size <= (uint64_t)sim->overflow.base + sim->overflow.size) {
    if (is_flash) *is_flash = 0;
    return addr >= sim->overflow.base ? &sim->overflow : sram;
  }
  return NULL;
}

int sim_sram_range(const mcusim_t *sim, uint32_t addr, uint32_t size) {
  int in_flash = 0;
  return find_region(sim, addr, size ? size : 1, &in_flash) && !in_flash;
}

#define SIM_OVERFLOW_MAX (256u << 20) /* how far past the device's SRAM a firmware may reach */

static uint32_t vector_table_sp(const sim_elf_t *elf, uint32_t flash_base) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (s->file_size >= 8 && s->paddr == flash_base)
      return s->bytes[0] | s->bytes[1] << 8 | s->bytes[2] << 16 | (uint32_t)s->bytes[3] << 24;
  }
  return 0;
}

/* Firmware linked for more SRAM than the device has (e.g. for sim-large) still runs: SRAM is extended behind
 * the first region up to what its segments and initial SP need, and reports say the peak overflows. */
static void plan_overflow(mcusim_t *sim) {
  const prof_region_t *sram = &sim->profile->sram[0];
  uint64_t end = (uint64_t)sram->base + sram->size, needed = end;
  for (size_t i = 0; i < sim->elf->segment_count; i++) {
    const sim_elf_segment_t *seg = &sim->elf->segments[i];
    uint64_t top = (uint64_t)seg->vaddr + seg->mem_size;
    if (seg->vaddr >= sram->base && seg->vaddr < end + SIM_OVERFLOW_MAX && top > needed) needed = top;
  }
  uint32_t sp = vector_table_sp(sim->elf, sim->profile->flash.base);
  if (sp > end && sp <= end + SIM_OVERFLOW_MAX && sp > needed) needed = sp;
  if (needed == end || sim->strict_sram) return;
  uint64_t size = (needed - end + 0xFFF) & ~0xFFFull;
  prof_region_t candidate = {.base = (uint32_t)end, .size = (uint32_t)size};
  snprintf(candidate.name, sizeof candidate.name, "overflow");
  if (prof_find_region(sim->profile, candidate.base, 1, NULL) ||
      prof_find_region(sim->profile, (uint32_t)(end + size - 1), 1, NULL))
    return; /* another region is there: the firmware really does not fit this map */
  sim->overflow = candidate;
  mem_set_overflow_mapped(&sim->mem, size);
}

static mcusim_err load_segments(mcusim_t *sim, const char *path) {
  const prof_t *p = sim->profile;
  for (size_t i = 0; i < sim->elf->segment_count; i++) {
    const sim_elf_segment_t *s = &sim->elf->segments[i];
    int load_in_flash = 0, run_in_flash = 0;
    if (s->file_size && !find_region(sim, s->paddr, s->file_size, &load_in_flash))
      return sim_set_error(sim, MCUSIM_E_BAD_ELF,
                           "%s: segment %zu (0x%08x..0x%08x) lies outside %s's memory map (flash 0x%08x+%u)", path, i,
                           s->paddr, s->paddr + s->file_size, p->name, p->flash.base, p->flash.size);
    if (!find_region(sim, s->vaddr, s->mem_size, &run_in_flash))
      return sim_set_error(sim, MCUSIM_E_BAD_ELF,
                           "%s: segment %zu runs at 0x%08x..0x%08x, outside %s's memory map (does it fit the SRAM?)",
                           path, i, s->vaddr, s->vaddr + s->mem_size, p->name);
    if (s->file_size) uc_mem_write(sim->uc, s->paddr, s->bytes, s->file_size);
    if (load_in_flash) sim->firmware.flash_used_bytes += s->file_size;
    /* A segment loaded where it runs gets its zero-filled tail here (rdimon-style images rely on it). */
    if (s->paddr == s->vaddr && s->mem_size > s->file_size) {
      uint32_t tail = s->mem_size - s->file_size;
      uint8_t *zeros = calloc(1, tail);
      if (!zeros) return MCUSIM_E_NOMEM;
      uc_mem_write(sim->uc, s->vaddr + s->file_size, zeros, tail);
      free(zeros);
    }
  }
  return MCUSIM_OK;
}

static int is_dynamic_section(const char *name) {
  static const char *const prefixes[] = {".arena", ".heap", ".stack", "._user_heap_stack", ".noinit_arena", NULL};
  for (const char *const *pfx = prefixes; *pfx; pfx++)
    if (strncmp(name, *pfx, strlen(*pfx)) == 0) return 1;
  return 0;
}

/* Section sizes for the report: text, rodata, static SRAM (.data + .bss). */
static void measure_sections(mcusim_t *sim) {
  mcusim_firmware_t *fw = &sim->firmware;
  uint32_t static_end = 0;
  for (size_t i = 0; i < sim->elf->section_count; i++) {
    const sim_elf_section_t *s = &sim->elf->sections[i];
    int in_flash = 0;
    int in_memory = find_region(sim, s->addr, s->size ? s->size : 1, &in_flash) != NULL;
    if (in_memory && !in_flash && (s->flags & SHF_WRITE) && s->addr + s->size > static_end)
      static_end = s->addr + s->size;
    if (s->flags & SHF_EXECINSTR)
      fw->text_bytes += s->size;
    else if (!(s->flags & SHF_WRITE))
      fw->rodata_bytes += s->size;
    else if (in_memory && !in_flash && !is_dynamic_section(s->name)) {
      if (s->nobits)
        fw->bss_bytes += s->size;
      else
        fw->data_bytes += s->size;
    }
  }
  mem_set_static(&sim->mem, fw->data_bytes, fw->bss_bytes, static_end);
}

static void hash_file(mcusim_t *sim) {
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, sim->elf->image_size, sim->elf->image);
  sha256_digest(&ctx, sizeof digest, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(sim->firmware.sha256 + 2 * i, 3, "%02x", digest[i]);
}

static int executable_address(const mcusim_t *sim, uint32_t addr) { return find_region(sim, addr, 2, NULL) != NULL; }

/* An initial SP may point one past the end of an SRAM region (full-descending stack). */
static int stack_pointer_ok(const mcusim_t *sim, uint32_t sp) { return sim_sram_range(sim, sp - 4, 4); }

static int segment_covers(const sim_elf_t *elf, uint32_t addr, uint32_t size) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (s->file_size && addr >= s->paddr && (uint64_t)addr + size <= (uint64_t)s->paddr + s->file_size) return 1;
  }
  return 0;
}

/* Initial SP and PC: the vector table at the flash base when the image has one, else the ELF entry. */
static mcusim_err choose_start(mcusim_t *sim, const char *path) {
  const prof_t *p = sim->profile;
  mcusim_result_t *r = &sim->result;
  if (segment_covers(sim->elf, p->flash.base, 8)) {
    uint32_t vectors[2];
    uc_mem_read(sim->uc, p->flash.base, vectors, sizeof vectors);
    if (!(vectors[1] & 1u))
      return sim_set_error(sim, MCUSIM_E_BAD_ELF, "%s: reset vector 0x%08x is even: not a Thumb address", path,
                           vectors[1]);
    if (!executable_address(sim, vectors[1] & ~1u))
      return sim_set_error(sim, MCUSIM_E_BAD_ELF, "%s: reset vector 0x%08x points outside %s's memory", path,
                           vectors[1], p->name);
    if (!stack_pointer_ok(sim, vectors[0]) || (vectors[0] & 3u))
      return sim_set_error(sim, MCUSIM_E_BAD_ELF, "%s: initial stack pointer 0x%08x is not inside %s's SRAM", path,
                           vectors[0], p->name);
    r->initial_sp = vectors[0];
    r->entry_pc = vectors[1] & ~1u;
    r->start_source = "vector_table";
    return MCUSIM_OK;
  }
  uint32_t entry = sim->elf->entry & ~1u;
  if (!executable_address(sim, entry))
    return sim_set_error(sim, MCUSIM_E_BAD_ELF,
                         "%s: no vector table at 0x%08x and the entry 0x%08x is outside %s's memory", path,
                         p->flash.base, sim->elf->entry, p->name);
  r->initial_sp = p->sram[0].base + p->sram[0].size;
  r->entry_pc = entry;
  r->start_source = "elf_entry";
  return MCUSIM_OK;
}
mcusim_err mcusim_load_elf(mcusim_t *sim, const char *path) {
  if (sim->loaded) return sim_set_error(sim, MCUSIM_E_STATE, "a firmware is already loaded");
  char msg[512];
  sim->elf = sim_elf_read(path, msg, sizeof msg);
  if (!sim->elf) return sim_set_error(sim, MCUSIM_E_BAD_ELF, "%s", msg);
  sim->firmware.path = path;
  sim->firmware.entry = sim->elf->entry;
  hash_file(sim);
  plan_overflow(sim);
  mcusim_err err = map_memory(sim);
  if (!err) err = load_segments(sim, path);
  if (!err) err = choose_start(sim, path);
  if (err) return err;
  measure_sections(sim);
  uint32_t end_sym;
  sim->heap_base = sim_elf_lookup(sim->elf, "end", &end_sym) == 0 ? end_sym : sim->profile->sram[0].base;
  uint32_t arena_sym;
  if (sim_elf_lookup(sim->elf, "__arena_start", &arena_sym) == 0) mem_set_arena_base(&sim->mem, arena_sym);
  sim->loaded = 1;
  return MCUSIM_OK;
}
