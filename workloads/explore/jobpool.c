/* workloads/explore/jobpool.c — forked jobs, at most N at a time, with progress to a callback (jobpool.h). */
#define _GNU_SOURCE
#include "workloads/explore/jobpool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

double xp_pool_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 70;
}

int xp_pool_spawn_wait(char *const argv[], const char *log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (log) {
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  }
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc) return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return exit_code(status);
}

typedef struct {
  pid_t pid;
  size_t index;
  double start;
} slot_t;

static void progress(const xp_pool_opts_t *o, size_t done, size_t n, size_t running, size_t failed, double t0) {
  if (!o->progress) return;
  const xp_pool_progress_t p = {done, n, running, failed, xp_pool_now() - t0};
  o->progress(o->progress_opaque, &p);
}

static int stopping(const xp_pool_opts_t *o) { return o->stop && *o->stop; }

static pid_t start_job(xp_pool_job_fn job, void *ctx, size_t index) {
  fflush(NULL); /* output the caller buffered must not be inherited by the child */
  pid_t pid = fork();
  if (pid == 0) {
    /* its own group, so that the pool can end it with what it spawned (gcc, the generator); the caller's signal
     * handlers and ignored SIGPIPE are not the job's */
    setpgid(0, 0);
    static const int defaults[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) signal(defaults[i], SIG_DFL);
    _exit(job(ctx, index));
  }
  if (pid > 0) setpgid(pid, pid); /* also here: whichever runs first, the group exists before a kill */
  return pid;
}

/* Ends every running job's process group, once. */
static void end_running(const slot_t *slots, int used, int *ended) {
  if (*ended) return;
  *ended = 1;
  for (int s = 0; s < used; s++) kill(-slots[s].pid, SIGTERM);
}

/* Waits for one child; returns its slot, with its exit code in *code. A stop request while waiting ends the
 * running jobs (the wait goes on until they are reaped). */
static int reap(const xp_pool_opts_t *o, slot_t *slots, int used, int *code, int *ended) {
  int status;
  pid_t pid;
  if (stopping(o)) end_running(slots, used, ended);
  while ((pid = wait(&status)) < 0) {
    if (errno != EINTR) return -1;
    if (stopping(o)) end_running(slots, used, ended);
  }
  for (int s = 0; s < used; s++)
    if (slots[s].pid == pid) {
      *code = exit_code(status);
      return s;
    }
  return -1;
}

int xp_pool_run(const xp_pool_opts_t *o, size_t n, const size_t *indices, xp_pool_job_fn job, xp_pool_done_fn done,
                void *ctx) {
  const int parallel = o->parallel < 1 ? 1 : o->parallel > 256 ? 256 : o->parallel;
  slot_t slots[256];
  int used = 0, failed = 0, killed = 0;
  size_t next = 0, finished = 0;
  const double t0 = xp_pool_now();
  progress(o, 0, n, 0, 0, t0);
  while (finished < n && !(stopping(o) && used == 0)) {
    while (used < parallel && next < n && !stopping(o)) {
      const size_t index = indices ? indices[next] : next;
      slots[used] = (slot_t){start_job(job, ctx, index), index, xp_pool_now()};
      if (slots[used].pid < 0) return -1;
      used++, next++;
    }
    if (used == 0) continue; /* a stop came while starting: the loop ends */
    int code = 0, s = reap(o, slots, used, &code, &killed);
    if (s < 0) return -1;
    const slot_t ended = slots[s];
    slots[s] = slots[--used];
    finished++;
    if (code) failed++;
    if (done) done(ctx, ended.index, code, xp_pool_now() - ended.start);
    progress(o, finished, n, (size_t)used, (size_t)failed, t0);
  }
  return failed;
}
