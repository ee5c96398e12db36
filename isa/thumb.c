/* isa/thumb.c — Thumb encodings from raw halfwords (thumb.h). */
#include "isa/thumb.h"

uint32_t isa_thumb_width(uint16_t hw1) { return (hw1 >> 11) >= 0x1D ? 4u : 2u; }

int isa_thumb_is_divide(uint16_t hw1, uint16_t hw2) {
  return ((hw1 & 0xFFF0u) == 0xFB90u || (hw1 & 0xFFF0u) == 0xFBB0u) && (hw2 & 0xF0F0u) == 0xF0F0u;
}

int isa_thumb_is_multiword(uint16_t hw1, uint16_t hw2) {
  unsigned rn = hw1 & 0xFu;
  (void)hw2;
  if ((hw1 & 0xFE40u) == 0xE840u && (hw1 & 0x0120u)) return rn != 13 && rn != 15;
  if ((hw1 & 0xFFC0u) == 0xE880u || (hw1 & 0xFFC0u) == 0xE900u) return rn != 13;
  return (hw1 & 0xF000u) == 0xC000u;
}
