/* workloads/explore/fwrun.c — one simulation of a built firmware through the libraries (fwbuild.h): what
 * `mcusim run --quiet --profile P --report REPORT ELF` does, without the command line, so that a job needs
 * nothing but the libraries. The log receives what that command printed, in the same order: its error line
 * (stderr, unbuffered, so always first) then the text summary and the report line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reports/rpt.h"
#include "sim/mcusim.h"
#include "workloads/explore/fwbuild.h"

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
