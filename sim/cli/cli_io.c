/* sim/cli/cli_io.c — signals, pipes, "-" and same-file checks around the outputs (cli_io.h). */
#include "sim/cli/cli_io.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cm.h"

enum { EXIT_BAD_INPUT = 2, EXIT_INTERRUPTED = 5, EXIT_INTERNAL = 70 }; /* README "Exit codes", as in cli.h */

static void (*volatile stop_fn)(void *);
static void *volatile stop_opaque;

static void on_signal(int signo) {
  void (*stop)(void *) = stop_fn;
  (void)signo;
  if (stop) {
    stop(stop_opaque);
    return;
  }
  /* after (or outside) a simulation: honour it now, leaving no temporary behind */
  cm_out_remove_temps();
  _exit(EXIT_INTERRUPTED);
}

void cli_io_init(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

void cli_io_set_stop(void (*stop)(void *opaque), void *opaque) {
  stop_fn = NULL;
  stop_opaque = opaque;
  stop_fn = stop;
}

int cli_io_check_outputs(const char *prog, const cli_io_path_t *outs, size_t n_outs, const cli_io_path_t *ins,
                         size_t n_ins) {
  const cli_io_path_t *dash = NULL;
  for (size_t o = 0; o < n_outs; o++) {
    if (!outs[o].path) continue;
    if (!strcmp(outs[o].path, "-")) {
      if (dash) {
        fprintf(stderr, "%s: only one output can be '-' (standard output): %s and %s\n", prog, dash->what,
                outs[o].what);
        return EXIT_BAD_INPUT;
      }
      dash = &outs[o];
    }
    for (size_t i = 0; i < n_ins; i++)
      if (ins[i].path && cm_same_file(outs[o].path, ins[i].path)) {
        fprintf(stderr, "%s: %s %s is the same file as the input %s %s: refusing to overwrite it\n", prog, outs[o].what,
                outs[o].path, ins[i].what, ins[i].path);
        return EXIT_BAD_INPUT;
      }
  }
  if (dash) {
    /* standard output is the data's alone; the summary and the firmware's output go to stderr */
    fflush(stdout);
    int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
      fprintf(stderr, "%s: cannot keep standard output for %s: %s\n", prog, dash->what, strerror(errno));
      return EXIT_BAD_INPUT;
    }
    cm_out_set_stdout_fd(fd);
  }
  return 0;
}

int cli_io_finish(const char *prog, int rc) {
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout)) return rc;
  fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, errno ? strerror(errno) : "write error");
  return rc == EXIT_INTERNAL ? rc : EXIT_BAD_INPUT;
}

const char *cli_io_json_path(int argc, char **argv) {
  if (optarg) return optarg;
  if (optind < argc && !strcmp(argv[optind], "-")) optind++; /* "--json -": the "-" is its argument */
  return "-";
}

int cli_io_write_json(const char *prog, const cJSON *doc, const char *path) {
  char *text = doc ? cJSON_Print(doc) : NULL;
  if (!text) {
    fprintf(stderr, "%s: out of memory rendering the JSON\n", prog);
    return EXIT_INTERNAL;
  }
  size_t len = strlen(text);
  char *line = realloc(text, len + 2);
  if (!line) {
    free(text);
    fprintf(stderr, "%s: out of memory rendering the JSON\n", prog);
    return EXIT_INTERNAL;
  }
  line[len] = '\n';
  fflush(stdout); /* the text printed so far comes first when path is /dev/stdout */
  int rc = cm_write_file(path, line, len + 1);
  free(line);
  if (rc) {
    fprintf(stderr, "%s: %s: cannot write the JSON: %s\n", prog, strcmp(path, "-") ? path : "standard output",
            strerror(errno));
    return EXIT_BAD_INPUT;
  }
  return 0;
}
