/* reports/rpt.h — the JSON report (schema "mcusim-report/1", documented in docs/report.md) and what is
 * rendered from it. The JSON is the source of truth: text and other formats read the cJSON tree only.
 * Ownership: rpt_build returns a tree the caller frees with cJSON_Delete. */
#ifndef MCUSIM_RPT_H
#define MCUSIM_RPT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "common/cm.h" /* cm_read_file, cm_write_file: how reports are read and written */
#include "sim/mcusim.h"

#define RPT_SCHEMA "mcusim-report/1"

/* The report of a finished (or stopped) run. */
cJSON *rpt_build(const mcusim_t *sim);

/* The bound for reading a report or another JSON file of the tool whole (cm_read_file(path, RPT_MAX_REPORT_BYTES,
 * ...)): the largest bundled report is a few MiB; a file past this is not one of ours, and reading it would only
 * exhaust memory. */
#define RPT_MAX_REPORT_BYTES ((size_t)256 << 20)

/* A JSON string item of len bytes from firmware, an ELF or a file: well-formed UTF-8 is kept, every other byte
 * becomes U+FFFD, so the report stays valid UTF-8 JSON. Text holding NUL bytes keeps them as "\u0000" in a raw
 * item (cJSON_IsRaw; cJSON strings end at a NUL). NULL when out of memory. */
cJSON *rpt_text(const char *bytes, size_t len);

/* Serialises the report (deterministic: same order, same formatting) and writes it through the one writer
 * (cm_write_file). */
int rpt_write_json(const cJSON *report, const char *path);

/* Parses JSON text; on failure returns NULL and writes "NAME:LINE: not valid JSON" into msg (name: the file's). */
cJSON *rpt_parse_json(const char *text, const char *name, char *msg, size_t msg_size);

/* Reads and checks a report written by `mcusim run` (schema, required objects). On failure returns NULL and
 * writes one line naming the file and the problem into msg. Caller frees with cJSON_Delete. */
cJSON *rpt_read(const char *path, char *msg, size_t msg_size);

/* ---- report fields: the one reader every renderer uses ----
 * A path is a chain of object keys joined by '.' ("memory.peak_bytes"; "" is obj itself), matched case-sensitively
 * as JSON keys are (a key holding a '.', which no report has, is out of reach). The one rule: a field that is missing,
 * under a parent that is missing or not an object, or not of the type asked for, is absent, and absence is never made
 * into a value behind the caller's back. rpt_get returns NULL, rpt_number -1, rpt_array NULL; the _or forms return the
 * stand-in the caller names where it reads (0 where a table shows absence as 0, NAN where an absent figure must stay
 * absent, "" or NULL for text). */
const cJSON *rpt_get(const cJSON *obj, const char *path);
/* 0 with the number in *out; -1 when absent (*out untouched). */
int rpt_number(const cJSON *obj, const char *path, double *out);
double rpt_num_or(const cJSON *obj, const char *path, double absent);
const char *rpt_str_or(const cJSON *obj, const char *path, const char *absent);
/* The array at path, its size in *count (optional; 0 when absent). */
const cJSON *rpt_array(const cJSON *obj, const char *path, int *count);
/* A string field for one line of text output (cm_escape's CM_ESC_LINE: control characters as spaces, a leading
 * "::" defused), so a name holding a line break cannot start a line of its own, which a CI log would read as a
 * command. The result lives in a ring of 8 static buffers of 256 bytes (enough for the strings of one printf;
 * single-threaded, like every text renderer); absent as given. */
const char *rpt_line_or(const cJSON *obj, const char *path, const char *absent);

/* Report numbers as integers, checked (converting a double outside the integer type's range is undefined
 * behaviour): NaN gives 0, values beyond the range stop at its ends, fractions are cut toward zero. Every
 * conversion of a report number to an integer goes through these. */
unsigned long long rpt_to_u64(double value);
int rpt_to_int(double value);
unsigned long long rpt_u64_or(const cJSON *obj, const char *path, unsigned long long absent);
int rpt_int_or(const cJSON *obj, const char *path, int absent);

/* Human summary rendered from a report. */
void rpt_print_text(const cJSON *report, FILE *out);

/* "M0+", "M3", "M4", "M7" for a profile's core name ("m0plus", ...), as the reports print it. */
const char *rpt_core_display(const char *core);

/* "html, perfetto, massif": n names joined for a message (truncated to size). Returns buf. */
const char *rpt_join_names(const char *const *names, size_t n, char *buf, size_t size);

/* "1,204,332" */
void rpt_group_digits(unsigned long long value, char *buf, size_t size);

#endif /* MCUSIM_RPT_H */
