/* tests/isa/test_exc_timing.c — exception latencies per core (isa/exc_timing.c), each with its source. */
#include "tests/support/check_main.h"

#include "isa/exc_timing.h"

/* J. Yiu, "A Beginner's Guide on Interrupt Latency - and Interrupt Latency of the Arm Cortex-M processors", Arm
 * Community (2016), table 1: M0+ 15, M3 12, M4 12 cycles at zero wait states; the M7 also 12. */
START_TEST(entry_latency_at_zero_wait_states) {
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M0PLUS).entry_cycles, 15);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M3).entry_cycles, 12);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M4).entry_cycles, 12);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M7).entry_cycles, 12);
}
END_TEST

/* Cortex-M3/M4 TRMs, exception handling: tail-chaining 6 cycles; the M0+ figure is an estimate (docs/timing.md). */
START_TEST(tail_chaining) {
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M3).tail_chain_cycles, 6);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M4).tail_chain_cycles, 6);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M0PLUS).tail_chain_cycles, 9);
}
END_TEST

/* Estimates (docs/timing.md "Exceptions"): return = 8 words unstacked + refill; FP frame 18 more words. */
START_TEST(return_and_fp_frame_estimates) {
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M4).return_cycles, 10);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M0PLUS).return_cycles, 12);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M4).fp_extra_cycles, 18);
  ck_assert_uint_eq(isa_exc_timing(ISA_CORE_M0PLUS).fp_extra_cycles, 0); /* no FPU */
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("exc_timing");
  TCase *tc = tcase_create("exc_timing");
  tcase_add_test(tc, entry_latency_at_zero_wait_states);
  tcase_add_test(tc, tail_chaining);
  tcase_add_test(tc, return_and_fp_frame_estimates);
  suite_add_tcase(s, tc);
  return s;
}
