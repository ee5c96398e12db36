/* sim/devices/itm.c — ITM stimulus ports and the trace events they carry (itm.h). */
#include "sim/devices/itm.h"

#include <stdio.h>
#include <string.h>

#include "workloads/mcusim_trace.h"

#define ITM_TER 0xE00u /* trace enable: all ports on */
#define ITM_TCR 0xE80u /* trace control: ITMENA set */

void dev_itm_init(dev_itm_t *itm, const dev_host_t *host, mem_t *events) {
  memset(itm, 0, sizeof *itm);
  itm->host = host;
  itm->events = events;
}

uint64_t dev_itm_read(void *state, uint32_t offset, unsigned size) {
  if (offset < 0x80) return 1; /* stimulus port: FIFO ready */
  if (offset == ITM_TER) return 0xFFFFFFFFu;
  if (offset == ITM_TCR) return 1u;
  return 0;
}

static void trace_alloc(dev_itm_t *itm, const mem_when_t *when, const uint32_t *a) {
  const dev_host_t *host = itm->host;
  char tag[MEM_NAME_MAX];
  dev_firmware_string(host, a[2], tag, sizeof tag);
  if (!host->sram_range(host->opaque, a[0], a[1])) {
    char msg[160]; /* the diagnostic's size: a long tag is cut here, the allocation record keeps it whole */
    snprintf(msg, sizeof msg, "allocation '%.100s' of %u B at 0x%08x lies outside SRAM", tag, a[1], a[0]);
    mem_diagnose(itm->events, MEM_DIAG_OUTSIDE_SRAM, when, a[0], a[1], msg);
  }
  mem_alloc(itm->events, when, a[0], a[1], tag);
}

/* Decodes one event of workloads/mcusim_trace.h, stamped with the cycle of the instruction that wrote it. */
static void trace_event(dev_itm_t *itm, uint32_t offset, uint32_t code) {
  const dev_host_t *host = itm->host;
  const uint32_t *a = itm->args;
  unsigned argc = itm->argc;
  static const unsigned needed[] = {
      [MCUSIM_EV_LAYER_BEGIN] = 3, [MCUSIM_EV_LAYER_END] = 1,   [MCUSIM_EV_PATCH_BEGIN] = 3, [MCUSIM_EV_PATCH_END] = 2,
      [MCUSIM_EV_ALLOC] = 3,       [MCUSIM_EV_FREE] = 1,        [MCUSIM_EV_MARK] = 2,        [MCUSIM_EV_LAYER_INFO] = 4,
      [MCUSIM_EV_MARK_STR] = 2,    [MCUSIM_EV_LAYER_PARAMS] = 3};
  itm->argc = 0;
  if (code == 0 || code >= sizeof needed / sizeof *needed || argc < needed[code]) return; /* not ours */
  mem_when_t when;
  host->now(host->opaque, DEV_ITM_BASE + offset, &when);
  char name[MEM_NAME_MAX], text[MEM_NAME_MAX];
  mem_t *mem = itm->events;
  switch (code) {
  case MCUSIM_EV_LAYER_BEGIN:
    dev_firmware_string(host, a[1], name, sizeof name);
    mem_layer_begin(mem, &when, a[0], name, a[2]);
    break;
  case MCUSIM_EV_LAYER_END:
    mem_layer_end(mem, &when, a[0]);
    break;
  case MCUSIM_EV_PATCH_BEGIN:
    mem_patch_begin(mem, &when, a[0], a[1], a[2]);
    break;
  case MCUSIM_EV_PATCH_END:
    mem_patch_end(mem, &when, a[0], a[1]);
    break;
  case MCUSIM_EV_ALLOC:
    trace_alloc(itm, &when, a);
    break;
  case MCUSIM_EV_FREE:
    mem_free(mem, &when, a[0]);
    break;
  case MCUSIM_EV_MARK:
    dev_firmware_string(host, a[0], name, sizeof name);
    mem_mark_number(mem, name, a[1]);
    break;
  case MCUSIM_EV_MARK_STR:
    dev_firmware_string(host, a[0], name, sizeof name);
    dev_firmware_string(host, a[1], text, sizeof text);
    mem_mark_string(mem, name, text);
    break;
  case MCUSIM_EV_LAYER_INFO:
    dev_firmware_string(host, a[1], text, sizeof text);
    mem_layer_info(mem, a[0], text, a[2] >> 16, a[2] & 0xFFFFu, a[3]);
    break;
  case MCUSIM_EV_LAYER_PARAMS:
    mem_layer_params(mem, a[0], a[1], a[2]);
    break;
  }
}

void dev_itm_write(void *state, uint32_t offset, unsigned size, uint64_t value) {
  dev_itm_t *itm = state;
  unsigned port = offset / 4;
  if (offset >= 0x80) return; /* control registers: accepted, nothing to model */
  if (port == MCUSIM_ITM_PORT_STDOUT) {
    char bytes[4];
    for (unsigned i = 0; i < size && i < 4; i++) bytes[i] = (char)(value >> (8 * i));
    itm->host->output(itm->host->opaque, 1, bytes, size < 4 ? size : 4);
  } else if (!itm->events) {
    return;
  } else if (port == MCUSIM_ITM_PORT_ARG) {
    if (itm->argc < DEV_ITM_MAX_ARGS) itm->args[itm->argc++] = (uint32_t)value;
  } else if (port == MCUSIM_ITM_PORT_EVENT) {
    trace_event(itm, offset, (uint32_t)value);
  }
}
