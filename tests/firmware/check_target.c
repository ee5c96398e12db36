/* A two-layer "model" for the `mcusim check` integration test (tests/cli/test_check_cli.c), built three
 * times: as is, with SLOW=1 (the fc layer loops twice as long) and with EXTRA_ALLOC=1 (a 1 KiB scratch buffer
 * live beside the conv layer's buffers). The gate must pass the first against itself and fail the others with
 * the cycles rows and the arena/peak SRAM rows respectively. */
#include <stdint.h>

#include "mcusim_trace.h"

#ifndef SLOW
#define SLOW 0
#endif
#ifndef EXTRA_ALLOC
#define EXTRA_ALLOC 0
#endif

static uint8_t arena[16384] __attribute__((section(".arena"), aligned(8)));
static volatile uint32_t sink;

static uint32_t mix(const uint8_t *p, uint32_t n, uint32_t rounds) {
  uint32_t acc = 1;
  for (uint32_t r = 0; r < rounds; r++)
    for (uint32_t i = 0; i < n; i++) acc = acc * 31u + p[i];
  return acc;
}

int main(void) {
  MCUSIM_MARK_STR("model", "check-target");
  MCUSIM_MARK_STR("schedule", "layerwise");
  MCUSIM_LAYER_INFO(0, "conv2d", 8, 8, 64);
  MCUSIM_LAYER_BEGIN(0, "conv0", 4096);
  MCUSIM_ALLOC(arena, 4096, "in");
  MCUSIM_ALLOC(arena + 4096, 4096, "out");
#if EXTRA_ALLOC
  MCUSIM_ALLOC(arena + 8192, 1024, "scratch");
#endif
  for (uint32_t i = 0; i < 4096; i++) arena[4096 + i] = (uint8_t)(i * 7u);
  sink = mix(arena + 4096, 4096, 2);
#if EXTRA_ALLOC
  MCUSIM_FREE(arena + 8192);
#endif
  MCUSIM_FREE(arena);
  MCUSIM_LAYER_END(0);
  MCUSIM_LAYER_INFO(1, "fully_connected", 1, 1, 10);
  MCUSIM_LAYER_BEGIN(1, "fc", 2048);
  sink += mix(arena + 4096, 2048, SLOW ? 4 : 2);
  MCUSIM_FREE(arena + 4096);
  MCUSIM_LAYER_END(1);
  return 0;
}
