/* reports/compare.h — two reports side by side (typically layer-wise vs patch-based of one model on one profile):
 * peak SRAM and arena with the reduction factor, MAC and cycle overhead for the patch stage and overall,
 * latency, per-layer rows aligned by name, whether the outputs matched. The comparison is itself JSON
 * (schema "mcusim-compare/1", docs/compare.md); the text is rendered from it.
 * Ownership: rpt_compare returns a tree the caller frees with cJSON_Delete; inputs are only read. */
#ifndef MCUSIM_RPT_COMPARE_H
#define MCUSIM_RPT_COMPARE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#define RPT_COMPARE_SCHEMA "mcusim-compare/1"

typedef struct {
  const char *a_name, *b_name; /* shown as the reports' names (paths) */
  int allow_mismatch;          /* compare reports of different models or profiles */
  const cJSON *plan;           /* an mcusim-plan/1 of the patch schedule, shown beside (may be NULL) */
} rpt_compare_opts_t;

/* Builds the comparison. Returns NULL and one line in msg when the reports are of different models
 * (marks.model) or profiles and opts->allow_mismatch is not set. */
cJSON *rpt_compare(const cJSON *a, const cJSON *b, const rpt_compare_opts_t *opts, char *msg, size_t msg_size);

/* The comparison for people: summary figures, then the per-layer rows. */
void rpt_compare_print(const cJSON *cmp, FILE *out);

/* Any JSON tree as "path value" lines (figures.macs.b 339009152; arrays by index), for shell scripts. */
void rpt_json_print_flat(const cJSON *json, FILE *out);

#endif /* MCUSIM_RPT_COMPARE_H */
