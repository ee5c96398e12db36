/* sim/exc.h — the Cortex-M exception model's engine side (internal to sim/): taking an exception (the stack frame,
 * EXC_RETURN, handler mode, the vector) and returning from one (unstacking, tail-chaining), done in the host because
 * Unicorn calls the engine's interrupt hook instead of QEMU's M-profile delivery. Which exception is pending, enabled
 * and of what priority is the SCS device's (sim/devices/scs.h).
 *
 * Measured on Unicorn 2.0.1 (ARCHITECTURE.md): writing PC in the block hook abandons the block (it does not run);
 * writing IPSR through XPSR puts QEMU in handler mode (MRS IPSR reads it); a branch to an EXC_RETURN value arrives
 * as a prefetch abort (intno 3) on the M3/M4/M7 and, with the region 0xFFFFF000-0xFFFFFFFF mapped executable and
 * filled with BKPT, as a BKPT (intno 7) on the M0+, PC at the EXC_RETURN value with bit 0 clear. */
#ifndef MCUSIM_SIM_EXC_H
#define MCUSIM_SIM_EXC_H

#include <stdint.h>

struct mcusim;

#define SIM_EXC_RETURN_BASE 0xFFFFFF00u

/* Before the run: the SCS device's configuration from the profile's core, the EXC_RETURN region. 0 or -1. */
int sim_exc_start(struct mcusim *sim);
/* From the block hook when the cycle count reached the event deadline: advances SysTick, takes the highest pending
 * exception that may preempt, with the block at addr as the return address (the block has not run). 1 when taken:
 * the caller must not charge the block. */
int sim_exc_check(struct mcusim *sim, uint32_t addr);
/* From the interrupt hook with PC in the EXC_RETURN range: exception return (or tail-chain). 0 when the core is
 * not in handler mode (a plain jump there: the caller reports the fetch fault). */
int sim_exc_return(struct mcusim *sim, uint32_t pc);
/* SVC at pc_after - 2: takes SVCall when the vector table has a handler that is not a spinning default handler
 * (`b .`). 0 when not taken (the caller reports the SVC). */
int sim_exc_svc(struct mcusim *sim, uint32_t pc_after);
/* --deliver-faults: vectors a fault at pc to the firmware's handler (UsageFault, BusFault, MemManage when enabled
 * in SHCSR and of enough priority, else HardFault with HFSR.FORCED) with CFSR, HFSR, MMFAR, BFAR set. 0 when it
 * cannot (no handler, a spinning default handler, a fault inside HardFault: lockup): the caller stops the run. */
int sim_exc_deliver_fault(struct mcusim *sim, int kind, uint32_t pc, uint32_t address, const char *what);
/* A block about to run has an FP instruction at fp_pc while CPACR disables CP10/CP11: a NOCP UsageFault named at
 * that instruction. Delivered, it returns to block_pc (nothing of the block ran yet). */
void sim_exc_nocp(struct mcusim *sim, uint32_t fp_pc, uint32_t block_pc);
/* uc_emu_start returned on WFI/WFE (PC after it): skips time to the next event, counting it as sleep, and takes
 * the exception that wakes the core. 1 when the run goes on at *resume_pc; 0 when nothing can ever wake it. */
int sim_exc_sleep(struct mcusim *sim, uint32_t *resume_pc);
/* Whether SP is the main stack (MSP): handler mode, or thread mode with CONTROL.SPSEL clear. Thread stacks on PSP
 * are the firmware's own arrays (static data or heap), not the stack the memory report measures. */
int sim_exc_on_main_stack(struct mcusim *sim);
/* Whether an exception could still interrupt the core (an event is scheduled or one is pending): a `b .` is then
 * an idle loop, not the end of the run. */
int sim_exc_can_interrupt(const struct mcusim *sim);

#endif /* MCUSIM_SIM_EXC_H */
