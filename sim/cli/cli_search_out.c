/* sim/cli/cli_search_out.c — `mcusim search` results: Pareto front, choice, table, search.json, schedule.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"
#include "sim/cli/cli_search.h"

static const char *digits(uint64_t v, char *buf, size_t len) {
  rpt_group_digits((unsigned long long)v, buf, len);
  return buf;
}

static int layerwise_index(const cli_search_t *s) {
  for (size_t i = 0; i < s->n; i++)
    if (!s->cand[i].patch_n && !s->cand[i].input_in_arena && s->cand[i].sim_ok) return (int)i;
  for (size_t i = 0; i < s->n; i++)
    if (!s->cand[i].patch_n && s->cand[i].sim_ok) return (int)i;
  return -1;
}

static void sram_verdict(const cli_search_t *s, const xp_search_cand_t *c, char *buf, size_t len) {
  const uint64_t sram = prof_sram_bytes(s->profile);
  char a[32];
  if (c->peak_bytes <= sram)
    snprintf(buf, len, "fits, %s B free (%.1f%%)", digits(sram - c->peak_bytes, a, sizeof a),
             100.0 * (double)(sram - c->peak_bytes) / (double)sram);
  else
    snprintf(buf, len, "over by %s B", digits(c->peak_bytes - sram, a, sizeof a));
}

static void sort_by_peak(const cli_search_t *s, size_t *idx, size_t *n) {
  *n = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->cand[i].simulated) idx[(*n)++] = i;
  for (size_t a = 1; a < *n; a++)
    for (size_t b = a; b > 0 && s->cand[idx[b]].peak_bytes < s->cand[idx[b - 1]].peak_bytes; b--) {
      size_t t = idx[b];
      idx[b] = idx[b - 1], idx[b - 1] = t;
    }
}

static void print_row(const cli_search_t *s, size_t i, int chosen, int lw) {
  const xp_search_cand_t *c = &s->cand[i];
  char a[32], b[32], d[32], e[32], verdict[96], over[32] = "";
  if (!c->sim_ok) {
    printf("   %-30s %10s %11s  %s (see candidates/)\n", c->spec, digits(c->plan_arena_bytes, a, sizeof a),
           digits(c->plan_macs, b, sizeof b), xp_fw_status(s->codes[i]));
    return;
  }
  /* the short verdict keeps a row within 120 columns (tests/cli/test_width) */
  const uint64_t sram = prof_sram_bytes(s->profile);
  if (c->peak_bytes <= sram)
    snprintf(verdict, sizeof verdict, "fits, %s B free", digits(sram - c->peak_bytes, a, sizeof a));
  else
    snprintf(verdict, sizeof verdict, "over by %s B", digits(c->peak_bytes - sram, a, sizeof a));
  if (lw >= 0 && s->cand[lw].cycles)
    snprintf(over, sizeof over, "%+.1f%%", 100.0 * ((double)c->cycles / (double)s->cand[lw].cycles - 1.0));
  printf(" %c%c%-30s %10s %11s %11s %12s %7.1f %7s  %s\n", chosen ? '>' : ' ', c->on_front ? '*' : ' ', c->spec,
         digits(c->plan_arena_bytes, a, sizeof a), digits(c->plan_macs, b, sizeof b),
         digits(c->peak_bytes, d, sizeof d), digits(c->cycles, e, sizeof e), c->latency_us / 1000.0, over, verdict);
}

static void print_counts(const cli_search_t *s) {
  size_t count[6] = {0}, simulated = 0, fit = 0;
  for (size_t i = 0; i < s->n; i++) {
    count[s->cand[i].prune]++;
    simulated += s->cand[i].simulated;
    fit += s->cand[i].sim_ok && s->cand[i].peak_bytes <= s->budget_bytes;
  }
  printf("space: %zu schedules; plan: %zu invalid, %zu over budget, %zu over the latency limit,\n"
         "       %zu dominated, %zu same as another, %zu promising\n",
         s->n, count[XP_SEARCH_PRUNE_INVALID], count[XP_SEARCH_PRUNE_BUDGET], count[XP_SEARCH_PRUNE_LATENCY],
         count[XP_SEARCH_PRUNE_DOMINATED], count[XP_SEARCH_PRUNE_DUPLICATE], count[XP_SEARCH_KEEP]);
  char budget[32];
  printf("simulated %zu; %zu within the budget of %s B\n", simulated, fit,
         digits(s->budget_bytes, budget, sizeof budget));
}

static void print_table(const cli_search_t *s, int chosen, int lw) {
  size_t idx[XP_SEARCH_MAX_CANDIDATES], n;
  sort_by_peak(s, idx, &n);
  printf("\n   %-30s %10s %11s %11s %12s %7s %7s  %s\n", "schedule (> chosen, * front)", "plan arena", "plan MACs",
         "peak SRAM B", "cycles", "ms", "vs LW", "vs device SRAM");
  for (size_t k = 0; k < n; k++) print_row(s, idx[k], (int)idx[k] == chosen, lw);
  printf("\n");
}

static void print_verdict(const cli_search_t *s, int chosen, int lw) {
  char a[32], b[32], verdict[96];
  const uint64_t sram = prof_sram_bytes(s->profile);
  printf("device %s: %s B SRAM; budget %s B\n", s->profile->name, digits(sram, a, sizeof a),
         digits(s->budget_bytes, b, sizeof b));
  if (lw >= 0) {
    sram_verdict(s, &s->cand[lw], verdict, sizeof verdict);
    printf("layer-wise (%s): peak %s B: %s\n", s->cand[lw].spec, digits(s->cand[lw].peak_bytes, a, sizeof a), verdict);
  }
  if (chosen < 0) {
    printf("chosen: none: no simulated schedule fits the budget\n");
    return;
  }
  const xp_search_cand_t *c = &s->cand[chosen];
  sram_verdict(s, c, verdict, sizeof verdict);
  printf("chosen: %s: peak %s B (%s), %.1f ms", c->spec, digits(c->peak_bytes, a, sizeof a), verdict,
         c->latency_us / 1000.0);
  if (lw >= 0) printf(", %+.1f%% cycles vs layer-wise", 100.0 * ((double)c->cycles / (double)s->cand[lw].cycles - 1.0));
  printf("\n");
  if (s->flash_over_bytes)
    printf("flash: the weights need up to %s B more than the part's %s B of flash:\n"
           "       simulated with the flash enlarged (profile %s+flash)\n",
           digits(s->flash_over_bytes, a, sizeof a), digits(s->profile->flash.size, b, sizeof b), s->profile->name);
}

static cJSON *cand_json(const cli_search_t *s, size_t i) {
  const xp_search_cand_t *c = &s->cand[i];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "schedule", c->spec);
  cJSON_AddNumberToObject(o, "patch_n", c->patch_n);
  cJSON_AddNumberToObject(o, "split_blocks", c->split_blocks);
  cJSON_AddStringToObject(o, "input", c->input_in_arena ? "sram" : "flash");
  cJSON_AddBoolToObject(o, "plan_ok", c->plan_ok);
  cJSON_AddNumberToObject(o, "plan_arena_bytes", (double)c->plan_arena_bytes);
  cJSON_AddNumberToObject(o, "plan_peak_bytes", (double)c->plan_peak_bytes);
  cJSON_AddNumberToObject(o, "plan_macs", (double)c->plan_macs);
  cJSON_AddStringToObject(o, "plan_verdict", xp_search_prune_name(c->prune));
  cJSON_AddBoolToObject(o, "simulated", c->simulated);
  if (!c->simulated) return o;
  cJSON_AddStringToObject(o, "status", xp_fw_status(s->codes[i]));
  cJSON_AddNumberToObject(o, "peak_bytes", (double)c->peak_bytes);
  cJSON_AddNumberToObject(o, "arena_peak_bytes", (double)c->arena_peak_bytes);
  cJSON_AddNumberToObject(o, "macs", (double)c->macs);
  cJSON_AddNumberToObject(o, "cycles", (double)c->cycles);
  cJSON_AddNumberToObject(o, "latency_us", c->latency_us);
  cJSON_AddBoolToObject(o, "fits_device", c->sim_ok && c->peak_bytes <= prof_sram_bytes(s->profile));
  cJSON_AddBoolToObject(o, "on_front", c->on_front);
  return o;
}

static cJSON *chosen_json(const cli_search_t *s, int i) {
  return i < 0 ? cJSON_CreateNull() : cJSON_CreateString(s->cand[i].spec);
}

static int write_text(const char *dir, const char *name, cJSON *j) {
  char path[XP_FW_PATH_MAX + 32], *text = cJSON_Print(j);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len = text ? strlen(text) : 0;
  if (text) text = realloc(text, len + 2), text[len] = '\n', text[len + 1] = 0;
  int rc = text ? cm_write_file(path, text, strlen(text)) : -1;
  free(text);
  cJSON_Delete(j);
  return rc;
}

static int write_search_json(const cli_search_t *s, int chosen, int pruned_choice) {
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
  cJSON_AddStringToObject(root, "schema", "mcusim-search/1");
  cJSON_AddStringToObject(root, "model", s->model.name);
  cJSON_AddStringToObject(root, "model_file", s->model_path);
  cJSON_AddStringToObject(root, "profile", s->profile->name);
  cJSON_AddNumberToObject(root, "sram_bytes", (double)prof_sram_bytes(s->profile));
  cJSON_AddNumberToObject(root, "budget_bytes", (double)s->budget_bytes);
  cJSON_AddBoolToObject(root, "exhaustive", s->exhaustive);
  cJSON_AddNumberToObject(root, "flash_over_bytes", (double)s->flash_over_bytes);
  cJSON_AddItemToObject(root, "chosen", chosen_json(s, chosen));
  cJSON_AddItemToObject(root, "chosen_by_pruned_search", chosen_json(s, pruned_choice));
  for (size_t i = 0; i < s->n; i++) cJSON_AddItemToArray(arr, cand_json(s, i));
  cJSON_AddItemToObject(root, "candidates", arr);
  if (s->json && cli_io_write_json("mcusim search", root, s->json)) {
    cJSON_Delete(root);
    return -1;
  }
  return write_text(s->out_dir, "search.json", root);
}

/* The schedule file (version 1) that `mcusim-gen --schedule-file` reads; the figures are informative. */
static int write_schedule_file(const cli_search_t *s, int chosen) {
  const xp_search_cand_t *c = &s->cand[chosen];
  const uint64_t sram = prof_sram_bytes(s->profile);
  cJSON *j = cJSON_CreateObject(), *m = cJSON_CreateObject();
  cJSON_AddNumberToObject(j, "version", 1);
  cJSON_AddStringToObject(j, "model", s->model.name);
  cJSON_AddStringToObject(j, "schedule", c->spec);
  cJSON_AddNumberToObject(j, "patch_n", c->patch_n);
  cJSON_AddNumberToObject(j, "split_blocks", c->split_blocks);
  cJSON_AddStringToObject(j, "input", c->input_in_arena ? "sram" : "flash");
  cJSON_AddStringToObject(j, "profile", s->profile->name);
  cJSON_AddNumberToObject(m, "peak_bytes", (double)c->peak_bytes);
  cJSON_AddNumberToObject(m, "sram_bytes", (double)sram);
  cJSON_AddNumberToObject(m, "headroom_bytes", (double)(sram - c->peak_bytes));
  cJSON_AddNumberToObject(m, "cycles", (double)c->cycles);
  cJSON_AddNumberToObject(m, "latency_us", c->latency_us);
  cJSON_AddNumberToObject(m, "macs", (double)c->macs);
  cJSON_AddItemToObject(j, "measured", m);
  return write_text(s->out_dir, "schedule.json", j);
}

int cli_search_report(cli_search_t *s) {
  xp_search_pareto(s->cand, s->n);
  const int lw = layerwise_index(s);
  uint64_t max_cycles = 0;
  if (s->max_latency_overhead >= 0 && lw >= 0)
    max_cycles = (uint64_t)((double)s->cand[lw].cycles * (1.0 + s->max_latency_overhead));
  const int chosen = xp_search_choose(s->cand, s->n, s->budget_bytes, max_cycles, 0);
  const int pruned_choice = xp_search_choose(s->cand, s->n, s->budget_bytes, max_cycles, 1);
  print_counts(s);
  print_table(s, chosen, lw);
  print_verdict(s, chosen, lw);
  if (s->exhaustive)
    printf("exhaustive check: the pruned search (%s) chooses %s: %s\n", "plan + front + top",
           pruned_choice >= 0 ? s->cand[pruned_choice].spec : "none", pruned_choice == chosen ? "agrees" : "DIFFERS");
  if (write_search_json(s, chosen, pruned_choice)) return fprintf(stderr, "mcusim: cannot write search.json\n"), 70;
  if (chosen < 0) return CLI_EXIT_FAIL;
  if (write_schedule_file(s, chosen)) return fprintf(stderr, "mcusim: cannot write schedule.json\n"), 70;
  printf("schedule file: %s/schedule.json\n  build it: mcusim-gen --model %s --schedule-file %s/schedule.json --out "
         "PREFIX\n",
         s->out_dir, s->model_path, s->out_dir);
  return CLI_EXIT_OK;
}
