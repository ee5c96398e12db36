/* sim/fault.c — exceptions and faults: what Unicorn raises to the host (BKPT for semihosting, SVC, UsageFaults),
 * unmapped and protected accesses, an engine error after the run, WFI; each becomes a fault record with the
 * registers, the symbol and the instruction, and stops the run. */
#include <stdio.h>

#include "sim/sim_internal.h"

static void read_registers(mcusim_t *sim, uint32_t regs[17]) {
  for (int i = 0; i < 17; i++) regs[i] = sim_reg(sim, i);
}

static void record_fault(mcusim_t *sim, mcusim_fault_t *f, mcusim_fault_kind_t kind, uint32_t pc, uint32_t address,
                         const char *what) {
  f->kind = kind;
  f->pc = pc;
  f->address = address;
  read_registers(sim, f->regs);
  f->regs[15] = pc;
  mcusim_symbolize(sim, pc, f->symbol, sizeof f->symbol);
  uint8_t code[4] = {0};
  if (uc_mem_read(sim->uc, pc, code, 4) == UC_ERR_OK)
    isa_disasm(sim->isa, code, 4, pc, f->insn, sizeof f->insn);
  else
    snprintf(f->insn, sizeof f->insn, "?");
  snprintf(f->message, sizeof f->message, "%s at pc 0x%08x (%s: %s)", what, pc, f->symbol, f->insn);
}

void sim_fault(mcusim_t *sim, mcusim_fault_kind_t kind, uint32_t pc, uint32_t address, const char *what) {
  if (sim->stopping) return;
  /* --deliver-faults: the firmware's fault handler runs; the first delivered fault is kept for the report */
  if (sim->limits.deliver_faults) {
    mcusim_fault_t seen;
    record_fault(sim, &seen, kind, pc, address, what);
    if (sim_exc_deliver_fault(sim, kind, pc, address, what)) {
      if (!sim->result.faults_delivered++) sim->result.delivered_fault = seen;
      return;
    }
  }
  record_fault(sim, &sim->result.fault, kind, pc, address, what);
  sim_stop(sim, MCUSIM_STOP_FAULT);
}

/* Exceptions Unicorn raises to the host (QEMU's EXCP_* numbers for ARM). */
enum {
  EXCP_UDEF = 1,
  EXCP_SWI = 2,
  EXCP_PREFETCH_ABORT = 3,
  EXCP_DATA_ABORT = 4,
  EXCP_BKPT = 7,
  EXCP_EXCEPTION_EXIT = 8, /* QEMU's M-profile exception return, raised for some PC loads of EXC_RETURN */
  EXCP_NOCP = 17,
  EXCP_INVSTATE = 18,
  EXCP_UNALIGNED = 22
};

/* UsageFaults of the instruction at PC: nothing executed it. */
static const struct {
  uint32_t intno;
  mcusim_fault_kind_t kind;
  const char *what;
} usage_faults[] = {
    {EXCP_UDEF, MCUSIM_FAULT_UNDEFINED_INSN, "undefined instruction (UsageFault)"},
    {EXCP_NOCP, MCUSIM_FAULT_UNDEFINED_INSN, "coprocessor instruction with the coprocessor disabled"},
    {EXCP_INVSTATE, MCUSIM_FAULT_EXCEPTION, "branch to an ARM-state (even) address: INVSTATE UsageFault"},
    {EXCP_UNALIGNED, MCUSIM_FAULT_UNALIGNED, "unaligned access (UsageFault)"},
    /* Measured: an unaligned LDR/LDRH/STR on the M0+ arrives as a data abort (no MPU: nothing else raises one). */
    {EXCP_DATA_ABORT, MCUSIM_FAULT_UNALIGNED, "unaligned access (HardFault on ARMv6-M)"},
};

void sim_on_interrupt(uc_engine *uc, uint32_t intno, void *opaque) {
  mcusim_t *sim = opaque;
  uint32_t pc = sim_reg(sim, 15);
  char what[96];
  /* A branch to an EXC_RETURN value (sim/exc.h): a prefetch abort or QEMU's exception exit on ARMv7-M, a BKPT of the
   * mapped region on the M0+ */
  if (pc >= SIM_EXC_RETURN_BASE &&
      (intno == EXCP_PREFETCH_ABORT || intno == EXCP_BKPT || intno == EXCP_EXCEPTION_EXIT)) {
    if (sim_exc_return(sim, pc)) return;
    snprintf(what, sizeof what, "instruction fetch from unmapped address 0x%08x", pc & ~1u);
    sim->cur = NULL;
    sim_fault(sim, MCUSIM_FAULT_FETCH_UNMAPPED, pc & ~1u, pc & ~1u, what);
    return;
  }
  switch (intno) {
  case EXCP_BKPT:
    if ((sim_read_halfword(sim, pc) & 0xFF00u) == 0xBE00u && (sim_read_halfword(sim, pc) & 0xFFu) == 0xABu) {
      sim_truncate_block(sim, pc, 1);
      sim_semihost(sim);
      if (sim->stopping) return;     /* writing PC would restart Unicorn's loop and undo the stop */
      uint32_t next = (pc + 2) | 1u; /* BKPT does not advance PC; bit 0 keeps Thumb state */
      uc_reg_write(uc, UC_ARM_REG_PC, &next);
      return;
    }
    sim_truncate_block(sim, pc, 1);
    snprintf(what, sizeof what, "BKPT 0x%02x (not semihosting: no debugger attached)",
             sim_read_halfword(sim, pc) & 0xFFu);
    sim_fault(sim, MCUSIM_FAULT_BKPT, pc, 0, what);
    return;
  case EXCP_PREFETCH_ABORT: { /* a branch to memory that is not mapped executable: PC is the target */
    uint8_t probe[2];
    int mapped = uc_mem_read(uc, pc & ~1u, probe, sizeof probe) == UC_ERR_OK;
    snprintf(what, sizeof what, "instruction fetch from %s address 0x%08x", mapped ? "non-executable" : "unmapped",
             pc & ~1u);
    sim->cur = NULL;
    sim_fault(sim, mapped ? MCUSIM_FAULT_FETCH_PROTECTED : MCUSIM_FAULT_FETCH_UNMAPPED, pc & ~1u, pc & ~1u, what);
    return;
  }
  case EXCP_SWI: /* PC already points after the SVC */
    sim_truncate_block(sim, pc - 2, 1);
    if (sim_exc_svc(sim, pc)) return;
    sim_fault(sim, MCUSIM_FAULT_SVC, pc - 2, 0,
              "SVC with no SVCall handler (vector 0 or a `b .` default handler) or at a priority that cannot take it "
              "(HardFault on silicon)");
    return;
  default:
    for (size_t i = 0; i < sizeof usage_faults / sizeof *usage_faults; i++)
      if (usage_faults[i].intno == intno) {
        sim_truncate_block(sim, pc, 0);
        sim_fault(sim, usage_faults[i].kind, pc, 0, usage_faults[i].what);
        return;
      }
    sim_truncate_block(sim, pc, 0);
    snprintf(what, sizeof what, "CPU exception %u the exception model does not handle", intno);
    sim_fault(sim, MCUSIM_FAULT_EXCEPTION, pc, 0, what);
  }
}

bool sim_on_bad_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *opaque) {
  mcusim_t *sim = opaque;
  sim->fault_address = (uint32_t)address;
  return false; /* let Unicorn stop with its error code; the run loop turns it into a fault */
}

/* A WFI/WFE at or just before PC: the core waits for an event no device can send. 1 when it was one (and a
 * fault is recorded). */
static int halted_on_wfi(mcusim_t *sim) {
  uint32_t pc = sim_reg(sim, 15);
  uint16_t before = sim_read_halfword(sim, pc - 2), at = sim_read_halfword(sim, pc);
  if (!(at == 0xBF30u || at == 0xBF20u || before == 0xBF30u || before == 0xBF20u)) return 0;
  uint32_t wfi_pc = (before == 0xBF30u || before == 0xBF20u) ? pc - 2 : pc;
  sim->cur = NULL;
  sim_fault(sim, MCUSIM_FAULT_WFI, wfi_pc, 0, "WFI/WFE with no interrupt source to wake the core");
  return 1;
}

/* Turns Unicorn's error into a fault of the firmware (PC is at the faulting instruction). */
void sim_fault_from_engine(mcusim_t *sim, uc_err err) {
  uint32_t pc = sim_reg(sim, 15);
  char what[128];
  mcusim_fault_kind_t kind;
  switch (err) {
  case UC_ERR_READ_UNMAPPED:
    kind = MCUSIM_FAULT_READ_UNMAPPED;
    break;
  case UC_ERR_WRITE_UNMAPPED:
    kind = MCUSIM_FAULT_WRITE_UNMAPPED;
    break;
  case UC_ERR_FETCH_UNMAPPED:
    kind = MCUSIM_FAULT_FETCH_UNMAPPED;
    break;
  case UC_ERR_WRITE_PROT:
    kind = MCUSIM_FAULT_WRITE_PROTECTED;
    break;
  case UC_ERR_FETCH_PROT:
    kind = MCUSIM_FAULT_FETCH_PROTECTED;
    break;
  case UC_ERR_INSN_INVALID:
    kind = MCUSIM_FAULT_UNDEFINED_INSN;
    break;
  case UC_ERR_READ_UNALIGNED:
  case UC_ERR_WRITE_UNALIGNED:
  case UC_ERR_FETCH_UNALIGNED:
    kind = MCUSIM_FAULT_UNALIGNED;
    break;
  default:
    kind = MCUSIM_FAULT_EXCEPTION;
    break;
  }
  int data_fault = kind == MCUSIM_FAULT_READ_UNMAPPED || kind == MCUSIM_FAULT_WRITE_UNMAPPED ||
                   kind == MCUSIM_FAULT_WRITE_PROTECTED || kind == MCUSIM_FAULT_UNALIGNED;
  /* Unicorn leaves PC at the block's start after a data fault; the registers are exact, so find the
   * memory instruction whose address matches, as for MMIO accesses. */
  if (data_fault && sim->cur && pc == sim->cur->blk.addr)
    pc = sim->cur->blk.insns[sim_locate_access(sim, sim->fault_address)].addr;
  /* Measured: a WFE with PRIMASK set returns UC_ERR_INSN_INVALID with PC after it (issue 21, F26) */
  if (kind == MCUSIM_FAULT_UNDEFINED_INSN && halted_on_wfi(sim)) return;
  uint32_t xpsr = sim_reg(sim, 16);
  if (kind == MCUSIM_FAULT_UNDEFINED_INSN && !(xpsr & (1u << 24))) {
    sim->cur = NULL;
    sim_fault(sim, MCUSIM_FAULT_EXCEPTION, pc, pc,
              "branch to an even address left Thumb state (INVSTATE UsageFault: BX/BLX needs bit 0 set)");
    return;
  }
  if (kind == MCUSIM_FAULT_WRITE_PROTECTED)
    snprintf(what, sizeof what, "write to flash at 0x%08x", sim->fault_address);
  else if (data_fault)
    snprintf(what, sizeof what, "%s 0x%08x",
             kind == MCUSIM_FAULT_READ_UNMAPPED    ? "read from unmapped address"
             : kind == MCUSIM_FAULT_WRITE_UNMAPPED ? "write to unmapped address"
                                                   : "unaligned access at",
             sim->fault_address);
  else if (kind == MCUSIM_FAULT_FETCH_UNMAPPED || kind == MCUSIM_FAULT_FETCH_PROTECTED)
    snprintf(what, sizeof what, "instruction fetch from unmapped address 0x%08x", pc);
  else
    snprintf(what, sizeof what, "%s", uc_strerror(err));
  sim_truncate_block(sim, pc, 0);
  sim_fault(sim, kind, pc, data_fault ? sim->fault_address : pc, what);
}

/* uc_emu_start returned OK without a stop we asked for: the core halted on WFI/WFE. */
void sim_halted(mcusim_t *sim) {
  if (!halted_on_wfi(sim))
    sim_fault(sim, MCUSIM_FAULT_EXCEPTION, sim_reg(sim, 15), 0, "the core stopped for no reason the simulator knows");
}
