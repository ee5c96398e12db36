/* common/cm_msg.c — one-line messages (cm.h). */
#include "common/cm.h"

#include <stdio.h>

char *cm_vmsgf(char *msg, size_t size, const char *fmt, va_list ap) {
  if (!msg || !size) return msg;
  vsnprintf(msg, size, fmt, ap);
  for (char *c = msg; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
  return msg;
}

char *cm_msgf(char *msg, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cm_vmsgf(msg, size, fmt, ap);
  va_end(ap);
  return msg;
}
