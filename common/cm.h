/* common/cm.h — the small mechanisms every layer shares, each in one place: one-line messages, bounded
 * whole-file reading, atomic file writing, and escaping text for the sink it goes to.
 *
 * Layer 0: depends on libc only. Never prints (cm_escape_file writes only to the FILE it is given) and never
 * exits. Every function here is safe on hostile input: messages are bounded and kept on one line, reads are
 * bounded, escaping covers every byte. */
#ifndef MCUSIM_CM_H
#define MCUSIM_CM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* ---- one-line messages ---- */

/* Formats into msg (size bytes, always NUL-terminated when size > 0, truncated when longer) and replaces every
 * control character (a newline from a file name or a JSON string, say) with a space, so a message is exactly one
 * line that a log or a CI annotation cannot be split by. A NULL msg or size 0 does nothing. Returns msg. */
char *cm_msgf(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *cm_vmsgf(char *msg, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* ---- files ---- */

/* The whole of path (a regular file, a pipe or a character device) as a NUL-terminated string the caller frees;
 * *len (optional) gets its length. At most max_bytes are accepted. On failure returns NULL with errno set:
 * the open/read errno, EISDIR for a directory, EFBIG when the content is longer than max_bytes, ENOMEM. */
char *cm_read_file(const char *path, size_t max_bytes, size_t *len);

/* Writes len bytes to path atomically (a temporary file in the same folder, fsync, then rename): a reader
 * never sees half a file, and a failed write leaves what was there. Returns 0, or -1 with errno set. */
int cm_write_atomic(const char *path, const void *data, size_t len);

/* ---- escaping for a sink ---- */

typedef enum {
  CM_ESC_HTML,        /* & < > " ' as entities: text and attribute values */
  CM_ESC_XML,         /* & < > " as entities; control characters other than \t \n dropped (XML 1.0) */
  CM_ESC_CSV,         /* RFC 4180: quoted when it holds , " CR or LF, quotes doubled; a text starting with = + - @ TAB
                         or CR (a spreadsheet formula) gets a ' before it (OWASP, CSV injection) */
  CM_ESC_GH_DATA,     /* GitHub Actions workflow-command data: % CR LF as %25 %0D %0A */
  CM_ESC_GH_PROPERTY, /* ... a property value: also : and , as %3A %2C */
  CM_ESC_C_STRING,    /* a C string literal with its quotes: \" \\ and other bytes < 0x20 or >= 0x7f in octal */
  CM_ESC_LINE,        /* one line of plain text (a terminal, a CI log): control characters and DEL as spaces; a
                         text starting (after blanks) with "::", a GitHub Actions workflow command when it begins a
                         line, gets a ' before it */
} cm_esc_t;

/* Receives escaped output in pieces. */
typedef void (*cm_put_fn)(void *opaque, const char *bytes, size_t len);

/* Escapes text for the sink, handing the result to put in pieces. */
void cm_escape(cm_esc_t sink, const char *text, cm_put_fn put, void *opaque);
/* The same, written to a stdio stream. */
void cm_escape_file(cm_esc_t sink, const char *text, FILE *out);
/* The same, into buf (size bytes, always NUL-terminated when size > 0, cut when longer). Returns buf. */
char *cm_escape_buf(cm_esc_t sink, const char *text, char *buf, size_t size);

#endif /* MCUSIM_CM_H */
