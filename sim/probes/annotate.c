/* sim/probes/annotate.c — symbol annotations: the JSON file (strict, version 1), the entry and return hooks, and the
 * memory events they produce (see annotate.h; format in docs/annotate.md). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "sim/probes/annotate.h"

#define PROBE_ANNOT_MAX_FILE_BYTES (1u << 20)

typedef enum {
  RULE_LAYER,
  RULE_MALLOC,
  RULE_FREE,
  RULE_CALLOC,
  RULE_REALLOC,
  RULE_RESET,
  RULE_MARKER,
  RULE_STOP
} rule_kind_t;

#define PROBE_ANNOT_MAX_EXCLUDES 32
#define PROBE_ANNOT_MAX_WARNINGS 256
#define PROBE_ANNOT_MAX_HASHES 4096

typedef struct {
  rule_kind_t kind;
  char function[128]; /* exact name or fnmatch(3) pattern; for markers the "at" text */
  /* layers */
  int by_symbol; /* 1: the layer is the function (name = symbol); 0: one layer per call, named in call order */
  char prefix[32], kind_name[24];
  char **names;
  size_t name_count;
  int nested;
  /* allocators: argument registers r0..r3 (-1: unused) and the tag */
  int size_reg, count_reg, pointer_reg;
  char tag[MEM_NAME_MAX];
  /* markers: at an address ("at"), or at the return of a function ("function"), optionally hashing a range */
  char name[MEM_NAME_MAX];
  int value_reg;
  uint64_t hits;
  int optional, at_return, hash;
  char hash_at[128];
  uint32_t hash_bytes;
  /* --stop-after: the run ends at the stop_count-th return */
  uint64_t stop_count;
  /* where the rule is in its file: "layers[3]" */
  char where[48];
  char *exclude[PROBE_ANNOT_MAX_EXCLUDES]; /* the file's and the rule's own patterns */
  size_t exclude_count;
} rule_t;

typedef struct {
  uint32_t addr;
  size_t rule;
  probe_annot_t *annot;
} site_t;

typedef struct {
  uint32_t ret, sp, id, size, pointer;
  size_t rule;
} pending_t;

struct probe_annot {
  const probe_host_t *host;
  const sim_elf_t *elf; /* of the last file loaded: the run's firmware */
  mem_t *mem;           /* where the events go (set by probe_annot_install) */
  rule_t rules[PROBE_ANNOT_MAX_RULES];
  size_t rule_count;
  site_t *sites;
  size_t site_count;
  pending_t pending[PROBE_ANNOT_MAX_PENDING];
  size_t pending_count;
  uint32_t returns[PROBE_ANNOT_MAX_RETURNS];
  size_t return_count;
  int open_layers, open_allocs;
  uint32_t next_layer_id, call_index;
  char **layer_names; /* by id: names of symbol layers, so a function keeps one id */
  size_t layer_name_count;
  char *warnings[PROBE_ANNOT_MAX_WARNINGS];
  size_t warning_count;
  probe_annot_hash_t *hashes;
  size_t hash_count;
};

static void warn(probe_annot_t *a, const char *fmt, ...) {
  if (a->warning_count == PROBE_ANNOT_MAX_WARNINGS) return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  cm_vmsgf(line, sizeof line, fmt, ap);
  va_end(ap);
  if ((a->warnings[a->warning_count] = strdup(line))) a->warning_count++;
}

/* ---- the file ---- */

typedef struct {
  const char *path;
  char *msg;
  size_t size;
} ctx_t;

static int fail(ctx_t *c, const char *field, const char *fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  cm_vmsgf(what, sizeof what, fmt, ap);
  va_end(ap);
  cm_msgf(c->msg, c->size, "%s: %s: %s", c->path, field, what);
  return -1;
}

static int check_fields(ctx_t *c, const cJSON *obj, const char *where, const char *const *known) {
  if (!cJSON_IsObject(obj)) return fail(c, where, "must be an object");
  const cJSON *item;
  cJSON_ArrayForEach(item, obj) {
    const char *const *k = known;
    while (*k && strcmp(*k, item->string)) k++;
    if (!*k) {
      char field[160];
      snprintf(field, sizeof field, "%s.%s", where, item->string);
      return fail(c, field, "unknown field (a typo?)");
    }
  }
  return 0;
}

static int get_string(ctx_t *c, const cJSON *obj, const char *where, const char *key, int required, char *out,
                      size_t size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  char field[160];
  snprintf(field, sizeof field, "%s.%s", where, key);
  if (!item) return required ? fail(c, field, "missing") : 0;
  if (!cJSON_IsString(item) || !item->valuestring[0]) return fail(c, field, "must be a non-empty string");
  if (strlen(item->valuestring) >= size) return fail(c, field, "longer than %zu characters", size - 1);
  snprintf(out, size, "%s", item->valuestring);
  return 0;
}

/* "r0".."r3": AAPCS argument registers; -1 when absent. */
static int get_reg(ctx_t *c, const cJSON *obj, const char *where, const char *key, int fallback, int *out) {
  char text[8] = "";
  *out = fallback;
  if (get_string(c, obj, where, key, 0, text, sizeof text)) return -1;
  if (!text[0]) return 0;
  if (text[0] != 'r' || text[1] < '0' || text[1] > '3' || text[2]) {
    char field[160];
    snprintf(field, sizeof field, "%s.%s", where, key);
    return fail(c, field, "'%s' is not an argument register (r0, r1, r2 or r3)", text);
  }
  *out = text[1] - '0';
  return 0;
}

static int get_bool(ctx_t *c, const cJSON *obj, const char *where, const char *key, int *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!item) return 0;
  if (!cJSON_IsBool(item)) {
    char field[160];
    snprintf(field, sizeof field, "%s.%s", where, key);
    return fail(c, field, "must be true or false");
  }
  *out = cJSON_IsTrue(item);
  return 0;
}

static rule_t *new_rule(probe_annot_t *a, ctx_t *c, const char *where) {
  if (a->rule_count == PROBE_ANNOT_MAX_RULES) {
    fail(c, where, "more than %d rules", PROBE_ANNOT_MAX_RULES);
    return NULL;
  }
  rule_t *r = &a->rules[a->rule_count++];
  memset(r, 0, sizeof *r);
  r->size_reg = r->count_reg = r->pointer_reg = r->value_reg = -1;
  snprintf(r->where, sizeof r->where, "%s", where);
  return r;
}

/* "exclude": one pattern or an array of them, added to the rule's list. */
static int parse_exclude(ctx_t *c, const cJSON *obj, const char *where, rule_t *r) {
  const cJSON *ex = cJSON_GetObjectItemCaseSensitive(obj, "exclude"), *n;
  if (!ex) return 0;
  char field[160];
  snprintf(field, sizeof field, "%s.exclude", where);
  if (cJSON_IsString(ex) && ex->valuestring[0]) {
    if (r->exclude_count == PROBE_ANNOT_MAX_EXCLUDES)
      return fail(c, field, "more than %d patterns", PROBE_ANNOT_MAX_EXCLUDES);
    return (r->exclude[r->exclude_count++] = strdup(ex->valuestring)) ? 0 : fail(c, field, "out of memory");
  }
  if (!cJSON_IsArray(ex)) return fail(c, field, "must be a pattern or an array of patterns");
  cJSON_ArrayForEach(n, ex) {
    if (!cJSON_IsString(n) || !n->valuestring[0]) return fail(c, field, "must hold non-empty patterns");
    if (r->exclude_count == PROBE_ANNOT_MAX_EXCLUDES)
      return fail(c, field, "more than %d patterns", PROBE_ANNOT_MAX_EXCLUDES);
    if (!(r->exclude[r->exclude_count++] = strdup(n->valuestring))) return fail(c, field, "out of memory");
  }
  return 0;
}

static int parse_names(ctx_t *c, const cJSON *obj, const char *where, rule_t *r) {
  const cJSON *names = cJSON_GetObjectItemCaseSensitive(obj, "names"), *n;
  if (!names) return 0;
  char field[160];
  snprintf(field, sizeof field, "%s.names", where);
  if (!cJSON_IsArray(names)) return fail(c, field, "must be an array of layer names");
  r->names = calloc((size_t)cJSON_GetArraySize(names) + 1, sizeof *r->names);
  if (!r->names) return fail(c, field, "out of memory");
  cJSON_ArrayForEach(n, names) {
    if (!cJSON_IsString(n) || !n->valuestring[0]) return fail(c, field, "must hold non-empty strings");
    if (!(r->names[r->name_count++] = strdup(n->valuestring))) return fail(c, field, "out of memory");
  }
  return 0;
}

static int parse_layer(probe_annot_t *a, ctx_t *c, const cJSON *obj, const char *where) {
  static const char *const known[] = {"function", "name", "prefix", "names", "kind", "nested", "exclude", NULL};
  rule_t *r = new_rule(a, c, where);
  if (!r || check_fields(c, obj, where, known)) return -1;
  r->kind = RULE_LAYER;
  char name[16] = "symbol";
  snprintf(r->prefix, sizeof r->prefix, "layer_");
  if (get_string(c, obj, where, "function", 1, r->function, sizeof r->function) ||
      get_string(c, obj, where, "name", 0, name, sizeof name) ||
      get_string(c, obj, where, "prefix", 0, r->prefix, sizeof r->prefix) ||
      get_string(c, obj, where, "kind", 0, r->kind_name, sizeof r->kind_name) ||
      get_bool(c, obj, where, "nested", &r->nested) || parse_names(c, obj, where, r) || parse_exclude(c, obj, where, r))
    return -1;
  if (strcmp(name, "symbol") && strcmp(name, "call")) {
    char field[160];
    snprintf(field, sizeof field, "%s.name", where);
    return fail(c, field, "'%s' is neither \"symbol\" (the function's name) nor \"call\" (call order)", name);
  }
  r->by_symbol = !strcmp(name, "symbol");
  return 0;
}

static const struct {
  const char *name;
  rule_kind_t kind;
  int size_reg, count_reg,
      pointer_reg; /* AAPCS defaults: malloc(size), free(ptr), calloc(n, size), realloc(ptr, size) */
} allocator_kinds[] = {
    {"malloc", RULE_MALLOC, 0, -1, -1},  {"free", RULE_FREE, -1, -1, 0},    {"calloc", RULE_CALLOC, 1, 0, -1},
    {"realloc", RULE_REALLOC, 1, -1, 0}, {"reset", RULE_RESET, -1, -1, -1},
};

static int parse_allocator(probe_annot_t *a, ctx_t *c, const cJSON *obj, const char *where) {
  static const char *const known[] = {"function", "kind", "size", "count", "pointer", "tag", "exclude", NULL};
  rule_t *r = new_rule(a, c, where);
  char kind[16] = "";
  if (!r || check_fields(c, obj, where, known) ||
      get_string(c, obj, where, "function", 1, r->function, sizeof r->function) ||
      get_string(c, obj, where, "kind", 1, kind, sizeof kind) ||
      get_string(c, obj, where, "tag", 0, r->tag, sizeof r->tag) || parse_exclude(c, obj, where, r))
    return -1;
  size_t k = 0;
  while (k < sizeof allocator_kinds / sizeof *allocator_kinds && strcmp(allocator_kinds[k].name, kind)) k++;
  if (k == sizeof allocator_kinds / sizeof *allocator_kinds) {
    char field[160];
    snprintf(field, sizeof field, "%s.kind", where);
    return fail(c, field, "'%s' is not one of malloc, free, calloc, realloc, reset", kind);
  }
  r->kind = allocator_kinds[k].kind;
  if (get_reg(c, obj, where, "size", allocator_kinds[k].size_reg, &r->size_reg) ||
      get_reg(c, obj, where, "count", allocator_kinds[k].count_reg, &r->count_reg) ||
      get_reg(c, obj, where, "pointer", allocator_kinds[k].pointer_reg, &r->pointer_reg))
    return -1;
  return 0;
}

/* A marker's "hash": {"address": "symbol" | "symbol+off" | "0x...", "bytes": N}. */
static int parse_hash(ctx_t *c, const cJSON *obj, const char *where, rule_t *r) {
  static const char *const known[] = {"address", "bytes", NULL};
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(obj, "hash");
  if (!h) return 0;
  char field[160];
  snprintf(field, sizeof field, "%s.hash", where);
  if (check_fields(c, h, field, known) || get_string(c, h, field, "address", 1, r->hash_at, sizeof r->hash_at))
    return -1;
  const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(h, "bytes");
  snprintf(field, sizeof field, "%s.hash.bytes", where);
  if (!cJSON_IsNumber(bytes) || bytes->valuedouble < 1 || bytes->valuedouble > (1 << 20) ||
      bytes->valuedouble != (double)(uint32_t)bytes->valuedouble)
    return fail(c, field, bytes ? "must be a whole number of bytes from 1 to 1048576" : "missing");
  r->hash_bytes = (uint32_t)bytes->valuedouble;
  r->hash = 1;
  return 0;
}

static int parse_marker(probe_annot_t *a, ctx_t *c, const cJSON *obj, const char *where) {
  static const char *const known[] = {"name", "at", "function", "value", "optional", "hash", NULL};
  rule_t *r = new_rule(a, c, where);
  if (!r || check_fields(c, obj, where, known) || get_string(c, obj, where, "name", 1, r->name, sizeof r->name) ||
      get_string(c, obj, where, "at", 0, r->function, sizeof r->function) ||
      get_reg(c, obj, where, "value", -1, &r->value_reg) || get_bool(c, obj, where, "optional", &r->optional) ||
      parse_hash(c, obj, where, r))
    return -1;
  char function[128] = "";
  if (get_string(c, obj, where, "function", 0, function, sizeof function)) return -1;
  if (!!function[0] == !!r->function[0])
    return fail(c, where, "give either \"at\" (an address: the mark is set there) or \"function\" (at its return)");
  if (function[0]) {
    snprintf(r->function, sizeof r->function, "%s", function);
    r->at_return = 1;
  }
  if (r->hash && !r->at_return) {
    char field[160];
    snprintf(field, sizeof field, "%s.hash", where);
    return fail(c, field, "needs \"function\" (the range is hashed at the function's return)");
  }
  r->kind = RULE_MARKER;
  return 0;
}

typedef int (*parse_fn)(probe_annot_t *, ctx_t *, const cJSON *, const char *);

static int parse_list(probe_annot_t *a, ctx_t *c, const cJSON *root, const char *key, parse_fn parse) {
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key), *item;
  if (!list) return 0;
  if (!cJSON_IsArray(list)) return fail(c, key, "must be an array");
  int i = 0;
  cJSON_ArrayForEach(item, list) {
    char where[64];
    snprintf(where, sizeof where, "%s[%d]", key, i++);
    if (parse(a, c, item, where)) return -1;
  }
  return 0;
}

static int parse_file(probe_annot_t *a, ctx_t *c, const char *text) {
  static const char *const known[] = {"version", "description", "exclude", "layers", "allocators", "markers", NULL};
  cJSON *root = cJSON_Parse(text);
  int rc = -1;
  if (!root) {
    fail(c, "JSON", "not valid JSON near '%.20s'", cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    goto done;
  }
  if (check_fields(c, root, "(top level)", known)) goto done;
  const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (!cJSON_IsNumber(version) || version->valuedouble != 1) {
    fail(c, "version", version ? "must be 1 (the only format so far)" : "missing (\"version\": 1)");
    goto done;
  }
  size_t first = a->rule_count;
  rc = parse_list(a, c, root, "layers", parse_layer) || parse_list(a, c, root, "allocators", parse_allocator) ||
               parse_list(a, c, root, "markers", parse_marker)
           ? -1
           : 0;
  /* the file's "exclude" applies to every rule of the file */
  rule_t file_ex = {0};
  if (!rc && parse_exclude(c, root, "(top level)", &file_ex)) rc = -1;
  for (size_t i = first; !rc && i < a->rule_count; i++)
    for (size_t k = 0; k < file_ex.exclude_count; k++) {
      rule_t *r = &a->rules[i];
      if (r->exclude_count == PROBE_ANNOT_MAX_EXCLUDES ||
          !(r->exclude[r->exclude_count] = strdup(file_ex.exclude[k]))) {
        rc = fail(c, "exclude", "more than %d patterns for %s", PROBE_ANNOT_MAX_EXCLUDES, r->where);
        break;
      }
      r->exclude_count++;
    }
  for (size_t k = 0; k < file_ex.exclude_count; k++) free(file_ex.exclude[k]);
done:
  cJSON_Delete(root);
  return rc;
}

/* ---- sites: where the rules apply in this ELF ---- */

static int add_site(probe_annot_t *a, uint32_t addr, size_t rule) {
  for (size_t i = 0; i < a->site_count; i++)
    if (a->sites[i].addr == addr && a->rules[a->sites[i].rule].kind == a->rules[rule].kind) return 0;
  if (a->site_count == PROBE_ANNOT_MAX_SITES) return -1;
  site_t *grown = realloc(a->sites, (a->site_count + 1) * sizeof *grown);
  if (!grown) return -1;
  a->sites = grown;
  a->sites[a->site_count++] = (site_t){addr, rule, a};
  return 0;
}

static int is_code(const sim_elf_t *elf, uint32_t addr) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if ((s->flags & 1u /* PF_X */) && addr >= s->vaddr && addr - s->vaddr < s->file_size) return 1;
  }
  return 0;
}

/* A marker's "at": "symbol", "symbol+0x1a" or "0x08000abc". */
static int marker_address(const probe_annot_t *a, const char *at, uint32_t *addr) {
  char *end;
  if (!strncmp(at, "0x", 2)) {
    unsigned long v = strtoul(at, &end, 16);
    *addr = (uint32_t)v & ~1u;
    return *end ? -1 : 0;
  }
  char name[128];
  snprintf(name, sizeof name, "%s", at);
  char *plus = strchr(name, '+');
  unsigned long offset = 0;
  if (plus) {
    *plus = '\0';
    offset = strtoul(plus + 1, &end, 0);
    if (*end || plus[1] == '\0') return -1;
  }
  uint32_t base;
  if (a->host->lookup(a->host->opaque, name, &base)) return -1;
  *addr = (base & ~1u) + (uint32_t)offset;
  return 0;
}

static int excluded(const rule_t *r, const sim_elf_symbol_t *s) {
  for (size_t k = 0; k < r->exclude_count; k++)
    if (sim_elf_symbol_matches(s, r->exclude[k])) return 1;
  return 0;
}

/* A hash range's "address": "symbol", "symbol+0x10" or "0x20000100", exact (no Thumb bit to clear). */
static int data_address(const probe_annot_t *a, const char *at, uint32_t *addr) {
  char name[128], *end;
  if (!strncmp(at, "0x", 2)) {
    *addr = (uint32_t)strtoul(at, &end, 16);
    return *end ? -1 : 0;
  }
  snprintf(name, sizeof name, "%s", at);
  char *plus = strchr(name, '+');
  unsigned long offset = 0;
  if (plus) {
    *plus = '\0';
    offset = strtoul(plus + 1, &end, 0);
    if (*end || plus[1] == '\0') return -1;
  }
  uint32_t base;
  if (a->host->lookup(a->host->opaque, name, &base)) return -1;
  *addr = base + (uint32_t)offset;
  return 0;
}

static int match_rule(probe_annot_t *a, ctx_t *c, size_t ri) {
  const sim_elf_t *elf = a->elf;
  rule_t *r = &a->rules[ri];
  const char *where = r->where;
  if (r->kind == RULE_MARKER && !r->at_return) {
    uint32_t addr;
    if (marker_address(a, r->function, &addr) || !is_code(elf, addr)) {
      if (!r->optional)
        return fail(c, where, "'at' %s is not a function, function+offset or code address of the firmware",
                    r->function);
      warn(a, "%s: %s: optional marker skipped: '%s' is not in the firmware", c->path, where, r->function);
      return 0;
    }
    return add_site(a, addr, ri) ? fail(c, where, "too many hooked addresses") : 0;
  }
  if (r->hash) {
    uint32_t addr;
    if (data_address(a, r->hash_at, &addr)) {
      if (!r->optional)
        return fail(c, where, "hash address '%s' is not a symbol or an address of the firmware", r->hash_at);
      warn(a, "%s: %s: optional marker skipped: '%s' is not in the firmware", c->path, where, r->hash_at);
      return 0;
    }
  }
  size_t matched = 0;
  if (!strncmp(r->function, "0x", 2)) { /* a function by its address */
    char *end;
    uint32_t addr = (uint32_t)strtoul(r->function, &end, 16) & ~1u;
    if (*end || !is_code(elf, addr)) return fail(c, where, "'%s' is not a code address of the firmware", r->function);
    if (add_site(a, addr, ri)) return fail(c, where, "too many hooked addresses");
    return 0;
  }
  for (size_t i = 0; i < elf->symbol_count; i++) {
    const sim_elf_symbol_t *s = &elf->symbols[i];
    if (!is_code(elf, s->addr) || !sim_elf_symbol_matches(s, r->function) || excluded(r, s)) continue;
    if (add_site(a, s->addr, ri)) return fail(c, where, "more than %d functions match", PROBE_ANNOT_MAX_SITES);
    matched++;
  }
  /* a preset's function the firmware does not link (calloc, ...) is not an error, but it is said */
  if (!matched) {
    if (r->kind == RULE_MARKER && !r->optional)
      return fail(c, where, "'function' %s is not a function of the firmware", r->function);
    warn(a, "%s: %s: '%s' matches no function of the firmware", c->path, where, r->function);
  }
  return 0;
}

static void free_rules(probe_annot_t *a, size_t from) {
  for (size_t i = from; i < a->rule_count; i++) {
    for (size_t k = 0; k < a->rules[i].name_count; k++) free(a->rules[i].names[k]);
    free(a->rules[i].names);
    for (size_t k = 0; k < a->rules[i].exclude_count; k++) free(a->rules[i].exclude[k]);
  }
  a->rule_count = from;
}

probe_annot_t *probe_annot_create(const probe_host_t *host) {
  probe_annot_t *a = calloc(1, sizeof *a);
  if (a) a->host = host;
  return a;
}

int probe_annot_load(probe_annot_t *a, const char *path, const sim_elf_t *elf, char *msg, size_t msg_size) {
  size_t first = a->rule_count;
  ctx_t c = {path, msg, msg_size};
  a->elf = elf;
  char *text = cm_read_file(path, PROBE_ANNOT_MAX_FILE_BYTES, NULL);
  int rc;
  if (text)
    rc = parse_file(a, &c, text);
  else if (errno == EFBIG)
    rc = fail(&c, "(file)", "larger than 1 MiB");
  else if (errno == ENOMEM)
    rc = -1;
  else {
    cm_msgf(msg, msg_size, "%s: cannot read the annotation file: %s", path, strerror(errno));
    return -1;
  }
  free(text);
  for (size_t i = first; !rc && i < a->rule_count; i++) rc = match_rule(a, &c, i);
  if (rc) free_rules(a, first);
  return rc ? -1 : 0;
}

void probe_annot_free(probe_annot_t *a) {
  if (!a) return;
  free_rules(a, 0);
  for (size_t i = 0; i < a->layer_name_count; i++) free(a->layer_names[i]);
  free(a->layer_names);
  for (size_t i = 0; i < a->warning_count; i++) free(a->warnings[i]);
  free(a->hashes);
  free(a->sites);
  free(a);
}

/* ---- run time ---- */

static uint32_t reg(const probe_annot_t *a, int n) { return a->host->reg(a->host->opaque, n); }
static int stopping(const probe_annot_t *a) { return a->host->stopping(a->host->opaque); }

static void on_return(void *engine, uint64_t address, uint32_t size, void *opaque);

/* Hooks a return address once; the block already translated there is dropped so the hook takes effect. */
static int hook_return(probe_annot_t *a, uint32_t ret) {
  for (size_t i = 0; i < a->return_count; i++)
    if (a->returns[i] == ret) return 0;
  if (a->return_count == PROBE_ANNOT_MAX_RETURNS) return -1;
  if (a->host->hook_code(a->host->opaque, ret, on_return, a, 1)) return -1;
  a->returns[a->return_count++] = ret;
  return 0;
}

static void push_pending(probe_annot_t *a, size_t rule, uint32_t id, uint32_t size, uint32_t pointer) {
  uint32_t ret = reg(a, PROBE_REG_LR) & ~1u;
  if (a->pending_count == PROBE_ANNOT_MAX_PENDING || hook_return(a, ret)) return;
  a->pending[a->pending_count++] = (pending_t){ret, reg(a, PROBE_REG_SP), id, size, pointer, rule};
  if (a->rules[rule].kind == RULE_LAYER)
    a->open_layers++;
  else if (a->rules[rule].kind != RULE_MARKER && a->rules[rule].kind != RULE_STOP)
    a->open_allocs++;
}

/* Layer ids in order of first appearance. A layer named by its function keeps one id, so its calls add up in one
 * row; a layer in call order gets a new id per call (name NULL: never matched again). */
static uint32_t layer_id(probe_annot_t *a, const char *symbol) {
  for (size_t i = 0; symbol && i < a->layer_name_count; i++)
    if (a->layer_names[i] && !strcmp(a->layer_names[i], symbol)) return (uint32_t)i;
  char **grown = realloc(a->layer_names, (a->layer_name_count + 1) * sizeof *grown);
  if (!grown) return 0;
  a->layer_names = grown;
  a->layer_names[a->layer_name_count] = symbol ? strdup(symbol) : NULL;
  return (uint32_t)a->layer_name_count++;
}

static void layer_entry(probe_annot_t *a, size_t ri, uint32_t pc, const mem_when_t *when) {
  rule_t *r = &a->rules[ri];
  if (a->open_layers && !r->nested) return;
  const sim_elf_symbol_t *s = a->host->symbol_at(a->host->opaque, pc);
  char name[MEM_NAME_MAX];
  uint32_t id;
  if (r->by_symbol) {
    sim_elf_fit_name(s, name, sizeof name);
    id = layer_id(a, name);
  } else {
    uint32_t k = a->call_index++;
    if (k < r->name_count)
      snprintf(name, sizeof name, "%s", r->names[k]);
    else
      snprintf(name, sizeof name, "%s%u", r->prefix, k);
    id = layer_id(a, NULL);
  }
  if (r->kind_name[0]) mem_layer_info(a->mem, id, r->kind_name, 0, 0, 0);
  mem_layer_begin(a->mem, when, id, name, 0);
  push_pending(a, ri, id, 0, 0);
}

static void on_entry(void *engine, uint64_t address, uint32_t size, void *opaque) {
  site_t *site = opaque;
  probe_annot_t *a = site->annot;
  rule_t *r = &a->rules[site->rule];
  mem_when_t when;
  if (stopping(a)) return;
  a->host->now_at_pc(a->host->opaque, (uint32_t)address, &when);
  switch (r->kind) {
  case RULE_LAYER:
    layer_entry(a, site->rule, (uint32_t)address, &when);
    break;
  case RULE_MALLOC:
  case RULE_CALLOC:
  case RULE_REALLOC:
    if (a->open_allocs) break; /* an allocator inside another (calloc -> malloc) is part of it */
    push_pending(a, site->rule, 0, reg(a, r->size_reg) * (r->count_reg >= 0 ? reg(a, r->count_reg) : 1u),
                 r->pointer_reg >= 0 ? reg(a, r->pointer_reg) : 0);
    break;
  case RULE_FREE:
    if (!a->open_allocs && reg(a, r->pointer_reg)) mem_free(a->mem, &when, reg(a, r->pointer_reg));
    break;
  case RULE_RESET:
    if (!a->open_allocs) mem_free_all(a->mem, &when);
    break;
  case RULE_STOP:
    push_pending(a, site->rule, 0, 0, 0);
    break;
  case RULE_MARKER:
    if (r->at_return) {
      push_pending(a, site->rule, 0, 0, 0);
      break;
    }
    r->hits++;
    mem_mark_number(a->mem, r->name, r->value_reg >= 0 ? reg(a, r->value_reg) : (uint32_t)r->hits);
    mem_sample(a->mem, &when);
    break;
  }
}

static void allocation_done(probe_annot_t *a, const pending_t *p, const mem_when_t *when) {
  const rule_t *r = &a->rules[p->rule];
  uint32_t result = reg(a, 0);
  char tag[MEM_NAME_MAX];
  const sim_elf_symbol_t *caller = a->host->symbol_at(a->host->opaque, p->ret);
  if (r->tag[0])
    snprintf(tag, sizeof tag, "%s", r->tag);
  else
    sim_elf_fit_name(caller, tag, sizeof tag);
  if (r->kind == RULE_REALLOC) {
    if (!result && p->size) return; /* failed: the old block stays */
    if (p->pointer) mem_free(a->mem, when, p->pointer);
  }
  if (result && p->size) mem_alloc(a->mem, when, result, p->size, tag);
}

/* FNV-1a, 32-bit (offset basis 2166136261, prime 16777619: the published FNV parameters). */
uint32_t probe_annot_fnv1a(const uint8_t *bytes, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ bytes[i]) * 16777619u;
  return h;
}

static void marker_return(probe_annot_t *a, size_t ri, const mem_when_t *when) {
  rule_t *r = &a->rules[ri];
  r->hits++;
  if (r->kind == RULE_STOP) {
    if (r->hits == r->stop_count) a->host->finish(a->host->opaque);
    return;
  }
  uint32_t value = r->value_reg >= 0 ? reg(a, r->value_reg) : (uint32_t)r->hits;
  if (r->hash) {
    uint32_t addr = 0;
    uint8_t *buf = malloc(r->hash_bytes);
    int ok =
        buf && !data_address(a, r->hash_at, &addr) && !a->host->read_mem(a->host->opaque, addr, buf, r->hash_bytes);
    value = ok ? probe_annot_fnv1a(buf, r->hash_bytes) : 0;
    free(buf);
    if (!ok)
      warn(a, "%s: call %llu: cannot read %u bytes at '%s'", r->where, (unsigned long long)r->hits, r->hash_bytes,
           r->hash_at);
    else if (a->hash_count < PROBE_ANNOT_MAX_HASHES) {
      probe_annot_hash_t *grown = realloc(a->hashes, (a->hash_count + 1) * sizeof *grown);
      if (grown) {
        a->hashes = grown;
        grown[a->hash_count++] = (probe_annot_hash_t){r->name, r->hits, addr, r->hash_bytes, value, when->cycle};
      }
    }
  }
  mem_mark_number(a->mem, r->name, value);
  mem_sample(a->mem, when);
}

static void on_return(void *engine, uint64_t address, uint32_t size, void *opaque) {
  probe_annot_t *a = opaque;
  if (stopping(a)) return;
  uint32_t sp = reg(a, PROBE_REG_SP);
  size_t i = a->pending_count;
  while (i-- > 0)
    if (a->pending[i].ret == (uint32_t)address && a->pending[i].sp == sp) break;
  if (i == (size_t)-1) return; /* the address runs without a pending call (a loop back to it) */
  /* several rules on one function (a layer and a hash marker, --stop-after) return together */
  while (i > 0 && a->pending[i - 1].ret == (uint32_t)address && a->pending[i - 1].sp == sp) i--;
  mem_when_t when;
  a->host->now_at_pc(a->host->opaque, (uint32_t)address, &when);
  /* calls above the match never returned here (longjmp-like): they end now */
  while (a->pending_count > i) {
    const pending_t *p = &a->pending[--a->pending_count];
    if (a->rules[p->rule].kind == RULE_LAYER) {
      mem_layer_end(a->mem, &when, p->id);
      a->open_layers--;
    } else if (a->rules[p->rule].kind == RULE_MARKER || a->rules[p->rule].kind == RULE_STOP) {
      if (p->ret == (uint32_t)address && p->sp == sp) marker_return(a, p->rule, &when);
    } else {
      if (p->ret == (uint32_t)address && p->sp == sp) allocation_done(a, p, &when);
      a->open_allocs--;
    }
  }
}

int probe_annot_install(probe_annot_t *a, mem_t *mem) {
  a->mem = mem;
  for (size_t i = 0; i < a->site_count; i++)
    if (a->host->hook_code(a->host->opaque, a->sites[i].addr, on_entry, &a->sites[i], 0)) return -1;
  return 0;
}

int probe_annot_stop_after(probe_annot_t *a, const char *spec, const sim_elf_t *elf, char *msg, size_t msg_size) {
  ctx_t c = {"--stop-after", msg, msg_size};
  const char *colon = strrchr(spec, ':');
  char *end = NULL;
  unsigned long long n = colon ? strtoull(colon + 1, &end, 10) : 0;
  if (!colon || colon == spec || !colon[1] || *end || n == 0 || (size_t)(colon - spec) >= sizeof a->rules[0].function)
    return fail(&c, spec, "expected FUNCTION:N (N >= 1 returns from FUNCTION)");
  a->elf = elf;
  rule_t *r = new_rule(a, &c, "--stop-after");
  if (!r) return -1;
  r->kind = RULE_STOP;
  r->stop_count = n;
  snprintf(r->function, sizeof r->function, "%.*s", (int)(colon - spec), spec);
  size_t first = a->rule_count - 1, warnings = a->warning_count;
  int rc = match_rule(a, &c, first);
  if (!rc && a->warning_count > warnings) { /* matching nothing would silently never stop */
    free(a->warnings[--a->warning_count]);
    rc = fail(&c, spec, "'%s' is not a function of the firmware", r->function);
  }
  if (rc) free_rules(a, first);
  return rc ? -1 : 0;
}

size_t probe_annot_warning_count(const probe_annot_t *a) { return a ? a->warning_count : 0; }
const char *probe_annot_warning(const probe_annot_t *a, size_t i) {
  return a && i < a->warning_count ? a->warnings[i] : NULL;
}
const probe_annot_hash_t *probe_annot_hashes(const probe_annot_t *a, size_t *count) {
  *count = a ? a->hash_count : 0;
  return a ? a->hashes : NULL;
}
