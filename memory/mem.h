/* memory/mem.h — SRAM accounting and attribution: static sections, stack watermark, the arena live set from the
 * firmware's alloc/free events, per-layer and per-patch figures, a bounded timeline, the allocation list,
 * misuse diagnostics and the firmware's marks. Definitions: ARCHITECTURE.md "Memory accounting"; the report
 * format: docs/report.md. The simulator feeds it events stamped with mem_when_t; reports read the structs.
 * Never prints, never exits. Ownership: mem_init/mem_release; strings passed in are copied. */
#ifndef MCUSIM_MEM_H
#define MCUSIM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill pattern painted over SRAM before the firmware runs; a word that still holds it was never written. */
#define MEM_PAINT_WORD 0xDEADC0DEu
#define MEM_TIMELINE_MAX 4096u
#define MEM_ALLOCATIONS_MAX 100000u
#define MEM_DIAGNOSTICS_MAX 1000u
#define MEM_NAME_MAX 256u /* a C++ name with its parameter list and @file (issue 17: full names in the JSON) */
/* Caps on the lists the firmware's events grow (issue 21, F23: a million patch events took 1.2 GB). Beyond a cap an
 * event is still timed in the ranges around it but not recorded, and one `list_full` diagnostic says so. */
#define MEM_LAYERS_MAX 4096u   /* distinct layer ids */
#define MEM_PATCHES_MAX 65536u /* patch ranges (one record per begin) */
#define MEM_MARKS_MAX 1024u    /* distinct mark names */

/* When an event happened: the executing instruction's cycle and instruction counts, SP and PC. */
typedef struct {
  uint64_t cycle, insn;
  uint32_t sp, pc, lr; /* lr: the caller when the event came from a helper such as mcusim_trace_event */
} mem_when_t;

/* What a layer or a patch range accumulates over its calls. */
typedef struct {
  uint64_t instructions, cycles, macs;
  uint64_t arena_peak_bytes;     /* highest arena live bytes while inside */
  uint64_t arena_at_entry_bytes; /* arena live bytes at the first entry */
} mem_range_t;

typedef struct {
  uint32_t id;
  char name[MEM_NAME_MAX];
  char kind[24];
  uint32_t out_h, out_w, out_c; /* 0 when unknown */
  bool has_params;              /* params and weight_bytes known (LAYER_PARAMS, or the model in tflm mode) */
  uint64_t params;              /* weights + biases (elements) */
  uint64_t weight_bytes;        /* bytes the layer reads from flash: weights, bias, multipliers, shifts */
  uint64_t calls;
  uint64_t calls_in_patch; /* calls that ran inside a patch range */
  mem_range_t range;
} mem_layer_t;

typedef struct {
  uint32_t stage, index;
  mem_range_t range;
} mem_patch_t;

typedef struct {
  uint64_t cycle, insn, arena_bytes, stack_bytes;
  int32_t layer;                    /* innermost open layer id, -1 none */
  int32_t patch_stage, patch_index; /* innermost open patch, -1 none */
} mem_sample_t;

typedef struct {
  char tag[MEM_NAME_MAX];
  uint32_t address, size;
  uint64_t alloc_cycle, free_cycle; /* free_cycle UINT64_MAX while live */
  int32_t layer;
} mem_allocation_t;

typedef enum {
  MEM_DIAG_UNKNOWN_FREE,
  MEM_DIAG_DOUBLE_FREE,
  MEM_DIAG_OVERLAP,
  MEM_DIAG_OUTSIDE_SRAM,
  MEM_DIAG_STACK_INTO_STATIC,
  MEM_DIAG_UNBALANCED_RANGE,
  MEM_DIAG_LIST_FULL, /* layers, patches or marks reached their cap: later ones are not recorded */
} mem_diag_kind_t;

typedef struct {
  mem_diag_kind_t kind;
  uint64_t cycle;
  uint32_t pc, lr, address, size;
  char message[160];
} mem_diag_t;

typedef struct {
  char name[MEM_NAME_MAX];
  int is_string;
  uint32_t number;
  char text[MEM_NAME_MAX];
} mem_mark_t;

/* A live allocation: address, size, and its index in allocs[] (SIZE_MAX when the list was full). */
typedef struct {
  uint32_t addr, size;
  size_t record;
} mem_live_t;

/* An open layer or patch range. */
typedef struct {
  int is_patch;
  uint32_t id, stage, index; /* id: layer id; stage/index: patch */
  uint64_t start_cycle, start_insn, arena_peak;
  size_t record; /* index into layers[] or patches[]; SIZE_MAX when the list was full */
} mem_frame_t;

typedef struct {
  /* static: .data + .bss in SRAM, from the ELF */
  uint64_t data_bytes, bss_bytes, static_bytes;
  uint32_t static_end; /* first SRAM address above the firmware's static sections and arena section */
  /* stack */
  uint32_t initial_sp, lowest_sp, stack_floor;
  uint64_t stack_peak_bytes, stack_painted_bytes;
  /* arena */
  uint64_t arena_live_bytes, arena_peak_bytes, arena_high_water_bytes;
  uint32_t arena_base; /* 0: the lowest allocation address */
  uint64_t alloc_count, free_count, misuse_count;
  /* painting and totals */
  uint64_t touched_bytes, sram_bytes, peak_bytes, overflow_mapped_bytes;
  int64_t headroom_bytes; /* sram_bytes - peak_bytes; negative: overflow */
  uint32_t highest_alloc_end, lowest_alloc;
  /* a static arena (issue 17): an object in .data/.bss that allocations are made inside (TFLM's tensor_arena);
   * allocations inside it are part of static and never counted again. reserved = its size; used = what the
   * firmware's allocator reports (0 when unknown); touched = its bytes written. */
  uint32_t static_arena_addr;
  uint64_t arena_reserved_bytes, arena_used_bytes, arena_touched_bytes;
  int arena_used_known;
  uint64_t outside_live_bytes, outside_peak_bytes; /* allocations outside the static arena */
  /* newlib's heap: the highest _sbrk break above the first (0 when the firmware never called it); allocations at or
   * above heap_start (malloc's, annotated) are inside it and not counted again when it is */
  uint64_t heap_bytes;
  uint32_t heap_start;
  uint64_t off_heap_live_bytes, off_heap_peak_bytes; /* allocations outside the static arena and below heap_start */

  /* live allocations */
  mem_live_t *live;
  size_t live_count, live_cap;

  mem_layer_t *layers;
  size_t layer_count, layer_cap;
  uint32_t *layer_slots; /* open-addressing index of layers[] by id: index + 1, 0 empty; 2 * MEM_LAYERS_MAX */
  mem_patch_t *patches;
  size_t patch_count, patch_cap;
  mem_frame_t frames[16];
  size_t frame_count;
  uint64_t covered_cycles, covered_insns; /* inside any top-level layer or patch range */
  uint64_t other_cycles, other_insns;

  mem_sample_t *timeline;
  size_t timeline_count, timeline_stride, timeline_pending_n;
  mem_sample_t timeline_pending;
  int timeline_decimated;

  mem_allocation_t *allocs;
  size_t alloc_record_count, alloc_record_cap;
  int allocs_truncated;

  mem_diag_t *diags;
  size_t diag_count;

  mem_mark_t *marks;
  size_t mark_count, mark_cap;
  uint32_t *mark_slots; /* the same for marks[] by name; 2 * MEM_MARKS_MAX */
  int full_lists;       /* bit 0 layers, 1 patches, 2 marks: the list_full diagnostic was given */
} mem_t;

void mem_init(mem_t *mem, uint64_t sram_bytes);
void mem_release(mem_t *mem);

/* What the simulator knows before and after the run (setters, so that no caller writes mem_t's fields). */
/* .data and .bss bytes in SRAM, and the first SRAM address above the static sections and arena section. */
void mem_set_static(mem_t *mem, uint64_t data_bytes, uint64_t bss_bytes, uint32_t static_end);
/* SRAM the simulator mapped behind the device's first region for a firmware that needs more. */
void mem_set_overflow_mapped(mem_t *mem, uint64_t bytes);
/* The arena's first address (`__arena_start`); without it the lowest allocation is the base. */
void mem_set_arena_base(mem_t *mem, uint32_t addr);
/* A static object that holds an arena (addr, size): allocations inside it count as static, once. */
void mem_set_static_arena(mem_t *mem, uint32_t addr, uint32_t size);
/* What the firmware's own allocator reports as used of the static arena. */
void mem_set_arena_used(mem_t *mem, uint64_t bytes);
/* newlib's heap high-water mark (from _sbrk), counted in peak SRAM; heap_start: its first address (`end`), so that
 * allocations inside it are counted once. */
void mem_set_heap(mem_t *mem, uint64_t bytes);
void mem_set_heap_start(mem_t *mem, uint32_t heap_start);
/* SP at reset: the stack's top. */
void mem_set_initial_sp(mem_t *mem, uint32_t sp);
/* After the run: the lowest SP sampled, and the address the stack may not go below (the heap's start). */
void mem_set_stack_low(mem_t *mem, uint32_t lowest_sp, uint32_t stack_floor);

/* Firmware events. Names are copied (truncated to MEM_NAME_MAX - 1). */
void mem_layer_info(mem_t *mem, uint32_t id, const char *kind, uint32_t out_h, uint32_t out_w, uint32_t out_c);
void mem_layer_params(mem_t *mem, uint32_t id, uint64_t params, uint64_t weight_bytes);
void mem_layer_begin(mem_t *mem, const mem_when_t *when, uint32_t id, const char *name, uint32_t macs);
void mem_layer_end(mem_t *mem, const mem_when_t *when, uint32_t id);
void mem_patch_begin(mem_t *mem, const mem_when_t *when, uint32_t stage, uint32_t index, uint32_t macs);
void mem_patch_end(mem_t *mem, const mem_when_t *when, uint32_t stage, uint32_t index);
/* Return 0, or -1 for misuse (recorded as a diagnostic). */
int mem_alloc(mem_t *mem, const mem_when_t *when, uint32_t addr, uint32_t size, const char *tag);
int mem_free(mem_t *mem, const mem_when_t *when, uint32_t addr);
/* Frees every live allocation, newest first (an arena reset). */
void mem_free_all(mem_t *mem, const mem_when_t *when);
void mem_mark_number(mem_t *mem, const char *name, uint32_t value);
void mem_mark_string(mem_t *mem, const char *name, const char *text);
void mem_diagnose(mem_t *mem, mem_diag_kind_t kind, const mem_when_t *when, uint32_t address, uint32_t size,
                  const char *message);
const char *mem_diag_name(mem_diag_kind_t kind);
/* A timeline sample now (events add their own; the simulator adds start and end). */
void mem_sample(mem_t *mem, const mem_when_t *when);

/* After the run: stack and touched figures from painted SRAM (`sram` is a copy of one region at `base`). */
void mem_scan_painted(mem_t *mem, const uint8_t *sram, uint32_t base, uint32_t size);
/* Closes open ranges at `end`, derives stack peak, other, peak_bytes, headroom and the stack diagnostic. */
void mem_finish(mem_t *mem, const mem_when_t *end);

#endif /* MCUSIM_MEM_H */
