/* tests/fuzz/fuzz_elf.c — libFuzzer target for the firmware ELF reader (sim/elf_file.c): any bytes must give
 * either a parsed image whose tables stay inside their buffers, or one error line; never a crash or a leak. */
#include "fuzz_util.h"
#include "sim/elf/elf_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_temp(data, size, ".elf");
  if (!path) return 0;
  char msg[512];
  sim_elf_t *elf = sim_elf_read(path, msg, sizeof msg);
  if (!elf) {
    if (!memchr(msg, '\0', sizeof msg) || strchr(msg, '\n')) abort(); /* one line, terminated */
    unlink(path);
    return 0;
  }
  /* Touch every byte a consumer will read: segment contents, section and symbol names, symbol lookups. */
  volatile uint32_t sum = 0;
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (s->file_size > s->mem_size) abort();
    for (uint32_t off = 0; off < s->file_size; off += 64) sum += s->bytes[off];
    if (s->file_size) sum += s->bytes[s->file_size - 1];
  }
  for (size_t i = 0; i < elf->section_count; i++) sum += (uint32_t)strlen(elf->sections[i].name);
  for (size_t i = 0; i < elf->symbol_count; i++) {
    const sim_elf_symbol_t *sym = &elf->symbols[i];
    sum += (uint32_t)strlen(sym->name);
    if (i && elf->symbols[i - 1].addr > sym->addr) abort(); /* sorted */
    if (!sim_elf_symbol_at(elf, sym->addr)) abort();
    uint32_t addr;
    if (i < 8 && sim_elf_lookup(elf, sym->name, &addr) != 0) abort();
  }
  sim_elf_symbol_at(elf, elf->entry);
  sim_elf_symbol_at(elf, 0xffffffffu);
  sim_elf_free(elf);
  unlink(path);
  return 0;
}
