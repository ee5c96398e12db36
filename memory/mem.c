/* memory/mem.c — SRAM accounting (see mem.h). */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

void mem_init(mem_t *mem, uint64_t sram_bytes) {
  memset(mem, 0, sizeof *mem);
  mem->sram_bytes = sram_bytes;
  mem->lowest_sp = UINT32_MAX;
}

void mem_release(mem_t *mem) {
  free(mem->live_addr);
  free(mem->live_size);
  mem->live_addr = mem->live_size = NULL;
  mem->live_count = mem->live_cap = 0;
}

static int overlaps_live(const mem_t *mem, uint32_t addr, uint32_t size) {
  for (size_t i = 0; i < mem->live_count; i++) {
    uint64_t a = mem->live_addr[i], b = a + mem->live_size[i];
    if (addr < b && a < (uint64_t)addr + size) return 1;
  }
  return 0;
}

int mem_alloc(mem_t *mem, uint32_t addr, uint32_t size) {
  int misuse = overlaps_live(mem, addr, size);
  if (mem->live_count == mem->live_cap) {
    size_t cap = mem->live_cap ? mem->live_cap * 2 : 64;
    uint32_t *a = realloc(mem->live_addr, cap * sizeof *a);
    if (a) mem->live_addr = a;
    uint32_t *s = realloc(mem->live_size, cap * sizeof *s);
    if (s) mem->live_size = s;
    if (!a || !s) return -1;
    mem->live_cap = cap;
  }
  mem->live_addr[mem->live_count] = addr;
  mem->live_size[mem->live_count++] = size;
  mem->arena_live_bytes += size;
  if (mem->arena_live_bytes > mem->arena_peak_bytes) mem->arena_peak_bytes = mem->arena_live_bytes;
  mem->alloc_count++;
  mem->misuse_count += misuse;
  return misuse ? -1 : 0;
}

int mem_free(mem_t *mem, uint32_t addr) {
  for (size_t i = mem->live_count; i-- > 0;) {
    if (mem->live_addr[i] != addr) continue;
    mem->arena_live_bytes -= mem->live_size[i];
    mem->live_addr[i] = mem->live_addr[mem->live_count - 1];
    mem->live_size[i] = mem->live_size[mem->live_count - 1];
    mem->live_count--;
    mem->free_count++;
    return 0;
  }
  mem->misuse_count++;
  return -1;
}

/* The stack is the written run that reaches down from the initial SP; it ends at the first gap of
 * MEM_STACK_GAP_BYTES still-painted bytes (frames may leave shorter gaps; the heap below is separate). */
#define MEM_STACK_GAP_BYTES 256u

void mem_scan_painted(mem_t *mem, const uint8_t *sram, uint32_t base, uint32_t size) {
  for (uint32_t off = 0; off + 4 <= size; off += 4) {
    uint32_t word;
    memcpy(&word, sram + off, 4);
    mem->touched_bytes += word != MEM_PAINT_WORD ? 4 : 0;
  }
  if (mem->initial_sp <= base || mem->initial_sp > base + size) return;
  uint32_t lowest = mem->initial_sp, gap = 0;
  for (uint32_t addr = mem->initial_sp; addr - 4 >= base && addr - 4 >= mem->stack_floor && gap < MEM_STACK_GAP_BYTES;
       addr -= 4) {
    uint32_t word;
    memcpy(&word, sram + (addr - 4 - base), 4);
    if (word == MEM_PAINT_WORD)
      gap += 4;
    else {
      gap = 0;
      lowest = addr - 4;
    }
  }
  mem->stack_painted_bytes = mem->initial_sp - lowest;
}

void mem_finish(mem_t *mem) {
  mem->static_bytes = mem->data_bytes + mem->bss_bytes;
  if (mem->lowest_sp != UINT32_MAX && mem->initial_sp > mem->lowest_sp)
    mem->stack_peak_bytes = mem->initial_sp - mem->lowest_sp;
  mem->peak_bytes = mem->static_bytes + mem->stack_peak_bytes + mem->arena_peak_bytes;
  mem->headroom_bytes = (int64_t)mem->sram_bytes - (int64_t)mem->peak_bytes;
}
