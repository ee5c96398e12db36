/* isa/thumb.h — Thumb encodings recognised from raw halfwords, without capstone: used at load time to find the
 * instructions that get a code hook (divides; multi-word accesses with --check-alignment) by walking a function's
 * bytes. Pure functions; never prints. */
#ifndef MCUSIM_ISA_THUMB_H
#define MCUSIM_ISA_THUMB_H

#include <stdint.h>

/* Bytes of the Thumb instruction whose first halfword is hw1: 4 when its top five bits are 0b11101, 0b11110 or
 * 0b11111 (ARMv7-M ARM A5.1), else 2. */
uint32_t isa_thumb_width(uint16_t hw1);

/* SDIV/UDIV (ARMv7-M ARM A7.7.127/A7.7.195): FB9n/FBBn then Fxfx. */
int isa_thumb_is_divide(uint16_t hw1, uint16_t hw2);

/* LDRD/STRD (immediate, T1: E8x/E9x with P or W), LDM/STM.W (T2: E88x-E8Bx, E90x-E93x) and 16-bit LDM/STM
 * (T1: Cxxx); SP- and PC-based forms (PUSH/POP, literal LDRD) are always aligned and left out. */
int isa_thumb_is_multiword(uint16_t hw1, uint16_t hw2);

#endif /* MCUSIM_ISA_THUMB_H */
