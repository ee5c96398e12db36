/* sim/cli/cli_profiles.c — `mcusim profiles`: the bundled MCU profiles, one line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"

/* Text outputs stay within 120 columns (tests/cli/test_width): the description goes on at its own column, broken
 * at spaces (a word longer than the room is cut). */
enum { PROFILES_WIDTH = 120 };

static void print_wrapped(const char *text, int indent) {
  int room = PROFILES_WIDTH - indent;
  if (room < 20) room = 20;
  while (*text == ' ') text++;
  if (!*text) putchar('\n');
  while (*text) {
    int n = (int)strlen(text);
    if (n > room) {
      n = room;
      while (n > 0 && text[n] != ' ') n--;
      if (n == 0) n = room;
    }
    printf("%.*s\n", n, text);
    text += n;
    while (*text == ' ') text++;
    if (*text) printf("%*s", indent, "");
  }
}

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
      if (prof_load(path, NULL, &p, msg, sizeof msg) == PROF_OK) {
        int used = printf("%-18s %-7s %4llu MHz  %6llu KiB SRAM  %6u KiB flash  ", p->name, p->core,
                          (unsigned long long)(p->clock_hz / 1000000), (unsigned long long)(prof_sram_bytes(p) / 1024),
                          p->flash.size / 1024);
        print_wrapped(p->description, used > 0 ? used : 0);
      } else {
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
