/* reports/rpt_field.c — the one reader of report fields (rpt.h): dotted paths, case-sensitive, and one rule for what
 * is not there. */
#include <limits.h>
#include <string.h>

#include "reports/rpt.h"

const cJSON *rpt_get(const cJSON *obj, const char *path) {
  while (obj && *path) {
    size_t n = strcspn(path, ".");
    const cJSON *child = NULL;
    if (cJSON_IsObject(obj))
      for (child = obj->child; child; child = child->next)
        if (child->string && !strncmp(child->string, path, n) && child->string[n] == '\0') break;
    obj = child;
    path += n + (path[n] == '.');
  }
  return obj;
}

int rpt_number(const cJSON *obj, const char *path, double *out) {
  const cJSON *item = rpt_get(obj, path);
  if (!cJSON_IsNumber(item)) return -1;
  *out = item->valuedouble;
  return 0;
}

double rpt_num_or(const cJSON *obj, const char *path, double absent) {
  double value;
  return rpt_number(obj, path, &value) ? absent : value;
}

const char *rpt_str_or(const cJSON *obj, const char *path, const char *absent) {
  const cJSON *item = rpt_get(obj, path);
  return cJSON_IsString(item) ? item->valuestring : absent;
}

const cJSON *rpt_array(const cJSON *obj, const char *path, int *count) {
  const cJSON *item = rpt_get(obj, path);
  if (!cJSON_IsArray(item)) item = NULL;
  if (count) *count = item ? cJSON_GetArraySize(item) : 0;
  return item;
}

unsigned long long rpt_to_u64(double value) {
  if (!(value > 0)) return 0; /* NaN too */
  return value < 18446744073709551616.0 ? (unsigned long long)value : ULLONG_MAX;
}

int rpt_to_int(double value) {
  if (value != value) return 0;
  return value <= INT_MIN ? INT_MIN : value >= INT_MAX ? INT_MAX : (int)value;
}

unsigned long long rpt_u64_or(const cJSON *obj, const char *path, unsigned long long absent) {
  double value;
  return rpt_number(obj, path, &value) ? absent : rpt_to_u64(value);
}

int rpt_int_or(const cJSON *obj, const char *path, int absent) {
  double value;
  return rpt_number(obj, path, &value) ? absent : rpt_to_int(value);
}

const char *rpt_line_or(const cJSON *obj, const char *path, const char *absent) {
  static char ring[8][256];
  static unsigned next;
  const char *text = rpt_str_or(obj, path, absent);
  return text ? cm_escape_buf(CM_ESC_LINE, text, ring[next++ % 8], sizeof ring[0]) : NULL;
}
