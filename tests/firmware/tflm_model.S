/* tests/firmware/tflm_model.S — the test model's flatbuffer (tflm_model.tflite, written by mcusim-gen --tflite-out
 * from tflm_model.json) in .rodata, as TFLM firmware carries its g_model array. */
  .section .rodata.tflm_model, "a"
  .balign 16
  .global tflm_model_data
  .type tflm_model_data, %object
tflm_model_data:
  .incbin "tflm_model.tflite" /* found through -Wa,-I (tests/firmware/CMakeLists.txt) */
  .size tflm_model_data, . - tflm_model_data
