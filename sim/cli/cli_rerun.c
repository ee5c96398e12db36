/* sim/cli/cli_rerun.c — reproducibility (issue 19 item 5): what `mcusim run` records in its report as
 * "invocation" (its arguments without the outputs, the working folder, the profile's and annotation files' paths
 * and SHA-256), and `mcusim rerun REPORT.json`, which repeats that run after checking that the firmware, the
 * profile and the annotation files are still the ones the report was made from (docs/report.md "Invocation"). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/cm.h"
#include "reports/rpt.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_io.h"

#define RERUN_MAX_INPUT_BYTES (256u << 20) /* an ELF, a profile or an annotation file hashed here */

/* The output options of `mcusim run` (long names; "r" is --report's short form): left out of the record, so that a
 * rerun writes only its own outputs and records the same arguments. --folded also turns the function profile on,
 * so it is recorded as --profile-functions. */
static const struct {
  const char *name;
  int has_arg; /* 1 required, 2 optional ("--json -" takes the "-") */
} outputs[] = {{"report", 1}, {"html", 1}, {"perfetto", 1}, {"massif", 1}, {"csv", 1}, {"folded", 1}, {"json", 2}};

static int n_noted;
static char **noted;
static const cli_run_opts_t *noted_opts;

void cli_invocation_note(int argc, char **argv, const cli_run_opts_t *o) {
  n_noted = argc;
  noted = argv;
  noted_opts = o;
}

/* Which output option a "--name[=value]" token is (getopt takes unique prefixes), or -1. */
static int output_long(const char *token) {
  size_t len = strcspn(token + 2, "=");
  if (!len) return -1;
  for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++)
    if (!strncmp(token + 2, outputs[i].name, len) && len <= strlen(outputs[i].name)) return (int)i;
  return -1;
}

/* argv[1..] of `run` without its output options, as a JSON array. */
static cJSON *recorded_argv(int argc, char **argv) {
  cJSON *a = cJSON_CreateArray();
  int positional_only = 0;
  for (int i = 1; i < argc; i++) {
    const char *t = argv[i];
    if (positional_only || t[0] != '-' || !t[1]) {
      cJSON_AddItemToArray(a, cJSON_CreateString(t));
      continue;
    }
    if (!strcmp(t, "--")) {
      positional_only = 1;
      cJSON_AddItemToArray(a, cJSON_CreateString(t));
      continue;
    }
    if (t[1] == '-') {
      int o = output_long(t);
      if (o < 0) {
        cJSON_AddItemToArray(a, cJSON_CreateString(t));
        continue;
      }
      const int inline_arg = strchr(t, '=') != NULL;
      if (outputs[o].has_arg == 1 && !inline_arg) i++;
      if (outputs[o].has_arg == 2 && !inline_arg && i + 1 < argc && !strcmp(argv[i + 1], "-")) i++;
      if (!strcmp(outputs[o].name, "folded")) cJSON_AddItemToArray(a, cJSON_CreateString("--profile-functions"));
      continue;
    }
    /* short options: flags, then -p ARG (kept) or -r ARG (left out) */
    char kept[64] = "-";
    size_t k = 1;
    int j = 1;
    for (; t[j]; j++) {
      if (t[j] == 'r') break;
      if (k + 1 < sizeof kept) kept[k++] = t[j];
      if (t[j] == 'p') {
        j = -1; /* the rest of the token, or the next one, is the profile: keep all */
        break;
      }
    }
    kept[k] = 0;
    if (j < 0) {
      cJSON_AddItemToArray(a, cJSON_CreateString(t));
      if (!t[strcspn(t, "p") + 1] && i + 1 < argc) cJSON_AddItemToArray(a, cJSON_CreateString(argv[++i]));
      continue;
    }
    if (k > 1) cJSON_AddItemToArray(a, cJSON_CreateString(kept));
    if (t[j] == 'r' && !t[j + 1]) i++; /* -r OUT */
  }
  return a;
}

/* SHA-256 of a file as 64 hex digits; -1 when it cannot be read. */
static int file_sha256(const char *path, char hex[65]) {
  size_t len = 0;
  char *data = cm_read_file(path, RERUN_MAX_INPUT_BYTES, &len);
  if (!data) return -1;
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, len, (const uint8_t *)data);
  sha256_digest(&ctx, sizeof digest, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  free(data);
  return 0;
}

const char *cli_annotation_path(const char *arg, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s.json", cli_annotations_dir(), arg);
  if (!strchr(arg, '/') && access(arg, R_OK) != 0 && access(buf, R_OK) == 0) return buf;
  return arg;
}

static cJSON *file_json(const char *arg, const char *path) {
  cJSON *o = cJSON_CreateObject();
  char hex[65];
  if (arg) cJSON_AddStringToObject(o, "arg", arg);
  cJSON_AddStringToObject(o, "path", path);
  if (file_sha256(path, hex) == 0)
    cJSON_AddStringToObject(o, "sha256", hex);
  else
    cJSON_AddNullToObject(o, "sha256");
  return o;
}

void cli_invocation_add(cJSON *report, const mcusim_t *sim) {
  const cli_run_opts_t *o = noted_opts;
  if (!report || !noted || !o) return;
  cJSON *inv = cJSON_CreateObject(), *ann = cJSON_CreateArray();
  char cwd[PATH_MAX];
  cJSON_AddItemToObject(inv, "argv", recorded_argv(n_noted, noted));
  cJSON_AddStringToObject(inv, "cwd", getcwd(cwd, sizeof cwd) ? cwd : "");
  const prof_t *p = sim ? mcusim_profile(sim) : NULL;
  if (p && p->path)
    cJSON_AddItemToObject(inv, "profile", file_json(o->profile, p->path));
  else
    cJSON_AddNullToObject(inv, "profile");
  for (int i = 0; i < o->annotate_count; i++) {
    char buf[4096];
    cJSON_AddItemToArray(ann, file_json(o->annotate[i], cli_annotation_path(o->annotate[i], buf, sizeof buf)));
  }
  cJSON_AddItemToObject(inv, "annotations", ann);
  cJSON_AddItemToObject(report, "invocation", inv);
}

/* ---- mcusim rerun ---- */

static void usage_rerun(FILE *out) {
  fprintf(out, "usage: mcusim rerun REPORT.json [-r OUT.json] [--json[=OUT]] [--force]\n"
               "\n"
               "Repeats the run a report of 'mcusim run' records (its \"invocation\": the arguments without the\n"
               "outputs, the working folder) after checking that the firmware, the profile and the annotation files\n"
               "are the ones the report was made from (SHA-256); the new report equals the old one byte for byte\n"
               "when nothing changed. Prints the summary as 'mcusim run' does; exits as 'mcusim run' does.\n"
               "\n"
               "  -r, --report OUT.json  write the new report (may be '-')\n"
               "      --json[=OUT]       the new report on standard output (or OUT)\n"
               "      --force            rerun even when an input changed (each change is named on stderr)\n"
               "  -h, --help             this text\n");
}

/* The recorded file against what `path` holds now: 0 same, 1 changed or unreadable (named on stderr). */
static int changed(const char *what, const char *path, const char *recorded_hex, int force) {
  char hex[65];
  if (!recorded_hex) return 0;
  if (file_sha256(path, hex)) {
    fprintf(stderr, "mcusim rerun: %s %s: cannot read it: %s\n", what, path, strerror(errno));
    return 1;
  }
  if (!strcmp(hex, recorded_hex)) return 0;
  fprintf(stderr, "mcusim rerun: %s %s changed since the report (sha256 %.16s..., the report has %.16s...)%s\n", what,
          path, hex, recorded_hex, force ? ": rerunning anyway (--force)" : ": refusing (--force reruns anyway)");
  return 1;
}

static const char *str_at(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An output path the rerun was given, absolute (the rerun runs in the recorded folder). */
static const char *absolute(const char *path, char *buf, size_t size) {
  if (!path || path[0] == '/' || !strcmp(path, "-")) return path;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return path;
  snprintf(buf, size, "%s/%s", cwd, path);
  return buf;
}

int cli_rerun(int argc, char **argv) {
  static const struct option longopts[] = {{"report", required_argument, 0, 'r'},
                                           {"json", optional_argument, 0, 'J'},
                                           {"force", no_argument, 0, 'f'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  const char *out = NULL, *json = NULL;
  int force = 0;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1;) {
    if (c == 'r')
      out = optarg;
    else if (c == 'J')
      json = cli_io_json_path(argc, argv);
    else if (c == 'f')
      force = 1;
    else if (c == 'h') {
      usage_rerun(stdout);
      return 0;
    } else {
      usage_rerun(stderr);
      return CLI_EXIT_BAD_INPUT;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "mcusim rerun: exactly one REPORT.json is needed\n");
    usage_rerun(stderr);
    return CLI_EXIT_BAD_INPUT;
  }
  const char *path = argv[optind];
  char msg[512], out_buf[PATH_MAX + 8], json_buf[PATH_MAX + 8];
  out = absolute(out, out_buf, sizeof out_buf);
  json = absolute(json, json_buf, sizeof json_buf);
  cJSON *report = rpt_read(path, msg, sizeof msg);
  if (!report) {
    fprintf(stderr, "mcusim rerun: %s\n", msg);
    return CLI_EXIT_BAD_INPUT;
  }
  int rc = CLI_EXIT_BAD_INPUT, n_args = 0;
  char **args = NULL;
  const cJSON *inv = cJSON_GetObjectItemCaseSensitive(report, "invocation");
  const cJSON *rec_argv = cJSON_GetObjectItemCaseSensitive(inv, "argv");
  const char *cwd = str_at(inv, "cwd");
  if (!cJSON_IsArray(rec_argv) || !cwd) {
    fprintf(stderr,
            "mcusim rerun: %s: no \"invocation\" (a report of 'mcusim run' or a sweep job from before issue 19): "
            "nothing to repeat\n",
            path);
    goto done;
  }
  if (*cwd && chdir(cwd)) {
    fprintf(stderr, "mcusim rerun: %s: cannot enter the run's folder %s: %s\n", path, cwd, strerror(errno));
    goto done;
  }
  /* the inputs, as they are now, against the report */
  const cJSON *fw = cJSON_GetObjectItemCaseSensitive(report, "firmware");
  const char *fw_path = str_at(fw, "path");
  int n_changed = fw_path ? changed("firmware", fw_path, str_at(fw, "sha256"), force) : 0;
  const cJSON *prof = cJSON_GetObjectItemCaseSensitive(inv, "profile");
  if (str_at(prof, "arg")) {
    prof_t *p = cli_load_profile(str_at(prof, "arg"));
    if (!p) goto done;
    n_changed += changed("profile", p->path, str_at(prof, "sha256"), force);
    prof_free(p);
  }
  const cJSON *a;
  cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(inv, "annotations")) {
    char buf[4096];
    const char *arg = str_at(a, "arg");
    if (arg)
      n_changed += changed("annotation file", cli_annotation_path(arg, buf, sizeof buf), str_at(a, "sha256"), force);
  }
  if (n_changed && !force) goto done;
  /* run + the rerun's outputs + the recorded arguments */
  args = calloc((size_t)cJSON_GetArraySize(rec_argv) + 6, sizeof *args);
  if (!args) {
    rc = CLI_EXIT_INTERNAL;
    goto done;
  }
  args[n_args++] = "run";
  if (out) args[n_args++] = "--report", args[n_args++] = (char *)out;
  char json_opt[PATH_MAX + 16];
  if (json) snprintf(json_opt, sizeof json_opt, "--json=%s", json), args[n_args++] = json_opt;
  cJSON_ArrayForEach(a, rec_argv) {
    if (!cJSON_IsString(a)) {
      fprintf(stderr, "mcusim rerun: %s: invocation.argv holds a non-string\n", path);
      goto done;
    }
    args[n_args++] = a->valuestring;
  }
  args[n_args] = NULL;
  /* the run records exactly the recorded arguments again (the outputs are left out of the record) */
  rc = cli_run(n_args, args);
done:
  free(args);
  cJSON_Delete(report);
  return rc;
}
