/* sim/elf/elf_file.h — read a Cortex-M firmware ELF (through elfutils' libelf): loadable segments, section sizes
 * and function symbols for diagnostics. Internal to the simulator library. */
#ifndef MCUSIM_SIM_ELF_H
#define MCUSIM_SIM_ELF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t paddr;     /* load address: where the file bytes go (flash for .data's initial values) */
  uint32_t vaddr;     /* run address */
  uint32_t file_size; /* bytes taken from the file */
  uint32_t mem_size;  /* bytes at vaddr (the rest zero-filled) */
  uint32_t flags;     /* PF_X | PF_W | PF_R */
  const uint8_t *bytes;
} sim_elf_segment_t;

typedef struct {
  uint32_t addr; /* Thumb bit cleared */
  uint32_t size;
  const char *name;
  int is_function; /* STT_FUNC: the range holds code (and its literal pool) */
} sim_elf_symbol_t;

typedef struct {
  uint32_t addr, size;
  uint32_t flags; /* SHF_* */
  int nobits;
  const char *name;
} sim_elf_section_t;

typedef struct sim_elf {
  uint8_t *image; /* whole file */
  size_t image_size;
  uint32_t entry;
  sim_elf_segment_t *segments;
  size_t segment_count;
  sim_elf_section_t *sections;
  size_t section_count;
  sim_elf_symbol_t *symbols; /* functions and objects, sorted by address */
  size_t symbol_count;
  char *strings; /* names, owned */
} sim_elf_t;

/* On failure returns NULL and writes one line naming the file and the problem into msg. */
sim_elf_t *sim_elf_read(const char *path, char *msg, size_t msg_size);
void sim_elf_free(sim_elf_t *elf);

/* Symbol containing addr (function or object), or NULL. */
const sim_elf_symbol_t *sim_elf_symbol_at(const sim_elf_t *elf, uint32_t addr);
/* Address of a named symbol; returns 0 when found. */
int sim_elf_lookup(const sim_elf_t *elf, const char *name, uint32_t *addr);

#endif /* MCUSIM_SIM_ELF_H */
