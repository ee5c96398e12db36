/* tests/explore/test_fwbuild.c — the firmware builder and runner of workloads/explore/ (fwbuild.h, fwsupport.c,
 * fwrun.c, jobpool.c): the core flags and the MEMORY block it takes from the files CMake reads are the ones CMake
 * uses; a job's run through the libraries writes the report and the log `mcusim run` writes; the pool reports
 * progress to its callback. */
#include "tests/support/check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "tests/support/cli_test.h"
#include "workloads/explore/fwbuild.h"
#include "workloads/explore/jobpool.h"

static const char *const profile_dirs[] = {PROFILES_DIR, NULL};

static void init_tools(xp_fw_tools_t *t) {
  char err[256] = "";
  unsetenv("MCUSIM_ROOT"); /* the source tree this test was built from */
  ck_assert_msg(xp_fw_tools_init(t, "/tmp", profile_dirs, err, sizeof err) == 0, "%s", err);
}

static void joined_flags(const xp_fw_core_t *c, char *buf, size_t len) {
  buf[0] = 0;
  for (int i = 0; i < c->n_flags; i++)
    snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", c->flags[i]);
}

/* ---- cores.txt ---- */

START_TEST(cores_file_gives_the_flags_cmake_uses) {
  static xp_fw_tools_t t;
  init_tools(&t);
  /* CORE_FLAGS_*: what cmake/firmware.cmake's mcusim_core_flags computed from the same file at configure time */
  static const struct {
    const char *core, *cmake;
  } expect[] = {{"m0plus", CORE_FLAGS_m0plus}, {"m3", CORE_FLAGS_m3}, {"m4", CORE_FLAGS_m4}, {"m7", CORE_FLAGS_m7}};
  ck_assert_uint_eq(t.n_cores, 4);
  for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
    const xp_fw_core_t *c = xp_fw_core(&t, expect[i].core);
    char flags[512];
    ck_assert_ptr_nonnull(c);
    joined_flags(c, flags, sizeof flags);
    ck_assert_str_eq(flags, expect[i].cmake);
  }
  ck_assert_ptr_null(xp_fw_core(&t, "m33"));
}
END_TEST

START_TEST(cores_file_format) {
  xp_fw_core_t cores[4];
  char err[256], flags[512];
  ck_assert_int_eq(xp_fw_cores_parse("# comment\n\n  m4 -a  -b\t-c \nm0plus -x\r\n", cores, 4, err, sizeof err), 2);
  ck_assert_str_eq(cores[0].name, "m4");
  joined_flags(&cores[0], flags, sizeof flags);
  ck_assert_str_eq(flags, "-a -b -c");
  joined_flags(&cores[1], flags, sizeof flags);
  ck_assert_str_eq(flags, "-x");
  ck_assert_int_eq(xp_fw_cores_parse("m4\n", cores, 4, err, sizeof err), -1);
  ck_assert_str_eq(err, "line 1: core 'm4' has no flags");
  ck_assert_int_eq(xp_fw_cores_parse("m4 1 2 3 4 5 6 7 8 9\n", cores, 4, err, sizeof err), -1);
  ck_assert_str_eq(err, "line 1: more than 8 flags");
  ck_assert_int_eq(xp_fw_cores_parse("a -x\nb -x\nc -x\n", cores, 2, err, sizeof err), -1);
  ck_assert_str_eq(err, "more than 2 cores");
}
END_TEST

/* ---- memory.ld.in ---- */

/* For a profile and the sizes of its part, the builder writes what CMake wrote for the bundled firmware. */
static void check_memory_ld(const char *profile, const char *cmake_ld) {
  static xp_fw_tools_t t;
  init_tools(&t);
  char *expected = cli_slurp(cmake_ld), path[256], msg[256];
  if (!expected) return; /* firmware not built (MCUSIM_FIRMWARE=OFF) */
  prof_t *p = NULL;
  ck_assert_int_eq(prof_load(profile, profile_dirs, &p, msg, sizeof msg), PROF_OK);
  snprintf(path, sizeof path, "%s/memory-%d.ld", WORK_DIR, (int)getpid());
  ck_assert_int_eq(xp_fw_write_memory_ld(&t, p, p->flash.size, p->sram[0].size, path), 0);
  char *got = cli_slurp(path);
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(got, expected);
  free(got);
  free(expected);
  prof_free(p);
  unlink(path);
}

START_TEST(memory_block_is_the_one_cmake_writes) {
  /* the bundled workloads name profiles as SOURCE/profiles/NAME.json, as prof_load resolves a path */
  check_memory_ld(PROFILES_DIR "/stm32f412.json", FIRMWARE_DIR "/person-det-mbv1-r96_layerwise.memory.ld");
  check_memory_ld(PROFILES_DIR "/stm32h743.json", FIRMWARE_DIR "/mbv2-w0.35-r144_patch4.memory.ld");
  check_memory_ld(PROFILES_DIR "/stm32f746.json", FIRMWARE_DIR "/mcunet-vww-r160_patch3.memory.ld");
}
END_TEST

START_TEST(memory_template_unknown_variable) {
  static xp_fw_tools_t t;
  init_tools(&t);
  snprintf(t.memory_template, sizeof t.memory_template, "ORIGIN = @MCUSIM_NOPE@\n");
  char path[256], msg[256];
  prof_t *p = NULL;
  ck_assert_int_eq(prof_load("stm32f412", profile_dirs, &p, msg, sizeof msg), PROF_OK);
  snprintf(path, sizeof path, "%s/memory-bad-%d.ld", WORK_DIR, (int)getpid());
  errno = 0;
  ck_assert_int_eq(xp_fw_write_memory_ld(&t, p, 1, 1, path), -1);
  ck_assert_int_eq(errno, EINVAL);
  prof_free(p);
  unlink(path);
}
END_TEST

/* ---- a job's run: the library against `mcusim run` ---- */

/* Removes the invocation's "cwd" line from a report's text (NULL or no such line: nothing). */
static void drop_cwd(char *text) {
  char *line = text ? strstr(text, "\n\t\t\"cwd\":") : NULL;
  char *next = line ? strchr(line + 1, '\n') : NULL;
  if (next) memmove(line, next, strlen(next) + 1);
}

/* Runs ELF on PROFILE both ways, in DIR/lib and DIR/cli (same relative report and log names, so the logs can be
 * compared byte for byte), and checks the status, the report and the log are the same. */
static void run_both_ways(const char *name, const char *profile, const char *elf, int expected_status) {
  static xp_fw_tools_t t;
  init_tools(&t);
  char dir[512], cmd[2048], cwd[512];
  ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
  snprintf(dir, sizeof dir, "%s/fwrun_%s", WORK_DIR, name);
  snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s/lib %s/cli", dir, dir, dir);
  ck_assert_int_eq(cli_sh(cmd), 0);

  ck_assert_int_eq(chdir(dir), 0);
  ck_assert_int_eq(chdir("lib"), 0);
  const int status = xp_fw_run(&t, profile, elf, "report.json", "run.log");
  ck_assert_int_eq(chdir("../cli"), 0);
  unsetenv("MCUSIM_PROFILES");
  snprintf(cmd, sizeof cmd, "%s run --quiet --profile %s --report report.json %s >> run.log 2>&1", MCUSIM_BIN, profile,
           elf);
  const int code = cli_sh(cmd);
  ck_assert_int_eq(chdir(cwd), 0);

  ck_assert_int_eq(status, expected_status);
  ck_assert_int_eq(code, expected_status);
  const char *const files[] = {"run.log", "report.json"};
  for (size_t i = 0; i < 2; i++) {
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/lib/%s", dir, files[i]);
    snprintf(b, sizeof b, "%s/cli/%s", dir, files[i]);
    char *lib = cli_slurp(a), *cli = cli_slurp(b);
    ck_assert_msg((lib == NULL) == (cli == NULL), "%s: written by one way only", files[i]);
    /* both record how `mcusim run` was called (issue 19: docs/report.md "Invocation", so `mcusim rerun` repeats a
     * sweep job): the same but for the folder each ran in */
    drop_cwd(lib);
    drop_cwd(cli);
    if (lib) ck_assert_msg(!strcmp(lib, cli), "%s differs:\n--- library\n%s\n--- mcusim run\n%s", files[i], lib, cli);
    free(lib);
    free(cli);
  }
}

START_TEST(worker_run_writes_what_mcusim_run_writes) {
  if (access(TEST_FIRMWARE_DIR "/hello.elf", R_OK)) return;
  run_both_ways("exit3", "cortex-m4-0ws", TEST_FIRMWARE_DIR "/hello.elf", XP_FW_FIRMWARE_FAILED);
  run_both_ways("fault", "cortex-m4-0ws", TEST_FIRMWARE_DIR "/fault_unmapped_read.elf", XP_FW_FAULT);
  run_both_ways("m0", "cortex-m0plus-0ws", TEST_FIRMWARE_DIR "/ubench_m0plus.elf", XP_FW_OK);
  run_both_ways("no_profile", "nosuch", TEST_FIRMWARE_DIR "/hello.elf", XP_FW_BAD_INPUT);
  run_both_ways("no_elf", "cortex-m4-0ws", "/nonexistent/fw.elf", XP_FW_BAD_INPUT);
}
END_TEST

/* ---- the job pool ---- */

typedef struct {
  xp_pool_progress_t seen[16];
  int n;
} progress_log_t;

static void record(void *opaque, const xp_pool_progress_t *p) {
  progress_log_t *log = opaque;
  if (log->n < 16) log->seen[log->n++] = *p;
}

static int odd_fails(void *ctx, size_t index) {
  (void)ctx;
  return (int)(index % 2);
}

/* ---- the per-core runtime objects ---- */

/* An object older than the runtime sources is stale (a runtime change must reach search and sweep firmware); an
 * object newer than them is reused. */
START_TEST(runtime_objects_are_rebuilt_when_older_than_their_sources) {
  xp_fw_tools_t t;
  char err[256] = "", obj[XP_FW_PATH_MAX + 64];
  init_tools(&t);
  snprintf(t.work, sizeof t.work, "%s/rt_objects", WORK_DIR);
  ck_assert_int_eq(cli_sh("rm -rf " WORK_DIR "/rt_objects"), 0);
  const char *cores[] = {"m4"};
  ck_assert_msg(xp_fw_prepare_cores(&t, cores, 1, 2, err, sizeof err) == 0, "%s", err);
  snprintf(obj, sizeof obj, "%s/rt-m4/rt_kernels.o", t.work);
  struct stat st;
  ck_assert_int_eq(stat(obj, &st), 0);
  struct timespec old[2] = {{.tv_sec = 1}, {.tv_sec = 1}}; /* 1970: older than any source */
  ck_assert_int_eq(utimensat(AT_FDCWD, obj, old, 0), 0);
  ck_assert_msg(xp_fw_prepare_cores(&t, cores, 1, 2, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(stat(obj, &st), 0);
  ck_assert_msg(st.st_mtime > 1, "a stale runtime object was reused");
  time_t built = st.st_mtime;
  struct timespec future[2] = {{.tv_sec = built + 3600}, {.tv_sec = built + 3600}};
  ck_assert_int_eq(utimensat(AT_FDCWD, obj, future, 0), 0);
  ck_assert_msg(xp_fw_prepare_cores(&t, cores, 1, 2, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(stat(obj, &st), 0);
  ck_assert_int_eq(st.st_mtime, built + 3600); /* up to date: not compiled again */
}
END_TEST

START_TEST(pool_reports_progress_to_its_callback) {
  progress_log_t log = {.n = 0};
  xp_pool_opts_t o = {.parallel = 2, .progress = record, .progress_opaque = &log};
  ck_assert_int_eq(xp_pool_run(&o, 5, NULL, odd_fails, NULL, NULL), 2);
  ck_assert_int_eq(log.n, 6); /* the start, then one per job */
  ck_assert_uint_eq(log.seen[0].done, 0);
  for (int i = 0; i < log.n; i++) {
    ck_assert_uint_eq(log.seen[i].done, (size_t)i);
    ck_assert_uint_eq(log.seen[i].total, 5);
    ck_assert_uint_le(log.seen[i].running, 2);
  }
  ck_assert_uint_eq(log.seen[5].failed, 2);
  ck_assert_uint_eq(log.seen[5].running, 0);
  o.progress = NULL; /* quiet */
  ck_assert_int_eq(xp_pool_run(&o, 3, NULL, odd_fails, NULL, NULL), 1);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("explore_fw");
  TCase *tc = tcase_create("explore_fw");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, cores_file_gives_the_flags_cmake_uses);
  tcase_add_test(tc, cores_file_format);
  tcase_add_test(tc, memory_block_is_the_one_cmake_writes);
  tcase_add_test(tc, memory_template_unknown_variable);
  tcase_add_test(tc, worker_run_writes_what_mcusim_run_writes);
  tcase_add_test(tc, runtime_objects_are_rebuilt_when_older_than_their_sources);
  tcase_add_test(tc, pool_reports_progress_to_its_callback);
  suite_add_tcase(s, tc);
  return s;
}
