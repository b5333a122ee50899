#!/usr/bin/python3
"""Security rules and host ports (issue #18): what they add to a pod's ADD, and vnet's own host ports against
the reference chain's portmap. Part of `make bench` (bench.py; BENCH_SECURITY_PORTS=0 leaves it out) and
runnable alone:

    VNET_BIN=/work/main/.build/release /usr/bin/python3 Tests/bench/security_ports.py [--quick]

(a) vnet plain against vnet with 20 security rules (six select pods by glob) and the `portMappings`
    capability, each pod with one host port: ADD and DEL of N pods one at a time on a fresh node per run,
    the two configurations alternating first, R rounds. Target: ADD p50 within 1.2x of plain.
(b) Driven like libcni (cni_driver.py, runtimeConfig given to the plugins that declare the capability): vnet
    with its own host ports against Debian's bridge + host-local + portmap, ADD and DEL of N pods, 1 and 16
    at a time. Targets: ADD p50 and DEL p50 at most 0.15x of the reference's.

Everything runs in namespaces with the run's prefix, removed at the end (also after a failure or Ctrl-C); the
machine's own namespace is compared before and after.

Environment: VNET_BIN; SECURITY_PORTS_PODS (default 100; 30 quick); SECURITY_PORTS_ROUNDS (default 4; 2 quick);
SECURITY_PORTS_OUT (default docs/benchmarks.md; "-" none); SECURITY_PORTS_SAVE (raw numbers, JSON;
`security_ports.py --render FILE` renders them again).
"""
import datetime
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(HERE))  # Tests/: see Tests/vnettest

import benchlib as B  # noqa: E402
import phases as P  # noqa: E402
import sides as S  # noqa: E402

BEGIN = "<!-- security-ports:begin (Tests/bench/security_ports.py writes between these markers) -->"
END = "<!-- security-ports:end -->"
ADD_TARGET = 1.2
REFERENCE_TARGET = 0.15


def twenty_rules():
    """20 rules as an operator might write them: web and db tiers by glob, shared denies for all."""
    rules = []
    for i in range(20):
        rule = {"name": f"rule-{i}", "priority": 100 + 10 * i, "direction": "inbound" if i % 3 else "outbound",
                "access": "deny" if i % 4 == 0 else "allow", "protocol": ["tcp", "udp", "*", "icmp"][i % 4],
                "sourceAddressPrefixes": [["*"], ["Internet"], ["10.1.0.0/16", "VirtualNetwork"], ["Node"]][i % 4]}
        if rule["protocol"] != "icmp":
            rule["destinationPortRanges"] = [str(8000 + i), f"{9000 + 10 * i}-{9005 + 10 * i}"]
        if i % 3 == 0:
            rule["pods"] = [f"bench/pod{i}*", "web/*"]
        rules.append(rule)
    return rules


def vnet_ported(data_dir, pods, rules=None):
    plugins = S.vnet_plugins(data_dir, pods)
    plugins[0]["capabilities"] = {"portMappings": True}
    if rules is not None:
        plugins[0]["securityRules"] = rules
    return plugins


def reference_ported(data_dir, pods):
    return S.reference_plugins(data_dir, pods) + [{"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}]


def with_ports(items):
    return [dict(item, runtimeConfig={"portMappings": [{"hostPort": 20000 + i, "containerPort": 80, "protocol": "tcp"}]})
            for i, item in enumerate(items)]


def configurations(vnet_bin):
    vnet_dir = os.path.abspath(vnet_bin)
    return {
        "plain": S.Side("plain", "vnet", S.vnet_plugins, vnet_dir),
        "ruled": S.Side("ruled", "vnet, 20 rules + a host port", lambda d, n: vnet_ported(d, n, twenty_rules()), vnet_dir),
        "vnet-ports": S.Side("vnet-ports", "vnet with its own host ports", vnet_ported, vnet_dir),
        "ref-ports": S.Side("ref-ports", "bridge + host-local + portmap", reference_ported, "/usr/lib/cni"),
    }


def run(namespaces, root, side, pods, workers, tag, ports):
    """ADD then DEL of every pod on a fresh node; the per-call walls and any failure."""
    with P.fresh_node(namespaces, root, side, pods, tag) as (node, conf, items):
        if ports:
            items = with_ports(items)
        added = P.cni_phase(namespaces, node, conf, items, "ADD", workers)
        cached = {r["id"]: r.get("result") for r in added["records"]}
        deleted = P.cni_phase(namespaces, node, conf, items, "DEL", workers, cached)
        failures = [f"{tag} {verb} {r['id']}: {r.get('error', '')[:300]}"
                    for verb, out in (("ADD", added), ("DEL", deleted)) for r in out["records"] if r["status"] != 0]
        left = P.host_veths(node)
    return {"add": [r["wall"] for r in added["records"] if r["status"] == 0],
            "del": [r["wall"] for r in deleted["records"] if r["status"] == 0],
            "failures": failures + ([f"{tag}: {len(left)} host veths left"] if left else [])}


def measure(quick=None, vnet_bin=None):
    if quick is None:
        quick = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
    pods = int(os.environ.get("SECURITY_PORTS_PODS", "30" if quick else "100"))
    rounds = int(os.environ.get("SECURITY_PORTS_ROUNDS", "2" if quick else "4"))
    vnet_bin = vnet_bin or os.environ.get("VNET_BIN", os.path.join(REPO, ".build", "release"))
    if not os.access("/usr/lib/cni/portmap", os.X_OK):
        return {"skipped": "Debian's portmap plugin is not at /usr/lib/cni/portmap", "leftover_namespaces": []}
    namespaces = B.Namespaces()
    root = tempfile.mkdtemp(prefix="vnet-secports-")
    sides = configurations(vnet_bin)
    data = {"pods": pods, "rounds": rounds, "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="minutes"),
            "machine": B.machine(), "runs": {}, "failures": []}
    try:
        pod_names = namespaces.make_many("p", pods)
        plan = []
        for r in range(rounds):
            pair = [("plain", 1), ("ruled", 1)]
            plan += pair if r % 2 == 0 else list(reversed(pair))
            for workers in (1, 16):
                pair = [("vnet-ports", workers), ("ref-ports", workers)]
                plan += pair if r % 2 == 0 else list(reversed(pair))
        for n, (key, workers) in enumerate(plan):
            P.log(f"security-ports: {key} at {workers} in parallel ({n + 1}/{len(plan)})")
            out = run(namespaces, root, sides[key], pod_names, workers, f"sp{n}", ports=key != "plain")
            slot = data["runs"].setdefault(f"{key}@{workers}", {"add": [], "del": []})
            slot["add"].append(out["add"])
            slot["del"].append(out["del"])
            data["failures"] += out["failures"]
    finally:
        namespaces.cleanup()
        shutil.rmtree(root, ignore_errors=True)
    data["leftover_namespaces"] = namespaces.ours()
    return data


def p50s(runs):
    """The p50 of each run's calls, in ms."""
    return [B.percentile(walls, 50) * 1000 for walls in runs if walls]


def section(data):
    """The section's lines for bench.py; None when it was left out."""
    if data is None:
        return [BEGIN, "## Security rules and host ports (issue #18)", "",
                "not measured in this run (`BENCH_SECURITY_PORTS=0`); `Tests/bench/security_ports.py` runs it alone.", "", END]
    if "skipped" in data:
        return [BEGIN, "## Security rules and host ports (issue #18)", "", f"**not measured**: {data['skipped']}", "", END]
    return render(data).rstrip("\n").split("\n")


def render(data):
    runs = data["runs"]

    def cell(key, verb):
        values = p50s(runs.get(key, {}).get(verb, []))
        return (B.median(values), B.fmt_spread([v / 1000 for v in values])) if values else (None, "-")

    lines = [BEGIN, "## Security rules and host ports (issue #18)", "",
             f"Run: {data['started']}, {data['pods']} pods a run, {data['rounds']} rounds "
             "(`Tests/bench/security_ports.py`, also alone; `--quick`).", "",
             "Each run is a fresh node namespace: ADD of every pod, then DEL of every pod, driven from inside the node "
             "like libcni (`cni_driver.py`: each plugin gets `runtimeConfig.portMappings` only when it declares the "
             "capability; one host port per pod). The two sides of each comparison alternate which goes first. "
             "Cells: median over the runs of each run's p50 [range].", "", "### Targets", "", "```"]
    verdicts = []
    plain, ruled = cell("plain@1", "add"), cell("ruled@1", "add")
    if plain[0] and ruled[0]:
        ratio = ruled[0] / plain[0]
        verdicts.append(f"{'PASS' if ratio <= ADD_TARGET else 'MISS'}  ADD with 20 rules and a host port / plain ADD: "
                        f"{ruled[0]:.1f} / {plain[0]:.1f} ms = {ratio:.2f}x (target <= {ADD_TARGET}x)")
    for workers in (1, 16):
        for verb in ("add", "del"):
            ours, ref = cell(f"vnet-ports@{workers}", verb), cell(f"ref-ports@{workers}", verb)
            if ours[0] and ref[0]:
                ratio = ours[0] / ref[0]
                verdicts.append(f"{'PASS' if ratio <= REFERENCE_TARGET else 'MISS'}  {verb.upper()} p50, {workers} at a time, vnet's "
                                f"own host ports / bridge + host-local + portmap: {ours[0]:.1f} / {ref[0]:.1f} ms = {ratio:.2f}x "
                                f"(target <= {REFERENCE_TARGET}x)")
    if data.get("failures"):
        verdicts.append(f"MISS  {len(data['failures'])} calls failed: {'; '.join(data['failures'][:3])}")
    lines += verdicts + ["```", "", "| configuration | at a time | ADD p50 (ms) | DEL p50 (ms) |", "|---|---:|---:|---:|"]
    labels = {"plain": "vnet", "ruled": "vnet, 20 rules + a host port", "vnet-ports": "vnet with its own host ports",
              "ref-ports": "bridge + host-local + portmap"}
    for key in ("plain@1", "ruled@1", "vnet-ports@1", "ref-ports@1", "vnet-ports@16", "ref-ports@16"):
        if key in runs:
            name, workers = key.split("@")
            lines.append(f"| {labels[name]} | {workers} | {cell(key, 'add')[1]} | {cell(key, 'del')[1]} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def publish(data, out):
    text = render(data)
    print(text)
    if out and out != "-" and "skipped" not in data:
        B.write_section(text, out, BEGIN, END, after="<!-- console-history:end -->")


def main():
    out = os.environ.get("SECURITY_PORTS_OUT", os.path.join(REPO, "docs", "benchmarks.md"))
    B.run_alone("security-ports", measure, publish, out, os.environ.get("SECURITY_PORTS_SAVE"))


if __name__ == "__main__":
    main()
