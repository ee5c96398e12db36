/* sim/probes/funcprof.c — the function profile: call tree from block edges, per-function and per-line figures, call
 * slices, folded stacks (see funcprof.h for the method). */
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/probes/funcprof.h"

#define PROBE_FP_ROOT 0u
#define PROBE_FP_NO_RETURN 1u /* odd: blocks start at even addresses, so frame 0 never matches a return */

static uint32_t new_node(probe_fp_t *fp, uint32_t parent, int32_t func) {
  if (fp->node_count == fp->node_cap) {
    size_t cap = fp->node_cap ? fp->node_cap * 2 : 1024;
    probe_fp_node_t *grown = cap <= PROBE_FP_MAX_NODES ? realloc(fp->nodes, cap * sizeof *grown) : NULL;
    if (!grown) {
      fp->node_overflow = 1;
      return parent; /* the new context joins its parent */
    }
    fp->nodes = grown;
    fp->node_cap = cap;
  }
  uint32_t n = (uint32_t)fp->node_count++;
  fp->nodes[n] = (probe_fp_node_t){.func = func, .parent = parent};
  if (n != parent) {
    fp->nodes[n].next_sibling = fp->nodes[parent].first_child;
    fp->nodes[parent].first_child = n;
  }
  return n;
}

/* The child of `parent` for `func`, created on first use. */
static uint32_t child_node(probe_fp_t *fp, uint32_t parent, int32_t func) {
  for (uint32_t c = fp->nodes[parent].first_child; c; c = fp->nodes[c].next_sibling)
    if (fp->nodes[c].func == func) return c;
  return new_node(fp, parent, func);
}

probe_fp_t *probe_fp_create(const sim_elf_t *elf, const probe_host_t *host) {
  probe_fp_t *fp = calloc(1, sizeof *fp);
  if (!fp) return NULL;
  fp->elf = elf;
  fp->host = host;
  new_node(fp, PROBE_FP_ROOT, -1);
  if (!fp->node_count) {
    free(fp);
    return NULL;
  }
  fp->frames[0] = (probe_fp_frame_t){.node = PROBE_FP_ROOT, .ret = PROBE_FP_NO_RETURN};
  fp->depth = 1;
  fp->top_func = INT32_MIN; /* the first block always takes the slow path */
  fp->top_node = &fp->nodes[PROBE_FP_ROOT];
  fp->slice_min_cycles = 1;
  return fp;
}

static void free_view(probe_fp_view_t *v) {
  if (!v) return;
  for (size_t i = 0; i < v->line_count; i++) free((char *)v->lines[i].file);
  free(v->functions);
  free(v->lines);
  free(v);
}

void probe_fp_destroy(probe_fp_t *fp) {
  if (!fp) return;
  free(fp->nodes);
  free(fp->slices);
  free_view(fp->view);
  free(fp);
}

void probe_fp_init_block(const probe_fp_t *fp, probe_fp_block_t *pb, uint32_t addr, uint8_t last_flags) {
  const sim_elf_symbol_t *s = fp->host->symbol_at(fp->host->opaque, addr);
  pb->func = s ? (int32_t)(s - fp->elf->symbols) : -1;
  pb->edge = last_flags & (ISA_F_CALL | ISA_F_RETURN);
}

static const char *func_name(const probe_fp_t *fp, int32_t func) {
  return func >= 0 ? fp->elf->symbols[func].name : "[unknown]";
}

/* Drops the shortest slices when the list is full, so the trace keeps the calls that matter at any run length. */
static void compact_slices(probe_fp_t *fp) {
  fp->slice_min_cycles *= 2;
  size_t kept = 0;
  for (size_t i = 0; i < fp->slice_count; i++)
    if (fp->slices[i].cycles >= fp->slice_min_cycles) fp->slices[kept++] = fp->slices[i];
  fp->slice_count = kept;
}

static void record_slice(probe_fp_t *fp, size_t d, uint64_t cycles, uint64_t insns) {
  const probe_fp_frame_t *f = &fp->frames[d];
  if (f->node == PROBE_FP_ROOT || cycles - f->start_cycles < fp->slice_min_cycles) return;
  if (!fp->slices && !(fp->slices = malloc(PROBE_FP_MAX_SLICES * sizeof *fp->slices))) return;
  while (fp->slice_count == PROBE_FP_MAX_SLICES) compact_slices(fp);
  if (cycles - f->start_cycles < fp->slice_min_cycles) return;
  fp->slices[fp->slice_count++] = (probe_fp_call_t){.name = func_name(fp, fp->nodes[f->node].func),
                                                    .depth = (uint32_t)d,
                                                    .start_cycle = f->start_cycles,
                                                    .cycles = cycles - f->start_cycles,
                                                    .instructions = insns - f->start_insns};
}

static void set_top(probe_fp_t *fp) {
  fp->top_node = &fp->nodes[fp->frames[fp->depth - 1].node];
  fp->top_func = fp->top_node->func;
}

static void push_frame(probe_fp_t *fp, int32_t func, uint32_t ret, uint64_t cycles, uint64_t insns) {
  if (fp->depth == PROBE_FP_MAX_DEPTH) {
    fp->depth_overflow = 1;
    return; /* the caller's frame takes the callee (its function switches below) */
  }
  uint32_t n = child_node(fp, fp->frames[fp->depth - 1].node, func);
  fp->nodes[n].calls++;
  fp->frames[fp->depth++] = (probe_fp_frame_t){.node = n, .ret = ret, .start_cycles = cycles, .start_insns = insns};
  set_top(fp);
}

/* Pops to the frame whose caller resumes at `addr`; 0 when no frame does. */
static int pop_to(probe_fp_t *fp, uint32_t addr, uint64_t cycles, uint64_t insns) {
  size_t d = fp->depth;
  while (d-- > 1)
    if (fp->frames[d].ret == addr) break;
  if (d == 0) return 0;
  while (fp->depth > d) record_slice(fp, --fp->depth, cycles, insns);
  set_top(fp);
  return 1;
}

/* A jump into another function that is no call or return (tail call, fall-through into the next symbol): the top
 * frame now runs `func`, as a sibling context. */
static void switch_top(probe_fp_t *fp, int32_t func, uint64_t cycles, uint64_t insns) {
  probe_fp_frame_t *top = &fp->frames[fp->depth - 1];
  if (top->node != PROBE_FP_ROOT) record_slice(fp, fp->depth - 1, cycles, insns);
  uint32_t parent = top->node == PROBE_FP_ROOT ? PROBE_FP_ROOT : fp->nodes[top->node].parent;
  top->node = child_node(fp, parent, func);
  fp->nodes[top->node].calls++;
  top->start_cycles = cycles;
  top->start_insns = insns;
  set_top(fp);
}

void probe_fp_edge(probe_fp_t *fp, const probe_fp_block_t *prev, uint32_t prev_end, uint32_t addr, int32_t func,
                   uint64_t cycles, uint64_t insns) {
  int taken = prev && addr != prev_end;
  if (taken && (prev->edge & ISA_F_CALL)) {
    push_frame(fp, func, prev_end, cycles, insns);
    if (fp->top_func == func) return;
  } else if ((taken && (prev->edge & ISA_F_RETURN)) || func != fp->top_func) {
    pop_to(fp, addr, cycles, insns);
  }
  if (func != fp->top_func) switch_top(fp, func, cycles, insns);
}

/* ---- after the run ---- */

static int by_cycles_desc(const void *a, const void *b) {
  const probe_fp_function_t *x = a, *y = b;
  if (x->cycles != y->cycles) return x->cycles < y->cycles ? 1 : -1;
  return x->address < y->address ? -1 : x->address > y->address;
}

/* Whether an ancestor of node n runs the same function (its time is already in that ancestor's inclusive). */
static int recursive(const probe_fp_t *fp, uint32_t n) {
  for (uint32_t a = fp->nodes[n].parent; a != PROBE_FP_ROOT; a = fp->nodes[a].parent)
    if (fp->nodes[a].func == fp->nodes[n].func) return 1;
  return 0;
}

/* Per function: exclusive from the nodes' own figures, inclusive from subtree sums (children are created after
 * their parents, so one backwards pass sums subtrees). Slot symbol_count holds code outside any symbol. */
static int build_functions(probe_fp_t *fp, probe_fp_view_t *v) {
  size_t nf = fp->elf->symbol_count + 1, nn = fp->node_count;
  probe_fp_function_t *all = calloc(nf, sizeof *all);
  uint64_t *sub_c = calloc(nn, sizeof *sub_c), *sub_i = calloc(nn, sizeof *sub_i);
  int rc = -1;
  if (!all || !sub_c || !sub_i) goto done;
  for (size_t n = nn; n-- > 1;) {
    const probe_fp_node_t *node = &fp->nodes[n];
    sub_c[n] += node->self_cycles;
    sub_i[n] += node->self_insns;
    if (node->parent != PROBE_FP_ROOT) {
      sub_c[node->parent] += sub_c[n];
      sub_i[node->parent] += sub_i[n];
    }
    probe_fp_function_t *f = &all[node->func >= 0 ? (size_t)node->func : nf - 1];
    f->calls += node->calls;
    f->cycles += node->self_cycles;
    f->instructions += node->self_insns;
    if (!recursive(fp, (uint32_t)n)) {
      f->inclusive_cycles += sub_c[n];
      f->inclusive_instructions += sub_i[n];
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < nf; i++) {
    if (!all[i].instructions && !all[i].inclusive_instructions) continue;
    all[kept] = all[i];
    all[kept].name = func_name(fp, i + 1 == nf ? -1 : (int32_t)i);
    all[kept].address = i + 1 == nf ? 0 : fp->elf->symbols[i].addr;
    kept++;
  }
  qsort(all, kept, sizeof *all, by_cycles_desc);
  v->functions = all;
  v->function_count = kept;
  all = NULL;
  rc = 0;
done:
  free(all);
  free(sub_c);
  free(sub_i);
  return rc;
}

/* ---- source lines (DWARF) ---- */

typedef struct {
  const char *file; /* owned by libdw until dwarf_end */
  uint32_t line;
  int32_t func; /* the function that spends the most cycles on the line (inlined code) */
  uint64_t insns, cycles, func_cycles;
} line_acc_t;

typedef struct {
  Dwarf *dbg;
  line_acc_t *rows;
  size_t count, cap;
  const probe_fp_t *fp;
} line_ctx_t;

static void add_line(line_ctx_t *lc, uint32_t addr, int32_t func, uint64_t insns, uint64_t cycles) {
  Dwarf_Die cu;
  Dwarf_Line *line;
  int lineno = 0;
  const char *file;
  if (!dwarf_addrdie(lc->dbg, addr, &cu) || !(line = dwarf_getsrc_die(&cu, addr)) || dwarf_lineno(line, &lineno) ||
      !(file = dwarf_linesrc(line, NULL, NULL)))
    return; /* code without line information (library objects built without -g) */
  if (lc->count == lc->cap) {
    size_t cap = lc->cap ? lc->cap * 2 : 1024;
    line_acc_t *grown = realloc(lc->rows, cap * sizeof *grown);
    if (!grown) return;
    lc->rows = grown;
    lc->cap = cap;
  }
  lc->rows[lc->count++] = (line_acc_t){file, (uint32_t)lineno, func, insns, cycles, cycles};
}

/* A block's figures by instruction: each start ran every instruction once at its static cost; what the run
 * charged beyond that (taken branch, divides, stalls) goes to the last instruction. A block left early
 * (semihosting) has no per-instruction split: all of it goes to its first line. */
static void add_block_lines(void *ctx, const isa_block_t *blk, const probe_fp_block_t *pb) {
  line_ctx_t *lc = ctx;
  if (!pb->count || !pb->insns) return;
  if (pb->insns != pb->count * blk->insn_count || pb->cycles < pb->count * blk->cycles) {
    add_line(lc, blk->addr, pb->func, pb->insns, pb->cycles);
    return;
  }
  uint64_t extra = pb->cycles - pb->count * blk->cycles;
  for (uint32_t k = 0; k < blk->insn_count; k++)
    add_line(lc, blk->insns[k].addr, pb->func, pb->count,
             pb->count * blk->insns[k].cycles + (k + 1 == blk->insn_count ? extra : 0));
}

static int by_file_line(const void *a, const void *b) {
  const line_acc_t *x = a, *y = b;
  int c = strcmp(x->file, y->file);
  return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int by_file_line_func(const void *a, const void *b) {
  const line_acc_t *x = a, *y = b;
  int c = by_file_line(a, b);
  return c ? c : (x->func > y->func) - (x->func < y->func);
}

/* Merges neighbouring rows that compare equal; a merged row keeps the function with the most cycles. */
static size_t merge_rows(line_acc_t *rows, size_t count, int (*cmp)(const void *, const void *), int sum_func) {
  size_t merged = 0;
  for (size_t i = 0; i < count; i++) {
    line_acc_t *last = merged ? &rows[merged - 1] : NULL;
    if (!last || cmp(last, &rows[i])) {
      rows[merged++] = rows[i];
      continue;
    }
    last->insns += rows[i].insns;
    last->cycles += rows[i].cycles;
    if (sum_func)
      last->func_cycles += rows[i].func_cycles;
    else if (rows[i].func_cycles > last->func_cycles) {
      last->func = rows[i].func;
      last->func_cycles = rows[i].func_cycles;
    }
  }
  return merged;
}

static int by_line_cycles_desc(const void *a, const void *b) {
  const line_acc_t *x = a, *y = b;
  if (x->cycles != y->cycles) return x->cycles < y->cycles ? 1 : -1;
  return by_file_line(a, b);
}

static void keep_top_lines(line_ctx_t *lc, probe_fp_view_t *v) {
  if (!lc->count) return;
  qsort(lc->rows, lc->count, sizeof *lc->rows, by_file_line_func);
  size_t merged = merge_rows(lc->rows, lc->count, by_file_line_func, 1);
  merged = merge_rows(lc->rows, merged, by_file_line, 0);
  qsort(lc->rows, merged, sizeof *lc->rows, by_line_cycles_desc);
  size_t n = merged < PROBE_FP_TOP_LINES ? merged : PROBE_FP_TOP_LINES;
  v->lines = calloc(n, sizeof *v->lines);
  if (!v->lines) return;
  for (size_t i = 0; i < n; i++) {
    const line_acc_t *r = &lc->rows[i];
    char *file = strdup(r->file);
    if (!file) break;
    v->lines[i] = (probe_fp_line_t){file, func_name(lc->fp, r->func), r->line, r->insns, r->cycles};
    v->line_count++;
  }
}

static void build_lines(const probe_fp_t *fp, const char *elf_path, probe_fp_view_t *v) {
  int fd = elf_path ? open(elf_path, O_RDONLY) : -1;
  if (fd < 0) return;
  line_ctx_t lc = {.dbg = dwarf_begin(fd, DWARF_C_READ), .fp = fp};
  if (lc.dbg) {
    v->has_dwarf = 1;
    fp->host->each_block(fp->host->opaque, add_block_lines, &lc);
    keep_top_lines(&lc, v);
    dwarf_end(lc.dbg);
  }
  free(lc.rows);
  close(fd);
}

static int by_start(const void *a, const void *b) {
  const probe_fp_call_t *x = a, *y = b;
  if (x->start_cycle != y->start_cycle) return x->start_cycle < y->start_cycle ? -1 : 1;
  return (x->depth > y->depth) - (x->depth < y->depth);
}

int probe_fp_finish(probe_fp_t *fp, probe_fp_block_t *cur, uint64_t cycles, uint64_t insns, const char *elf_path) {
  probe_fp_charge(fp, cur, cycles, insns); /* what the last block was charged since it started */
  while (fp->depth > 1) record_slice(fp, --fp->depth, cycles, insns);
  record_slice(fp, 0, cycles, insns);
  probe_fp_view_t *v = calloc(1, sizeof *v);
  if (!v || build_functions(fp, v)) {
    free_view(v);
    return -1;
  }
  build_lines(fp, elf_path, v);
  qsort(fp->slices, fp->slice_count, sizeof *fp->slices, by_start);
  v->calls = fp->slices;
  v->call_count = fp->slice_count;
  v->calls_min_cycles = fp->slice_min_cycles;
  v->truncated = fp->depth_overflow || fp->node_overflow;
  fp->view = v;
  return 0;
}

const probe_fp_view_t *probe_fp_view(const probe_fp_t *fp) { return fp->view; }

/* ---- folded stacks ---- */

static int write_stack(const probe_fp_t *fp, uint32_t n, FILE *out) {
  uint32_t path[PROBE_FP_MAX_DEPTH];
  size_t len = 0;
  for (uint32_t a = n; a != PROBE_FP_ROOT && len < PROBE_FP_MAX_DEPTH; a = fp->nodes[a].parent) path[len++] = a;
  for (size_t i = len; i-- > 0;)
    if (fprintf(out, "%s%s", func_name(fp, fp->nodes[path[i]].func), i ? ";" : "") < 0) return -1;
  return fprintf(out, " %llu\n", (unsigned long long)fp->nodes[n].self_cycles) < 0 ? -1 : 0;
}

int probe_fp_write_folded(const probe_fp_t *fp, FILE *out) {
  for (size_t n = 1; n < fp->node_count; n++)
    if (fp->nodes[n].self_cycles && write_stack(fp, (uint32_t)n, out)) return -1;
  return 0;
}
