/* tests/support/cli_test.c — see cli_test.h. */
#include "cli_test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

char cli_output[CLI_OUTPUT_BYTES];

int cli_sh(const char *cmd) {
  size_t n = strlen(cmd) + 8;
  char *full = malloc(n);
  ck_assert_ptr_nonnull(full);
  snprintf(full, n, "%s 2>&1", cmd);
  FILE *p = popen(full, "r");
  free(full);
  ck_assert_ptr_nonnull(p);
  size_t got = fread(cli_output, 1, sizeof cli_output - 1, p);
  cli_output[got] = '\0';
  /* drain what did not fit, so the command is not killed by SIGPIPE */
  for (char sink[4096]; fread(sink, 1, sizeof sink, p) > 0;) {
  }
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cli_mcusim(const char *args) {
#ifdef MCUSIM_BIN
  size_t n = strlen(MCUSIM_BIN) + strlen(args) + 2;
  char *cmd = malloc(n);
  ck_assert_ptr_nonnull(cmd);
  snprintf(cmd, n, "%s %s", MCUSIM_BIN, args);
  int rc = cli_sh(cmd);
  free(cmd);
  return rc;
#else
  ck_abort_msg("MCUSIM_BIN is not defined for this test");
  return -1;
#endif
}

char *cli_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
    len += got;
    if (cap - len - 1 == 0) {
      char *grown = realloc(buf, cap *= 2);
      if (!grown) free(buf);
      buf = grown;
    }
  }
  fclose(f);
  if (buf) buf[len] = '\0';
  return buf;
}

cJSON *cli_read_json(const char *path) {
  char *text = cli_slurp(path);
  ck_assert_msg(text != NULL, "%s is missing", path);
  cJSON *json = cJSON_Parse(text);
  free(text);
  ck_assert_msg(json != NULL, "%s is not JSON", path);
  return json;
}

const cJSON *cli_get(const cJSON *obj, const char *key) {
  char part[128];
  while (obj && *key) {
    size_t n = strcspn(key, ".");
    snprintf(part, sizeof part, "%.*s", (int)n, key);
    obj = cJSON_GetObjectItemCaseSensitive(obj, part);
    key += n + (key[n] == '.');
  }
  return obj;
}

double cli_num(const cJSON *obj, const char *key) {
  const cJSON *x = cli_get(obj, key);
  ck_assert_msg(cJSON_IsNumber(x), "'%s' is not a number", key);
  return x->valuedouble;
}

const char *cli_str(const cJSON *obj, const char *key) {
  const cJSON *x = cli_get(obj, key);
  ck_assert_msg(cJSON_IsString(x), "'%s' is not a string", key);
  return x->valuestring;
}
