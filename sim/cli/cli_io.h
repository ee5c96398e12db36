/* sim/cli/cli_io.h — what both binaries (mcusim, mcusim-gen) do around their outputs (issue 21): signals and
 * pipes, "-" as standard output, refusing an output that is an input, and write errors on standard output.
 * Files themselves are written through common/cm.h's one writer. */
#ifndef MCUSIM_CLI_IO_H
#define MCUSIM_CLI_IO_H

#include <stddef.h>

/* Ignores SIGPIPE (a closed pipe is EPIPE, seen and reported, so `| head` loses no report) and handles SIGINT,
 * SIGTERM and SIGHUP: while a stop function is set (a simulation runs) the signal calls it; otherwise the
 * temporaries of open outputs are removed and the process exits 5 at once. */
void cli_io_init(void);
/* What a signal does while a simulation runs (NULL: back to removing temporaries and exiting 5). */
void cli_io_set_stop(void (*stop)(void *opaque), void *opaque);

/* An output or input path with the option that named it ("--report", "FIRMWARE"), for messages. */
typedef struct {
  const char *what, *path;
} cli_io_path_t;
/* Before anything runs: refuses (one line naming both, returns 2) an output that is the same file as an input
 * (device and inode) and more than one output "-"; when one output is "-", standard output is kept for it alone
 * and the command's own text goes to stderr. NULL paths are skipped. Returns 0 when the outputs may be written. */
int cli_io_check_outputs(const char *prog, const cli_io_path_t *outs, size_t n_outs, const cli_io_path_t *ins,
                         size_t n_ins);

/* At exit: flushes standard output; a write error on it (a full disk, a closed pipe) is named on stderr and
 * turns rc into 2 (70 stays 70). Returns the exit code. */
int cli_io_finish(const char *prog, int rc);

/* --json[=OUT] (issue 19): the command's result as JSON on OUT, standard output when OUT is absent or "-"; the
 * human text then goes to stderr (through cli_io_check_outputs, given {"--json", path}). Every command with a
 * result (run, profiles, plan, check, search, analyze) declares the option as
 *   {"json", optional_argument, 0, VALUE}
 * and, on VALUE, sets its path with cli_io_json_path(argc, argv): "--json", "--json=OUT" and "--json -" all work
 * (the "-" after a bare --json is taken as its argument). */
const char *cli_io_json_path(int argc, char **argv);
/* Writes doc (pretty, one trailing newline) to path through the one writer; on failure names the file on stderr
 * and returns 2; 0 when written. The JSON is deterministic: keys in the order the command added them. */
struct cJSON;
int cli_io_write_json(const char *prog, const struct cJSON *doc, const char *path);

#endif /* MCUSIM_CLI_IO_H */
