/* tests/common/test_cm.c — common/: one-line messages, bounded reading, escaping, and the one output writer
 * (cm_out_*, cm_write_file; issue 21: F8, F13, F14, F18, F27, F36): regular files replaced atomically through an
 * unpredictable O_EXCL|O_NOFOLLOW temporary, symlinks resolved to their target, devices and FIFOs written in place,
 * "-" as standard output, temporaries removed by a signal handler, same-file tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cm.h"
#include "tests/support/check_main.h"

START_TEST(messages_stay_on_one_line_and_are_bounded) {
  char msg[16];
  cm_msgf(msg, sizeof msg, "%s: %d", "a\nb\rc\td", 42);
  ck_assert_str_eq(msg, "a b c d: 42");
  cm_msgf(msg, sizeof msg, "%s", "0123456789abcdefghij");
  ck_assert_str_eq(msg, "0123456789abcde");
  ck_assert_ptr_null(cm_msgf(NULL, 10, "x"));
}
END_TEST

static char work[] = "/tmp/mcusim_test_cm_XXXXXX";

static void path_in_work(char *buf, size_t size, const char *name) { snprintf(buf, size, "%s/%s", work, name); }

START_TEST(read_is_bounded_and_names_the_reason) {
  char path[256];
  path_in_work(path, sizeof path, "f.txt");
  ck_assert_int_eq(cm_write_file(path, "hello\n", 6), 0);
  size_t len = 0;
  char *text = cm_read_file(path, 6, &len);
  ck_assert_ptr_nonnull(text);
  ck_assert_str_eq(text, "hello\n");
  ck_assert_uint_eq(len, 6);
  free(text);
  errno = 0;
  ck_assert_ptr_null(cm_read_file(path, 5, NULL));
  ck_assert_int_eq(errno, EFBIG);
  ck_assert_ptr_null(cm_read_file(work, 100, NULL));
  ck_assert_int_eq(errno, EISDIR);
  path_in_work(path, sizeof path, "missing");
  ck_assert_ptr_null(cm_read_file(path, 100, NULL));
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(atomic_write_replaces_whole_and_leaves_no_temp) {
  char path[256];
  path_in_work(path, sizeof path, "g.txt");
  ck_assert_int_eq(cm_write_file(path, "first version", 13), 0);
  ck_assert_int_eq(cm_write_file(path, "2nd", 3), 0);
  char *text = cm_read_file(path, 1 << 20, NULL);
  ck_assert_str_eq(text, "2nd");
  free(text);
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  ck_assert_int_ne(access(tmp, F_OK), 0);
  path_in_work(path, sizeof path, "no/such/dir/x");
  ck_assert_int_eq(cm_write_file(path, "x", 1), -1);
}
END_TEST

static char out[512];
static size_t out_len;
static void put(void *opaque, const char *bytes, size_t len) {
  (void)opaque;
  memcpy(out + out_len, bytes, len);
  out_len += len;
  out[out_len] = '\0';
}
static const char *esc(cm_esc_t sink, const char *text) {
  out_len = 0;
  out[0] = '\0';
  cm_escape(sink, text, put, NULL);
  return out;
}

START_TEST(escaping_per_sink) {
  ck_assert_str_eq(esc(CM_ESC_HTML, "a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  ck_assert_str_eq(esc(CM_ESC_XML, "x<\x01y\n'"), "x&lt;y\n'");
  ck_assert_str_eq(esc(CM_ESC_CSV, "plain"), "plain");
  ck_assert_str_eq(esc(CM_ESC_CSV, "patch:n=2,blocks=4"), "\"patch:n=2,blocks=4\"");
  ck_assert_str_eq(esc(CM_ESC_CSV, "say \"hi\""), "\"say \"\"hi\"\"\"");
  ck_assert_str_eq(esc(CM_ESC_GH_DATA, "50%\nx:y,z"), "50%25%0Ax:y,z");
  ck_assert_str_eq(esc(CM_ESC_GH_PROPERTY, "50%\nx:y,z"), "50%25%0Ax%3Ay%2Cz");
  ck_assert_str_eq(esc(CM_ESC_C_STRING, "a\"b\\c*/\n"), "\"a\\\"b\\\\c*/\\012\"");
  ck_assert_str_eq(esc(CM_ESC_HTML, ""), "");
}
END_TEST

static const char *in_work(const char *name) {
  static char buf[4][512];
  static int k;
  char *p = buf[k++ % 4];
  snprintf(p, 512, "%s/%s", work, name);
  return p;
}

static char *slurp_file(const char *path) {
  char *text = cm_read_file(path, 1 << 20, NULL);
  ck_assert_msg(text != NULL, "%s: %s", path, strerror(errno));
  return text;
}

static void put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* Hidden entries of the work folder: leftover temporaries (.NAME.XXXXXXXXXXXX.tmp). */
static int temps_in_work(void) {
  DIR *d = opendir(work);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return n;
}

START_TEST(regular_file_replaced_whole_keeping_its_mode) {
  const char *path = in_work("r.txt");
  ck_assert_int_eq(cm_write_file(path, "first version", 13), 0);
  ck_assert_int_eq(chmod(path, 0640), 0);
  ck_assert_int_eq(cm_write_file(path, "2nd", 3), 0);
  char *text = slurp_file(path);
  ck_assert_str_eq(text, "2nd");
  free(text);
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0640);
  ck_assert_int_eq(temps_in_work(), 0);
  ck_assert_int_eq(cm_write_file(in_work("no/such/dir/x"), "x", 1), -1);
  ck_assert_int_eq(errno, ENOENT);
  ck_assert_int_eq(cm_write_file(work, "x", 1), -1);
  ck_assert_int_eq(errno, EISDIR);
}
END_TEST

/* F36: the old temporary was PATH.tmp.PID, opened following symlinks: a planted link redirected the write. */
START_TEST(planted_link_at_the_old_temp_name_is_not_followed) {
  const char *path = in_work("p.json"), *victim = in_work("victim");
  put_file(victim, "keep me");
  char planted[600];
  snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
  ck_assert_int_eq(symlink(victim, planted), 0);
  ck_assert_int_eq(cm_write_file(path, "report", 6), 0);
  char *text = slurp_file(victim);
  ck_assert_str_eq(text, "keep me");
  free(text);
  unlink(planted);
  unlink(victim);
  unlink(path);
}
END_TEST

/* F8: a symlink is resolved and its target written; the link stays a link. */
START_TEST(symlink_target_written_not_the_link_replaced) {
  const char *target = in_work("target.json"), *link = in_work("link.json"), *dangling = in_work("dangling.json");
  put_file(target, "old");
  ck_assert_int_eq(symlink("target.json", link), 0);
  ck_assert_int_eq(cm_write_file(link, "new", 3), 0);
  struct stat st;
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert(S_ISLNK(st.st_mode));
  char *text = slurp_file(target);
  ck_assert_str_eq(text, "new");
  free(text);
  /* a dangling link: its target is created */
  ck_assert_int_eq(symlink("created.json", dangling), 0);
  ck_assert_int_eq(cm_write_file(dangling, "made", 4), 0);
  ck_assert_int_eq(lstat(dangling, &st), 0);
  ck_assert(S_ISLNK(st.st_mode));
  text = slurp_file(in_work("created.json"));
  ck_assert_str_eq(text, "made");
  free(text);
  unlink(target), unlink(link), unlink(dangling), unlink(in_work("created.json"));
}
END_TEST

/* F8: a character device is written in place, never renamed over (/dev/null stays a device). */
START_TEST(device_written_in_place) {
  ck_assert_int_eq(cm_write_file("/dev/null", "x", 1), 0);
  struct stat st;
  ck_assert_int_eq(stat("/dev/null", &st), 0);
  ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

/* F8: a FIFO's reader gets the bytes (the old writer renamed a regular file over the FIFO). */
START_TEST(fifo_reader_gets_the_bytes) {
  const char *fifo = in_work("fifo");
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  pid_t child = fork();
  if (child == 0) _exit(cm_write_file(fifo, "through the pipe", 16) ? 1 : 0);
  int fd = open(fifo, O_RDONLY);
  char buf[64] = {0};
  size_t got = 0;
  for (ssize_t n; (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0;) got += (size_t)n;
  close(fd);
  int status;
  waitpid(child, &status, 0);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert_str_eq(buf, "through the pipe");
  struct stat st;
  ck_assert_int_eq(lstat(fifo, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  unlink(fifo);
}
END_TEST

/* "-" is standard output (the fd set by cm_out_set_stdout_fd, 1 by default), and /dev/stdout the same fd;
 * no file named "-" appears. */
START_TEST(dash_is_standard_output) {
  const char *captured = in_work("captured");
  int fd = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  int saved = dup(1);
  ck_assert_int_eq(dup2(fd, 1), 1);
  int rc1 = cm_write_file("-", "to stdout\n", 10);
  int rc2 = cm_write_file("/dev/stdout", "again\n", 6);
  dup2(saved, 1);
  close(saved);
  ck_assert_int_eq(rc1, 0);
  ck_assert_int_eq(rc2, 0);
  cm_out_set_stdout_fd(fd);
  int rc3 = cm_write_file("-", "set fd\n", 7);
  cm_out_set_stdout_fd(1);
  close(fd);
  ck_assert_int_eq(rc3, 0);
  char *text = slurp_file(captured);
  ck_assert_str_eq(text, "to stdout\nagain\nset fd\n");
  free(text);
  ck_assert_int_ne(access("-", F_OK), 0);
  unlink(captured);
}
END_TEST

/* A write error on standard output is returned (F13: a full disk behind stdout). */
START_TEST(dash_write_error_is_returned) {
  int fd = open("/dev/full", O_WRONLY);
  if (fd < 0) return;
  cm_out_set_stdout_fd(fd);
  int rc = cm_write_file("-", "x", 1);
  int err = errno;
  cm_out_set_stdout_fd(1);
  close(fd);
  ck_assert_int_eq(rc, -1);
  ck_assert_int_eq(err, ENOSPC);
}
END_TEST

/* Streaming: nothing is visible before close; abort and a signal handler's cm_out_remove_temps leave no
 * temporary and the old content (F14, F18). */
static void remove_and_exit(int signo) {
  cm_out_remove_temps();
  _exit(128 + signo);
}

START_TEST(stream_commits_on_close_and_temps_go_on_abort_or_signal) {
  const char *path = in_work("s.csv");
  put_file(path, "old");
  cm_out_t *o = cm_out_open(path);
  ck_assert_ptr_nonnull(o);
  fputs("half", cm_out_file(o));
  fflush(cm_out_file(o));
  char *text = slurp_file(path);
  ck_assert_str_eq(text, "old");
  free(text);
  ck_assert_int_eq(temps_in_work(), 1);
  cm_out_abort(o);
  ck_assert_int_eq(temps_in_work(), 0);

  pid_t child = fork();
  if (child == 0) {
    signal(SIGTERM, remove_and_exit);
    cm_out_t *c = cm_out_open(path);
    fputs("half", cm_out_file(c));
    fflush(cm_out_file(c));
    raise(SIGTERM);
    _exit(0);
  }
  int status;
  waitpid(child, &status, 0);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);
  ck_assert_int_eq(temps_in_work(), 0);
  text = slurp_file(path);
  ck_assert_str_eq(text, "old");
  free(text);

  o = cm_out_open(path);
  fputs("whole", cm_out_file(o));
  ck_assert_int_eq(cm_out_close(o), 0);
  text = slurp_file(path);
  ck_assert_str_eq(text, "whole");
  free(text);
  unlink(path);
}
END_TEST

/* F27: the same file by device and inode, not by name. */
START_TEST(same_file_by_inode) {
  const char *a = in_work("a.elf"), *link = in_work("a-link");
  put_file(a, "elf");
  ck_assert_int_eq(symlink("a.elf", link), 0);
  ck_assert_int_eq(cm_same_file(a, link), 1);
  char dotted[600];
  snprintf(dotted, sizeof dotted, "%s/./a.elf", work);
  ck_assert_int_eq(cm_same_file(dotted, a), 1);
  ck_assert_int_eq(cm_same_file(a, in_work("missing")), 0);
  ck_assert_int_eq(cm_same_file(in_work("missing"), in_work("missing")), 0);
  ck_assert_int_eq(cm_same_file("-", a), 0);
  unlink(link), unlink(a);
}
END_TEST

static void make_work(void) { ck_assert_ptr_nonnull(mkdtemp(work)); }
static void remove_work(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", work);
  ck_assert_int_eq(system(cmd), 0);
}

Suite *test_suite(void) {
  Suite *s = suite_create("common");
  TCase *tc = tcase_create("cm");
  tcase_add_unchecked_fixture(tc, make_work, remove_work);
  tcase_add_test(tc, messages_stay_on_one_line_and_are_bounded);
  tcase_add_test(tc, read_is_bounded_and_names_the_reason);
  tcase_add_test(tc, atomic_write_replaces_whole_and_leaves_no_temp);
  tcase_add_test(tc, escaping_per_sink);
  tcase_add_test(tc, regular_file_replaced_whole_keeping_its_mode);
  tcase_add_test(tc, planted_link_at_the_old_temp_name_is_not_followed);
  tcase_add_test(tc, symlink_target_written_not_the_link_replaced);
  tcase_add_test(tc, device_written_in_place);
  tcase_add_test(tc, fifo_reader_gets_the_bytes);
  tcase_add_test(tc, dash_is_standard_output);
  tcase_add_test(tc, dash_write_error_is_returned);
  tcase_add_test(tc, stream_commits_on_close_and_temps_go_on_abort_or_signal);
  tcase_add_test(tc, same_file_by_inode);
  suite_add_tcase(s, tc);
  return s;
}
