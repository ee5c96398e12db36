/* mcusim_trace.h — firmware-side trace events for mcusim (and for a real board over SWO).
 *
 * Events travel through the ITM stimulus ports, real CoreSight registers (ARM DDI 0403, ITM):
 *   port 0  stdout bytes (what CMSIS ITM_SendChar writes)
 *   port 1  argument FIFO: each 32-bit write appends one argument (at most MCUSIM_TRACE_MAX_ARGS)
 *   port 2  event: a 32-bit write of an event code consumes the arguments written before it
 * On a board the SWO decoder sees (port, value) packets in the same order, so one host decoder serves both.
 *
 * Event codes and their arguments (all 32-bit; names are pointers to NUL-terminated strings in flash):
 *   1 LAYER_BEGIN  id, name, macs        2 LAYER_END  id
 *   3 PATCH_BEGIN  stage, index, macs    4 PATCH_END  stage, index
 *   5 ALLOC        addr, size, tag       6 FREE       addr
 *   7 MARK         name, value           (a named number: checksum, MACs, ...)
 *   8 LAYER_INFO   id, kind, out_hw, out_c   (optional, before a layer's first LAYER_BEGIN: kind is a string
 *                  such as "conv2d", out_hw = out_h << 16 | out_w)
 *   9 MARK_STR     name, text            (a named string: model, schedule, ...)
 *  10 LAYER_PARAMS id, params, weight_bytes  (optional, before a layer's first LAYER_BEGIN: params = weights and
 *                  biases, as STM32Cube.AI and Keras count them; weight_bytes = what the layer reads from flash,
 *                  weights, bias, multipliers and shifts)
 *
 * Everything compiles to nothing when MCUSIM_TRACE is 0. Port 0 is separate: use ITM_SendChar or semihosting.
 */
#ifndef MCUSIM_TRACE_H
#define MCUSIM_TRACE_H

#include <stdint.h>

#ifndef MCUSIM_TRACE
#define MCUSIM_TRACE 1
#endif

#define MCUSIM_TRACE_MAX_ARGS 4
#define MCUSIM_ITM_BASE 0xE0000000u
#define MCUSIM_ITM_PORT_STDOUT 0
#define MCUSIM_ITM_PORT_ARG 1
#define MCUSIM_ITM_PORT_EVENT 2

enum mcusim_event {
  MCUSIM_EV_LAYER_BEGIN = 1,
  MCUSIM_EV_LAYER_END = 2,
  MCUSIM_EV_PATCH_BEGIN = 3,
  MCUSIM_EV_PATCH_END = 4,
  MCUSIM_EV_ALLOC = 5,
  MCUSIM_EV_FREE = 6,
  MCUSIM_EV_MARK = 7,
  MCUSIM_EV_LAYER_INFO = 8,
  MCUSIM_EV_MARK_STR = 9,
  MCUSIM_EV_LAYER_PARAMS = 10,
};

#if MCUSIM_TRACE && defined(__arm__)

#define MCUSIM_ITM_PORT(n) (*(volatile uint32_t *)(MCUSIM_ITM_BASE + 4u * (n)))

/* A stimulus port reads 1 when its FIFO can take a write (DDI 0403 C1.7.3); wait as a board needs to. */
static inline void mcusim_itm_put(unsigned port, uint32_t value) {
  while (MCUSIM_ITM_PORT(port) == 0u) {
  }
  MCUSIM_ITM_PORT(port) = value;
}

static inline void mcusim_trace_event4(uint32_t code, uint32_t nargs, uint32_t a0, uint32_t a1, uint32_t a2,
                                       uint32_t a3) {
  if (nargs > 0) mcusim_itm_put(MCUSIM_ITM_PORT_ARG, a0);
  if (nargs > 1) mcusim_itm_put(MCUSIM_ITM_PORT_ARG, a1);
  if (nargs > 2) mcusim_itm_put(MCUSIM_ITM_PORT_ARG, a2);
  if (nargs > 3) mcusim_itm_put(MCUSIM_ITM_PORT_ARG, a3);
  mcusim_itm_put(MCUSIM_ITM_PORT_EVENT, code);
}

static inline void mcusim_trace_event(uint32_t code, uint32_t nargs, uint32_t a0, uint32_t a1, uint32_t a2) {
  mcusim_trace_event4(code, nargs, a0, a1, a2, 0);
}

#define MCUSIM_PTR(p) ((uint32_t)(uintptr_t)(p))
#define MCUSIM_LAYER_BEGIN(id, name, macs)                                                                             \
  mcusim_trace_event(MCUSIM_EV_LAYER_BEGIN, 3, (uint32_t)(id), MCUSIM_PTR(name), (uint32_t)(macs))
#define MCUSIM_LAYER_END(id) mcusim_trace_event(MCUSIM_EV_LAYER_END, 1, (uint32_t)(id), 0, 0)
#define MCUSIM_PATCH_BEGIN(stage, index, macs)                                                                         \
  mcusim_trace_event(MCUSIM_EV_PATCH_BEGIN, 3, (uint32_t)(stage), (uint32_t)(index), (uint32_t)(macs))
#define MCUSIM_PATCH_END(stage, index)                                                                                 \
  mcusim_trace_event(MCUSIM_EV_PATCH_END, 2, (uint32_t)(stage), (uint32_t)(index), 0)
#define MCUSIM_ALLOC(addr, size, tag)                                                                                  \
  mcusim_trace_event(MCUSIM_EV_ALLOC, 3, MCUSIM_PTR(addr), (uint32_t)(size), MCUSIM_PTR(tag))
#define MCUSIM_FREE(addr) mcusim_trace_event(MCUSIM_EV_FREE, 1, MCUSIM_PTR(addr), 0, 0)
#define MCUSIM_MARK(name, value) mcusim_trace_event(MCUSIM_EV_MARK, 2, MCUSIM_PTR(name), (uint32_t)(value), 0)
#define MCUSIM_LAYER_INFO(id, kind, out_h, out_w, out_c)                                                               \
  mcusim_trace_event4(MCUSIM_EV_LAYER_INFO, 4, (uint32_t)(id), MCUSIM_PTR(kind),                                       \
                      ((uint32_t)(out_h) << 16) | ((uint32_t)(out_w)&0xFFFFu), (uint32_t)(out_c))
#define MCUSIM_MARK_STR(name, text) mcusim_trace_event(MCUSIM_EV_MARK_STR, 2, MCUSIM_PTR(name), MCUSIM_PTR(text), 0)
#define MCUSIM_LAYER_PARAMS(id, params, weight_bytes)                                                                  \
  mcusim_trace_event(MCUSIM_EV_LAYER_PARAMS, 3, (uint32_t)(id), (uint32_t)(params), (uint32_t)(weight_bytes))

#else /* tracing off, or a native (host) build of the runtime */

#define MCUSIM_LAYER_BEGIN(id, name, macs) ((void)(id), (void)(name), (void)(macs))
#define MCUSIM_LAYER_END(id) ((void)(id))
#define MCUSIM_PATCH_BEGIN(stage, index, macs) ((void)(stage), (void)(index), (void)(macs))
#define MCUSIM_PATCH_END(stage, index) ((void)(stage), (void)(index))
#define MCUSIM_ALLOC(addr, size, tag) ((void)(addr), (void)(size), (void)(tag))
#define MCUSIM_FREE(addr) ((void)(addr))
#define MCUSIM_MARK(name, value) ((void)(name), (void)(value))
#define MCUSIM_LAYER_INFO(id, kind, out_h, out_w, out_c)                                                               \
  ((void)(id), (void)(kind), (void)(out_h), (void)(out_w), (void)(out_c))
#define MCUSIM_MARK_STR(name, text) ((void)(name), (void)(text))
#define MCUSIM_LAYER_PARAMS(id, params, weight_bytes) ((void)(id), (void)(params), (void)(weight_bytes))

#endif

#endif /* MCUSIM_TRACE_H */
