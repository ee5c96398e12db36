/* tests/profiles/test_prof_periph.c — the `peripherals` section of a profile (docs/peripherals.md): blocks, registers
 * and rules parsed and checked, inline or from a file beside the profile; a typo anywhere is an error naming the file
 * and the field; the bundled STM32 and nRF52840 descriptions load with the reference manuals' base addresses. */
#include "tests/support/check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/prof.h"

static char msg[512];

#define BASE                                                                                                           \
  "\"version\": 1, \"name\": \"t\", \"core\": \"m4\", \"clock_hz\": 100000000, "                                       \
  "\"flash\": { \"base\": \"0x08000000\", \"size\": 65536 }, "                                                         \
  "\"sram\": [ { \"name\": \"sram\", \"base\": \"0x20000000\", \"size\": 65536 } ]"

#define RCC_BLOCK                                                                                                      \
  "{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": \"0x400\", \"registers\": ["                               \
  "{ \"name\": \"CR\", \"offset\": 0, \"reset\": \"0x83\", \"writable\": \"0xF5FDFFFD\" } ], \"rules\": ["             \
  "{ \"when\": \"CR\", \"mask\": \"0x10000\", \"then\": \"CR\", \"set\": \"0x20000\" } ] }"

/* {BASE, "peripherals": {version 1, blocks: [blocks]}} */
static prof_t *with_blocks(const char *blocks) {
  char json[8192];
  snprintf(json, sizeof json, "{ " BASE ", \"peripherals\": { \"version\": 1, \"blocks\": [ %s ] } }", blocks);
  prof_t *p = NULL;
  prof_parse(json, "t.json", &p, msg, sizeof msg);
  return p;
}

static void expect_error(const char *blocks, const char *needle) {
  prof_t *p = with_blocks(blocks);
  ck_assert_msg(p == NULL, "accepted: %s", blocks);
  ck_assert_msg(strstr(msg, "t.json") != NULL, "message does not name the file: %s", msg);
  ck_assert_msg(strstr(msg, needle) != NULL, "message '%s' does not name '%s'", msg, needle);
}

START_TEST(inline_blocks_registers_and_rules) {
  prof_t *p =
      with_blocks("{ \"name\": \"PWR\", \"base\": \"0x40007000\", \"size\": 1024, \"registers\": ["
                  "{ \"name\": \"CR1\", \"offset\": 0 }, { \"name\": \"CSR1\", \"offset\": 4, \"writable\": 0 } ],"
                  "\"rules\": [ { \"when\": \"CR1\", \"mask\": \"0x10000\", \"then\": \"RCC.CR\", \"set\": 1,"
                  " \"note\": \"a rule may reach another block\" } ] }, " RCC_BLOCK);
  ck_assert_msg(p == NULL, "a rule named a block described later: %s", msg); /* "BLOCK.REG" of one above only */
  p = with_blocks(RCC_BLOCK
                  ", { \"name\": \"PWR\", \"base\": \"0x40007000\", \"size\": 1024, \"registers\": ["
                  "{ \"name\": \"CR1\", \"offset\": 0 }, { \"name\": \"CSR1\", \"offset\": 4, \"writable\": 0 } ],"
                  "\"rules\": [ { \"when\": \"CR1\", \"mask\": \"0x10000\", \"then\": \"RCC.CR\", \"set\": 1 },"
                  "{ \"when\": \"CR1\", \"mask\": \"0x10000\", \"then\": \"CSR1\", \"set\": \"0x10000\" } ] }");
  ck_assert_msg(p != NULL, "%s", msg);
  ck_assert_ptr_nonnull(p->periph);
  ck_assert_uint_eq(p->periph->block_count, 2);
  const prof_pblock_t *pwr = &p->periph->blocks[0], *rcc = &p->periph->blocks[1]; /* sorted by base */
  ck_assert_str_eq(pwr->name, "PWR");
  ck_assert_str_eq(rcc->name, "RCC");
  ck_assert_uint_eq(rcc->regs[0].reset, 0x83);
  ck_assert_uint_eq(rcc->regs[0].writable, 0xF5FDFFFDu);
  ck_assert_uint_eq(pwr->regs[0].writable, 0xFFFFFFFFu); /* default: all bits */
  ck_assert_uint_eq(pwr->regs[1].writable, 0);
  ck_assert_uint_eq(pwr->rules[0].then_block, 1); /* renumbered after sorting */
  ck_assert_uint_eq(pwr->rules[0].then_offset, 0);
  ck_assert_uint_eq(pwr->rules[1].then_block, 0);
  ck_assert_uint_eq(pwr->rules[1].then_offset, 4);
  ck_assert_uint_eq(rcc->rules[0].mask, 0x10000);
  ck_assert_uint_eq(rcc->rules[0].set, 0x20000);
  ck_assert_str_eq(p->periph->path, "t.json");
  prof_free(p);
}
END_TEST

START_TEST(typos_are_errors_naming_the_field) {
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"sise\": 1 }",
               "'peripherals.blocks[0].sise'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"registers\": ["
               "{ \"name\": \"CR\", \"offset\": 0, \"rest\": 1 } ] }",
               "'peripherals.blocks[0].registers[0].rest'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"registers\": ["
               "{ \"name\": \"CR\", \"offset\": 0 } ], \"rules\": [ { \"when\": \"CR\", \"mask\": 1, \"then\": \"CR\","
               " \"set\": 2, \"sticky\": true } ] }",
               "'peripherals.blocks[0].rules[0].sticky'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"registers\": ["
               "{ \"name\": \"CR\", \"offset\": 0 } ], \"rules\": [ { \"when\": \"CR\", \"mask\": 1, \"then\": \"CRR\","
               " \"set\": 2 } ] }",
               "'peripherals.blocks[0].rules[0].then'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"rules\": [ { \"when\": \"CR\","
               " \"mask\": 1, \"then\": \"CR\", \"set\": 2 } ] }",
               "'peripherals.blocks[0].rules[0].when'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"registers\": ["
               "{ \"name\": \"DR\", \"offset\": 4, \"stream\": \"uart\" } ] }",
               "'peripherals.blocks[0].registers[0].stream'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"registers\": ["
               "{ \"name\": \"CR\", \"offset\": 2 } ] }",
               "'peripherals.blocks[0].registers[0].offset'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024, \"registers\": ["
               "{ \"name\": \"CR\", \"offset\": 0 }, { \"name\": \"CR\", \"offset\": 4 } ] }",
               "'peripherals.blocks[0].registers[1].name'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023900\", \"size\": 1024 }", "'peripherals.blocks[0].base'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x30000000\", \"size\": 1024 }", "'peripherals.blocks[0].base'");
  expect_error("{ \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 100 }", "'peripherals.blocks[0].size'");
  expect_error(RCC_BLOCK ", { \"name\": \"X\", \"base\": \"0x40023800\", \"size\": 1024 }",
               "'peripherals.blocks[1]' overlaps block 'RCC'");
  expect_error(RCC_BLOCK ", " RCC_BLOCK, "'peripherals.blocks[1].name' repeats block 'RCC'");
  /* the description object itself */
  prof_t *p = NULL;
  ck_assert_int_ne(
      prof_parse("{ " BASE ", \"peripherals\": { \"version\": 2, \"blocks\": [] } }", "t.json", &p, msg, sizeof msg),
      PROF_OK);
  ck_assert_msg(strstr(msg, "t.json: 'peripherals.version' must be 1"), "%s", msg);
  ck_assert_int_ne(prof_parse("{ " BASE ", \"peripherals\": { \"version\": 1, \"blocks\": [" RCC_BLOCK "],"
                              " \"blok\": 1 } }",
                              "t.json", &p, msg, sizeof msg),
                   PROF_OK);
  ck_assert_msg(strstr(msg, "t.json: unknown field 'peripherals.blok'"), "%s", msg);
  ck_assert_int_ne(prof_parse("{ " BASE ", \"peripheral\": \"periph/x.json\" }", "t.json", &p, msg, sizeof msg),
                   PROF_OK);
  ck_assert_msg(strstr(msg, "t.json: unknown field 'peripheral'"), "%s", msg);
  ck_assert_int_ne(prof_parse("{ " BASE ", \"peripherals\": \"../x.json\" }", "t.json", &p, msg, sizeof msg), PROF_OK);
  ck_assert_msg(strstr(msg, "'peripherals' must be a file name"), "%s", msg);
}
END_TEST

/* A profile and its description in a temporary folder: the file is found beside the profile, and a typo in it is
 * named with the description's own path. */
START_TEST(description_file_beside_the_profile) {
  char dir[] = "/tmp/mcusim-prof-periph-XXXXXX", path[256];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/periph", dir);
  ck_assert_int_eq(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/periph/d.json", dir);
  FILE *f = fopen(path, "w");
  fprintf(f, "{ \"version\": 1, \"blocks\": [ %s ] }", RCC_BLOCK);
  fclose(f);
  snprintf(path, sizeof path, "%s/p.json", dir);
  f = fopen(path, "w");
  fprintf(f, "{ " BASE ", \"peripherals\": \"periph/d.json\" }");
  fclose(f);
  prof_t *p = NULL;
  ck_assert_msg(prof_load(path, NULL, &p, msg, sizeof msg) == PROF_OK, "%s", msg);
  ck_assert_uint_eq(p->periph->block_count, 1);
  ck_assert_msg(strstr(p->periph->path, "periph/d.json"), "%s", p->periph->path);
  prof_free(p);
  snprintf(path, sizeof path, "%s/periph/d.json", dir);
  f = fopen(path, "w");
  fprintf(f, "{ \"version\": 1, \"blocks\": [ { \"name\": \"RCC\", \"base\": \"0x40023800\", \"size\": 1024,"
             " \"registres\": [] } ] }");
  fclose(f);
  snprintf(path, sizeof path, "%s/p.json", dir);
  ck_assert_int_eq(prof_load(path, NULL, &p, msg, sizeof msg), PROF_E_FIELD);
  ck_assert_msg(strstr(msg, "periph/d.json: unknown field 'blocks[0].registres'"), "%s", msg);
  snprintf(path, sizeof path, "%s/periph/d.json", dir);
  remove(path);
  snprintf(path, sizeof path, "%s/p.json", dir);
  ck_assert_int_eq(prof_load(path, NULL, &p, msg, sizeof msg), PROF_E_IO);
  ck_assert_msg(strstr(msg, "p.json: 'peripherals': cannot read"), "%s", msg);
  /* a copy of a bundled profile elsewhere (its SRAM changed, say) finds the bundled description it names through
   * the profile folders */
  f = fopen(path, "w");
  fprintf(f, "{ " BASE ", \"peripherals\": \"periph/stm32f4.json\" }");
  fclose(f);
  const char *dirs[] = {PROFILES_DIR, NULL};
  ck_assert_msg(prof_load(path, dirs, &p, msg, sizeof msg) == PROF_OK, "%s", msg);
  ck_assert_msg(strstr(p->periph->path, PROFILES_DIR "/periph/stm32f4.json"), "%s", p->periph->path);
  prof_free(p);
  remove(path);
  snprintf(path, sizeof path, "%s/periph", dir);
  rmdir(path);
  rmdir(dir);
}
END_TEST

/* The bundled descriptions: RCC at the reference manuals' addresses (RM0383/RM0402/RM0385 0x40023800, RM0433
 * 0x58024400, RM0432 0x40021000), the FLASH interface (0x40023C00, 0x52002000, 0x40022000), nRF52840 CLOCK at
 * 0x40000000. */
START_TEST(bundled_descriptions) {
  static const struct {
    const char *profile;
    uint32_t rcc, flash;
  } cases[] = {{"stm32f411", 0x40023800u, 0x40023C00u}, {"stm32f412", 0x40023800u, 0x40023C00u},
               {"stm32f746", 0x40023800u, 0x40023C00u}, {"stm32h743", 0x58024400u, 0x52002000u},
               {"stm32l4r5", 0x40021000u, 0x40022000u}, {"nrf52840", 0x40000000u, 0x4001E000u}};
  const char *dirs[] = {PROFILES_DIR, NULL};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    prof_t *p = NULL;
    ck_assert_msg(prof_load(cases[i].profile, dirs, &p, msg, sizeof msg) == PROF_OK, "%s", msg);
    ck_assert_ptr_nonnull(p->periph);
    int rcc = 0, flash = 0;
    for (unsigned b = 0; b < p->periph->block_count; b++) {
      const prof_pblock_t *blk = &p->periph->blocks[b];
      if (!strcmp(blk->name, i == 5 ? "CLOCK" : "RCC")) rcc = blk->base == cases[i].rcc;
      if (!strcmp(blk->name, i == 5 ? "NVMC" : "FLASH")) flash = blk->base == cases[i].flash;
      if (b) ck_assert_uint_lt(p->periph->blocks[b - 1].base, blk->base);
    }
    ck_assert_msg(rcc && flash, "%s", cases[i].profile);
    prof_free(p);
  }
  /* profiles without peripherals have none */
  prof_t *p = NULL;
  ck_assert_int_eq(prof_load("cortex-m4-0ws", dirs, &p, msg, sizeof msg), PROF_OK);
  ck_assert_ptr_null(p->periph);
  prof_free(p);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("prof_periph");
  TCase *tc = tcase_create("prof_periph");
  tcase_add_test(tc, inline_blocks_registers_and_rules);
  tcase_add_test(tc, typos_are_errors_naming_the_field);
  tcase_add_test(tc, description_file_beside_the_profile);
  tcase_add_test(tc, bundled_descriptions);
  suite_add_tcase(s, tc);
  return s;
}
