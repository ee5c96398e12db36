/* tests/workloads/test_model_limits.c — the generator against hostile model files (issue 21): a directory or an empty
 * pipe as the model (F4), a model within every per-field limit whose weights exceed 4 GiB (F5, wrapped 32-bit counts),
 * a 64 GiB activation (F6, an unchecked calloc), and values the parser used to bend silently (F28: fractions,
 * strings, duplicate keys). Each is refused with a one-line message naming the field or the layer. */
#include "tests/support/check_main.h"
#include <string.h>

#include "workloads/gen/gen_model.h"

static char err[256];

static void refused(const char *json, const char *says) {
  gen_model_t m;
  int rc = gen_model_parse(json, &m, err, sizeof err);
  if (rc == 0) gen_model_free(&m);
  ck_assert_msg(rc != 0, "accepted: %s", json);
  ck_assert_msg(strstr(err, says), "\"%s\" does not say \"%s\"", err, says);
  ck_assert_ptr_null(strchr(err, '\n'));
}

#define MODEL(input, blocks) "{\"version\": 1, \"name\": \"m\", \"input\": " input ", \"blocks\": [" blocks "]}"

START_TEST(a_directory_or_an_empty_pipe_is_not_a_model) {
  gen_model_t m;
  ck_assert_int_ne(gen_model_load("/tmp", &m, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "cannot open /tmp: Is a directory"), "%s", err);
  ck_assert_int_ne(gen_model_load("/dev/null", &m, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "empty or ends early"), "%s", err);
  refused("{\"version\": 1, \"name\": ", "empty or ends early");
}
END_TEST

START_TEST(weights_beyond_what_the_firmware_addresses_are_refused) {
  /* 1024x1024x4 input, fc 1024: 4 Gi weights wrapped to 0 in 32 bits */
  refused(MODEL("{\"h\": 1024, \"w\": 1024, \"c\": 4}", "{\"type\": \"fc\", \"name\": \"head\", \"out\": 1024}"),
          "layer head: the weights reach");
}
END_TEST

START_TEST(activations_beyond_what_sram_holds_are_refused) {
  /* 4096x4096x3 -> conv 4096 channels: a 64 GiB output tensor */
  refused(MODEL("{\"h\": 4096, \"w\": 4096, \"c\": 3}",
                "{\"type\": \"conv\", \"name\": \"wide\", \"k\": 1, \"out\": 4096}"),
          "layer wide: its 4096x4096x4096 output");
  refused(MODEL("{\"h\": 4096, \"w\": 4096, \"c\": 64}", "{\"type\": \"avgpool\"}"), "input: 4096x4096x64");
}
END_TEST

START_TEST(bent_values_are_refused_naming_the_field) {
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"name\": \"c1\", \"k\": 3.7, \"out\": 4}"),
          "block c1: \"k\" must be a whole number");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"name\": \"c1\", \"out\": \"4\"}"),
          "block c1: \"out\" must be a whole number");
  refused(MODEL("{\"h\": \"8\", \"w\": 8, \"c\": 3}", "{\"type\": \"avgpool\"}"),
          "input: \"h\" must be a whole number");
  refused("{\"version\": \"1\", \"name\": \"m\", \"input\": {\"h\": 8, \"w\": 8, \"c\": 3}, \"blocks\": []}",
          "\"version\": 1 required");
  refused("{\"version\": 1.5, \"name\": \"m\", \"input\": {\"h\": 8, \"w\": 8, \"c\": 3}, \"blocks\": []}",
          "\"version\": 1 required");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"k\": 3, \"k\": 5, \"out\": 4}"),
          "\"k\" appears twice");
  refused(
      "{\"version\": 1, \"name\": \"m\", \"name\": \"n\", \"input\": {\"h\": 8, \"w\": 8, \"c\": 3}, \"blocks\": []}",
      "\"name\" appears twice");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"mbconv\", \"expand\": \"6\", \"out\": 4}"),
          "\"expand\" must be a number");
  /* whole numbers written as such still parse */
  gen_model_t m;
  ck_assert_int_eq(
      gen_model_parse(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"k\": 3.0, \"out\": 4}"), &m, err,
                      sizeof err),
      0);
  gen_model_free(&m);
}
END_TEST

/* Issue 16 item 3: an unknown or misspelt field is an error naming the field (as profiles and annotations), not a
 * silently different network: "strides" left stride at 1, "kh" left k at 3, "activation" left the default. */
START_TEST(unknown_fields_are_refused_naming_the_field) {
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"name\": \"s\", \"strides\": 2, \"out\": 4}"),
          "block s: unknown field \"strides\"");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"kh\": 5, \"out\": 4}"),
          "block b0: unknown field \"kh\"");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"out\": 4, \"activation\": \"none\"}"),
          "unknown field \"activation\"");
  /* a field of another block type is unknown to this one */
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"out\": 4, \"expand\": 6}"),
          "unknown field \"expand\"");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"avgpool\", \"k\": 3}"), "unknown field \"k\"");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3, \"n\": 1}", "{\"type\": \"conv\", \"out\": 4}"),
          "input: unknown field \"n\"");
  refused("{\"version\": 1, \"name\": \"m\", \"inputs\": {}, \"input\": {\"h\": 8, \"w\": 8, \"c\": 3}, \"blocks\": []}",
          "unknown field \"inputs\"");
  /* values: an act that is not one of the four, a residual that is not a boolean */
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"conv\", \"out\": 4, \"act\": \"gelu\"}"),
          "\"act\" must be");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "{\"type\": \"mbconv\", \"out\": 3, \"residual\": 1}"),
          "\"residual\" must be true or false");
  refused(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}", "[1]"), "block 0: not an object");
  /* every documented field of every type still parses */
  gen_model_t m;
  ck_assert_msg(gen_model_parse(MODEL("{\"h\": 8, \"w\": 8, \"c\": 3}",
                                      "{\"type\": \"conv\", \"name\": \"a\", \"k\": 3, \"stride\": 1, \"out\": 4, \"act\": \"relu6\"},"
                                      "{\"type\": \"dwconv\", \"name\": \"b\", \"k\": 3, \"stride\": 1, \"act\": \"relu\"},"
                                      "{\"type\": \"dwsep\", \"name\": \"c\", \"k\": 3, \"stride\": 1, \"out\": 4, \"act\": \"none\"},"
                                      "{\"type\": \"mbconv\", \"name\": \"d\", \"expand\": 2, \"k\": 3, \"stride\": 1, \"out\": 4, "
                                      "\"residual\": true},"
                                      "{\"type\": \"mbconv\", \"name\": \"e\", \"mid\": 8, \"out\": 4},"
                                      "{\"type\": \"avgpool\", \"name\": \"f\"},"
                                      "{\"type\": \"fc\", \"name\": \"g\", \"out\": 2, \"act\": \"linear\"}"),
                                &m, err, sizeof err) == 0,
                "%s", err);
  gen_model_free(&m);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("model_limits");
  TCase *tc = tcase_create("limits");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, a_directory_or_an_empty_pipe_is_not_a_model);
  tcase_add_test(tc, weights_beyond_what_the_firmware_addresses_are_refused);
  tcase_add_test(tc, activations_beyond_what_sram_holds_are_refused);
  tcase_add_test(tc, bent_values_are_refused_naming_the_field);
  tcase_add_test(tc, unknown_fields_are_refused_naming_the_field);
  suite_add_tcase(s, tc);
  return s;
}
