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
  /* What every output shows: the demangled name (C++), unique among the symbols: when the same demangled name sits at
   * several addresses (two `(anonymous namespace)::EvalInt8`, two static `helper`), each gets "@file" (the STT_FILE
   * of a local symbol) or "@0xaddr" appended. */
  const char *name;
  int is_function;       /* STT_FUNC: the range holds code (and its literal pool) */
  const char *linkage;   /* the name in .symtab (mangled for C++); NULL: same as name */
  const char *demangled; /* the demangled name without the "@" suffix; NULL: same as name */
  const char *file;      /* a local symbol's source file (the STT_FILE before it), or NULL */
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
/* Address of a named symbol; returns 0 when found. The name may be the shown name, the linkage (mangled) name, the
 * demangled name, or "name@file" (a local symbol of that source file, file compared without its directories). */
int sim_elf_lookup(const sim_elf_t *elf, const char *name, uint32_t *addr);
/* Whether an fnmatch(3) pattern matches the symbol by its shown, linkage or demangled name, or, for "pattern@file",
 * a symbol whose name matches the part before the last '@' and whose file's base name matches the part after it. */
int sim_elf_symbol_matches(const sim_elf_symbol_t *s, const char *pattern);
/* A symbol's shown name in size bytes (layer names, allocation tags and fault symbols are bounded): the whole name
 * when it fits, else without the parameter list of a C++ name (its "@file" kept), else its head and tail around
 * "..."; "?" for NULL. */
void sim_elf_fit_name(const sim_elf_symbol_t *s, char *out, size_t size);
/* "name" or "name+0x1a" for addr inside s (the name fitted as above so that the offset stays), "0x%08x" for NULL. */
void sim_elf_describe(const sim_elf_symbol_t *s, uint32_t addr, char *out, size_t size);
/* The demangled form of a C++ linkage name (libiberty's cplus_demangle, with parameters) into out; a name that is not
 * mangled, or that does not demangle, is copied as it is. Returns out. */
char *sim_elf_demangle(const char *linkage, char *out, size_t size);

#endif /* MCUSIM_SIM_ELF_H */
