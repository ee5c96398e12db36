/* tests/cli/test_analyze_cli.c — `mcusim analyze` the way a user runs it: --help, bad input in one line with exit 2,
 * the verdict as JSON on standard output validated against docs/analyze.schema.json (Debian's python3-jsonschema),
 * the HTML page, and a part the model does not fit (exit 1, and by how much). Small models written here, so the
 * whole test builds and simulates a handful of small firmware. */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/cli_test.h"

#define MODEL WORK_DIR "/tiny-cli.json"
#define PROFILE_8K WORK_DIR "/f412-8k.json"

/* 32x32 RGB with a 16x16 / 8x8 prefix: patch schedules exist, firmware builds and runs in seconds. */
static const char tiny_model[] =
    "{\"version\": 1, \"name\": \"tiny-cli\", \"description\": \"analyze CLI test model\",\n"
    " \"input\": {\"h\": 32, \"w\": 32, \"c\": 3},\n"
    " \"blocks\": [{\"type\": \"conv\", \"name\": \"stem\", \"k\": 3, \"stride\": 2, \"out\": 8},\n"
    "            {\"type\": \"dwsep\", \"name\": \"b1\", \"k\": 3, \"stride\": 1, \"out\": 16},\n"
    "            {\"type\": \"dwsep\", \"name\": \"b2\", \"k\": 3, \"stride\": 2, \"out\": 24},\n"
    "            {\"type\": \"avgpool\", \"name\": \"pool\"}, {\"type\": \"fc\", \"name\": \"classifier\", \"out\": "
    "2}]}\n";

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

static void setup(void) {
  ck_assert_int_eq(cli_sh("mkdir -p " WORK_DIR), 0);
  write_file(MODEL, tiny_model);
  /* the F412 with 8 KiB of SRAM: the firmware's static data alone is over it */
  ck_assert_int_eq(
      cli_sh("sed 's/\"size\": 262144/\"size\": 8192/; s/\"name\": \"stm32f412\"/\"name\": \"f412-8k\"/' " PROFILES_DIR
             "/stm32f412.json > " PROFILE_8K),
      0);
}

/* Exactly one line of output, starting "mcusim: " and containing `what`. */
static void one_line_naming(const char *what) {
  ck_assert_msg(!strncmp(cli_output, "mcusim: ", 8), "%s", cli_output);
  ck_assert_msg(strstr(cli_output, what), "no '%s' in: %s", what, cli_output);
  const char *nl = strchr(cli_output, '\n');
  ck_assert_msg(nl && !nl[1], "more than one line: %s", cli_output);
}

START_TEST(help_and_usage) {
  ck_assert_int_eq(cli_mcusim("analyze --help"), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "usage: mcusim analyze MODEL"));
  ck_assert_int_eq(cli_mcusim("analyze"), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "analyze needs exactly one model"));
  ck_assert_int_eq(cli_mcusim("analyze " MODEL), 2);
  ck_assert_ptr_nonnull(strstr(cli_output, "analyze needs --profile"));
  ck_assert_int_eq(cli_mcusim("analyze " MODEL " --profile stm32f412 -j 0"), 2);
  ck_assert_int_eq(cli_mcusim("help"), 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "  analyze "));
}
END_TEST

START_TEST(bad_input_is_one_line_and_exit_2) {
  ck_assert_int_eq(cli_mcusim("analyze " WORK_DIR "/no-such.json --profile stm32f412 --out " WORK_DIR "/bad"), 2);
  one_line_naming(WORK_DIR "/no-such.json");
  ck_assert_int_eq(cli_mcusim("analyze " MODEL " --profile no-such-part --out " WORK_DIR "/bad"), 2);
  one_line_naming("no-such-part");
  /* not JSON (cut short) */
  write_file(WORK_DIR "/broken.json", "{\"version\": 1, \"name\": \"t\", \"input\": {\"h\": 8, \"w\": 8, \"c\": 3},\n"
                                      " \"blocks\": [{\"type\": \"conv\", \"name\": \"stem\", \"k\": 3, \"stride\": 2, "
                                      "\"out\": 4}");
  ck_assert_int_eq(cli_mcusim("analyze " WORK_DIR "/broken.json --profile stm32f412 --out " WORK_DIR "/bad"), 2);
  one_line_naming("broken.json");
  /* an output that is the input is refused before anything runs */
  ck_assert_int_eq(cli_mcusim("analyze " MODEL " --profile stm32f412 --json " MODEL), 2);
  one_line_naming("same file");
}
END_TEST

/* --json - : the verdict alone on standard output (the text block on stderr), valid against the schema. */
START_TEST(json_to_stdout_validates) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "{ %s analyze " MODEL " --profile stm32f412 -j 2 --top 1 --out " WORK_DIR
           "/fits --quiet --json - --html " WORK_DIR "/fits.html > " WORK_DIR "/fits.json 2> " WORK_DIR "/fits.txt; }",
           MCUSIM_BIN);
  int rc = cli_sh(cmd);
  char *text = cli_slurp(WORK_DIR "/fits.txt");
  ck_assert_msg(rc == 0, "exit %d: %s", rc, text ? text : "");
  ck_assert_ptr_nonnull(strstr(text, "mcusim analyze: tiny-cli on stm32f412"));
  ck_assert_ptr_nonnull(strstr(text, "verdict       FITS layer-wise (layerwise)"));
  ck_assert_ptr_nonnull(strstr(text, "outputs       identical: checksum 0x"));
  free(text);
  cJSON *v = cli_read_json(WORK_DIR "/fits.json");
  ck_assert_str_eq(cli_str(v, "schema"), "mcusim-analyze/1");
  ck_assert_str_eq(cli_str(v, "verdict"), "fits");
  ck_assert_str_eq(cli_str(v, "layerwise.status"), "ok");
  cJSON_Delete(v);
  char *html = cli_slurp(WORK_DIR "/fits.html");
  ck_assert_ptr_nonnull(html);
  ck_assert_ptr_nonnull(strstr(html, "<title>mcusim analyze: tiny-cli</title>"));
  ck_assert_ptr_null(strstr(html, "<script"));
  free(html);
  rc = cli_sh("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null");
  if (rc) {
    fprintf(stderr, "python3-jsonschema not installed: schema validation skipped (scripts/setup.sh installs it)\n");
    return;
  }
  rc = cli_sh("/usr/bin/python3 -c 'import json, sys, jsonschema\n"
              "schema = json.load(open(sys.argv[1]))\n"
              "jsonschema.Draft202012Validator.check_schema(schema)\n"
              "jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))\n"
              "print(\"valid\")' " SCHEMA " " WORK_DIR "/fits.json");
  ck_assert_msg(rc == 0, "%s", cli_output);
}
END_TEST

/* A general graph from a .tflite (issue 16): the DS-CNN keyword-spotting model written by the project's writer
 * (workloads/gen/gen_tiny.c) gets a verdict on the F412, its patch schedules (prefixes of its layers) simulated, and
 * every firmware computing the same output. */
START_TEST(tflite_graph_gets_a_verdict) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "{ %s analyze " TINY_DIR "/kws-dscnn-49x10.tflite --profile stm32f412 -j 2 --out " WORK_DIR
           "/kws --quiet --json " WORK_DIR "/kws.json > " WORK_DIR "/kws.txt 2>&1; }",
           MCUSIM_BIN);
  int rc = cli_sh(cmd);
  char *text = cli_slurp(WORK_DIR "/kws.txt");
  ck_assert_msg(rc == 0, "exit %d: %s", rc, text ? text : "");
  ck_assert_ptr_nonnull(strstr(text, "mcusim analyze: kws-dscnn-49x10 on stm32f412"));
  ck_assert_ptr_nonnull(strstr(text, "verdict       FITS"));
  ck_assert_msg(strstr(text, "outputs       identical: checksum 0x"), "%s", text);
  free(text);
  cJSON *v = cli_read_json(WORK_DIR "/kws.json");
  ck_assert_str_eq(cli_str(v, "verdict"), "fits");
  cJSON_Delete(v);
  /* the patch schedules were simulated: one candidate folder per schedule beside the layer-wise one */
  ck_assert_int_eq(cli_sh("ls -d " WORK_DIR "/kws/candidates/*patch* > /dev/null"), 0);
}
END_TEST

/* The verdict is printed, the output that cannot be written named in one line, exit 2. */
START_TEST(unwritable_output_is_exit_2) {
  int rc = cli_mcusim("analyze " MODEL " --profile stm32f412 -j 2 --top 0 --out " WORK_DIR
                      "/fits --quiet --html " WORK_DIR "/no-such-dir/page.html");
  ck_assert_msg(rc == 2, "exit %d:\n%s", rc, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "verdict       FITS"));
  ck_assert_ptr_nonnull(strstr(cli_output, "mcusim: " WORK_DIR "/no-such-dir/page.html: cannot write the page: "));
}
END_TEST

/* Ctrl-C while the jobs run: they are ended, no verdict, exit 5, nothing left running in the work folder. */
START_TEST(interrupt_ends_the_jobs_and_exits_5) {
  int rc = cli_sh("exec 2>&1; rm -rf " WORK_DIR "/int; " MCUSIM_BIN " analyze " MODEL
                  " --profile stm32f412 -j 1 --top 8 --out " WORK_DIR "/int --quiet & pid=$!; "
                  "while [ ! -d " WORK_DIR
                  "/int/candidates ] && kill -0 $pid; do sleep 0.05; done; kill -INT $pid; wait $pid; rc=$?; "
                  "sleep 0.5; pgrep -f '[a]nalyze/int/candidates/[0-9]' > /dev/null && exit 99; exit $rc");
  ck_assert_msg(rc == 5, "exit %d:\n%s", rc, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "mcusim: interrupted: no verdict"));
}
END_TEST

START_TEST(does_not_fit_says_by_how_much) {
  int rc = cli_mcusim("analyze " MODEL " --profile " PROFILE_8K " -j 2 --top 1 --out " WORK_DIR
                      "/nofit --quiet --json " WORK_DIR "/nofit.json");
  ck_assert_msg(rc == 1, "exit %d:\n%s", rc, cli_output);
  cJSON *v = cli_read_json(WORK_DIR "/nofit.json");
  ck_assert_str_eq(cli_str(v, "verdict"), "does_not_fit");
  char line[160];
  const double over = cli_num(v, "patch.sram_over_bytes");
  ck_assert_double_gt(over, 0);
  snprintf(line, sizeof line, "DOES NOT FIT: SRAM over by %d,%03d B even patch-based (%s)", (int)over / 1000,
           (int)over % 1000, cli_str(v, "patch.schedule"));
  if (over < 1000) snprintf(line, sizeof line, "DOES NOT FIT: SRAM over by %d B even patch-based", (int)over);
  ck_assert_msg(strstr(cli_output, line), "no '%s' in:\n%s", line, cli_output);
  cJSON_Delete(v);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("analyze_cli");
  TCase *tc = tcase_create("cli");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, help_and_usage);
  tcase_add_test(tc, bad_input_is_one_line_and_exit_2);
  /* the rest builds firmware: not without the cross compiler (-DMCUSIM_FIRMWARE=OFF hosts) */
  if (system("command -v arm-none-eabi-gcc > /dev/null 2>&1") == 0) {
    tcase_add_test(tc, json_to_stdout_validates);
    tcase_add_test(tc, unwritable_output_is_exit_2);
    tcase_add_test(tc, interrupt_ends_the_jobs_and_exits_5);
    tcase_add_test(tc, does_not_fit_says_by_how_much);
    tcase_add_test(tc, tflite_graph_gets_a_verdict);
  } else
    fprintf(stderr, "arm-none-eabi-gcc not found: the analyses that build firmware are skipped\n");
  suite_add_tcase(s, tc);
  return s;
}
