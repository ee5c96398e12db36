/* workloads/explore/analyze.h — `mcusim analyze MODEL --profile PART` (issue 16, item 4): does the model fit the part,
 * how fast does it run, what do patches buy. Plans the model (gen_plan), enumerates and prunes the schedules as
 * `mcusim search` does (search.h) with the part's SRAM as the budget, builds and simulates the layer-wise firmware and
 * the promising patch schedules in parallel (fwbuild.h, jobpool.h), checks that every firmware computed the same
 * output (the `checksum` mark), and returns ONE verdict as JSON (schema "mcusim-analyze/1", docs/analyze.md,
 * docs/analyze.schema.json). Never prints: progress goes to the pool's callback, the CLI renders the verdict
 * (sim/cli/cli_analyze.c).
 *
 * The patch schedule of the verdict: among the simulated patch schedules that ran ok and are on the measured Pareto
 * front of peak SRAM vs cycles (so it saves memory over every faster schedule, layer-wise included), the fewest
 * cycles within the part's SRAM (xp_search_choose); when none fits, the one with the least peak SRAM (so the verdict
 * can say by how much the model is over even patch-based). When layer-wise does not fit, this is the schedule
 * `mcusim search` chooses. When the search space has no valid patch schedule (no block boundary leaves
 * enough rows for 2 x 2 patches, the runtime refuses the stage, ...), the verdict is "layer-wise only" with the
 * reason. */
#ifndef MCUSIM_ANALYZE_H
#define MCUSIM_ANALYZE_H

#include <cjson/cJSON.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "profiles/prof.h"
#include "workloads/explore/jobpool.h"

#define XP_ANALYZE_SCHEMA "mcusim-analyze/1"
/* static + stack + heap beside the arena when predicting a schedule's peak (the value `mcusim search` uses; low on
 * purpose: the bundled runtime measures ~15 KiB with newlib's heap, so the prune keeps borderline schedules) */
#define XP_ANALYZE_OVERHEAD_ESTIMATE (8u << 10)

typedef struct {
  const char *model_path;          /* model JSON (what gen_model_load reads) */
  const char *profile_arg;         /* the part as the user named it (name or path): what the jobs load */
  const prof_t *profile;           /* that profile, loaded; borrowed */
  const char *const *profile_dirs; /* where a profile named by name is found; borrowed */
  const char *work_dir;            /* firmware builds: WORK/rt-<core>/, WORK/candidates/NNN_<schedule>/ */
  int parallel;                    /* jobs at once (>= 1) */
  int top;                         /* besides the plan's front, simulate this many lowest-MAC fitting schedules */
  int inputs;                      /* bit 0: input frame in flash, bit 1: in SRAM (as search's --input) */
  xp_pool_progress_fn progress;    /* NULL: quiet */
  void *progress_opaque;
  volatile sig_atomic_t *stop; /* NULL, or set from a signal handler to stop the jobs */
} xp_analyze_opts_t;

/* How the analysis ended (the verdict itself says whether the model fits). */
typedef enum {
  XP_ANALYZE_OK = 0,
  XP_ANALYZE_BAD_INPUT,   /* the model cannot be read or planned, the part's core has no compiler flags */
  XP_ANALYZE_INTERRUPTED, /* stopped through opts.stop */
  XP_ANALYZE_INTERNAL,    /* tools missing, a folder cannot be created, the jobs cannot start */
} xp_analyze_status_t;

/* Runs the analysis; on XP_ANALYZE_OK *verdict is the verdict (the caller frees it with cJSON_Delete), otherwise
 * NULL and err holds one line naming the file and the problem. A firmware that fails to build or run is not an
 * error of the analysis: the verdict records its status (and, for the layer-wise one, cannot say how fast). */
xp_analyze_status_t xp_analyze(const xp_analyze_opts_t *o, cJSON **verdict, char *err, size_t err_len);

/* The verdict's one-word answer, also its field "verdict": "fits" (layer-wise fits the part's SRAM and flash),
 * "fits_with_patches" (only a patch schedule fits the SRAM; flash fits), "does_not_fit", or "unknown" (the
 * layer-wise firmware did not run). */
const char *xp_analyze_answer(const cJSON *verdict);

/* The verdict as a self-contained HTML page (no scripts, no external resources; every text escaped). -1 on a write
 * error. */
int xp_analyze_write_html(const cJSON *verdict, FILE *out);

#endif /* MCUSIM_ANALYZE_H */
