/* tests/fuzz/fuzz_model.c — libFuzzer target for model JSON (workloads/gen/gen_model.c gen_model_parse, what
 * mcusim-gen reads): a built model or an error message, within bounded memory; schedules parsed against it. */
#include "fuzz_util.h"
#include "workloads/gen/gen_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *json = fuzz_text(data, size);
  if (!json) return 0;
  gen_model_t *m = calloc(1, sizeof *m);
  char err[256];
  if (m && gen_model_parse(json, m, err, sizeof err) == 0) {
    static const char *const specs[] = {"layerwise", "patch:n=2,blocks=2", "patch:n=3,blocks=1,halo=clip",
                                        "layerwise,input=arena", "patch:n=0,blocks=99"};
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
      rt_schedule_t sched;
      char name[64];
      gen_schedule_parse(m, specs[i], &sched, name, sizeof name, err, sizeof err);
    }
    gen_model_free(m);
  }
  free(m);
  free(json);
  return 0;
}
