/* tests/cli/test_sweep_interrupt.c — issue 21 F17: Ctrl-C during `mcusim sweep` leaves a manifest of what finished
 * (so `merge` has something to join and names the rest as missing), exits 5 rather than dying by the signal, and
 * leaves no job running behind it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "tests/support/cli_test.h"

#define OUT WORK_DIR "/sweep_interrupt"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Whether a job folder exists yet (a job has started). */
static int a_job_started(void) {
  struct stat st;
  return stat(OUT "/jobs", &st) == 0 && cli_sh("ls " OUT "/jobs | grep -q .") == 0;
}

START_TEST(interrupted_sweep_leaves_a_manifest_and_no_jobs) {
  ck_assert_int_eq(cli_sh("rm -rf " OUT), 0);
  FILE *m = fopen(WORK_DIR "/interrupt_matrix.json", "w");
  ck_assert_ptr_nonnull(m);
  fprintf(m,
          "{\"version\": 1, \"models\": [\"%s/person-det-mbv1-r96.json\"], \"schedules\": [\"layerwise\", "
          "\"patch:n=2,blocks=2\", \"patch:n=2,blocks=3\", \"patch:n=2,blocks=4\", \"patch:n=3,blocks=3\"], "
          "\"profiles\": [\"stm32f412\"]}\n",
          MODELS_DIR);
  fclose(m);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    freopen(WORK_DIR "/sweep_interrupt.log", "w", stderr);
    freopen("/dev/null", "w", stdout);
    execl(MCUSIM_BIN, MCUSIM_BIN, "sweep", WORK_DIR "/interrupt_matrix.json", "-j", "1", "--out", OUT, (char *)NULL);
    _exit(127);
  }
  const double t0 = now();
  while (!a_job_started() && now() - t0 < 120) usleep(20000);
  ck_assert_msg(a_job_started(), "no sweep job started within 120 s");
  usleep(200000); /* inside the first job: building or simulating */
  ck_assert_int_eq(kill(pid, SIGINT), 0);
  int status = 0;
  const double t1 = now();
  while (waitpid(pid, &status, WNOHANG) == 0 && now() - t1 < 60) usleep(20000);
  ck_assert_msg(now() - t1 < 60, "the sweep did not end within 60 s of SIGINT");
  ck_assert_msg(WIFEXITED(status), "the sweep died by signal %d instead of exiting", WTERMSIG(status));
  ck_assert_int_eq(WEXITSTATUS(status), 5);
  /* no job of it runs on: nothing with the sweep's folder in its command line, and no folder appears later */
  usleep(300000);
  /* "[-]-out" matches the jobs' "--out DIR" but not the shell running pgrep, whose command line holds "[-]-out" */
  ck_assert_msg(cli_sh("pgrep -f '[-]-out " OUT "' > /dev/null") != 0, "a sweep job still runs after the sweep ended");
  cJSON *manifest = cli_read_json(OUT "/sweep-1-of-1.json");
  const cJSON *jobs = cJSON_GetObjectItem(manifest, "jobs");
  ck_assert(cJSON_IsArray(jobs));
  ck_assert_int_lt(cJSON_GetArraySize(jobs), 5); /* the rest never ran: missing, not "ok" */
  const cJSON *job;
  cJSON_ArrayForEach(job, jobs) {
    const char *status_text = cli_str(job, "status");
    ck_assert_msg(!strcmp(status_text, "ok") || !strcmp(status_text, "interrupted"), "status %s", status_text);
  }
  cJSON_Delete(manifest);
  /* merge joins what finished and names the rest */
  int rc = cli_mcusim("merge " OUT " --format csv -o " WORK_DIR "/interrupt.csv");
  ck_assert_msg(rc == 1, "merge exit %d: %s", rc, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "missing"));
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("sweep_interrupt");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, interrupted_sweep_leaves_a_manifest_and_no_jobs);
  suite_add_tcase(s, tc);
  return s;
}
