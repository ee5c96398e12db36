/* sim/probes/tflm.h — TensorFlow Lite Micro images without annotations (issue 17, docs/tflm.md), and newlib's heap
 * for every firmware.
 *
 * tflm mode: recognised by the interpreter's symbols (tflite::MicroInterpreter::Invoke, and
 * tflite::MicroInterpreterGraph::InvokeSubgraph in recent TFLM). The probe decodes the Thumb instructions of the
 * function holding the node loop (InvokeSubgraph when linked, else Invoke) and hooks every register call (BLX Rm)
 * there and its return: one of them is the call of the registration's invoke pointer, so kernels are never guessed
 * from their names (reference, CMSIS-NN and other kernels all work). The loop's other register calls (the profiler's
 * and the allocator's virtual methods) are told apart by their target: an invoke function's mangled name spells its
 * parameters (TfLiteContext *, TfLiteNode *); a C function is taken as an operator too. Each operator call is one layer
 * `op_index/OPERATOR`, its index counted from the entry of Invoke() (one inference); its kind, output shape, MACs and
 * activation bytes come from the model flatbuffer found in the firmware's read-only data (file identifier TFL3) or
 * given as a file. AllocateTensors() is a set-up layer.
 *
 * Arena: the static buffer is the object symbol named tensor_arena (reserved = its size); used = what the
 * firmware's allocator reports, read from r0 at the return of MicroInterpreter::arena_used_bytes() (or of
 * MicroAllocator::used_bytes(), which TFLM's inline arena_used_bytes() calls) when the firmware calls it. Each
 * operator's input and output activations are live allocations inside the arena while it runs (nominal addresses from
 * the arena's start: the planner's offsets are the firmware's), so layer rows carry them.
 *
 * Heap: newlib's _sbrk, hooked at entry (the increment) and return (the old break): the highest break above the
 * first is the heap; allocations above `end` are inside it and not counted again. Not for firmware with a non-empty
 * arena section of its own (mcusim's runtime: its figures are compared with the planner's). Internal to the simulator
 * library. */
#ifndef MCUSIM_PROBE_TFLM_H
#define MCUSIM_PROBE_TFLM_H

#include <stddef.h>

#include "memory/mem.h"
#include "sim/probes/probe.h"

#define PROBE_TFLM_MAX_CALL_SITES 16
#define PROBE_TFLM_MAX_PENDING 32

typedef struct probe_tflm probe_tflm_t;

/* Whether the ELF is a TFLM image (its interpreter's Invoke is linked). */
int probe_tflm_is_image(const sim_elf_t *elf);
/* tflm: 1 for tflm mode (a TFLM image), 0 for the heap alone. tflite_path: the model, or NULL to look for it in the
 * ELF. NULL with a one-line message on a bad model file or no memory. The host and elf are borrowed. */
probe_tflm_t *probe_tflm_create(const probe_host_t *host, const sim_elf_t *elf, int tflm, const char *tflite_path,
                                char *msg, size_t msg_size);
/* Installs the hooks; events go to mem; sets the static arena in mem. 0 or -1 (a hook was refused). */
int probe_tflm_install(probe_tflm_t *t, mem_t *mem);
/* After the run: the heap's and the allocator's figures into mem. */
void probe_tflm_finish(probe_tflm_t *t);
void probe_tflm_free(probe_tflm_t *t);

#endif /* MCUSIM_PROBE_TFLM_H */
