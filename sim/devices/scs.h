/* sim/devices/scs.h — the System Control Space (0xE000E000-0xE000EFFF): SysTick, the NVIC and the SCB registers
 * (ARMv7-M ARM B3.2-B3.4, ARMv6-M ARM B3.2-B3.4). The device owns the pending/enabled/active state of every
 * exception and the priorities; it answers which exception may be taken next. Taking and returning (the stack
 * frame, the core's registers) is the engine's (sim/exc.c), which tells the device what it did.
 *
 * SysTick counts core cycles: its state is the cycle of the next wrap, so a read of SYST_CVR is computed from the
 * time the host reports, and nothing runs per cycle. docs/modelled.md lists every register and what is not
 * modelled. Exception numbers are the architecture's (1 Reset, 2 NMI, 3 HardFault, 4 MemManage, 5 BusFault,
 * 6 UsageFault, 11 SVCall, 12 DebugMonitor, 14 PendSV, 15 SysTick, 16 + n IRQ n). */
#ifndef MCUSIM_DEV_SCS_H
#define MCUSIM_DEV_SCS_H

#include "sim/devices/dev.h"

#define DEV_SCS_BASE 0xE000E000u
#define DEV_SCS_SIZE 0x1000u
#define DEV_SCS_EXCEPTIONS 256u /* 16 system exceptions + 240 IRQs (ARMv7-M maximum; ARMv6-M has 32 IRQs) */
#define DEV_SCS_NO_DEADLINE UINT64_MAX
#define DEV_SCS_PRIO_NONE 256 /* execution priority with nothing active and no mask */

enum {
  DEV_EXC_RESET = 1,
  DEV_EXC_NMI = 2,
  DEV_EXC_HARDFAULT = 3,
  DEV_EXC_MEMMANAGE = 4,
  DEV_EXC_BUSFAULT = 5,
  DEV_EXC_USAGEFAULT = 6,
  DEV_EXC_SVCALL = 11,
  DEV_EXC_DEBUGMON = 12,
  DEV_EXC_PENDSV = 14,
  DEV_EXC_SYSTICK = 15,
  DEV_EXC_IRQ0 = 16,
};

/* register offsets from DEV_SCS_BASE */
#define DEV_SCS_ICTR 0x004u
#define DEV_SCS_ACTLR 0x008u
#define DEV_SYST_CSR 0x010u
#define DEV_SYST_RVR 0x014u
#define DEV_SYST_CVR 0x018u
#define DEV_SYST_CALIB 0x01Cu
#define DEV_NVIC_ISER 0x100u
#define DEV_NVIC_ICER 0x180u
#define DEV_NVIC_ISPR 0x200u
#define DEV_NVIC_ICPR 0x280u
#define DEV_NVIC_IABR 0x300u
#define DEV_NVIC_IPR 0x400u
#define DEV_SCB_CPUID 0xD00u
#define DEV_SCB_ICSR 0xD04u
#define DEV_SCB_VTOR 0xD08u
#define DEV_SCB_AIRCR 0xD0Cu
#define DEV_SCB_SCR 0xD10u
#define DEV_SCB_CCR 0xD14u
#define DEV_SCB_SHPR1 0xD18u
#define DEV_SCB_SHCSR 0xD24u
#define DEV_SCB_CFSR 0xD28u
#define DEV_SCB_HFSR 0xD2Cu
#define DEV_SCB_DFSR 0xD30u
#define DEV_SCB_MMFAR 0xD34u
#define DEV_SCB_BFAR 0xD38u
#define DEV_SCB_AFSR 0xD3Cu
#define DEV_SCB_CPACR 0xD88u
#define DEV_SCB_DEMCR 0xDFCu
#define DEV_NVIC_STIR 0xF00u
#define DEV_SCB_FPCCR 0xF34u
#define DEV_SCB_FPCAR 0xF38u
#define DEV_SCB_FPDSCR 0xF3Cu

#define DEV_SYST_CSR_ENABLE 1u
#define DEV_SYST_CSR_TICKINT 2u
#define DEV_SYST_CSR_CLKSOURCE 4u
#define DEV_SYST_CSR_COUNTFLAG (1u << 16)
#define DEV_ICSR_PENDSTCLR (1u << 25)
#define DEV_ICSR_PENDSTSET (1u << 26)
#define DEV_ICSR_PENDSVCLR (1u << 27)
#define DEV_ICSR_PENDSVSET (1u << 28)
#define DEV_ICSR_NMIPENDSET (1u << 31)
#define DEV_AIRCR_VECTKEY 0x05FAu
#define DEV_AIRCR_SYSRESETREQ (1u << 2)
#define DEV_CCR_DIV_0_TRP (1u << 4)
#define DEV_CCR_STKALIGN (1u << 9)

/* What the part is: set by the engine from the profile's core. */
typedef struct {
  uint32_t cpuid;     /* SCB->CPUID as the core reports it */
  int armv6m;         /* ARMv6-M: no configurable fault handlers, 32 IRQs, SHPR1/CFSR/... absent */
  int has_fpu;        /* CPACR, FPCCR, FPCAR, FPDSCR exist */
  unsigned prio_bits; /* implemented priority bits (top bits of each 8-bit field) */
  unsigned irqs;      /* external interrupts */
} dev_scs_config_t;

typedef struct {
  const dev_host_t *host;
  dev_scs_config_t cfg;
  uint8_t prio[DEV_SCS_EXCEPTIONS]; /* configurable priorities (IPR bytes, SHPR bytes), masked to prio_bits */
  uint32_t enabled[DEV_SCS_EXCEPTIONS / 32], pending[DEV_SCS_EXCEPTIONS / 32], active[DEV_SCS_EXCEPTIONS / 32];
  uint32_t vtor, prigroup, scr, ccr, shcsr, cfsr, hfsr, dfsr, mmfar, bfar, cpacr, fpccr, fpcar, fpdscr, actlr;
  uint32_t other[DEV_SCS_SIZE / 4]; /* registers not interpreted (MPU, cache maintenance, DEMCR...) keep writes */
  /* SysTick */
  uint32_t syst_csr, syst_rvr, syst_calib;
  uint64_t syst_next_wrap;   /* cycle at which CVR reaches 0 next; DEV_SCS_NO_DEADLINE when disabled */
  uint32_t syst_cvr_stopped; /* CVR while disabled */
  int reset_requested;       /* AIRCR.SYSRESETREQ was written with the key */
  int changed;               /* pending or SysTick state changed since the engine last looked */
} dev_scs_t;

void dev_scs_init(dev_scs_t *scs, const dev_host_t *host, const dev_scs_config_t *cfg);
uint64_t dev_scs_read(void *scs, uint32_t offset, unsigned size);
void dev_scs_write(void *scs, uint32_t offset, unsigned size, uint64_t value);

/* Time passes: SysTick wraps up to `cycle` set COUNTFLAG and pend the exception when TICKINT is set. */
void dev_scs_advance(dev_scs_t *scs, uint64_t cycle);
/* The earliest cycle at which dev_scs_advance could change anything (the next SysTick wrap), or
 * DEV_SCS_NO_DEADLINE. */
uint64_t dev_scs_deadline(const dev_scs_t *scs);

/* Group priority of an exception (-3 Reset, -2 NMI, -1 HardFault, else the configured byte with the subpriority
 * bits of AIRCR.PRIGROUP cleared). */
int dev_scs_group_priority(const dev_scs_t *scs, unsigned exc);
/* Execution priority (ARMv7-M B1.5.4): the highest group priority of the active exceptions, lowered further by
 * PRIMASK (0), FAULTMASK (-1) and BASEPRI; DEV_SCS_PRIO_NONE when nothing applies. */
int dev_scs_execution_priority(const dev_scs_t *scs, uint32_t primask, uint32_t basepri, uint32_t faultmask);
/* The pending, enabled exception that would be taken now (the highest priority, then the lowest number), if its
 * group priority is higher than `exec_priority`; else 0. */
unsigned dev_scs_next(const dev_scs_t *scs, int exec_priority);
/* Whether any exception is pending and enabled, whatever the masks (what wakes WFI). */
int dev_scs_any_pending(const dev_scs_t *scs);

void dev_scs_set_pending(dev_scs_t *scs, unsigned exc);
/* Exception entry: pending -> active. Return: active cleared. */
void dev_scs_activate(dev_scs_t *scs, unsigned exc);
void dev_scs_deactivate(dev_scs_t *scs, unsigned exc);
int dev_scs_is_active(const dev_scs_t *scs, unsigned exc);
/* Whether the configurable fault (MemManage, BusFault, UsageFault) is enabled in SHCSR (else it escalates to
 * HardFault). */
int dev_scs_fault_enabled(const dev_scs_t *scs, unsigned exc);

#endif /* MCUSIM_DEV_SCS_H */
