/* reports/rpt.c — builds the JSON report from a run, writes it atomically, renders the text summary. */
#include "reports/rpt.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"
#include "reports/figures.h"

/* One version for the whole tool: CMake's project(VERSION), given to every target as MCUSIM_VERSION. */
#ifndef MCUSIM_VERSION
#error "MCUSIM_VERSION is defined by CMakeLists.txt"
#endif

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), 0 when it is not one (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
  if (s[0] < 0x80) return 1;
  size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
  if (!len || len > n) return 0;
  unsigned long cp = s[0] & (0x7f >> len);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return len;
}

/* bytes as the text of a JSON string literal with its quotes: well-formed UTF-8 kept, every other byte as U+FFFD,
 * control characters and NUL as \u escapes. Caller frees; NULL when out of memory. */
static char *json_literal(const unsigned char *bytes, size_t len) {
  char *out = malloc(len * 6 + 3), *o = out; /* at most 6 output bytes per input byte ("\u0000", "\ufffd") */
  if (!out) return NULL;
  *o++ = '"';
  for (size_t i = 0, n; i < len; i += n) {
    n = utf8_sequence(bytes + i, len - i);
    if (!n) {
      o += sprintf(o, "\\ufffd");
      n = 1;
    } else if (bytes[i] == '"' || bytes[i] == '\\') {
      o += sprintf(o, "\\%c", bytes[i]);
    } else if (bytes[i] < 0x20) { /* as cJSON prints them */
      const char *named = strchr("\b\f\n\r\t", bytes[i]);
      o += bytes[i] && named ? sprintf(o, "\\%c", "bfnrt"[named - "\b\f\n\r\t"]) : sprintf(o, "\\u%04x", bytes[i]);
    } else {
      memcpy(o, bytes + i, n);
      o += n;
    }
  }
  memcpy(o, "\"", 2);
  return out;
}

cJSON *rpt_text(const char *bytes, size_t len) {
  const unsigned char *b = (const unsigned char *)bytes;
  bool nul = memchr(bytes, 0, len) != NULL, clean = !nul;
  for (size_t i = 0, n = 1; clean && i < len; i += n) clean = (n = utf8_sequence(b + i, len - i)) != 0;
  if (clean) return cJSON_CreateString(bytes);
  char *literal = json_literal(b, len);
  /* NUL cannot live in a cJSON string: such text stays a raw literal, printed as it is ("\u0000"). */
  cJSON *item = !literal ? NULL : nul ? cJSON_CreateRaw(literal) : cJSON_Parse(literal);
  free(literal);
  return item;
}

/* A string member whose key and text may come from firmware, the ELF or a file: both made valid UTF-8. */
static void add_text(cJSON *obj, const char *key, const char *text) {
  cJSON *value = rpt_text(text, strlen(text)), *key_item = rpt_text(key, strlen(key));
  if (value && cJSON_IsString(key_item))
    cJSON_AddItemToObject(obj, key_item->valuestring, value);
  else
    cJSON_Delete(value);
  cJSON_Delete(key_item);
}

static void add_u64(cJSON *obj, const char *key, uint64_t value) { cJSON_AddNumberToObject(obj, key, (double)value); }

static void add_hex(cJSON *obj, const char *key, uint32_t value) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08x", value);
  add_text(obj, key, buf);
}

/* Rounded so that the text of the number is stable and readable. */
static void add_rounded(cJSON *obj, const char *key, double value, int decimals) {
  double scale = pow(10, decimals);
  cJSON_AddNumberToObject(obj, key, round(value * scale) / scale);
}

static cJSON *build_firmware(const mcusim_t *sim) {
  const mcusim_firmware_t *fw = mcusim_firmware(sim);
  cJSON *o = cJSON_CreateObject();
  add_text(o, "path", fw->path ? fw->path : "");
  add_text(o, "sha256", fw->sha256);
  add_u64(o, "text_bytes", fw->text_bytes);
  add_u64(o, "rodata_bytes", fw->rodata_bytes);
  add_u64(o, "data_bytes", fw->data_bytes);
  add_u64(o, "bss_bytes", fw->bss_bytes);
  add_u64(o, "flash_used_bytes", fw->flash_used_bytes);
  return o;
}

static cJSON *build_profile(const mcusim_t *sim) {
  const prof_t *p = mcusim_profile(sim);
  cJSON *o = cJSON_CreateObject();
  add_text(o, "name", p->name);
  add_text(o, "core", p->core);
  add_u64(o, "clock_hz", p->clock_hz);
  add_u64(o, "sram_bytes", prof_sram_bytes(p));
  add_u64(o, "flash_bytes", p->flash.size);
  add_u64(o, "flash_wait_states", p->flash_wait_states);
  return o;
}

static cJSON *build_fault(const mcusim_result_t *r) {
  static const char *const reg_names[17] = {"r0", "r1",  "r2",  "r3",  "r4", "r5", "r6", "r7",  "r8",
                                            "r9", "r10", "r11", "r12", "sp", "lr", "pc", "xpsr"};
  const mcusim_fault_t *f = &r->fault;
  cJSON *o = cJSON_CreateObject();
  add_text(o, "kind", mcusim_fault_name(f->kind));
  add_text(o, "message", f->message);
  add_hex(o, "pc", f->pc);
  add_text(o, "symbol", f->symbol);
  add_text(o, "instruction", f->insn);
  add_hex(o, "address", f->address);
  cJSON *regs = cJSON_AddObjectToObject(o, "registers");
  for (int i = 0; i < 17; i++) add_hex(regs, reg_names[i], f->regs[i]);
  return o;
}

static cJSON *build_result(const mcusim_t *sim) {
  const mcusim_result_t *r = mcusim_result(sim);
  cJSON *o = cJSON_CreateObject();
  add_text(o, "stop", mcusim_stop_name(r->stop));
  if (r->stop == MCUSIM_STOP_EXIT)
    cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
  else
    cJSON_AddNullToObject(o, "exit_code");
  if (r->stdout_text)
    cJSON_AddItemToObject(o, "stdout", rpt_text(r->stdout_text, r->stdout_len));
  else
    add_text(o, "stdout", "");
  cJSON_AddBoolToObject(o, "stdout_truncated", r->stdout_truncated);
  if (r->stop == MCUSIM_STOP_FAULT)
    cJSON_AddItemToObject(o, "fault", build_fault(r));
  else
    cJSON_AddNullToObject(o, "fault");
  if (r->faults_delivered) { /* --deliver-faults: the first fault the firmware's handler got, at its instruction */
    cJSON *d = cJSON_AddObjectToObject(o, "delivered_fault");
    cJSON_AddNumberToObject(d, "count", r->faults_delivered);
    add_text(d, "kind", mcusim_fault_name(r->delivered_fault.kind));
    add_text(d, "message", r->delivered_fault.message);
    add_hex(d, "pc", r->delivered_fault.pc);
    add_text(d, "symbol", r->delivered_fault.symbol);
  }
  if (r->stop == MCUSIM_STOP_INSN_LIMIT || r->stop == MCUSIM_STOP_TIME_LIMIT || r->stop == MCUSIM_STOP_INTERRUPTED ||
      r->stop == MCUSIM_STOP_SELF_LOOP) {
    cJSON *at = cJSON_AddObjectToObject(o, "stopped_at");
    add_hex(at, "pc", r->fault.pc);
    add_text(at, "symbol", r->fault.symbol);
  }
  cJSON *start = cJSON_AddObjectToObject(o, "start");
  add_text(start, "source", r->start_source ? r->start_source : "");
  add_hex(start, "pc", r->entry_pc);
  add_hex(start, "sp", r->initial_sp);
  return o;
}

static cJSON *build_totals(const mcusim_t *sim) {
  const mcusim_result_t *r = mcusim_result(sim);
  cJSON *o = cJSON_CreateObject();
#define RPT_ADD_TOTAL(name, key, unit) add_u64(o, key, r->totals.name);
  MCUSIM_TOTALS(RPT_ADD_TOTAL)
#undef RPT_ADD_TOTAL
  add_rounded(o, "latency_us", r->latency_us, 3);
  /* profile power figures (docs/profiles.md): E = V * (I_run * active + I_sleep * asleep) / clock_hz; absent without */
  double energy_uj = prof_energy_uj(mcusim_profile(sim), r->totals.cycles, r->totals.sleep_cycles);
  if (energy_uj >= 0) add_rounded(o, "energy_uj", energy_uj, 3);
  return o;
}

static cJSON *build_timing(const mcusim_t *sim) {
  uint64_t lookups, misses, stalls, data_reads, data_stalls;
  mcusim_fetch_stats(sim, &lookups, &misses, &stalls, &data_reads, &data_stalls);
  cJSON *o = cJSON_CreateObject();
  add_text(o, "mode", mcusim_limits(sim)->precise_flash ? "precise_flash" : "default");
  add_u64(o, "fetch_line_lookups", lookups);
  add_u64(o, "fetch_line_misses", misses);
  add_u64(o, "fetch_stall_cycles", stalls);
  add_u64(o, "flash_data_reads", data_reads);
  add_u64(o, "flash_data_stall_cycles", data_stalls);
  return o;
}

static cJSON *build_memory(const mcusim_t *sim) {
  const mem_t *m = mcusim_memory(sim);
  cJSON *o = cJSON_CreateObject();
  add_u64(o, "peak_bytes", m->peak_bytes);
  add_u64(o, "static_bytes", m->static_bytes);
  add_u64(o, "data_bytes", m->data_bytes);
  add_u64(o, "bss_bytes", m->bss_bytes);
  add_u64(o, "stack_peak_bytes", m->stack_peak_bytes);
  add_u64(o, "stack_painted_bytes", m->stack_painted_bytes);
  add_u64(o, "arena_peak_bytes", m->arena_peak_bytes);
  add_u64(o, "touched_bytes", m->touched_bytes);
  add_u64(o, "arena_high_water_bytes", m->arena_high_water_bytes);
  add_hex(o, "arena_base", m->arena_base);
  add_u64(o, "sram_bytes", m->sram_bytes);
  cJSON_AddBoolToObject(o, "fits", m->headroom_bytes >= 0);
  add_u64(o, "overflow_bytes", m->headroom_bytes < 0 ? (uint64_t)-m->headroom_bytes : 0);
  add_u64(o, "overflow_mapped_bytes", m->overflow_mapped_bytes);
  /* issue 17: newlib's heap, and a static arena (present only when found, so other reports are unchanged) */
  if (m->heap_bytes) add_u64(o, "heap_bytes", m->heap_bytes);
  if (m->arena_reserved_bytes) {
    cJSON *a = cJSON_AddObjectToObject(o, "static_arena");
    add_hex(a, "address", m->static_arena_addr);
    add_u64(a, "reserved_bytes", m->arena_reserved_bytes);
    if (m->arena_used_known) add_u64(a, "used_bytes", m->arena_used_bytes);
    add_u64(a, "touched_bytes", m->arena_touched_bytes);
    add_u64(a, "outside_peak_bytes", m->outside_peak_bytes); /* allocations outside the static arena */
  }
  return o;
}

static double latency_us(const mcusim_t *sim, uint64_t cycles) {
  return (double)cycles * 1e6 / (double)mcusim_profile(sim)->clock_hz;
}

static cJSON *build_marks(const mem_t *m) {
  cJSON *o = cJSON_CreateObject();
  for (size_t i = 0; i < m->mark_count; i++) {
    if (m->marks[i].is_string)
      add_text(o, m->marks[i].name, m->marks[i].text);
    else
      add_u64(o, m->marks[i].name, m->marks[i].number);
  }
  return o;
}

/* The figures layers and patches share, in the report's field order; a layer adds cycles_per_mac after MACs. */
static void add_range(cJSON *o, const mcusim_t *sim, const mem_range_t *r, int with_cycles_per_mac) {
  add_u64(o, "instructions", r->instructions);
  add_u64(o, "cycles", r->cycles);
  add_rounded(o, "latency_us", latency_us(sim, r->cycles), 3);
  add_u64(o, "macs", r->macs);
  if (with_cycles_per_mac) add_rounded(o, "cycles_per_mac", r->macs ? (double)r->cycles / (double)r->macs : 0.0, 4);
  add_u64(o, "arena_peak_bytes", r->arena_peak_bytes);
  add_u64(o, "arena_at_entry_bytes", r->arena_at_entry_bytes);
}

static cJSON *build_layer(const mcusim_t *sim, const mem_layer_t *l) {
  cJSON *o = cJSON_CreateObject();
  add_u64(o, "id", l->id);
  add_text(o, "name", l->name);
  add_text(o, "kind", l->kind);
  if (l->out_c) {
    cJSON *shape = cJSON_AddArrayToObject(o, "out_shape");
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(l->out_h));
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(l->out_w));
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(l->out_c));
  } else {
    cJSON_AddNullToObject(o, "out_shape");
  }
  if (l->has_params) { /* absent, not 0, when the firmware did not say (docs/report.md) */
    add_u64(o, "params", l->params);
    add_u64(o, "weight_bytes", l->weight_bytes);
  }
  add_u64(o, "calls", l->calls);
  add_range(o, sim, &l->range, 1);
  cJSON_AddBoolToObject(o, "patch_stage", l->calls > 0 && l->calls_in_patch == l->calls);
  return o;
}

static cJSON *build_patch(const mcusim_t *sim, const mem_patch_t *p) {
  cJSON *o = cJSON_CreateObject();
  add_u64(o, "stage", p->stage);
  add_u64(o, "index", p->index);
  add_range(o, sim, &p->range, 0);
  return o;
}

static cJSON *build_sample(const mem_sample_t *t) {
  cJSON *o = cJSON_CreateObject();
  add_u64(o, "cycle", t->cycle);
  add_u64(o, "instruction", t->insn);
  add_u64(o, "arena_bytes", t->arena_bytes);
  add_u64(o, "stack_bytes", t->stack_bytes);
  if (t->layer >= 0)
    add_u64(o, "layer", (uint64_t)t->layer);
  else
    cJSON_AddNullToObject(o, "layer");
  if (t->patch_stage >= 0) {
    cJSON *patch = cJSON_AddArrayToObject(o, "patch");
    cJSON_AddItemToArray(patch, cJSON_CreateNumber(t->patch_stage));
    cJSON_AddItemToArray(patch, cJSON_CreateNumber(t->patch_index));
  } else {
    cJSON_AddNullToObject(o, "patch");
  }
  return o;
}

static cJSON *build_allocation(const mem_allocation_t *a) {
  cJSON *o = cJSON_CreateObject();
  add_text(o, "tag", a->tag);
  add_hex(o, "address", a->address);
  add_u64(o, "size", a->size);
  add_u64(o, "alloc_cycle", a->alloc_cycle);
  if (a->free_cycle != UINT64_MAX)
    add_u64(o, "free_cycle", a->free_cycle);
  else
    cJSON_AddNullToObject(o, "free_cycle");
  if (a->layer >= 0)
    add_u64(o, "layer", (uint64_t)a->layer);
  else
    cJSON_AddNullToObject(o, "layer");
  return o;
}

static cJSON *build_diagnostic(const mcusim_t *sim, const mem_diag_t *d) {
  cJSON *o = cJSON_CreateObject();
  char symbol[128];
  add_text(o, "kind", mem_diag_name(d->kind));
  add_u64(o, "cycle", d->cycle);
  add_hex(o, "pc", d->pc);
  mcusim_symbolize(sim, d->pc, symbol, sizeof symbol);
  add_text(o, "symbol", symbol);
  mcusim_symbolize(sim, d->lr & ~1u, symbol, sizeof symbol);
  add_text(o, "caller", d->lr ? symbol : "");
  add_hex(o, "address", d->address);
  add_u64(o, "size", d->size);
  add_text(o, "message", d->message);
  return o;
}

/* layers, patches, other, timeline, allocations, diagnostics (docs/report.md) */
static void add_attribution(cJSON *root, const mcusim_t *sim) {
  const mem_t *m = mcusim_memory(sim);
  cJSON_AddItemToObject(root, "marks", build_marks(m));
  cJSON *layers = cJSON_AddArrayToObject(root, "layers");
  for (size_t i = 0; i < m->layer_count; i++)
    if (m->layers[i].calls) cJSON_AddItemToArray(layers, build_layer(sim, &m->layers[i]));
  cJSON *patches = cJSON_AddArrayToObject(root, "patches");
  for (size_t i = 0; i < m->patch_count; i++) cJSON_AddItemToArray(patches, build_patch(sim, &m->patches[i]));
  cJSON *other = cJSON_AddObjectToObject(root, "other");
  add_u64(other, "instructions", m->other_insns);
  add_u64(other, "cycles", m->other_cycles);
  cJSON *timeline = cJSON_AddArrayToObject(root, "timeline");
  for (size_t i = 0; i < m->timeline_count; i++) cJSON_AddItemToArray(timeline, build_sample(&m->timeline[i]));
  cJSON_AddBoolToObject(root, "timeline_decimated", m->timeline_decimated);
  cJSON *allocs = cJSON_AddArrayToObject(root, "allocations");
  for (size_t i = 0; i < m->alloc_record_count; i++) cJSON_AddItemToArray(allocs, build_allocation(&m->allocs[i]));
  cJSON_AddBoolToObject(root, "allocations_truncated", m->allocs_truncated);
  cJSON *diags = cJSON_AddArrayToObject(root, "diagnostics");
  for (size_t i = 0; i < m->diag_count; i++) cJSON_AddItemToArray(diags, build_diagnostic(sim, &m->diags[i]));
}

/* functions, lines, calls (docs/report.md "Function profile"): present only when the run profiled functions. */
static void add_function_profile(cJSON *root, const mcusim_t *sim) {
  const mcusim_funcprof_t *fp = mcusim_function_profile(sim);
  if (!fp) return;
  cJSON *functions = cJSON_AddArrayToObject(root, "functions");
  for (size_t i = 0; i < fp->function_count; i++) {
    const mcusim_function_t *f = &fp->functions[i];
    cJSON *o = cJSON_CreateObject();
    add_text(o, "name", f->name);
    add_hex(o, "address", f->address);
    add_u64(o, "calls", f->calls);
    add_u64(o, "instructions", f->instructions);
    add_u64(o, "cycles", f->cycles);
    add_u64(o, "inclusive_instructions", f->inclusive_instructions);
    add_u64(o, "inclusive_cycles", f->inclusive_cycles);
    cJSON_AddItemToArray(functions, o);
  }
  cJSON_AddBoolToObject(root, "functions_truncated", fp->truncated);
  cJSON *lines = cJSON_AddArrayToObject(root, "lines");
  for (size_t i = 0; i < fp->line_count; i++) {
    const mcusim_line_t *l = &fp->lines[i];
    cJSON *o = cJSON_CreateObject();
    add_text(o, "file", l->file);
    add_u64(o, "line", l->line);
    add_text(o, "function", l->function);
    add_u64(o, "instructions", l->instructions);
    add_u64(o, "cycles", l->cycles);
    cJSON_AddItemToArray(lines, o);
  }
  cJSON *calls = cJSON_AddArrayToObject(root, "calls");
  for (size_t i = 0; i < fp->call_count; i++) {
    const mcusim_call_t *c = &fp->calls[i];
    cJSON *o = cJSON_CreateObject();
    add_text(o, "name", c->name);
    add_u64(o, "depth", c->depth);
    add_u64(o, "start_cycle", c->start_cycle);
    add_u64(o, "cycles", c->cycles);
    add_u64(o, "instructions", c->instructions);
    cJSON_AddItemToArray(calls, o);
  }
  add_u64(root, "calls_min_cycles", fp->calls_min_cycles);
}

/* peripherals (docs/peripherals.md): the profile's blocks with their accesses, stream bytes, and one warning per 1 KiB
 * of undescribed peripheral space accessed. */
static cJSON *build_peripherals(const mcusim_t *sim) {
  const mcusim_periph_t *p = mcusim_peripherals(sim);
  cJSON *o = cJSON_CreateObject();
  const prof_periph_t *desc = p ? p->desc : NULL;
  const char *slash = desc ? strrchr(desc->path, '/') : NULL; /* the file's name: the report stays the same anywhere */
  add_text(o, "source", desc ? (slash ? slash + 1 : desc->path) : "");
  cJSON_AddBoolToObject(o, "strict", mcusim_strict_peripherals(sim));
  cJSON *blocks = cJSON_AddArrayToObject(o, "blocks");
  for (unsigned i = 0; desc && i < desc->block_count; i++) {
    cJSON *b = cJSON_CreateObject();
    add_text(b, "name", desc->blocks[i].name);
    add_hex(b, "base", desc->blocks[i].base);
    add_u64(b, "size", desc->blocks[i].size);
    add_u64(b, "reads", p->counts[i].reads);
    add_u64(b, "writes", p->counts[i].writes);
    cJSON_AddItemToArray(blocks, b);
  }
  add_u64(o, "stream_bytes", p ? p->stream_bytes : 0);
  add_u64(o, "undescribed_accesses", p ? p->undescribed_accesses : 0);
  cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
  for (unsigned i = 0; p && i < p->warning_count; i++) {
    const dev_periph_warning_t *w = &p->warnings[i];
    cJSON *item = cJSON_CreateObject();
    char symbol[128], message[256];
    mcusim_symbolize(sim, w->pc, symbol, sizeof symbol);
    snprintf(message, sizeof message,
             "%s of undescribed peripheral address 0x%08x at pc 0x%08x (%s): read as 0 / ignored; %llu access%s to "
             "its 1 KiB",
             w->is_write ? "write" : "read", w->address, w->pc, symbol, (unsigned long long)w->accesses,
             w->accesses == 1 ? "" : "es");
    add_hex(item, "address", w->address);
    add_hex(item, "pc", w->pc);
    add_text(item, "symbol", symbol);
    add_text(item, "access", w->is_write ? "write" : "read");
    add_u64(item, "accesses", w->accesses);
    add_text(item, "message", message);
    cJSON_AddItemToArray(warnings, item);
  }
  add_u64(o, "warnings_dropped", p ? p->warnings_dropped : 0);
  return o;
}

/* annotations (docs/annotate.md): warnings and the hash markers' checksums per call; only when there are any. */
static void add_annotations(cJSON *root, const mcusim_t *sim) {
  const char *name;
  uint64_t call;
  uint32_t address, bytes, hash;
  if (!mcusim_annotation_warning(sim, 0) && mcusim_annotation_hash(sim, 0, &name, &call, &address, &bytes, &hash))
    return;
  cJSON *o = cJSON_AddObjectToObject(root, "annotations");
  cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
  for (size_t i = 0; mcusim_annotation_warning(sim, i); i++)
    cJSON_AddItemToArray(warnings, cJSON_CreateString(mcusim_annotation_warning(sim, i)));
  cJSON *hashes = cJSON_AddArrayToObject(o, "hashes");
  for (size_t i = 0; !mcusim_annotation_hash(sim, i, &name, &call, &address, &bytes, &hash); i++) {
    cJSON *h = cJSON_CreateObject();
    char hex[16];
    add_text(h, "name", name);
    add_u64(h, "call", call);
    snprintf(hex, sizeof hex, "0x%08x", address);
    add_text(h, "address", hex);
    add_u64(h, "bytes", bytes);
    snprintf(hex, sizeof hex, "0x%08x", hash);
    add_text(h, "fnv1a", hex);
    cJSON_AddItemToArray(hashes, h);
  }
}

cJSON *rpt_build(const mcusim_t *sim) {
  cJSON *root = cJSON_CreateObject();
  if (!root) return NULL;
  add_text(root, "schema", RPT_SCHEMA);
  cJSON *tool = cJSON_AddObjectToObject(root, "tool");
  add_text(tool, "name", "mcusim");
  add_text(tool, "version", MCUSIM_VERSION);
  cJSON_AddItemToObject(root, "firmware", build_firmware(sim));
  cJSON_AddItemToObject(root, "profile", build_profile(sim));
  cJSON_AddItemToObject(root, "result", build_result(sim));
  cJSON_AddItemToObject(root, "totals", build_totals(sim));
  cJSON_AddItemToObject(root, "timing", build_timing(sim));
  cJSON_AddItemToObject(root, "memory", build_memory(sim));
  cJSON_AddItemToObject(root, "peripherals", build_peripherals(sim));
  add_attribution(root, sim);
  add_function_profile(root, sim);
  add_annotations(root, sim);
  return root;
}

int rpt_write_json(const cJSON *report, const char *path) {
  char *text = cJSON_Print(report);
  if (!text) {
    errno = ENOMEM;
    return -1;
  }
  size_t n = strlen(text);
  char *with_newline = realloc(text, n + 2);
  if (!with_newline) {
    free(text);
    errno = ENOMEM;
    return -1;
  }
  memcpy(with_newline + n, "\n", 2);
  int rc = cm_write_file(path, with_newline, n + 1);
  free(with_newline);
  return rc;
}

/* The first number of item's tree that is not finite (1e999 parses as inf), its dotted path in path; NULL if none.
 * Every renderer does arithmetic on report numbers, and an infinite axis or time has no rendering. */
static const cJSON *non_finite(const cJSON *item, char *path, size_t len, size_t size) {
  if (cJSON_IsNumber(item) && !isfinite(item->valuedouble)) return item;
  int index = 0;
  for (const cJSON *child = item->child; child; child = child->next, index++) {
    int n = child->string ? snprintf(path + len, size - len, "%s%s", len ? "." : "", child->string)
                          : snprintf(path + len, size - len, "[%d]", index);
    size_t end = n < 0 || (size_t)n >= size - len ? size - 1 : len + (size_t)n;
    const cJSON *found = non_finite(child, path, end, size);
    if (found) return found;
    path[len] = '\0';
  }
  return NULL;
}

cJSON *rpt_parse_json(const char *text, const char *name, char *msg, size_t size) {
  cJSON *json = cJSON_Parse(text);
  if (!json) {
    size_t offset = cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - text) : 0;
    int line = 1;
    for (size_t i = 0; i < offset && text[i]; i++) line += text[i] == '\n';
    cm_msgf(msg, size, "%s:%d: not valid JSON", name, line);
    return NULL;
  }
  char path[256] = "";
  if (non_finite(json, path, 0, sizeof path)) {
    cm_msgf(msg, size, "%s: %s: a number too large for a double (out of range)", name, path[0] ? path : "(top)");
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

cJSON *rpt_read(const char *path, char *msg, size_t size) {
  char *text = cm_read_file(path, RPT_MAX_REPORT_BYTES, NULL);
  if (!text) {
    cm_msgf(msg, size, "%s: cannot read the report: %s", path, strerror(errno));
    return NULL;
  }
  cJSON *r = rpt_parse_json(text, path, msg, size);
  free(text);
  if (!r) return NULL;
  if (strcmp(rpt_str_or(r, "schema", ""), RPT_SCHEMA) != 0) {
    cm_msgf(msg, size, "%s: not an mcusim report (schema is not \"%s\")", path, RPT_SCHEMA);
    cJSON_Delete(r);
    return NULL;
  }
  static const char *const required[] = {"firmware", "profile", "result", "totals", "memory", NULL};
  for (const char *const *key = required; *key; key++)
    if (!cJSON_IsObject(rpt_get(r, *key))) {
      cm_msgf(msg, size, "%s: the report has no '%s' object", path, *key);
      cJSON_Delete(r);
      return NULL;
    }
  return r;
}

const char *rpt_core_display(const char *core) {
  const char *display = isa_core_display((isa_core_t)isa_core_from_name(core)); /* isa/ holds the one table */
  return display ? display : core ? core : "?";
}

const char *rpt_join_names(const char *const *names, size_t n, char *buf, size_t size) {
  size_t len = 0;
  if (size) buf[0] = '\0';
  for (size_t i = 0; i < n && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
  return buf;
}

void rpt_group_digits(unsigned long long value, char *buf, size_t size) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%llu", value);
  size_t out = 0;
  for (int i = 0; i < n && out + 2 < size; i++) {
    if (i && (n - i) % 3 == 0) buf[out++] = ',';
    buf[out++] = digits[i];
  }
  buf[out] = '\0';
}

/* Report numbers as integers for printing: a broken or hostile report's out-of-range value prints as 0, not UB. */

static const char *grouped(double value, char *buf, size_t size) {
  rpt_group_digits(rpt_to_u64(value), buf, size);
  return buf;
}

static void print_result(const cJSON *result, FILE *out) {
  const char *stop = rpt_line_or(result, "stop", "");
  const cJSON *fault = rpt_get(result, "fault");
  if (strcmp(stop, "exit") == 0) {
    fprintf(out, "  result        firmware exited with code %d\n", rpt_to_int(rpt_num_or(result, "exit_code", 0)));
  } else if (cJSON_IsObject(fault)) {
    fprintf(out, "  result        FAULT: %s\n", rpt_line_or(fault, "message", ""));
  } else {
    const cJSON *at = rpt_get(result, "stopped_at");
    fprintf(out, "  result        stopped: %s at %s (%s)\n", stop, rpt_line_or(at, "pc", ""),
            rpt_line_or(at, "symbol", ""));
  }
}

/* A bar of up to `width` characters for value/max, in the style of STM32Cube.AI's analyze tables. */
/* A name in a text column of width characters: as it is, or its head and tail around "..." (the end of a C++ name,
 * its parameters and "@file", tells rows apart as much as its start). Returns buf. */
static const char *fit_name(const char *name, int width, char *buf, size_t size) {
  size_t n = strlen(name), w = (size_t)width;
  if (n <= w || w < 8) {
    snprintf(buf, size, "%s", name);
    return buf;
  }
  size_t tail = (w - 3) / 2, head = w - 3 - tail;
  snprintf(buf, size, "%.*s...%s", (int)head, name, name + n - tail);
  return buf;
}

/* After a row whose name column cut a name: the whole name on lines of at most 120 columns, indented by indent. */
static void print_whole_name(FILE *out, const char *name, int width, int indent) {
  size_t n = strlen(name), room = (size_t)(120 - indent - 2);
  if (n <= (size_t)width) return;
  for (size_t at = 0; at < n; at += room) fprintf(out, "%*s| %.*s\n", indent, "", (int)room, name + at);
}

static void bar(char *buf, size_t size, double value, double max, int width) {
  int n = max > 0 ? rpt_to_int(value / max * width + 0.5) : 0;
  size_t out = 0;
  for (int i = 0; i < n && out + 4 < size; i++) {
    memcpy(buf + out, "\u2588", 3); /* full block, UTF-8 */
    out += 3;
  }
  buf[out] = '\0';
}

static void print_layers(const cJSON *report, FILE *out) {
  const cJSON *layers = rpt_get(report, "layers");
  if (cJSON_GetArraySize(layers) == 0) return;
  double max_arena = 0, total_cycles = rpt_figure_total_or(report, RPT_FIGURE_CYCLES, 0);
  const cJSON *peak_layer = NULL;
  const cJSON *l;
  cJSON_ArrayForEach(l, layers) if (rpt_figure_in_row_or(l, RPT_FIGURE_ARENA_PEAK, 0) > max_arena) {
    max_arena = rpt_figure_in_row_or(l, RPT_FIGURE_ARENA_PEAK, 0);
    peak_layer = l;
  }
  /* at most 119 columns with the bar (8) and "(patches)": text outputs stay within 120 (tests/cli/test_width) */
  fprintf(out, "\n  %3s  %-16s %-15s %-11s %11s %13s %9s %11s\n", "id", "layer", "kind", "out shape", "MACs", "cycles",
          "ms", "arena peak");
  cJSON_ArrayForEach(l, layers) {
    char shape[32] = "", macs[32], cycles[32], arena[32], bars[128], name[32];
    const cJSON *s = rpt_get(l, "out_shape");
    if (cJSON_GetArraySize(s) == 3)
      snprintf(shape, sizeof shape, "%dx%dx%d", cJSON_GetArrayItem(s, 0)->valueint, cJSON_GetArrayItem(s, 1)->valueint,
               cJSON_GetArrayItem(s, 2)->valueint);
    bar(bars, sizeof bars, rpt_figure_in_row_or(l, RPT_FIGURE_ARENA_PEAK, 0), max_arena, 8);
    bool in_patches = cJSON_IsTrue(rpt_get(l, "patch_stage"));
    fprintf(out, "  %3d  %-16.16s %-15.15s %-11.11s %11s %13s %9.3f %11s%s%s%s\n", rpt_to_int(rpt_num_or(l, "id", 0)),
            fit_name(rpt_line_or(l, "name", ""), 16, name, sizeof name), rpt_line_or(l, "kind", ""), shape,
            grouped(rpt_figure_in_row_or(l, RPT_FIGURE_MACS, 0), macs, sizeof macs),
            grouped(rpt_figure_in_row_or(l, RPT_FIGURE_CYCLES, 0), cycles, sizeof cycles),
            rpt_figure_in_row_or(l, RPT_FIGURE_LATENCY, 0) / 1000.0,
            grouped(rpt_figure_in_row_or(l, RPT_FIGURE_ARENA_PEAK, 0), arena, sizeof arena),
            bars[0] || in_patches ? "  " : "", bars, in_patches ? " (patches)" : "");
    print_whole_name(out, rpt_line_or(l, "name", ""), 16, 7);
  }
  const cJSON *other = rpt_get(report, "other");
  char cycles[32];
  fprintf(out, "       %-16s %-15s %-11s %11s %13s %9.3f\n", "(other)", "", "", "",
          grouped(rpt_num_or(other, "cycles", 0), cycles, sizeof cycles),
          total_cycles > 0 ? rpt_num_or(other, "cycles", 0) / total_cycles *
                                 rpt_figure_total_or(report, RPT_FIGURE_LATENCY, 0) / 1000.0
                           : 0.0);
  if (peak_layer) {
    char peak[32];
    fprintf(out, "  peak arena    %s B in layer %d '%s'\n",
            grouped(rpt_figure_in_row_or(peak_layer, RPT_FIGURE_ARENA_PEAK, 0), peak, sizeof peak),
            rpt_to_int(rpt_num_or(peak_layer, "id", 0)), rpt_line_or(peak_layer, "name", ""));
  }
  /* per-layer params/weights do not fit the 120 columns above: their sums, when the rows carry them */
  /* every row counts: in tflm mode each inference has its own rows, each what its call read */
  double params = 0, weight_bytes = 0;
  int rows = 0;
  cJSON_ArrayForEach(l, layers) if (rpt_get(l, "weight_bytes")) {
    rows++;
    params += rpt_num_or(l, "params", 0);
    weight_bytes += rpt_num_or(l, "weight_bytes", 0);
  }
  if (rows) {
    char p[32], w[32];
    fprintf(out, "  weights       %s params, %s B read from flash, summed over %d layer rows\n",
            grouped(params, p, sizeof p), grouped(weight_bytes, w, sizeof w), rows);
  }
}

static void print_patches(const cJSON *report, FILE *out) {
  const cJSON *patches = rpt_get(report, "patches");
  int n = cJSON_GetArraySize(patches);
  if (n == 0) return;
  double min_c = 0, max_c = 0, max_arena = 0, macs = 0;
  const cJSON *p;
  cJSON_ArrayForEach(p, patches) {
    double c = rpt_figure_in_row_or(p, RPT_FIGURE_CYCLES, 0);
    min_c = (min_c == 0 || c < min_c) ? c : min_c;
    max_c = c > max_c ? c : max_c;
    max_arena = rpt_figure_in_row_or(p, RPT_FIGURE_ARENA_PEAK, 0) > max_arena
                    ? rpt_figure_in_row_or(p, RPT_FIGURE_ARENA_PEAK, 0)
                    : max_arena;
    macs += rpt_figure_in_row_or(p, RPT_FIGURE_MACS, 0);
  }
  char a[32], b[32], c[32], d[32];
  rpt_group_digits(rpt_to_u64(min_c), a, sizeof a);
  rpt_group_digits(rpt_to_u64(max_c), b, sizeof b);
  rpt_group_digits(rpt_to_u64(max_arena), c, sizeof c);
  rpt_group_digits(rpt_to_u64(macs), d, sizeof d);
  fprintf(out, "  patches       %d: %s..%s cycles each, %s MACs in all, arena peak %s B\n", n, a, b, d, c);
}

#define RPT_TOP_N 10

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Top functions by exclusive cycles and top source lines, when the report has a function profile. */
static void print_profile(const cJSON *report, FILE *out) {
  const cJSON *functions = rpt_get(report, "functions"), *f;
  double total_cycles = rpt_figure_total_or(report, RPT_FIGURE_CYCLES, 0);
  if (cJSON_GetArraySize(functions) == 0 || total_cycles <= 0) return;
  char calls[32], self[32], incl[32], name[64];
  fprintf(out, "\n  %-60s %10s %14s %6s %14s %6s\n", "function", "calls", "cycles", "self", "inclusive", "incl");
  int n = 0;
  cJSON_ArrayForEach(f, functions) {
    if (n++ == RPT_TOP_N) break;
    fprintf(out, "  %-60.60s %10s %14s %5.1f%% %14s %5.1f%%\n",
            fit_name(rpt_line_or(f, "name", ""), 60, name, sizeof name),
            grouped(rpt_num_or(f, "calls", 0), calls, sizeof calls),
            grouped(rpt_num_or(f, "cycles", 0), self, sizeof self), 100 * rpt_num_or(f, "cycles", 0) / total_cycles,
            grouped(rpt_num_or(f, "inclusive_cycles", 0), incl, sizeof incl),
            100 * rpt_num_or(f, "inclusive_cycles", 0) / total_cycles);
    print_whole_name(out, rpt_line_or(f, "name", ""), 60, 2);
  }
  const cJSON *lines = rpt_get(report, "lines"), *l;
  if (cJSON_GetArraySize(lines) == 0) return;
  fprintf(out, "\n  %-40s %-54s %14s %6s\n", "source line", "function", "cycles", "share");
  n = 0;
  cJSON_ArrayForEach(l, lines) {
    if (n++ == RPT_TOP_N) break;
    char where[64];
    snprintf(where, sizeof where, "%s:%d", base_name(rpt_line_or(l, "file", "")), rpt_to_int(rpt_num_or(l, "line", 0)));
    fprintf(out, "  %-40.40s %-54.54s %14s %5.1f%%\n", where,
            fit_name(rpt_line_or(l, "function", ""), 54, name, sizeof name),
            grouped(rpt_num_or(l, "cycles", 0), self, sizeof self), 100 * rpt_num_or(l, "cycles", 0) / total_cycles);
  }
}

static void print_diagnostics(const cJSON *report, FILE *out) {
  const cJSON *d;
  cJSON_ArrayForEach(d, rpt_get(report, "diagnostics")) {
    fprintf(out, "  WARNING       %s: %s\n                at %s, %s, called from %s\n", rpt_line_or(d, "kind", ""),
            rpt_line_or(d, "message", ""), rpt_line_or(d, "pc", ""), rpt_line_or(d, "symbol", ""),
            rpt_line_or(d, "caller", ""));
  }
}

static void print_peripherals(const cJSON *report, FILE *out) {
  const cJSON *w;
  cJSON_ArrayForEach(w, rpt_get(report, "peripherals.warnings")) {
    fprintf(out, "  WARNING       peripheral: %s\n", rpt_line_or(w, "message", ""));
  }
}

void rpt_print_text(const cJSON *report, FILE *out) {
  const cJSON *prof = rpt_get(report, "profile");
  char a[32], b[32], c[32], d[32];
  double clock_mhz = rpt_num_or(prof, "clock_hz", 0) / 1e6;
  double instructions = rpt_figure_total_or(report, RPT_FIGURE_INSTRUCTIONS, 0),
         cycles = rpt_figure_total_or(report, RPT_FIGURE_CYCLES, 0);
  fprintf(out, "mcusim: %s on %s (Cortex-%s, %g MHz)\n", rpt_line_or(report, "firmware.path", ""),
          rpt_line_or(prof, "name", ""), rpt_core_display(rpt_line_or(prof, "core", "")), clock_mhz);
  print_result(rpt_get(report, "result"), out);
  fprintf(out, "  instructions  %s\n", grouped(instructions, a, sizeof a));
  fprintf(out, "  cycles        %s  (%.3f ms at %g MHz, %.2f cycles/instruction)\n", grouped(cycles, a, sizeof a),
          rpt_figure_total_or(report, RPT_FIGURE_LATENCY, 0) / 1000.0, clock_mhz,
          instructions > 0 ? cycles / instructions : 0.0);
  double exceptions = rpt_num_or(rpt_get(report, "totals"), "exceptions", 0),
         asleep = rpt_num_or(rpt_get(report, "totals"), "sleep_cycles", 0);
  if (exceptions > 0 || asleep > 0) /* firmware using interrupts (docs/modelled.md) */
    fprintf(out, "  exceptions    %s taken; %s cycles asleep in WFI/WFE (%.1f%%)\n", grouped(exceptions, a, sizeof a),
            grouped(asleep, b, sizeof b), cycles > 0 ? 100.0 * asleep / cycles : 0.0);
  double reserved = rpt_num_or(rpt_get(report, "memory.static_arena"), "reserved_bytes", 0),
         used = rpt_num_or(rpt_get(report, "memory.static_arena"), "used_bytes", NAN),
         heap = rpt_num_or(rpt_get(report, "memory"), "heap_bytes", 0);
  if (reserved > 0 && !isnan(used)) { /* issue 17: the static arena counted by what its allocator used */
    char e[32], f[32], g[48] = "";
    double peak = rpt_figure_total_or(report, RPT_FIGURE_PEAK, 0),
           st = rpt_figure_total_or(report, RPT_FIGURE_STATIC, 0),
           stack = rpt_figure_total_or(report, RPT_FIGURE_STACK_PEAK, 0),
           other = peak - (st - reserved + used + stack + heap);
    if (other != 0) { /* allocations outside the static arena and the heap */
      char h[32];
      snprintf(g, sizeof g, " + %s other", grouped(other, h, sizeof h));
    }
    fprintf(out, "  ram (total) : %s B = %s static - %s reserved + %s used + %s stack + %s heap%s\n",
            grouped(peak, a, sizeof a), grouped(st, b, sizeof b), grouped(reserved, c, sizeof c),
            grouped(used, d, sizeof d), grouped(stack, e, sizeof e), grouped(heap, f, sizeof f), g);
    fprintf(out, "  arena         the static arena could shrink from %s B reserved to %s B used\n",
            grouped(reserved, a, sizeof a), grouped(used, b, sizeof b));
  } else if (reserved > 0 || heap > 0) {
    /* allocations counted on their own: neither in a static arena nor in the heap */
    char e[32];
    double peak = rpt_figure_total_or(report, RPT_FIGURE_PEAK, 0),
           st = rpt_figure_total_or(report, RPT_FIGURE_STATIC, 0),
           stack = rpt_figure_total_or(report, RPT_FIGURE_STACK_PEAK, 0);
    fprintf(out, "  ram (total) : %s B = %s static + %s stack + %s arena + %s heap\n", grouped(peak, a, sizeof a),
            grouped(st, b, sizeof b), grouped(stack, c, sizeof c), grouped(peak - st - stack - heap, d, sizeof d),
            grouped(heap, e, sizeof e));
  } else
    fprintf(out, "  ram (total) : %s B = %s static + %s stack + %s arena\n",
            grouped(rpt_figure_total_or(report, RPT_FIGURE_PEAK, 0), a, sizeof a),
            grouped(rpt_figure_total_or(report, RPT_FIGURE_STATIC, 0), b, sizeof b),
            grouped(rpt_figure_total_or(report, RPT_FIGURE_STACK_PEAK, 0), c, sizeof c),
            grouped(rpt_figure_total_or(report, RPT_FIGURE_ARENA_PEAK, 0), d, sizeof d));
  double sram = rpt_figure_total_or(report, RPT_FIGURE_SRAM, 0);
  if (cJSON_IsTrue(rpt_get(report, "memory.fits")))
    fprintf(out, "  sram          fits in %s B (%s B free)\n", grouped(sram, a, sizeof a),
            grouped(sram - rpt_figure_total_or(report, RPT_FIGURE_PEAK, 0), b, sizeof b));
  else
    fprintf(out, "  sram          OVERFLOW: needs %s B more than the device's %s B\n",
            grouped(rpt_figure_total_or(report, RPT_FIGURE_OVERFLOW, 0), a, sizeof a), grouped(sram, b, sizeof b));
  fprintf(out, "  flash         %s B used of %s B (text %s, rodata %s)\n",
          grouped(rpt_figure_total_or(report, RPT_FIGURE_FLASH_USED, 0), a, sizeof a),
          grouped(rpt_figure_total_or(report, RPT_FIGURE_FLASH, 0), b, sizeof b),
          grouped(rpt_figure_total_or(report, RPT_FIGURE_TEXT, 0), c, sizeof c),
          grouped(rpt_figure_total_or(report, RPT_FIGURE_RODATA, 0), d, sizeof d));
  fprintf(out, "  touched       %s B of SRAM written (stack by painting: %s B)\n",
          grouped(rpt_figure_total_or(report, RPT_FIGURE_TOUCHED, 0), a, sizeof a),
          grouped(rpt_figure_total_or(report, RPT_FIGURE_STACK_PAINTED, 0), b, sizeof b));
  if (rpt_figure_total_or(report, RPT_FIGURE_OVERFLOW_MAPPED, 0) > 0)
    fprintf(out, "  note          the firmware needs more SRAM than %s has: %s B were mapped behind it to finish\n",
            rpt_line_or(prof, "name", ""),
            grouped(rpt_figure_total_or(report, RPT_FIGURE_OVERFLOW_MAPPED, 0), a, sizeof a));
  print_layers(report, out);
  print_patches(report, out);
  print_profile(report, out);
  print_diagnostics(report, out);
  print_peripherals(report, out);
}
