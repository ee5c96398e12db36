/* tests/sim/probes/test_tflm.c — sim/probes/tflm.c with a fake engine: a TFLM image is recognised by its interpreter's
 * symbol; the call sites are the BLX Rm of the loop function, found instruction by instruction (a BLX encoding inside
 * a 32-bit instruction is not one); the model is found in read-only data by its TFL3 identifier; an operator call is
 * a layer `op/KIND` with the model's shape, MACs and live activation bytes, timed from the BLX to its return; the
 * last operator's output becomes the `checksum` mark; _sbrk's breaks give the heap. */
#include "tests/support/check_main.h"

#include <stdlib.h>

#include "sim/probes/tflm.h"
#include "tests/sim/probes/fake_engine.h"
#include "tflite/tfl.h"

#define INVOKE 0x100u
#define SITE 0x10Au   /* the BLX r3 */
#define KERNEL 0x140u /* the registration's invoke */
#define SBRK 0x180u
#define PROFILER 0x1C0u /* a virtual method the loop calls through a register too */
#define ARENA 0x20000000u
#define ARENA_BYTES 64u

/* push {r4, lr}; ldr.w r4, [r0, #0x798] (its second halfword reads as BLX r3); ldr r3, [r0]; nop; blx r3;
 * pop {r4, pc} */
static const uint16_t invoke_code[] = {0xB510, 0xF8D0, 0x4798, 0x6803, 0xBF00, 0x4798, 0xBD10, 0xBF00};

static uint8_t flash[0x1000];
static uint8_t arena[ARENA_BYTES];

static int tflm_read_mem(void *opaque, uint32_t addr, void *buf, uint32_t len) {
  (void)opaque;
  if (addr < ARENA || addr - ARENA + len > ARENA_BYTES) return -1;
  memcpy(buf, arena + (addr - ARENA), len);
  return 0;
}

/* One CONV_2D: input 1x4x4x1, 3x3 weights, output 1x2x2x2 (int8). */
static size_t write_model(uint8_t *at, size_t room) {
  static const int8_t weights[18] = {1};
  tfl_tensor_t tensors[3] = {{.name = "in", .type = TFL_INT8, .n_dims = 4, .dims = {1, 4, 4, 1}},
                             {.name = "w",
                              .type = TFL_INT8,
                              .n_dims = 4,
                              .dims = {2, 3, 3, 1},
                              .data = (const uint8_t *)weights,
                              .data_bytes = sizeof weights},
                             {.name = "out", .type = TFL_INT8, .n_dims = 4, .dims = {1, 2, 2, 2}}};
  tfl_op_t op = {.code = TFL_OP_CONV_2D,
                 .version = 1,
                 .n_inputs = 2,
                 .inputs = {0, 1},
                 .n_outputs = 1,
                 .outputs = {2},
                 .options_type = TFL_OPT_CONV2D,
                 .padding = TFL_PAD_VALID,
                 .stride_w = 1,
                 .stride_h = 1,
                 .dilation_w = 1,
                 .dilation_h = 1};
  tfl_model_t m = {.version = 3,
                   .n_tensors = 3,
                   .n_ops = 1,
                   .tensors = tensors,
                   .ops = &op,
                   .n_inputs = 1,
                   .inputs = {0},
                   .n_outputs = 1,
                   .outputs = {2}};
  uint8_t *bytes;
  size_t n;
  char err[128];
  ck_assert_msg(tfl_write(&m, &bytes, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_le(n, room);
  memcpy(at, bytes, n);
  free(bytes);
  return n;
}

static void init(fake_engine_t *e) {
  static sim_elf_symbol_t symbols[] = {
      {INVOKE, sizeof invoke_code, "_ZN6tflite16MicroInterpreter6InvokeEv", 1, NULL, NULL, NULL},
      {KERNEL, 0x20, "_ZN6tflite12_GLOBAL__N_14EvalEP13TfLiteContextP10TfLiteNode", 1, NULL, NULL, NULL},
      {PROFILER, 0x20, "_ZN6tflite13MicroProfiler10BeginEventEPKc", 1, NULL, NULL, NULL},
      {SBRK, 0x20, "_sbrk", 1, NULL, NULL, NULL},
      {ARENA, ARENA_BYTES, "_ZN12_GLOBAL__N_112tensor_arenaE", 0, NULL, NULL, NULL}};
  static sim_elf_segment_t segment = {
      .vaddr = 0, .file_size = sizeof flash, .mem_size = sizeof flash, .flags = 5u /* PF_R | PF_X */, .bytes = flash};
  memset(flash, 0, sizeof flash);
  memcpy(flash + INVOKE, invoke_code, sizeof invoke_code);
  write_model(flash + 0x400, sizeof flash - 0x400);
  memset(arena, 0, sizeof arena);
  fake_engine_init(e);
  e->elf = (sim_elf_t){.symbols = symbols, .symbol_count = 5, .segments = &segment, .segment_count = 1};
  e->host.read_mem = tflm_read_mem;
}

START_TEST(recognises_a_tflm_image) {
  fake_engine_t e;
  init(&e);
  ck_assert(probe_tflm_is_image(&e.elf));
  fake_engine_t plain;
  fake_engine_init(&plain);
  ck_assert(!probe_tflm_is_image(&plain.elf));
  /* a symbol table with demangled names (issue 17 item 4), with or without the parameter list */
  sim_elf_symbol_t demangled = {INVOKE, sizeof invoke_code, "tflite::MicroInterpreter::Invoke()", 1, NULL, NULL, NULL};
  e.elf.symbols = &demangled;
  e.elf.symbol_count = 1;
  ck_assert(probe_tflm_is_image(&e.elf));
  demangled.name = "tflite::MicroInterpreter::Invoke";
  ck_assert(probe_tflm_is_image(&e.elf));
  demangled.name = "tflite::MicroInterpreter::InvokeOther";
  ck_assert(!probe_tflm_is_image(&e.elf));
}
END_TEST

START_TEST(an_operator_call_is_a_layer_with_the_models_figures) {
  fake_engine_t e;
  init(&e);
  mem_t mem;
  mem_init(&mem, 1 << 20);
  char msg[160] = "";
  probe_tflm_t *t = probe_tflm_create(&e.host, &e.elf, 1, NULL, msg, sizeof msg);
  ck_assert_msg(t != NULL, "%s", msg);
  ck_assert_int_eq(probe_tflm_install(t, &mem), 0);
  /* _sbrk and Invoke at entry, one call site (not the halfword inside ldr.w) */
  ck_assert_uint_eq(e.hook_count, 3);
  ck_assert_uint_eq(e.hooks[2].addr, SITE);
  ck_assert_uint_eq(mem.arena_reserved_bytes, ARENA_BYTES);
  for (int inference = 0; inference < 2; inference++) {
    e.regs[13] = 0x20001000u;
    e.regs[14] = 0x501;
    e.cycle = 100;
    ck_assert(fake_run_hook(&e, INVOKE));
    e.regs[13] = 0x20000FF8u;
    e.regs[3] = PROFILER | 1u; /* the profiler's BeginEvent through the same kind of call: not an operator */
    e.cycle = 105;
    ck_assert(fake_run_hook(&e, SITE));
    ck_assert_uint_eq(mem.layer_count, (size_t)inference);
    e.regs[3] = KERNEL | 1u;
    e.cycle = 110;
    ck_assert(fake_run_hook(&e, SITE));
    arena[20] = 0x5A; /* the kernel writes its output */
    e.cycle = 150;
    ck_assert(fake_run_hook(&e, SITE + 2));
    e.regs[13] = 0x20001000u;
    ck_assert(fake_run_hook(&e, 0x500));
  }
  ck_assert_uint_eq(mem.layer_count, 2);
  ck_assert_str_eq(mem.layers[0].name, "0/CONV_2D");
  ck_assert_str_eq(mem.layers[1].name, "0/CONV_2D (inference 2)");
  ck_assert_str_eq(mem.layers[0].kind, "CONV_2D");
  ck_assert_uint_eq(mem.layers[0].range.cycles, 40);
  ck_assert_uint_eq(mem.layers[0].range.macs, 2 * 2 * 2 * 9); /* out elements x kh x kw x in_c */
  ck_assert_uint_eq(mem.layers[0].out_h, 2);
  ck_assert_uint_eq(mem.layers[0].out_c, 2);
  ck_assert_uint_eq(mem.layers[0].range.arena_peak_bytes, 16 + 8); /* input and output; weights are in flash */
  ck_assert_uint_eq(mem.arena_live_bytes, 0);
  /* the first inference changed arena[20]; the second changed nothing, so the first checksum stays: FNV-1a of the
   * 8 output bytes from the first changed byte */
  uint32_t hash = 2166136261u;
  for (int i = 20; i < 28; i++) hash = (hash ^ arena[i]) * 16777619u;
  ck_assert_uint_eq(mem.mark_count, 3);
  ck_assert_str_eq(mem.marks[0].name, "checksum");
  ck_assert_uint_eq(mem.marks[0].number, hash);
  ck_assert_str_eq(mem.marks[1].name, "inferences");
  ck_assert_uint_eq(mem.marks[1].number, 2);
  ck_assert_str_eq(mem.marks[2].name, "inference_cycles");
  ck_assert_uint_eq(mem.marks[2].number, 50); /* Invoke() at 100, its return at 150 */
  probe_tflm_free(t);
  mem_release(&mem);
}
END_TEST

START_TEST(sbrk_breaks_give_the_heap) {
  fake_engine_t e;
  init(&e);
  mem_t mem;
  mem_init(&mem, 1 << 20);
  char msg[160];
  probe_tflm_t *t = probe_tflm_create(&e.host, &e.elf, 0, NULL, msg, sizeof msg); /* heap alone */
  ck_assert_int_eq(probe_tflm_install(t, &mem), 0);
  ck_assert_uint_eq(e.hook_count, 1);
  static const uint32_t incr[] = {1024, 16384, 0xFFFFFF00u /* -256: a trim */},
                        old[] = {0x20002000u, 0x20002400u, 0x20006400u};
  for (int i = 0; i < 3; i++) {
    e.regs[0] = incr[i];
    e.regs[13] = 0x20010000u;
    e.regs[14] = 0x301;
    ck_assert(fake_run_hook(&e, SBRK));
    e.regs[0] = old[i];
    ck_assert(fake_run_hook(&e, 0x300));
  }
  e.regs[0] = 1u << 20; /* a refused request returns -1 */
  ck_assert(fake_run_hook(&e, SBRK));
  e.regs[0] = UINT32_MAX;
  ck_assert(fake_run_hook(&e, 0x300));
  probe_tflm_finish(t);
  ck_assert_uint_eq(mem.heap_bytes, 1024 + 16384);
  probe_tflm_free(t);
  mem_release(&mem);
}
END_TEST

START_TEST(a_bad_model_file_is_named) {
  fake_engine_t e;
  init(&e);
  char msg[160];
  ck_assert_ptr_null(probe_tflm_create(&e.host, &e.elf, 1, "/nonexistent/model.tflite", msg, sizeof msg));
  ck_assert_str_eq(msg, "/nonexistent/model.tflite: cannot read the .tflite model");
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("probe_tflm");
  TCase *tc = tcase_create("tflm");
  tcase_add_test(tc, recognises_a_tflm_image);
  tcase_add_test(tc, an_operator_call_is_a_layer_with_the_models_figures);
  tcase_add_test(tc, sbrk_breaks_give_the_heap);
  tcase_add_test(tc, a_bad_model_file_is_named);
  suite_add_tcase(s, tc);
  return s;
}
