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

/* The one output writer: every file the tool writes goes through cm_out_* or cm_write_file.
 * - a regular file, or a path that does not exist yet, is replaced atomically: a temporary in the same folder
 *   (unpredictable name, O_CREAT|O_EXCL|O_NOFOLLOW), fsync, rename; a reader never sees half a file, a failure
 *   leaves what was there, the replaced file's permissions are kept;
 * - a symlink is followed and its target written (the link stays);
 * - what exists and is not a regular file (a character device such as /dev/null, a FIFO) is written in place;
 * - "-" and /dev/stdout are standard output (the descriptor set by cm_out_set_stdout_fd, 1 by default),
 *   /dev/stderr, /dev/fd/N and /proc/self/fd/N those descriptors, all written in place;
 * - a directory is EISDIR.
 * Functions return NULL or -1 with errno set. */
typedef struct cm_out cm_out_t;
/* Opens an output; write through cm_out_file, then cm_out_close (commit) or cm_out_abort (nothing changes). */
cm_out_t *cm_out_open(const char *path);
FILE *cm_out_file(cm_out_t *out);
/* Flushes, fsyncs and renames the temporary over the target; frees out either way. 0, or -1 with errno (a write
 * error at any point, ENOSPC, EPIPE on a closed pipe, ...), and then the target is unchanged. */
int cm_out_close(cm_out_t *out);
/* Removes the temporary (nothing changes); keeps errno, so a caller can report why it gave up. */
void cm_out_abort(cm_out_t *out);
/* len bytes to path through cm_out_open/cm_out_close. */
int cm_write_file(const char *path, const void *data, size_t len);
/* The descriptor "-" and /dev/stdout mean (a command that keeps fd 1 for its text sets a duplicate here). */
void cm_out_set_stdout_fd(int fd);
/* Unlinks every temporary of outputs still open. Async-signal-safe: for SIGINT/SIGTERM/SIGHUP handlers. */
void cm_out_remove_temps(void);
/* 1 when both paths exist and are the same file (device and inode, after symlinks), else 0 ("-" is never). */
int cm_same_file(const char *a, const char *b);

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
