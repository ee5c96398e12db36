/* common/cm_escape.c — text escaped for its sink (cm.h). */
#include "common/cm.h"

#include <string.h>

/* The replacement for byte c in sink, or NULL to copy it; dropped bytes get "". */
static const char *replacement(cm_esc_t sink, unsigned char c, char octal[5]) {
  switch (sink) {
  case CM_ESC_HTML:
  case CM_ESC_XML:
    if (c == '&') return "&amp;";
    if (c == '<') return "&lt;";
    if (c == '>') return "&gt;";
    if (c == '"') return "&quot;";
    if (c == '\'' && sink == CM_ESC_HTML) return "&#39;";
    if (sink == CM_ESC_XML && c < 0x20 && c != '\n' && c != '\t') return "";
    return NULL;
  case CM_ESC_CSV:
    return c == '"' ? "\"\"" : NULL;
  case CM_ESC_GH_PROPERTY:
    if (c == ':') return "%3A";
    if (c == ',') return "%2C";
    /* fall through */
  case CM_ESC_GH_DATA:
    if (c == '%') return "%25";
    if (c == '\r') return "%0D";
    if (c == '\n') return "%0A";
    return NULL;
  case CM_ESC_LINE:
    return c < 0x20 || c == 0x7f ? " " : NULL;
  case CM_ESC_C_STRING:
    if (c == '"') return "\\\"";
    if (c == '\\') return "\\\\";
    if (c < 0x20 || c >= 0x7f) {
      snprintf(octal, 5, "\\%03o", c);
      return octal;
    }
    return NULL;
  }
  return NULL;
}

/* A ' before text that a spreadsheet would take for a formula (CSV) or GitHub Actions for a command (a line). */
static int defused(cm_esc_t sink, const char *text) {
  if (sink == CM_ESC_CSV) return *text && strchr("=+-@\t\r", *text);
  if (sink == CM_ESC_LINE) return !strncmp(text + strspn(text, " \t"), "::", 2);
  return 0;
}

void cm_escape(cm_esc_t sink, const char *text, cm_put_fn put, void *opaque) {
  int quoted = (sink == CM_ESC_CSV && strpbrk(text, ",\"\r\n")) || sink == CM_ESC_C_STRING;
  if (quoted) put(opaque, "\"", 1);
  if (defused(sink, text)) put(opaque, "'", 1);
  const char *run = text; /* bytes copied as they are, handed over in one piece */
  for (const char *p = text; *p; p++) {
    char octal[5];
    const char *with = replacement(sink, (unsigned char)*p, octal);
    if (!with) continue;
    if (p > run) put(opaque, run, (size_t)(p - run));
    if (*with) put(opaque, with, strlen(with));
    run = p + 1;
  }
  if (*run) put(opaque, run, strlen(run));
  if (quoted) put(opaque, "\"", 1);
}

static void put_file(void *opaque, const char *bytes, size_t len) { fwrite(bytes, 1, len, (FILE *)opaque); }

void cm_escape_file(cm_esc_t sink, const char *text, FILE *out) { cm_escape(sink, text, put_file, out); }

typedef struct {
  char *buf;
  size_t size, len;
} buf_sink_t;

static void put_buf(void *opaque, const char *bytes, size_t len) {
  buf_sink_t *b = opaque;
  size_t room = b->size - 1 - b->len;
  if (len > room) len = room;
  memcpy(b->buf + b->len, bytes, len);
  b->len += len;
  b->buf[b->len] = '\0';
}

char *cm_escape_buf(cm_esc_t sink, const char *text, char *buf, size_t size) {
  if (!buf || !size) return buf;
  buf_sink_t b = {buf, size, 0};
  buf[0] = '\0';
  cm_escape(sink, text, put_buf, &b);
  return buf;
}
