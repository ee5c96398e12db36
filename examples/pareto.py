#!/usr/bin/env python3
"""Joint search of width multiplier x input resolution x schedule for one part, through the Python API, and the
Pareto front of peak SRAM against latency, as MCUNetV2's co-design figures plot it.

The model family is MobileNetV1 (the person-detection model's blocks) at width multipliers 0.25, 0.35, 0.5 and
resolutions 64, 96, 128; each is run layer-wise and under two patch schedules on the part (default STM32F412):
27 firmwares, generated, compiled and simulated by one `mcusim sweep` (about two minutes on 2 cores).

Without accuracy figures, model capacity is stood in for by MACs: the left panel shows each model's schedules (peak
SRAM against latency: what patch-based inference trades), the right one the front of the most MACs that fit in each
SRAM budget, which patch schedules push out (MCUNetV2's point: larger models under the same memory).

usage: examples/pareto.py [--profile stm32f412] [--jobs 2] [--out pareto.png] [--keep DIR] [--from DIR]
Needs: a built mcusim (MCUSIM=path, or the tree's build/, or an install), arm-none-eabi-gcc, Debian's
python3-matplotlib for the plot (without it the table is printed only)."""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import mcusim  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "workloads", "models", "person-det-mbv1-r96.json")
WIDTHS = (0.25, 0.35, 0.5)
RESOLUTIONS = (64, 96, 128)
SCHEDULES = ("layerwise", "patch:n=2,blocks=3", "patch:n=3,blocks=4")


def variant(base, width, res):
    """The base model (width 0.25) at another width multiplier and resolution: channels scaled (multiples of 8, as
    MobileNet rounds them), the classifier kept."""
    m = json.loads(json.dumps(base))
    m["name"] = f"mbv1-w{width}-r{res}"
    m["description"] = f"MobileNetV1 width {width} at {res}x{res} grayscale (examples/pareto.py)"
    m["input"] = {"h": res, "w": res, "c": 1}
    for b in m["blocks"]:
        if b["type"] in ("conv", "dwsep"):
            b["out"] = max(8, int(round(b["out"] / 0.25 * width / 8)) * 8)
    return m


def pareto(points):
    """Indices of the points no other beats in both coordinates (lower is better)."""
    front = []
    for i, (x, y) in enumerate(points):
        if not any((x2 <= x and y2 <= y) and (x2, y2) != (x, y) for x2, y2 in points):
            front.append(i)
    return sorted(front, key=lambda i: points[i])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="stm32f412")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", default="pareto.png")
    ap.add_argument("--keep", help="keep the sweep folder here")
    ap.add_argument("--from", dest="from_dir", help="plot the sweep kept in DIR (--keep) without running it again")
    args = ap.parse_args()

    with open(BASE) as f:
        base = json.load(f)
    work = args.from_dir or args.keep or tempfile.mkdtemp(prefix="mcusim-pareto-")
    os.makedirs(work, exist_ok=True)
    models = []
    for w in WIDTHS:
        for r in RESOLUTIONS:
            path = os.path.join(work, f"mbv1-w{w}-r{r}.json")
            with open(path, "w") as f:
                json.dump(variant(base, w, r), f, indent=1)
            models.append(path)
    sram = next(p.sram_bytes for p in mcusim.profiles() if p.name == args.profile)
    print(f"sweep: {len(models)} models x {len(SCHEDULES)} schedules on {args.profile} in {work}", file=sys.stderr)
    if args.from_dir:
        table = mcusim.merge(os.path.join(args.from_dir, "sweep"))
    else:
        table = mcusim.sweep({"models": models, "schedules": list(SCHEDULES), "profiles": [args.profile]},
                             out=os.path.join(work, "sweep"), jobs=args.jobs)
    rows = [r for r in table["rows"] if r["status"] in ("ok", "firmware_failed") and r["cycles"]]
    pts = [(r["peak_bytes"] / 1024, r["latency_us"] / 1000) for r in rows]
    # capacity: the model's own MACs (its layer-wise run: patches add recomputation, not capacity)
    cap = {}
    for r in rows:
        cap[r["model"]] = min(cap.get(r["model"], r["macs"]), r["macs"])
    # the capacity front: no other point has at least as many model MACs in at most as much SRAM
    front = pareto([(p, -cap[r["model"]]) for (p, _), r in zip(pts, rows)])
    print(f"{'model':<16} {'schedule':<20} {'MACs run':>11} {'peak SRAM':>12} {'latency':>11}  fits  front")
    for i, r in enumerate(rows):
        print(f"{r['model']:<16} {r['schedule']:<20} {r['macs']:>11,} {r['peak_bytes']:>10,} B "
              f"{r['latency_us'] / 1000:>8.1f} ms  {'yes ' if r['peak_bytes'] <= sram else 'no  '}  "
              f"{'*' if i in front else ''}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (apt-get install python3-matplotlib): no plot", file=sys.stderr)
        return 0
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.6), dpi=110)
    markers = dict(zip(SCHEDULES, ("o", "s", "^")))
    colors = dict(zip(WIDTHS, ("tab:blue", "tab:orange", "tab:green")))

    def width_res(r):
        name = r["model"]
        return float(name.split("-w")[1].split("-")[0]), int(name.rsplit("-r", 1)[1])

    for model in dict.fromkeys(r["model"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["model"] == model]
        w, res = width_res(rows[idx[0]])
        ax.plot([pts[i][0] for i in idx], [pts[i][1] for i in idx], color=colors[w], lw=0.8, alpha=0.6)
        for i in idx:
            size = 12 + res / 3
            ax.scatter(*pts[i], marker=markers[rows[i]["schedule"]], color=colors[w], s=size, edgecolors="black",
                       linewidths=0.4, zorder=3)
            ax2.scatter(pts[i][0], cap[model] / 1e6, marker=markers[rows[i]["schedule"]], color=colors[w],
                        s=size, edgecolors="black", linewidths=0.4, zorder=3)
    fx = [pts[i][0] for i in front]
    fy = [cap[rows[i]["model"]] / 1e6 for i in front]
    ax2.step(fx, fy, where="post", color="crimson", lw=1.2, label="front: most MACs per SRAM")
    for a in (ax, ax2):
        a.axvline(sram / 1024, color="gray", ls="--", lw=1, label=f"{args.profile} SRAM ({sram // 1024} KiB)")
        a.set_xlabel("peak SRAM (KiB)")
        a.grid(True, alpha=0.3)
    for sch, m in markers.items():
        ax.scatter([], [], marker=m, color="white", edgecolors="black", label=sch)
    for w, c in colors.items():
        ax.scatter([], [], marker="o", color=c, label=f"width {w}")
    ax.set_ylabel("latency (ms)")
    ax.set_yscale("log")
    ax.set_title("each model's schedules (marker size: resolution 64/96/128)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax2.set_ylabel("model MACs (millions, layer-wise), capacity proxy")
    ax2.set_title(f"MobileNetV1 width x resolution x schedule on {args.profile}", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"plot: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
