/* tests/cli/test_search_cli.c — `mcusim search`, `sweep` and `merge` the way a user runs them, on the
 * person-detection model and the STM32F412 (small: well under a minute on 2 cores). */
#include "tests/support/check_main.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/cli_test.h"

/* Runs the command (a format with two %s) with stdout and stderr captured into cli_output; returns the exit code. */
static int sh(const char *fmt, const char *a, const char *b) {
  char cmd[8192];
  snprintf(cmd, sizeof cmd, fmt, a, b);
  return cli_sh(cmd);
}

#define MODEL MODELS_DIR "/person-det-mbv1-r96.json"
#define OUT WORK_DIR "/search_out"

/* The layer-wise peak of the model on the F412 as the committed baseline has it (it moves with the runtime; the
 * baseline moves with it): the search builds the same firmware, so it must find the same figure. */
static double layerwise_peak_bytes(void) {
  cJSON *base = cli_read_json(BASELINES_DIR "/person-det-mbv1-r96_layerwise.json");
  double peak = cli_num(base, "memory.peak_bytes");
  cJSON_Delete(base);
  return peak;
}

/* A budget of 50,000 B rules out layer-wise (about 65 KB): the search must pick a patch schedule under it. */
START_TEST(search_fits_a_budget_and_writes_a_schedule_file) {
  int rc = sh("rm -rf " OUT " && %s search %s --profile stm32f412 --sram-budget 50000 --input flash -j 2 --out " OUT
              " --quiet",
              MCUSIM_BIN, MODEL);
  ck_assert_msg(rc == 0, "exit %d:\n%s", rc, cli_output);
  char line[96];
  double peak = layerwise_peak_bytes();
  ck_assert(peak > 50000);
  snprintf(line, sizeof line, "layer-wise (layerwise): peak %d,%03d B: fits", (int)peak / 1000, (int)peak % 1000);
  ck_assert_msg(strstr(cli_output, line), "no '%s' in:\n%s", line, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "chosen: patch:n="));
  cJSON *s = cli_read_json(OUT "/search.json");
  const cJSON *chosen = cJSON_GetObjectItem(s, "chosen");
  ck_assert(cJSON_IsString(chosen));
  const cJSON *c;
  int simulated = 0, found = 0;
  double best_cycles = 0;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(s, "candidates")) {
    if (!cJSON_IsTrue(cJSON_GetObjectItem(c, "simulated"))) continue;
    simulated++;
    const char *status = cJSON_GetObjectItem(c, "status")->valuestring;
    ck_assert_str_eq(status, "ok"); /* every firmware's cli_output equals the native run */
    if (!strcmp(cJSON_GetObjectItem(c, "schedule")->valuestring, chosen->valuestring)) {
      found = 1;
      best_cycles = cli_num(c, "cycles");
      ck_assert_double_le(cli_num(c, "peak_bytes"), 50000);
      /* the plan's live arena equals the simulated arena peak */
      ck_assert_double_eq(cli_num(c, "plan_arena_bytes"), cli_num(c, "arena_peak_bytes"));
    }
  }
  ck_assert(found);
  ck_assert_int_ge(simulated, 3);
  /* nothing within the budget is faster */
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(s, "candidates")) {
    if (cJSON_IsTrue(cJSON_GetObjectItem(c, "simulated")) && cli_num(c, "peak_bytes") <= 50000)
      ck_assert_double_ge(cli_num(c, "cycles"), best_cycles);
  }
  cJSON *f = cli_read_json(OUT "/schedule.json");
  ck_assert_double_eq(cli_num(f, "version"), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(f, "schedule")->valuestring, chosen->valuestring);
  cJSON_Delete(f);
  cJSON_Delete(s);
  /* the generator accepts it */
  rc = sh("%s --model %s --schedule-file " OUT "/schedule.json --plan", GEN_BIN, MODEL);
  ck_assert_msg(rc == 0, "mcusim-gen --schedule-file: exit %d:\n%s", rc, cli_output);
  rc = sh("%s --model %s --schedule-file " MODELS_DIR "/mcunet-vww-r160.json --plan", GEN_BIN, MODEL);
  ck_assert_int_ne(rc, 0);
}
END_TEST

#define SWEEP WORK_DIR "/sweep_out"

START_TEST(sweep_in_two_shards_then_merge) {
  FILE *m = fopen(WORK_DIR "/matrix.json", "w");
  ck_assert_ptr_nonnull(m);
  fputs("{\"version\": 1, \"models\": [\"" MODEL "\"], \"schedules\": [\"layerwise\", \"patch:n=2,blocks=4\","
        " \"patch:n=3,blocks=3\"], \"profiles\": [\"stm32f412\"]}\n",
        m);
  fclose(m);
  int rc = sh("rm -rf " SWEEP "1 " SWEEP "2 && %s sweep " WORK_DIR "/matrix.json --shard 1/2 -j 2 --out " SWEEP "1%s",
              MCUSIM_BIN, "");
  ck_assert_msg(rc == 0, "exit %d:\n%s", rc, cli_output);
  ck_assert_ptr_nonnull(strstr(cli_output, "sweep: 2 of 3 jobs (shard 1/2)"));
  ck_assert_ptr_nonnull(strstr(cli_output, "sweep: 2/2 done"));
  /* one shard alone: the merged table names the missing job and exits 1 */
  rc = sh("%s merge " SWEEP "1 --format csv -o " WORK_DIR "/part.csv%s", MCUSIM_BIN, "");
  ck_assert_int_eq(rc, 1);
  ck_assert_ptr_nonnull(strstr(cli_output, "merge: 2 of 3 jobs from 1 manifests; 1 missing"));
  rc = sh("%s sweep " WORK_DIR "/matrix.json --shard 2/2 -j 1 --out " SWEEP "2%s", MCUSIM_BIN, "");
  ck_assert_msg(rc == 0, "exit %d:\n%s", rc, cli_output);
  rc = sh("%s merge " SWEEP "1 " SWEEP "2 --format json -o " WORK_DIR "/table.json%s", MCUSIM_BIN, "");
  ck_assert_msg(rc == 0, "exit %d:\n%s", rc, cli_output);
  cJSON *t = cli_read_json(WORK_DIR "/table.json");
  ck_assert_double_eq(cli_num(t, "jobs_total"), 3);
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(t, "missing")), 0);
  const cJSON *rows = cJSON_GetObjectItem(t, "rows");
  ck_assert_int_eq(cJSON_GetArraySize(rows), 3);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "schedule")->valuestring, "layerwise");
  ck_assert_double_eq(cli_num(cJSON_GetArrayItem(rows, 0), "peak_bytes"), layerwise_peak_bytes());
  ck_assert_double_eq(cli_num(cJSON_GetArrayItem(rows, 1), "arena_peak_bytes"), 38616);
  cJSON_Delete(t);
  rc = sh("%s merge " SWEEP "1 " SWEEP "2 --format csv%s", MCUSIM_BIN, "");
  ck_assert_int_eq(rc, 0);
  ck_assert_ptr_nonnull(strstr(cli_output, "\n1,0001_person-det-mbv1-r96_patch-n2-blocks4_stm32f412,ok,"));
  rc = sh("%s merge " SWEEP "1 " SWEEP "2 --format html -o " WORK_DIR "/table.html%s", MCUSIM_BIN, "");
  ck_assert_int_eq(rc, 0);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("search_cli");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, search_fits_a_budget_and_writes_a_schedule_file);
  tcase_add_test(tc, sweep_in_two_shards_then_merge);
  suite_add_tcase(s, tc);
  return s;
}
