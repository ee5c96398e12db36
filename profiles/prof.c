/* profiles/prof.c — profile JSON loading and validation (schema: docs/profiles.md). */
#include "profiles/prof.h"

#include "common/cm.h"
#include "isa/isa.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROF_VERSION 1

static prof_err fail(char *msg, size_t size, prof_err err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cm_vmsgf(msg, size, fmt, ap);
  va_end(ap);
  return err;
}

/* A profile is a few hundred bytes; anything over 1 MiB is not one. */
#define PROF_MAX_FILE_BYTES (1u << 20)

/* A JSON number or a "0x..." / decimal string, within [0, max]. A string with a leading zero ("010000") is refused:
 * strtoull read it as octal (issue 21, F28). */
static int get_u64(const cJSON *obj, const char *key, uint64_t max, uint64_t *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (cJSON_IsNumber(item)) {
    double v = item->valuedouble;
    if (v < 0 || v > (double)max || v != (double)(uint64_t)v) return -1;
    *out = (uint64_t)v;
    return 0;
  }
  if (cJSON_IsString(item)) {
    const char *s = item->valuestring;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (!hex && (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))) return -1;
    if (hex && !isxdigit((unsigned char)s[2])) return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
    if (errno || end == s || *end || v > max) return -1;
    *out = v;
    return 0;
  }
  return item ? -1 : -2;
}

/* The first key that appears twice in one object of the tree (cJSON reads the first and ignores the other), or NULL.
 */
static const char *repeated_key(const cJSON *node) {
  for (const cJSON *it = node ? node->child : NULL; it; it = it->next) {
    for (const cJSON *later = cJSON_IsObject(node) ? it->next : NULL; later; later = later->next)
      if (!strcmp(it->string, later->string)) return it->string;
    const char *inner = repeated_key(it);
    if (inner) return inner;
  }
  return NULL;
}

/* Reports an unknown key so that a typo in a profile is an error, not a silently ignored field. */
static const char *unknown_key(const cJSON *obj, const char *const *known) {
  for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
    int found = 0;
    for (const char *const *k = known; *k; k++) found |= strcmp(it->string, *k) == 0;
    if (!found) return it->string;
  }
  return NULL;
}

static prof_err parse_region(const cJSON *obj, const char *origin, const char *field, const char *const *known,
                             prof_region_t *out, char *msg, size_t size) {
  if (!cJSON_IsObject(obj)) return fail(msg, size, PROF_E_FIELD, "%s: '%s' must be an object", origin, field);
  const char *bad = unknown_key(obj, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s.%s'", origin, field, bad);
  uint64_t base, bytes;
  if (get_u64(obj, "base", 0xFFFFFFFFu, &base))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.base' must be an address (number or \"0x...\")", origin, field);
  if (get_u64(obj, "size", 0x100000000ull, &bytes) || bytes == 0 || base + bytes > 0x100000000ull)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.size' must be a positive byte count ending below 4 GiB", origin,
                field);
  if (base % 4096 || bytes % 4096)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s' base and size must be multiples of 4 KiB", origin, field);
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
  if (name && !cJSON_IsString(name))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.name' must be a string", origin, field);
  snprintf(out->name, sizeof out->name, "%s", name ? name->valuestring : field);
  out->base = (uint32_t)base;
  out->size = (uint32_t)bytes;
  return PROF_OK;
}

static int overlaps(const prof_region_t *a, const prof_region_t *b) {
  return (uint64_t)a->base < (uint64_t)b->base + b->size && (uint64_t)b->base < (uint64_t)a->base + a->size;
}

static int is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

static int get_bool(const cJSON *obj, const char *key, uint8_t *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!item) return 0;
  if (!cJSON_IsBool(item)) return -1;
  *out = cJSON_IsTrue(item) ? 1 : 0;
  return 0;
}

/* `flash.icache` / `flash.dcache`. A line fill costs, unless the profile says otherwise, the wait states of every
 * flash read it needs: wait_states * line_bits / read_bits (reads are serial; critical-word-first is not modelled). */
static prof_err parse_cache(const cJSON *obj, const char *origin, const char *field, int is_icache, unsigned ws,
                            unsigned read_bits, prof_cache_t *out, char *msg, size_t size) {
  static const char *const known_i[] = {"kind",        "line_bytes", "lines",   "ways",
                                        "miss_cycles", "prefetch",   "unified", NULL};
  static const char *const known_d[] = {"kind", "line_bytes", "lines", "ways", "miss_cycles", NULL};
  if (!cJSON_IsObject(obj)) return fail(msg, size, PROF_E_FIELD, "%s: '%s' must be an object", origin, field);
  const char *bad = unknown_key(obj, is_icache ? known_i : known_d);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s.%s'", origin, field, bad);
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
  static const char *const kinds[] = {"art", "l1", "nvmc", "xip", NULL};
  int kind_ok = 0;
  for (const char *const *k = kinds; cJSON_IsString(kind) && *k; k++) kind_ok |= strcmp(kind->valuestring, *k) == 0;
  if (!kind_ok) return fail(msg, size, PROF_E_FIELD, "%s: '%s.kind' must be one of art, l1, nvmc, xip", origin, field);
  snprintf(out->kind, sizeof out->kind, "%s", kind->valuestring);
  uint64_t line = 0, lines = 0, ways = 0, miss = 0;
  if (get_u64(obj, "line_bytes", 128, &line) || line < 4 || !is_pow2(line))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.line_bytes' must be a power of two, 4..128", origin, field);
  if (get_u64(obj, "lines", 65536, &lines) || !is_pow2(lines))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.lines' must be a power of two, 1..65536", origin, field);
  if (get_u64(obj, "ways", 65536, &ways) || !is_pow2(ways) || ways > lines)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.ways' must be a power of two, 1..lines", origin, field);
  int has_miss = get_u64(obj, "miss_cycles", 1000, &miss);
  if (has_miss == -1) return fail(msg, size, PROF_E_FIELD, "%s: '%s.miss_cycles' must be 0..1000", origin, field);
  if (has_miss == -2) miss = (uint64_t)ws * ((line * 8 + read_bits - 1) / read_bits);
  if (get_bool(obj, "prefetch", &out->prefetch) || get_bool(obj, "unified", &out->unified))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.prefetch' and '%s.unified' must be true or false", origin, field,
                field);
  out->line_bytes = (uint32_t)line;
  out->lines = (uint32_t)lines;
  out->ways = (uint32_t)ways;
  out->miss_cycles = (uint32_t)miss;
  return PROF_OK;
}

static prof_err parse_flash(const cJSON *root, const char *origin, prof_t *p, char *msg, size_t size) {
  static const char *const known[] = {"name", "base", "size", "wait_states", "read_bits", "icache", "dcache", NULL};
  const cJSON *flash = cJSON_GetObjectItemCaseSensitive(root, "flash");
  prof_err err = parse_region(flash, origin, "flash", known, &p->flash, msg, size);
  if (err) return err;
  uint64_t ws = 0, read_bits = 32;
  if (get_u64(flash, "wait_states", 15, &ws) == -1)
    return fail(msg, size, PROF_E_FIELD, "%s: 'flash.wait_states' must be 0..15", origin);
  if (get_u64(flash, "read_bits", 256, &read_bits) == -1 || read_bits < 32 || !is_pow2(read_bits))
    return fail(msg, size, PROF_E_FIELD, "%s: 'flash.read_bits' must be 32, 64, 128 or 256", origin);
  p->flash_wait_states = (unsigned)ws;
  p->flash_read_bits = (unsigned)read_bits;
  const cJSON *icache = cJSON_GetObjectItemCaseSensitive(flash, "icache");
  const cJSON *dcache = cJSON_GetObjectItemCaseSensitive(flash, "dcache");
  if (icache && (err = parse_cache(icache, origin, "flash.icache", 1, p->flash_wait_states, p->flash_read_bits,
                                   &p->icache, msg, size)))
    return err;
  if (dcache && (err = parse_cache(dcache, origin, "flash.dcache", 0, p->flash_wait_states, p->flash_read_bits,
                                   &p->dcache, msg, size)))
    return err;
  if (p->icache.unified && dcache)
    return fail(msg, size, PROF_E_FIELD, "%s: 'flash.dcache' conflicts with 'flash.icache.unified'", origin);
  return PROF_OK;
}

static prof_err parse_memories(const cJSON *root, const char *origin, prof_t *p, char *msg, size_t size) {
  static const char *const known[] = {"name", "base", "size", NULL};
  prof_err err = parse_flash(root, origin, p, msg, size);
  if (err) return err;
  const cJSON *sram = cJSON_GetObjectItemCaseSensitive(root, "sram");
  int n = cJSON_GetArraySize(sram);
  if (!cJSON_IsArray(sram) || n < 1 || n > PROF_MAX_SRAM)
    return fail(msg, size, PROF_E_FIELD, "%s: 'sram' must be an array of 1..%d regions", origin, PROF_MAX_SRAM);
  for (int i = 0; i < n; i++) {
    char field[32];
    snprintf(field, sizeof field, "sram[%d]", i);
    err = parse_region(cJSON_GetArrayItem(sram, i), origin, field, known, &p->sram[i], msg, size);
    if (err) return err;
    if (overlaps(&p->sram[i], &p->flash))
      return fail(msg, size, PROF_E_FIELD, "%s: '%s' overlaps 'flash'", origin, field);
    for (int j = 0; j < i; j++)
      if (overlaps(&p->sram[i], &p->sram[j]))
        return fail(msg, size, PROF_E_FIELD, "%s: 'sram[%d]' overlaps 'sram[%d]'", origin, i, j);
    if (p->sram[i].base >= 0xE0000000u)
      return fail(msg, size, PROF_E_FIELD, "%s: '%s' lies in the system region (>= 0xE0000000)", origin, field);
  }
  p->sram_count = (unsigned)n;
  /* Every mapped byte of SRAM costs host memory (painted: ~2 GB of RSS per GiB, issue 21 F32). */
  uint64_t mapped = p->flash.size;
  for (int i = 0; i < n; i++) mapped += p->sram[i].size;
  if (mapped > PROF_MAX_MAPPED_BYTES)
    return fail(msg, size, PROF_E_FIELD,
                "%s: 'flash' and 'sram' map %llu bytes, more than the %u MiB the simulator maps", origin,
                (unsigned long long)mapped, PROF_MAX_MAPPED_BYTES >> 20);
  /* TCMs: descriptive (the DTCM is usually the start of sram[0]); they may not overlap flash. */
  const cJSON *tcm = cJSON_GetObjectItemCaseSensitive(root, "tcm");
  if (!tcm) return PROF_OK;
  n = cJSON_GetArraySize(tcm);
  if (!cJSON_IsArray(tcm) || n < 1 || n > PROF_MAX_TCM)
    return fail(msg, size, PROF_E_FIELD, "%s: 'tcm' must be an array of 1..%d regions", origin, PROF_MAX_TCM);
  if (strcmp(p->core, "m7") != 0) return fail(msg, size, PROF_E_FIELD, "%s: 'tcm' needs core m7", origin);
  for (int i = 0; i < n; i++) {
    char field[32];
    snprintf(field, sizeof field, "tcm[%d]", i);
    err = parse_region(cJSON_GetArrayItem(tcm, i), origin, field, known, &p->tcm[i], msg, size);
    if (err) return err;
    if (overlaps(&p->tcm[i], &p->flash))
      return fail(msg, size, PROF_E_FIELD, "%s: '%s' overlaps 'flash'", origin, field);
  }
  p->tcm_count = (unsigned)n;
  return PROF_OK;
}

/* `power`: the datasheet's run-mode current (mA) at clock_hz and the supply voltage it was measured at. */
static prof_err parse_power(const cJSON *root, const char *origin, prof_t *p, char *msg, size_t size) {
  static const char *const known[] = {"run_current_ma", "supply_v", "sleep_current_ma", "source", NULL};
  const cJSON *power = cJSON_GetObjectItemCaseSensitive(root, "power");
  if (!power) return PROF_OK;
  if (!cJSON_IsObject(power)) return fail(msg, size, PROF_E_FIELD, "%s: 'power' must be an object", origin);
  const char *bad = unknown_key(power, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field 'power.%s'", origin, bad);
  const cJSON *ma = cJSON_GetObjectItemCaseSensitive(power, "run_current_ma");
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(power, "supply_v");
  const cJSON *src = cJSON_GetObjectItemCaseSensitive(power, "source");
  if (!cJSON_IsNumber(ma) || !(ma->valuedouble > 0 && ma->valuedouble <= 2000))
    return fail(msg, size, PROF_E_FIELD, "%s: 'power.run_current_ma' must be a current in mA, 0..2000", origin);
  if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble <= 6))
    return fail(msg, size, PROF_E_FIELD, "%s: 'power.supply_v' must be a voltage in V, 0..6", origin);
  if (src && !cJSON_IsString(src)) return fail(msg, size, PROF_E_FIELD, "%s: 'power.source' must be a string", origin);
  const cJSON *sleep = cJSON_GetObjectItemCaseSensitive(power, "sleep_current_ma");
  if (sleep && (!cJSON_IsNumber(sleep) || !(sleep->valuedouble > 0 && sleep->valuedouble <= ma->valuedouble)))
    return fail(msg, size, PROF_E_FIELD, "%s: 'power.sleep_current_ma' must be a current in mA, 0..run_current_ma",
                origin);
  p->run_current_ma = ma->valuedouble;
  p->supply_v = v->valuedouble;
  p->sleep_current_ma = sleep ? sleep->valuedouble : 0;
  return PROF_OK;
}

/* ---- peripherals (docs/peripherals.md) ---- */

/* A 32-bit value (number or "0x..." string) at obj.key; absent gives `dflt`. -1 when present and not one. */
static int get_u32_or(const cJSON *obj, const char *key, uint32_t dflt, uint32_t *out) {
  uint64_t v = 0;
  int rc = get_u64(obj, key, 0xFFFFFFFFu, &v);
  if (rc == -1) return -1;
  *out = rc == -2 ? dflt : (uint32_t)v;
  return 0;
}

static int get_name(const cJSON *obj, char *out, size_t size) {
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
  if (!cJSON_IsString(name) || !name->valuestring[0] || strlen(name->valuestring) >= size ||
      strchr(name->valuestring, '.'))
    return -1;
  snprintf(out, size, "%s", name->valuestring);
  return 0;
}

static int optional_string(const cJSON *obj, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  return !item || cJSON_IsString(item);
}

static prof_err parse_preg(const cJSON *obj, const char *file, const char *field, const prof_pblock_t *b,
                           prof_preg_t *r, char *msg, size_t size) {
  static const char *const known[] = {"name", "offset", "reset", "writable", "stream", "note", NULL};
  if (!cJSON_IsObject(obj)) return fail(msg, size, PROF_E_FIELD, "%s: '%s' must be an object", file, field);
  const char *bad = unknown_key(obj, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s.%s'", file, field, bad);
  if (get_name(obj, r->name, sizeof r->name))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.name' must be a name of 1..%zu characters without '.'", file, field,
                sizeof r->name - 1);
  uint64_t offset;
  if (get_u64(obj, "offset", 0xFFFFFFFFu, &offset) || offset % 4 || offset >= b->size)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.offset' must be a word-aligned offset inside the block (< 0x%x)",
                file, field, b->size);
  r->offset = (uint32_t)offset;
  if (get_u32_or(obj, "reset", 0, &r->reset))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.reset' must be a 32-bit value", file, field);
  if (get_u32_or(obj, "writable", 0xFFFFFFFFu, &r->writable))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.writable' must be a 32-bit mask", file, field);
  const cJSON *stream = cJSON_GetObjectItemCaseSensitive(obj, "stream");
  r->stream = PROF_STREAM_NONE;
  if (stream) {
    if (cJSON_IsString(stream) && !strcmp(stream->valuestring, "stdout"))
      r->stream = PROF_STREAM_STDOUT;
    else if (cJSON_IsString(stream) && !strcmp(stream->valuestring, "stderr"))
      r->stream = PROF_STREAM_STDERR;
    else
      return fail(msg, size, PROF_E_FIELD, "%s: '%s.stream' must be \"stdout\" or \"stderr\"", file, field);
  }
  if (!optional_string(obj, "note"))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.note' must be a string", file, field);
  for (unsigned i = 0; i < b->reg_count; i++) {
    if (!strcmp(b->regs[i].name, r->name))
      return fail(msg, size, PROF_E_FIELD, "%s: '%s.name' repeats register '%s'", file, field, r->name);
    if (b->regs[i].offset == r->offset)
      return fail(msg, size, PROF_E_FIELD, "%s: '%s.offset' repeats the offset of register '%s'", file, field,
                  b->regs[i].name);
  }
  return PROF_OK;
}

/* "REG" (a register of the block) or "BLOCK.REG" (of any block described so far or this one). */
static int resolve_reg(const prof_periph_t *pp, unsigned self, const char *ref, unsigned *block, uint32_t *offset) {
  const char *dot = strchr(ref, '.');
  unsigned bi = self;
  if (dot) {
    bi = pp->block_count + 1;
    for (unsigned i = 0; i <= pp->block_count && i < PROF_MAX_PERIPH_BLOCKS; i++)
      if (strlen(pp->blocks[i].name) == (size_t)(dot - ref) && !strncmp(pp->blocks[i].name, ref, (size_t)(dot - ref)))
        bi = i;
    if (bi > pp->block_count) return -1;
    ref = dot + 1;
  }
  const prof_pblock_t *b = &pp->blocks[bi];
  for (unsigned i = 0; i < b->reg_count; i++)
    if (!strcmp(b->regs[i].name, ref)) {
      *block = bi;
      *offset = b->regs[i].offset;
      return 0;
    }
  return -1;
}

static prof_err parse_prule(const cJSON *obj, const char *file, const char *field, const prof_periph_t *pp,
                            unsigned self, prof_prule_t *r, char *msg, size_t size) {
  static const char *const known[] = {"when", "mask", "then", "set", "note", NULL};
  if (!cJSON_IsObject(obj)) return fail(msg, size, PROF_E_FIELD, "%s: '%s' must be an object", file, field);
  const char *bad = unknown_key(obj, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s.%s'", file, field, bad);
  const cJSON *when = cJSON_GetObjectItemCaseSensitive(obj, "when");
  const cJSON *then = cJSON_GetObjectItemCaseSensitive(obj, "then");
  unsigned when_block = 0;
  if (!cJSON_IsString(when) || resolve_reg(pp, self, when->valuestring, &when_block, &r->when_offset) ||
      when_block != self)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.when' must name a register listed in this block", file, field);
  if (!cJSON_IsString(then) || resolve_reg(pp, self, then->valuestring, &r->then_block, &r->then_offset))
    return fail(msg, size, PROF_E_FIELD,
                "%s: '%s.then' must name a listed register: \"REG\" of this block or \"BLOCK.REG\" of one above", file,
                field);
  if (get_u32_or(obj, "mask", 0, &r->mask) || !r->mask)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.mask' must be a non-zero 32-bit mask", file, field);
  if (get_u32_or(obj, "set", 0, &r->set) || !r->set)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.set' must be a non-zero 32-bit mask", file, field);
  if (!optional_string(obj, "note"))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.note' must be a string", file, field);
  return PROF_OK;
}

static prof_err parse_pblock(const cJSON *obj, const char *file, const char *field, prof_periph_t *pp, unsigned index,
                             char *msg, size_t size) {
  static const char *const known[] = {"name", "base", "size", "registers", "rules", "source", NULL};
  prof_pblock_t *b = &pp->blocks[index];
  if (!cJSON_IsObject(obj)) return fail(msg, size, PROF_E_FIELD, "%s: '%s' must be an object", file, field);
  const char *bad = unknown_key(obj, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s.%s'", file, field, bad);
  if (get_name(obj, b->name, sizeof b->name))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.name' must be a name of 1..%zu characters without '.'", file, field,
                sizeof b->name - 1);
  uint64_t base, bytes;
  if (get_u64(obj, "base", 0xFFFFFFFFu, &base) || base % PROF_PERIPH_ALIGN || base < PROF_PERIPH_BASE ||
      base >= (uint64_t)PROF_PERIPH_BASE + PROF_PERIPH_SIZE)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.base' must be a multiple of 0x%x in 0x%08x..0x%08x", file, field,
                PROF_PERIPH_ALIGN, PROF_PERIPH_BASE, PROF_PERIPH_BASE + PROF_PERIPH_SIZE - 1);
  if (get_u64(obj, "size", PROF_PERIPH_MAX_BLOCK, &bytes) || !bytes || bytes % PROF_PERIPH_ALIGN ||
      base + bytes > (uint64_t)PROF_PERIPH_BASE + PROF_PERIPH_SIZE)
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.size' must be a multiple of 0x%x up to 0x%x inside the region", file,
                field, PROF_PERIPH_ALIGN, PROF_PERIPH_MAX_BLOCK);
  b->base = (uint32_t)base;
  b->size = (uint32_t)bytes;
  if (!optional_string(obj, "source"))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.source' must be a string", file, field);
  for (unsigned i = 0; i < index; i++) {
    if (!strcmp(pp->blocks[i].name, b->name))
      return fail(msg, size, PROF_E_FIELD, "%s: '%s.name' repeats block '%s'", file, field, b->name);
    if (b->base < pp->blocks[i].base + pp->blocks[i].size && pp->blocks[i].base < b->base + b->size)
      return fail(msg, size, PROF_E_FIELD, "%s: '%s' overlaps block '%s'", file, field, pp->blocks[i].name);
  }
  char sub[96];
  const cJSON *regs = cJSON_GetObjectItemCaseSensitive(obj, "registers");
  int n = regs ? cJSON_GetArraySize(regs) : 0;
  if (regs && (!cJSON_IsArray(regs) || n > PROF_MAX_PERIPH_REGS))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.registers' must be an array of at most %d registers", file, field,
                PROF_MAX_PERIPH_REGS);
  for (int i = 0; i < n; i++) {
    snprintf(sub, sizeof sub, "%s.registers[%d]", field, i);
    prof_err err = parse_preg(cJSON_GetArrayItem(regs, i), file, sub, b, &b->regs[i], msg, size);
    if (err) return err;
    b->reg_count++;
  }
  const cJSON *rules = cJSON_GetObjectItemCaseSensitive(obj, "rules");
  n = rules ? cJSON_GetArraySize(rules) : 0;
  if (rules && (!cJSON_IsArray(rules) || n > PROF_MAX_PERIPH_RULES))
    return fail(msg, size, PROF_E_FIELD, "%s: '%s.rules' must be an array of at most %d rules", file, field,
                PROF_MAX_PERIPH_RULES);
  for (int i = 0; i < n; i++) {
    snprintf(sub, sizeof sub, "%s.rules[%d]", field, i);
    prof_err err = parse_prule(cJSON_GetArrayItem(rules, i), file, sub, pp, index, &b->rules[i], msg, size);
    if (err) return err;
    b->rule_count++;
  }
  return PROF_OK;
}

/* The peripheral description object (a file's root, or the profile's `peripherals` inline); `prefix` is how its
 * fields are named in messages ("" in a file of its own, "peripherals." inline). */
static prof_err parse_periph_object(const cJSON *obj, const char *file, const char *prefix, prof_periph_t *pp,
                                    char *msg, size_t size) {
  static const char *const known[] = {"version", "description", "source", "blocks", NULL};
  if (!cJSON_IsObject(obj))
    return fail(msg, size, PROF_E_FIELD, "%s: '%speripherals' must be an object or a file name", file, prefix);
  const char *twice = repeated_key(obj);
  if (twice) return fail(msg, size, PROF_E_FIELD, "%s: '%.40s' appears twice in one object", file, twice);
  const char *bad = unknown_key(obj, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s%s'", file, prefix, bad);
  uint64_t version = 0;
  if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(obj, "version")) || get_u64(obj, "version", 1000, &version) ||
      version != PROF_PERIPH_VERSION)
    return fail(msg, size, PROF_E_FIELD, "%s: '%sversion' must be %d", file, prefix, PROF_PERIPH_VERSION);
  if (!optional_string(obj, "description") || !optional_string(obj, "source"))
    return fail(msg, size, PROF_E_FIELD, "%s: '%sdescription' and '%ssource' must be strings", file, prefix, prefix);
  const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(obj, "blocks");
  int n = cJSON_GetArraySize(blocks);
  if (!cJSON_IsArray(blocks) || n < 1 || n > PROF_MAX_PERIPH_BLOCKS)
    return fail(msg, size, PROF_E_FIELD, "%s: '%sblocks' must be an array of 1..%d blocks", file, prefix,
                PROF_MAX_PERIPH_BLOCKS);
  for (int i = 0; i < n; i++) {
    char field[48];
    snprintf(field, sizeof field, "%sblocks[%d]", prefix, i);
    prof_err err = parse_pblock(cJSON_GetArrayItem(blocks, i), file, field, pp, (unsigned)i, msg, size);
    if (err) return err;
    pp->block_count++;
  }
  /* sorted by base for lookup; rules name their target block by index, so renumber them */
  unsigned order[PROF_MAX_PERIPH_BLOCKS], where[PROF_MAX_PERIPH_BLOCKS];
  prof_pblock_t *sorted = malloc(sizeof pp->blocks);
  if (!sorted) return fail(msg, size, PROF_E_NOMEM, "%s: out of memory", file);
  memcpy(sorted, pp->blocks, sizeof pp->blocks);
  for (unsigned i = 0; i < pp->block_count; i++) order[i] = i;
  for (unsigned i = 1; i < pp->block_count; i++) /* insertion sort of indices by base: at most 32 */
    for (unsigned j = i; j > 0 && pp->blocks[order[j - 1]].base > pp->blocks[order[j]].base; j--) {
      unsigned t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (unsigned i = 0; i < pp->block_count; i++) {
    sorted[i] = pp->blocks[order[i]];
    where[order[i]] = i;
  }
  for (unsigned i = 0; i < pp->block_count; i++)
    for (unsigned k = 0; k < sorted[i].rule_count; k++)
      sorted[i].rules[k].then_block = where[sorted[i].rules[k].then_block];
  memcpy(pp->blocks, sorted, sizeof pp->blocks);
  free(sorted);
  return PROF_OK;
}

/* A block may not overlap the profile's flash or SRAM. */
static prof_err check_periph_map(const prof_t *p, char *msg, size_t size) {
  for (unsigned i = 0; i < p->periph->block_count; i++) {
    const prof_pblock_t *b = &p->periph->blocks[i];
    prof_region_t r = {.base = b->base, .size = b->size};
    int hit = overlaps(&r, &p->flash);
    for (unsigned k = 0; k < p->sram_count; k++) hit |= overlaps(&r, &p->sram[k]);
    if (hit)
      return fail(msg, size, PROF_E_FIELD, "%s: peripheral block '%s' overlaps the profile's flash or SRAM",
                  p->periph->path, b->name);
  }
  return PROF_OK;
}

static prof_err parse_periph_ref(const cJSON *root, const char *origin, const char *const *dirs, prof_t *p, char *msg,
                                 size_t size);

/* `peripherals`: a file name (relative to the profile's folder) or the object inline. */
static prof_err parse_peripherals(const cJSON *root, const char *origin, const char *const *dirs, prof_t *p, char *msg,
                                  size_t size) {
  prof_err err = parse_periph_ref(root, origin, dirs, p, msg, size);
  return err || !p->periph ? err : check_periph_map(p, msg, size);
}

/* A file name is looked up next to the profile, then in the profile search folders (a profile copied elsewhere to
 * change its SRAM still finds the bundled description it names). */
static prof_err parse_periph_ref(const cJSON *root, const char *origin, const char *const *dirs, prof_t *p, char *msg,
                                 size_t size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "peripherals");
  if (!item) return PROF_OK;
  p->periph = calloc(1, sizeof *p->periph);
  if (!p->periph) return fail(msg, size, PROF_E_NOMEM, "%s: out of memory", origin);
  if (!cJSON_IsString(item)) {
    p->periph->path = strdup(origin);
    if (!p->periph->path) return fail(msg, size, PROF_E_NOMEM, "%s: out of memory", origin);
    return parse_periph_object(item, origin, "peripherals.", p->periph, msg, size);
  }
  const char *name = item->valuestring, *slash = strrchr(origin, '/');
  if (!name[0] || name[0] == '/' || strstr(name, ".."))
    return fail(msg, size, PROF_E_FIELD,
                "%s: 'peripherals' must be a file name relative to the profile's folder (no '..', not absolute)",
                origin);
  char path[4096];
  int dir_len = slash ? (int)(slash - origin) : 1;
  snprintf(path, sizeof path, "%.*s/%s", dir_len, slash ? origin : ".", name);
  p->periph->path = strdup(path);
  if (!p->periph->path) return fail(msg, size, PROF_E_NOMEM, "%s: out of memory", origin);
  char *text = cm_read_file(path, PROF_MAX_FILE_BYTES, NULL);
  int errnum = errno;
  for (const char *const *d = dirs; !text && errnum == ENOENT && d && *d; d++) {
    char candidate[4096];
    snprintf(candidate, sizeof candidate, "%s/%s", *d, name);
    if ((text = cm_read_file(candidate, PROF_MAX_FILE_BYTES, NULL))) {
      free(p->periph->path);
      if (!(p->periph->path = strdup(candidate))) {
        free(text);
        return fail(msg, size, PROF_E_NOMEM, "%s: out of memory", origin);
      }
      snprintf(path, sizeof path, "%s", candidate);
    }
  }
  if (!text)
    return fail(msg, size, PROF_E_IO, "%s: 'peripherals': cannot read %s: %s", origin, path,
                strerror(errnum ? errnum : ENOMEM));
  cJSON *json = cJSON_Parse(text);
  prof_err err;
  if (!json) {
    const char *at = cJSON_GetErrorPtr();
    size_t offset = at && at >= text ? (size_t)(at - text) : 0;
    int line = 1;
    for (size_t i = 0; i < offset && text[i]; i++) line += text[i] == '\n';
    err = fail(msg, size, PROF_E_SYNTAX, "%s:%d: not valid JSON", path, line);
  } else {
    err = parse_periph_object(json, path, "", p->periph, msg, size);
  }
  cJSON_Delete(json);
  free(text);
  return err;
}

static prof_err parse_root(const cJSON *root, const char *origin, const char *const *dirs, prof_t *p, char *msg,
                           size_t size) {
  static const char *const known[] = {"version", "name", "description",       "core",  "clock_hz",    "flash",
                                      "sram",    "tcm",  "multiplier_cycles", "power", "peripherals", NULL};
  if (!cJSON_IsObject(root)) return fail(msg, size, PROF_E_FIELD, "%s: the profile must be a JSON object", origin);
  const char *twice = repeated_key(root);
  if (twice) return fail(msg, size, PROF_E_FIELD, "%s: '%.40s' appears twice in one object", origin, twice);
  const char *bad = unknown_key(root, known);
  if (bad) return fail(msg, size, PROF_E_FIELD, "%s: unknown field '%s'", origin, bad);
  uint64_t version = 0;
  const cJSON *jv = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (!cJSON_IsNumber(jv) || get_u64(root, "version", 1000, &version) || version != PROF_VERSION)
    return fail(msg, size, PROF_E_FIELD, "%s: 'version' must be %d", origin, PROF_VERSION);
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
  if (!cJSON_IsString(name) || !name->valuestring[0])
    return fail(msg, size, PROF_E_FIELD, "%s: 'name' must be a non-empty string", origin);
  const cJSON *core = cJSON_GetObjectItemCaseSensitive(root, "core");
  if (!cJSON_IsString(core) || isa_core_from_name(core->valuestring) < 0) {
    char names[64] = "";
    for (int c = 0; c < ISA_CORE_COUNT; c++)
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", c ? ", " : "", isa_core_name(c));
    return fail(msg, size, PROF_E_FIELD, "%s: 'core' must be one of %s", origin, names);
  }
  if (get_u64(root, "clock_hz", 2000000000ull, &p->clock_hz) || p->clock_hz == 0)
    return fail(msg, size, PROF_E_FIELD, "%s: 'clock_hz' must be a positive frequency in Hz", origin);
  uint64_t mul = 1;
  if (get_u64(root, "multiplier_cycles", 32, &mul) == -1 || (mul != 1 && mul != 32))
    return fail(msg, size, PROF_E_FIELD, "%s: 'multiplier_cycles' must be 1 or 32", origin);
  p->mul_cycles = (unsigned)mul;
  const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "description");
  p->name = strdup(name->valuestring);
  p->description = strdup(cJSON_IsString(desc) ? desc->valuestring : "");
  p->path = strdup(origin);
  snprintf(p->core, sizeof p->core, "%s", core->valuestring);
  if (!p->name || !p->description || !p->path) return fail(msg, size, PROF_E_NOMEM, "%s: out of memory", origin);
  prof_err err = parse_memories(root, origin, p, msg, size);
  if (!err) err = parse_power(root, origin, p, msg, size);
  return err ? err : parse_peripherals(root, origin, dirs, p, msg, size);
}

static prof_err parse_text(const char *json, const char *origin, const char *const *dirs, prof_t **out, char *msg,
                           size_t size) {
  *out = NULL;
  cJSON *root = cJSON_Parse(json);
  if (!root) {
    const char *at = cJSON_GetErrorPtr();
    size_t offset = at && at >= json ? (size_t)(at - json) : 0;
    int line = 1;
    for (size_t i = 0; i < offset && json[i]; i++) line += json[i] == '\n';
    return fail(msg, size, PROF_E_SYNTAX, "%s:%d: not valid JSON", origin, line);
  }
  prof_t *p = calloc(1, sizeof *p);
  prof_err err = p ? parse_root(root, origin, dirs, p, msg, size) : fail(msg, size, PROF_E_NOMEM, "out of memory");
  cJSON_Delete(root);
  if (err) {
    prof_free(p);
    return err;
  }
  *out = p;
  return PROF_OK;
}

prof_err prof_parse(const char *json, const char *origin, prof_t **out, char *msg, size_t size) {
  return parse_text(json, origin, NULL, out, msg, size);
}

static int looks_like_path(const char *s) {
  size_t n = strlen(s);
  return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

prof_err prof_load(const char *name_or_path, const char *const *dirs, prof_t **out, char *msg, size_t size) {
  char path[4096];
  *out = NULL;
  if (looks_like_path(name_or_path)) {
    snprintf(path, sizeof path, "%s", name_or_path);
  } else {
    path[0] = '\0';
    for (const char *const *d = dirs; d && *d; d++) {
      char candidate[4096];
      snprintf(candidate, sizeof candidate, "%s/%s.json", *d, name_or_path);
      FILE *f = fopen(candidate, "rb");
      if (f) {
        fclose(f);
        snprintf(path, sizeof path, "%s", candidate);
        break;
      }
    }
    if (!path[0])
      return fail(msg, size, PROF_E_NOT_FOUND, "profile '%s' not found (try 'mcusim profiles' for the list)",
                  name_or_path);
  }
  char *text = cm_read_file(path, PROF_MAX_FILE_BYTES, NULL);
  int errnum = errno;
  if (!text) {
    return fail(msg, size, PROF_E_IO, "%s: cannot read profile: %s", path, strerror(errnum ? errnum : ENOMEM));
  }
  prof_err err = parse_text(text, path, dirs, out, msg, size);
  free(text);
  return err;
}

void prof_free(prof_t *p) {
  if (!p) return;
  free(p->name);
  free(p->description);
  free(p->path);
  if (p->periph) free(p->periph->path);
  free(p->periph);
  free(p);
}

uint64_t prof_sram_bytes(const prof_t *p) {
  uint64_t total = 0;
  for (unsigned i = 0; i < p->sram_count; i++) total += p->sram[i].size;
  return total;
}

/* E = V x (I_run x active + I_sleep x asleep) / clock_hz; sleep_cycles is part of cycles (spent in WFI/WFE). */
double prof_energy_uj(const prof_t *p, uint64_t cycles, uint64_t sleep_cycles) {
  if (!(p->run_current_ma > 0) || !(p->supply_v > 0)) return -1;
  if (sleep_cycles > cycles) sleep_cycles = cycles;
  double sleep_ma = p->sleep_current_ma > 0 ? p->sleep_current_ma : p->run_current_ma;
  double charge = p->run_current_ma * (double)(cycles - sleep_cycles) + sleep_ma * (double)sleep_cycles;
  /* mA * V = mW; mW * s = mJ; * 1000 = uJ */
  return charge * p->supply_v / (double)p->clock_hz * 1000.0;
}

static int contains(const prof_region_t *r, uint32_t addr, uint32_t size) {
  return addr >= r->base && (uint64_t)addr + size <= (uint64_t)r->base + r->size;
}

const prof_region_t *prof_find_region(const prof_t *p, uint32_t addr, uint32_t size, int *is_flash) {
  if (contains(&p->flash, addr, size)) {
    if (is_flash) *is_flash = 1;
    return &p->flash;
  }
  for (unsigned i = 0; i < p->sram_count; i++)
    if (contains(&p->sram[i], addr, size)) {
      if (is_flash) *is_flash = 0;
      return &p->sram[i];
    }
  return NULL;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **prof_list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return NULL;
  size_t n = 0, cap = 16;
  char **names = malloc(cap * sizeof *names);
  for (struct dirent *e; names && (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    if (n + 2 > cap) {
      char **grown = realloc(names, (cap *= 2) * sizeof *names);
      if (!grown) break;
      names = grown;
    }
    names[n] = strndup(e->d_name, len - 5);
    if (names[n]) n++;
  }
  closedir(d);
  if (!names) return NULL;
  qsort(names, n, sizeof *names, compare_names);
  names[n] = NULL;
  return names;
}
