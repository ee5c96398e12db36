/* tests/isa/test_thumb.c — isa/thumb.c: instruction width and the encodings that get code hooks, checked on
 * encodings assembled by arm-none-eabi-as (ARMv7-M ARM A5.1, A7.7). */
#include "tests/support/check_main.h"

#include "isa/thumb.h"

START_TEST(width_from_first_halfword) {
  ck_assert_uint_eq(isa_thumb_width(0x4770), 2); /* bx lr */
  ck_assert_uint_eq(isa_thumb_width(0xB580), 2); /* push {r7, lr} */
  ck_assert_uint_eq(isa_thumb_width(0xE7FE), 2); /* b . (0b11100: 16-bit B) */
  ck_assert_uint_eq(isa_thumb_width(0xE8BD), 4); /* pop.w (0b11101) */
  ck_assert_uint_eq(isa_thumb_width(0xF000), 4); /* bl (0b11110) */
  ck_assert_uint_eq(isa_thumb_width(0xFB90), 4); /* sdiv (0b11111) */
}
END_TEST

START_TEST(divides) {
  ck_assert(isa_thumb_is_divide(0xFB91, 0xF0F2));  /* sdiv r0, r1, r2 */
  ck_assert(isa_thumb_is_divide(0xFBB3, 0xF4F5));  /* udiv r4, r3, r5 */
  ck_assert(!isa_thumb_is_divide(0xFB01, 0xF002)); /* mul.w r0, r1, r2 */
  ck_assert(!isa_thumb_is_divide(0xFB91, 0x0002)); /* not the Fxfx second halfword */
  ck_assert(!isa_thumb_is_divide(0x4770, 0));
}
END_TEST

START_TEST(multiword_accesses) {
  ck_assert(isa_thumb_is_multiword(0xE9D0, 0x2300));  /* ldrd r2, r3, [r0] */
  ck_assert(isa_thumb_is_multiword(0xE9C1, 0x2302));  /* strd r2, r3, [r1, #8] */
  ck_assert(!isa_thumb_is_multiword(0xE9DD, 0x2300)); /* ldrd r2, r3, [sp]: SP-based, always aligned */
  ck_assert(!isa_thumb_is_multiword(0xE9DF, 0x2300)); /* ldrd r2, r3, [pc, #0]: literal */
  ck_assert(isa_thumb_is_multiword(0xE890, 0x000C));  /* ldmia.w r0, {r2, r3} */
  ck_assert(isa_thumb_is_multiword(0xE900, 0x000C));  /* stmdb r0, {r2, r3} */
  ck_assert(!isa_thumb_is_multiword(0xE8BD, 0x8010)); /* pop.w {r4, pc} */
  ck_assert(!isa_thumb_is_multiword(0xE92D, 0x4010)); /* push.w {r4, lr} */
  ck_assert(isa_thumb_is_multiword(0xC80C, 0));       /* ldmia r0!, {r2, r3} */
  ck_assert(!isa_thumb_is_multiword(0x6800, 0));      /* ldr r0, [r0] */
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("isa_thumb");
  TCase *tc = tcase_create("encodings");
  tcase_add_test(tc, width_from_first_halfword);
  tcase_add_test(tc, divides);
  tcase_add_test(tc, multiword_accesses);
  suite_add_tcase(s, tc);
  return s;
}
