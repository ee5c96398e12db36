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
#define PROF_MAX_TCM 4
#define PROF_MAX_MAPPED_BYTES (512u << 20) /* flash + all SRAM regions: what the simulator maps (host memory) */

typedef struct {
  char name[32];
  uint32_t base;
  uint32_t size;
} prof_region_t;

/* A cache in front of flash: the STM32 ART accelerator, a Cortex-M7 L1 cache, the nRF52 NVMC I-cache, the RP2040
 * XIP cache. line_bytes == 0: no cache (every flash read pays the wait states). */
typedef struct {
  char kind[16];        /* "art", "l1", "nvmc", "xip": descriptive */
  uint32_t line_bytes;  /* power of two, 4..128 */
  uint32_t lines;       /* total lines; a power of two multiple of ways */
  uint32_t ways;        /* associativity; ways == lines: fully associative */
  uint32_t miss_cycles; /* core cycles one line fill stalls the core */
  uint8_t prefetch;     /* next sequential line fetched while the current one executes */
  uint8_t unified;      /* icache only: data reads from flash go through the same cache (RP2040 XIP) */
} prof_cache_t;

typedef struct {
  char *name;
  char *description;
  char *path;    /* file it came from */
  char core[16]; /* "m0plus", "m3", "m4", "m7" */
  uint64_t clock_hz;
  prof_region_t flash;
  unsigned flash_wait_states;
  unsigned flash_read_bits;        /* width of one flash array read: 32..256 */
  prof_cache_t icache;             /* instruction fetch from flash */
  prof_cache_t dcache;             /* data reads from flash (precise mode) */
  prof_region_t tcm[PROF_MAX_TCM]; /* Cortex-M7 tightly coupled memories (zero wait states), descriptive */
  unsigned tcm_count;
  double run_current_ma; /* datasheet run-mode supply current at clock_hz; 0 when unknown */
  double supply_v;       /* supply voltage of that figure */
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
/* Energy of `cycles` at the run-mode current and supply voltage, in microjoules; -1 when the profile has no power
 * figures. E = I * V * cycles / clock_hz. */
double prof_energy_uj(const prof_t *profile, uint64_t cycles);
/* The region holding [addr, addr+size), or NULL. */
const prof_region_t *prof_find_region(const prof_t *profile, uint32_t addr, uint32_t size, int *is_flash);

/* Names of the profiles in `dir` (sorted, NULL-terminated, caller frees each and the array). */
char **prof_list(const char *dir);

#endif /* MCUSIM_PROF_H */
