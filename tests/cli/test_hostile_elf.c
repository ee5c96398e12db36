/* tests/cli/test_hostile_elf.c — `mcusim run` on hostile ELF files derived at test time from a real
 * firmware image (tests/firmware/hello.elf): each must end with exit 2 and exactly one line of diagnostics, in
 * bounded time and memory, never a crash. */
#include "tests/support/check_main.h"
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOURCE_ELF FIRMWARE_DIR "/hello.elf"
#define PROFILE "cortex-m4-0ws"
#define MAX_SECONDS 10     /* each run; a valid small ELF loads in milliseconds */
#define MAX_RSS_KIB 600000 /* resident memory of one run (sanitizer builds included) */

static uint8_t *original;
static size_t original_size;
static char output[8192];

static void load_original(void) {
  if (original) return;
  FILE *f = fopen(SOURCE_ELF, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", SOURCE_ELF);
  fseek(f, 0, SEEK_END);
  original_size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  original = malloc(original_size);
  ck_assert_uint_eq(fread(original, 1, original_size, f), original_size);
  fclose(f);
}

/* A private copy of the real ELF to mutate. */
static uint8_t *copy(size_t *size) {
  load_original();
  uint8_t *b = malloc(original_size);
  memcpy(b, original, original_size);
  *size = original_size;
  return b;
}

static Elf32_Ehdr *ehdr(uint8_t *b) { return (Elf32_Ehdr *)b; }
static Elf32_Phdr *phdr(uint8_t *b, int i) { return (Elf32_Phdr *)(b + ehdr(b)->e_phoff) + i; }
static Elf32_Shdr *shdr(uint8_t *b, int i) { return (Elf32_Shdr *)(b + ehdr(b)->e_shoff) + i; }

static Elf32_Shdr *find_section(uint8_t *b, uint32_t type) {
  for (int i = 0; i < ehdr(b)->e_shnum; i++)
    if (shdr(b, i)->sh_type == type) return shdr(b, i);
  ck_abort_msg("no section of type %u in %s", type, SOURCE_ELF);
  return NULL;
}

static void write_file(const char *path, const uint8_t *b, size_t size) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(b, 1, size, f), size);
  fclose(f);
}

typedef struct {
  int exit_code; /* -1: killed by a signal */
  int signal;
  double seconds;
  long max_rss_kib;
  int lines;
} run_t;

/* Runs `mcusim run -p PROFILE -r REPORT PATH` with output captured; measures time and peak memory. */
static run_t run_mcusim(const char *path) {
  char out_path[] = WORK_DIR "/hostile_out.txt";
  run_t r = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    alarm(MAX_SECONDS); /* survives exec: a hang becomes SIGALRM */
    execl(MCUSIM_BIN, MCUSIM_BIN, "run", "-p", PROFILE, "-r", WORK_DIR "/hostile_report.json", path, (char *)NULL);
    _exit(127);
  }
  int status;
  struct rusage ru;
  ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  r.max_rss_kib = ru.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  FILE *f = fopen(out_path, "rb");
  size_t n = f ? fread(output, 1, sizeof output - 1, f) : 0;
  if (f) fclose(f);
  output[n] = '\0';
  for (size_t i = 0; i < n; i++) r.lines += output[i] == '\n';
  return r;
}

/* ---- the hostile inputs: each mutates a copy of the real ELF (or writes something else) ---- */

typedef struct {
  const char *name;
  /* Returns the bytes to write (malloc'd) and their size; NULL means "make(path) created it itself". */
  uint8_t *(*make)(const char *path, size_t *size);
  const char *says; /* expected in the one line */
} hostile_t;

static uint8_t *zero_length(const char *path, size_t *size) {
  *size = 0;
  return malloc(1);
}

static uint8_t *directory(const char *path, size_t *size) {
  mkdir(path, 0755);
  return NULL;
}

static uint8_t *truncated_header(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  *size = 30;
  return b;
}

static uint8_t *truncated_half(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  *size = 0x5000; /* cuts the first segment and loses the section headers */
  return b;
}

static uint8_t *truncated_before_sections(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  *size = ehdr(b)->e_shoff + 8; /* section header table cut in its first entry */
  return b;
}

static uint8_t *segment_beyond_file(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  phdr(b, 0)->p_filesz = phdr(b, 0)->p_memsz = 0x01000000;
  return b;
}

static uint8_t *segment_offset_beyond_file(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  phdr(b, 1)->p_offset = 0x7ffffff0;
  return b;
}

static uint8_t *filesz_above_memsz(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  phdr(b, 1)->p_memsz = phdr(b, 1)->p_filesz - 4;
  return b;
}

static uint8_t *segments_overlap(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  /* the .data segment now runs and loads on top of the code */
  phdr(b, 1)->p_vaddr = phdr(b, 1)->p_paddr = phdr(b, 0)->p_vaddr + 0x100;
  return b;
}

static uint8_t *segment_outside_memory(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  phdr(b, 1)->p_vaddr = phdr(b, 1)->p_paddr = 0x70000000;
  return b;
}

static uint8_t *segment_wraps_4gib(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  phdr(b, 1)->p_vaddr = 0xfffff000;
  phdr(b, 1)->p_memsz = 0x00100000;
  return b;
}

static uint8_t *huge_bss(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  phdr(b, 1)->p_memsz = 0xf0000000; /* 3.75 GiB of .bss */
  return b;
}

static uint8_t *absurd_phnum(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_phnum = 0xfffe;
  return b;
}

static uint8_t *phdrs_beyond_file(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_phoff = 0x7fffff00;
  return b;
}

static uint8_t *absurd_shnum(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_shnum = 0xfeff;
  return b;
}

static uint8_t *shdrs_beyond_file(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_shoff = 0x7fffff00;
  return b;
}

static uint8_t *bad_shstrndx(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_shstrndx = 0xfe00;
  return b;
}

static uint8_t *symtab_beyond_file(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  find_section(b, SHT_SYMTAB)->sh_offset = 0x7ffffff0;
  return b;
}

static uint8_t *symtab_too_large(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  find_section(b, SHT_SYMTAB)->sh_size = 0x40000000;
  return b;
}

static uint8_t *strtab_beyond_file(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  Elf32_Shdr *symtab = find_section(b, SHT_SYMTAB);
  shdr(b, (int)symtab->sh_link)->sh_offset = 0x7ffffff0;
  return b;
}

static uint8_t *not_arm(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_machine = EM_386;
  return b;
}

static uint8_t *big_endian(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  b[EI_DATA] = ELFDATA2MSB;
  return b;
}

static uint8_t *class_64(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  b[EI_CLASS] = ELFCLASS64; /* an ELF32 body under an ELF64 ident */
  return b;
}

static uint8_t *host_64bit(const char *path, size_t *size) {
  FILE *f = fopen(MCUSIM_BIN, "rb");
  ck_assert_ptr_nonnull(f);
  uint8_t *b = malloc(1 << 16);
  *size = fread(b, 1, 1 << 16, f); /* the header and the first tables suffice */
  fclose(f);
  return b;
}

static uint8_t *relocatable(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  ehdr(b)->e_type = ET_REL;
  return b;
}

static uint8_t *not_elf(const char *path, size_t *size) {
  static const char text[] = "{\"this\": \"is not an ELF\"}\n";
  *size = sizeof text - 1;
  uint8_t *b = malloc(sizeof text);
  memcpy(b, text, sizeof text);
  return b;
}

static uint8_t *even_reset_vector(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  uint32_t *vectors = (uint32_t *)(b + phdr(b, 0)->p_offset);
  vectors[1] &= ~1u;
  return b;
}

static uint8_t *stack_outside_sram(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  uint32_t *vectors = (uint32_t *)(b + phdr(b, 0)->p_offset);
  vectors[0] = 0x60000000;
  return b;
}

static uint8_t *no_load_segment(const char *path, size_t *size) {
  uint8_t *b = copy(size);
  for (int i = 0; i < ehdr(b)->e_phnum; i++) phdr(b, i)->p_type = PT_NOTE;
  return b;
}

static const hostile_t hostile[] = {
    {"zero_length", zero_length, "not an ELF"},
    {"directory", directory, "not a regular file"},
    {"truncated_header", truncated_header, "not an ELF"},
    {"truncated_half", truncated_half, ""},
    {"truncated_before_sections", truncated_before_sections, ""},
    {"segment_beyond_file", segment_beyond_file, "beyond the end of the file"},
    {"segment_offset_beyond_file", segment_offset_beyond_file, "beyond the end of the file"},
    {"filesz_above_memsz", filesz_above_memsz, "segment 1"},
    {"segments_overlap", segments_overlap, "overlap"},
    {"segment_outside_memory", segment_outside_memory, "outside"},
    {"segment_wraps_4gib", segment_wraps_4gib, "4 GiB"},
    {"huge_bss", huge_bss, "segment 1"},
    {"absurd_phnum", absurd_phnum, "program header"},
    {"phdrs_beyond_file", phdrs_beyond_file, ""},
    {"absurd_shnum", absurd_shnum, "section"},
    {"shdrs_beyond_file", shdrs_beyond_file, "section"},
    {"bad_shstrndx", bad_shstrndx, "section"},
    {"symtab_beyond_file", symtab_beyond_file, "beyond the end of the file"},
    {"symtab_too_large", symtab_too_large, "beyond the end of the file"},
    {"strtab_beyond_file", strtab_beyond_file, "beyond the end of the file"},
    {"not_arm", not_arm, "not an ARM ELF"},
    {"big_endian", big_endian, "big-endian"},
    {"class_64", class_64, ""},
    {"host_64bit", host_64bit, "64-bit"},
    {"relocatable", relocatable, "not an executable"},
    {"not_elf", not_elf, "not an ELF"},
    {"even_reset_vector", even_reset_vector, "is even"},
    {"stack_outside_sram", stack_outside_sram, "stack pointer"},
    {"no_load_segment", no_load_segment, "no loadable segment"},
};

START_TEST(hostile_elf_is_one_line_and_exit_2) {
  const hostile_t *h = &hostile[_i];
  char path[512];
  snprintf(path, sizeof path, "%s/hostile_%s.elf", WORK_DIR, h->name);
  if (h->make != directory) remove(path);
  size_t size = 0;
  uint8_t *bytes = h->make(path, &size);
  if (bytes) write_file(path, bytes, size);
  free(bytes);
  run_t r = run_mcusim(path);
  ck_assert_msg(r.signal == 0, "%s: killed by signal %d after %.1f s:\n%s", h->name, r.signal, r.seconds, output);
  ck_assert_msg(r.exit_code == 2, "%s: exit %d, expected 2:\n%s", h->name, r.exit_code, output);
  ck_assert_msg(r.lines == 1, "%s: %d lines, expected one:\n%s", h->name, r.lines, output);
  ck_assert_msg(strstr(output, h->says), "%s: '%s' not in: %s", h->name, h->says, output);
  ck_assert_msg(strstr(output, path) || strstr(output, "hostile_"), "%s: the line does not name the file: %s", h->name,
                output);
  ck_assert_msg(r.seconds < MAX_SECONDS, "%s: %.1f s", h->name, r.seconds);
  ck_assert_msg(r.max_rss_kib < MAX_RSS_KIB, "%s: %ld KiB resident", h->name, r.max_rss_kib);
}
END_TEST

/* The unmodified source passes the same path, so the cases above fail for their mutation only. */
START_TEST(source_elf_runs) {
  run_t r = run_mcusim(SOURCE_ELF);
  ck_assert_msg(r.exit_code == 1, "exit %d:\n%s", r.exit_code, output); /* hello exits with code 3 */
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("hostile_elf");
  TCase *tc = tcase_create("run");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, source_elf_runs);
  tcase_add_loop_test(tc, hostile_elf_is_one_line_and_exit_2, 0, sizeof hostile / sizeof *hostile);
  suite_add_tcase(s, tc);
  return s;
}
