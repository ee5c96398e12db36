/* common/cm_out.c — the one output writer (cm.h): every file the tool writes goes through here.
 *
 * Regular files (and paths that do not exist yet) are replaced atomically: a temporary in the target's folder,
 * named unpredictably and opened O_CREAT|O_EXCL|O_NOFOLLOW (a planted link or file makes the open fail, never
 * redirects the write), written, fsynced and renamed over the target. A symlink is followed to its target, which
 * is what gets replaced. Anything else that exists (a character device such as /dev/null, a FIFO, a socket) is
 * written in place: renaming over it would replace the device node or starve the FIFO's reader. "-",
 * /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N are the process's own descriptors, written in place.
 *
 * Live temporaries are listed in a fixed table so that a signal handler can remove them (cm_out_remove_temps
 * only calls unlink, which is async-signal-safe). */
#define _GNU_SOURCE
#include "common/cm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CM_OUT_MAX_TEMPS 32 /* outputs open at once in one process; the tool has at most a handful */
#define CM_OUT_MAX_HOPS 40  /* symlinks followed before ELOOP, as the kernel does */

struct cm_out {
  FILE *file;
  char *temp;   /* the temporary's path, or NULL when written in place */
  char *target; /* what the temporary is renamed to */
  int slot;     /* index in temps[], or -1 */
};

static int stdout_fd = 1;
static char *volatile temps[CM_OUT_MAX_TEMPS];

void cm_out_set_stdout_fd(int fd) { stdout_fd = fd; }

void cm_out_remove_temps(void) {
  for (int i = 0; i < CM_OUT_MAX_TEMPS; i++) {
    char *t = temps[i];
    if (t) unlink(t);
  }
}

static int register_temp(char *path) {
  for (int i = 0; i < CM_OUT_MAX_TEMPS; i++)
    if (!temps[i]) {
      temps[i] = path;
      return i;
    }
  return -1;
}

/* The descriptor a path names when it is one of the process's own ("-", /dev/stdout, /dev/fd/N, ...), else -1. */
static int own_descriptor(const char *path) {
  if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout")) return stdout_fd;
  if (!strcmp(path, "/dev/stderr")) return 2;
  const char *num = !strncmp(path, "/dev/fd/", 8) ? path + 8 : !strncmp(path, "/proc/self/fd/", 14) ? path + 14 : NULL;
  if (!num || !*num) return -1;
  char *end;
  long fd = strtol(num, &end, 10);
  if (*end || fd < 0 || fd > INT_MAX) return -1;
  return fd == 1 ? stdout_fd : (int)fd;
}

/* Follows symlinks to the path that is to be replaced (which need not exist). Caller frees; NULL with errno. */
static char *resolve_links(const char *path) {
  char *cur = strdup(path);
  for (int hops = 0; cur && hops < CM_OUT_MAX_HOPS; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
    char link[PATH_MAX];
    ssize_t n = readlink(cur, link, sizeof link - 1);
    if (n < 0) break;
    link[n] = '\0';
    const char *slash = strrchr(cur, '/');
    size_t dir_len = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
    char *next = malloc(dir_len + (size_t)n + 1);
    if (next) memcpy(next, cur, dir_len), memcpy(next + dir_len, link, (size_t)n + 1);
    free(cur);
    cur = next;
  }
  if (cur) errno = ELOOP;
  free(cur);
  return NULL;
}

/* 12 characters nobody can guess (getrandom; the clock and a counter if it fails). */
static void random_suffix(char out[13]) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char bytes[12];
  if (getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != (ssize_t)sizeof bytes) {
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^ ++counter;
    for (size_t i = 0; i < sizeof bytes; i++)
      x = x * 6364136223846793005ull + 1442695040888963407ull, bytes[i] = x >> 56;
  }
  for (size_t i = 0; i < sizeof bytes; i++) out[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
  out[12] = '\0';
}

/* A new temporary next to target: DIR/.NAME.XXXXXXXXXXXX.tmp. */
static int open_temp(cm_out_t *o, mode_t keep_mode, int keep) {
  const char *slash = strrchr(o->target, '/');
  size_t dir_len = slash ? (size_t)(slash - o->target) + 1 : 0;
  const char *base = o->target + dir_len;
  size_t base_len = strlen(base) > 200 ? 200 : strlen(base); /* stay under NAME_MAX */
  size_t size = dir_len + base_len + 32;
  if (!(o->temp = malloc(size))) return -1;
  for (int attempt = 0; attempt < 100; attempt++) {
    char suffix[13];
    random_suffix(suffix);
    snprintf(o->temp, size, "%.*s.%.*s.%s.tmp", (int)dir_len, o->target, (int)base_len, base, suffix);
    /* created and listed with signals held: a handler never misses a temporary that exists */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int fd = open(o->temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    int saved_open = errno;
    if (fd >= 0) o->slot = register_temp(o->temp);
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved_open;
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) break;
    if (o->slot < 0 || (keep && fchmod(fd, keep_mode & 07777) != 0) || !(o->file = fdopen(fd, "w"))) {
      int saved = o->slot < 0 ? EMFILE : errno;
      close(fd);
      errno = saved;
      return -1;
    }
    return 0;
  }
  /* no temporary was created: nothing to unlink (the name may be someone else's by now) */
  int saved = errno;
  free(o->temp);
  o->temp = NULL;
  errno = saved;
  return -1;
}

static void release(cm_out_t *o) {
  if (o->slot >= 0) temps[o->slot] = NULL;
  free(o->temp);
  free(o->target);
  free(o);
}

cm_out_t *cm_out_open(const char *path) {
  cm_out_t *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->slot = -1;
  struct stat st;
  int fd = own_descriptor(path), exists = fd < 0 && stat(path, &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    errno = EISDIR;
  } else if (fd >= 0 || (exists && !S_ISREG(st.st_mode))) {
    /* in place: a descriptor of ours (duplicated, so closing the stream leaves it open), a device, a FIFO */
    int out = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (out >= 0 && (o->file = fdopen(out, "w"))) return o;
    if (out >= 0) close(out);
  } else if ((o->target = resolve_links(path)) && open_temp(o, exists ? st.st_mode : 0, exists) == 0) {
    return o;
  }
  int saved = errno;
  if (o->temp) unlink(o->temp);
  release(o);
  errno = saved;
  return NULL;
}

FILE *cm_out_file(cm_out_t *o) { return o->file; }

void cm_out_abort(cm_out_t *o) {
  if (!o) return;
  int saved = errno;
  fclose(o->file);
  if (o->temp) unlink(o->temp);
  release(o);
  errno = saved;
}

int cm_out_close(cm_out_t *o) {
  errno = EIO; /* what ferror alone reports */
  int ok = fflush(o->file) == 0 && !ferror(o->file);
  if (ok && o->temp) ok = fsync(fileno(o->file)) == 0;
  int saved = errno;
  if (fclose(o->file) != 0 && ok) ok = 0, saved = errno;
  if (ok && o->temp) {
    ok = rename(o->temp, o->target) == 0;
    saved = errno;
  }
  if (!ok && o->temp) unlink(o->temp);
  if (ok && o->temp) {
    /* the rename itself reaches the disk with the folder */
    char *slash = strrchr(o->target, '/');
    if (slash) *slash = '\0';
    int dir = open(slash ? (*o->target ? o->target : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) fsync(dir), close(dir);
  }
  release(o);
  errno = saved;
  return ok ? 0 : -1;
}

int cm_write_file(const char *path, const void *data, size_t len) {
  cm_out_t *o = cm_out_open(path);
  if (!o) return -1;
  if (len && fwrite(data, 1, len, o->file) != len) {
    cm_out_abort(o);
    return -1;
  }
  return cm_out_close(o);
}

int cm_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!strcmp(a, "-") || !strcmp(b, "-")) return 0;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
