/* tests/sim/devices/test_scs.c — sim/devices/scs.c without Unicorn: SysTick counting core cycles (ARMv7-M ARM
 * B3.3: a period is RVR + 1 cycles, COUNTFLAG cleared by reading CSR, a write to CVR clears it), NVIC enable/pending
 * and priorities (B3.4, B1.5.4 execution priority with PRIMASK/BASEPRI/FAULTMASK and PRIGROUP), SCB registers. */
#include "tests/support/check_main.h"

#include "sim/devices/scs.h"
#include "tests/sim/devices/fake_host.h"

static dev_scs_t scs;

static void setup_m4(fake_t *f) {
  dev_scs_config_t cfg = {.cpuid = 0x410FC241u, .has_fpu = 1, .prio_bits = 4, .irqs = 240};
  dev_scs_init(&scs, &f->host, &cfg);
}

START_TEST(systick_counts_core_cycles_and_pends_at_each_wrap) {
  fake_t *f = fake_host();
  setup_m4(f);
  f->cycle = 1000;
  dev_scs_write(&scs, DEV_SYST_RVR, 4, 99);
  dev_scs_write(&scs, DEV_SYST_CVR, 4, 0);
  dev_scs_write(&scs, DEV_SYST_CSR, 4, 7);
  ck_assert_uint_eq(dev_scs_deadline(&scs), 1000 + 1 + 99); /* reload on the next cycle, then 99 down to 0 */
  f->cycle = 1001;
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SYST_CVR, 4), 99);
  f->cycle = 1050;
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SYST_CVR, 4), 50);
  ck_assert(!dev_scs_any_pending(&scs));
  dev_scs_advance(&scs, 1100);
  ck_assert(dev_scs_any_pending(&scs));
  ck_assert_uint_eq(dev_scs_next(&scs, DEV_SCS_PRIO_NONE), DEV_EXC_SYSTICK);
  ck_assert_uint_eq(dev_scs_deadline(&scs), 1200); /* period RVR + 1 */
  f->cycle = 1100;
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SYST_CVR, 4), 0);
  ck_assert(dev_scs_read(&scs, DEV_SYST_CSR, 4) & DEV_SYST_CSR_COUNTFLAG);
  ck_assert(!(dev_scs_read(&scs, DEV_SYST_CSR, 4) & DEV_SYST_CSR_COUNTFLAG)); /* cleared by the read */
  dev_scs_advance(&scs, 1450);                                                /* several wraps at once */
  ck_assert_uint_eq(dev_scs_deadline(&scs), 1500);
  dev_scs_write(&scs, DEV_SYST_CSR, 4, 0);
  ck_assert_uint_eq(dev_scs_deadline(&scs), DEV_SCS_NO_DEADLINE);
}
END_TEST

START_TEST(priorities_masks_and_prigroup_decide_what_preempts) {
  fake_t *f = fake_host();
  setup_m4(f);
  dev_scs_write(&scs, DEV_NVIC_IPR + 0, 1, 0x80); /* IRQ0 priority 8 */
  dev_scs_write(&scs, DEV_NVIC_IPR + 1, 1, 0x4F); /* IRQ1 priority 4 (low nibble not implemented) */
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_NVIC_IPR, 4), 0x4080u);
  dev_scs_write(&scs, DEV_NVIC_ISPR, 4, 3); /* pending but not enabled */
  ck_assert_uint_eq(dev_scs_next(&scs, DEV_SCS_PRIO_NONE), 0);
  dev_scs_write(&scs, DEV_NVIC_ISER, 4, 3);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_NVIC_ISER, 4), 3);
  ck_assert_uint_eq(dev_scs_next(&scs, DEV_SCS_PRIO_NONE), 17); /* IRQ1: higher priority */
  dev_scs_activate(&scs, 17);
  int exec = dev_scs_execution_priority(&scs, 0, 0, 0);
  ck_assert_int_eq(exec, 0x40);
  ck_assert_uint_eq(dev_scs_next(&scs, exec), 0);                      /* IRQ0 (0x80) cannot preempt 0x40 */
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_ICSR, 4) & 0x1FFu, 17); /* VECTACTIVE */
  dev_scs_deactivate(&scs, 17);
  ck_assert_uint_eq(dev_scs_next(&scs, dev_scs_execution_priority(&scs, 1, 0, 0)), 0);    /* PRIMASK */
  ck_assert_uint_eq(dev_scs_next(&scs, dev_scs_execution_priority(&scs, 0, 0x80, 0)), 0); /* BASEPRI 8 */
  ck_assert_uint_eq(dev_scs_next(&scs, dev_scs_execution_priority(&scs, 0, 0x90, 0)), 16);
  /* PRIGROUP 7: no group bits, nothing preempts anything but NMI/HardFault */
  dev_scs_write(&scs, DEV_SCB_AIRCR, 4, 0x05FA0700u);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_AIRCR, 4), 0xFA050700u);
  dev_scs_activate(&scs, 16);
  ck_assert_int_eq(dev_scs_execution_priority(&scs, 0, 0, 0), 0);
}
END_TEST

START_TEST(scb_registers_read_back_as_silicon) {
  fake_t *f = fake_host();
  setup_m4(f);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_CPUID, 4), 0x410FC241u);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_CCR, 4), DEV_CCR_STKALIGN);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_FPCCR, 4), 0xC0000000u);
  dev_scs_write(&scs, DEV_SCB_VTOR, 4, 0x20000123u);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_VTOR, 4), 0x20000100u);
  dev_scs_write(&scs, DEV_SCB_ICSR, 4, DEV_ICSR_PENDSVSET);
  ck_assert(dev_scs_read(&scs, DEV_SCB_ICSR, 4) & DEV_ICSR_PENDSVSET);
  ck_assert_uint_eq((dev_scs_read(&scs, DEV_SCB_ICSR, 4) >> 12) & 0x1FFu, DEV_EXC_PENDSV); /* VECTPENDING */
  dev_scs_write(&scs, DEV_NVIC_STIR, 4, 5);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_NVIC_ISPR, 4), 1u << 5);
  dev_scs_write(&scs, DEV_SCB_SHPR1 + 10, 1, 0xF0); /* SHPR3 byte 2: PendSV */
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_SHPR1 + 8, 4), 0x00F00000u);
  scs.cfsr = 0x02000000u; /* DIVBYZERO: write one to clear, by halfword as CMSIS's UFSR */
  dev_scs_write(&scs, DEV_SCB_CFSR + 2, 2, 0x0200);
  ck_assert_uint_eq(dev_scs_read(&scs, DEV_SCB_CFSR, 4), 0);
  ck_assert(!f->exited);
  dev_scs_write(&scs, DEV_SCB_AIRCR, 4, 0x05FA0004u); /* SYSRESETREQ ends the run */
  ck_assert(f->exited && f->exit_code == 0 && scs.reset_requested);
  dev_scs_write(&scs, 0xD94, 4, 0x12345678u); /* MPU_CTRL: not modelled, keeps what was written */
  ck_assert_uint_eq(dev_scs_read(&scs, 0xD94, 4), 0x12345678u);
}
END_TEST

Suite *test_suite(void) {
  Suite *s = suite_create("scs");
  TCase *tc = tcase_create("scs");
  tcase_add_test(tc, systick_counts_core_cycles_and_pends_at_each_wrap);
  tcase_add_test(tc, priorities_masks_and_prigroup_decide_what_preempts);
  tcase_add_test(tc, scb_registers_read_back_as_silicon);
  suite_add_tcase(s, tc);
  return s;
}
