/* tests/firmware/ubench/ubench.c — instruction-timing microbenchmarks timed with DWT->CYCCNT exactly as on a board:
 * each sequence is repeated REPS times in straight-line code between two CYCCNT reads, and the same two reads with
 * nothing between them are subtracted. Prints "name cycles" (cycles for REPS repetitions) through semihosting;
 * tests/cli/test_timing.c compares them with the Technical Reference Manuals' figures.
 *
 * The Cortex-M0+ has no DWT cycle counter (ARMv6-M DWT has no CYCCNT); mcusim provides CYCCNT on every core, so the
 * same code runs on all four. Sequences end with a non-memory instruction where a following load would pipeline
 * with them (M3/M4 DDI 0439B 3.3.1), so that repetitions do not interact; the expected figures include it.
 * Each function is 512-byte aligned and shorter than 512 bytes: Unicorn ends a translated block at every 1 KiB
 * page, and the simulator costs each block on its own, so a sequence split across a page boundary would lose its
 * pipeline context (measured: an ALU-to-address stall disappeared, 159 instead of 160 cycles). */
#include <stdint.h>
#include <stdio.h>

#define REPS 16
#define STR_(x) #x
#define STR(x) STR_(x)

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

/* Registers the sequences start from: r0 = a, r1 = buf, r2 = b, r3 = buf. Every word of buf holds &buf, so a
 * loaded value is a valid address too. */
typedef struct {
  uint32_t a, buf, b, buf2, cyccnt_addr;
} ctx_t;

static uint32_t buf[128] __attribute__((aligned(8)));
#if !defined(__ARM_ARCH_6M__)
/* In flash (.rodata): loads from it and from buf reach different memory blocks. */
static const uint32_t flash_words[8] = {1, 2, 3, 4, 5, 6, 7, 8};
#endif

/* t1 holds the CYCCNT address until the second read overwrites it with the count; r0-r3 are the sequence's. The
 * "mov r8, r8" around the body keep the CYCCNT loads from pipelining with the body's first and last loads. The branch
 * before the timed part starts a new block there, as a loop would: r0-r3 are then set before the block, so the engine
 * can see at block entry which memory block a load reaches (issue 18 rule 1). */
#define BENCH(fn, body)                                                                                                \
  __attribute__((noinline, aligned(512))) static uint32_t fn(const ctx_t *ctx) {                                       \
    uint32_t t0, t1;                                                                                                   \
    __asm__ volatile(".syntax unified\n"                                                                               \
                     "ldr r0, [%[c], #0]\n ldr r1, [%[c], #4]\n ldr r2, [%[c], #8]\n ldr r3, [%[c], #12]\n"            \
                     "ldr %[t1], [%[c], #16]\n b 9f\n"                                                                 \
                     ".p2align 2\n"                                                                                    \
                     "9: ldr %[t0], [%[t1]]\n mov r8, r8\n"                                                            \
                     ".rept " STR(REPS) "\n" body "\n.endr\n"                                                          \
                                        "mov r8, r8\n ldr %[t1], [%[t1]]\n"                                            \
                     : [t0] "=&l"(t0), [t1] "=&l"(t1)                                                                  \
                     : [c] "l"(ctx)                                                                                    \
                     : "r0", "r1", "r2", "r3", "r8", "lr", "memory", "cc");                                            \
    return t1 - t0;                                                                                                    \
  }

/* Called by the BL sequences. */
__asm__(".syntax unified\n .text\n .p2align 2\n .global ubench_ret\n .thumb_func\n ubench_ret:\n bx lr\n"
        " .global ubench_pop\n .thumb_func\n ubench_pop:\n push {lr}\n pop {pc}\n");
#if !defined(__ARM_ARCH_6M__)
/* Issue 18 rule 6: a divide inside an assembly function whose symbol has no .size (like ubench_ret above) must still
 * get its operand-dependent cost: hooks are placed by decoding the executable sections, not by symbol sizes. */
__asm__(".syntax unified\n .text\n .p2align 2\n .global ubench_udiv_nosize\n .thumb_func\n ubench_udiv_nosize:\n"
        " udiv r3, r0, r2\n bx lr\n");
#endif

BENCH(b_empty, "")
/* Every core */
BENCH(b_alu, "adds r0, r0, #1")
BENCH(b_mov_high, "mov r8, r8")
BENCH(b_b, "b 2f\n nop\n 2:")
BENCH(b_bcc_taken, "cmp r0, r0\n beq 2f\n nop\n 2:")
BENCH(b_bcc_not_taken, "cmp r0, r0\n bne 2f\n 2:")
BENCH(b_bl_bx, "bl ubench_ret")
BENCH(b_bl_pop_pc, "bl ubench_pop")
BENCH(b_push_pop_2, "push {r0, r2}\n pop {r0, r2}")

#if defined(__ARM_ARCH_6M__)
BENCH(b_ldr, "ldr r0, [r1]")
BENCH(b_ldr_ldr, "ldr r0, [r1]\n ldr r2, [r3]")
BENCH(b_str, "str r0, [r1]")
BENCH(b_ldm_3, "ldm r3, {r0, r2, r3}")
BENCH(b_stm_2, "stm r1!, {r0, r2}")
BENCH(b_muls, "muls r0, r2, r0")
#else
BENCH(b_ldr, "ldr r0, [r1]\n mov r8, r8")
BENCH(b_ldr_ldr, "ldr r0, [r1]\n ldr r2, [r3]\n mov r8, r8")
BENCH(b_ldr_3, "ldr r0, [r1]\n ldr r2, [r3]\n ldr r2, [r3, #4]\n mov r8, r8")
BENCH(b_ldr_str, "ldr r0, [r1]\n str r0, [r3, #20]\n mov r8, r8")
BENCH(b_ldr_addr_dep, "ldr r0, [r1]\n ldr r2, [r0]\n mov r8, r8")
BENCH(b_str_reg_ldr, "str r0, [r1, r2]\n ldr r0, [r3]\n mov r8, r8")
BENCH(b_str_imm_ldr, "str r0, [r1, #4]\n ldr r0, [r3]\n mov r8, r8")
/* issue 18 rule 2 (TRM 3.3.1 "STR Rx,[Ry,#imm] is always one cycle"; jnk0le/random cortex_m3m4.md) */
BENCH(b_str_imm, "str r0, [r1, #4]\n mov r8, r8")
BENCH(b_str_post, "str r0, [r1], #4\n mov r8, r8")
BENCH(b_ldr_str_post, "ldr r2, [r3]\n str r0, [r1], #4\n mov r8, r8")
/* issue 18 rules 3 and 4 (compendium.i-0.nl "instruction-alignment rules"; jnk0le cortex_m3m4.md). The body starts
 * word-aligned and each is a multiple of 4 bytes, so every repetition has the same alignment. */
BENCH(b_ldr_ldrw_unaligned, "ldr r0, [r1]\n ldr.w r2, [r3]\n mov r8, r8")
BENCH(b_ldrw_ldrw_aligned, "ldr.w r0, [r1]\n ldr.w r2, [r3]\n mov r8, r8\n mov r8, r8")
BENCH(b_wide3_unaligned, "mov r8, r8\n add.w r0, r0, #1\n add.w r0, r0, #1\n add.w r0, r0, #1\n mov r8, r8")
BENCH(b_wide3_aligned, "add.w r0, r0, #1\n add.w r0, r0, #1\n add.w r0, r0, #1")
BENCH(b_strw3_unaligned, "mov r8, r8\n str.w r0, [r1, #4]\n str.w r0, [r1, #4]\n str.w r0, [r1, #4]\n mov r8, r8")
BENCH(b_strw4_unaligned, "mov r8, r8\n str.w r0, [r1, #4]\n str.w r0, [r1, #4]\n str.w r0, [r1, #4]\n"
                         " str.w r0, [r1, #4]\n mov r8, r8\n mov r8, r8\n mov r8, r8")
BENCH(b_b_to_unaligned_wide, "b 2f\n nop\n mov r8, r8\n 2: add.w r0, r0, #1\n mov r8, r8")
BENCH(b_b_to_aligned_wide, "b 2f\n nop\n 2: add.w r0, r0, #1")
/* issue 18 rule 1 (jnk0le cortex_m3m4.md: "load pipelining happens only when targeting the same memory block"; "stores
 * can pipeline with preceding load ... only when targeting the same memory block"). r0 / r2 point to flash or SRAM. */
BENCH(b_ldr_r0_r3, "ldr r1, [r0]\n ldr r1, [r3]\n mov r8, r8")
BENCH(b_ldr_r3_r0, "ldr r1, [r3]\n ldr r1, [r0]\n mov r8, r8")
BENCH(b_ldr_r0_r2, "ldr r1, [r0]\n ldr r1, [r2]\n mov r8, r8")
BENCH(b_ldr_lit_r3, "ldr r1, [pc, #0]\n ldr r1, [r3]\n mov r8, r8\n mov r8, r8")
BENCH(b_ldr_r0_str_r3, "ldr r1, [r0]\n str r1, [r3, #4]\n mov r8, r8")
BENCH(b_alu_addr, "adds r3, r1, #0\n ldr r0, [r3]\n mov r8, r8")
BENCH(b_str_run_4, "str r0, [r1]\n str r0, [r1, #4]\n str r0, [r1, #8]\n str r0, [r1, #12]\n mov r8, r8")
BENCH(b_ldrd, "ldrd r0, r2, [r1]\n mov r8, r8")
BENCH(b_ldm_3, "ldm r3, {r0, r2, r3}")
BENCH(b_stm_2, "stm r1, {r0, r2}")
BENCH(b_cbz_taken, "cbz r2, 2f\n nop\n 2:")
BENCH(b_cbnz_not_taken, "cbnz r2, 2f\n 2:")
BENCH(b_mul, "mul r0, r2, r0")
BENCH(b_mla, "mla r0, r2, r2, r0")
BENCH(b_umull, "umull r0, r3, r2, r2")
BENCH(b_udiv, "udiv r3, r0, r2")
BENCH(b_sdiv, "sdiv r3, r0, r2")
BENCH(b_bl_udiv_nosize, "bl ubench_udiv_nosize")
BENCH(b_it_2, "cmp r0, r0\n ite eq\n addeq r2, r2, #1\n addne r2, r2, #1")
#endif
#if defined(__ARM_FEATURE_DSP)
BENCH(b_dsp_4, "smlad r0, r2, r2, r0\n qadd r0, r0, r2\n ssat r0, #8, r0\n sxtb16 r2, r2")
#endif

static uint32_t empty_cycles;

static void report(const char *name, uint32_t (*fn)(const ctx_t *), uint32_t a, uint32_t b) {
  ctx_t ctx = {a, (uint32_t)buf, b, (uint32_t)buf, (uint32_t)&DWT_CYCCNT};
  for (unsigned i = 0; i < sizeof buf / sizeof buf[0]; i++) buf[i] = (uint32_t)buf;
  printf("%s %lu\n", name, (unsigned long)(fn(&ctx) - empty_cycles));
}

#define RUN(fn, a, b) report(#fn + 2, fn, a, b)

int main(void) {
  DEMCR |= 1u << 24; /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u; /* CYCCNTENA */
  ctx_t ctx = {0, (uint32_t)buf, 0, (uint32_t)buf, (uint32_t)&DWT_CYCCNT};
  empty_cycles = b_empty(&ctx);
  printf("reps %d\n", REPS);
  RUN(b_alu, 0, 4);
  RUN(b_mov_high, 0, 4);
  RUN(b_b, 0, 4);
  RUN(b_bcc_taken, 0, 4);
  RUN(b_bcc_not_taken, 0, 4);
  RUN(b_bl_bx, 0, 4);
  RUN(b_bl_pop_pc, 0, 4);
  RUN(b_push_pop_2, 0, 4);
  RUN(b_ldr, 0, 4);
  RUN(b_ldr_ldr, 0, 4);
  RUN(b_ldm_3, 0, 4);
  RUN(b_stm_2, 0, 4);
#if defined(__ARM_ARCH_6M__)
  RUN(b_str, 0, 4);
  RUN(b_muls, 3, 5);
#else
  RUN(b_ldr_3, 0, 4);
  RUN(b_ldr_str, 0, 4);
  RUN(b_ldr_addr_dep, 0, 4);
  RUN(b_str_reg_ldr, 0, 4);
  RUN(b_str_imm_ldr, 0, 4);
  RUN(b_str_imm, 0, 4);
  RUN(b_str_post, 0, 4);
  RUN(b_ldr_str_post, 0, 4);
  RUN(b_ldr_ldrw_unaligned, 0, 4);
  RUN(b_ldrw_ldrw_aligned, 0, 4);
  RUN(b_wide3_unaligned, 0, 4);
  RUN(b_wide3_aligned, 0, 4);
  RUN(b_strw3_unaligned, 0, 4);
  RUN(b_strw4_unaligned, 0, 4);
  RUN(b_b_to_unaligned_wide, 0, 4);
  RUN(b_b_to_aligned_wide, 0, 4);
  report("ldr_flash_sram", b_ldr_r0_r3, (uint32_t)flash_words, 4);
  report("ldr_sram_flash", b_ldr_r3_r0, (uint32_t)flash_words, 4);
  report("ldr_flash_flash", b_ldr_r0_r2, (uint32_t)flash_words, (uint32_t)&flash_words[4]);
  report("ldr_sram_sram", b_ldr_r0_r2, (uint32_t)buf, (uint32_t)&buf[4]);
  report("ldr_literal_sram", b_ldr_lit_r3, 0, 4);
  report("ldr_flash_str_sram", b_ldr_r0_str_r3, (uint32_t)flash_words, 4);
  report("ldr_sram_str_sram", b_ldr_r0_str_r3, (uint32_t)buf, 4);
  RUN(b_alu_addr, 0, 4);
  RUN(b_str_run_4, 0, 4);
  RUN(b_ldrd, 0, 4);
  RUN(b_cbz_taken, 0, 0);
  RUN(b_cbnz_not_taken, 0, 0);
  RUN(b_mul, 3, 5);
  RUN(b_mla, 3, 5);
  RUN(b_umull, 3, 5);
  /* SDIV/UDIV "2 to 12" (table 3-1 note a): quotient bits 0, 5, 32, and divide by zero */
  report("udiv_5_by_100", b_udiv, 5, 100);
  report("udiv_100_by_7", b_udiv, 100, 7);
  report("udiv_max_by_1", b_udiv, 0xFFFFFFFFu, 1);
  report("udiv_by_0", b_udiv, 100, 0);
  report("udiv_0_by_7", b_udiv, 0, 7);
  report("udiv_1000_by_1", b_udiv, 1000, 1);
  report("sdiv_minus_100_by_7", b_sdiv, (uint32_t)-100, 7);
  report("udiv_nosize_max_by_1", b_bl_udiv_nosize, 0xFFFFFFFFu, 1);
  RUN(b_it_2, 0, 4);
#endif
#if defined(__ARM_FEATURE_DSP)
  RUN(b_dsp_4, 3, 5);
#endif
  return 0;
}
