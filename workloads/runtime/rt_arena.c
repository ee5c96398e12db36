/* rt_arena.c — the activation arena. A fixed buffer with a short list of live blocks sorted by offset;
 * allocations are placed first-fit from the bottom or from the top, so a layer's output can go to the end
 * opposite its input and the space between them stays in one piece. Every allocation and free is reported
 * through the ITM trace (MCUSIM_ALLOC / MCUSIM_FREE), which is how the simulator measures the arena. */
#include "mcusim_trace.h"
#include "rt.h"

#define RT_ALIGN 4u

static uint32_t align_up(uint32_t v) { return (v + RT_ALIGN - 1u) & ~(RT_ALIGN - 1u); }

void rt_arena_init(rt_arena_t *arena, void *base, uint32_t size) {
  arena->base = (uint8_t *)base;
  arena->size = size & ~(RT_ALIGN - 1u);
  arena->n_blocks = 0;
  arena->live_bytes = 0;
  arena->live_peak_bytes = 0;
  arena->required_bytes = 0;
}

/* The arena size needed for the current placement: bottom blocks measured from the start, top blocks from
 * the end; with that size every gap search would find the same places. */
static void update_required(rt_arena_t *arena) {
  uint32_t bottom = 0, top = 0;
  for (int32_t i = 0; i < arena->n_blocks; i++) {
    const rt_block_t *b = &arena->blocks[i];
    uint32_t end = b->off + align_up(b->size);
    if (b->from_top) {
      if (arena->size - b->off > top) top = arena->size - b->off;
    } else if (end > bottom) {
      bottom = end;
    }
  }
  if (bottom + top > arena->required_bytes) arena->required_bytes = bottom + top;
}

void *rt_arena_alloc(rt_arena_t *arena, uint32_t size, const char *tag, int from_top) {
  const uint32_t need = align_up(size ? size : 1u);
  if (arena->n_blocks >= RT_ARENA_MAX_BLOCKS) return NULL;
  int32_t slot = -1;
  uint32_t off = 0;
  /* gap g lies between block g-1 and block g (gap 0 starts at 0, gap n ends at the arena's end) */
  for (int32_t step = 0; step <= arena->n_blocks; step++) {
    int32_t g = from_top ? arena->n_blocks - step : step;
    uint32_t lo = g == 0 ? 0 : arena->blocks[g - 1].off + align_up(arena->blocks[g - 1].size);
    uint32_t hi = g == arena->n_blocks ? arena->size : arena->blocks[g].off;
    if (hi >= lo && hi - lo >= need) {
      slot = g;
      off = from_top ? hi - need : lo;
      break;
    }
  }
  if (slot < 0) return NULL;
  for (int32_t i = arena->n_blocks; i > slot; i--) arena->blocks[i] = arena->blocks[i - 1];
  arena->blocks[slot] = (rt_block_t){.off = off, .size = size, .tag = tag, .from_top = (uint8_t)(from_top != 0)};
  arena->n_blocks++;
  arena->live_bytes += size;
  if (arena->live_bytes > arena->live_peak_bytes) arena->live_peak_bytes = arena->live_bytes;
  update_required(arena);
  void *ptr = arena->base + off;
  MCUSIM_ALLOC(ptr, size, tag);
  return ptr;
}

static int32_t find_block(const rt_arena_t *arena, const void *ptr) {
  for (int32_t i = 0; i < arena->n_blocks; i++)
    if (arena->base + arena->blocks[i].off == (const uint8_t *)ptr) return i;
  return -1;
}

void rt_arena_free(rt_arena_t *arena, void *ptr) {
  int32_t i = find_block(arena, ptr);
  if (i < 0) return;
  MCUSIM_FREE(ptr);
  arena->live_bytes -= arena->blocks[i].size;
  for (; i + 1 < arena->n_blocks; i++) arena->blocks[i] = arena->blocks[i + 1];
  arena->n_blocks--;
}

void rt_arena_shrink(rt_arena_t *arena, void *ptr, uint32_t new_size) {
  int32_t i = find_block(arena, ptr);
  if (i < 0 || new_size >= arena->blocks[i].size) return;
  rt_block_t *b = &arena->blocks[i];
  MCUSIM_FREE(ptr);
  arena->live_bytes -= b->size - new_size;
  /* the block keeps its start; its tail joins the gap after it */
  b->size = new_size;
  MCUSIM_ALLOC(ptr, new_size, b->tag);
}
