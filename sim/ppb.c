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

/* uc_mem_write ignores the region's permissions: a device (semihosting SYS_HEAPINFO, SYS_READ) asked to write
 * into flash would change the firmware. It faults as the firmware's own store would. */
static int host_write(void *opaque, uint32_t addr, const void *buf, uint32_t len) {
  mcusim_t *sim = opaque;
  const prof_region_t *flash = &sim->profile->flash;
  if (len && (uint64_t)addr + len > flash->base && addr < (uint64_t)flash->base + flash->size) {
    char what[96];
    snprintf(what, sizeof what, "semihosting write into read-only flash at 0x%08x", addr);
    sim_fault(sim, MCUSIM_FAULT_WRITE_PROTECTED, sim_reg(sim, 15), addr, what);
    return -1;
  }
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

/* The devices, in address order from the PPB's base; what lies between and after them up to the end of the PPB is
 * plain memory, so CMSIS start-up code that writes it runs. */
int sim_ppb_map(mcusim_t *sim) {
  const struct {
    uint32_t base, size;
    sim_mmio_t region;
  } table[SIM_MMIO_REGIONS] = {
      {DEV_ITM_BASE, DEV_ITM_SIZE, {dev_itm_read, dev_itm_write, &sim->itm}},
      {DEV_DWT_BASE, DEV_DWT_SIZE, {dev_dwt_read, dev_dwt_write, &sim->dwt}},
      {DEV_SCS_BASE, DEV_SCS_SIZE, {dev_scs_read, dev_scs_write, &sim->scs}},
  };
  uint32_t end = SIM_PPB_BASE;
  for (size_t i = 0; i < SIM_MMIO_REGIONS; i++) {
    if (table[i].base > end && uc_mem_map(sim->uc, end, table[i].base - end, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK)
      return -1; /* plain memory between devices (the FPB, ...) */
    sim->mmio[i] = table[i].region;
    if (uc_mmio_map(sim->uc, table[i].base, table[i].size, mmio_read, &sim->mmio[i], mmio_write, &sim->mmio[i]) !=
        UC_ERR_OK)
      return -1;
    end = table[i].base + table[i].size;
  }
  uc_err err = uc_mem_map(sim->uc, end, SIM_PPB_BASE + SIM_PPB_SIZE - end, UC_PROT_READ | UC_PROT_WRITE);
  return err == UC_ERR_OK ? 0 : -1;
}

/* Whether any mapped region overlaps [base, base + size). */
static int mapped_anywhere(uc_engine *uc, uint64_t base, uint64_t size) {
  uc_mem_region *regions = NULL;
  uint32_t count = 0;
  if (uc_mem_regions(uc, &regions, &count) != UC_ERR_OK) return 1;
  int hit = 0;
  for (uint32_t i = 0; i < count; i++) hit |= regions[i].begin < base + size && regions[i].end >= base;
  uc_free(regions);
  return hit;
}

/* The SRAM bit-band alias exists on the Cortex-M3 and M4 only (the M0+ and M7 have none). Mapped after the firmware
 * was loaded, so overflow SRAM reaching into the alias keeps it (the alias is then left out). */
static void map_bitband(mcusim_t *sim) {
  isa_core_t core = isa_core_from_name(sim->profile->core);
  if (sim->bitband_mmio.read || (core != ISA_CORE_M3 && core != ISA_CORE_M4) ||
      mapped_anywhere(sim->uc, DEV_BITBAND_ALIAS_BASE, DEV_BITBAND_ALIAS_SIZE))
    return;
  dev_bitband_init(&sim->bitband, &sim->dev_host, DEV_BITBAND_SRAM_BASE);
  sim->bitband_mmio = (sim_mmio_t){dev_bitband_read, dev_bitband_write, &sim->bitband};
  if (uc_mmio_map(sim->uc, DEV_BITBAND_ALIAS_BASE, DEV_BITBAND_ALIAS_SIZE, mmio_read, &sim->bitband_mmio, mmio_write,
                  &sim->bitband_mmio) != UC_ERR_OK)
    sim->bitband_mmio.read = NULL;
}

/* ---- vendor peripherals (sim/devices/periph.h, docs/peripherals.md) ---- */

static uint64_t periph_read(uc_engine *uc, uint64_t offset, unsigned size, void *opaque) {
  const sim_periph_window_t *w = opaque;
  return dev_periph_read(w->dev, w->base - DEV_PERIPH_BASE + (uint32_t)offset, size);
}

static void periph_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *opaque) {
  const sim_periph_window_t *w = opaque;
  dev_periph_write(w->dev, w->base - DEV_PERIPH_BASE + (uint32_t)offset, size, value);
}

static void map_periph_window(mcusim_t *sim, uint32_t base, uint32_t size) {
  if (!size || sim->periph_window_count == SIM_PERIPH_WINDOWS || mapped_anywhere(sim->uc, base, size)) return;
  sim_periph_window_t *w = &sim->periph_windows[sim->periph_window_count];
  *w = (sim_periph_window_t){&sim->periph, base};
  if (uc_mmio_map(sim->uc, base, size, periph_read, w, periph_write, w) == UC_ERR_OK) sim->periph_window_count++;
}

/* --strict-peripherals: an access through the bit-band alias to an undescribed address faults as an unmapped one
 * would (other undescribed addresses are not mapped at all). */
static void periph_strict(void *opaque, uint32_t addr, uint32_t access_addr, int is_write) {
  mcusim_t *sim = opaque;
  mem_when_t now;
  sim_now(sim, access_addr, &now);
  char what[160];
  snprintf(what, sizeof what, "%s undescribed peripheral address 0x%08x through the bit-band alias 0x%08x",
           is_write ? "write to" : "read from", addr, access_addr);
  sim_fault(sim, is_write ? MCUSIM_FAULT_WRITE_UNMAPPED : MCUSIM_FAULT_READ_UNMAPPED, now.pc, addr, what);
}

/* The peripheral region 0x40000000-0x5FFFFFFF: by default all of it not otherwise mapped, so an access nobody
 * described is a warning (reads 0), not a fault; with --strict-peripherals only the described blocks (and the
 * bit-band alias on the M3/M4). MMIO regions cost nothing to code that does not touch them (ARCHITECTURE.md). */
static void map_peripherals(mcusim_t *sim) {
  isa_core_t core = isa_core_from_name(sim->profile->core);
  int bitband = core == ISA_CORE_M3 || core == ISA_CORE_M4;
  const prof_periph_t *desc = sim->profile->periph;
  if (dev_periph_init(&sim->periph, &sim->dev_host, desc, bitband)) {
    dev_periph_free(&sim->periph);
    dev_periph_init(&sim->periph, &sim->dev_host, NULL, bitband);
  }
  if (sim->strict_periph) {
    sim->periph.on_undescribed = periph_strict;
    sim->periph.undescribed_opaque = sim;
    for (unsigned i = 0; desc && sim->periph.desc && i < desc->block_count; i++)
      map_periph_window(sim, desc->blocks[i].base, desc->blocks[i].size);
    if (bitband) map_periph_window(sim, DEV_BITBAND_PERIPH_ALIAS, DEV_BITBAND_ALIAS_SIZE);
    return;
  }
  uint64_t cur = DEV_PERIPH_BASE, end = (uint64_t)DEV_PERIPH_BASE + DEV_PERIPH_SIZE;
  while (cur < end) { /* the gaps between regions already mapped (SRAM or flash a profile put there) */
    uc_mem_region *regions = NULL;
    uint32_t count = 0;
    uint64_t next = end, resume = end;
    if (uc_mem_regions(sim->uc, &regions, &count) != UC_ERR_OK) return;
    for (uint32_t i = 0; i < count; i++)
      if (regions[i].end >= cur && regions[i].begin < next) {
        next = regions[i].begin > cur ? regions[i].begin : cur;
        resume = regions[i].end + 1;
      }
    uc_free(regions);
    map_periph_window(sim, (uint32_t)cur, (uint32_t)(next - cur));
    cur = resume;
  }
}

void sim_devices_start(mcusim_t *sim) {
  map_bitband(sim);
  map_peripherals(sim);
  sim_exc_start(sim); /* the SCS state; a failure leaves exception returns reported as fetch faults */
  dev_itm_init(&sim->itm, &sim->dev_host, sim->limits.no_tracking ? NULL : &sim->mem);
  dev_dwt_init(&sim->dwt, &sim->dev_host);
  dev_semihost_init(&sim->semihost, &sim->dev_host, sim->heap_base, sim->result.initial_sp, sim->profile->clock_hz);
}

void sim_devices_free(mcusim_t *sim) { dev_periph_free(&sim->periph); }

void sim_semihost(mcusim_t *sim) {
  uint32_t ret = dev_semihost_call(&sim->semihost, sim_reg(sim, 0), sim_reg(sim, 1));
  uc_reg_write(sim->uc, UC_ARM_REG_R0, &ret);
}
