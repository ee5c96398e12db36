/* common/cm_file.c — bounded whole-file reading (cm.h); writing is cm_out.c. */
#include "common/cm.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *read_stream(FILE *f, size_t max_bytes, size_t *len_out) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 1 >= cap) {
      /* grow by doubling, but never past max_bytes + 2: one byte more than allowed tells "too big" */
      size_t want = cap ? cap * 2 : 65536;
      if (want > max_bytes + 2) want = max_bytes + 2;
      if (want <= cap) want = cap + 1;
      char *grown = realloc(buf, want);
      if (!grown) {
        free(buf);
        errno = ENOMEM;
        return NULL;
      }
      buf = grown;
      cap = want;
    }
    size_t n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
    if (len > max_bytes) {
      free(buf);
      errno = EFBIG;
      return NULL;
    }
    if (n == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  buf[len] = '\0';
  if (len_out) *len_out = len;
  return buf;
}

char *cm_read_file(const char *path, size_t max_bytes, size_t *len) {
  if (max_bytes >= SIZE_MAX - 2) max_bytes = SIZE_MAX - 3;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    errno = EISDIR;
    return NULL;
  }
  char *text = read_stream(f, max_bytes, len);
  int saved = errno;
  fclose(f);
  errno = saved;
  return text;
}
