/* memory/mem.h — SRAM accounting: static sections, stack watermark, arena live set from the firmware's
 * alloc/free events, and SRAM painting (touched bytes, stack confirmation). Definitions: ARCHITECTURE.md
 * "Memory accounting". The simulator feeds it; reports read it. Never prints, never exits. */
#ifndef MCUSIM_MEM_H
#define MCUSIM_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Fill pattern painted over SRAM before the firmware runs; a word that still holds it was never written. */
#define MEM_PAINT_WORD 0xDEADC0DEu

typedef struct {
  /* static: .data + .bss in SRAM, from the ELF */
  uint64_t data_bytes, bss_bytes, static_bytes;
  /* stack: initial SP minus the lowest SP sampled at block entries, and the same from painting */
  uint32_t initial_sp, lowest_sp, stack_floor; /* stack_floor: lowest address the stack may use (end of statics) */
  uint64_t stack_peak_bytes, stack_painted_bytes;
  /* arena: live bytes of allocations reported through ITM */
  uint64_t arena_live_bytes, arena_peak_bytes;
  uint64_t alloc_count, free_count, misuse_count;
  /* painting */
  uint64_t touched_bytes;
  uint64_t sram_bytes;    /* the profile's */
  uint64_t peak_bytes;    /* static + stack peak + arena peak */
  int64_t headroom_bytes; /* sram_bytes - peak_bytes; negative: overflow */
  /* live allocations (address, size), small open list */
  uint32_t *live_addr, *live_size;
  size_t live_count, live_cap;
} mem_t;

void mem_init(mem_t *mem, uint64_t sram_bytes);
void mem_release(mem_t *mem);

/* Arena events; return 0, or -1 for misuse (unknown or double free, overlapping allocation). */
int mem_alloc(mem_t *mem, uint32_t addr, uint32_t size);
int mem_free(mem_t *mem, uint32_t addr);

/* After the run: stack and touched figures from painted SRAM (`sram` is a copy of one region at `base`). */
void mem_scan_painted(mem_t *mem, const uint8_t *sram, uint32_t base, uint32_t size);
/* Derives stack_peak_bytes, peak_bytes and headroom_bytes. */
void mem_finish(mem_t *mem);

#endif /* MCUSIM_MEM_H */
