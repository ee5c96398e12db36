/* tests/cli/test_io.c — issue 21, through the binaries: outputs (the one writer: "-", same file as an input,
 * symlinks, devices), signals and pipes, exit codes, and numbers on the command line. */
#include <errno.h>
#include <fcntl.h>
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

#define HELLO FIRMWARE_DIR "/hello.elf" /* prints two lines, exits with code 3 (exit 1) */
#define OUT(name) WORK_DIR "/io_" name

static void put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static int lines_of(const char *text) {
  int n = 0;
  for (; *text; text++) n += *text == '\n';
  return n;
}

/* Runs the binary with argv, stdout to a pipe whose reader is already gone (a `| head` that exited) and stderr
 * to err_path; SIGPIPE at its default, as a shell leaves it. Returns the exit code, or 128 + signal. */
static int run_with_closed_stdout(char *const argv[], const char *err_path) {
  int p[2];
  ck_assert_int_eq(pipe(p), 0);
  close(p[0]);
  pid_t child = fork();
  if (child == 0) {
    signal(SIGPIPE, SIG_DFL);
    dup2(p[1], 1);
    int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    execv(argv[0], argv);
    _exit(127);
  }
  close(p[1]);
  int status;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* F12: `mcusim run ... | head` keeps the report; the lost standard output is named and exits 2. */
START_TEST(closed_stdout_keeps_the_report) {
  unlink(OUT("pipe.json"));
  char *argv[] = {MCUSIM_BIN, "run", "-p", "cortex-m4-0ws", "-r", OUT("pipe.json"), HELLO, NULL};
  int rc = run_with_closed_stdout(argv, OUT("pipe.err"));
  cJSON *report = cli_read_json(OUT("pipe.json"));
  ck_assert_double_eq(cli_num(report, "result.exit_code"), 3);
  cJSON_Delete(report);
  char *err = cli_slurp(OUT("pipe.err"));
  ck_assert_msg(rc == 2, "exit %d, stderr: %s", rc, err);
  ck_assert_ptr_nonnull(strstr(err, "standard output"));
  free(err);
}
END_TEST

/* F13: a write error on standard output (a full disk) is an error, not exit 0 with the text lost. */
START_TEST(full_stdout_is_an_error) {
  if (access("/dev/full", W_OK)) return;
  ck_assert_int_eq(cli_sh("(" MCUSIM_BIN " run -p cortex-m4-0ws " HELLO " >/dev/full)"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "standard output"));
  ck_assert_int_eq(cli_sh("(" MCUSIM_BIN " profiles >/dev/full)"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "standard output"));
  static const char *const help[] = {"plan", "search", "sweep", "run", "check", "merge"};
  for (size_t i = 0; i < sizeof help / sizeof *help; i++) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "(%s %s --help >/dev/full)", MCUSIM_BIN, help[i]);
    ck_assert_msg(cli_sh(cmd) == 2, "%s --help to a full disk: %s", help[i], cli_output);
  }
}
END_TEST

/* "-" is standard output for every output option; no file named "-" appears; the summary then goes to stderr. */
START_TEST(dash_is_standard_output) {
  ck_assert_int_eq(cli_sh("(cd " WORK_DIR " && rm -f ./- && " MCUSIM_BIN " run -p cortex-m4-0ws -r - " HELLO
                          " 2>/dev/null >" OUT("dash.json") ")"),
                   1);
  cJSON *report = cli_read_json(OUT("dash.json"));
  ck_assert_double_eq(cli_num(report, "result.exit_code"), 3);
  cJSON_Delete(report);
  ck_assert_int_ne(access(WORK_DIR "/-", F_OK), 0);
  ck_assert_int_eq(cli_sh("cd " WORK_DIR " && " MCUSIM_BIN " export " OUT("dash.json") " -f csv -o - 2>/dev/null"), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "id,name,kind"));
  ck_assert_int_ne(access(WORK_DIR "/-", F_OK), 0);
  ck_assert_int_eq(cli_sh("cd " WORK_DIR " && " MCUSIM_BIN " run -p cortex-m4-0ws -r - --csv - " HELLO), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  ck_assert_ptr_nonnull(strstr(cli_output, "'-'"));
}
END_TEST

/* Every output option of run, compare and check takes "-" (F8: `-o -` used to write a file named "-"). */
START_TEST(every_output_option_takes_dash) {
  static const struct {
    const char *args, *expect;
  } cases[] = {
      {"run -q -p cortex-m4-0ws --html - " HELLO, "<html"},
      {"run -q -p cortex-m4-0ws --perfetto - " HELLO, "traceEvents"},
      {"run -q -p cortex-m4-0ws --massif - " HELLO, "desc:"},
      {"run -q -p cortex-m4-0ws --csv - " HELLO, "id,name,kind"},
      {"run -q -p cortex-m4-0ws --folded - " HELLO, "Reset_Handler"},
      {"compare " OUT("cmp.json") " " OUT("cmp.json") " --html -", "<html"},
      {"check " OUT("cmp.json") " --baseline " OUT("cmp.json") " --junit -", "<testsuite"},
  };
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("cmp.json") " " HELLO), 1);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "(cd %s && rm -f ./- && %s %s 2>/dev/null)", WORK_DIR, MCUSIM_BIN, cases[i].args);
    int rc = cli_sh(cmd);
    ck_assert_msg(rc == 0 || rc == 1, "%s: exit %d", cases[i].args, rc);
    ck_assert_msg(strstr(cli_output, cases[i].expect) != NULL, "%s: no '%s' on stdout", cases[i].args, cases[i].expect);
    ck_assert_msg(access(WORK_DIR "/-", F_OK) != 0, "%s wrote a file named '-'", cases[i].args);
  }
}
END_TEST

/* /dev/stdout as an output comes after the text printed before it (the text is flushed before an output is
 * written to the same descriptor). */
START_TEST(dev_stdout_keeps_the_order) {
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("order.json") " " HELLO), 1);
  ck_assert_int_eq(cli_sh("(" MCUSIM_BIN " check " OUT("order.json") " --baseline " OUT(
                       "order.json") " --junit /dev/stdout 2>/dev/null)"),
                   0);
  const char *text = strstr(cli_output, "check: PASS"), *xml = strstr(cli_output, "<?xml");
  ck_assert_msg(text && xml && text < xml, "%s", cli_output);
  ck_assert_int_eq(
      cli_sh("(" MCUSIM_BIN " compare " OUT("order.json") " " OUT("order.json") " --csv /dev/stdout 2>/dev/null)"), 0);
  text = strstr(cli_output, "A  ");
  const char *csv = strstr(cli_output, "report,id,name");
  ck_assert_msg(text && csv && text < csv, "%s", cli_output);
}
END_TEST

/* merge -o: "-" is standard output, a manifest or a report it reads is refused as the output (F27, F8). */
START_TEST(merge_output) {
  ck_assert_int_eq(cli_sh("mkdir -p " OUT("merge/jobs/a")), 0);
  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("merge/jobs/a/report.json") " " HELLO), 1);
  put_file(OUT("merge/sweep-1-of-1.json"),
           "{\"schema\": \"mcusim-sweep/1\", \"jobs_total\": 1, \"jobs\": [{\"index\": 0, "
           "\"id\": \"a\", \"status\": \"ok\", \"report\": \"jobs/a/report.json\"}]}");
  ck_assert_int_eq(cli_sh("(cd " WORK_DIR " && " MCUSIM_BIN " merge " OUT("merge") " -o - 2>/dev/null)"), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "\n0,a,ok,"));
  ck_assert_int_ne(access(WORK_DIR "/-", F_OK), 0);
  char *before = cli_slurp(OUT("merge/sweep-1-of-1.json"));
  ck_assert_int_eq(cli_mcusim("merge " OUT("merge") " -o " OUT("merge/sweep-1-of-1.json")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "refusing"));
  ck_assert_int_eq(cli_mcusim("merge " OUT("merge") " -o " OUT("merge/jobs/a/report.json")), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "refusing"));
  char *after = cli_slurp(OUT("merge/sweep-1-of-1.json"));
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  cJSON_Delete(cli_read_json(OUT("merge/jobs/a/report.json")));
}
END_TEST

/* F27: an output that is an input is refused before anything runs (compared by inode, not by name). */
START_TEST(output_equal_to_input_is_refused) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cp %s %s && ln -sf io_fw.elf %s", HELLO, OUT("fw.elf"), OUT("fw-link.elf"));
  ck_assert_int_eq(cli_sh(cmd), 0);
  struct stat before, after;
  ck_assert_int_eq(stat(OUT("fw.elf"), &before), 0);
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws -r " OUT("fw-link.elf") " " OUT("fw.elf")), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  ck_assert_ptr_nonnull(strstr(cli_output, "io_fw-link.elf"));
  ck_assert_ptr_nonnull(strstr(cli_output, "io_fw.elf"));
  ck_assert_int_eq(stat(OUT("fw.elf"), &after), 0);
  ck_assert_int_eq(before.st_size, after.st_size);
  ck_assert_int_eq(before.st_mtime, after.st_mtime);

  snprintf(cmd, sizeof cmd, "cp %s %s", MCUSIM_PROFILES_JSON, OUT("profile.json"));
  ck_assert_int_eq(cli_sh(cmd), 0);
  ck_assert_int_eq(cli_mcusim("run -p " OUT("profile.json") " --html " OUT("profile.json") " " HELLO), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  cJSON_Delete(cli_read_json(OUT("profile.json"))); /* still the profile: fails the test when it is not JSON */

  ck_assert_int_eq(cli_mcusim("run -q -p cortex-m4-0ws -r " OUT("in.json") " " HELLO), 1);
  char *before_text = cli_slurp(OUT("in.json"));
  ck_assert_int_eq(cli_mcusim("export " OUT("in.json") " -f csv -o " OUT("in.json")), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  char *after_text = cli_slurp(OUT("in.json"));
  ck_assert_str_eq(before_text, after_text);
  free(before_text);
  free(after_text);
}
END_TEST

/* F21: an unwritable --report exits 2, and the result is still printed. */
START_TEST(unwritable_report_exits_2_with_the_result) {
  ck_assert_int_eq(cli_mcusim("run -p cortex-m4-0ws -r /nonexistent/dir/r.json " HELLO), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "cannot write the report"));
  ck_assert_ptr_nonnull(strstr(cli_output, "instructions"));
}
END_TEST

/* F20: a profile whose memory map the simulator cannot map is a profile problem (2), not an internal error. */
START_TEST(profile_problem_exits_2) {
  char *text = cli_slurp(MCUSIM_PROFILES_JSON);
  ck_assert_ptr_nonnull(text);
  cJSON *p = cJSON_Parse(text);
  free(text);
  cJSON *sram = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "sram"), 0);
  cJSON_ReplaceItemInObject(sram, "size", cJSON_CreateNumber(3758096384.0)); /* 3.5 GiB: reaches the PPB */
  cJSON_DeleteItemFromObject(p, "tcm");
  text = cJSON_Print(p);
  put_file(OUT("big-profile.json"), text);
  free(text);
  cJSON_Delete(p);
  int rc = cli_mcusim("run -q -p " OUT("big-profile.json") " " HELLO);
  ck_assert_msg(rc == 2, "exit %d: %s", rc, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "io_big-profile.json"));
}
END_TEST

/* F28: numbers on the command line: one line naming the option, exit 2. */
START_TEST(bad_numbers_name_the_option) {
  ck_assert_int_eq(cli_mcusim("bench -p cortex-m4-0ws --runs 0 " HELLO), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  ck_assert_ptr_nonnull(strstr(cli_output, "--runs"));
  ck_assert_int_eq(cli_mcusim("sweep -j 0 matrix.json"), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  ck_assert_ptr_nonnull(strstr(cli_output, "-j"));
  ck_assert_int_eq(cli_mcusim("sweep --shard 1/99999999999 --out " OUT("sweep") " matrix.json"), 2);
  ck_assert_int_eq(lines_of(cli_output), 1);
  ck_assert_ptr_nonnull(strstr(cli_output, "--shard"));
  ck_assert_int_eq(cli_mcusim("sweep --shard 4294967297/4294967298 --out " OUT("sweep") " matrix.json"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "--shard"));
}
END_TEST

/* F21: mcusim-gen exits 2 for bad input, as the README's exit codes say. */
START_TEST(gen_bad_input_exits_2) {
  ck_assert_int_eq(cli_sh(GEN_BIN " --model /nonexistent/model.json --out " OUT("gen")), 2);
  put_file(OUT("bad-model.json"), "{\"version\": 1}");
  ck_assert_int_eq(cli_sh(GEN_BIN " --model " OUT("bad-model.json") " --plan"), 2);
}
END_TEST

/* F18: a signal while the outputs are written (here: the report is a FIFO nobody reads) ends the run with exit 5
 * and leaves no temporary; it is not swallowed. A first SIGTERM during the simulation stops it (the report is
 * then written), so the test sends a second one if needed. */
START_TEST(signal_while_writing_is_honoured) {
  unlink(OUT("fifo.json"));
  ck_assert_int_eq(mkfifo(OUT("fifo.json"), 0600), 0);
  pid_t child = fork();
  if (child == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1), dup2(null, 2);
    execl(MCUSIM_BIN, MCUSIM_BIN, "run", "-q", "-p", "cortex-m4-0ws", "-r", OUT("fifo.json"), "--html",
          OUT("fifo.html"), HELLO, (char *)NULL);
    _exit(127);
  }
  int status = 0, exited = 0;
  for (int tick = 0; tick < 100 && !exited; tick++) {
    if (tick == 10 || tick == 40) kill(child, SIGTERM);
    nanosleep(&(struct timespec){0, 50000000}, NULL);
    exited = waitpid(child, &status, WNOHANG) == child;
  }
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  unlink(OUT("fifo.json"));
  ck_assert_msg(exited, "SIGTERM while writing was swallowed");
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 5, "status 0x%x", status);
  ck_assert_int_eq(cli_sh("ls -A " WORK_DIR " | grep -c '^\\.io_.*\\.tmp$'"), 1); /* grep -c finds none: exit 1 */
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("cli_io");
  TCase *tc = tcase_create("io");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, closed_stdout_keeps_the_report);
  tcase_add_test(tc, full_stdout_is_an_error);
  tcase_add_test(tc, dash_is_standard_output);
  tcase_add_test(tc, every_output_option_takes_dash);
  tcase_add_test(tc, output_equal_to_input_is_refused);
  tcase_add_test(tc, merge_output);
  tcase_add_test(tc, dev_stdout_keeps_the_order);
  tcase_add_test(tc, unwritable_report_exits_2_with_the_result);
  tcase_add_test(tc, profile_problem_exits_2);
  tcase_add_test(tc, bad_numbers_name_the_option);
  tcase_add_test(tc, gen_bad_input_exits_2);
  tcase_add_test(tc, signal_while_writing_is_honoured);
  suite_add_tcase(s, tc);
  return s;
}
