/* sim/devices/periph.c — vendor peripherals described by the profile (periph.h). */
#include "sim/devices/periph.h"

#include <stdlib.h>
#include <string.h>

#include "sim/devices/bitband.h"

/* Applies the block's rules whose source register is at `word_offset` (all rules when it is UINT32_MAX). */
static void apply_rules(dev_periph_t *p, unsigned block, uint32_t word_offset) {
  const prof_pblock_t *b = &p->desc->blocks[block];
  for (unsigned i = 0; i < b->rule_count; i++) {
    const prof_prule_t *r = &b->rules[i];
    if (word_offset != UINT32_MAX && r->when_offset != word_offset) continue;
    uint32_t source = p->words[block][r->when_offset / 4];
    uint32_t *target = &p->words[r->then_block][r->then_offset / 4];
    *target = (source & r->mask) == r->mask ? *target | r->set : *target & ~r->set;
  }
}

int dev_periph_init(dev_periph_t *p, const dev_host_t *host, const prof_periph_t *desc, int bitband) {
  memset(p, 0, sizeof *p);
  p->host = host;
  p->desc = desc;
  p->bitband = bitband;
  for (unsigned i = 0; desc && i < desc->block_count; i++) {
    const prof_pblock_t *b = &desc->blocks[i];
    if (!(p->words[i] = calloc(b->size / 4, sizeof(uint32_t)))) return -1;
    for (unsigned k = 0; k < b->reg_count; k++) p->words[i][b->regs[k].offset / 4] = b->regs[k].reset;
  }
  for (unsigned i = 0; desc && i < desc->block_count; i++) apply_rules(p, i, UINT32_MAX);
  return 0;
}

void dev_periph_free(dev_periph_t *p) {
  for (unsigned i = 0; i < PROF_MAX_PERIPH_BLOCKS; i++) {
    free(p->words[i]);
    p->words[i] = NULL;
  }
}

/* The block holding addr, or -1. */
static int find_block(dev_periph_t *p, uint32_t addr) {
  if (!p->desc) return -1;
  const prof_pblock_t *blocks = p->desc->blocks;
  unsigned last = p->last_block;
  if (last < p->desc->block_count && addr - blocks[last].base < blocks[last].size) return (int)last;
  unsigned lo = 0, hi = p->desc->block_count; /* blocks are sorted by base */
  while (lo < hi) {
    unsigned mid = (lo + hi) / 2;
    if (addr < blocks[mid].base)
      hi = mid;
    else if (addr - blocks[mid].base >= blocks[mid].size)
      lo = mid + 1;
    else
      return (int)(p->last_block = mid);
  }
  return -1;
}

static const prof_preg_t *listed(const prof_pblock_t *b, uint32_t offset) {
  for (unsigned i = 0; i < b->reg_count; i++)
    if (b->regs[i].offset == offset) return &b->regs[i];
  return NULL;
}

static void undescribed(dev_periph_t *p, uint32_t addr, uint32_t access_addr, int is_write) {
  p->undescribed_accesses++;
  uint32_t grain = addr & ~(DEV_PERIPH_WARN_GRAIN - 1);
  unsigned i = 0;
  while (i < p->warning_count && (p->warnings[i].address & ~(DEV_PERIPH_WARN_GRAIN - 1)) != grain) i++;
  if (i < p->warning_count) {
    p->warnings[i].accesses++;
  } else if (p->warning_count < DEV_PERIPH_MAX_WARNINGS) {
    mem_when_t now;
    p->host->now(p->host->opaque, access_addr, &now);
    p->warnings[p->warning_count++] = (dev_periph_warning_t){addr, now.pc, is_write, 1};
  } else {
    p->warnings_dropped++;
  }
  if (p->on_undescribed) p->on_undescribed(p->undescribed_opaque, addr, access_addr, is_write);
}

static uint64_t size_mask(unsigned size) { return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1; }

static uint64_t read_at(dev_periph_t *p, uint32_t addr, uint32_t access_addr, unsigned size) {
  int b = find_block(p, addr);
  if (b < 0) {
    undescribed(p, addr, access_addr, 0);
    return 0;
  }
  p->counts[b].reads++;
  uint32_t offset = addr - p->desc->blocks[b].base;
  uint32_t word = p->words[b][offset / 4];
  return (word >> ((offset & 3) * 8)) & size_mask(size);
}

static void write_at(dev_periph_t *p, uint32_t addr, uint32_t access_addr, unsigned size, uint32_t value) {
  int b = find_block(p, addr);
  if (b < 0) {
    undescribed(p, addr, access_addr, 1);
    return;
  }
  p->counts[b].writes++;
  const prof_pblock_t *block = &p->desc->blocks[b];
  uint32_t offset = addr - block->base, word_offset = offset & ~3u;
  const prof_preg_t *reg = listed(block, word_offset);
  if (reg && reg->stream) {            /* a transmit data register: the byte goes out, nothing is stored */
    char byte = (char)(value & 0xFFu); /* Unicorn hands the value of the access itself, at any offset */
    p->host->output(p->host->opaque, reg->stream == PROF_STREAM_STDERR ? 2 : 1, &byte, 1);
    p->stream_bytes++;
    return;
  }
  uint32_t *word = &p->words[b][word_offset / 4];
  uint32_t shift = (offset & 3) * 8, mask = (uint32_t)(size_mask(size) << shift);
  uint32_t written = (*word & ~mask) | (((uint32_t)value << shift) & mask);
  uint32_t writable = reg ? reg->writable : 0xFFFFFFFFu;
  *word = (*word & ~writable) | (written & writable);
  apply_rules(p, (unsigned)b, word_offset);
}

/* The peripheral bit-band alias: a word stands for one bit of a byte of the region (bitband.h). */
static int alias(const dev_periph_t *p, uint32_t addr) {
  return p->bitband && addr - DEV_BITBAND_PERIPH_ALIAS < DEV_BITBAND_ALIAS_SIZE;
}

uint64_t dev_periph_read(void *state, uint32_t offset, unsigned size) {
  dev_periph_t *p = state;
  uint32_t addr = DEV_PERIPH_BASE + offset;
  if (alias(p, addr)) {
    unsigned bit;
    uint32_t target = dev_bitband_target(DEV_BITBAND_PERIPH_BASE, addr - DEV_BITBAND_PERIPH_ALIAS, &bit);
    return (read_at(p, target, addr, 1) >> bit) & 1u;
  }
  return read_at(p, addr, addr, size);
}

void dev_periph_write(void *state, uint32_t offset, unsigned size, uint64_t value) {
  dev_periph_t *p = state;
  uint32_t addr = DEV_PERIPH_BASE + offset;
  if (alias(p, addr)) {
    unsigned bit;
    uint32_t target = dev_bitband_target(DEV_BITBAND_PERIPH_BASE, addr - DEV_BITBAND_PERIPH_ALIAS, &bit);
    uint32_t byte = (uint32_t)read_at(p, target, addr, 1);
    byte = (value & 1u) ? byte | (1u << bit) : byte & ~(1u << bit);
    write_at(p, target, addr, 1, byte);
    return;
  }
  write_at(p, addr, addr, size, (uint32_t)value);
}
