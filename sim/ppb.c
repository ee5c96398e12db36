/* sim/ppb.c — the devices on the private peripheral bus, seen from the engine: the host interface they get
 * (sim/devices/dev.h), the region table mapped with uc_mmio_map (regions cost nothing to code that does not touch
 * them: ARCHITECTURE.md, engine facts), and the semihosting trap. */
#include "sim/sim_internal.h"

#define SIM_PPB_BASE 0xE0000000u
#define SIM_PPB_SIZE 0x00100000u

/* ---- the host devices see ---- */

static void host_now(void *opaque, uint32_t access_addr, mem_when_t *now) { sim_now(opaque, access_addr, now); }

static int host_read(void *opaque, uint32_t addr, void *buf, uint32_t len) {
  mcusim_t *sim = opaque;
  return uc_mem_read(sim->uc, addr, buf, len) == UC_ERR_OK ? 0 : -1;
}

static int host_write(void *opaque, uint32_t addr, const void *buf, uint32_t len) {
  mcusim_t *sim = opaque;
  return uc_mem_write(sim->uc, addr, buf, len) == UC_ERR_OK ? 0 : -1;
}

static void host_output(void *opaque, int fd, const char *data, size_t len) { sim_emit_output(opaque, fd, data, len); }

static void host_exit(void *opaque, int code) {
  mcusim_t *sim = opaque;
  if (sim->stopping) return;
  sim->result.exit_code = code;
  sim_stop(sim, MCUSIM_STOP_EXIT);
}

static int host_sram_range(void *opaque, uint32_t addr, uint32_t size) { return sim_sram_range(opaque, addr, size); }

void sim_devices_init(mcusim_t *sim) {
  sim->dev_host = (dev_host_t){.opaque = sim,
                               .now = host_now,
                               .read = host_read,
                               .write = host_write,
                               .output = host_output,
                               .exit = host_exit,
                               .sram_range = host_sram_range};
}

/* ---- the region table ---- */

static uint64_t mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *opaque) {
  const sim_mmio_t *r = opaque;
  return r->read(r->state, (uint32_t)offset, size);
}

static void mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *opaque) {
  const sim_mmio_t *r = opaque;
  r->write(r->state, (uint32_t)offset, size, value);
}

/* The devices, in address order from the PPB's base; what follows them up to the end of the PPB (SCB, NVIC,
 * SysTick) is plain memory, so CMSIS start-up code that writes it runs. */
int sim_ppb_map(mcusim_t *sim) {
  const struct {
    uint32_t base, size;
    sim_mmio_t region;
  } table[SIM_MMIO_REGIONS] = {
      {DEV_ITM_BASE, DEV_ITM_SIZE, {dev_itm_read, dev_itm_write, &sim->itm}},
      {DEV_DWT_BASE, DEV_DWT_SIZE, {dev_dwt_read, dev_dwt_write, &sim->dwt}},
  };
  uint32_t end = SIM_PPB_BASE;
  for (size_t i = 0; i < SIM_MMIO_REGIONS; i++) {
    sim->mmio[i] = table[i].region;
    if (uc_mmio_map(sim->uc, table[i].base, table[i].size, mmio_read, &sim->mmio[i], mmio_write, &sim->mmio[i]) !=
        UC_ERR_OK)
      return -1;
    end = table[i].base + table[i].size;
  }
  uc_err err = uc_mem_map(sim->uc, end, SIM_PPB_BASE + SIM_PPB_SIZE - end, UC_PROT_READ | UC_PROT_WRITE);
  return err == UC_ERR_OK ? 0 : -1;
}

void sim_devices_start(mcusim_t *sim) {
  dev_itm_init(&sim->itm, &sim->dev_host, sim->limits.no_tracking ? NULL : &sim->mem);
  dev_dwt_init(&sim->dwt, &sim->dev_host);
  dev_semihost_init(&sim->semihost, &sim->dev_host, sim->heap_base, sim->result.initial_sp, sim->profile->clock_hz);
}

void sim_semihost(mcusim_t *sim) {
  uint32_t ret = dev_semihost_call(&sim->semihost, sim_reg(sim, 0), sim_reg(sim, 1));
  uc_reg_write(sim->uc, UC_ARM_REG_R0, &ret);
}
