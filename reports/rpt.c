/* reports/rpt.c — builds the JSON report from a run, writes it atomically, renders the text summary. */
#include "rpt.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RPT_TOOL_VERSION "0.1.0"

static void add_u64(cJSON *obj, const char *key, uint64_t value) { cJSON_AddNumberToObject(obj, key, (double)value); }

static void add_hex(cJSON *obj, const char *key, uint32_t value) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08x", value);
  cJSON_AddStringToObject(obj, key, buf);
}

/* Rounded so that the text of the number is stable and readable. */
static void add_rounded(cJSON *obj, const char *key, double value, int decimals) {
  double scale = pow(10, decimals);
  cJSON_AddNumberToObject(obj, key, round(value * scale) / scale);
}

static cJSON *build_firmware(const mcusim_t *sim) {
  const mcusim_firmware_t *fw = mcusim_firmware(sim);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "path", fw->path ? fw->path : "");
  cJSON_AddStringToObject(o, "sha256", fw->sha256);
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
  cJSON_AddStringToObject(o, "name", p->name);
  cJSON_AddStringToObject(o, "core", p->core);
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
  cJSON_AddStringToObject(o, "kind", mcusim_fault_name(f->kind));
  cJSON_AddStringToObject(o, "message", f->message);
  add_hex(o, "pc", f->pc);
  cJSON_AddStringToObject(o, "symbol", f->symbol);
  cJSON_AddStringToObject(o, "instruction", f->insn);
  add_hex(o, "address", f->address);
  cJSON *regs = cJSON_AddObjectToObject(o, "registers");
  for (int i = 0; i < 17; i++) add_hex(regs, reg_names[i], f->regs[i]);
  return o;
}

static cJSON *build_result(const mcusim_t *sim) {
  const mcusim_result_t *r = mcusim_result(sim);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "stop", mcusim_stop_name(r->stop));
  if (r->stop == MCUSIM_STOP_EXIT)
    cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
  else
    cJSON_AddNullToObject(o, "exit_code");
  cJSON_AddStringToObject(o, "stdout", r->stdout_text ? r->stdout_text : "");
  cJSON_AddBoolToObject(o, "stdout_truncated", r->stdout_truncated);
  if (r->stop == MCUSIM_STOP_FAULT)
    cJSON_AddItemToObject(o, "fault", build_fault(r));
  else
    cJSON_AddNullToObject(o, "fault");
  if (r->stop == MCUSIM_STOP_INSN_LIMIT || r->stop == MCUSIM_STOP_TIME_LIMIT || r->stop == MCUSIM_STOP_INTERRUPTED) {
    cJSON *at = cJSON_AddObjectToObject(o, "stopped_at");
    add_hex(at, "pc", r->fault.pc);
    cJSON_AddStringToObject(at, "symbol", r->fault.symbol);
  }
  cJSON *start = cJSON_AddObjectToObject(o, "start");
  cJSON_AddStringToObject(start, "source", r->start_source ? r->start_source : "");
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
  return o;
}

static cJSON *build_timing(const mcusim_t *sim) {
  uint64_t lookups, misses, stalls, data_reads, data_stalls;
  mcusim_fetch_stats(sim, &lookups, &misses, &stalls, &data_reads, &data_stalls);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "mode", mcusim_limits(sim)->precise_flash ? "precise_flash" : "default");
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
  add_u64(o, "sram_bytes", m->sram_bytes);
  cJSON_AddBoolToObject(o, "fits", m->headroom_bytes >= 0);
  add_u64(o, "overflow_bytes", m->headroom_bytes < 0 ? (uint64_t)-m->headroom_bytes : 0);
  return o;
}

cJSON *rpt_build(const mcusim_t *sim) {
  cJSON *root = cJSON_CreateObject();
  if (!root) return NULL;
  cJSON_AddStringToObject(root, "schema", RPT_SCHEMA);
  cJSON *tool = cJSON_AddObjectToObject(root, "tool");
  cJSON_AddStringToObject(tool, "name", "mcusim");
  cJSON_AddStringToObject(tool, "version", RPT_TOOL_VERSION);
  cJSON_AddItemToObject(root, "firmware", build_firmware(sim));
  cJSON_AddItemToObject(root, "profile", build_profile(sim));
  cJSON_AddItemToObject(root, "result", build_result(sim));
  cJSON_AddItemToObject(root, "totals", build_totals(sim));
  cJSON_AddItemToObject(root, "timing", build_timing(sim));
  cJSON_AddItemToObject(root, "memory", build_memory(sim));
  return root;
}

int rpt_write_atomic(const char *path, const char *text) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 32);
  if (!tmp) return -1;
  snprintf(tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(text, 1, strlen(text), f) == strlen(text);
  if (f) ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
  if (f) ok &= fclose(f) == 0;
  if (ok) ok = rename(tmp, path) == 0;
  int saved = errno;
  if (!ok) unlink(tmp);
  free(tmp);
  errno = saved;
  return ok ? 0 : -1;
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
  int rc = rpt_write_atomic(path, with_newline);
  free(with_newline);
  return rc;
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (size_t n = 1; n > 0;) {
    if (len + 4097 > cap) {
      char *grown = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (!grown) break;
      buf = grown;
    }
    n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
  }
  int io_error = ferror(f), bad = io_error || !buf || len + 4097 > cap;
  fclose(f);
  if (bad) {
    free(buf);
    errno = io_error ? EIO : ENOMEM;
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

cJSON *rpt_read(const char *path, char *msg, size_t size) {
  char *text = read_text(path);
  if (!text) {
    snprintf(msg, size, "%s: cannot read the report: %s", path, strerror(errno));
    return NULL;
  }
  cJSON *r = cJSON_Parse(text);
  if (!r) {
    size_t offset = cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - text) : 0;
    int line = 1;
    for (size_t i = 0; i < offset && text[i]; i++) line += text[i] == '\n';
    snprintf(msg, size, "%s:%d: not valid JSON", path, line);
    free(text);
    return NULL;
  }
  free(text);
  const cJSON *schema = cJSON_GetObjectItemCaseSensitive(r, "schema");
  if (!cJSON_IsString(schema) || strcmp(schema->valuestring, RPT_SCHEMA) != 0) {
    snprintf(msg, size, "%s: not an mcusim report (schema is not \"%s\")", path, RPT_SCHEMA);
    cJSON_Delete(r);
    return NULL;
  }
  static const char *const required[] = {"firmware", "profile", "result", "totals", "memory", NULL};
  for (const char *const *key = required; *key; key++)
    if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, *key))) {
      snprintf(msg, size, "%s: the report has no '%s' object", path, *key);
      cJSON_Delete(r);
      return NULL;
    }
  return r;
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

static double num(const cJSON *obj, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsNumber(item) ? item->valuedouble : 0;
}

static const char *str(const cJSON *obj, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(item) ? item->valuestring : "";
}

static const char *grouped(const cJSON *obj, const char *key, char *buf, size_t size) {
  rpt_group_digits((unsigned long long)num(obj, key), buf, size);
  return buf;
}

static void print_result(const cJSON *result, FILE *out) {
  const char *stop = str(result, "stop");
  const cJSON *fault = cJSON_GetObjectItemCaseSensitive(result, "fault");
  if (strcmp(stop, "exit") == 0) {
    fprintf(out, "  result        firmware exited with code %d\n", (int)num(result, "exit_code"));
  } else if (cJSON_IsObject(fault)) {
    fprintf(out, "  result        FAULT: %s\n", str(fault, "message"));
  } else {
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(result, "stopped_at");
    fprintf(out, "  result        stopped: %s at %s (%s)\n", stop, str(at, "pc"), str(at, "symbol"));
  }
}

void rpt_print_text(const cJSON *report, FILE *out) {
  const cJSON *fw = cJSON_GetObjectItemCaseSensitive(report, "firmware");
  const cJSON *prof = cJSON_GetObjectItemCaseSensitive(report, "profile");
  const cJSON *totals = cJSON_GetObjectItemCaseSensitive(report, "totals");
  const cJSON *mem = cJSON_GetObjectItemCaseSensitive(report, "memory");
  char a[32], b[32], c[32], d[32], e[32];
  double clock_mhz = num(prof, "clock_hz") / 1e6;
  const char *core = str(prof, "core");
  fprintf(out, "mcusim: %s on %s (Cortex-%s, %g MHz)\n", str(fw, "path"), str(prof, "name"),
          !strcmp(core, "m0plus") ? "M0+"
          : !strcmp(core, "m3")   ? "M3"
          : !strcmp(core, "m4")   ? "M4"
                                  : "M7",
          clock_mhz);
  print_result(cJSON_GetObjectItemCaseSensitive(report, "result"), out);
  fprintf(out, "  instructions  %s\n", grouped(totals, "instructions", a, sizeof a));
  fprintf(out, "  cycles        %s  (%.3f ms at %g MHz, %.2f cycles/instruction)\n",
          grouped(totals, "cycles", a, sizeof a), num(totals, "latency_us") / 1000.0, clock_mhz,
          num(totals, "instructions") > 0 ? num(totals, "cycles") / num(totals, "instructions") : 0.0);
  fprintf(out, "  ram (total) : %s B = %s static + %s stack + %s arena\n", grouped(mem, "peak_bytes", a, sizeof a),
          grouped(mem, "static_bytes", b, sizeof b), grouped(mem, "stack_peak_bytes", c, sizeof c),
          grouped(mem, "arena_peak_bytes", d, sizeof d));
  const cJSON *fits = cJSON_GetObjectItemCaseSensitive(mem, "fits");
  if (cJSON_IsTrue(fits))
    fprintf(out, "  sram          fits in %s B (%s B free)\n", grouped(mem, "sram_bytes", a, sizeof a),
            (rpt_group_digits((unsigned long long)(num(mem, "sram_bytes") - num(mem, "peak_bytes")), e, sizeof e), e));
  else
    fprintf(out, "  sram          OVERFLOW: needs %s B more than the device's %s B\n",
            grouped(mem, "overflow_bytes", a, sizeof a), grouped(mem, "sram_bytes", b, sizeof b));
  fprintf(out, "  flash         %s B used of %s B (text %s, rodata %s)\n", grouped(fw, "flash_used_bytes", a, sizeof a),
          grouped(prof, "flash_bytes", b, sizeof b), grouped(fw, "text_bytes", c, sizeof c),
          grouped(fw, "rodata_bytes", d, sizeof d));
  fprintf(out, "  touched       %s B of SRAM written (stack by painting: %s B)\n",
          grouped(mem, "touched_bytes", a, sizeof a), grouped(mem, "stack_painted_bytes", b, sizeof b));
}
