/* sim/probes/annotate.h — symbol annotations (issue 10, docs/annotate.md): layers, allocations and markers of a
 * firmware that does not use the trace header, from a JSON file naming its functions. They reach the memory module
 * exactly as the firmware's own trace events do (mem_layer_begin/end, mem_alloc/mem_free), so every report works
 * unchanged.
 *
 * Method: one code hook (probe_host_t.hook_code) per annotated function entry (and marker address), nothing
 * elsewhere. A call that needs its return (a layer's end, an allocator's result in r0) reads LR at entry and hooks
 * the return address on first use, asking the engine to drop the translated block there so the new hook applies.
 * The return is matched by address and SP, so recursion and calls from several sites pair correctly. Events are
 * stamped with probe_host_t.now_at_pc.
 *
 * Internal to the simulator library; the public entry point is mcusim_annotate() in mcusim.h. */
#ifndef MCUSIM_PROBE_ANNOTATE_H
#define MCUSIM_PROBE_ANNOTATE_H

#include <stddef.h>

#include "memory/mem.h"
#include "sim/probes/probe.h"

#define PROBE_ANNOT_MAX_RULES 256
#define PROBE_ANNOT_MAX_SITES 4096   /* hooked entry addresses (a pattern may match many functions) */
#define PROBE_ANNOT_MAX_PENDING 64   /* calls waiting for their return */
#define PROBE_ANNOT_MAX_RETURNS 1024 /* distinct return addresses hooked */

typedef struct probe_annot probe_annot_t;

/* An empty set of rules (NULL: no memory); the host is borrowed and must outlive it. */
probe_annot_t *probe_annot_create(const probe_host_t *host);
/* Adds the rules of the annotation file at path, matched against the firmware's symbols. 0, or -1 with one line
 * naming the file and the problem in msg (the rules of this file are dropped). */
int probe_annot_load(probe_annot_t *annot, const char *path, const sim_elf_t *elf, char *msg, size_t msg_size);
/* Installs the hooks before the run; the events they produce go to mem. 0 or -1 (a hook was refused). */
int probe_annot_install(probe_annot_t *annot, mem_t *mem);
void probe_annot_free(probe_annot_t *annot);
/* --stop-after FUNCTION:N: the run ends as a normal completion (exit 0) at the Nth return from FUNCTION (a name,
 * pattern, "name@file" or address, as a rule's "function"). 0, or -1 with one line in msg. */
int probe_annot_stop_after(probe_annot_t *annot, const char *spec, const sim_elf_t *elf, char *msg, size_t msg_size);

/* Warnings of loading and running: a rule that matches nothing, an optional marker skipped, a hash range unreadable.
 * Each is one line "FILE: markers[2]: ...". */
size_t probe_annot_warning_count(const probe_annot_t *annot);
const char *probe_annot_warning(const probe_annot_t *annot, size_t i);

/* One return of a hash marker's function: FNV-1a (32-bit) of bytes at address. */
typedef struct {
  const char *name; /* the marker's name (owned by the annotations) */
  uint64_t call;    /* 1, 2, ... */
  uint32_t address, bytes, fnv1a;
  uint64_t cycle;
} probe_annot_hash_t;
const probe_annot_hash_t *probe_annot_hashes(const probe_annot_t *annot, size_t *count);
uint32_t probe_annot_fnv1a(const uint8_t *bytes, size_t n);

#endif /* MCUSIM_PROBE_ANNOTATE_H */
