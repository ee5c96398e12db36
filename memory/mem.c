/* memory/mem.c — SRAM accounting and attribution (see mem.h). */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *array (of elem bytes) so that it holds at least need elements; 0 or -1. */
static int grow(void **array, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t cap2 = *cap ? *cap : 16;
  while (cap2 < need) cap2 *= 2;
  void *grown = realloc(*array, cap2 * elem);
  if (!grown) return -1;
  *array = grown;
  *cap = cap2;
  return 0;
}

static void copy_name(char *dst, size_t size, const char *src) { snprintf(dst, size, "%s", src ? src : ""); }

void mem_init(mem_t *mem, uint64_t sram_bytes) {
  memset(mem, 0, sizeof *mem);
  mem->sram_bytes = sram_bytes;
  mem->lowest_sp = UINT32_MAX;
  mem->lowest_alloc = UINT32_MAX;
  mem->timeline_stride = 1;
}

void mem_set_static(mem_t *mem, uint64_t data_bytes, uint64_t bss_bytes, uint32_t static_end) {
  mem->data_bytes = data_bytes;
  mem->bss_bytes = bss_bytes;
  mem->static_end = static_end;
}

void mem_set_overflow_mapped(mem_t *mem, uint64_t bytes) { mem->overflow_mapped_bytes = bytes; }
void mem_set_arena_base(mem_t *mem, uint32_t addr) { mem->arena_base = addr; }
void mem_set_initial_sp(mem_t *mem, uint32_t sp) { mem->initial_sp = sp; }

void mem_set_stack_low(mem_t *mem, uint32_t lowest_sp, uint32_t stack_floor) {
  mem->lowest_sp = lowest_sp;
  mem->stack_floor = stack_floor;
}

void mem_release(mem_t *mem) {
  free(mem->live);
  free(mem->layers);
  free(mem->patches);
  free(mem->timeline);
  free(mem->allocs);
  free(mem->diags);
  free(mem->marks);
  free(mem->layer_slots);
  free(mem->mark_slots);
  uint64_t sram = mem->sram_bytes;
  mem_init(mem, sram);
}

/* ---- timeline: at most MEM_TIMELINE_MAX samples; when full, pairs merge into the larger one and the
 * stride doubles, so the resolution stays uniform and the peak sample is never lost. ---- */

static uint64_t sample_weight(const mem_sample_t *s) { return s->arena_bytes + s->stack_bytes; }

static void timeline_halve(mem_t *mem) {
  size_t out = 0;
  for (size_t i = 0; i + 1 < mem->timeline_count; i += 2)
    mem->timeline[out++] = sample_weight(&mem->timeline[i + 1]) > sample_weight(&mem->timeline[i])
                               ? mem->timeline[i + 1]
                               : mem->timeline[i];
  if (mem->timeline_count % 2) mem->timeline[out++] = mem->timeline[mem->timeline_count - 1];
  mem->timeline_count = out;
  mem->timeline_stride *= 2;
  mem->timeline_decimated = 1;
}

static void timeline_push(mem_t *mem, const mem_sample_t *s) {
  if (!mem->timeline) {
    mem->timeline = malloc(MEM_TIMELINE_MAX * sizeof *mem->timeline);
    if (!mem->timeline) return;
  }
  if (mem->timeline_pending_n == 0 || sample_weight(s) > sample_weight(&mem->timeline_pending))
    mem->timeline_pending = *s;
  if (++mem->timeline_pending_n < mem->timeline_stride) return;
  if (mem->timeline_count == MEM_TIMELINE_MAX) timeline_halve(mem);
  mem->timeline[mem->timeline_count++] = mem->timeline_pending;
  mem->timeline_pending_n = 0;
}

static void timeline_flush(mem_t *mem) {
  if (!mem->timeline_pending_n || !mem->timeline) return;
  if (mem->timeline_count == MEM_TIMELINE_MAX) timeline_halve(mem);
  mem->timeline[mem->timeline_count++] = mem->timeline_pending;
  mem->timeline_pending_n = 0;
}

static const mem_frame_t *innermost(const mem_t *mem, int is_patch) {
  for (size_t i = mem->frame_count; i-- > 0;)
    if (mem->frames[i].is_patch == is_patch) return &mem->frames[i];
  return NULL;
}

void mem_sample(mem_t *mem, const mem_when_t *when) {
  const mem_frame_t *layer = innermost(mem, 0), *patch = innermost(mem, 1);
  mem_sample_t s = {
      .cycle = when->cycle,
      .insn = when->insn,
      .arena_bytes = mem->arena_live_bytes,
      .stack_bytes = mem->initial_sp > when->sp ? mem->initial_sp - when->sp : 0,
      .layer = layer ? (int32_t)layer->id : -1,
      .patch_stage = patch ? (int32_t)patch->stage : -1,
      .patch_index = patch ? (int32_t)patch->index : -1,
  };
  timeline_push(mem, &s);
}

/* ---- diagnostics ---- */

const char *mem_diag_name(mem_diag_kind_t kind) {
  static const char *const names[] = {"unknown_free",      "double_free",      "overlap",  "outside_sram",
                                      "stack_into_static", "unbalanced_range", "list_full"};
  return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "unknown";
}

void mem_diagnose(mem_t *mem, mem_diag_kind_t kind, const mem_when_t *when, uint32_t address, uint32_t size,
                  const char *message) {
  mem->misuse_count++;
  if (mem->diag_count >= MEM_DIAGNOSTICS_MAX) return;
  if (!mem->diags && !(mem->diags = calloc(MEM_DIAGNOSTICS_MAX, sizeof *mem->diags))) return;
  mem_diag_t *d = &mem->diags[mem->diag_count++];
  d->kind = kind;
  d->cycle = when ? when->cycle : 0;
  d->pc = when ? when->pc : 0;
  d->lr = when ? when->lr : 0;
  d->address = address;
  d->size = size;
  copy_name(d->message, sizeof d->message, message);
}

/* ---- capped lists with a hashed index ---- */

/* Once per list (bit of full_lists): the cap was reached. */
static void list_full(mem_t *mem, const mem_when_t *when, int bit, const char *what, unsigned cap) {
  if (mem->full_lists & (1 << bit)) return;
  mem->full_lists |= 1 << bit;
  char msg[160];
  snprintf(msg, sizeof msg, "more than %u %s: later ones are not recorded (docs/report.md)", cap, what);
  mem_diagnose(mem, MEM_DIAG_LIST_FULL, when, 0, 0, msg);
}

/* The slot of key in an open-addressing table of 2 * cap entries (a power of two) holding index + 1; *slots is
 * allocated on first use. Returns the slot (its value 0 when the key is absent), or NULL without memory. `same`
 * tells whether record index i holds the key. */
static uint32_t *slot_of(uint32_t **slots, unsigned cap, uint32_t hash,
                         int (*same)(const mem_t *, size_t, const void *), const mem_t *mem, const void *key) {
  if (!*slots && !(*slots = calloc(2u * cap, sizeof **slots))) return NULL;
  const uint32_t mask = 2u * cap - 1u;
  for (uint32_t i = hash & mask;; i = (i + 1) & mask)
    if (!(*slots)[i] || same(mem, (*slots)[i] - 1u, key)) return &(*slots)[i];
}

static int same_layer(const mem_t *mem, size_t i, const void *key) {
  return mem->layers[i].id == *(const uint32_t *)key;
}

static int same_mark(const mem_t *mem, size_t i, const void *key) {
  return strncmp(mem->marks[i].name, key, MEM_NAME_MAX - 1) == 0;
}

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a over the part of the name that is kept */
  for (size_t i = 0; s[i] && i < MEM_NAME_MAX - 1; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

/* ---- layers and patches ---- */

static mem_layer_t *layer_record(mem_t *mem, const mem_when_t *when, uint32_t id, size_t *index) {
  uint32_t *slot = slot_of(&mem->layer_slots, MEM_LAYERS_MAX, id * 0x9E3779B1u, same_layer, mem, &id);
  if (!slot) return NULL;
  if (*slot) {
    if (index) *index = *slot - 1u;
    return &mem->layers[*slot - 1u];
  }
  if (mem->layer_count >= MEM_LAYERS_MAX) {
    list_full(mem, when, 0, "layer ids", MEM_LAYERS_MAX);
    return NULL;
  }
  if (grow((void **)&mem->layers, &mem->layer_cap, mem->layer_count + 1, sizeof *mem->layers)) return NULL;
  mem_layer_t *l = &mem->layers[mem->layer_count];
  memset(l, 0, sizeof *l);
  l->id = id;
  if (index) *index = mem->layer_count;
  *slot = (uint32_t)++mem->layer_count;
  return l;
}

void mem_layer_info(mem_t *mem, uint32_t id, const char *kind, uint32_t out_h, uint32_t out_w, uint32_t out_c) {
  mem_layer_t *l = layer_record(mem, NULL, id, NULL);
  if (!l) return;
  copy_name(l->kind, sizeof l->kind, kind);
  l->out_h = out_h;
  l->out_w = out_w;
  l->out_c = out_c;
}

void mem_layer_params(mem_t *mem, uint32_t id, uint64_t params, uint64_t weight_bytes) {
  mem_layer_t *l = layer_record(mem, NULL, id, NULL);
  if (!l) return;
  l->has_params = true;
  l->params = params;
  l->weight_bytes = weight_bytes;
}

static void open_frame(mem_t *mem, const mem_when_t *when, const mem_frame_t *frame) {
  if (mem->frame_count == sizeof mem->frames / sizeof *mem->frames) {
    mem_diagnose(mem, MEM_DIAG_UNBALANCED_RANGE, when, 0, 0, "ranges nested more than 16 deep");
    return;
  }
  if (mem->frame_count == 0) {
    mem->covered_cycles -= when->cycle; /* adds back at the matching close: cycles inside top-level ranges */
    mem->covered_insns -= when->insn;
  }
  mem->frames[mem->frame_count] = *frame;
  mem->frames[mem->frame_count].start_cycle = when->cycle;
  mem->frames[mem->frame_count].start_insn = when->insn;
  mem->frames[mem->frame_count].arena_peak = mem->arena_live_bytes;
  mem->frame_count++;
}

static void close_frame(mem_t *mem, const mem_when_t *when) {
  mem_frame_t *f = &mem->frames[--mem->frame_count];
  uint64_t cycles = when->cycle - f->start_cycle, insns = when->insn - f->start_insn;
  mem_range_t *r = f->record == SIZE_MAX ? NULL
                   : f->is_patch         ? &mem->patches[f->record].range
                                         : &mem->layers[f->record].range;
  if (r) {
    r->cycles += cycles;
    r->instructions += insns;
    if (f->arena_peak > r->arena_peak_bytes) r->arena_peak_bytes = f->arena_peak;
  }
  if (mem->frame_count == 0) {
    mem->covered_cycles += when->cycle;
    mem->covered_insns += when->insn;
  }
}

/* Closes ranges down to the one that matches; a mismatch is reported once. */
static void close_matching(mem_t *mem, const mem_when_t *when, int is_patch, uint32_t a, uint32_t b) {
  for (size_t i = mem->frame_count; i-- > 0;) {
    const mem_frame_t *f = &mem->frames[i];
    int match = f->is_patch == is_patch && (is_patch ? f->stage == a && f->index == b : f->id == a);
    if (!match) continue;
    if (i + 1 != mem->frame_count)
      mem_diagnose(mem, MEM_DIAG_UNBALANCED_RANGE, when, 0, 0, "a range ended while an inner one was still open");
    while (mem->frame_count > i) close_frame(mem, when);
    return;
  }
  char msg[96];
  snprintf(msg, sizeof msg, "end of a %s (%u) that was never begun", is_patch ? "patch" : "layer", a);
  mem_diagnose(mem, MEM_DIAG_UNBALANCED_RANGE, when, 0, 0, msg);
}

void mem_layer_begin(mem_t *mem, const mem_when_t *when, uint32_t id, const char *name, uint32_t macs) {
  size_t index = SIZE_MAX;
  mem_layer_t *l = layer_record(mem, when, id, &index);
  if (l) { /* else the list is full: the range is still opened, so that it nests and closes */
    if (!l->name[0]) copy_name(l->name, sizeof l->name, name);
    if (l->calls == 0) l->range.arena_at_entry_bytes = mem->arena_live_bytes;
    l->calls++;
    l->range.macs += macs;
    if (innermost(mem, 1)) l->calls_in_patch++;
  }
  mem_frame_t f = {.is_patch = 0, .id = id, .record = l ? index : SIZE_MAX};
  open_frame(mem, when, &f);
  mem_sample(mem, when);
}

void mem_layer_end(mem_t *mem, const mem_when_t *when, uint32_t id) {
  close_matching(mem, when, 0, id, 0);
  mem_sample(mem, when);
}

void mem_patch_begin(mem_t *mem, const mem_when_t *when, uint32_t stage, uint32_t index, uint32_t macs) {
  mem_frame_t f = {.is_patch = 1, .stage = stage, .index = index, .record = SIZE_MAX};
  if (mem->patch_count >= MEM_PATCHES_MAX)
    list_full(mem, when, 1, "patch ranges", MEM_PATCHES_MAX);
  else if (!grow((void **)&mem->patches, &mem->patch_cap, mem->patch_count + 1, sizeof *mem->patches)) {
    mem_patch_t *p = &mem->patches[mem->patch_count];
    memset(p, 0, sizeof *p);
    p->stage = stage;
    p->index = index;
    p->range.macs = macs;
    p->range.arena_at_entry_bytes = mem->arena_live_bytes;
    f.record = mem->patch_count++;
  }
  open_frame(mem, when, &f);
  mem_sample(mem, when);
}

void mem_patch_end(mem_t *mem, const mem_when_t *when, uint32_t stage, uint32_t index) {
  close_matching(mem, when, 1, stage, index);
  mem_sample(mem, when);
}

/* ---- arena ---- */

static int overlaps_live(const mem_t *mem, uint32_t addr, uint32_t size) {
  for (size_t i = 0; i < mem->live_count; i++) {
    uint64_t a = mem->live[i].addr, b = a + mem->live[i].size;
    if (addr < b && a < (uint64_t)addr + size) return 1;
  }
  return 0;
}

static size_t record_allocation(mem_t *mem, const mem_when_t *when, uint32_t addr, uint32_t size, const char *tag) {
  if (mem->alloc_record_count >= MEM_ALLOCATIONS_MAX ||
      grow((void **)&mem->allocs, &mem->alloc_record_cap, mem->alloc_record_count + 1, sizeof *mem->allocs)) {
    mem->allocs_truncated = 1;
    return SIZE_MAX;
  }
  mem_allocation_t *a = &mem->allocs[mem->alloc_record_count];
  copy_name(a->tag, sizeof a->tag, tag);
  a->address = addr;
  a->size = size;
  a->alloc_cycle = when->cycle;
  a->free_cycle = UINT64_MAX;
  const mem_frame_t *layer = innermost(mem, 0);
  a->layer = layer ? (int32_t)layer->id : -1;
  return mem->alloc_record_count++;
}

static void raise_frame_peaks(mem_t *mem) {
  for (size_t i = 0; i < mem->frame_count; i++)
    if (mem->arena_live_bytes > mem->frames[i].arena_peak) mem->frames[i].arena_peak = mem->arena_live_bytes;
}

static int in_static_arena(const mem_t *mem, uint32_t addr) {
  return mem->arena_reserved_bytes && addr >= mem->static_arena_addr &&
         addr - mem->static_arena_addr < mem->arena_reserved_bytes;
}

void mem_set_static_arena(mem_t *mem, uint32_t addr, uint32_t size) {
  mem->static_arena_addr = addr;
  mem->arena_reserved_bytes = size;
}

void mem_set_arena_used(mem_t *mem, uint64_t bytes) {
  mem->arena_used_bytes = bytes;
  mem->arena_used_known = 1;
}

void mem_set_heap(mem_t *mem, uint64_t bytes) { mem->heap_bytes = bytes; }
void mem_set_heap_start(mem_t *mem, uint32_t heap_start) { mem->heap_start = heap_start; }

static int in_heap(const mem_t *mem, uint32_t addr) {
  return mem->heap_start && addr >= mem->heap_start && (!mem->initial_sp || addr < mem->initial_sp);
}

int mem_alloc(mem_t *mem, const mem_when_t *when, uint32_t addr, uint32_t size, const char *tag) {
  int misuse = overlaps_live(mem, addr, size);
  if (misuse) {
    char msg[160];
    snprintf(msg, sizeof msg, "allocation '%s' of %u B at 0x%08x overlaps a live allocation", tag ? tag : "", size,
             addr);
    mem_diagnose(mem, MEM_DIAG_OVERLAP, when, addr, size, msg);
  }
  if (grow((void **)&mem->live, &mem->live_cap, mem->live_count + 1, sizeof *mem->live)) return -1;
  mem->live[mem->live_count++] = (mem_live_t){addr, size, record_allocation(mem, when, addr, size, tag)};
  mem->arena_live_bytes += size;
  if (mem->arena_live_bytes > mem->arena_peak_bytes) mem->arena_peak_bytes = mem->arena_live_bytes;
  if (!in_static_arena(mem, addr)) {
    mem->outside_live_bytes += size;
    if (mem->outside_live_bytes > mem->outside_peak_bytes) mem->outside_peak_bytes = mem->outside_live_bytes;
    if (!in_heap(mem, addr)) {
      mem->off_heap_live_bytes += size;
      if (mem->off_heap_live_bytes > mem->off_heap_peak_bytes) mem->off_heap_peak_bytes = mem->off_heap_live_bytes;
    }
  }
  if (addr < mem->lowest_alloc) mem->lowest_alloc = addr;
  if ((uint64_t)addr + size > mem->highest_alloc_end) mem->highest_alloc_end = (uint32_t)((uint64_t)addr + size);
  raise_frame_peaks(mem);
  mem->alloc_count++;
  mem_sample(mem, when);
  return misuse ? -1 : 0;
}

static int freed_before(const mem_t *mem, uint32_t addr) {
  for (size_t i = mem->alloc_record_count; i-- > 0;)
    if (mem->allocs[i].address == addr) return mem->allocs[i].free_cycle != UINT64_MAX;
  return 0;
}

int mem_free(mem_t *mem, const mem_when_t *when, uint32_t addr) {
  for (size_t i = mem->live_count; i-- > 0;) {
    if (mem->live[i].addr != addr) continue;
    mem->arena_live_bytes -= mem->live[i].size;
    if (!in_static_arena(mem, addr)) {
      mem->outside_live_bytes -= mem->live[i].size;
      if (!in_heap(mem, addr)) mem->off_heap_live_bytes -= mem->live[i].size;
    }
    if (mem->live[i].record != SIZE_MAX) mem->allocs[mem->live[i].record].free_cycle = when->cycle;
    mem->live[i] = mem->live[--mem->live_count];
    mem->free_count++;
    mem_sample(mem, when);
    return 0;
  }
  char msg[96];
  int twice = freed_before(mem, addr);
  snprintf(msg, sizeof msg, "%s of 0x%08x", twice ? "second free" : "free of an address never allocated", addr);
  mem_diagnose(mem, twice ? MEM_DIAG_DOUBLE_FREE : MEM_DIAG_UNKNOWN_FREE, when, addr, 0, msg);
  return -1;
}

void mem_free_all(mem_t *mem, const mem_when_t *when) {
  while (mem->live_count) mem_free(mem, when, mem->live[mem->live_count - 1].addr);
}

/* ---- marks ---- */

static mem_mark_t *mark_slot(mem_t *mem, const char *name) {
  name = name ? name : "";
  uint32_t *slot = slot_of(&mem->mark_slots, MEM_MARKS_MAX, hash_name(name), same_mark, mem, name);
  if (!slot) return NULL;
  if (*slot) return &mem->marks[*slot - 1u];
  if (mem->mark_count >= MEM_MARKS_MAX) {
    list_full(mem, NULL, 2, "mark names", MEM_MARKS_MAX);
    return NULL;
  }
  if (grow((void **)&mem->marks, &mem->mark_cap, mem->mark_count + 1, sizeof *mem->marks)) return NULL;
  mem_mark_t *m = &mem->marks[mem->mark_count];
  memset(m, 0, sizeof *m);
  copy_name(m->name, sizeof m->name, name);
  *slot = (uint32_t)++mem->mark_count;
  return m;
}

void mem_mark_number(mem_t *mem, const char *name, uint32_t value) {
  mem_mark_t *m = mark_slot(mem, name);
  if (!m) return;
  m->is_string = 0;
  m->number = value;
}

void mem_mark_string(mem_t *mem, const char *name, const char *text) {
  mem_mark_t *m = mark_slot(mem, name);
  if (!m) return;
  m->is_string = 1;
  copy_name(m->text, sizeof m->text, text);
}

/* ---- after the run ---- */

/* The stack is the written run that reaches down from the initial SP; it ends at the first gap of
 * MEM_STACK_GAP_BYTES still-painted bytes (frames may leave shorter gaps; the heap below is separate). */
#define MEM_STACK_GAP_BYTES 256u

void mem_scan_painted(mem_t *mem, const uint8_t *sram, uint32_t base, uint32_t size) {
  for (uint32_t off = 0; off + 4 <= size; off += 4) {
    uint32_t word;
    memcpy(&word, sram + off, 4);
    mem->touched_bytes += word != MEM_PAINT_WORD ? 4 : 0;
    /* a static arena in .bss was zeroed by the start-up code: written since means a word not zero (a zero written
     * is missed) */
    if (word != MEM_PAINT_WORD && word && in_static_arena(mem, base + off)) mem->arena_touched_bytes += 4;
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

void mem_finish(mem_t *mem, const mem_when_t *end) {
  while (mem->frame_count) close_frame(mem, end);
  mem_sample(mem, end);
  timeline_flush(mem);
  mem->other_cycles = end->cycle - mem->covered_cycles;
  mem->other_insns = end->insn - mem->covered_insns;
  mem->static_bytes = mem->data_bytes + mem->bss_bytes;
  if (mem->lowest_sp != UINT32_MAX && mem->initial_sp > mem->lowest_sp)
    mem->stack_peak_bytes = mem->initial_sp - mem->lowest_sp;
  if (mem->static_end && mem->lowest_sp < mem->static_end) {
    char msg[160];
    snprintf(msg, sizeof msg, "the stack grew down to 0x%08x, into static data and the arena (which end at 0x%08x)",
             mem->lowest_sp, mem->static_end);
    mem_diagnose(mem, MEM_DIAG_STACK_INTO_STATIC, end, mem->lowest_sp, mem->static_end - mem->lowest_sp, msg);
  }
  uint32_t base = mem->arena_base ? mem->arena_base : mem->lowest_alloc;
  if (mem->alloc_count && mem->highest_alloc_end > base) mem->arena_high_water_bytes = mem->highest_alloc_end - base;
  if (!mem->arena_base && mem->alloc_count) mem->arena_base = mem->lowest_alloc;
  /* allocations inside a static arena are already in static; the arena could shrink to what its allocator used */
  /* allocations inside the heap are in heap_bytes when it is counted */
  uint64_t allocations = mem->heap_bytes ? mem->off_heap_peak_bytes : mem->outside_peak_bytes;
  mem->peak_bytes = mem->static_bytes + mem->stack_peak_bytes + allocations + mem->heap_bytes;
  if (mem->arena_reserved_bytes && mem->arena_used_known && mem->arena_used_bytes < mem->arena_reserved_bytes)
    mem->peak_bytes -= mem->arena_reserved_bytes - mem->arena_used_bytes;
  mem->headroom_bytes = (int64_t)mem->sram_bytes - (int64_t)mem->peak_bytes;
}
