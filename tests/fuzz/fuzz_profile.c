/* tests/fuzz/fuzz_profile.c — libFuzzer target for profile JSON (profiles/prof.c prof_parse): a valid profile or
 * one error line naming the field; a parsed profile's regions are usable by the lookups the loader makes. */
#include "fuzz_util.h"
#include "profiles/prof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *json = fuzz_text(data, size);
  if (!json) return 0;
  char msg[512];
  prof_t *p = NULL;
  prof_err err = prof_parse(json, "fuzz.json", &p, msg, sizeof msg);
  if (err == PROF_OK) {
    if (!p) abort();
    int is_flash;
    prof_find_region(p, p->flash.base, 4, &is_flash);
    for (unsigned i = 0; i < p->sram_count; i++) prof_find_region(p, p->sram[i].base, p->sram[i].size, &is_flash);
    prof_find_region(p, 0xfffffff0u, 0x20, &is_flash);
    (void)prof_sram_bytes(p);
    prof_free(p);
  } else if (!memchr(msg, '\0', sizeof msg)) {
    abort();
  }
  free(json);
  return 0;
}
