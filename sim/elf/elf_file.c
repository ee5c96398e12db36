/* sim/elf.c — firmware ELF reading with elfutils' libelf, C++ names demangled with libiberty (ARCHITECTURE.md says
 * why both). */
#include "sim/elf/elf_file.h"

#include "common/cm.h"

#include <errno.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <libiberty/demangle.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_ELF_MAX_BYTES (512u << 20) /* no Cortex-M image is larger; bounds memory on hostile input */
#define SIM_ELF_MAX_SEGMENTS 64
#define SIM_ELF_MAX_SECTIONS 4096

/* The whole file, bounded: a hostile or mistaken path cannot make the simulator read gigabytes. */
static uint8_t *slurp(const char *path, size_t *size, char *msg, size_t msg_size) {
  uint8_t *buf = (uint8_t *)cm_read_file(path, SIM_ELF_MAX_BYTES, size);
  if (buf) return buf;
  if (errno == EISDIR)
    cm_msgf(msg, msg_size, "%s: not a regular file", path);
  else if (errno == EFBIG)
    cm_msgf(msg, msg_size, "%s: larger than any Cortex-M image (limit %u MiB)", path, SIM_ELF_MAX_BYTES >> 20);
  else
    cm_msgf(msg, msg_size, "%s: cannot open: %s", path, strerror(errno));
  return NULL;
}

static int check_header(Elf *e, const GElf_Ehdr *eh, const char *path, char *msg, size_t size) {
  const char *ident = elf_getident(e, NULL);
  if (gelf_getclass(e) != ELFCLASS32) {
    cm_msgf(msg, size, "%s: a 64-bit ELF; Cortex-M firmware is ELF32", path);
    return -1;
  }
  if (!ident || ident[EI_DATA] != ELFDATA2LSB) {
    cm_msgf(msg, size, "%s: a big-endian ELF; mcusim runs little-endian Cortex-M firmware", path);
    return -1;
  }
  if (eh->e_machine != EM_ARM) {
    cm_msgf(msg, size, "%s: not an ARM ELF (e_machine %u)", path, eh->e_machine);
    return -1;
  }
  if (eh->e_type != ET_EXEC) {
    cm_msgf(msg, size, "%s: not an executable (e_type %u): link the firmware first", path, eh->e_type);
    return -1;
  }
  return 0;
}

static int ranges_overlap(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size) {
  return a_size && b_size && (uint64_t)a < (uint64_t)b + b_size && (uint64_t)b < (uint64_t)a + a_size;
}

/* Two segments that run or load at the same bytes: one would silently overwrite the other. */
static int check_overlaps(const sim_elf_t *elf, const char *path, char *msg, size_t size) {
  for (size_t i = 0; i < elf->segment_count; i++)
    for (size_t j = i + 1; j < elf->segment_count; j++) {
      const sim_elf_segment_t *a = &elf->segments[i], *b = &elf->segments[j];
      if (ranges_overlap(a->vaddr, a->mem_size, b->vaddr, b->mem_size) ||
          ranges_overlap(a->paddr, a->file_size, b->paddr, b->file_size)) {
        cm_msgf(msg, size, "%s: loadable segments overlap (0x%08x+0x%x and 0x%08x+0x%x)", path, a->vaddr, a->mem_size,
                b->vaddr, b->mem_size);
        return -1;
      }
    }
  return 0;
}

/* libelf quietly reports no sections when the section header table is cut or misplaced: say so instead. */
static int check_section_table(const GElf_Ehdr *eh, size_t image_size, const char *path, char *msg, size_t size) {
  if (!eh->e_shnum) return 0; /* none, or an extended count that libelf checks */
  uint64_t end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;
  if (eh->e_shnum > SIM_ELF_MAX_SECTIONS || eh->e_shentsize != sizeof(Elf32_Shdr) || end > image_size) {
    cm_msgf(msg, size, "%s: section header table (%u entries at offset 0x%llx) lies beyond the end of the file", path,
            eh->e_shnum, (unsigned long long)eh->e_shoff);
    return -1;
  }
  if (eh->e_shstrndx != SHN_XINDEX && eh->e_shstrndx >= eh->e_shnum) {
    cm_msgf(msg, size, "%s: section name table index %u is not a section (%u sections)", path, eh->e_shstrndx,
            eh->e_shnum);
    return -1;
  }
  return 0;
}

static int read_segments(Elf *e, sim_elf_t *elf, const char *path, char *msg, size_t size) {
  size_t n = 0;
  if (elf_getphdrnum(e, &n) || n > SIM_ELF_MAX_SEGMENTS) {
    cm_msgf(msg, size, "%s: unreadable or absurd program header table (%zu entries)", path, n);
    return -1;
  }
  elf->segments = calloc(n ? n : 1, sizeof *elf->segments);
  if (!elf->segments) return -1;
  for (size_t i = 0; i < n; i++) {
    GElf_Phdr ph;
    if (!gelf_getphdr(e, (int)i, &ph)) {
      cm_msgf(msg, size, "%s: program header %zu unreadable", path, i);
      return -1;
    }
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz || ph.p_offset > elf->image_size || ph.p_filesz > elf->image_size - ph.p_offset) {
      cm_msgf(msg, size, "%s: segment %zu claims bytes beyond the end of the file (offset 0x%llx, size 0x%llx)", path,
              i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz);
      return -1;
    }
    if (ph.p_vaddr + ph.p_memsz > 0x100000000ull || ph.p_paddr + ph.p_filesz > 0x100000000ull) {
      cm_msgf(msg, size, "%s: segment %zu wraps past 4 GiB", path, i);
      return -1;
    }
    sim_elf_segment_t *s = &elf->segments[elf->segment_count++];
    s->paddr = (uint32_t)ph.p_paddr;
    s->vaddr = (uint32_t)ph.p_vaddr;
    s->file_size = (uint32_t)ph.p_filesz;
    s->mem_size = (uint32_t)ph.p_memsz;
    s->flags = ph.p_flags;
    s->bytes = elf->image + ph.p_offset;
  }
  if (elf->segment_count == 0) {
    cm_msgf(msg, size, "%s: no loadable segment", path);
    return -1;
  }
  return check_overlaps(elf, path, msg, size);
}

/* Copies a name into elf->strings (grown as needed); returns its offset. */
static long keep_string(sim_elf_t *elf, size_t *used, size_t *cap, const char *s) {
  size_t len = strlen(s) + 1;
  if (*used + len > *cap) {
    size_t grown_cap = (*cap ? *cap * 2 : 4096) + len;
    char *grown = realloc(elf->strings, grown_cap);
    if (!grown) return -1;
    elf->strings = grown;
    *cap = grown_cap;
  }
  memcpy(elf->strings + *used, s, len);
  *used += len;
  return (long)(*used - len);
}

static int compare_symbols(const void *a, const void *b) {
  const sim_elf_symbol_t *x = a, *y = b;
  if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
  if (x->size != y->size) return x->size > y->size ? -1 : 1; /* larger first: the enclosing one */
  return strcmp(x->name, y->name);
}

#define SIM_ELF_MAX_MANGLED 4096 /* longer names stay as they are: bounds the demangler's work on hostile input */

char *sim_elf_demangle(const char *linkage, char *out, size_t size) {
  /* libiberty bounds its recursion itself (DMGL_NO_RECURSE_LIMIT not given) */
  char *d = linkage[0] == '_' && linkage[1] == 'Z' && strnlen(linkage, SIM_ELF_MAX_MANGLED) < SIM_ELF_MAX_MANGLED
                ? cplus_demangle(linkage, DMGL_PARAMS | DMGL_ANSI)
                : NULL;
  snprintf(out, size, "%s", d ? d : linkage);
  free(d);
  return out;
}

/* A symbol's strings while the buffer grows: offsets into elf->strings (-1: none). */
typedef struct {
  long name, linkage, demangled, file;
} sym_strings_t;

typedef struct {
  sim_elf_t *elf;
  size_t used, cap, count, alloc;
  sym_strings_t *str;
  long file; /* the STT_FILE in force */
} sym_reader_t;

static int read_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, sym_reader_t *r) {
  Elf_Data *data = elf_getdata(scn, NULL);
  if (!data || sh->sh_entsize == 0) return 0;
  size_t n = sh->sh_size / sh->sh_entsize;
  r->file = -1;
  for (size_t i = 0; i < n; i++) {
    GElf_Sym sym;
    if (!gelf_getsym(data, (int)i, &sym)) break;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type == STT_FILE) { /* the local symbols that follow come from this file */
      const char *file = elf_strptr(e, sh->sh_link, sym.st_name);
      r->file = file && file[0] ? keep_string(r->elf, &r->used, &r->cap, file) : -1;
      if (file && file[0] && r->file < 0) return -1;
      continue;
    }
    if ((type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) || sym.st_shndx == SHN_UNDEF) continue;
    const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
    if (!name || !name[0] || name[0] == '$') continue; /* $t/$d mapping symbols */
    if (r->count == r->alloc) {
      size_t grown_n = r->alloc ? r->alloc * 2 : 256;
      sim_elf_symbol_t *grown = realloc(r->elf->symbols, grown_n * sizeof *grown);
      sym_strings_t *grown_str = realloc(r->str, grown_n * sizeof *grown_str);
      if (grown) r->elf->symbols = grown;
      if (grown_str) r->str = grown_str;
      if (!grown || !grown_str) return -1;
      r->alloc = grown_n;
    }
    sym_strings_t *st = &r->str[r->count];
    char demangled[1024];
    sim_elf_demangle(name, demangled, sizeof demangled);
    st->linkage = keep_string(r->elf, &r->used, &r->cap, name);
    st->demangled = strcmp(demangled, name) ? keep_string(r->elf, &r->used, &r->cap, demangled) : st->linkage;
    if (st->linkage < 0 || st->demangled < 0) return -1;
    st->name = st->demangled;
    st->file = GELF_ST_BIND(sym.st_info) == STB_LOCAL ? r->file : -1;
    sim_elf_symbol_t *s = &r->elf->symbols[r->count];
    memset(s, 0, sizeof *s);
    s->addr = (uint32_t)sym.st_value & (type == STT_FUNC ? ~1u : ~0u);
    s->size = (uint32_t)sym.st_size;
    s->is_function = type == STT_FUNC;
    r->count++;
  }
  return 0;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

typedef struct {
  const char *demangled; /* into elf->strings: valid until the next keep_string */
  uint32_t addr;
  size_t index;
} sym_key_t;

static int by_demangled(const void *a, const void *b) {
  const sym_key_t *x = a, *y = b;
  int c = strcmp(x->demangled, y->demangled);
  if (c) return c;
  if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Same demangled name at several addresses: each gets "@file" when the files tell them apart, else "@0xaddr". */
static int tell_apart(sym_reader_t *r) {
  size_t n = r->count;
  sym_key_t *key = malloc((n ? n : 1) * sizeof *key);
  if (!key) return -1;
  for (size_t i = 0; i < n; i++)
    key[i] = (sym_key_t){r->elf->strings + r->str[i].demangled, r->elf->symbols[i].addr, i};
  qsort(key, n, sizeof *key, by_demangled);
  size_t *order = (size_t *)key; /* the sorted indices, packed in place (a size_t is no larger than a key) */
  for (size_t i = 0; i < n; i++) order[i] = key[i].index;
  int rc = 0;
  const char *strs = NULL;
#define DEM(i) (strs + r->str[order[i]].demangled)
#define ADDR(i) (r->elf->symbols[order[i]].addr)
  for (size_t g = 0; g < n && !rc;) {
    strs = r->elf->strings;
    size_t end = g + 1;
    while (end < n && !strcmp(DEM(g), DEM(end))) end++;
    int several = 0, by_file = 1;
    for (size_t i = g + 1; i < end; i++)
      if (ADDR(i) != ADDR(g)) several = 1;
    for (size_t i = g; several && by_file && i < end; i++) {
      long fi = r->str[order[i]].file;
      if (fi < 0) by_file = 0;
      for (size_t j = g; by_file && j < i; j++)
        if (ADDR(j) != ADDR(i) && !strcmp(base_name(strs + fi), base_name(strs + r->str[order[j]].file))) by_file = 0;
    }
    for (size_t i = g; several && i < end && !rc; i++) {
      char shown[1200];
      strs = r->elf->strings;
      if (by_file)
        snprintf(shown, sizeof shown, "%s@%s", DEM(i), base_name(strs + r->str[order[i]].file));
      else
        snprintf(shown, sizeof shown, "%s@0x%08x", DEM(i), ADDR(i));
      long off = keep_string(r->elf, &r->used, &r->cap, shown);
      if (off < 0) rc = -1;
      r->str[order[i]].name = off;
    }
    g = end;
  }
#undef DEM
#undef ADDR
  free(key);
  return rc;
}

static int read_sections(Elf *e, sim_elf_t *elf, const char *path, char *msg, size_t size) {
  size_t n = 0, shstrndx = 0;
  if (elf_getshdrnum(e, &n) || n > SIM_ELF_MAX_SECTIONS || (n && elf_getshdrstrndx(e, &shstrndx))) {
    cm_msgf(msg, size, "%s: unreadable or absurd section header table (%zu sections)", path, n);
    return -1;
  }
  elf->sections = calloc(n ? n : 1, sizeof *elf->sections);
  long *name_off = calloc(n ? n : 1, sizeof *name_off);
  sym_reader_t r = {.elf = elf};
  int rc = -1;
  if (!elf->sections || !name_off) goto done;
  for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char *name = elf_strptr(e, shstrndx, sh.sh_name);
    if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > elf->image_size || sh.sh_size > elf->image_size - sh.sh_offset)) {
      /* the index, not the name: a name from a broken file may hold anything, newlines included */
      cm_msgf(msg, size, "%s: section %zu (offset 0x%llx, size 0x%llx) extends beyond the end of the file", path,
              elf_ndxscn(scn), (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size);
      rc = -2;
      goto done;
    }
    if (sh.sh_type == SHT_SYMTAB && read_symtab(e, scn, &sh, &r)) goto done;
    if (!(sh.sh_flags & SHF_ALLOC) || elf->section_count >= n) continue;
    sim_elf_section_t *s = &elf->sections[elf->section_count];
    long off = keep_string(elf, &r.used, &r.cap, name ? name : "?");
    if (off < 0) goto done;
    name_off[elf->section_count++] = off;
    s->addr = (uint32_t)sh.sh_addr;
    s->size = (uint32_t)sh.sh_size;
    s->flags = (uint32_t)sh.sh_flags;
    s->nobits = sh.sh_type == SHT_NOBITS;
  }
  if (tell_apart(&r)) goto done;
  /* Names are offsets until the string buffer stops moving. */
  for (size_t i = 0; i < elf->section_count; i++) elf->sections[i].name = elf->strings + name_off[i];
  for (size_t i = 0; i < r.count; i++) {
    sim_elf_symbol_t *s = &elf->symbols[i];
    s->name = elf->strings + r.str[i].name;
    s->linkage = elf->strings + r.str[i].linkage;
    s->demangled = elf->strings + r.str[i].demangled;
    s->file = r.str[i].file >= 0 ? elf->strings + r.str[i].file : NULL;
  }
  elf->symbol_count = r.count;
  if (r.count) qsort(elf->symbols, r.count, sizeof *elf->symbols, compare_symbols);
  rc = 0;
done:
  if (rc == -1) cm_msgf(msg, size, "%s: out of memory reading sections", path);
  free(name_off);
  free(r.str);
  return rc;
}

sim_elf_t *sim_elf_read(const char *path, char *msg, size_t size) {
  sim_elf_t *elf = calloc(1, sizeof *elf);
  Elf *e = NULL;
  if (!elf) {
    cm_msgf(msg, size, "out of memory");
    return NULL;
  }
  elf->image = slurp(path, &elf->image_size, msg, size);
  if (!elf->image) goto fail;
  if (elf_version(EV_CURRENT) == EV_NONE) {
    cm_msgf(msg, size, "libelf is unusable: %s", elf_errmsg(-1));
    goto fail;
  }
  e = elf_memory((char *)elf->image, elf->image_size);
  GElf_Ehdr eh;
  if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
    cm_msgf(msg, size, "%s: not an ELF file (%s)", path, elf->image_size < 52 ? "too short" : "bad header");
    goto fail;
  }
  if (check_header(e, &eh, path, msg, size) || check_section_table(&eh, elf->image_size, path, msg, size) ||
      read_segments(e, elf, path, msg, size) || read_sections(e, elf, path, msg, size))
    goto fail;
  elf->entry = (uint32_t)eh.e_entry;
  elf_end(e);
  return elf;
fail:
  if (e) elf_end(e);
  sim_elf_free(elf);
  return NULL;
}

void sim_elf_free(sim_elf_t *elf) {
  if (!elf) return;
  free(elf->image);
  free(elf->segments);
  free(elf->sections);
  free(elf->symbols);
  free(elf->strings);
  free(elf);
}

const sim_elf_symbol_t *sim_elf_symbol_at(const sim_elf_t *elf, uint32_t addr) {
  size_t lo = 0, hi = elf->symbol_count;
  while (lo < hi) { /* first symbol with addr > target */
    size_t mid = (lo + hi) / 2;
    if (elf->symbols[mid].addr <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  /* Walk back to a symbol that contains addr; zero-size symbols match only exactly. */
  for (size_t i = lo; i-- > 0 && lo - i <= 16;) {
    const sim_elf_symbol_t *s = &elf->symbols[i];
    if (addr < (uint64_t)s->addr + (s->size ? s->size : 1)) return s;
  }
  return NULL;
}

static const char *or_name(const char *s, const sim_elf_symbol_t *sym) { return s ? s : sym->name; }

int sim_elf_lookup(const sim_elf_t *elf, const char *name, uint32_t *addr) {
  for (size_t i = 0; i < elf->symbol_count; i++)
    if (strcmp(elf->symbols[i].name, name) == 0) {
      *addr = elf->symbols[i].addr;
      return 0;
    }
  for (size_t i = 0; i < elf->symbol_count; i++) {
    const sim_elf_symbol_t *s = &elf->symbols[i];
    if (!strcmp(or_name(s->linkage, s), name) || !strcmp(or_name(s->demangled, s), name)) {
      *addr = s->addr;
      return 0;
    }
  }
  const char *at = strrchr(name, '@');
  if (!at || at == name) return -1;
  size_t len = (size_t)(at - name);
  for (size_t i = 0; i < elf->symbol_count; i++) {
    const sim_elf_symbol_t *s = &elf->symbols[i];
    const char *l = or_name(s->linkage, s), *d = or_name(s->demangled, s);
    if (s->file && !strcmp(base_name(s->file), base_name(at + 1)) &&
        ((strlen(l) == len && !strncmp(l, name, len)) || (strlen(d) == len && !strncmp(d, name, len)))) {
      *addr = s->addr;
      return 0;
    }
  }
  return -1;
}

int sim_elf_symbol_matches(const sim_elf_symbol_t *s, const char *pattern) {
  const char *l = or_name(s->linkage, s), *d = or_name(s->demangled, s);
  if (!fnmatch(pattern, s->name, 0) || !fnmatch(pattern, l, 0) || !fnmatch(pattern, d, 0)) return 1;
  const char *at = strrchr(pattern, '@');
  if (!at || at == pattern || !s->file) return 0;
  char head[1024];
  snprintf(head, sizeof head, "%.*s", (int)(at - pattern), pattern);
  return (!fnmatch(head, l, 0) || !fnmatch(head, d, 0)) && !fnmatch(at + 1, base_name(s->file), 0);
}

void sim_elf_fit_name(const sim_elf_symbol_t *s, char *out, size_t size) {
  if (!s) {
    snprintf(out, size, "?");
    return;
  }
  size_t n = strlen(s->name);
  if (n < size) {
    snprintf(out, size, "%s", s->name);
    return;
  }
  const char *d = s->demangled ? s->demangled : s->name, *suffix = s->name + strlen(d);
  size_t dn = strlen(d), cut = dn;
  if (dn && d[dn - 1] == ')') { /* back to the '(' that opens the parameter list */
    int depth = 0;
    for (size_t i = dn; i-- > 0;) {
      depth += d[i] == ')' ? 1 : d[i] == '(' ? -1 : 0;
      if (!depth) {
        cut = i;
        break;
      }
    }
  }
  char whole[1200];
  snprintf(whole, sizeof whole, "%.*s%s", (int)cut, d, strncmp(s->name, d, dn) ? "" : suffix);
  n = strlen(whole);
  if (n < size) {
    snprintf(out, size, "%s", whole);
    return;
  }
  size_t room = size > 4 ? size - 4 : 0, tail = room / 2, head = room - tail;
  snprintf(out, size, "%.*s...%s", (int)head, whole, whole + n - tail);
}

void sim_elf_describe(const sim_elf_symbol_t *s, uint32_t addr, char *out, size_t size) {
  char offset[16] = "";
  if (!s) {
    snprintf(out, size, "0x%08x", addr);
    return;
  }
  if (addr != s->addr) snprintf(offset, sizeof offset, "+0x%x", addr - s->addr);
  size_t room = size > strlen(offset) ? size - strlen(offset) : 1;
  char name[1200];
  sim_elf_fit_name(s, name, room < sizeof name ? room : sizeof name);
  snprintf(out, size, "%s%s", name, offset);
}
