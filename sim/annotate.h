/* sim/annotate.h — symbol annotations (issue 10, docs/annotate.md): layers, allocations and markers of a firmware
 * that does not use the trace header, from a JSON file naming its functions. They reach the memory module exactly
 * as the firmware's own trace events do (mem_layer_begin/end, mem_alloc/mem_free), so every report works unchanged.
 *
 * Method: one UC_HOOK_CODE per annotated function entry (and marker address), nothing elsewhere. A call that needs
 * its return (a layer's end, an allocator's result in r0) reads LR at entry and hooks the return address on first
 * use; the translated block there is dropped (uc_ctl_remove_cache) so the new hook applies. The return is matched
 * by address and SP, so recursion and calls from several sites pair correctly.
 *
 * Internal to the simulator library; the public entry point is mcusim_annotate() in mcusim.h. */
#ifndef MCUSIM_SIM_ANNOTATE_H
#define MCUSIM_SIM_ANNOTATE_H

#include <stddef.h>

#define SIM_ANNOT_MAX_RULES 256
#define SIM_ANNOT_MAX_SITES 4096   /* hooked entry addresses (a pattern may match many functions) */
#define SIM_ANNOT_MAX_PENDING 64   /* calls waiting for their return */
#define SIM_ANNOT_MAX_RETURNS 1024 /* distinct return addresses hooked */

typedef struct sim_annot sim_annot_t;
struct mcusim;

/* Installs the hooks before the run; 0 or -1 (Unicorn refused a hook or no memory). */
int sim_annot_install(struct mcusim *sim);
void sim_annot_free(sim_annot_t *annot);

#endif /* MCUSIM_SIM_ANNOTATE_H */
