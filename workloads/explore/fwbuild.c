/* workloads/explore/fwbuild.c — generator + cross compiler for one firmware, without CMake (fwbuild.h). */
#define _GNU_SOURCE
#include "workloads/explore/fwbuild.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cm.h"
#include "workloads/explore/jobpool.h"

#define FW_CODE_BYTES (64u << 10)     /* runtime + newlib: ~30 KiB measured; margin for the flash check */
#define FW_STATIC_MARGIN (32u << 10)  /* static data + stack beside the arena when sizing an enlarged SRAM */
#define PROFILE_MAX_BYTES (64u << 10) /* a profile is ~1 KiB; the bound the copy always had */

/* main_graph: main.c built with MCUSIM_GRAPH (a general graph's firmware calls rt_graph_run); each ELF links one of
 * main and main_graph, and rt_ops/rt_graph, which --gc-sections drops from a sequential model's firmware */
static const char *const rt_objects[] = {"main",    "rt_kernels", "rt_arena", "rt_exec",
                                         "startup", "rt_ops",     "rt_graph", "main_graph"};
#define RT_OBJECT_COUNT 8

/* snprintf for paths (a path longer than the buffer is cut; XP_FW_PATH_MAX is far above what builds use) */
__attribute__((format(printf, 3, 4))) static void fmt_path(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

static void copy_path(char *dst, const char *src) { fmt_path(dst, XP_FW_PATH_MAX, "%s", src); }

int xp_fw_mkdirs(const char *path) {
  char buf[XP_FW_PATH_MAX];
  fmt_path(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0755) && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

typedef struct {
  char *argv[64];
  char store[64][XP_FW_PATH_MAX];
  int argc;
} cmd_t;

static void cmd_add(cmd_t *c, const char *fmt, ...) {
  if (c->argc >= 63) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->store[c->argc], XP_FW_PATH_MAX, fmt, ap);
  va_end(ap);
  c->argv[c->argc] = c->store[c->argc];
  c->argv[++c->argc] = NULL;
}

/* The Release flags of the bundled firmware build, up to the per-target options. */
static void cmd_compiler(cmd_t *c, const xp_fw_tools_t *t, const char *core) {
  cmd_add(c, "%s", t->cc);
  cmd_add(c, "-O3");
  cmd_add(c, "-DNDEBUG");
  const xp_fw_core_t *flags = xp_fw_core(t, core);
  for (int i = 0; flags && i < flags->n_flags; i++) cmd_add(c, "%s", flags->flags[i]);
}

static const char *rt_source(const xp_fw_tools_t *t, const char *name, char *buf) {
  if (!strcmp(name, "main_graph")) name = "main";
  const char *dir = !strcmp(name, "main")      ? "workloads/firmware"
                    : !strcmp(name, "startup") ? "workloads/support"
                                               : "workloads/runtime";
  fmt_path(buf, XP_FW_PATH_MAX, "%s/%s/%s.c", t->root, dir, name);
  return buf;
}

static int compile_def(const xp_fw_tools_t *t, const char *core, const char *src, const char *obj, const char *log,
                       const char *define) {
  cmd_t c = {.argc = 0};
  cmd_compiler(&c, t, core);
  if (define) cmd_add(&c, "-D%s", define);
  cmd_add(&c, "-O2");
  cmd_add(&c, "-g");
  cmd_add(&c, "-ffunction-sections");
  cmd_add(&c, "-fdata-sections");
  cmd_add(&c, "-Wall");
  cmd_add(&c, "-Wextra");
  cmd_add(&c, "-I%s/workloads/support", t->root);
  cmd_add(&c, "-I%s/workloads", t->root);
  cmd_add(&c, "-c");
  cmd_add(&c, "%s", src);
  cmd_add(&c, "-o");
  cmd_add(&c, "%s", obj);
  return xp_pool_spawn_wait(c.argv, log);
}

static int compile(const xp_fw_tools_t *t, const char *core, const char *src, const char *obj, const char *log) {
  return compile_def(t, core, src, obj, log, NULL);
}

typedef struct {
  const xp_fw_tools_t *tools;
  const char *const *cores;
} prepare_t;

/* Whether obj is newer than its source and everything every runtime object depends on (the runtime's headers, the
 * trace ABI, the core flags): a kept work folder must not hand a changed runtime's firmware the old objects. */
static int object_up_to_date(const xp_fw_tools_t *t, const char *obj, const char *src) {
  static const char *const shared[] = {"workloads/runtime/rt.h", "workloads/runtime/rt_quant.h",
                                       "workloads/mcusim_trace.h", "workloads/support/cores.txt"};
  struct stat o, in;
  if (stat(obj, &o) || stat(src, &in) || in.st_mtime >= o.st_mtime) return 0;
  for (size_t i = 0; i < sizeof shared / sizeof *shared; i++) {
    char path[XP_FW_PATH_MAX + 64];
    fmt_path(path, sizeof path, "%s/%s", t->root, shared[i]);
    if (stat(path, &in) || in.st_mtime >= o.st_mtime) return 0;
  }
  return 1;
}

/* Job k of the preparation: object k % RT_OBJECT_COUNT for core k / RT_OBJECT_COUNT (in a forked child). */
static int prepare_object(void *ctx, size_t k) {
  const prepare_t *p = ctx;
  const char *core = p->cores[k / RT_OBJECT_COUNT], *name = rt_objects[k % RT_OBJECT_COUNT];
  char obj[XP_FW_PATH_MAX + 32], tmp[XP_FW_PATH_MAX + 48], src[XP_FW_PATH_MAX], log[XP_FW_PATH_MAX + 48];
  fmt_path(obj, sizeof obj, "%s/rt-%s/%s.o", p->tools->work, core, name);
  if (object_up_to_date(p->tools, obj, rt_source(p->tools, name, src))) return 0;
  fmt_path(tmp, sizeof tmp, "%s.tmp%d", obj, (int)getpid());
  fmt_path(log, sizeof log, "%s/rt-%s/%s.log", p->tools->work, core, name);
  return compile_def(p->tools, core, rt_source(p->tools, name, src), tmp, log,
                     strcmp(name, "main_graph") ? NULL : "MCUSIM_GRAPH") != 0 ||
                 rename(tmp, obj)
             ? 1
             : 0;
}

int xp_fw_prepare_cores(const xp_fw_tools_t *t, const char *const *cores, size_t n_cores, int parallel, char *err,
                        size_t err_len) {
  char dir[XP_FW_PATH_MAX];
  for (size_t c = 0; c < n_cores; c++) {
    if (!xp_fw_core(t, cores[c])) return cm_msgf(err, err_len, "unknown core '%s'", cores[c]), -1;
    fmt_path(dir, sizeof dir, "%s/rt-%s", t->work, cores[c]);
    if (xp_fw_mkdirs(dir)) return cm_msgf(err, err_len, "cannot create %s: %s", dir, strerror(errno)), -1;
  }
  prepare_t p = {t, cores};
  xp_pool_opts_t po = {.parallel = parallel};
  if (xp_pool_run(&po, n_cores * RT_OBJECT_COUNT, NULL, prepare_object, NULL, &p))
    return cm_msgf(err, err_len, "cannot compile the runtime (see %s/rt-<core>/*.log)", t->work), -1;
  return 0;
}

static uint64_t file_bytes(const char *path) {
  struct stat st;
  return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/* The arena the generator sized: "const uint32_t mcusim_arena_bytes = N" in DIR/fw.c. */
static uint32_t generated_arena_bytes(const char *c_path) {
  FILE *f = fopen(c_path, "r");
  char line[512];
  unsigned value = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "const uint32_t mcusim_arena_bytes = %u", &value) == 1) break;
  if (f) fclose(f);
  return value;
}

static uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

static uint64_t pow2_at_least(uint64_t v) {
  uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

/* A copy of the profile with a larger flash, for weights that do not fit the part. */
static int write_big_flash_profile(const prof_t *p, uint64_t flash_bytes, const char *path) {
  char *text = cm_read_file(p->path, PROFILE_MAX_BYTES, NULL);
  if (!text) return -1;
  cJSON *j = cJSON_Parse(text);
  free(text);
  cJSON *flash = cJSON_GetObjectItemCaseSensitive(j, "flash");
  if (!j || !flash) return cJSON_Delete(j), -1;
  char name[96];
  fmt_path(name, sizeof name, "%s+flash", p->name);
  cJSON_ReplaceItemInObject(j, "name", cJSON_CreateString(name));
  cJSON_ReplaceItemInObject(flash, "size", cJSON_CreateNumber((double)flash_bytes));
  char *out = cJSON_Print(j);
  cJSON_Delete(j);
  int rc = out ? cm_write_file(path, out, strlen(out)) : -1;
  free(out);
  return rc;
}

static int generate(const xp_fw_tools_t *t, const char *model, const char *spec, const char *dir, const char *log) {
  cmd_t c = {.argc = 0};
  cmd_add(&c, "%s", t->gen);
  cmd_add(&c, "--model");
  cmd_add(&c, "%s", model);
  cmd_add(&c, "--schedule");
  cmd_add(&c, "%s", spec);
  cmd_add(&c, "--out");
  cmd_add(&c, "%s/fw", dir);
  return xp_pool_spawn_wait(c.argv, log);
}

/* Whether the generated tables are a general graph's (mcusim-gen defines mcusim_graph instead of mcusim_model). */
static int generated_is_graph(const char *dir) {
  char path[XP_FW_PATH_MAX + 16];
  fmt_path(path, sizeof path, "%s/fw.c", dir);
  char *text = cm_read_file(path, 64u << 20, NULL);
  const int graph = text && strstr(text, "\nconst rt_graph_t mcusim_graph = ") != NULL;
  free(text);
  return graph;
}

static int link_elf(const xp_fw_tools_t *t, const char *core, const char *dir, const char *log) {
  const int graph = generated_is_graph(dir);
  cmd_t c = {.argc = 0};
  cmd_compiler(&c, t, core);
  cmd_add(&c, "-nostartfiles");
  cmd_add(&c, "-Wl,--gc-sections");
  cmd_add(&c, "-T%s/memory.ld", dir);
  cmd_add(&c, "-T%s/workloads/support/cortex-m.ld", t->root);
  cmd_add(&c, "-Wl,-Map=%s/fw.map", dir);
  for (int i = 0; i < RT_OBJECT_COUNT; i++)
    if (strcmp(rt_objects[i], graph ? "main" : "main_graph"))
      cmd_add(&c, "%s/rt-%s/%s.o", t->work, core, rt_objects[i]);
  cmd_add(&c, "%s/fw.c.o", dir);
  cmd_add(&c, "%s/fw.S.o", dir);
  cmd_add(&c, "-o");
  cmd_add(&c, "%s/fw.elf", dir);
  cmd_add(&c, "-Wl,--start-group");
  cmd_add(&c, "-lc");
  cmd_add(&c, "-lm");
  cmd_add(&c, "-lrdimon");
  cmd_add(&c, "-lgcc");
  cmd_add(&c, "-Wl,--end-group");
  return xp_pool_spawn_wait(c.argv, log);
}

/* Flash and SRAM to link with; a profile copy when the weights need more flash than the part has. */
static int size_memory(const xp_fw_tools_t *t, const prof_t *p, const char *profile_arg, const char *dir,
                       xp_fw_built_t *out) {
  char path[XP_FW_PATH_MAX + 16];
  fmt_path(path, sizeof path, "%s/fw.bin", dir);
  out->flash_needed_bytes = file_bytes(path) + FW_CODE_BYTES;
  uint64_t flash = p->flash.size;
  copy_path(out->run_profile, profile_arg);
  if (out->flash_needed_bytes > p->flash.size) {
    out->flash_over_bytes = out->flash_needed_bytes - p->flash.size;
    flash = pow2_at_least(out->flash_needed_bytes);
    fmt_path(path, sizeof path, "%s/profile.json", dir);
    if (write_big_flash_profile(p, flash, path)) return -1;
    copy_path(out->run_profile, path);
  }
  fmt_path(path, sizeof path, "%s/fw.c", dir);
  out->arena_bytes = generated_arena_bytes(path);
  uint64_t sram = p->sram[0].size;
  if ((uint64_t)out->arena_bytes + FW_STATIC_MARGIN > sram)
    sram = round_up((uint64_t)out->arena_bytes + FW_STATIC_MARGIN, 64u << 10);
  fmt_path(path, sizeof path, "%s/memory.ld", dir);
  return xp_fw_write_memory_ld(t, p, flash, sram, path);
}

int xp_fw_build(const xp_fw_tools_t *t, const char *model_path, const char *spec, const prof_t *profile,
                const char *profile_arg, const char *dir, xp_fw_built_t *out, char *err, size_t err_len) {
  char log[XP_FW_PATH_MAX + 16], src[XP_FW_PATH_MAX + 16], obj[XP_FW_PATH_MAX + 16];
  memset(out, 0, sizeof *out);
  if (xp_fw_mkdirs(dir)) return cm_msgf(err, err_len, "cannot create %s: %s", dir, strerror(errno)), -1;
  fmt_path(log, sizeof log, "%s/build.log", dir);
  unlink(log);
  if (generate(t, model_path, spec, dir, log))
    return cm_msgf(err, err_len, "mcusim-gen failed on %s / %s (see %s)", model_path, spec, log), -1;
  if (size_memory(t, profile, profile_arg, dir, out))
    return cm_msgf(err, err_len, "cannot size memory for %s in %s", profile->name, dir), -1;
  for (int s = 0; s < 2; s++) {
    fmt_path(src, sizeof src, "%s/fw.%s", dir, s ? "S" : "c");
    fmt_path(obj, sizeof obj, "%s.o", src);
    if (compile(t, profile->core, src, obj, log))
      return cm_msgf(err, err_len, "cannot compile %s (see %s)", src, log), -1;
  }
  if (link_elf(t, profile->core, dir, log))
    return cm_msgf(err, err_len, "cannot link %s/fw.elf (see %s)", dir, log), -1;
  fmt_path(out->elf, sizeof out->elf, "%s/fw.elf", dir);
  return 0;
}

static void write_job_json(const char *dir, const char *model, const char *spec, const char *profile_arg,
                           const xp_fw_built_t *b, const char *error) {
  char path[XP_FW_PATH_MAX + 16];
  fmt_path(path, sizeof path, "%s/job.json", dir);
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "model", model);
  cJSON_AddStringToObject(j, "schedule", spec);
  cJSON_AddStringToObject(j, "profile", profile_arg);
  cJSON_AddStringToObject(j, "run_profile", b->run_profile);
  cJSON_AddNumberToObject(j, "flash_needed_bytes", (double)b->flash_needed_bytes);
  cJSON_AddNumberToObject(j, "flash_over_bytes", (double)b->flash_over_bytes);
  cJSON_AddNumberToObject(j, "arena_bytes", b->arena_bytes);
  if (error)
    cJSON_AddStringToObject(j, "error", error);
  else
    cJSON_AddNullToObject(j, "error");
  char *text = cJSON_Print(j);
  if (text) cm_write_file(path, text, strlen(text));
  free(text);
  cJSON_Delete(j);
}

int xp_fw_job(const xp_fw_tools_t *t, const char *model_path, const char *spec, const prof_t *profile,
              const char *profile_arg, const char *dir) {
  xp_fw_built_t b;
  char err[512], report[XP_FW_PATH_MAX + 16], log[XP_FW_PATH_MAX + 16];
  if (xp_fw_build(t, model_path, spec, profile, profile_arg, dir, &b, err, sizeof err)) {
    write_job_json(dir, model_path, spec, profile_arg, &b, err);
    return XP_FW_BUILD_FAILED;
  }
  write_job_json(dir, model_path, spec, profile_arg, &b, NULL);
  fmt_path(report, sizeof report, "%s/report.json", dir);
  fmt_path(log, sizeof log, "%s/run.log", dir);
  unlink(log);
  return xp_fw_run(t, b.run_profile, b.elf, report, log);
}

const char *xp_fw_status(int code) {
  switch (code) {
  case XP_FW_OK:
    return "ok";
  case XP_FW_FIRMWARE_FAILED:
    return "firmware_failed";
  case XP_FW_BAD_INPUT:
    return "bad_input";
  case XP_FW_FAULT:
    return "fault";
  case XP_FW_LIMIT:
    return "limit";
  case XP_FW_INTERRUPTED:
    return "interrupted";
  case XP_FW_SELF_LOOP:
    return "self_loop";
  case XP_FW_BUILD_FAILED:
    return "build_failed";
  default:
    return "error";
  }
}
