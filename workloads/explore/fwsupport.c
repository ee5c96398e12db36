/* workloads/explore/fwsupport.c — the builder's tools and the files it shares with cmake/firmware.cmake
 * (fwbuild.h): core flags from workloads/support/cores.txt and the MEMORY block from memory.ld.in, read at run
 * time from the source tree so that CMake and the builder cannot drift apart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "workloads/explore/fwbuild.h"

#ifndef MCUSIM_GEN_PATH
#define MCUSIM_GEN_PATH "mcusim-gen"
#endif
#ifndef MCUSIM_SOURCE_DIR
#define MCUSIM_SOURCE_DIR "."
#endif

#define CORES_FILE_MAX_BYTES (16u << 10)

/* Copies the next whitespace-separated word of *line into word (size len); 0 when the line has none left, -1 when
 * the word does not fit. */
static int next_word(const char **line, char *word, size_t len) {
  const char *p = *line + strspn(*line, " \t\r");
  size_t n = strcspn(p, " \t\r");
  *line = p + n;
  if (!n) return 0;
  if (n >= len) return -1;
  memcpy(word, p, n);
  word[n] = 0;
  return 1;
}

/* One non-comment line into c; 0 (blank: c->name empty), or -1 with a message. */
static int parse_line(const char *line, int number, xp_fw_core_t *c, char *err, size_t err_len) {
  memset(c, 0, sizeof *c);
  int got = next_word(&line, c->name, sizeof c->name);
  if (got <= 0) return got ? cm_msgf(err, err_len, "line %d: core name too long", number), -1 : 0;
  while (c->n_flags < XP_FW_MAX_CORE_FLAGS && (got = next_word(&line, c->flags[c->n_flags], sizeof c->flags[0])) > 0)
    c->n_flags++;
  if (got < 0) return cm_msgf(err, err_len, "line %d: flag too long", number), -1;
  if (line[strspn(line, " \t\r")])
    return cm_msgf(err, err_len, "line %d: more than %d flags", number, XP_FW_MAX_CORE_FLAGS), -1;
  if (!c->n_flags) return cm_msgf(err, err_len, "line %d: core '%s' has no flags", number, c->name), -1;
  return 0;
}

int xp_fw_cores_parse(const char *text, xp_fw_core_t *cores, size_t cap, char *err, size_t err_len) {
  size_t n = 0;
  char line[512];
  for (int number = 1; *text; number++) {
    size_t len = strcspn(text, "\n");
    if (len >= sizeof line) return cm_msgf(err, err_len, "line %d: longer than %zu bytes", number, sizeof line), -1;
    memcpy(line, text, len);
    line[len] = 0;
    text += len + (text[len] == '\n');
    if (line[0] == '#') continue;
    if (n == cap) return cm_msgf(err, err_len, "more than %zu cores", cap), -1;
    if (parse_line(line, number, &cores[n], err, err_len)) return -1;
    if (cores[n].name[0]) n++;
  }
  return (int)n;
}

const xp_fw_core_t *xp_fw_core(const xp_fw_tools_t *t, const char *name) {
  for (size_t i = 0; i < t->n_cores; i++)
    if (!strcmp(t->cores[i].name, name)) return &t->cores[i];
  return NULL;
}

/* ROOT/workloads/support/NAME, bounded by max_bytes; NULL with a message. */
static char *read_support(const xp_fw_tools_t *t, const char *name, size_t max_bytes, char *err, size_t err_len) {
  char path[XP_FW_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/workloads/support/%s", t->root, name);
  char *text = cm_read_file(path, max_bytes, NULL);
  if (!text) cm_msgf(err, err_len, "cannot read %s: %s", path, strerror(errno));
  return text;
}

int xp_fw_tools_init(xp_fw_tools_t *t, const char *work, const char *const *profile_dirs, char *err, size_t err_len) {
  const char *gen = getenv("MCUSIM_GEN"), *cc = getenv("MCUSIM_CC"), *root = getenv("MCUSIM_ROOT");
  memset(t, 0, sizeof *t);
  snprintf(t->gen, sizeof t->gen, "%s", gen && *gen ? gen : MCUSIM_GEN_PATH);
  snprintf(t->cc, sizeof t->cc, "%s", cc && *cc ? cc : "arm-none-eabi-gcc");
  snprintf(t->root, sizeof t->root, "%s", root && *root ? root : MCUSIM_SOURCE_DIR);
  snprintf(t->work, sizeof t->work, "%s", work);
  t->profile_dirs = profile_dirs;
  char msg[256];
  char *cores = read_support(t, "cores.txt", CORES_FILE_MAX_BYTES, err, err_len);
  if (!cores) return -1;
  int n = xp_fw_cores_parse(cores, t->cores, XP_FW_MAX_CORES, msg, sizeof msg);
  free(cores);
  if (n < 0) return cm_msgf(err, err_len, "%s/workloads/support/cores.txt: %s", t->root, msg), -1;
  t->n_cores = (size_t)n;
  char *tmpl = read_support(t, "memory.ld.in", sizeof t->memory_template - 1, err, err_len);
  if (!tmpl) return -1;
  memcpy(t->memory_template, tmpl, strlen(tmpl) + 1);
  free(tmpl);
  return 0;
}

/* The value of @name@ (name of length len) as cmake/firmware.cmake sets it: numbers in decimal. */
static int variable(const char *name, size_t len, const prof_t *p, uint64_t flash_bytes, uint64_t sram_bytes,
                    char *value, size_t value_len) {
#define IS(var) (len == sizeof var - 1 && !memcmp(name, var, len))
  if (IS("MCUSIM_MEMORY_FROM"))
    snprintf(value, value_len, "%s", p->path ? p->path : p->name);
  else if (IS("MCUSIM_FLASH_BASE"))
    snprintf(value, value_len, "%u", (unsigned)p->flash.base);
  else if (IS("MCUSIM_FLASH_SIZE"))
    snprintf(value, value_len, "%llu", (unsigned long long)flash_bytes);
  else if (IS("MCUSIM_SRAM_BASE"))
    snprintf(value, value_len, "%u", (unsigned)p->sram[0].base);
  else if (IS("MCUSIM_SRAM_SIZE"))
    snprintf(value, value_len, "%llu", (unsigned long long)sram_bytes);
  else
    return -1;
#undef IS
  return 0;
}

int xp_fw_write_memory_ld(const xp_fw_tools_t *t, const prof_t *p, uint64_t flash_bytes, uint64_t sram_bytes,
                          const char *path) {
  cm_out_t *out = cm_out_open(path);
  if (!out) return -1;
  FILE *f = cm_out_file(out);
  int rc = 0;
  for (const char *s = t->memory_template; *s && !rc;) {
    const char *at = strchr(s, '@'), *end = at ? strchr(at + 1, '@') : NULL;
    if (!end) {
      fputs(s, f);
      break;
    }
    char value[XP_FW_PATH_MAX];
    fwrite(s, 1, (size_t)(at - s), f);
    if (variable(at + 1, (size_t)(end - at - 1), p, flash_bytes, sram_bytes, value, sizeof value))
      errno = EINVAL, rc = -1;
    else
      fputs(value, f);
    s = end + 1;
  }
  if (rc)
    cm_out_abort(out);
  else
    rc = cm_out_close(out);
  return rc;
}
