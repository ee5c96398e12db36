@ tests/firmware/page_split.S — LDR;LDR timed with DWT->CYCCNT twice: once with the pair split by a 1 KiB page
@ boundary (Unicorn ends a translated block there) and once with the same instructions placed so that the pair is
@ not split. DDI 0439B 3.3.1: the second LDR pipelines (LDR;LDR = 3 cycles) wherever the page boundary falls, so
@ both must measure the same. uint32_t time_split(volatile uint32_t *cyccnt, const uint32_t *data), time_plain(...)
    .syntax unified
    .thumb
    .text

    .macro timed_pair
    ldr r2, [r0]            @ t0 (16-bit)
    .rept 510
    nop                     @ 16-bit each: 2 + 510 * 2 = 1022 bytes from the function's start
    .endr
    ldr r3, [r1]            @ the pair: 16-bit LDRs
    ldr r3, [r1, #4]
    ldr r1, [r0]            @ t1
    subs r0, r1, r2
    bx lr
    .endm

    .balign 1024
    .global time_split
    .type time_split, %function
    .thumb_func
time_split:                 @ at a page start: the pair sits at offsets 1022 | 1024, split by the page boundary
    timed_pair
    .size time_split, . - time_split

    .balign 1024
    nop                     @ shift by 2 bytes: the page boundary falls between the last NOP and the pair
    .global time_plain
    .type time_plain, %function
    .thumb_func
time_plain:
    timed_pair
    .size time_plain, . - time_plain
