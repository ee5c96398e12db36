/* tests/profiles/test_prof.c — profiles/prof.c: the schema of docs/profiles.md, strictness (unknown fields are
 * errors naming the file and the field), cache defaults, energy, and every bundled profile. */
#include "tests/support/check_main.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/prof.h"

static char msg[512];

#define BASE                                                                                                           \
  "\"version\": 1, \"name\": \"t\", \"core\": \"m4\", \"clock_hz\": 100000000, "                                       \
  "\"sram\": [ { \"name\": \"sram\", \"base\": \"0x20000000\", \"size\": 65536 } ]"

static prof_err parse(const char *json, prof_t **out) { return prof_parse(json, "t.json", out, msg, sizeof msg); }

/* Parse `{BASE, extra}`; the profile or NULL with msg set. */
static prof_t *with(const char *extra) {
  char json[4096];
  snprintf(json, sizeof json, "{ " BASE ", %s }", extra);
  prof_t *p = NULL;
  parse(json, &p);
  return p;
}

static void expect_error(const char *extra, const char *needle) {
  prof_t *p = with(extra);
  ck_assert_msg(p == NULL, "accepted: %s", extra);
  ck_assert_msg(strstr(msg, "t.json") != NULL, "message does not name the file: %s", msg);
  ck_assert_msg(strstr(msg, needle) != NULL, "message '%s' does not name '%s'", msg, needle);
}

START_TEST(minimal_profile_has_no_cache_and_no_power) {
  prof_t *p = with("\"flash\": { \"base\": 0, \"size\": 65536 }");
  ck_assert_ptr_nonnull(p);
  ck_assert_uint_eq(p->flash_wait_states, 0);
  ck_assert_uint_eq(p->flash_read_bits, 32);
  ck_assert_uint_eq(p->icache.line_bytes, 0);
  ck_assert_uint_eq(p->dcache.line_bytes, 0);
  ck_assert_uint_eq(p->tcm_count, 0);
  ck_assert(prof_energy_uj(p, 1000, 0) < 0);
  prof_free(p);
}
END_TEST

/* STM32F4 ART (RM0090 section 3.2: 64 cache lines of 128 bits on I-Code, 8 on D-Code, prefetch on I-Code):
 * a line of 128 bits is one flash read, so a miss costs the wait states. */
START_TEST(art_geometry_and_default_miss_cost) {
  prof_t *p = with("\"flash\": { \"base\": \"0x08000000\", \"size\": 65536, \"wait_states\": 3, \"read_bits\": 128,"
                   " \"icache\": { \"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 64,"
                   " \"prefetch\": true },"
                   " \"dcache\": { \"kind\": \"art\", \"line_bytes\": 16, \"lines\": 8, \"ways\": 8 } }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert_str_eq(p->icache.kind, "art");
  ck_assert_uint_eq(p->icache.line_bytes, 16);
  ck_assert_uint_eq(p->icache.lines, 64);
  ck_assert_uint_eq(p->icache.ways, 64);
  ck_assert_uint_eq(p->icache.prefetch, 1);
  ck_assert_uint_eq(p->icache.miss_cycles, 3);
  ck_assert_uint_eq(p->dcache.lines, 8);
  ck_assert_uint_eq(p->dcache.prefetch, 0);
  ck_assert_uint_eq(p->dcache.miss_cycles, 3);
  prof_free(p);
}
END_TEST

/* A 32-byte line over a 64-bit flash needs four reads: 4 x wait states, unless miss_cycles says otherwise. */
START_TEST(miss_cost_scales_with_reads_per_line_and_can_be_given) {
  prof_t *p = with("\"flash\": { \"base\": 0, \"size\": 65536, \"wait_states\": 5, \"read_bits\": 64,"
                   " \"icache\": { \"kind\": \"art\", \"line_bytes\": 32, \"lines\": 32, \"ways\": 32 } }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert_uint_eq(p->icache.miss_cycles, 20);
  prof_free(p);
  p = with("\"flash\": { \"base\": 0, \"size\": 65536, \"wait_states\": 5, \"read_bits\": 64,"
           " \"icache\": { \"kind\": \"art\", \"line_bytes\": 32, \"lines\": 32, \"ways\": 32, \"miss_cycles\": 5 } }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert_uint_eq(p->icache.miss_cycles, 5);
  prof_free(p);
}
END_TEST

START_TEST(unknown_fields_are_errors_naming_the_field) {
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"wait_state\": 1 }", "flash.wait_state");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"icache\": { \"kind\": \"art\", \"line_bytes\": 16,"
               " \"lines\": 64, \"ways\": 64, \"prefetsh\": true } }",
               "flash.icache.prefetsh");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"dcache\": { \"kind\": \"art\", \"line_bytes\": 16,"
               " \"lines\": 8, \"ways\": 8, \"prefetch\": true } }",
               "flash.dcache.prefetch");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": { \"run_current_ma\": 10, \"supply_v\": 3.3,"
               " \"volts\": 3 }",
               "power.volts");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"caches\": {}", "caches");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"sram2\": []", "sram2");
}
END_TEST

START_TEST(cache_geometry_is_validated) {
  const char *pre = "\"flash\": { \"base\": 0, \"size\": 65536, \"icache\": { ";
  const struct {
    const char *cache, *needle;
  } bad[] = {
      {"\"kind\": \"lru\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 1", "flash.icache.kind"},
      {"\"line_bytes\": 16, \"lines\": 64, \"ways\": 1", "flash.icache.kind"},
      {"\"kind\": \"art\", \"line_bytes\": 24, \"lines\": 64, \"ways\": 1", "flash.icache.line_bytes"},
      {"\"kind\": \"art\", \"line_bytes\": 256, \"lines\": 64, \"ways\": 1", "flash.icache.line_bytes"},
      {"\"kind\": \"art\", \"line_bytes\": 16, \"lines\": 48, \"ways\": 1", "flash.icache.lines"},
      {"\"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 128", "flash.icache.ways"},
      {"\"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 3", "flash.icache.ways"},
      {"\"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64", "flash.icache.ways"},
      {"\"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 2, \"prefetch\": 1", "flash.icache.prefetch"},
      {"\"kind\": \"art\", \"line_bytes\": 16, \"lines\": 64, \"ways\": 2, \"miss_cycles\": -1",
       "flash.icache.miss_cycles"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char extra[1024];
    snprintf(extra, sizeof extra, "%s%s } }", pre, bad[i].cache);
    expect_error(extra, bad[i].needle);
  }
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"read_bits\": 48 }", "flash.read_bits");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"read_bits\": 16 }", "flash.read_bits");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"wait_states\": 16 }", "flash.wait_states");
  /* A unified cache (RP2040 XIP) serves data reads: a separate dcache contradicts it. */
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"icache\": { \"kind\": \"xip\", \"line_bytes\": 8,"
               " \"lines\": 2048, \"ways\": 2, \"unified\": true }, \"dcache\": { \"kind\": \"xip\","
               " \"line_bytes\": 8, \"lines\": 8, \"ways\": 8 } }",
               "flash.dcache");
}
END_TEST

START_TEST(tcm_needs_m7_and_must_not_overlap_flash) {
  expect_error("\"flash\": { \"base\": \"0x08000000\", \"size\": 65536 }, \"tcm\": [ { \"name\": \"itcm\", \"base\": 0,"
               " \"size\": 16384 } ]",
               "tcm");
  char json[2048];
  snprintf(json, sizeof json,
           "{ \"version\": 1, \"name\": \"t\", \"core\": \"m7\", \"clock_hz\": 216000000,"
           " \"flash\": { \"base\": 0, \"size\": 65536 },"
           " \"sram\": [ { \"name\": \"sram\", \"base\": \"0x20000000\", \"size\": 65536 } ],"
           " \"tcm\": [ { \"name\": \"itcm\", \"base\": 0, \"size\": 16384 } ] }");
  prof_t *p = NULL;
  ck_assert_int_eq(parse(json, &p), PROF_E_FIELD);
  ck_assert_ptr_nonnull(strstr(msg, "'tcm[0]' overlaps 'flash'"));
  snprintf(json, sizeof json,
           "{ \"version\": 1, \"name\": \"t\", \"core\": \"m7\", \"clock_hz\": 216000000,"
           " \"flash\": { \"base\": \"0x08000000\", \"size\": 65536 },"
           " \"sram\": [ { \"name\": \"sram\", \"base\": \"0x20000000\", \"size\": 131072 } ],"
           " \"tcm\": [ { \"name\": \"itcm\", \"base\": 0, \"size\": 16384 },"
           " { \"name\": \"dtcm\", \"base\": \"0x20000000\", \"size\": 65536 } ] }");
  ck_assert_int_eq(parse(json, &p), PROF_OK);
  ck_assert_uint_eq(p->tcm_count, 2);
  ck_assert_str_eq(p->tcm[1].name, "dtcm");
  ck_assert_uint_eq(p->tcm[1].size, 65536);
  ck_assert_uint_eq(prof_sram_bytes(p), 131072); /* TCMs are descriptive: capacity is the SRAM regions */
  prof_free(p);
}
END_TEST

/* E = I * V * t: 10 mA at 3.3 V for 100e6 cycles at 100 MHz (1 s) = 33 mJ = 33,000 uJ. */
START_TEST(energy_from_current_voltage_and_cycles) {
  prof_t *p = with("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": { \"run_current_ma\": 10,"
                   " \"supply_v\": 3.3, \"source\": \"DS table\" }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert(fabs(prof_energy_uj(p, 100000000, 0) - 33000.0) < 1e-6);
  ck_assert(fabs(prof_energy_uj(p, 1000, 0) - 0.33) < 1e-9);
  /* without a sleep figure, cycles asleep cost run current */
  ck_assert(fabs(prof_energy_uj(p, 100000000, 50000000) - 33000.0) < 1e-6);
  prof_free(p);
  /* with one: half of the second asleep at 2 mA = 0.5 s * 10 mA * 3.3 V + 0.5 s * 2 mA * 3.3 V = 19,800 uJ */
  p = with("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": { \"run_current_ma\": 10,"
           " \"supply_v\": 3.3, \"sleep_current_ma\": 2 }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert(fabs(prof_energy_uj(p, 100000000, 50000000) - 19800.0) < 1e-6);
  prof_free(p);
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": { \"run_current_ma\": 10, \"supply_v\": 3.3,"
               " \"sleep_current_ma\": 20 }",
               "power.sleep_current_ma");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": { \"run_current_ma\": 0, \"supply_v\": 3.3 }",
               "power.run_current_ma");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": { \"run_current_ma\": 5 }", "power.supply_v");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536 }, \"power\": 3", "power");
}
END_TEST

/* Every bundled profile loads, and the figures docs/profiles.md quotes are the ones in the files. */
START_TEST(bundled_profiles) {
  static const struct {
    const char *name, *core;
    uint64_t clock_hz;
    unsigned ws, line_bytes, lines, ways, miss;
    int power;
  } want[] = {
      {"stm32f746", "m7", 216000000, 7, 32, 128, 2, 7, 1},
      {"stm32h743", "m7", 480000000, 4, 32, 512, 2, 8, 1},
      {"stm32f412", "m4", 100000000, 3, 16, 64, 64, 3, 1},
      {"stm32f411", "m4", 100000000, 3, 16, 64, 64, 3, 1},
      {"stm32l4r5", "m4", 120000000, 5, 32, 32, 32, 5, 1},
      {"nrf52840", "m4", 64000000, 2, 16, 128, 2, 2, 1},
      {"rp2040", "m0plus", 125000000, 0, 8, 2048, 2, 56, 1},
      {"cortex-m0plus-0ws", "m0plus", 48000000, 0, 0, 0, 0, 0, 0},
      {"cortex-m3-0ws", "m3", 72000000, 0, 0, 0, 0, 0, 0},
      {"cortex-m4-0ws", "m4", 100000000, 0, 0, 0, 0, 0, 0},
      {"cortex-m7-0ws", "m7", 216000000, 0, 0, 0, 0, 0, 0},
      {"sim-large", "m7", 216000000, 0, 0, 0, 0, 0, 0},
  };
  const char *dirs[] = {PROFILES_DIR, NULL};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    prof_t *p = NULL;
    ck_assert_msg(prof_load(want[i].name, dirs, &p, msg, sizeof msg) == PROF_OK, "%s", msg);
    ck_assert_str_eq(p->name, want[i].name);
    ck_assert_str_eq(p->core, want[i].core);
    ck_assert_uint_eq(p->clock_hz, want[i].clock_hz);
    ck_assert_uint_eq(p->flash_wait_states, want[i].ws);
    ck_assert_uint_eq(p->icache.line_bytes, want[i].line_bytes);
    ck_assert_uint_eq(p->icache.lines, want[i].lines);
    ck_assert_uint_eq(p->icache.ways, want[i].ways);
    ck_assert_uint_eq(p->icache.miss_cycles, want[i].miss);
    ck_assert_int_eq(prof_energy_uj(p, p->clock_hz, 0) > 0, want[i].power);
    prof_free(p);
  }
  char **names = prof_list(PROFILES_DIR);
  ck_assert_ptr_nonnull(names);
  size_t n = 0;
  for (; names[n]; n++) free(names[n]);
  free(names);
  ck_assert_uint_ge(n, sizeof want / sizeof want[0]);
}
END_TEST

/* Bundled M7 parts describe their TCMs; the RP2040's XIP cache is unified; F4 ART has its 8-line D-cache. */
START_TEST(bundled_memory_details) {
  const char *dirs[] = {PROFILES_DIR, NULL};
  prof_t *p = NULL;
  ck_assert_int_eq(prof_load("stm32f746", dirs, &p, msg, sizeof msg), PROF_OK);
  ck_assert_uint_eq(p->tcm_count, 2);
  ck_assert_uint_eq(p->tcm[0].size, 16 * 1024); /* ITCM */
  ck_assert_uint_eq(p->tcm[1].size, 64 * 1024); /* DTCM */
  ck_assert_uint_eq(p->dcache.lines * p->dcache.line_bytes, 4096);
  prof_free(p);
  ck_assert_int_eq(prof_load("stm32h743", dirs, &p, msg, sizeof msg), PROF_OK);
  ck_assert_uint_eq(p->icache.lines * p->icache.line_bytes, 16384);
  prof_free(p);
  ck_assert_int_eq(prof_load("rp2040", dirs, &p, msg, sizeof msg), PROF_OK);
  ck_assert_uint_eq(p->icache.unified, 1);
  ck_assert_uint_eq(p->icache.lines * p->icache.line_bytes, 16384);
  prof_free(p);
  ck_assert_int_eq(prof_load("stm32f411", dirs, &p, msg, sizeof msg), PROF_OK);
  ck_assert_uint_eq(p->dcache.lines, 8);
  ck_assert_uint_eq(p->icache.prefetch, 1);
  prof_free(p);
}
END_TEST

/* Issue 21: values the parser used to bend (F28) and memory no host can map (F32), refused naming file and field. */
START_TEST(bent_values_and_huge_memories_are_refused) {
  prof_t *p = NULL;
  /* "010000" was octal (4096) through strtoull base 0 */
  expect_error("\"flash\": { \"base\": \"010000\", \"size\": 65536 }", "flash.base");
  expect_error("\"flash\": { \"base\": 0, \"size\": \"0200000\" }", "flash.size");
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536.5 }", "flash.size");
  /* decimal and 0x strings, and a plain 0, still work */
  p = with("\"flash\": { \"base\": \"0\", \"size\": \"65536\" }");
  ck_assert_msg(p != NULL, "%s", msg);
  prof_free(p);
  p = with("\"flash\": { \"base\": \"0x08000000\", \"size\": \"0x10000\" }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert_uint_eq(p->flash.base, 0x08000000u);
  prof_free(p);
  /* a version as a string, a key twice (cJSON would keep the first silently) */
  ck_assert_int_ne(parse("{ \"version\": \"1\", \"name\": \"t\", \"core\": \"m4\", \"clock_hz\": 100000000,"
                         " \"flash\": { \"base\": 0, \"size\": 65536 },"
                         " \"sram\": [ { \"base\": \"0x20000000\", \"size\": 65536 } ] }",
                         &p),
                   PROF_OK);
  ck_assert_msg(strstr(msg, "t.json") && strstr(msg, "'version'"), "%s", msg);
  expect_error("\"flash\": { \"base\": 0, \"size\": 65536, \"size\": 131072 }", "'size' appears twice");
  /* F32: 3.5 GiB of SRAM cost 2 GB of host memory per GiB */
  ck_assert_int_ne(parse("{ \"version\": 1, \"name\": \"t\", \"core\": \"m4\", \"clock_hz\": 100000000,"
                         " \"flash\": { \"base\": 0, \"size\": 65536 },"
                         " \"sram\": [ { \"base\": \"0x20000000\", \"size\": \"0xC0000000\" } ] }",
                         &p),
                   PROF_OK);
  ck_assert_msg(strstr(msg, "t.json") && strstr(msg, "more than the 512 MiB"), "%s", msg);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("profiles");
  TCase *tc = tcase_create("prof");
  tcase_add_test(tc, minimal_profile_has_no_cache_and_no_power);
  tcase_add_test(tc, art_geometry_and_default_miss_cost);
  tcase_add_test(tc, miss_cost_scales_with_reads_per_line_and_can_be_given);
  tcase_add_test(tc, unknown_fields_are_errors_naming_the_field);
  tcase_add_test(tc, cache_geometry_is_validated);
  tcase_add_test(tc, tcm_needs_m7_and_must_not_overlap_flash);
  tcase_add_test(tc, energy_from_current_voltage_and_cycles);
  tcase_add_test(tc, bundled_profiles);
  tcase_add_test(tc, bundled_memory_details);
  tcase_add_test(tc, bent_values_and_huge_memories_are_refused);
  suite_add_tcase(s, tc);
  return s;
}
