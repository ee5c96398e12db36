/* sim/exc.c — exception entry and return in the host (exc.h): ARMv7-M ARM B1.5.6-B1.5.8 (PushStack, ExceptionTaken,
 * ExceptionReturn, PopStack), ARMv6-M ARM B1.5.6-B1.5.8 for the M0+.
 *
 * The stack frame is the basic one (R0-R3, R12, LR, return address, xPSR), 8-byte aligned with xPSR bit 9 recording
 * the padding (CCR.STKALIGN; always on ARMv6-M); with CONTROL.FPCA set on an FPU core, the extended frame (S0-S15,
 * FPSCR, a reserved word) is written at once: lazy stacking (FPCCR.LSPEN) is not modelled, the space and the values
 * are as after a lazy save. Timing: isa/exc_timing.c. */
#include "sim/exc.h"

#include <stdio.h>
#include <string.h>

#include "isa/exc_timing.h"
#include "sim/sim_internal.h"

#define EXC_RETURN_MAP_BASE 0xFFFFF000u
#define EXC_RETURN_MAP_SIZE 0x1000u
#define XPSR_T (1u << 24)
#define XPSR_ALIGN (1u << 9)
#define CONTROL_SPSEL 2u
#define CONTROL_FPCA 4u
#define FRAME_BASIC 0x20u
#define FRAME_EXTENDED 0x68u

static uint32_t reg(mcusim_t *sim, int id) {
  uint32_t v = 0;
  uc_reg_read(sim->uc, id, &v);
  return v;
}

static void set_reg(mcusim_t *sim, int id, uint32_t v) { uc_reg_write(sim->uc, id, &v); }

static void reschedule(mcusim_t *sim);

/* CPACR decides whether FP instructions raise NOCP; a block looked up right after the write must see it. */
static void update_fp(mcusim_t *sim) {
  int fp_disabled = sim->scs.cfg.has_fpu && !((sim->scs.cpacr >> 20) & 3u); /* CP10 (CP11 must match it) */
  if (fp_disabled && !sim->fp_disabled) sim_cache_unlink_fp(sim);
  sim->fp_disabled = fp_disabled;
}

static void host_kick(void *opaque) {
  mcusim_t *sim = opaque;
  update_fp(sim);
  sim->exc_deadline = 0;
  sim->next_event = 0;
}

int sim_exc_start(mcusim_t *sim) {
  isa_core_t core = isa_core_from_name(sim->profile->core);
  static const uint32_t cpuid[ISA_CORE_COUNT] = {
      [ISA_CORE_M0PLUS] = 0x410CC601u, /* Cortex-M0+ r0p1 */
      [ISA_CORE_M3] = 0x412FC231u,     /* Cortex-M3 r2p1 */
      [ISA_CORE_M4] = 0x410FC241u,     /* Cortex-M4 r0p1 */
      [ISA_CORE_M7] = 0x411FC272u,     /* Cortex-M7 r1p2 */
  };
  dev_scs_config_t cfg = {.cpuid = cpuid[core],
                          .armv6m = core == ISA_CORE_M0PLUS,
                          .has_fpu = core == ISA_CORE_M4 || core == ISA_CORE_M7,
                          .prio_bits = core == ISA_CORE_M0PLUS ? 2 : 4,
                          .irqs = core == ISA_CORE_M0PLUS ? 32 : 240};
  sim->dev_host.kick = host_kick;
  dev_scs_init(&sim->scs, &sim->dev_host, &cfg);
  sim->exc_timing = isa_exc_timing(core);
  reschedule(sim);
  /* EXC_RETURN values: executable BKPTs, so the M0+ model reports the branch as a BKPT rather than ending the run;
   * the ARMv7-M models raise a prefetch abort there whatever is mapped, so nothing is mapped for them (every mapped
   * region costs Unicorn's address lookups: measured). */
  if (core != ISA_CORE_M0PLUS) return 0;
  static uint16_t bkpts[EXC_RETURN_MAP_SIZE / 2];
  for (size_t i = 0; i < sizeof bkpts / sizeof *bkpts; i++) bkpts[i] = 0xBE00u;
  if (uc_mem_map(sim->uc, EXC_RETURN_MAP_BASE, EXC_RETURN_MAP_SIZE, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK ||
      uc_mem_write(sim->uc, EXC_RETURN_MAP_BASE, bkpts, sizeof bkpts) != UC_ERR_OK)
    return -1;
  return 0;
}

/* The deadline the block hook compares with: now when an exception is pending (it may become takeable at any
 * boundary, e.g. after CPSIE), else the next SysTick wrap. */
static void reschedule(mcusim_t *sim) {
  sim->exc_deadline = dev_scs_any_pending(&sim->scs) ? 0 : dev_scs_deadline(&sim->scs);
  update_fp(sim);
  sim_plan_events(sim);
}

int sim_exc_on_main_stack(mcusim_t *sim) {
  return (reg(sim, UC_ARM_REG_XPSR) & 0x1FFu) != 0 || !(reg(sim, UC_ARM_REG_CONTROL) & CONTROL_SPSEL);
}

int sim_exc_can_interrupt(const mcusim_t *sim) {
  return dev_scs_any_pending(&sim->scs) || dev_scs_deadline(&sim->scs) != DEV_SCS_NO_DEADLINE;
}

static unsigned takeable(mcusim_t *sim) {
  if (!dev_scs_any_pending(&sim->scs)) return 0;
  int prio = dev_scs_execution_priority(&sim->scs, reg(sim, UC_ARM_REG_PRIMASK), reg(sim, UC_ARM_REG_BASEPRI),
                                        reg(sim, UC_ARM_REG_FAULTMASK));
  return dev_scs_next(&sim->scs, prio);
}

/* Where the vector table at VTOR is read from. VTOR resets to 0; a part whose flash sits elsewhere (STM32 at
 * 0x08000000) aliases its boot memory at 0 (RM0402 2.4 "Boot configuration": main flash is aliased in the boot
 * memory space), so vendor start-up code that never writes VTOR still finds its handlers. Modelled as: when
 * nothing is mapped at VTOR and VTOR lies inside [0, flash size), read the flash at the same offset. */
static uint32_t vector_base(mcusim_t *sim) {
  const prof_region_t *f = &sim->profile->flash;
  uint32_t vtor = sim->scs.vtor, probe;
  if (f->base != 0 && vtor < f->size && uc_mem_read(sim->uc, vtor, &probe, 4) != UC_ERR_OK) return f->base + vtor;
  return vtor;
}

/* The handler's address from the vector table at VTOR; 0 when unreadable. */
static uint32_t vector(mcusim_t *sim, unsigned exc) {
  uint32_t v = 0;
  if (uc_mem_read(sim->uc, vector_base(sim) + 4u * exc, &v, 4) != UC_ERR_OK) return 0;
  return v;
}

/* Wait states of the vector read when the table is in flash (the stacking goes to SRAM: zero wait states). */
static unsigned vector_fetch_cycles(mcusim_t *sim) {
  const prof_region_t *f = &sim->profile->flash;
  return vector_base(sim) - f->base < f->size ? sim->profile->flash_wait_states : 0;
}

static int spinning(mcusim_t *sim, uint32_t handler);

static void exc_fault(mcusim_t *sim, unsigned exc, uint32_t pc, const char *why) {
  char what[128];
  snprintf(what, sizeof what, "exception %u %s", exc, why);
  sim->cur = NULL;
  sim_fault(sim, MCUSIM_FAULT_EXCEPTION, pc, 0, what);
}

/* Starts the handler of exc: IPSR, LR = exc_return, PC from the vector table. */
static int start_handler(mcusim_t *sim, unsigned exc, uint32_t exc_return) {
  uint32_t handler = vector(sim, exc);
  if (!handler) return -1;
  dev_scs_activate(&sim->scs, exc);
  set_reg(sim, UC_ARM_REG_XPSR, XPSR_T | exc);
  set_reg(sim, UC_ARM_REG_LR, exc_return);
  set_reg(sim, UC_ARM_REG_PC, handler | 1u);
  sim->totals.exceptions++;
  sim->cur = NULL; /* the handler's first block is looked up, not taken as a successor of the interrupted one */
  return 0;
}

/* PushStack and ExceptionTaken: the frame on the current stack, then handler mode on MSP. */
static void enter(mcusim_t *sim, unsigned exc, uint32_t return_addr) {
  uint32_t control = reg(sim, UC_ARM_REG_CONTROL), xpsr = reg(sim, UC_ARM_REG_XPSR), sp = reg(sim, UC_ARM_REG_SP);
  int handler_mode = (xpsr & 0x1FFu) != 0;
  if (!handler_mode && (control & 1u)) { /* QEMU ignores CONTROL writes from unprivileged code: no SP switch */
    exc_fault(sim, exc, return_addr, "taken from unprivileged thread mode (CONTROL.nPRIV), which is not modelled");
    return;
  }
  int fp = sim->scs.cfg.has_fpu && (control & CONTROL_FPCA);
  uint32_t size = fp ? FRAME_EXTENDED : FRAME_BASIC;
  uint32_t align = (sim->scs.ccr & DEV_CCR_STKALIGN) && (sp & 4u) ? 4u : 0u;
  uint32_t frame = (sp - size) & ~(align ? 4u : 0u);
  uint32_t words[FRAME_EXTENDED / 4] = {0};
  static const int basic[] = {UC_ARM_REG_R0, UC_ARM_REG_R1,  UC_ARM_REG_R2,
                              UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
  for (int i = 0; i < 6; i++) words[i] = reg(sim, basic[i]);
  words[6] = return_addr & ~1u;
  words[7] = (xpsr & ~XPSR_ALIGN) | (align ? XPSR_ALIGN : 0);
  if (fp) {
    for (int i = 0; i < 16; i++) words[8 + i] = reg(sim, UC_ARM_REG_S0 + i);
    words[24] = reg(sim, UC_ARM_REG_FPSCR);
  }
  if (uc_mem_write(sim->uc, frame, words, size) != UC_ERR_OK || !sim_sram_range(sim, frame, size)) {
    exc_fault(sim, exc, return_addr, "stacking outside SRAM (the stack pointer is wrong)");
    return;
  }
  set_reg(sim, UC_ARM_REG_SP, frame);
  if (frame < sim->lowest_sp && (handler_mode || !(control & CONTROL_SPSEL))) sim->lowest_sp = frame; /* MSP only */
  uint32_t exc_return = handler_mode ? 0xFFFFFFF1u : (control & CONTROL_SPSEL) ? 0xFFFFFFFDu : 0xFFFFFFF9u;
  if (fp) exc_return &= ~0x10u;
  /* CONTROL.SPSEL = 0 while still in thread mode, so QEMU swaps to MSP; FPCA = 0 for the handler. */
  set_reg(sim, UC_ARM_REG_CONTROL, control & ~(CONTROL_SPSEL | CONTROL_FPCA));
  sim->totals.cycles +=
      sim->exc_timing.entry_cycles + vector_fetch_cycles(sim) + (fp ? sim->exc_timing.fp_extra_cycles : 0);
  if (start_handler(sim, exc, exc_return)) exc_fault(sim, exc, return_addr, "has no handler in the vector table");
}

int sim_exc_check(mcusim_t *sim, uint32_t addr) {
  dev_scs_advance(&sim->scs, sim->totals.cycles);
  unsigned exc = addr >= SIM_EXC_RETURN_BASE ? 0 : takeable(sim);
  if (exc) enter(sim, exc, addr);
  reschedule(sim);
  return exc != 0;
}

int sim_exc_return(mcusim_t *sim, uint32_t pc) {
  uint32_t xpsr = reg(sim, UC_ARM_REG_XPSR);
  unsigned exc = xpsr & 0x1FFu;
  if (!exc) return 0;
  uint32_t exc_return = pc | 1u;
  sim_truncate_block(sim, pc & ~1u, 0); /* the M0+ charged the BKPT there as a block */
  unsigned kind = exc_return & 0xFu;
  if (kind != 0x1u && kind != 0x9u && kind != 0xDu) {
    exc_fault(sim, exc, pc, "returned with an invalid EXC_RETURN value");
    return 1;
  }
  dev_scs_deactivate(&sim->scs, exc);
  dev_scs_advance(&sim->scs, sim->totals.cycles);
  unsigned next = takeable(sim);
  if (next) { /* tail-chain: the frame stays, the next handler gets the same EXC_RETURN, no FP context */
    if (sim->scs.cfg.has_fpu) set_reg(sim, UC_ARM_REG_CONTROL, reg(sim, UC_ARM_REG_CONTROL) & ~CONTROL_FPCA);
    sim->totals.cycles += sim->exc_timing.tail_chain_cycles + vector_fetch_cycles(sim);
    if (start_handler(sim, next, exc_return)) exc_fault(sim, next, pc, "has no handler in the vector table");
    reschedule(sim);
    return 1;
  }
  int to_thread = (exc_return & 8u) != 0, fp = sim->scs.cfg.has_fpu && !(exc_return & 0x10u);
  uint32_t control = reg(sim, UC_ARM_REG_CONTROL);
  if (to_thread) {
    set_reg(sim, UC_ARM_REG_XPSR, XPSR_T); /* thread mode first: QEMU swaps SP only there */
    if (exc_return & 4u) set_reg(sim, UC_ARM_REG_CONTROL, control | CONTROL_SPSEL);
  }
  uint32_t frame = reg(sim, UC_ARM_REG_SP), size = fp ? FRAME_EXTENDED : FRAME_BASIC;
  uint32_t words[FRAME_EXTENDED / 4];
  if (uc_mem_read(sim->uc, frame, words, size) != UC_ERR_OK) {
    exc_fault(sim, exc, pc, "unstacking from unreadable memory");
    return 1;
  }
  static const int basic[] = {UC_ARM_REG_R0, UC_ARM_REG_R1,  UC_ARM_REG_R2,
                              UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
  for (int i = 0; i < 6; i++) set_reg(sim, basic[i], words[i]);
  if (fp) {
    for (int i = 0; i < 16; i++) set_reg(sim, UC_ARM_REG_S0 + i, words[8 + i]);
    set_reg(sim, UC_ARM_REG_FPSCR, words[24]);
  }
  if (sim->scs.cfg.has_fpu) {
    control = reg(sim, UC_ARM_REG_CONTROL);
    set_reg(sim, UC_ARM_REG_CONTROL, fp ? control | CONTROL_FPCA : control & ~CONTROL_FPCA);
  }
  uint32_t stacked_xpsr = words[7];
  set_reg(sim, UC_ARM_REG_SP, frame + size + ((stacked_xpsr & XPSR_ALIGN) ? 4u : 0u));
  uint32_t new_xpsr = (stacked_xpsr & ~XPSR_ALIGN) | XPSR_T;
  if (to_thread) new_xpsr &= ~0x1FFu;
  set_reg(sim, UC_ARM_REG_XPSR, new_xpsr);
  sim->totals.cycles += sim->exc_timing.return_cycles + (fp ? sim->exc_timing.fp_extra_cycles : 0);
  set_reg(sim, UC_ARM_REG_PC, words[6] | 1u);
  sim->cur = NULL;
  reschedule(sim);
  return 1;
}

/* A handler that is `b .` (a default handler that spins): taking the exception would only hang the run. */
static int spinning(mcusim_t *sim, uint32_t handler) {
  uint16_t h = sim_read_halfword(sim, handler & ~1u);
  return h == 0xE7FEu;
}

int sim_exc_svc(mcusim_t *sim, uint32_t pc_after) {
  uint32_t handler = vector(sim, DEV_EXC_SVCALL);
  if (!handler || spinning(sim, handler)) return 0;
  dev_scs_set_pending(&sim->scs, DEV_EXC_SVCALL);
  if (takeable(sim) != DEV_EXC_SVCALL) { /* SVC at or above its own priority: HardFault on silicon */
    sim->scs.pending[0] &= ~(1u << DEV_EXC_SVCALL);
    return 0;
  }
  enter(sim, DEV_EXC_SVCALL, pc_after);
  reschedule(sim);
  return 1;
}

int sim_exc_sleep(mcusim_t *sim, uint32_t *resume_pc) {
  uint32_t pc = reg(sim, UC_ARM_REG_PC) & ~1u;
  uint16_t at = sim_read_halfword(sim, pc), before = sim_read_halfword(sim, pc - 2);
  int wfx_before = before == 0xBF30u || before == 0xBF20u, wfx_at = at == 0xBF30u || at == 0xBF20u;
  if (!wfx_before && !wfx_at) return 0;
  uint32_t resume = wfx_before ? pc : pc + 2;
  if (!dev_scs_any_pending(&sim->scs)) {
    uint64_t wake = dev_scs_deadline(&sim->scs);
    if (wake == DEV_SCS_NO_DEADLINE) return 0;
    if (wake > sim->totals.cycles) {
      sim->totals.sleep_cycles += wake - sim->totals.cycles;
      sim->totals.cycles = wake;
    }
    dev_scs_advance(&sim->scs, sim->totals.cycles);
  }
  sim->cur = NULL;
  set_reg(sim, UC_ARM_REG_PC, resume | 1u);
  unsigned exc = takeable(sim);
  if (exc) enter(sim, exc, resume);
  reschedule(sim);
  *resume_pc = reg(sim, UC_ARM_REG_PC) | 1u;
  return !sim->stopping;
}

/* CFSR bits (ARMv7-M ARM B3.2.15) and HFSR (B3.2.16). */
#define CFSR_IACCVIOL (1u << 0)
#define CFSR_MMARVALID (1u << 7)
#define CFSR_IBUSERR (1u << 8)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_NOCP (1u << 19)
#define CFSR_UNALIGNED (1u << 24)
#define CFSR_DIVBYZERO (1u << 25)
#define HFSR_FORCED (1u << 30)

int sim_exc_deliver_fault(mcusim_t *sim, int kind, uint32_t pc, uint32_t address, const char *what) {
  unsigned exc;
  uint32_t cfsr = 0;
  int bfar = 0;
  switch ((mcusim_fault_kind_t)kind) {
  case MCUSIM_FAULT_UNDEFINED_INSN:
    exc = DEV_EXC_USAGEFAULT;
    cfsr = strstr(what, "coprocessor") ? CFSR_NOCP : strstr(what, "divide by zero") ? CFSR_DIVBYZERO : CFSR_UNDEFINSTR;
    break;
  case MCUSIM_FAULT_EXCEPTION:
    if (!strstr(what, "INVSTATE")) return 0;
    exc = DEV_EXC_USAGEFAULT;
    cfsr = CFSR_INVSTATE;
    break;
  case MCUSIM_FAULT_UNALIGNED:
    exc = DEV_EXC_USAGEFAULT;
    cfsr = CFSR_UNALIGNED;
    break;
  case MCUSIM_FAULT_READ_UNMAPPED:
  case MCUSIM_FAULT_WRITE_UNMAPPED:
  case MCUSIM_FAULT_WRITE_PROTECTED:
    exc = DEV_EXC_BUSFAULT;
    cfsr = CFSR_PRECISERR | CFSR_BFARVALID;
    bfar = 1;
    break;
  case MCUSIM_FAULT_FETCH_UNMAPPED:
    exc = DEV_EXC_BUSFAULT;
    cfsr = CFSR_IBUSERR;
    break;
  case MCUSIM_FAULT_FETCH_PROTECTED:
    exc = DEV_EXC_MEMMANAGE;
    cfsr = CFSR_IACCVIOL;
    break;
  default:
    return 0; /* BKPT, SVC, WFI: not faults of silicon */
  }
  dev_scs_t *scs = &sim->scs;
  int prio = dev_scs_execution_priority(scs, reg(sim, UC_ARM_REG_PRIMASK), reg(sim, UC_ARM_REG_BASEPRI),
                                        reg(sim, UC_ARM_REG_FAULTMASK));
  if (!dev_scs_fault_enabled(scs, exc) || dev_scs_group_priority(scs, exc) >= prio) exc = DEV_EXC_HARDFAULT;
  if (exc == DEV_EXC_HARDFAULT && prio <= -1) return 0; /* a fault in HardFault or NMI: lockup */
  uint32_t handler = vector(sim, exc);
  if (!handler || spinning(sim, handler)) return 0;
  if (!scs->cfg.armv6m) {
    scs->cfsr |= cfsr;
    if (bfar) scs->bfar = address;
    if (exc == DEV_EXC_HARDFAULT) scs->hfsr |= HFSR_FORCED;
  }
  dev_scs_set_pending(scs, exc);
  sim->cur = NULL;
  enter(sim, exc, sim->fault_return_pc ? sim->fault_return_pc : pc);
  reschedule(sim);
  return !sim->stopping;
}

void sim_exc_nocp(mcusim_t *sim, uint32_t fp_pc, uint32_t block_pc) {
  sim->cur = NULL;
  sim->fault_return_pc = block_pc;
  sim_fault(sim, MCUSIM_FAULT_UNDEFINED_INSN, fp_pc, 0,
            "FP (coprocessor CP10/CP11) instruction with the FPU disabled in CPACR (NOCP UsageFault)");
  sim->fault_return_pc = 0;
}
