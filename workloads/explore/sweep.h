/* workloads/explore/sweep.h — sweeps (issue 9): a matrix of models x schedules x profiles (JSON, "version": 1), one
 * job per cell numbered in a fixed order, the deterministic shard assignment, and the figures a merged table shows.
 *
 * Matrix file (docs/sweep.md):
 *   {"version": 1, "models": ["person-det-mbv1-r96", "path/to/m.json"], "schedules": ["layerwise", ...],
 *    "profiles": ["stm32f412", ...]}
 * A model without '/' and ".json" is a bundled one (workloads/models/NAME.json); a path is relative to the
 * matrix file's folder. Job j = (model, schedule, profile) with the profile varying fastest, then the schedule.
 * Shard i of n (1-based) runs the jobs with j % n == i - 1. */
#ifndef MCUSIM_SWEEP_H
#define MCUSIM_SWEEP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/figures.h"

#define XP_SWEEP_MAX_AXIS 64

typedef struct {
  size_t n_models, n_schedules, n_profiles;
  char *models[XP_SWEEP_MAX_AXIS];    /* resolved paths */
  char *schedules[XP_SWEEP_MAX_AXIS]; /* generator schedule strings */
  char *profiles[XP_SWEEP_MAX_AXIS];  /* names or paths, as `mcusim run --profile` takes them */
} xp_sweep_matrix_t;

/* Parses the matrix. `base_dir`: the matrix file's folder; `models_dir`: the bundled models. 0, or -1 with a
 * message. Free with xp_sweep_matrix_free (also after a failure). */
int xp_sweep_matrix_parse(const char *json_text, const char *base_dir, const char *models_dir, xp_sweep_matrix_t *out,
                          char *err, size_t err_len);
void xp_sweep_matrix_free(xp_sweep_matrix_t *m);

size_t xp_sweep_job_count(const xp_sweep_matrix_t *m);
/* Axis indices of job `j`. */
void xp_sweep_job_cell(const xp_sweep_matrix_t *m, size_t j, size_t *model, size_t *schedule, size_t *profile);
/* "0007_person-det-mbv1-r96_patch-n2-blocks4_stm32f412": index, model stem, schedule and profile, file-safe. */
void xp_sweep_job_id(const xp_sweep_matrix_t *m, size_t j, char *buf, size_t len);

/* "i/n" with 1 <= i <= n. 0, or -1. */
int xp_sweep_parse_shard(const char *text, int *shard_i, int *shard_n);
int xp_sweep_in_shard(size_t j, int shard_i, int shard_n);

/* The table's figure columns: the report figures (reports/figures.h) from peak SRAM to cycles, in the list's order
 * (peak, arena peak, static, stack peak, SRAM, overflow, MACs, instructions, cycles). */
#define XP_SWEEP_FIRST_FIGURE RPT_FIGURE_PEAK
#define XP_SWEEP_LAST_FIGURE RPT_FIGURE_CYCLES

/* What a merged row shows, read from one report (docs/report.md). */
typedef struct {
  char model[64], schedule[96], profile[64], stop[24], checksum[24];
  int exit_code; /* -1 when the firmware did not exit */
  int fits;
  uint64_t value[RPT_FIGURE_COUNT]; /* by rpt_figure_t, the table's columns: the run's totals; MACs from its marks */
  double latency_us;
} xp_sweep_figures_t;

/* Fills `f` from a report; 0, or -1 when it is not a report. */
int xp_sweep_figures(const cJSON *report, xp_sweep_figures_t *f);

/* One merged row: the job as the manifest names it, its status and (when it has a report) its figures. */
typedef struct {
  size_t index;
  char id[160], status[32];
  int has_figures;
  xp_sweep_figures_t fig;
} xp_sweep_row_t;

typedef enum { XP_SWEEP_CSV, XP_SWEEP_JSON, XP_SWEEP_HTML } xp_sweep_format_t;

/* The most jobs a merged table lists (its missing[] included): far past any real matrix, and bounds what a
 * manifest's jobs_total can make a merge allocate. */
#define XP_SWEEP_MAX_JOBS ((size_t)1 << 20)

/* A manifest's jobs_total: 0 and the count in *total, or -1 when it is not a whole number in
 * 0..XP_SWEEP_MAX_JOBS. */
int xp_sweep_jobs_total(const cJSON *manifest, size_t *total);

/* Writes the rows (sorted by index) in the format; `total` jobs in the matrix (missing ones are listed). -1 on a
 * write error or a total above XP_SWEEP_MAX_JOBS. */
int xp_sweep_write_table(const xp_sweep_row_t *rows, size_t n, size_t total, xp_sweep_format_t fmt, FILE *out);

#endif /* MCUSIM_SWEEP_H */
