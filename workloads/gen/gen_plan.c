/* gen_plan.c — the analytic plan (gen_plan.h): shapes and windows in, bytes and MACs out. The live-bytes walk
 * mirrors the placement rules of runtime/rt_exec.c (run_layer): in-place depthwise with a one-channel scratch,
 * the residual add written into the block's input, a tensor freed after its last reader. */
#include "workloads/gen/gen_plan.h"

#include <inttypes.h>
#include <string.h>

#include "common/cm.h"

typedef struct {
  const rt_model_t *model;
  int16_t last_use[RT_MAX_LAYERS + 1]; /* last layer reading tensor t (tensor t = output of layer t-1) */
  const rt_rect_t *wins;               /* per layer output window (patch), or NULL: whole tensors */
  rt_rect_t in_win;                    /* the stage's input window (patch) */
} walk_t;

static const char *op_name(uint8_t op) {
  static const char *const names[] = {"?", "conv", "dw", "pw", "avgpool", "fc"};
  return op < sizeof names / sizeof *names ? names[op] : "?";
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static uint64_t out_bytes(const walk_t *w, int32_t i) {
  const rt_layer_t *L = &w->model->layers[i];
  if (w->wins) return (uint64_t)w->wins[i].h * (uint64_t)w->wins[i].w * L->out_c;
  return (uint64_t)L->out_h * L->out_w * L->out_c;
}

/* Height x width of layer i's input buffer (the depthwise scratch is one channel of it). */
static uint64_t in_area(const walk_t *w, int32_t i) {
  const rt_layer_t *L = &w->model->layers[i];
  if (!w->wins) return (uint64_t)L->in_h * L->in_w;
  const rt_rect_t r = i == 0 ? w->in_win : w->wins[i - 1];
  return (uint64_t)r.h * (uint64_t)r.w;
}

static uint64_t held_sum(const uint64_t *held, int32_t n) {
  uint64_t sum = 0;
  for (int32_t t = 0; t < n; t++) sum += held[t];
  return sum;
}

/* Runs layers [first, last) over `held` (bytes of each tensor in the arena, 0 = not there) and writes the
 * largest live bytes inside each layer to live[i]; `extra` is held throughout (the stitched stage output). */
static void live_walk(const walk_t *w, uint64_t *held, int32_t first, int32_t last, uint64_t extra, uint64_t *live) {
  const int32_t n_tensors = w->model->n_layers + 1;
  for (int32_t i = first; i < last; i++) {
    const rt_layer_t *L = &w->model->layers[i];
    const int32_t r = L->res_src >= 0 ? L->res_src + 1 : -1;
    const uint64_t now = extra + held_sum(held, n_tensors), out = out_bytes(w, i);
    if (L->op == RT_OP_DW && held[i] && w->last_use[i] == i) { /* in place through a one-channel scratch */
      live[i] = now + in_area(w, i);
      held[i] = 0;
    } else if (L->op == RT_OP_PW && r >= 0 && held[r] && w->last_use[r] == i) { /* add into the residual */
      live[i] = now;
      held[r] = 0;
    } else {
      live[i] = now + out;
    }
    held[i + 1] = out;
    if (w->last_use[i] == i) held[i] = 0;
    if (r >= 0 && w->last_use[r] == i) held[r] = 0;
  }
}

static void init_walk(walk_t *w, const rt_model_t *m) {
  memset(w, 0, sizeof *w);
  w->model = m;
  for (int32_t t = 0; t <= m->n_layers; t++) w->last_use[t] = -1;
  for (int32_t i = 0; i < m->n_layers; i++) {
    w->last_use[i] = (int16_t)i;
    const int16_t r = m->layers[i].res_src;
    if (r >= 0 && w->last_use[r + 1] < i) w->last_use[r + 1] = (int16_t)i;
  }
  w->last_use[m->n_layers] = (int16_t)m->n_layers;
}

/* The paper's count: input + output, depthwise in place (input only); the frame (tensor 0) is in flash. */
static uint64_t io_count(const rt_layer_t *L, int32_t i, uint64_t in, uint64_t out) {
  if (i == 0) in = 0;
  return L->op == RT_OP_DW ? max_u64(in, out) : in + out;
}

static void plan_layerwise(const gen_model_t *gm, const rt_schedule_t *s, gen_plan_t *p) {
  const rt_model_t *m = &gm->model;
  walk_t w;
  init_walk(&w, m);
  uint64_t held[RT_MAX_LAYERS + 1] = {0}, live[RT_MAX_LAYERS] = {0};
  live_walk(&w, held, 0, m->n_layers, 0, live);
  p->peak_io_layer = p->peak_live_layer = -1;
  for (int32_t i = 0; i < m->n_layers; i++) {
    const rt_layer_t *L = &m->layers[i];
    gen_plan_layer_t *pl = &p->layers[i];
    pl->name = L->name;
    pl->op = op_name(L->op);
    pl->in_bytes = (uint32_t)L->in_h * L->in_w * L->in_c;
    pl->out_bytes = (uint32_t)L->out_h * L->out_w * L->out_c;
    pl->io_bytes = io_count(L, i, pl->in_bytes, pl->out_bytes);
    pl->live_bytes = live[i];
    pl->macs = rt_layer_macs(L);
    pl->patch_stage = i < s->patch_layers;
    p->macs += pl->macs;
    if (pl->patch_stage) p->stage_macs += pl->macs;
    if (p->peak_io_layer < 0 || pl->io_bytes > p->peak_io_bytes) p->peak_io_bytes = pl->io_bytes, p->peak_io_layer = i;
    if (p->peak_live_layer < 0 || live[i] > p->peak_live_bytes) p->peak_live_bytes = live[i], p->peak_live_layer = i;
  }
}

static int32_t receptive_field(const rt_model_t *m, int32_t n_layers) {
  int32_t rf = 1, jump = 1;
  for (int32_t i = 0; i < n_layers; i++) {
    rf += (m->layers[i].k - 1) * jump;
    jump *= m->layers[i].stride;
  }
  return rf;
}

/* One patch: windows from the runtime's planner, then its MACs, io and live bytes per stage layer. */
static void plan_one_patch(const rt_model_t *m, const rt_schedule_t *s, int32_t index, gen_plan_t *p) {
  const int32_t P = s->patch_layers;
  rt_rect_t wins[RT_MAX_LAYERS];
  walk_t w;
  init_walk(&w, m);
  w.wins = wins;
  const uint64_t macs = rt_patch_plan(m, s, index, wins, &w.in_win);
  p->patch_macs_max = max_u64(p->patch_macs_max, macs);
  if (w.in_win.h > p->patch_in_h) p->patch_in_h = w.in_win.h;
  if (w.in_win.w > p->patch_in_w) p->patch_in_w = w.in_win.w;
  uint64_t held[RT_MAX_LAYERS + 1] = {0}, live[RT_MAX_LAYERS] = {0};
  live_walk(&w, held, 0, P, p->stage_out_bytes, live);
  for (int32_t i = 0; i < P; i++) {
    const rt_layer_t *L = &m->layers[i];
    gen_plan_layer_t *pl = &p->layers[i];
    const rt_rect_t in = i == 0 ? w.in_win : wins[i - 1];
    const uint64_t win_macs = (uint64_t)rt_layer_macs_per_pixel(L) * (uint64_t)wins[i].h * (uint64_t)wins[i].w;
    const uint64_t io = io_count(L, i, (uint64_t)in.h * in.w * L->in_c, out_bytes(&w, i));
    pl->patched_macs += win_macs;
    if (wins[i].h * wins[i].w > pl->win_h * pl->win_w) pl->win_h = wins[i].h, pl->win_w = wins[i].w;
    pl->patch_io_bytes = max_u64(pl->patch_io_bytes, io);
    pl->patched_live_bytes = max_u64(pl->patched_live_bytes, live[i]);
    p->in_patch_io_bytes = max_u64(p->in_patch_io_bytes, io + p->stage_out_bytes);
    p->in_patch_live_bytes = max_u64(p->in_patch_live_bytes, live[i]);
  }
}

static void plan_patches(const gen_model_t *gm, const rt_schedule_t *s, gen_plan_t *p) {
  const rt_model_t *m = &gm->model;
  const int32_t P = s->patch_layers, N = m->n_layers;
  const rt_layer_t *last = &m->layers[P - 1];
  p->patch_n = s->patch_n;
  p->halo_clip = s->halo_clip;
  p->receptive_field = receptive_field(m, P);
  p->stage_out_bytes = (uint64_t)last->out_h * last->out_w * last->out_c;
  for (int32_t index = 0; index < s->patch_n * s->patch_n; index++) plan_one_patch(m, s, index, p);
  for (int32_t i = 0; i < P; i++) p->patched_stage_macs += p->layers[i].patched_macs;
  p->patched_macs = p->macs - p->stage_macs + p->patched_stage_macs;
  p->stage_mac_overhead = p->stage_macs ? (double)p->patched_stage_macs / (double)p->stage_macs - 1.0 : 0.0;
  p->mac_overhead = p->macs ? (double)p->patched_macs / (double)p->macs - 1.0 : 0.0;
  /* after the stage: whole tensors again, starting from the stitched stage output */
  walk_t w;
  init_walk(&w, m);
  uint64_t held[RT_MAX_LAYERS + 1] = {0}, live[RT_MAX_LAYERS] = {0};
  held[P] = p->stage_out_bytes;
  live_walk(&w, held, P, N, 0, live);
  for (int32_t i = P; i < N; i++) {
    p->layers[i].patched_macs = p->layers[i].macs;
    p->layers[i].patched_live_bytes = live[i];
    p->later_io_bytes = max_u64(p->later_io_bytes, p->layers[i].io_bytes);
    p->later_live_bytes = max_u64(p->later_live_bytes, live[i]);
  }
  p->patched_peak_io_bytes = max_u64(p->in_patch_io_bytes, p->later_io_bytes);
  p->patched_peak_live_bytes = max_u64(p->in_patch_live_bytes, p->later_live_bytes);
}

int gen_plan(const gen_model_t *gm, const rt_schedule_t *s, gen_plan_t *out, char *err, size_t err_len) {
  if (gm->nodes) return gen_plan_graph(&gm->graph, gm->name, s, out, err, err_len); /* a general graph */
  const rt_model_t *m = &gm->model;
  memset(out, 0, sizeof *out);
  if (s->input_in_arena) {
    cm_msgf(err, err_len, "the plan counts the input frame as read from flash: input=arena is not planned");
    return -1;
  }
  if (s->patch_n) {
    /* the runtime's own check: a dry run of zero bytes fails on the schedule before any allocation */
    rt_arena_t arena;
    rt_stats_t stats;
    rt_arena_init(&arena, NULL, 0);
    if (rt_run(m, s, &arena, NULL, &stats) == RT_E_BAD_SCHEDULE) {
      cm_msgf(err, err_len, "the runtime cannot run %d patch-stage layers patch by patch (docs/models.md)",
              s->patch_layers);
      return -1;
    }
  }
  out->model = gm->name;
  out->n_layers = m->n_layers;
  out->patch_layers = s->patch_layers;
  plan_layerwise(gm, s, out);
  if (s->patch_n) plan_patches(gm, s, out);
  return 0;
}

/* ---- output ---- */

static void add_u64(cJSON *o, const char *key, uint64_t v) { cJSON_AddNumberToObject(o, key, (double)v); }

static cJSON *layer_json(const gen_plan_t *p, const gen_plan_layer_t *pl) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "name", pl->name);
  cJSON_AddStringToObject(o, "op", pl->op);
  add_u64(o, "in_bytes", pl->in_bytes);
  add_u64(o, "out_bytes", pl->out_bytes);
  add_u64(o, "io_bytes", pl->io_bytes);
  add_u64(o, "live_bytes", pl->live_bytes);
  add_u64(o, "macs", pl->macs);
  cJSON_AddBoolToObject(o, "patch_stage", pl->patch_stage);
  if (p->patch_n && pl->patch_stage) {
    cJSON *win = cJSON_AddArrayToObject(o, "patch_window");
    cJSON_AddItemToArray(win, cJSON_CreateNumber(pl->win_h));
    cJSON_AddItemToArray(win, cJSON_CreateNumber(pl->win_w));
    add_u64(o, "patch_io_bytes", pl->patch_io_bytes);
  }
  if (p->patch_n) {
    add_u64(o, "patched_macs", pl->patched_macs);
    add_u64(o, "patched_live_bytes", pl->patched_live_bytes);
  }
  return o;
}

static void patch_json(const gen_plan_t *p, cJSON *root) {
  cJSON *o = cJSON_AddObjectToObject(root, "patch");
  cJSON_AddNumberToObject(o, "n", p->patch_n);
  cJSON_AddStringToObject(o, "halo", p->halo_clip ? "clip" : "full");
  cJSON_AddNumberToObject(o, "receptive_field", p->receptive_field);
  cJSON *in = cJSON_AddArrayToObject(o, "input_patch");
  cJSON_AddItemToArray(in, cJSON_CreateNumber(p->patch_in_h));
  cJSON_AddItemToArray(in, cJSON_CreateNumber(p->patch_in_w));
  add_u64(o, "patch_macs_max", p->patch_macs_max);
  add_u64(o, "stage_macs", p->patched_stage_macs);
  add_u64(o, "macs", p->patched_macs);
  cJSON_AddNumberToObject(o, "stage_mac_overhead", p->stage_mac_overhead);
  cJSON_AddNumberToObject(o, "mac_overhead", p->mac_overhead);
  add_u64(o, "stage_out_bytes", p->stage_out_bytes);
  add_u64(o, "in_patch_io_bytes", p->in_patch_io_bytes);
  add_u64(o, "in_patch_live_bytes", p->in_patch_live_bytes);
  add_u64(o, "later_io_bytes", p->later_io_bytes);
  add_u64(o, "later_live_bytes", p->later_live_bytes);
  add_u64(o, "peak_io_bytes", p->patched_peak_io_bytes);
  add_u64(o, "peak_live_bytes", p->patched_peak_live_bytes);
}

cJSON *gen_plan_json(const gen_plan_t *p) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "schema", "mcusim-plan/1");
  cJSON_AddStringToObject(root, "model", p->model);
  cJSON_AddNumberToObject(root, "patch_layers", p->patch_layers);
  cJSON *lw = cJSON_AddObjectToObject(root, "layerwise");
  add_u64(lw, "macs", p->macs);
  add_u64(lw, "stage_macs", p->stage_macs);
  add_u64(lw, "peak_io_bytes", p->peak_io_bytes);
  cJSON_AddStringToObject(lw, "peak_io_layer", p->layers[p->peak_io_layer].name);
  add_u64(lw, "peak_live_bytes", p->peak_live_bytes);
  cJSON_AddStringToObject(lw, "peak_live_layer", p->layers[p->peak_live_layer].name);
  if (p->patch_n)
    patch_json(p, root);
  else
    cJSON_AddNullToObject(root, "patch");
  cJSON *layers = cJSON_AddArrayToObject(root, "layers");
  for (int32_t i = 0; i < p->n_layers; i++) cJSON_AddItemToArray(layers, layer_json(p, &p->layers[i]));
  return root;
}

/* "1,204,332": every number people read is grouped, as in the other commands' text (docs/report.md, units). */
static const char *grp(uint64_t v, char *buf, size_t size) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
  size_t o = 0;
  for (int i = 0; i < n && o + 2 < size; i++) {
    if (i && (n - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
  return buf;
}

static const char *kib(uint64_t bytes, char *buf, size_t size) {
  char g[32];
  snprintf(buf, size, "%s B (%.1f KiB)", grp(bytes, g, sizeof g), (double)bytes / 1024.0);
  return buf;
}

/* At most 119 columns with the patch columns (text outputs stay within 120: tests/cli/test_width); byte columns
 * are plain byte counts (B). */
static void print_layers(const gen_plan_t *p, FILE *out) {
  fprintf(out, "%-3s %-16s %-7s %9s %9s %9s %9s %10s", "id", "layer", "op", "in B", "out B", "in+out B", "live B",
          "MACs");
  if (p->patch_n) fprintf(out, "  %-7s %10s %9s %9s", "window", "patch MACs", "in+out B", "live B");
  fputc('\n', out);
  for (int32_t i = 0; i < p->n_layers; i++) {
    const gen_plan_layer_t *pl = &p->layers[i];
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(out, "%-3d %-16s %-7s %9s %9s %9s %9s %10s", i, pl->name, pl->op, grp(pl->in_bytes, a, sizeof a),
            grp(pl->out_bytes, b, sizeof b), grp(pl->io_bytes, c, sizeof c), grp(pl->live_bytes, d, sizeof d),
            grp(pl->macs, e, sizeof e));
    if (p->patch_n) {
      char win[24] = "", io[24] = "";
      if (pl->patch_stage) snprintf(win, sizeof win, "%dx%d", pl->win_h, pl->win_w);
      if (pl->patch_stage) grp(pl->patch_io_bytes, io, sizeof io);
      fprintf(out, "  %-7s %10s %9s %9s", win, grp(pl->patched_macs, a, sizeof a), io,
              grp(pl->patched_live_bytes, b, sizeof b));
    }
    fputc('\n', out);
  }
}

static void print_patches(const gen_plan_t *p, FILE *out) {
  char b1[48], b2[48];
  fprintf(out, "patch schedule        %dx%d patches over layers 0..%d (halo %s)\n", p->patch_n, p->patch_n,
          p->patch_layers - 1, p->halo_clip ? "clipped" : "full");
  fprintf(out, "receptive field       %d px; input patch %dx%d px (halo included)\n", p->receptive_field, p->patch_in_h,
          p->patch_in_w);
  char g1[32], g2[32];
  fprintf(out, "MACs per patch        %s (largest)\n", grp(p->patch_macs_max, g1, sizeof g1));
  fprintf(out, "patch-stage MACs      %s -> %s (%+.1f%%)\n", grp(p->stage_macs, g1, sizeof g1),
          grp(p->patched_stage_macs, g2, sizeof g2), 100.0 * p->stage_mac_overhead);
  fprintf(out, "overall MACs          %s -> %s (%+.1f%%)\n", grp(p->macs, g1, sizeof g1),
          grp(p->patched_macs, g2, sizeof g2), 100.0 * p->mac_overhead);
  fprintf(out, "in-patch peak         in+out %s; live %s (stage output %s B held)\n",
          kib(p->in_patch_io_bytes, b1, sizeof b1), kib(p->in_patch_live_bytes, b2, sizeof b2),
          grp(p->stage_out_bytes, g1, sizeof g1));
  fprintf(out, "after the stage       in+out %s; live %s\n", kib(p->later_io_bytes, b1, sizeof b1),
          kib(p->later_live_bytes, b2, sizeof b2));
  fprintf(out, "peak with patches     in+out %s; live %s\n", kib(p->patched_peak_io_bytes, b1, sizeof b1),
          kib(p->patched_peak_live_bytes, b2, sizeof b2));
  fprintf(out, "peak reduction        %.2fx (in+out), %.2fx (live)\n",
          (double)p->peak_io_bytes / (double)p->patched_peak_io_bytes,
          (double)p->peak_live_bytes / (double)p->patched_peak_live_bytes);
}

void gen_plan_print(const gen_plan_t *p, FILE *out) {
  char b1[48], b2[48];
  fprintf(out, "plan of %s: %d layers; in+out = the paper's count, live = what the runtime holds\n", p->model,
          p->n_layers);
  print_layers(p, out);
  char g[32];
  fprintf(out, "\nlayer-wise MACs       %s", grp(p->macs, g, sizeof g));
  if (p->patch_layers) fprintf(out, " (layers 0..%d: %s)", p->patch_layers - 1, grp(p->stage_macs, g, sizeof g));
  fprintf(out, "\nper-layer peak        in+out %s at %s; live %s at %s\n", kib(p->peak_io_bytes, b1, sizeof b1),
          p->layers[p->peak_io_layer].name, kib(p->peak_live_bytes, b2, sizeof b2), p->layers[p->peak_live_layer].name);
  if (p->patch_n) print_patches(p, out);
}

/* ---- general graphs (rt_graph_run's rules) ---- */

typedef struct {
  const rt_graph_t *g;
  int16_t root[RT_MAX_LAYERS + 1], last_use[RT_MAX_LAYERS + 1];
} gwalk_t;

static uint64_t g_tensor_bytes(const rt_graph_t *g, int32_t t) {
  if (t == 0) return (uint64_t)g->model.in_h * g->model.in_w * g->model.in_c;
  const rt_layer_t *L = &g->model.layers[t - 1];
  return (uint64_t)L->out_h * L->out_w * L->out_c;
}

static void g_init(gwalk_t *w, const rt_graph_t *g) {
  const int32_t N = g->model.n_layers;
  memset(w, 0, sizeof *w);
  w->g = g;
  for (int32_t t = 0; t <= N; t++) {
    w->root[t] = (int16_t)t;
    w->last_use[t] = -1;
    if (t > 0 && g->model.layers[t - 1].op == RT_OP_RESHAPE) w->root[t] = w->root[g->nodes[t - 1].in[0]];
  }
  for (int32_t i = 0; i < N; i++)
    for (int32_t k = 0; k < g->nodes[i].n_in; k++) w->last_use[w->root[g->nodes[i].in[k]]] = (int16_t)i;
  w->last_use[w->root[N]] = (int16_t)N;
}

/* Layers [first, last) over `held` (bytes per storage root); out_bytes_of[i] the bytes layer i allocates;
 * `extra` held throughout. live[i]: the arena's live bytes once layer i's output is allocated. */
static void g_live_walk(const gwalk_t *w, uint64_t *held, int32_t first, int32_t last, const uint64_t *out_bytes_of,
                        uint64_t extra, uint64_t *live) {
  const rt_graph_t *g = w->g;
  const int32_t n_tensors = g->model.n_layers + 1;
  for (int32_t i = first; i < last; i++) {
    const rt_node_t *N = &g->nodes[i];
    const rt_layer_t *L = &g->model.layers[i];
    const uint64_t out = L->op == RT_OP_RESHAPE ? 0 : out_bytes_of[i];
    const int32_t src = N->in[0];
    if (L->op == RT_OP_DWCONV && w->root[src] == src && held[src] && w->last_use[src] == i && out <= held[src] &&
        rt_op_dw_in_place_ok(L, N)) { /* in place through a one-channel scratch of the input's area */
      live[i] = extra + held_sum(held, n_tensors) + held[src] / L->in_c;
      held[src] = 0;
      held[i + 1] = out;
      continue;
    }
    live[i] = extra + held_sum(held, n_tensors) + out;
    if (L->op != RT_OP_RESHAPE) held[i + 1] = out;
    for (int32_t k = 0; k < N->n_in; k++)
      if (w->last_use[w->root[N->in[k]]] == i) held[w->root[N->in[k]]] = 0;
  }
}

int gen_plan_graph(const rt_graph_t *g, const char *name, const rt_schedule_t *s, gen_plan_t *p, char *err,
                   size_t err_len) {
  const rt_model_t *m = &g->model;
  memset(p, 0, sizeof *p);
  if (s->input_in_arena) {
    cm_msgf(err, err_len, "the plan counts the input frame as read from flash: input=arena is not planned");
    return -1;
  }
  if (rt_graph_check(g) != RT_OK) {
    cm_msgf(err, err_len, "%s: the graph is not one the runtime can run (an edge, a shape or an operator)", name);
    return -1;
  }
  if (rt_graph_check_schedule(g, s) != RT_OK) {
    cm_msgf(err, err_len,
            "%s: the runtime cannot run %d layers patch by patch (a chain of spatial operators whose inner tensors "
            "no later layer reads)",
            name, s->patch_layers);
    return -1;
  }
  const int32_t N = m->n_layers, P = s->patch_layers;
  p->model = name;
  p->n_layers = N;
  p->patch_layers = P;
  gwalk_t w;
  g_init(&w, g);
  uint64_t outb[RT_MAX_LAYERS] = {0}, held[RT_MAX_LAYERS + 1] = {0}, live[RT_MAX_LAYERS] = {0};
  for (int32_t i = 0; i < N; i++) outb[i] = g_tensor_bytes(g, i + 1);
  g_live_walk(&w, held, 0, N, outb, 0, live);
  p->peak_io_layer = p->peak_live_layer = -1;
  for (int32_t i = 0; i < N; i++) {
    const rt_layer_t *L = &m->layers[i];
    const rt_node_t *Nd = &g->nodes[i];
    gen_plan_layer_t *pl = &p->layers[i];
    pl->name = L->name;
    pl->op = rt_op_kind(L->op);
    for (int32_t k = 0; k < Nd->n_in; k++) pl->in_bytes += (uint32_t)g_tensor_bytes(g, Nd->in[k]);
    pl->out_bytes = (uint32_t)outb[i];
    uint64_t in_counted = 0;
    for (int32_t k = 0; k < Nd->n_in; k++)
      if (Nd->in[k] != 0) in_counted += g_tensor_bytes(g, Nd->in[k]);
    pl->io_bytes = in_counted + (L->op == RT_OP_RESHAPE ? 0 : pl->out_bytes);
    pl->live_bytes = live[i];
    pl->macs = (uint64_t)rt_op_macs_per_pixel(L, Nd) * L->out_h * L->out_w;
    pl->patch_stage = i < P;
    p->macs += pl->macs;
    if (pl->patch_stage) p->stage_macs += pl->macs;
    if (p->peak_io_layer < 0 || pl->io_bytes > p->peak_io_bytes) p->peak_io_bytes = pl->io_bytes, p->peak_io_layer = i;
    if (p->peak_live_layer < 0 || live[i] > p->peak_live_bytes) p->peak_live_bytes = live[i], p->peak_live_layer = i;
  }
  if (!s->patch_n) return 0;

  p->patch_n = s->patch_n;
  p->halo_clip = s->halo_clip;
  int32_t rf = 1, jump = 1;
  for (int32_t i = 0; i < P; i++) {
    const rt_node_t *Nd = &g->nodes[i];
    rf += (Nd->kh - 1) * jump; /* along the height (rectangular windows: the larger axis is reported below) */
    jump *= Nd->sh;
  }
  p->receptive_field = rf;
  p->stage_out_bytes = outb[P - 1];
  for (int32_t index = 0; index < s->patch_n * s->patch_n; index++) {
    rt_rect_t wins[RT_MAX_LAYERS], in_win;
    const uint64_t macs = rt_graph_patch_plan(g, s, index, wins, &in_win);
    p->patch_macs_max = max_u64(p->patch_macs_max, macs);
    if (in_win.h > p->patch_in_h) p->patch_in_h = in_win.h;
    if (in_win.w > p->patch_in_w) p->patch_in_w = in_win.w;
    uint64_t wb[RT_MAX_LAYERS], ph[RT_MAX_LAYERS + 1] = {0}, plive[RT_MAX_LAYERS] = {0};
    for (int32_t i = 0; i < P; i++) wb[i] = (uint64_t)wins[i].h * (uint64_t)wins[i].w * m->layers[i].out_c;
    g_live_walk(&w, ph, 0, P, wb, p->stage_out_bytes, plive);
    for (int32_t i = 0; i < P; i++) {
      const rt_layer_t *L = &m->layers[i];
      gen_plan_layer_t *pl = &p->layers[i];
      const rt_rect_t in = i == 0 ? in_win : wins[i - 1];
      const uint64_t io = (i == 0 ? 0 : (uint64_t)in.h * in.w * L->in_c) + wb[i];
      pl->patched_macs += (uint64_t)rt_op_macs_per_pixel(L, &g->nodes[i]) * (uint64_t)wins[i].h * wins[i].w;
      if (wins[i].h * wins[i].w > pl->win_h * pl->win_w) pl->win_h = wins[i].h, pl->win_w = wins[i].w;
      pl->patch_io_bytes = max_u64(pl->patch_io_bytes, io);
      pl->patched_live_bytes = max_u64(pl->patched_live_bytes, plive[i]);
      p->in_patch_io_bytes = max_u64(p->in_patch_io_bytes, io + p->stage_out_bytes);
      p->in_patch_live_bytes = max_u64(p->in_patch_live_bytes, plive[i]);
    }
  }
  for (int32_t i = 0; i < P; i++) p->patched_stage_macs += p->layers[i].patched_macs;
  p->patched_macs = p->macs - p->stage_macs + p->patched_stage_macs;
  p->stage_mac_overhead = p->stage_macs ? (double)p->patched_stage_macs / (double)p->stage_macs - 1.0 : 0.0;
  p->mac_overhead = p->macs ? (double)p->patched_macs / (double)p->macs - 1.0 : 0.0;
  memset(held, 0, sizeof held);
  memset(live, 0, sizeof live);
  held[P] = p->stage_out_bytes;
  g_live_walk(&w, held, P, N, outb, 0, live);
  for (int32_t i = P; i < N; i++) {
    p->layers[i].patched_macs = p->layers[i].macs;
    p->layers[i].patched_live_bytes = live[i];
    p->later_io_bytes = max_u64(p->later_io_bytes, p->layers[i].io_bytes);
    p->later_live_bytes = max_u64(p->later_live_bytes, live[i]);
  }
  p->patched_peak_io_bytes = max_u64(p->in_patch_io_bytes, p->later_io_bytes);
  p->patched_peak_live_bytes = max_u64(p->in_patch_live_bytes, p->later_live_bytes);
  return 0;
}
