/* tests/fuzz/fuzz_tflite.c — libFuzzer target for the .tflite reader (tflite/tfl_read.c) and the import behind it
 * (workloads/gen/gen_tflite.c, what mcusim-gen and every command taking a model read): a model or one error message,
 * within bounded memory. A model that parses is written back (tfl_write) and must parse again; the analytic figures
 * of every operator are computed; a graph whose input frame is small enough is imported into the runtime's tables. */
#include "fuzz_util.h"
#include "tflite/tfl.h"
#include "workloads/gen/gen_tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  tfl_model_t t;
  if (tfl_parse(data, size, &t, err, sizeof err) == 0) {
    for (int32_t i = 0; i < t.n_ops; i++) {
      tfl_op_info_t info;
      char nb[24];
      tfl_op_info(&t, i, &info, nb, sizeof nb);
    }
    uint8_t *again;
    size_t n;
    if (tfl_write(&t, &again, &n, err, sizeof err) == 0) {
      tfl_model_t u;
      if (tfl_parse(again, n, &u, err, sizeof err) != 0) abort(); /* what the writer writes, the reader reads */
      if (u.n_tensors != t.n_tensors || u.n_ops != t.n_ops) abort();
      tfl_free(&u);
      free(again);
    }
    /* the import allocates the input frame: keep the fuzzer to frames of at most 1 MiB (the limit is 512 MiB) */
    int small = t.n_inputs == 1 && tfl_tensor_elems(&t.tensors[t.inputs[0]]) <= (1u << 20);
    tfl_free(&t);
    if (small) {
      gen_model_t m;
      if (gen_tflite_parse(data, size, &m, err, sizeof err) == 0) gen_model_free(&m);
    }
  }
  gen_tflite_op_t *rows;
  int32_t n_rows;
  if (gen_tflite_ops(data, size, &rows, &n_rows, err, sizeof err) == 0) free(rows);
  return 0;
}
