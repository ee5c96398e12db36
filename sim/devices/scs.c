/* sim/devices/scs.c — SysTick, NVIC and SCB (scs.h). Registers the device does not model keep what the firmware
 * writes (as the plain memory of the PPB did before), so code touching the MPU or cache maintenance still runs. */
#include "sim/devices/scs.h"

#include <string.h>

#define WORDS (DEV_SCS_EXCEPTIONS / 32)
#define SYST_MAX 0x00FFFFFFu /* 24-bit counter */
/* SYST_CALIB: NOREF (no reference clock: CLKSOURCE reads 1), SKEW (TENMS not exact), TENMS 0 (not given). */
#define SYST_CALIB_VALUE 0xC0000000u
#define FPCCR_RESET 0xC0000000u /* ASPEN | LSPEN (ARMv7-M B3.2.30) */

static void bit_set(uint32_t *set, unsigned n) { set[n / 32] |= 1u << (n % 32); }
static void bit_clear(uint32_t *set, unsigned n) { set[n / 32] &= ~(1u << (n % 32)); }
static int bit_get(const uint32_t *set, unsigned n) { return (set[n / 32] >> (n % 32)) & 1u; }

static uint64_t now_cycle(const dev_scs_t *scs, uint32_t offset) {
  mem_when_t now;
  scs->host->now(scs->host->opaque, DEV_SCS_BASE + offset, &now);
  return now.cycle;
}

static void kick(dev_scs_t *scs) {
  scs->changed = 1;
  if (scs->host->kick) scs->host->kick(scs->host->opaque);
}

static unsigned exceptions(const dev_scs_t *scs) { return 16u + scs->cfg.irqs; }

void dev_scs_init(dev_scs_t *scs, const dev_host_t *host, const dev_scs_config_t *cfg) {
  memset(scs, 0, sizeof *scs);
  scs->host = host;
  scs->cfg = *cfg;
  if (scs->cfg.irqs > DEV_SCS_EXCEPTIONS - 16) scs->cfg.irqs = DEV_SCS_EXCEPTIONS - 16;
  if (scs->cfg.prio_bits == 0 || scs->cfg.prio_bits > 8) scs->cfg.prio_bits = cfg->armv6m ? 2 : 4;
  static const unsigned system[] = {DEV_EXC_NMI,      DEV_EXC_HARDFAULT,  DEV_EXC_MEMMANAGE,
                                    DEV_EXC_BUSFAULT, DEV_EXC_USAGEFAULT, DEV_EXC_SVCALL,
                                    DEV_EXC_DEBUGMON, DEV_EXC_PENDSV,     DEV_EXC_SYSTICK};
  for (size_t i = 0; i < sizeof system / sizeof *system; i++) bit_set(scs->enabled, system[i]);
  scs->ccr = cfg->armv6m ? 0x208u : DEV_CCR_STKALIGN; /* ARMv6-M: STKALIGN and UNALIGN_TRP read as one */
  scs->fpccr = cfg->has_fpu ? FPCCR_RESET : 0;
  scs->syst_calib = SYST_CALIB_VALUE;
  scs->syst_next_wrap = DEV_SCS_NO_DEADLINE;
}

/* ---- SysTick (ARMv7-M B3.3): CVR counts down once per core cycle; reaching 0 sets COUNTFLAG and, with TICKINT,
 * pends SysTick; the next cycle reloads RVR. So a period is RVR + 1 cycles. ---- */

static int syst_counting(const dev_scs_t *scs) {
  return (scs->syst_csr & DEV_SYST_CSR_ENABLE) && scs->syst_next_wrap != DEV_SCS_NO_DEADLINE;
}

void dev_scs_advance(dev_scs_t *scs, uint64_t cycle) {
  if (!syst_counting(scs) || scs->syst_next_wrap > cycle) return;
  uint64_t period = (uint64_t)scs->syst_rvr + 1;
  scs->syst_csr |= DEV_SYST_CSR_COUNTFLAG;
  if (scs->syst_csr & DEV_SYST_CSR_TICKINT) {
    bit_set(scs->pending, DEV_EXC_SYSTICK);
    scs->changed = 1;
  }
  if (!scs->syst_rvr) { /* reload value 0: the counter stops at 0 */
    scs->syst_next_wrap = DEV_SCS_NO_DEADLINE;
    scs->syst_cvr_stopped = 0;
    return;
  }
  scs->syst_next_wrap += ((cycle - scs->syst_next_wrap) / period + 1) * period;
}

uint64_t dev_scs_deadline(const dev_scs_t *scs) {
  return syst_counting(scs) ? scs->syst_next_wrap : DEV_SCS_NO_DEADLINE;
}

static uint32_t syst_cvr(dev_scs_t *scs, uint64_t cycle) {
  if (!syst_counting(scs)) return scs->syst_cvr_stopped;
  dev_scs_advance(scs, cycle);
  if (!syst_counting(scs)) return 0;
  uint64_t left = scs->syst_next_wrap - cycle; /* 1 .. RVR + 1: RVR + 1 is the wrap cycle itself, where CVR is 0 */
  return left > scs->syst_rvr ? 0 : (uint32_t)left;
}

/* Starts counting down from `from` at `cycle` (0: reload first, one cycle later). */
static void syst_start(dev_scs_t *scs, uint64_t cycle, uint32_t from) {
  scs->syst_next_wrap = from ? cycle + from : cycle + 1 + scs->syst_rvr;
  if (!from && !scs->syst_rvr) scs->syst_next_wrap = DEV_SCS_NO_DEADLINE;
}

static void syst_write_csr(dev_scs_t *scs, uint32_t value, uint64_t cycle) {
  uint32_t was = scs->syst_csr & DEV_SYST_CSR_ENABLE, enable = value & DEV_SYST_CSR_ENABLE;
  if (was) scs->syst_cvr_stopped = syst_cvr(scs, cycle); /* catches up first */
  scs->syst_csr = (scs->syst_csr & DEV_SYST_CSR_COUNTFLAG) | (value & 3u) | DEV_SYST_CSR_CLKSOURCE;
  if (enable && !was)
    syst_start(scs, cycle, scs->syst_cvr_stopped);
  else if (!enable)
    scs->syst_next_wrap = DEV_SCS_NO_DEADLINE;
  kick(scs);
}

/* ---- priorities ---- */

int dev_scs_group_priority(const dev_scs_t *scs, unsigned exc) {
  if (exc == DEV_EXC_RESET) return -3;
  if (exc == DEV_EXC_NMI) return -2;
  if (exc == DEV_EXC_HARDFAULT) return -1;
  uint32_t sub = (2u << scs->prigroup) - 1u;
  return (int)(scs->prio[exc] & ~sub & 0xFFu);
}

int dev_scs_execution_priority(const dev_scs_t *scs, uint32_t primask, uint32_t basepri, uint32_t faultmask) {
  int prio = DEV_SCS_PRIO_NONE;
  for (unsigned w = 0; w < WORDS; w++)
    for (uint32_t bits = scs->active[w]; bits; bits &= bits - 1) {
      int p = dev_scs_group_priority(scs, w * 32 + (unsigned)__builtin_ctz(bits));
      if (p < prio) prio = p;
    }
  uint32_t mask = (0xFFu << (8 - scs->cfg.prio_bits)) & 0xFFu;
  if (basepri & mask) {
    int p = (int)(basepri & mask & ~((2u << scs->prigroup) - 1u));
    if (p < prio) prio = p;
  }
  if ((primask & 1u) && prio > 0) prio = 0;
  if ((faultmask & 1u) && prio > -1) prio = -1;
  return prio;
}

unsigned dev_scs_next(const dev_scs_t *scs, int exec_priority) {
  unsigned best = 0;
  int best_group = 0, best_full = 0;
  for (unsigned w = 0; w < WORDS; w++)
    for (uint32_t bits = scs->pending[w] & scs->enabled[w]; bits; bits &= bits - 1) {
      unsigned exc = w * 32 + (unsigned)__builtin_ctz(bits);
      int group = dev_scs_group_priority(scs, exc);
      int full = exc <= DEV_EXC_HARDFAULT ? group : scs->prio[exc];
      if (!best || full < best_full) { /* in number order: an equal priority keeps the lower number */
        best = exc;
        best_group = group;
        best_full = full;
      }
    }
  return best && best_group < exec_priority ? best : 0;
}

int dev_scs_any_pending(const dev_scs_t *scs) {
  for (unsigned w = 0; w < WORDS; w++)
    if (scs->pending[w] & scs->enabled[w]) return 1;
  return 0;
}

void dev_scs_set_pending(dev_scs_t *scs, unsigned exc) {
  if (exc >= exceptions(scs)) return;
  bit_set(scs->pending, exc);
  kick(scs);
}

void dev_scs_activate(dev_scs_t *scs, unsigned exc) {
  bit_clear(scs->pending, exc);
  bit_set(scs->active, exc);
}

void dev_scs_deactivate(dev_scs_t *scs, unsigned exc) { bit_clear(scs->active, exc); }
int dev_scs_is_active(const dev_scs_t *scs, unsigned exc) {
  return exc < DEV_SCS_EXCEPTIONS && bit_get(scs->active, exc);
}

int dev_scs_fault_enabled(const dev_scs_t *scs, unsigned exc) {
  if (scs->cfg.armv6m) return 0;
  if (exc == DEV_EXC_MEMMANAGE) return (scs->shcsr >> 16) & 1u;
  if (exc == DEV_EXC_BUSFAULT) return (scs->shcsr >> 17) & 1u;
  if (exc == DEV_EXC_USAGEFAULT) return (scs->shcsr >> 18) & 1u;
  return 1;
}

/* ---- registers ---- */

/* The exception whose handler runs now: the active one of highest priority (preemption nests by priority). */
static unsigned vectactive(const dev_scs_t *scs) {
  unsigned best = 0;
  int best_prio = DEV_SCS_PRIO_NONE + 1;
  for (unsigned w = 0; w < WORDS; w++)
    for (uint32_t bits = scs->active[w]; bits; bits &= bits - 1) {
      unsigned exc = w * 32 + (unsigned)__builtin_ctz(bits);
      int p = dev_scs_group_priority(scs, exc);
      if (p <= best_prio) {
        best = exc;
        best_prio = p;
      }
    }
  return best;
}

static unsigned active_count(const dev_scs_t *scs) {
  unsigned n = 0;
  for (unsigned w = 0; w < WORDS; w++) n += (unsigned)__builtin_popcount(scs->active[w]);
  return n;
}

static uint32_t icsr(const dev_scs_t *scs) {
  uint32_t v = vectactive(scs);
  if (active_count(scs) <= 1) v |= 1u << 11; /* RETTOBASE */
  unsigned pend = dev_scs_next(scs, DEV_SCS_PRIO_NONE + 1);
  v |= (pend & 0x1FFu) << 12;
  for (unsigned w = 0; w < WORDS; w++)
    if (scs->pending[w] & (w ? ~0u : 0xFFFF0000u)) v |= 1u << 22; /* ISRPENDING */
  if (bit_get(scs->pending, DEV_EXC_SYSTICK)) v |= DEV_ICSR_PENDSTSET;
  if (bit_get(scs->pending, DEV_EXC_PENDSV)) v |= DEV_ICSR_PENDSVSET;
  if (bit_get(scs->pending, DEV_EXC_NMI)) v |= DEV_ICSR_NMIPENDSET;
  return v;
}

static uint32_t shcsr(const dev_scs_t *scs) {
  static const struct {
    unsigned exc, bit;
  } act[] = {{DEV_EXC_MEMMANAGE, 0}, {DEV_EXC_BUSFAULT, 1}, {DEV_EXC_USAGEFAULT, 3}, {DEV_EXC_SVCALL, 7},
             {DEV_EXC_DEBUGMON, 8},  {DEV_EXC_PENDSV, 10},  {DEV_EXC_SYSTICK, 11}},
    pend[] = {{DEV_EXC_USAGEFAULT, 12}, {DEV_EXC_MEMMANAGE, 13}, {DEV_EXC_BUSFAULT, 14}, {DEV_EXC_SVCALL, 15}};
  uint32_t v = scs->shcsr & (7u << 16);
  for (size_t i = 0; i < sizeof act / sizeof *act; i++)
    if (bit_get(scs->active, act[i].exc)) v |= 1u << act[i].bit;
  for (size_t i = 0; i < sizeof pend / sizeof *pend; i++)
    if (bit_get(scs->pending, pend[i].exc)) v |= 1u << pend[i].bit;
  return v;
}

static uint32_t read_word(dev_scs_t *scs, uint32_t off) {
  if (off >= DEV_NVIC_IPR && off < DEV_NVIC_IPR + 0x1F0u) {
    unsigned exc = 16 + (off - DEV_NVIC_IPR);
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
      if (exc + i < DEV_SCS_EXCEPTIONS) v |= (uint32_t)scs->prio[exc + i] << (8 * i);
    return v;
  }
  if (off >= DEV_NVIC_ISER && off < DEV_NVIC_IABR + 0x20u && (off & 0x7Fu) < 0x20u) {
    unsigned n = ((off & 0x7Fu) >> 2); /* IRQs 32n .. 32n+31 are exceptions 16 + 32n ... */
    const uint32_t *set = off < DEV_NVIC_ISPR ? scs->enabled : off < DEV_NVIC_IABR ? scs->pending : scs->active;
    uint32_t lo = n < WORDS ? set[n] >> 16 : 0, hi = n + 1 < WORDS ? set[n + 1] << 16 : 0;
    return lo | hi;
  }
  if (off >= DEV_SCB_SHPR1 && off < DEV_SCB_SHPR1 + 12u) {
    unsigned exc = 4 + (off - DEV_SCB_SHPR1);
    return (uint32_t)scs->prio[exc] | (uint32_t)scs->prio[exc + 1] << 8 | (uint32_t)scs->prio[exc + 2] << 16 |
           (uint32_t)scs->prio[exc + 3] << 24;
  }
  switch (off) {
  case DEV_SCS_ICTR:
    return scs->cfg.irqs ? (scs->cfg.irqs - 1) / 32 : 0;
  case DEV_SCS_ACTLR:
    return scs->actlr;
  case DEV_SYST_CSR: {
    syst_cvr(scs, now_cycle(scs, off)); /* catches up, so COUNTFLAG is current */
    uint32_t v = scs->syst_csr;
    scs->syst_csr &= ~DEV_SYST_CSR_COUNTFLAG; /* cleared by a read */
    return v;
  }
  case DEV_SYST_RVR:
    return scs->syst_rvr;
  case DEV_SYST_CVR:
    return syst_cvr(scs, now_cycle(scs, off));
  case DEV_SYST_CALIB:
    return scs->syst_calib;
  case DEV_SCB_CPUID:
    return scs->cfg.cpuid;
  case DEV_SCB_ICSR:
    return icsr(scs);
  case DEV_SCB_VTOR:
    return scs->vtor;
  case DEV_SCB_AIRCR:
    return 0xFA050000u | (scs->prigroup << 8);
  case DEV_SCB_SCR:
    return scs->scr;
  case DEV_SCB_CCR:
    return scs->ccr;
  case DEV_SCB_SHCSR:
    return shcsr(scs);
  case DEV_SCB_CFSR:
    return scs->cfsr;
  case DEV_SCB_HFSR:
    return scs->hfsr;
  case DEV_SCB_DFSR:
    return scs->dfsr;
  case DEV_SCB_MMFAR:
    return scs->mmfar;
  case DEV_SCB_BFAR:
    return scs->bfar;
  case DEV_SCB_CPACR:
    return scs->cfg.has_fpu ? scs->cpacr : 0;
  case DEV_SCB_FPCCR:
    return scs->fpccr;
  case DEV_SCB_FPCAR:
    return scs->fpcar;
  case DEV_SCB_FPDSCR:
    return scs->fpdscr;
  case DEV_NVIC_STIR:
    return 0;
  default:
    return scs->other[off / 4];
  }
}

uint64_t dev_scs_read(void *state, uint32_t offset, unsigned size) {
  dev_scs_t *scs = state;
  uint32_t word = read_word(scs, offset & ~3u) >> (8 * (offset & 3u));
  return size >= 4 ? word : word & ((1u << (8 * size)) - 1u);
}

/* value already shifted to the byte lane, mask the bytes written */
static void write_word(dev_scs_t *scs, uint32_t off, uint32_t value, uint32_t mask) {
  uint64_t cycle;
  uint32_t prio_mask = (0xFFu << (8 - scs->cfg.prio_bits)) & 0xFFu;
  if (off >= DEV_NVIC_IPR && off < DEV_NVIC_IPR + 0x1F0u) {
    unsigned exc = 16 + (off - DEV_NVIC_IPR);
    for (unsigned i = 0; i < 4; i++)
      if ((mask >> (8 * i) & 0xFFu) && exc + i < DEV_SCS_EXCEPTIONS)
        scs->prio[exc + i] = (uint8_t)((value >> (8 * i)) & prio_mask);
    kick(scs);
    return;
  }
  if (off >= DEV_NVIC_ISER && off < DEV_NVIC_IABR && (off & 0x7Fu) < 0x20u) {
    unsigned n = (off & 0x7Fu) >> 2;
    uint32_t bits = value & mask;
    for (; bits; bits &= bits - 1) {
      unsigned exc = 16 + 32 * n + (unsigned)__builtin_ctz(bits);
      if (exc >= exceptions(scs)) continue;
      if (off < DEV_NVIC_ICER)
        bit_set(scs->enabled, exc);
      else if (off < DEV_NVIC_ISPR)
        bit_clear(scs->enabled, exc);
      else if (off < DEV_NVIC_ICPR)
        bit_set(scs->pending, exc);
      else
        bit_clear(scs->pending, exc);
    }
    kick(scs);
    return;
  }
  if (off >= DEV_SCB_SHPR1 && off < DEV_SCB_SHPR1 + 12u) {
    unsigned exc = 4 + (off - DEV_SCB_SHPR1);
    for (unsigned i = 0; i < 4; i++)
      if (mask >> (8 * i) & 0xFFu) scs->prio[exc + i] = (uint8_t)((value >> (8 * i)) & prio_mask);
    kick(scs);
    return;
  }
  switch (off) {
  case DEV_SCS_ICTR:
  case DEV_SYST_CALIB:
  case DEV_SCB_CPUID:
  case DEV_NVIC_IABR:
    return; /* read-only */
  case DEV_SCS_ACTLR:
    scs->actlr = (scs->actlr & ~mask) | (value & mask);
    return;
  case DEV_SYST_CSR:
    syst_write_csr(scs, (scs->syst_csr & ~mask) | (value & mask), now_cycle(scs, off));
    return;
  case DEV_SYST_RVR: /* takes effect at the next reload */
    cycle = now_cycle(scs, off);
    dev_scs_advance(scs, cycle);
    scs->syst_rvr = ((scs->syst_rvr & ~mask) | (value & mask)) & SYST_MAX;
    if ((scs->syst_csr & DEV_SYST_CSR_ENABLE) && scs->syst_next_wrap == DEV_SCS_NO_DEADLINE) syst_start(scs, cycle, 0);
    kick(scs);
    return;
  case DEV_SYST_CVR: /* any write clears it and COUNTFLAG; the counter reloads on the next cycle */
    cycle = now_cycle(scs, off);
    scs->syst_csr &= ~DEV_SYST_CSR_COUNTFLAG;
    scs->syst_cvr_stopped = 0;
    if (scs->syst_csr & DEV_SYST_CSR_ENABLE) syst_start(scs, cycle, 0);
    kick(scs);
    return;
  case DEV_SCB_ICSR:
    if (value & DEV_ICSR_PENDSVSET) bit_set(scs->pending, DEV_EXC_PENDSV);
    if (value & DEV_ICSR_PENDSVCLR) bit_clear(scs->pending, DEV_EXC_PENDSV);
    if (value & DEV_ICSR_PENDSTSET) bit_set(scs->pending, DEV_EXC_SYSTICK);
    if (value & DEV_ICSR_PENDSTCLR) bit_clear(scs->pending, DEV_EXC_SYSTICK);
    if (value & DEV_ICSR_NMIPENDSET) bit_set(scs->pending, DEV_EXC_NMI);
    kick(scs);
    return;
  case DEV_SCB_VTOR:
    scs->vtor = ((scs->vtor & ~mask) | (value & mask)) & ~0x7Fu;
    return;
  case DEV_SCB_AIRCR:
    if (mask != 0xFFFFFFFFu || (value >> 16) != DEV_AIRCR_VECTKEY) return; /* needs the key, as a word */
    if (!scs->cfg.armv6m) scs->prigroup = (value >> 8) & 7u;
    if (value & DEV_AIRCR_SYSRESETREQ) {
      scs->reset_requested = 1;
      scs->host->exit(scs->host->opaque, 0);
    }
    kick(scs);
    return;
  case DEV_SCB_SCR:
    scs->scr = ((scs->scr & ~mask) | (value & mask)) & 0x16u;
    return;
  case DEV_SCB_CCR:
    if (!scs->cfg.armv6m) scs->ccr = ((scs->ccr & ~mask) | (value & mask)) & 0x7031Bu;
    return;
  case DEV_SCB_SHCSR:
    if (!scs->cfg.armv6m) scs->shcsr = ((scs->shcsr & ~mask) | (value & mask)) & (7u << 16);
    return;
  case DEV_SCB_CFSR: /* write one to clear */
    scs->cfsr &= ~(value & mask);
    return;
  case DEV_SCB_HFSR:
    scs->hfsr &= ~(value & mask);
    return;
  case DEV_SCB_DFSR:
    scs->dfsr &= ~(value & mask);
    return;
  case DEV_SCB_MMFAR:
    scs->mmfar = (scs->mmfar & ~mask) | (value & mask);
    return;
  case DEV_SCB_BFAR:
    scs->bfar = (scs->bfar & ~mask) | (value & mask);
    return;
  case DEV_SCB_CPACR:
    if (scs->cfg.has_fpu) scs->cpacr = ((scs->cpacr & ~mask) | (value & mask)) & (0xFu << 20);
    kick(scs); /* the engine traps FP instructions while CP10 is off */
    return;
  case DEV_SCB_FPCCR:
    if (scs->cfg.has_fpu) scs->fpccr = ((scs->fpccr & ~mask) | (value & mask)) & 0xC00001FBu;
    return;
  case DEV_SCB_FPCAR:
    if (scs->cfg.has_fpu) scs->fpcar = ((scs->fpcar & ~mask) | (value & mask)) & ~7u;
    return;
  case DEV_SCB_FPDSCR:
    if (scs->cfg.has_fpu) scs->fpdscr = ((scs->fpdscr & ~mask) | (value & mask)) & 0x07C00000u;
    return;
  case DEV_NVIC_STIR:
    dev_scs_set_pending(scs, 16 + (value & 0x1FFu));
    return;
  default:
    scs->other[off / 4] = (scs->other[off / 4] & ~mask) | (value & mask);
  }
}

void dev_scs_write(void *state, uint32_t offset, unsigned size, uint64_t value) {
  dev_scs_t *scs = state;
  unsigned shift = 8 * (offset & 3u);
  uint32_t mask = size >= 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1u) << shift;
  write_word(scs, offset & ~3u, (uint32_t)value << shift, mask);
}
