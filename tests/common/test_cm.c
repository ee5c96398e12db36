/* tests/common/test_cm.c — common/: one-line messages, bounded reading, atomic writing, escaping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
  ck_assert_int_eq(cm_write_atomic(path, "hello\n", 6), 0);
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
  ck_assert_int_eq(cm_write_atomic(path, "first version", 13), 0);
  ck_assert_int_eq(cm_write_atomic(path, "2nd", 3), 0);
  char *text = cm_read_file(path, 1 << 20, NULL);
  ck_assert_str_eq(text, "2nd");
  free(text);
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  ck_assert_int_ne(access(tmp, F_OK), 0);
  path_in_work(path, sizeof path, "no/such/dir/x");
  ck_assert_int_eq(cm_write_atomic(path, "x", 1), -1);
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
  suite_add_tcase(s, tc);
  return s;
}
