/* tests/fuzz/fuzz_util.h — helpers shared by the fuzz targets: the parsers that take a path get the input through
 * a per-process file on tmpfs; the ones that take text get a NUL-terminated copy. */
#ifndef MCUSIM_FUZZ_UTIL_H
#define MCUSIM_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to a file private to this process and returns its path (static buffer), or NULL. */
static inline const char *fuzz_write_temp(const uint8_t *data, size_t size, const char *suffix) {
  static char path[256];
  if (!path[0]) {
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/mcusim-fuzz-%d%s", dir, (int)getpid(), suffix);
  }
  FILE *f = fopen(path, "wb");
  if (!f) return NULL;
  size_t written = size ? fwrite(data, 1, size, f) : 0;
  if (fclose(f) != 0 || written != size) return NULL;
  return path;
}

static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return NULL;
  if (size) memcpy(text, data, size);
  text[size] = '\0';
  return text;
}

#endif /* MCUSIM_FUZZ_UTIL_H */
