/* tests/fuzz/fuzz_report.c — libFuzzer target for report JSON as `check`, `compare` and `export` read it
 * (reports/rpt.c rpt_read), then rendered as the text summary the way `mcusim report` prints it. */
#include "fuzz_util.h"
#include "reports/rpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_temp(data, size, ".json");
  if (!path) return 0;
  char msg[512];
  cJSON *r = rpt_read(path, msg, sizeof msg);
  if (r) {
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
      rpt_print_text(r, devnull);
      fclose(devnull);
    }
    cJSON_Delete(r);
  } else if (!memchr(msg, '\0', sizeof msg) || strchr(msg, '\n')) {
    abort();
  }
  unlink(path);
  return 0;
}
