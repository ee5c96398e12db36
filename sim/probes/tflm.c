/* sim/probes/tflm.c — tflm mode and newlib's heap (see tflm.h; docs/tflm.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cm.h"
#include "sim/probes/tflm.h"
#include "tflite/tfl.h"

/* What TFLM links, mangled (Itanium C++ ABI) and demangled (a symbol table may hold either, issue 17 item 4):
 * tflite::MicroInterpreter::Invoke(), the node loop of recent TFLM tflite::MicroInterpreterGraph::InvokeSubgraph(int),
 * AllocateTensors(), arena_used_bytes() const. */
#define SYM_INVOKE "_ZN6tflite16MicroInterpreter6InvokeEv", "tflite::MicroInterpreter::Invoke()"
#define SYM_INVOKE_SUBGRAPH                                                                                            \
  "_ZN6tflite21MicroInterpreterGraph14InvokeSubgraphEi", "tflite::MicroInterpreterGraph::InvokeSubgraph(int)"
#define SYM_ALLOCATE "_ZN6tflite16MicroInterpreter15AllocateTensorsEv", "tflite::MicroInterpreter::AllocateTensors()"
#define SYM_USED                                                                                                       \
  "_ZNK6tflite16MicroInterpreter16arena_used_bytesEv", "tflite::MicroInterpreter::arena_used_bytes() const"
/* TFLM defines arena_used_bytes() inline in micro_interpreter.h; what it calls is tflite::MicroAllocator::used_bytes()
 * const (micro_allocator.cc), linked when the firmware asks for the figure. */
#define SYM_ALLOCATOR_USED "_ZNK6tflite14MicroAllocator10used_bytesEv", "tflite::MicroAllocator::used_bytes() const"

typedef enum { RET_OP, RET_INVOKE, RET_ALLOCATE, RET_USED, RET_SBRK } ret_kind_t;

typedef struct {
  uint32_t ret, sp;
  ret_kind_t kind;
  uint32_t value; /* op: layer id; sbrk: the increment */
} pending_t;

struct probe_tflm {
  const probe_host_t *host;
  const sim_elf_t *elf;
  mem_t *mem;
  int tflm;
  tfl_model_t model;
  int have_model;
  uint32_t invoke, loop, allocate, used_fn, sbrk; /* function addresses; 0 when absent */
  uint32_t call_sites[PROBE_TFLM_MAX_CALL_SITES];
  size_t call_site_count;
  uint32_t returns[PROBE_TFLM_MAX_CALL_SITES + 8];
  size_t return_count;
  pending_t pending[PROBE_TFLM_MAX_PENDING];
  size_t pending_count;
  uint32_t arena_addr, arena_bytes;
  int in_invoke;
  uint64_t invoke_cycle; /* when the current Invoke() started */
  uint32_t inference, op_index;
  uint32_t heap_start, heap_top;
  uint32_t heap_base; /* the `end` symbol: where newlib's heap starts; 0 unknown */
  uint32_t used_bytes;
  int used_known;
  uint8_t *snapshot; /* the arena before the model's last operator (its output checksum) */
  int snapshot_taken;
  uint32_t last_out_bytes;
  uint32_t live[2 * TFL_MAX_OP_IO]; /* the running operator's activations (nominal addresses in the arena) */
  size_t live_count;
};

static uint32_t reg(const probe_tflm_t *t, int n) { return t->host->reg(t->host->opaque, n); }

static const sim_elf_symbol_t *find_symbol(const sim_elf_t *elf, const char *name) {
  for (size_t i = 0; i < elf->symbol_count; i++)
    if (!strcmp(elf->symbols[i].name, name)) return &elf->symbols[i];
  return NULL;
}

/* A C++ function by its mangled or its demangled name (with or without the parameter list). */
static const sim_elf_symbol_t *find_function(const sim_elf_t *elf, const char *mangled, const char *demangled) {
  const sim_elf_symbol_t *s = find_symbol(elf, mangled);
  if (s || (s = find_symbol(elf, demangled))) return s;
  size_t n = strcspn(demangled, "(");
  for (size_t i = 0; i < elf->symbol_count; i++)
    if (!strncmp(elf->symbols[i].name, demangled, n) && !elf->symbols[i].name[n]) return &elf->symbols[i];
  return NULL;
}

int probe_tflm_is_image(const sim_elf_t *elf) { return find_function(elf, SYM_INVOKE) != NULL; }

/* The bytes of the ELF at addr (a loaded segment), or NULL. */
static const uint8_t *code_at(const sim_elf_t *elf, uint32_t addr, uint32_t bytes) {
  for (size_t i = 0; i < elf->segment_count; i++) {
    const sim_elf_segment_t *s = &elf->segments[i];
    if (addr >= s->vaddr && addr - s->vaddr <= s->file_size && s->file_size - (addr - s->vaddr) >= bytes)
      return s->bytes + (addr - s->vaddr);
  }
  return NULL;
}

/* Every BLX Rm (T1: 0100 0111 1mmm m000, ARMv7-M ARM A7.7.19) of a function, walking instruction by instruction
 * (a first halfword 0b11101, 0b11110 or 0b11111 starts a 32-bit instruction). */
static void find_register_calls(probe_tflm_t *t, const sim_elf_symbol_t *fn) {
  const uint8_t *code = code_at(t->elf, fn->addr, fn->size);
  if (!code) return;
  for (uint32_t off = 0; off + 2 <= fn->size;) {
    uint16_t hw = (uint16_t)(code[off] | code[off + 1] << 8);
    if ((hw & 0xFF87u) == 0x4780u && t->call_site_count < PROBE_TFLM_MAX_CALL_SITES)
      t->call_sites[t->call_site_count++] = fn->addr + off;
    off += (hw >> 11) >= 0x1Du ? 4 : 2;
  }
}

/* The model: a file, or the first TFL3 flatbuffer in a loaded segment that parses (flash segments are often linked
 * RWX, so the flags do not tell read-only data). */
static int find_model(probe_tflm_t *t, const char *path, char *msg, size_t msg_size) {
  char err[160];
  if (path) {
    size_t n = 0;
    uint8_t *bytes = (uint8_t *)cm_read_file(path, TFL_FILE_MAX_BYTES, &n);
    if (!bytes) {
      cm_msgf(msg, msg_size, "%s: cannot read the .tflite model", path);
      return -1;
    }
    int rc = tfl_parse(bytes, n, &t->model, err, sizeof err);
    free(bytes);
    if (rc) {
      cm_msgf(msg, msg_size, "%s: not a usable .tflite model: %s", path, err);
      return -1;
    }
    t->have_model = 1;
    return 0;
  }
  for (size_t i = 0; i < t->elf->segment_count && !t->have_model; i++) {
    const sim_elf_segment_t *s = &t->elf->segments[i];
    for (uint32_t off = 0; off + 8 <= s->file_size; off += 4) {
      if (memcmp(s->bytes + off + 4, "TFL3", 4)) continue;
      if (!tfl_parse(s->bytes + off, s->file_size - off, &t->model, err, sizeof err)) {
        t->have_model = 1;
        break;
      }
    }
  }
  return 0;
}

/* The static arena: an object named tensor_arena (TFLM's examples keep it in an anonymous namespace, so the name is
 * mangled: ..tensor_arena..). */
static void find_arena(probe_tflm_t *t) {
  for (size_t i = 0; i < t->elf->symbol_count; i++) {
    const sim_elf_symbol_t *s = &t->elf->symbols[i];
    if (!s->is_function && s->size && strstr(s->name, "tensor_arena")) {
      t->arena_addr = s->addr;
      t->arena_bytes = s->size;
      return;
    }
  }
}

probe_tflm_t *probe_tflm_create(const probe_host_t *host, const sim_elf_t *elf, int tflm, const char *tflite_path,
                                char *msg, size_t msg_size) {
  probe_tflm_t *t = calloc(1, sizeof *t);
  if (!t) {
    cm_msgf(msg, msg_size, "out of memory");
    return NULL;
  }
  t->host = host;
  t->elf = elf;
  t->tflm = tflm;
  const sim_elf_symbol_t *s = find_symbol(elf, "_sbrk");
  t->sbrk = s && s->is_function ? s->addr : 0;
  /* every firmware's heap counts, mcusim's own runtime too (its .arena is counted through events, the heap apart) */
  if (t->sbrk && sim_elf_lookup(elf, "end", &t->heap_base)) t->heap_base = 0;
  find_arena(t);
  if (!tflm) return t;
  if ((s = find_function(elf, SYM_INVOKE))) t->invoke = s->addr;
  const sim_elf_symbol_t *loop = find_function(elf, SYM_INVOKE_SUBGRAPH);
  if (!loop) loop = s;
  if (loop) {
    t->loop = loop->addr;
    find_register_calls(t, loop);
  }
  if ((s = find_function(elf, SYM_ALLOCATE))) t->allocate = s->addr;
  if ((s = find_function(elf, SYM_USED)) || (s = find_function(elf, SYM_ALLOCATOR_USED))) t->used_fn = s->addr;
  if (find_model(t, tflite_path, msg, msg_size)) {
    probe_tflm_free(t);
    return NULL;
  }
  return t;
}

void probe_tflm_free(probe_tflm_t *t) {
  if (!t) return;
  if (t->have_model) tfl_free(&t->model);
  free(t->snapshot);
  free(t);
}

/* ---- run time ---- */

static void on_return(void *engine, uint64_t address, uint32_t size, void *opaque);

/* A call waiting for its return at ret (hooked once; the block translated there is dropped so the hook applies). */
static void push_at(probe_tflm_t *t, uint32_t ret, ret_kind_t kind, uint32_t value) {
  ret &= ~1u;
  size_t i = 0;
  while (i < t->return_count && t->returns[i] != ret) i++;
  if (i == t->return_count) {
    if (i == sizeof t->returns / sizeof *t->returns || t->host->hook_code(t->host->opaque, ret, on_return, t, 1))
      return;
    t->returns[t->return_count++] = ret;
  }
  if (t->pending_count < PROBE_TFLM_MAX_PENDING)
    t->pending[t->pending_count++] = (pending_t){ret, reg(t, PROBE_REG_SP), kind, value};
}

static void push(probe_tflm_t *t, ret_kind_t kind, uint32_t value) { push_at(t, reg(t, PROBE_REG_LR), kind, value); }

static uint64_t tensor_bytes(const tfl_model_t *m, int32_t i) {
  if (i < 0 || i >= m->n_tensors || m->tensors[i].data) return 0; /* constants live in flash */
  return tfl_tensor_elems(&m->tensors[i]) * tfl_type_bytes(m->tensors[i].type);
}

/* An operator call: a layer with the model's figures, its activations live in the arena while it runs. */
static void op_begin(probe_tflm_t *t, const mem_when_t *when, uint32_t ret) {
  uint32_t op = t->op_index++;
  uint32_t n_ops = t->have_model && t->model.n_ops ? (uint32_t)t->model.n_ops : 1024u;
  uint32_t id = t->inference * n_ops + op;
  char kind_buf[32], name[MEM_NAME_MAX];
  const char *kind = "OPERATOR";
  tfl_op_info_t info;
  int known = t->have_model && op < (uint32_t)t->model.n_ops &&
              !tfl_op_info(&t->model, (int32_t)op, &info, kind_buf, sizeof kind_buf);
  if (known) kind = info.kind;
  if (t->inference)
    snprintf(name, sizeof name, "%u/%s (inference %u)", op, kind, t->inference + 1);
  else
    snprintf(name, sizeof name, "%u/%s", op, kind);
  if (known) {
    const int32_t *d = info.out_dims;
    uint32_t h = 1, w = 1, c = info.out_n_dims ? (uint32_t)d[info.out_n_dims - 1] : 0;
    if (info.out_n_dims == 4) h = (uint32_t)d[1], w = (uint32_t)d[2];
    mem_layer_info(t->mem, id, kind, h, w, c);
    /* params: elements of the constant inputs (weights, bias); weight_bytes: their bytes in flash (tfl_op_info;
     * the quantization scales live in the flatbuffer's metadata, not counted) */
    const tfl_op_t *o = &t->model.ops[op];
    uint64_t params = 0;
    for (int k = 0; k < o->n_inputs; k++)
      if (o->inputs[k] >= 0 && o->inputs[k] < t->model.n_tensors && t->model.tensors[o->inputs[k]].data)
        params += tfl_tensor_elems(&t->model.tensors[o->inputs[k]]);
    mem_layer_params(t->mem, id, params, info.param_bytes);
  }
  mem_layer_begin(t->mem, when, id, name, known ? (uint32_t)info.macs : 0);
  if (known && t->arena_addr) {
    const tfl_op_t *o = &t->model.ops[op];
    uint32_t at = t->arena_addr;
    for (int k = 0; k < o->n_inputs + o->n_outputs; k++) {
      int32_t ti = k < o->n_inputs ? o->inputs[k] : o->outputs[k - o->n_inputs];
      uint64_t bytes = tensor_bytes(&t->model, ti);
      if (!bytes || at - t->arena_addr + bytes > t->arena_bytes) continue;
      mem_alloc(t->mem, when, at, (uint32_t)bytes, t->model.tensors[ti].name);
      if (t->live_count < sizeof t->live / sizeof *t->live) t->live[t->live_count++] = at;
      at += (uint32_t)bytes;
    }
  }
  /* the model's last operator: keep the arena, so its output is found as what it changed */
  if (t->have_model && op + 1 == (uint32_t)t->model.n_ops && t->snapshot) {
    t->snapshot_taken = !t->host->read_mem(t->host->opaque, t->arena_addr, t->snapshot, t->arena_bytes);
    t->last_out_bytes = known ? (uint32_t)info.out_bytes : 0;
  }
  push_at(t, ret, RET_OP, id);
}

/* After the last operator: FNV-1a of its output, taken as out_bytes from the first arena byte it changed (the model's
 * output tensor; a leading byte written with the value already there shifts the window: documented). A mark
 * `checksum`, as compare reads it. */
static void output_checksum(probe_tflm_t *t) {
  uint8_t *now = malloc(t->arena_bytes);
  if (!now || t->host->read_mem(t->host->opaque, t->arena_addr, now, t->arena_bytes)) {
    free(now);
    return;
  }
  uint32_t lo = 0;
  while (lo < t->arena_bytes && now[lo] == t->snapshot[lo]) lo++;
  if (lo < t->arena_bytes) {
    uint32_t n = t->last_out_bytes && t->last_out_bytes <= t->arena_bytes - lo ? t->last_out_bytes : 1;
    uint32_t hash = 2166136261u;
    for (uint32_t i = 0; i < n; i++) hash = (hash ^ now[lo + i]) * 16777619u;
    mem_mark_number(t->mem, "checksum", hash);
  }
  free(now);
}

/* Whether a register call in the node loop is the registration's invoke. The loop makes other register calls: the
 * profiler's virtual BeginEvent/EndEvent, the allocator's virtual ResetTempAllocations (inlined into the loop), all
 * C++ methods. An invoke function takes (TfLiteContext *, TfLiteNode *), which its mangled name spells; a C function
 * (extern "C" kernels) or code without a symbol is taken as an operator too. */
static int is_operator_call(const sim_elf_symbol_t *target) {
  if (!target) return 1;
  if (strstr(target->name, "TfLiteContext") && strstr(target->name, "TfLiteNode")) return 1;
  return strncmp(target->name, "_Z", 2) && !strstr(target->name, "::"); /* mangled or demangled C++: a method */
}

static void on_call_site(void *engine, uint64_t address, uint32_t size, void *opaque) {
  probe_tflm_t *t = opaque;
  (void)engine, (void)size;
  if (t->host->stopping(t->host->opaque) || !t->in_invoke) return;
  uint16_t hw;
  const uint8_t *code = code_at(t->elf, (uint32_t)address, 2);
  if (!code) return;
  hw = (uint16_t)(code[0] | code[1] << 8);
  if (!is_operator_call(t->host->symbol_at(t->host->opaque, reg(t, (hw >> 3) & 15) & ~1u))) return;
  mem_when_t when;
  t->host->now_at_pc(t->host->opaque, (uint32_t)address, &when);
  op_begin(t, &when, (uint32_t)address + 2); /* BLX Rm is 16 bits; it has not written LR yet */
}

static void on_entry(void *engine, uint64_t address, uint32_t size, void *opaque) {
  probe_tflm_t *t = opaque;
  (void)engine, (void)size;
  if (t->host->stopping(t->host->opaque)) return;
  mem_when_t when;
  t->host->now_at_pc(t->host->opaque, (uint32_t)address, &when);
  uint32_t a = (uint32_t)address;
  if (a == t->sbrk) {
    push(t, RET_SBRK, reg(t, 0));
  } else if (a == t->used_fn) {
    push(t, RET_USED, 0);
  } else if (a == t->invoke && !t->in_invoke) {
    t->in_invoke = 1;
    t->op_index = 0;
    t->invoke_cycle = when.cycle;
    push(t, RET_INVOKE, 0);
  } else if (a == t->allocate) {
    uint32_t id = 65535u; /* the set-up row, apart from the operators' ids (inference x operators + index) */
    mem_layer_info(t->mem, id, "setup", 0, 0, 0);
    mem_layer_begin(t->mem, &when, id, "AllocateTensors", 0);
    push(t, RET_ALLOCATE, id);
  }
}

static void on_return(void *engine, uint64_t address, uint32_t size, void *opaque) {
  probe_tflm_t *t = opaque;
  (void)engine, (void)size;
  if (t->host->stopping(t->host->opaque)) return;
  uint32_t sp = reg(t, PROBE_REG_SP);
  size_t i = t->pending_count;
  while (i-- > 0)
    if (t->pending[i].ret == (uint32_t)address && t->pending[i].sp == sp) break;
  if (i == (size_t)-1) return;
  mem_when_t when;
  t->host->now_at_pc(t->host->opaque, (uint32_t)address, &when);
  while (t->pending_count > i) {
    const pending_t *p = &t->pending[--t->pending_count];
    int matched = t->pending_count == i;
    switch (p->kind) {
    case RET_OP:
      mem_layer_end(t->mem, &when, p->value);
      if (t->snapshot_taken) output_checksum(t), t->snapshot_taken = 0;
      while (t->live_count) mem_free(t->mem, &when, t->live[--t->live_count]);
      break;
    case RET_ALLOCATE:
      mem_layer_end(t->mem, &when, p->value);
      break;
    case RET_INVOKE: /* marks: inferences so far, and the last one's cycles from Invoke()'s entry to its return */
      t->in_invoke = 0;
      t->inference++;
      mem_mark_number(t->mem, "inferences", t->inference);
      mem_mark_number(t->mem, "inference_cycles", (uint32_t)(when.cycle - t->invoke_cycle));
      break;
    case RET_USED:
      if (matched) t->used_bytes = reg(t, 0), t->used_known = 1;
      break;
    case RET_SBRK: {
      uint32_t old = reg(t, 0);
      if (!matched || old == UINT32_MAX) break;
      if (!t->heap_start || old < t->heap_start) t->heap_start = old;
      if (old + p->value > t->heap_top) t->heap_top = old + p->value;
      break;
    }
    }
  }
}

int probe_tflm_install(probe_tflm_t *t, mem_t *mem) {
  t->mem = mem;
  if (t->arena_addr) mem_set_static_arena(mem, t->arena_addr, t->arena_bytes);
  if (t->sbrk && t->heap_base) mem_set_heap_start(mem, t->heap_base);
  if (t->tflm && t->arena_addr && !(t->snapshot = malloc(t->arena_bytes))) return -1;
  uint32_t entries[] = {t->sbrk, t->tflm ? t->invoke : 0, t->tflm ? t->allocate : 0, t->tflm ? t->used_fn : 0};
  for (size_t i = 0; i < sizeof entries / sizeof *entries; i++)
    if (entries[i] && t->host->hook_code(t->host->opaque, entries[i], on_entry, t, 0)) return -1;
  for (size_t i = 0; t->tflm && i < t->call_site_count; i++)
    if (t->host->hook_code(t->host->opaque, t->call_sites[i], on_call_site, t, 0)) return -1;
  return 0;
}

void probe_tflm_finish(probe_tflm_t *t) {
  if (!t || !t->mem) return;
  if (t->heap_top > t->heap_start) mem_set_heap(t->mem, t->heap_top - t->heap_start);
  if (t->used_known) mem_set_arena_used(t->mem, t->used_bytes);
}
