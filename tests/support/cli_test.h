/* tests/support/cli_test.h — what the integration tests share: run a command the way a user does and capture its
 * output, and read the JSON it wrote. Compiled into each test (mcusim_add_check_test adds it), so MCUSIM_BIN is
 * the test's own definition. Failures are Check assertions. */
#ifndef MCUSIM_CLI_TEST_H
#define MCUSIM_CLI_TEST_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define CLI_OUTPUT_BYTES (1u << 20)

/* stdout and stderr of the last cli_sh / cli_mcusim, NUL-terminated (truncated to CLI_OUTPUT_BYTES - 1). */
extern char cli_output[CLI_OUTPUT_BYTES];

/* Runs `cmd` through the shell with stderr merged into stdout; returns its exit code (-1 if it did not exit). */
int cli_sh(const char *cmd);
/* `MCUSIM_BIN args` through cli_sh. */
int cli_mcusim(const char *args);

/* The whole file as a NUL-terminated string (caller frees), or NULL. */
char *cli_slurp(const char *path);
/* Parses a JSON file; fails the test when it is missing or not JSON. Caller deletes. */
cJSON *cli_read_json(const char *path);
/* obj.key, where key may be a dotted path ("memory.peak_bytes"); NULL when absent. */
const cJSON *cli_get(const cJSON *obj, const char *key);
/* The number / string at key; fails the test when it is not one. */
double cli_num(const cJSON *obj, const char *key);
const char *cli_str(const cJSON *obj, const char *key);

#endif /* MCUSIM_CLI_TEST_H */
