/* sim/cli/cli_profiles.c — `mcusim profiles [--json[=OUT]]`: the bundled MCU profiles, one line each, or
 * mcusim-profiles/1 (docs/profiles.schema.json). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"

/* One profile as mcusim-profiles/1 lists it. */
static cJSON *profile_json(const prof_t *p) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "name", p->name);
  cJSON_AddStringToObject(o, "core", p->core);
  cJSON_AddNumberToObject(o, "clock_hz", (double)p->clock_hz);
  cJSON_AddNumberToObject(o, "sram_bytes", (double)prof_sram_bytes(p));
  cJSON_AddNumberToObject(o, "flash_bytes", (double)p->flash.size);
  cJSON_AddStringToObject(o, "description", p->description ? p->description : "");
  cJSON_AddStringToObject(o, "path", p->path ? p->path : "");
  return o;
}

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
  static const struct option longopts[] = {
      {"json", optional_argument, 0, 'J'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *json = NULL;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1;) {
    if (c == 'J')
      json = cli_io_json_path(argc, argv);
    else if (c == 'h') {
      printf("usage: mcusim profiles [--json[=OUT]]\n\nLists the bundled MCU profiles (from %s, or "
             "$MCUSIM_PROFILES).\n--json prints mcusim-profiles/1 (docs/profiles.schema.json) on standard output "
             "(or OUT).\n",
             cli_profile_dirs()[0]);
      return 0;
    } else {
      fprintf(stderr, "usage: mcusim profiles [--json[=OUT]]\n");
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "mcusim profiles: unexpected argument '%s'\n", argv[optind]);
    return CLI_EXIT_BAD_INPUT;
  }
  const cli_io_path_t outs[] = {{"--json", json}};
  int rc = cli_io_check_outputs("mcusim profiles", outs, 1, NULL, 0);
  if (rc) return rc;
  cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
  cJSON_AddStringToObject(doc, "schema", "mcusim-profiles/1");
  cJSON_AddItemToObject(doc, "profiles", list);
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
        cJSON_AddItemToArray(list, profile_json(p));
      } else {
        fprintf(stderr, "mcusim: %s\n", msg);
        rc = CLI_EXIT_BAD_INPUT;
      }
      prof_free(p);
      free(*n);
    }
    free(names);
  }
  if (json) {
    int wrc = cli_io_write_json("mcusim profiles", doc, json);
    if (wrc) rc = wrc;
  }
  cJSON_Delete(doc);
  return rc;
}
