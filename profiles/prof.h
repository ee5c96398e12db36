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

/* Peripheral register blocks (docs/peripherals.md): a block is storage that reads back what was written, with listed
 * registers' reset values, writable masks and streams, and rules. Loaded from the profile's `peripherals` (a file of
 * its own, version PROF_PERIPH_VERSION, or the same object inline). */
#define PROF_PERIPH_VERSION 1
#define PROF_MAX_PERIPH_BLOCKS 32
#define PROF_MAX_PERIPH_REGS 16      /* listed registers per block */
#define PROF_MAX_PERIPH_RULES 16     /* rules per block */
#define PROF_PERIPH_BASE 0x40000000u /* the ARMv7-M/ARMv6-M peripheral region: blocks lie in [base, base + size) */
#define PROF_PERIPH_SIZE 0x20000000u
#define PROF_PERIPH_ALIGN 0x400u       /* block base and size: multiples of 1 KiB (Unicorn's page on ARM) */
#define PROF_PERIPH_MAX_BLOCK 0x10000u /* at most 64 KiB per block */

typedef enum { PROF_STREAM_NONE = 0, PROF_STREAM_STDOUT = 1, PROF_STREAM_STDERR = 2 } prof_stream_t;

typedef struct {
  char name[24];
  uint32_t offset;      /* from the block's base; word aligned */
  uint32_t reset;       /* value at reset (default 0) */
  uint32_t writable;    /* bits a firmware write changes (default all); the rest keep reset or rule values */
  prof_stream_t stream; /* writes send their low byte to this stream and are not stored */
} prof_preg_t;

/* After a write to register `when_offset`: if all bits `mask` are 1 there, bits `set` of register `then_offset` (of
 * block `then_block`) read as 1, else as 0. */
typedef struct {
  uint32_t when_offset, mask;
  unsigned then_block;
  uint32_t then_offset, set;
} prof_prule_t;

typedef struct {
  char name[24];
  uint32_t base, size;
  prof_preg_t regs[PROF_MAX_PERIPH_REGS];
  unsigned reg_count;
  prof_prule_t rules[PROF_MAX_PERIPH_RULES];
  unsigned rule_count;
} prof_pblock_t;

typedef struct {
  char *path; /* file the description came from (the profile's own path when inline) */
  prof_pblock_t blocks[PROF_MAX_PERIPH_BLOCKS]; /* sorted by base, not overlapping */
  unsigned block_count;
} prof_periph_t;

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
  double
      sleep_current_ma; /* Sleep-mode (WFI/WFE) current at clock_hz; 0 when unknown: sleep is charged at run current */
  prof_region_t sram[PROF_MAX_SRAM];
  unsigned sram_count;
  unsigned mul_cycles;   /* Cortex-M0+ multiplier: 1 or 32 */
  prof_periph_t *periph; /* peripheral blocks; NULL when the profile describes none */
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
double prof_energy_uj(const prof_t *profile, uint64_t cycles, uint64_t sleep_cycles);
/* The region holding [addr, addr+size), or NULL. */
const prof_region_t *prof_find_region(const prof_t *profile, uint32_t addr, uint32_t size, int *is_flash);

/* Names of the profiles in `dir` (sorted, NULL-terminated, caller frees each and the array). */
char **prof_list(const char *dir);

#endif /* MCUSIM_PROF_H */
