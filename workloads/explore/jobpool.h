/* workloads/explore/jobpool.h — run independent jobs in parallel on the local cores: each job runs in a forked
 * child (which may spawn the generator and the cross compiler, and runs the simulator library), at most `parallel`
 * at a time, reporting progress to a callback (the CLI prints it). Used by `search` and `sweep` (issue 9). Never
 * prints. */
#ifndef MCUSIM_JOBPOOL_H
#define MCUSIM_JOBPOOL_H

#include <signal.h>
#include <stddef.h>

/* Runs in the child; the return value is its exit code (0 = success). */
typedef int (*xp_pool_job_fn)(void *ctx, size_t index);
/* Runs in the parent when job `index` ended: `code` is its exit code, or 128 + signal; `seconds` its wall time. */
typedef void (*xp_pool_done_fn)(void *ctx, size_t index, int code, double seconds);

/* Where the jobs stand: at the start and after each job ended. */
typedef struct {
  size_t done, total, running, failed;
  double seconds; /* wall time since the start */
} xp_pool_progress_t;
/* Runs in the parent, in the order the states happen. */
typedef void (*xp_pool_progress_fn)(void *opaque, const xp_pool_progress_t *p);

typedef struct {
  int parallel;                 /* at most this many children at once (>= 1) */
  xp_pool_progress_fn progress; /* NULL: quiet */
  void *progress_opaque;
  volatile sig_atomic_t *stop; /* NULL, or set (from a signal handler) to stop: no job starts after it, and the
                                  running ones are ended with SIGTERM and reaped (their `done` code 128 + SIGTERM) */
} xp_pool_opts_t;

/* Runs jobs `indices[0..n)` (NULL: 0..n-1). Each job runs in a process group of its own (with what it spawns), with
 * the default action for SIGINT, SIGTERM, SIGHUP and SIGPIPE, so that stopping ends it whole and nothing is left
 * running. Returns the number of jobs that did not exit 0 (when stopped, `done` was called only for the jobs that
 * started), or -1 when a child could not be started. */
int xp_pool_run(const xp_pool_opts_t *o, size_t n, const size_t *indices, xp_pool_job_fn job, xp_pool_done_fn done,
                void *ctx);

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr appended to `log` (NULL: inherited), waits, and
 * returns its exit code (128 + signal; -1 if it could not start). */
int xp_pool_spawn_wait(char *const argv[], const char *log);

/* Wall clock in seconds (monotonic). */
double xp_pool_now(void);

#endif /* MCUSIM_JOBPOOL_H */
