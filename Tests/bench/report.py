"""Turns the phases' numbers into tables (Markdown, also printed) and PASS/MISS verdicts against issue #7's
targets. Every number across runs is shown as `median [min-max]` of the per-run values; ratios are taken
per repetition (the two sides ran back to back in it) and then summarized the same way.
"""
from benchlib import fmt_ms, fmt_spread, median, percentile, spread

VERBS = ("ADD", "CHECK", "DEL")


def run_metrics(run):
    n = len(run["ADD"]["records"])
    m = {}
    for verb in VERBS:
        walls = [r["wall"] for r in run[verb]["records"]]
        m[f"{verb} p50"] = percentile(walls, 50)
        m[f"{verb} p99"] = percentile(walls, 99)
        m[f"{verb} max"] = max(walls)
        m[f"{verb} pods/s"] = n / run[verb]["elapsed"]
    m["cycle s"] = sum(run[v]["elapsed"] for v in VERBS)
    m["cycle pods/s"] = n / m["cycle s"]
    first, last = tenths(run)
    m["ADD first10 p50"] = median(first)
    m["ADD last10 p50"] = median(last)
    m["growth"] = m["ADD last10 p50"] / m["ADD first10 p50"]
    return m


def tenths(run):
    """The ADD walls of a run's first and last 10% of pods, in the order the ADDs started."""
    adds = sorted(run["ADD"]["records"], key=lambda r: r["start"])
    tenth = max(1, len(adds) // 10)
    return [r["wall"] for r in adds[:tenth]], [r["wall"] for r in adds[-tenth:]]


def growths(runs, fills, side="vnet"):
    """ADD's growth (last tenth's p50 over the first's) of every fill of `side` at 1 in parallel: the
    side-by-side runs' and the extra growth fills'."""
    out = []
    for run in [r for r in runs if r["side"] == side and r["workers"] == 1] + [f for f in fills if f["side"] == side]:
        first, last = tenths(run)
        out.append(median(last) / median(first))
    return out


def floor_growth(floor):
    """The floor's own ADD growth: the p50 of its last 10% of pods over its first 10% (one fill, in order)."""
    walls = floor.get("ADD") or []
    tenth = max(1, len(walls) // 10)
    return median(walls[-tenth:]) / median(walls[:tenth]) if walls else None


def growth_lines(runs, fills, floor=None):
    """The growth over every fill of vnet at 1 in parallel, with its spread and the tenths pooled, and the
    floor's own growth beside it."""
    values = growths(runs, fills)
    if not values:
        return []
    every = [r for r in runs if r["side"] == "vnet" and r["workers"] == 1] + [f for f in fills if f["side"] == "vnet"]
    firsts = [w for run in every for w in tenths(run)[0]]
    lasts = [w for run in every for w in tenths(run)[1]]
    under = sum(1 for v in values if v <= 1.2)
    return ["| fills | median | middle half (p25-p75) | min-max | fills at or under 1.2x | first tenths pooled, p50 (ms) "
            "| last tenths pooled, p50 (ms) | pooled ratio |", "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {len(values)} | {median(values):.2f} | {percentile(values, 25):.2f}-{percentile(values, 75):.2f} | "
            f"{min(values):.2f}-{max(values):.2f} | {under} of {len(values)} | {fmt_ms(median(firsts))} | "
            f"{fmt_ms(median(lasts))} | {median(lasts) / median(firsts):.2f} |",
            "", "Each fill's growth, in the order they ran: " + ", ".join(f"{v:.2f}" for v in values) + "."] + (
            ["", f"For comparison, the floor below (the same netlink and nftables work from one process, no exec, "
                 f"no state), filling one node the same way, took {floor_growth(floor):.2f}x as long per pod in its "
                 "last 10% of pods as in its first 10% in this run: one fill, so as much at the machine's mercy as "
                 "one of vnet's."]
            if floor and floor_growth(floor) else [])


ROWS = [  # (metric, unit, higher is better)
    ("ADD p50", "ms", False), ("ADD p99", "ms", False), ("ADD max", "ms", False),
    ("CHECK p50", "ms", False), ("CHECK p99", "ms", False), ("CHECK max", "ms", False),
    ("DEL p50", "ms", False), ("DEL p99", "ms", False), ("DEL max", "ms", False),
    ("ADD pods/s", "/s", True), ("CHECK pods/s", "/s", True), ("DEL pods/s", "/s", True),
    ("cycle s", "s", False), ("cycle pods/s", "/s", True),
    ("ADD first10 p50", "ms", False), ("ADD last10 p50", "ms", False), ("growth", "x", False),
]
LABELS = {"cycle s": "add+check+del total (s)", "cycle pods/s": "add+check+del pods/s",
          "ADD first10 p50": "ADD p50, first 10% of pods", "ADD last10 p50": "ADD p50, last 10% of pods",
          "growth": "ADD last 10% / first 10%"}


def fmt(value, unit):
    if unit == "ms":
        return fmt_ms(value)
    if unit in ("/s",):
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    if unit == "KiB":
        return f"{value:.0f}"
    return f"{value:.2f}"


def cell(values, unit):
    return fmt_spread(values, lambda v: fmt(v, unit)) if values else "n/a"


def side_by_side(runs, workers):
    """Per-metric lists over repetitions for each side, and the per-repetition ratios vnet/ref."""
    per = {"vnet": {}, "ref": {}}
    by_rep = {}
    for run in runs:
        if run["workers"] != workers:
            continue
        m = run_metrics(run)
        by_rep.setdefault(run["rep"], {})[run["side"]] = m
        for k, v in m.items():
            per[run["side"]].setdefault(k, []).append(v)
    ratios = {}
    for rep in by_rep.values():
        if "vnet" in rep and "ref" in rep:
            for k in rep["vnet"]:
                if rep["ref"][k]:
                    ratios.setdefault(k, []).append(rep["vnet"][k] / rep["ref"][k])
    return per, ratios


def cni_table(runs, workers, pods):
    per, ratios = side_by_side(runs, workers)
    lines = [f"#### {pods} pods, {workers} in parallel", "",
             "| | vnet | reference | vnet / reference |", "|---|---:|---:|---:|"]
    for key, unit, _ in ROWS:
        label = LABELS.get(key, f"{key} ({unit})" if unit != "/s" else key)
        lines.append(f"| {label} | {cell(per['vnet'].get(key), unit)} | {cell(per['ref'].get(key), unit)} | "
                     f"{cell(ratios.get(key), 'x')} |")
    return lines, per, ratios


def probes_table(probes):
    from probes import summary
    out = ["| side | pods on the small node | on the big node | ADD p50, small (ms) | ADD p50, big (ms) | big / small |",
           "|---|---:|---:|---:|---:|---:|"]
    for key, label in (("vnet", "vnet"), ("ref", "reference")):
        if key in probes:
            result = probes[key]
            s = summary(result)
            out.append(f"| {label} | {result['small_pods']} | {result['big_pods']} | {fmt_ms(s['small'])} | "
                       f"{fmt_ms(s['big'])} | {s['growth']:.2f} |")
    return out


def start_table(start):
    lines = ["| binary (VERSION) | p50 (ms) | p99 (ms) | max (ms) | peak RSS (KiB, GNU time) |", "|---|---:|---:|---:|---:|"]
    for tag, d in start.items():
        w = d["walls"]
        lines.append(f"| {tag} | {fmt_ms(percentile(w, 50))} | {fmt_ms(percentile(w, 99))} | {fmt_ms(max(w))} | "
                     f"{max(d['rss']) if d['rss'] else 'n/a'} |")
    return lines


def rss_table(pop, ipam_runs, start):
    """Peak RSS per call (GNU time's %M: the plugin and the children it waited for; GNU time's own image,
    ~1 MB, is the smallest value it can show)."""
    lines = ["| plugin | VERSION | ADD | CHECK | DEL |", "|---|---:|---:|---:|---:|"]
    names = {"vnet": ("vnet", "vnet"), "ref": ("bridge (ref; with host-local, iptables)", "bridge (ref)")}
    for side, data in pop.items():
        rss = (data or {}).get("rss", {})
        label, tag = names.get(side, (side, side))
        row = [label, str(max(start.get(tag, {}).get("rss") or [0]) or "n/a")]
        row += [str(max(rss.get(v) or [0]) or "n/a") for v in VERBS]
        lines.append("| " + " | ".join(row) + " |")
    for kind, tag in (("vnet-ipam", "vnet-ipam"), ("host-local", "host-local (ref)")):
        vals = [v for r in ipam_runs if r["ipam"] == kind for v in r.get("rss", [])]
        lines.append(f"| {kind} (IPAM alone) | {max(start.get(tag, {}).get('rss') or [0]) or 'n/a'} | "
                     f"{max(vals) if vals else 'n/a'} | - | (ADD and DEL together) |")
    return lines


def floor_table(floor, per1, ratios1, start):
    start_vnet = percentile(start["vnet"]["walls"], 50)
    lines = ["| verb | floor p50 (ms) | floor system CPU, mean (ms) | vnet p50 (ms) | bound: 2 x floor + vnet start (ms) | "
             "vnet / floor | reference p50 (ms) |", "|---|---:|---:|---:|---:|---:|---:|"]
    verdicts = {}
    for verb in VERBS:
        f50 = percentile(floor[verb], 50)
        fsys = sum(floor[verb + "_sys"]) / max(1, len(floor[verb + "_sys"]))
        v = median(per1["vnet"].get(f"{verb} p50", [float("nan")]))
        r = median(per1["ref"].get(f"{verb} p50", [float("nan")]))
        bound = 2 * f50 + start_vnet
        verdicts[verb] = (v, bound)
        lines.append(f"| {verb} | {fmt_ms(f50)} | {fmt_ms(fsys)} | {fmt_ms(v)} | {fmt_ms(bound)} | {v / f50:.1f} | {fmt_ms(r)} |")
    return lines, verdicts


def ipam_table(ipam_runs):
    lines = ["| IPAM | processes | ADD p50 (ms) | ADD p99 | ADD max | DEL p50 (ms) | DEL p99 | DEL max | ADD/s | DEL/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    keys = sorted({(r["ipam"], r["workers"]) for r in ipam_runs}, key=lambda k: (k[1], k[0] != "vnet-ipam"))
    for kind, workers in keys:
        rs = [r for r in ipam_runs if r["ipam"] == kind and r["workers"] == workers]
        row = [kind, str(workers)]
        for verb in ("ADD", "DEL"):
            for q in (50, 99, 100):
                row.append(cell([percentile(r[verb]["walls"], q) for r in rs], "ms"))
        for verb in ("ADD", "DEL"):
            row.append(cell([len(r[verb]["walls"]) / r[verb]["elapsed"] for r in rs], "/s"))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def console_lines(console, pods):
    if console is None:
        return ["not measured (the populated node was skipped)"]
    if "skipped" in console:
        return [f"**not measurable yet**: {console['skipped']}"]
    once, helps, frames = console["once_walls"], console["help_walls"], console.get("frame") or []
    lines = ["| | value |", "|---|---:|",
             f"| time to first frame: `--once` exec to exit with {pods} endpoints, p50 (ms) | {fmt_ms(median(once))} |",
             f"| process start: `--once` on an empty state directory (start, parse, fail), p50 (ms) | {fmt_ms(median(helps))} |",
             f"| snapshot + frame: the difference (ms) | {fmt_ms(median(once) - median(helps))} |",
             f"| `--once` overview frame alone: last node-data syscall to the frame's write (strace), p50 of {len(frames)} (ms) | "
             f"{fmt_ms(median(frames)) if frames else 'n/a'} |",
             f"| peak RSS of `--once` (KiB) | {max(console['once_rss'])} |"]
    idle = console.get("idle") or {}
    if "skipped" in idle:
        lines.append(f"| idle CPU | not measurable: {idle['skipped']} |")
    elif idle:
        lines.append(f"| idle CPU over {idle['seconds']:.0f} s at {idle['refresh']} (% of one core) | {idle['cpu_percent']:.2f} |")
        lines.append(f"| interactive peak RSS (VmHWM, KiB) | {idle['hwm_kb']} |")
        ef = idle.get("endpoint_frames") or []
        lines.append(f"| Endpoints screen at 200x60, frame per refresh (strace attached), p50 / max of {len(ef)} (ms) | "
                     f"{fmt_ms(median(ef)) + ' / ' + fmt_ms(max(ef)) if ef else 'n/a'} |")
    return lines


def state_line(pop, pods):
    size = (pop.get("vnet") or {}).get("state_bytes")
    return f"vnet's state file with {pods - 1} pods attached: {size:,} bytes." if size else ""


def strace_table(pop):
    lines = ["| side | verb | syscalls | execve | fsync/fdatasync | netlink sends | openat | setns | top 5 syscalls |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for side, data in pop.items():
        for verb, calls in (data or {}).get("strace", {}).items():
            total = sum(calls.values())
            g = calls.get
            top = ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1])[:5])
            lines.append(f"| {side} | {verb} | {total} | {g('execve', 0)} | {g('fsync', 0) + g('fdatasync', 0)} | "
                         f"{g('sendto', 0) + g('sendmsg', 0)} | {g('openat', 0)} | {g('setns', 0)} | {top} |")
    return lines


def verdict(ok, text):
    return f"{'PASS' if ok else 'MISS'}  {text}"


def mb(kib):
    """Decimal megabytes (the targets say MB): 15 MB is 14,648 KiB."""
    return kib * 1024 / 1e6


def targets(per1, ratios1, per8, ratios8, floor_verdicts, console, plugin_rss_kb, ipam_rss_kb, pods, growth=None):
    out = []

    def ratio_target(ratios, key, limit, label, higher=False):
        vals = ratios.get(key)
        if not vals:
            return f"SKIP  {label}: no paired runs"
        m, lo, hi = spread(vals)
        ok = m >= limit if higher else m <= limit
        return verdict(ok, f"{label}: {m:.2f}x [{lo:.2f}-{hi:.2f}] (target {'>=' if higher else '<='} {limit}x)")

    out.append(ratio_target(ratios1, "ADD p50", 0.2, "ADD p50 vs reference (1 at a time)"))
    out.append(ratio_target(ratios1, "DEL p50", 0.3, "DEL p50 vs reference (1 at a time)"))
    out.append(ratio_target(ratios1, "cycle s", 0.25, "add+check+del total vs reference (1 at a time)"))
    out.append(ratio_target(ratios8, "ADD pods/s", 4.0, "ADD throughput at 8 in parallel vs reference", higher=True))
    g = growth or per1["vnet"].get("growth")
    if g:
        m, lo, hi = spread(g)
        out.append(verdict(m <= 1.2, f"ADD p50 last 10% / first 10% of pods: {m:.2f}x [{lo:.2f}-{hi:.2f}] over {len(g)} "
                                     f"fills (target <= 1.2x)"))
    for verb, (v, bound) in floor_verdicts.items():
        out.append(verdict(v <= bound, f"{verb} p50 {fmt_ms(v)} ms within 2 x floor + process start = {fmt_ms(bound)} ms"))
    if console is None or "skipped" in console:
        why = "not measured" if console is None else console["skipped"]
        out += [f"SKIP  console first frame < 2 ms: {why}", f"SKIP  console idle CPU < 0.5%: {why}",
                f"SKIP  console RSS < 30 MB: {why}"]
    else:
        idle = console.get("idle") or {}
        frames = idle.get("endpoint_frames") or console.get("frame") or []
        which = "Endpoints screen" if idle.get("endpoint_frames") else "--once overview"
        if frames:
            frame = median(frames)
            out.append(verdict(frame < 0.002, f"console frame ({which}, {pods} endpoints) {fmt_ms(frame)} ms < 2 ms "
                                              f"(time to first frame from exec: {fmt_ms(median(console['once_walls']))} ms)"))
        else:
            out.append("SKIP  console frame < 2 ms: strace missing, frame not isolated")
        if "cpu_percent" in idle:
            out.append(verdict(idle["cpu_percent"] < 0.5, f"console idle CPU {idle['cpu_percent']:.3f}% < 0.5% of one core"))
        else:
            out.append(f"SKIP  console idle CPU < 0.5%: {idle.get('skipped', 'not measured')}")
        rss = max([max(console["once_rss"])] + ([idle["hwm_kb"]] if "hwm_kb" in idle else []))
        out.append(verdict(mb(rss) < 30, f"console peak RSS {mb(rss):.1f} MB < 30 MB"))
    if plugin_rss_kb:
        out.append(verdict(mb(plugin_rss_kb) < 15, f"vnet peak RSS of ADD/CHECK/DEL {mb(plugin_rss_kb):.1f} MB < 15 MB"))
    else:
        out.append("SKIP  vnet peak RSS < 15 MB: not measured")
    if ipam_rss_kb:
        out.append(verdict(mb(ipam_rss_kb) < 15, f"vnet-ipam peak RSS of any call {mb(ipam_rss_kb):.1f} MB < 15 MB"))
    return out
