/* workloads/explore/fwrun.c — one simulation of a built firmware through the libraries (fwbuild.h): what
 * `mcusim run --quiet --profile P --report REPORT ELF` does, without the command line, so that a job needs
 * nothing but the libraries. The log receives what that command printed, in the same order: its error line
 * (stderr, unbuffered, so always first) then the text summary and the report line. */
#include <errno.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cm.h"
#include "reports/rpt.h"
#include "sim/mcusim.h"
#include "workloads/explore/fwbuild.h"

#define FWRUN_MAX_PROFILE_BYTES (256u << 20) /* the bound `mcusim rerun` hashes inputs with */

/* The report's "invocation" (docs/report.md), as `mcusim run --quiet --profile P ELF` run in this folder records it
 * (sim/cli/cli_rerun.c), so that `mcusim rerun` repeats a sweep job and gets the same report byte for byte: the
 * arguments without the outputs, the working folder, the profile as given with its file and SHA-256, no
 * annotations. */
static void add_invocation(cJSON *report, const char *profile_arg, const prof_t *profile, const char *elf) {
  cJSON *inv = cJSON_CreateObject(), *argv = cJSON_CreateArray();
  const char *const args[] = {"--quiet", "--profile", profile_arg, elf};
  for (size_t i = 0; i < sizeof args / sizeof *args; i++) cJSON_AddItemToArray(argv, cJSON_CreateString(args[i]));
  cJSON_AddItemToObject(inv, "argv", argv);
  char cwd[PATH_MAX];
  cJSON_AddStringToObject(inv, "cwd", getcwd(cwd, sizeof cwd) ? cwd : "");
  if (profile->path) {
    cJSON *p = cJSON_AddObjectToObject(inv, "profile");
    cJSON_AddStringToObject(p, "arg", profile_arg);
    cJSON_AddStringToObject(p, "path", profile->path);
    size_t len = 0;
    char *data = cm_read_file(profile->path, FWRUN_MAX_PROFILE_BYTES, &len);
    if (data) {
      struct sha256_ctx ctx;
      uint8_t digest[SHA256_DIGEST_SIZE];
      char hex[2 * SHA256_DIGEST_SIZE + 1];
      sha256_init(&ctx);
      sha256_update(&ctx, len, (const uint8_t *)data);
      sha256_digest(&ctx, sizeof digest, digest);
      for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
      cJSON_AddStringToObject(p, "sha256", hex);
      free(data);
    } else {
      cJSON_AddNullToObject(p, "sha256");
    }
  } else {
    cJSON_AddNullToObject(inv, "profile");
  }
  cJSON_AddArrayToObject(inv, "annotations");
  cJSON_AddItemToObject(report, "invocation", inv);
}

/* Opens the simulator for the profile and loads the firmware; an XP_FW_* status, the reason in the log. */
static int open_and_load(const xp_fw_tools_t *t, const char *profile_arg, const char *elf, FILE *log, prof_t **profile,
                         mcusim_t **sim) {
  char msg[512];
  if (prof_load(profile_arg, t->profile_dirs, profile, msg, sizeof msg) != PROF_OK)
    return fprintf(log, "mcusim: %s\n", msg), XP_FW_BAD_INPUT;
  mcusim_err err = mcusim_open(*profile, sim);
  if (err) {
    fprintf(log, "mcusim: %s: %s (core '%s')\n", (*profile)->path, mcusim_strerror(err), (*profile)->core);
    return err == MCUSIM_E_BAD_PROFILE ? XP_FW_BAD_INPUT : XP_FW_INTERNAL;
  }
  err = mcusim_load_elf(*sim, elf);
  if (err) return fprintf(log, "mcusim: %s\n", mcusim_last_error(*sim)), (int)mcusim_end_of_load(err);
  return XP_FW_OK;
}

int xp_fw_run(const xp_fw_tools_t *t, const char *profile_arg, const char *elf, const char *report_path,
              const char *log_path) {
  FILE *log = fopen(log_path, "a");
  if (!log) return XP_FW_INTERNAL;
  prof_t *profile = NULL;
  mcusim_t *sim = NULL;
  cJSON *report = NULL;
  int rc = open_and_load(t, profile_arg, elf, log, &profile, &sim);
  if (rc) goto fail;
  const mcusim_limits_t limits = {.accounting = 1};
  mcusim_err err = mcusim_run(sim, &limits);
  if (err == MCUSIM_E_STATE || err == MCUSIM_E_NOMEM || err == MCUSIM_E_ENGINE) {
    fprintf(log, "mcusim: %s\n", mcusim_last_error(sim));
    rc = XP_FW_INTERNAL;
    goto fail;
  }
  if (err) fprintf(log, "mcusim: %s\n", mcusim_last_error(sim));
  rc = XP_FW_INTERNAL;
  if (!(report = rpt_build(sim))) {
    fprintf(log, "mcusim: out of memory building the report\n");
    goto fail;
  }
  add_invocation(report, profile_arg, profile, elf); /* issue 19: `mcusim rerun` repeats a sweep job */
  if (rpt_write_json(report, report_path)) {
    fprintf(log, "mcusim: %s: cannot write the report: %s\n", report_path, strerror(errno));
    goto fail;
  }
  rpt_print_text(report, log);
  fprintf(log, "  report        %s\n", report_path);
  rc = (int)mcusim_end_of(err, mcusim_result(sim));
fail:
  cJSON_Delete(report);
  mcusim_close(sim);
  prof_free(profile);
  if (fclose(log) && !rc) rc = XP_FW_INTERNAL;
  return rc;
}
