/* profiles/prof.h — MCU profiles: core, clock and memory map, read from versioned JSON files.
 *
 * A profile is found by name in a list of directories (NAME.json) or read from a path. Validation
 * errors name the file and the field. Ownership: prof_load allocates, prof_free releases.
 */
#ifndef MCUSIM_PROF_H
#define MCUSIM_PROF_H

#include <stddef.h>
#include <stdint.h>

#define PROF_MAX_SRAM 8

typedef struct {
  char name[32];
  uint32_t base;
  uint32_t size;
} prof_region_t;

typedef struct {
  char *name;
  char *description;
  char *path;    /* file it came from */
  char core[16]; /* "m0plus", "m3", "m4", "m7" */
  uint64_t clock_hz;
  prof_region_t flash;
  unsigned flash_wait_states;
  prof_region_t sram[PROF_MAX_SRAM];
  unsigned sram_count;
  unsigned mul_cycles; /* Cortex-M0+ multiplier: 1 or 32 */
} prof_t;

typedef enum { PROF_OK, PROF_E_NOT_FOUND, PROF_E_IO, PROF_E_SYNTAX, PROF_E_FIELD, PROF_E_NOMEM } prof_err;

/* `name_or_path`: a path (contains '/' or ends in .json) or a bare name looked up as DIR/NAME.json in
 * `dirs` (NULL-terminated). On error, `msg` holds one line naming the file and the problem. */
prof_err prof_load(const char *name_or_path, const char *const *dirs, prof_t **out, char *msg, size_t msg_size);
/* Parse a profile from JSON text; `origin` names it in messages. */
prof_err prof_parse(const char *json, const char *origin, prof_t **out, char *msg, size_t msg_size);
void prof_free(prof_t *profile);

uint64_t prof_sram_bytes(const prof_t *profile); /* sum of SRAM regions */
/* The region holding [addr, addr+size), or NULL. */
const prof_region_t *prof_find_region(const prof_t *profile, uint32_t addr, uint32_t size, int *is_flash);

/* Names of the profiles in `dir` (sorted, NULL-terminated, caller frees each and the array). */
char **prof_list(const char *dir);

#endif /* MCUSIM_PROF_H */
