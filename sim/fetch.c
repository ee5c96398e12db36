/* sim/fetch.c — flash wait states behind the profile's ART accelerator / instruction cache (see fetch.h and
 * docs/profiles.md, "Flash timing model").
 *
 * The model, per executed block whose first instruction lies in flash:
 *   - the block's bytes [addr, end) touch lines addr >> s .. (end - 1) >> s of the instruction cache;
 *   - a line that hits costs nothing (the zero-wait-state core tables already count the fetch);
 *   - a line that misses costs the cache's miss_cycles (profile; default wait_states * line_bits / read_bits);
 *   - with a prefetcher (STM32 ART: RM0090/RM0383 section 3.4.x "Instruction prefetch"), a miss on the line right
 *     after the previous one fetched is already on its way: it costs what the previous line's execution did not
 *     hide, max(0, miss_cycles - cycles spent in one line), the latter estimated from the block's cycles per byte;
 *   - blocks outside flash (SRAM, TCM) cost nothing: zero wait states.
 * Replacement is LRU within a set. Data reads from flash (precise mode) go through the data cache when the profile
 * has one (ART D-cache lines, Cortex-M7 L1 D-cache), the instruction cache when it is unified (RP2040 XIP), and
 * otherwise pay the wait states on every read. */
#include "sim/fetch.h"

#include <stdlib.h>
#include <string.h>

/* Lines verified resident since the last miss, direct-mapped: only a miss can evict, so while the epoch is unchanged
 * a hit costs one compare instead of a set scan (up to 64 ways on the ART). LRU stamps are therefore refreshed at
 * the first use after each miss, not at every use: "least recently used" at miss granularity. */
#define FILTER_SLOTS 512u

typedef struct {
  uint32_t tag, epoch;
} filter_t;

typedef struct {
  uint32_t *tags;   /* sets * ways: line number + 1, 0 = invalid */
  uint64_t *stamps; /* last use, for LRU */
  filter_t *filter; /* FILTER_SLOTS */
  uint32_t ways, set_mask, line_shift;
  uint32_t miss_cycles;
  uint32_t epoch; /* misses so far */
  uint64_t clock;
  uint8_t prefetch, present;
} cache_t;

struct sim_fetch {
  sim_fetch_hot_t hot; /* first: fetch.h's inline fast path reads it */
  uint32_t flash_base, flash_size;
  uint32_t uncached_cycles; /* no cache: wait states per flash read of read_bits */
  uint32_t uncached_shift;
  cache_t icache, dcache;
  cache_t *data;                             /* cache data reads go through, or NULL */
  uint64_t *data_cycles, *data_block_cycles; /* the run's total, and the current block's dynamic extra */
  uc_hook data_hook;
  sim_fetch_stats_t stats;
};

static uint32_t log2u(uint32_t v) {
  uint32_t n = 0;
  while (v > 1) {
    v >>= 1;
    n++;
  }
  return n;
}

static int cache_init(cache_t *c, const prof_cache_t *pc) {
  if (!pc->line_bytes) return 0;
  uint32_t sets = pc->lines / pc->ways;
  c->tags = calloc(pc->lines, sizeof *c->tags);
  c->stamps = calloc(pc->lines, sizeof *c->stamps);
  c->filter = calloc(FILTER_SLOTS, sizeof *c->filter);
  if (!c->tags || !c->stamps || !c->filter) return -1;
  c->ways = pc->ways;
  c->set_mask = sets - 1;
  c->line_shift = log2u(pc->line_bytes);
  c->miss_cycles = pc->miss_cycles;
  c->prefetch = pc->prefetch;
  c->present = 1;
  return 0;
}

static void cache_free(cache_t *c) {
  free(c->tags);
  free(c->stamps);
  free(c->filter);
}

/* 1 on a hit; on a miss the LRU way of the set takes the line and 0 is returned. */
static inline int cache_access(cache_t *c, uint32_t line) {
  uint32_t tag = line + 1;
  filter_t *seen = &c->filter[line % FILTER_SLOTS];
  if (seen->tag == tag && seen->epoch == c->epoch) return 1;
  uint32_t base = (line & c->set_mask) * c->ways;
  uint32_t *tags = c->tags + base;
  uint64_t *stamps = c->stamps + base;
  uint32_t victim = 0;
  int hit = 0;
  c->clock++;
  for (uint32_t w = 0; w < c->ways; w++) {
    if (tags[w] == tag) {
      victim = w;
      hit = 1;
      break;
    }
    if (stamps[w] < stamps[victim]) victim = w;
  }
  tags[victim] = tag;
  stamps[victim] = c->clock;
  c->epoch += !hit;
  seen->tag = tag;
  seen->epoch = c->epoch;
  return hit;
}

sim_fetch_t *sim_fetch_create(const prof_t *profile, int *err) {
  if (err) *err = 0;
  const prof_cache_t *ic = &profile->icache, *dc = &profile->dcache;
  /* Nothing to charge: zero wait states and no cache with a miss cost of its own (RP2040's XIP has wait_states 0). */
  if (profile->flash_wait_states == 0 && (!ic->line_bytes || ic->miss_cycles == 0) &&
      (!dc->line_bytes || dc->miss_cycles == 0))
    return NULL;
  sim_fetch_t *f = calloc(1, sizeof *f);
  if (!f) goto fail;
  f->flash_base = profile->flash.base;
  f->flash_size = profile->flash.size;
  f->uncached_cycles = profile->flash_wait_states;
  f->uncached_shift = log2u((profile->flash_read_bits ? profile->flash_read_bits : 32) / 8);
  if (cache_init(&f->icache, ic) || cache_init(&f->dcache, dc)) goto fail;
  f->data = f->dcache.present ? &f->dcache : ic->unified && f->icache.present ? &f->icache : NULL;
  /* Memos compare against the I-cache's miss count (a memo is only written when that cache exists). */
  f->hot.epoch = &f->icache.epoch;
  return f;
fail:
  sim_fetch_destroy(f);
  if (err) *err = -1;
  return NULL;
}

void sim_fetch_destroy(sim_fetch_t *fetch) {
  if (!fetch) return;
  cache_free(&fetch->icache);
  cache_free(&fetch->dcache);
  free(fetch);
}

/* Cycles a prefetched sequential miss still stalls: the prefetch started when the previous line started
 * executing, so the previous line's execution time (estimated from this block's cycles per byte) is hidden. */
static uint32_t prefetched_cost(const cache_t *c, const isa_block_t *block) {
  uint32_t bytes = block->end - block->addr;
  uint32_t per_line = bytes ? (uint32_t)(((uint64_t)block->cycles << c->line_shift) / bytes) : 0;
  return c->miss_cycles > per_line ? c->miss_cycles - per_line : 0;
}

uint32_t sim_fetch_block_cycles_slow(sim_fetch_t *f, const isa_block_t *block, sim_fetch_memo_t *memo) {
  if (block->addr - f->flash_base >= f->flash_size) {
    f->hot.prev_line = 0; /* SRAM/TCM: zero wait states; the flash prefetch stream is broken */
    return 0;
  }
  cache_t *c = &f->icache;
  if (!c->present) {
    /* No cache: every flash read of the block's instructions pays the wait states. */
    uint32_t first = block->addr >> f->uncached_shift, last = (block->end - 1) >> f->uncached_shift;
    uint32_t n = last - first + 1, cost = n * f->uncached_cycles;
    f->hot.line_lookups += n;
    f->stats.line_misses += n;
    f->stats.stall_cycles += cost;
    return cost;
  }
  uint32_t first = block->addr >> c->line_shift, last = (block->end - 1) >> c->line_shift;
  uint32_t prev = f->hot.prev_line;
  f->hot.prev_line = last + 1;
  f->hot.line_lookups += last - first + 1;
  /* Hot path: every line verified resident since the last miss (one compare each, no stores). */
  uint32_t line = first;
  for (; line <= last; line++) {
    const filter_t *seen = &c->filter[line % FILTER_SLOTS];
    if (seen->tag != line + 1 || seen->epoch != c->epoch) break;
  }
  if (line > last) {
    *memo = (sim_fetch_memo_t){.epoch1 = c->epoch + 1, .last_line1 = last + 1, .lines = last - first + 1};
    return 0;
  }
  uint32_t cost = 0;
  for (line = first; line <= last; prev = ++line) {
    if (cache_access(c, line)) continue;
    f->stats.line_misses++;
    cost += c->prefetch && prev && line == prev ? prefetched_cost(c, block) : c->miss_cycles;
  }
  f->stats.stall_cycles += cost;
  return cost;
}

/* UC_HOOK_MEM_READ on the flash range (precise mode). */
static void on_flash_read(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *opaque) {
  (void)uc;
  (void)type;
  (void)value;
  sim_fetch_t *f = opaque;
  uint32_t addr = (uint32_t)address, cost = 0;
  f->stats.data_reads++;
  cache_t *c = f->data;
  if (!c) {
    cost = f->uncached_cycles;
  } else {
    uint32_t first = addr >> c->line_shift, last = (addr + (uint32_t)(size > 0 ? size : 1) - 1) >> c->line_shift;
    for (uint32_t line = first; line <= last; line++)
      if (!cache_access(c, line)) cost += c->miss_cycles;
  }
  f->stats.data_stall_cycles += cost;
  *f->data_cycles += cost;
  if (f->data_block_cycles) *f->data_block_cycles += cost;
}

int sim_fetch_enable_data_reads(sim_fetch_t *fetch, uc_engine *uc, uint64_t *cycles, uint64_t *block_cycles) {
  if (!fetch) return 0;
  fetch->data_cycles = cycles;
  fetch->data_block_cycles = block_cycles;
  uint64_t begin = fetch->flash_base, end = (uint64_t)fetch->flash_base + fetch->flash_size - 1;
  return uc_hook_add(uc, &fetch->data_hook, UC_HOOK_MEM_READ, (void *)on_flash_read, fetch, begin, end) == UC_ERR_OK
             ? 0
             : -1;
}

void sim_fetch_stats(const sim_fetch_t *fetch, sim_fetch_stats_t *out) {
  *out = fetch ? fetch->stats : (sim_fetch_stats_t){0};
  if (fetch) out->line_lookups = fetch->hot.line_lookups;
}
