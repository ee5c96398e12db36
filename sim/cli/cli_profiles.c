/* sim/cli/cli_profiles.c — `mcusim profiles`: the bundled MCU profiles, one line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"

int cli_profiles(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf("usage: mcusim profiles\n\nLists the bundled MCU profiles (from %s, or $MCUSIM_PROFILES).\n",
           MCUSIM_PROFILES_DIR);
    return 0;
  }
  int rc = 0;
  for (const char *const *dir = cli_profile_dirs(); *dir; dir++) {
    char **names = prof_list(*dir);
    for (char **n = names; n && *n; n++) {
      prof_t *p = NULL;
      char path[4096], msg[512];
      snprintf(path, sizeof path, "%s/%s.json", *dir, *n);
      if (prof_load(path, NULL, &p, msg, sizeof msg) == PROF_OK)
        printf("%-18s %-7s %4llu MHz  %6llu KiB SRAM  %6u KiB flash  %s\n", p->name, p->core,
               (unsigned long long)(p->clock_hz / 1000000), (unsigned long long)(prof_sram_bytes(p) / 1024),
               p->flash.size / 1024, p->description);
      else {
        fprintf(stderr, "mcusim: %s\n", msg);
        rc = CLI_EXIT_BAD_INPUT;
      }
      prof_free(p);
      free(*n);
    }
    free(names);
  }
  return rc;
}
