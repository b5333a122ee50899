#!/usr/bin/python3
"""The VNet at scale (issue #16, acceptance 5): 64 simulated nodes with 250 pods each, 16,000 pods in one VNet
on one etcd, and the 16,001st ADD refused with code 106; the grow latency; an ADD's cost with the registry
against without it; vnetd's memory and idle CPU; the console's VNet screen frame time with every node in the
registry (vnet-console in tmux on the first node, strace on its main thread). Part of `make bench` (bench.py
renders its section) and runnable alone:

    VNET_BIN=/work/main/.build/release /usr/bin/python3 Tests/bench/vnet_scale.py [--quick]

A simulated node is a network namespace joined to the registry's namespace (vnettest.registry), its own state
directory and its own vnetd (vnettest.vnetnode). A pod is one ADD of the `vnet-ipam` plugin alone, exec'd in
the node's namespace (nsenter), with the node's own namespace path as CNI_NETNS: no veth, no bridge, no NAT,
no pod namespace. Everything runs in namespaces with the run's prefix, removed at the end (also after a
failure or Ctrl-C); every process is started here and stopped by its PID.

Environment:
  VNET_BIN              the release binaries (default .build/release)
  VNET_SCALE_NODES      simulated nodes (default 64; 8 with --quick)
  VNET_SCALE_PODS       pods per node (default 250; 40 with --quick)
  VNET_SCALE_QUICK=1    the quick mode (also --quick, or BENCH_QUICK=1): fewer nodes, pods, ADDs and seconds
  VNET_SCALE_WORKERS    ADDs in flight at once (default 8)
  VNET_SCALE_OUT        where the section goes (default docs/benchmarks.md, between the markers below; "-": none)
  VNET_SCALE_SAVE       also write the raw numbers there (JSON); `vnet_scale.py --render FILE` renders them again
"""
import concurrent.futures
import datetime
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest
os.environ.setdefault("VNET_BIN", os.path.join(REPO, ".build", "release"))  # read by vnettest.cni at import

import benchlib as B  # noqa: E402
from benchlib import fmt_ms, median, percentile  # noqa: E402
from populated import terminal_fds  # noqa: E402  (the console's terminal descriptors, as the Endpoints frame bench finds them)
from vnettest import vnetnode  # noqa: E402
from vnettest.netns import Namespaces, root_namespace_view  # noqa: E402
from vnettest.registry import ETCD, ETCDCTL, Registry, invariant_violation, quota_of  # noqa: E402
from vnettest.vnetnode import NETWORK, VNetNode, http_get  # noqa: E402

BEGIN = "<!-- vnet-scale:begin (Tests/bench/vnet_scale.py writes between these markers) -->"
END = "<!-- vnet-scale:end -->"
VNET = "scale"
METRICS = "127.0.0.1:9479"  # in each node's namespace: its own loopback
DRIVER = os.path.join(HERE, "cni_driver.py")
PY = "/usr/bin/python3"
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# vnetd as deployed (its defaults), not the e2e suite's faster settings.
VNETD = {"interval": 1.0, "give_back": 60.0, "heartbeat": 10}
HIST_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]  # AgentMetrics.Histogram.bounds


def log(msg):
    print(f"[vnet-scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def settings(quick=None, vnet_bin=None):
    if quick is None:
        quick = os.environ.get("VNET_SCALE_QUICK") == "1" or os.environ.get("BENCH_QUICK") == "1"
    return {
        "quick": quick,
        "nodes": int(os.environ.get("VNET_SCALE_NODES", "8" if quick else "64")),
        "pods": int(os.environ.get("VNET_SCALE_PODS", "40" if quick else "250")),
        "workers": int(os.environ.get("VNET_SCALE_WORKERS", "8")),
        # ADDs in a row on one node before its worker moves to the next: bursts faster than vnetd's pass, so
        # some ADDs find the reservation used up and wait for a grow, most do not.
        "burst": 10 if quick else 25,
        "step": 16,
        "lock_timeout": 10,
        "ab_adds": 60 if quick else 240,  # per side; below the A/B node's first reservation of 256
        "idle_seconds": 15 if quick else 30,
        "bin": os.path.abspath(vnet_bin or os.environ["VNET_BIN"]),
    }


def address(n):
    return f"{n >> 24 & 255}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def node_pools(nodes, pods):
    """Non-overlapping ranges in 10.240.0.0/16 from 10.240.16.0, one block of whole /24s per node."""
    block = math.ceil((pods + 8) / 256) * 256
    base = (10 << 24) | (240 << 16) | (16 << 8)
    if 16 * 256 + nodes * block > 65536 - 256:
        raise SystemExit(f"vnet-scale: {nodes} nodes x {pods} pods do not fit in 10.240.0.0/16")
    return [f"{address(base + i * block + 1)}-{address(base + (i + 1) * block - 2)}" for i in range(nodes)]


def ipam_network(node, ipam=None):
    """The network configuration a network plugin hands vnet-ipam on `node` (the node's vnet plugin's ipam)."""
    return {"cniVersion": "1.1.0", "name": NETWORK, "type": "vnet", "ipam": ipam or node.plugin["ipam"]}


def granted(node):
    g = node.granted()
    return g["reserved"] if g else 0


class Adder:
    """vnet-ipam ADDs in a node's namespace, exec'd through nsenter with posix_spawn (benchlib.spawn)."""

    def __init__(self, vnet_bin):
        self.binary = os.path.join(vnet_bin, "vnet-ipam")

    def add(self, node, cid, conf_bytes):
        env = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": cid, "CNI_NETNS": node.ns.path, "CNI_IFNAME": "eth0",
               "CNI_ARGS": "", "CNI_PATH": os.path.dirname(self.binary), "PATH": PATH}
        out = B.spawn(["/usr/bin/nsenter", f"--net={node.ns.path}", self.binary], env, conf_bytes)
        code, msg = None, None
        if out.status != 0:
            try:
                parsed = json.loads(out.stdout)
                code, msg = parsed.get("code"), parsed.get("msg")
            except ValueError:
                msg = (out.stdout + out.stderr).decode(errors="replace")[-500:]
        return out, code, msg


# --- the parts ---------------------------------------------------------------------------------------------

def add_cost(namespaces, registry, cfg):
    """ADD p50 with `ipam.registry` (vnetd running, its reservation of 256 already granted, so no ADD waits)
    against the same configuration without a registry, in one node, alternating A B / B A, from inside the
    node's namespace (cni_driver.py: no nsenter per call)."""
    node = VNetNode(namespaces, registry, "ab", 250, vnet="abtest", limit=16000, step=256, lock_timeout=cfg["lock_timeout"],
                    pool="10.240.8.1-10.240.9.254")
    plain_dir = tempfile.mkdtemp(prefix="vnet-ab-plain-")
    os.chmod(plain_dir, 0o700)
    try:
        node.start_vnetd(interval=VNETD["interval"], give_back=VNETD["give_back"], heartbeat=VNETD["heartbeat"])
        node.wait_granted(at_least=256, timeout=30)
        plain = {k: v for k, v in node.plugin["ipam"].items() if k != "registry"}
        plain["dataDir"] = plain_dir
        confs = {"registry": json.dumps(ipam_network(node)), "plain": json.dumps(ipam_network(node, plain))}
        binary = os.path.join(cfg["bin"], "vnet-ipam")
        calls = []
        for i in range(cfg["ab_adds"]):
            order = ("registry", "plain") if i % 2 == 0 else ("plain", "registry")
            for side in order:
                calls.append({"argv": [binary], "stdin": confs[side], "tag": side, "env": {
                    "CNI_COMMAND": "ADD", "CNI_CONTAINERID": f"ab{i:04d}", "CNI_NETNS": node.ns.path, "CNI_IFNAME": "eth0",
                    "CNI_PATH": cfg["bin"], "PATH": PATH}})
        proc = subprocess.run(["nsenter", f"--net={node.ns.path}", PY, DRIVER],
                              input=json.dumps({"kind": "raw", "workers": 1, "calls": calls}), capture_output=True, text=True,
                              timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"cni_driver.py in {node.ns.name} failed: {proc.stderr[-2000:]}")
        records = json.loads(proc.stdout)["records"]
        bad = [r for r in records if r["status"] != 0]
        if bad:
            raise RuntimeError(f"A/B ADD failed: {bad[0].get('error')}")
        out = {side: [r["wall"] for r in records if r["tag"] == side] for side in confs}
        m = metrics_of(node)
        out["growth_requests"] = m.get(("vnetd_growth_requests_total", None), 0)
        out["reserved"] = granted(node)
        return out
    finally:
        node.cleanup()
        shutil.rmtree(plain_dir, ignore_errors=True)


def start_nodes(namespaces, registry, cfg):
    pools = node_pools(cfg["nodes"], cfg["pods"])
    limit = cfg["nodes"] * cfg["pods"]
    nodes = []
    for i in range(cfg["nodes"]):
        nodes.append(VNetNode(namespaces, registry, f"n{i}", i, vnet=VNET, limit=limit, step=cfg["step"],
                              lock_timeout=cfg["lock_timeout"], pool=pools[i]))
        if cfg["pods"] > 250:
            nodes[-1].plugin["ipam"]["maxPodsPerNode"] = cfg["pods"]
            with open(nodes[-1].config_path, "w") as f:
                json.dump(nodes[-1].conflist(), f)
    started = time.monotonic()
    for node in nodes:
        node.start_vnetd(interval=VNETD["interval"], give_back=VNETD["give_back"], heartbeat=VNETD["heartbeat"], metrics=METRICS)
    for node in nodes:
        node.wait_granted(at_least=1, timeout=120)
    return nodes, time.monotonic() - started


def fill(nodes, cfg):
    """Every node to cfg["pods"] pods: `workers` threads, each owning every workers-th node, adding bursts of
    `burst` pods to one node after the other, so a node never has two ADDs at once (the reservation read
    before an ADD then tells whether it had to wait for a grow)."""
    adder = Adder(cfg["bin"])
    confs = {node.name: json.dumps(ipam_network(node)).encode() for node in nodes}
    records, lock, done = [], threading.Lock(), [0]
    held = {node.name: 0 for node in nodes}
    total = len(nodes) * cfg["pods"]
    t0 = time.perf_counter()

    def one(node, cid):
        grant = node.granted() or {}
        before = grant.get("reserved", 0)
        out, code, msg = adder.add(node, cid, confs[node.name])
        rec = {"node": node.name, "cid": cid, "held": held[node.name], "granted_before": before,
               "vnet_reserved_before": grant.get("vnetReserved"), "must_grow": before <= held[node.name],
               "wall": out.wall, "start": out.start - t0, "status": out.status, "code": code, "msg": msg}
        if out.status == 0:
            held[node.name] += 1
        with lock:
            records.append(rec)
            done[0] += 1
            if done[0] % max(1, total // 16) == 0:
                log(f"  {done[0]}/{total} ADDs, {time.perf_counter() - t0:.0f} s")
        return rec

    stop = threading.Event()

    def worker(mine):
        sequence = {node.name: 0 for node in mine}
        while any(sequence[n.name] < cfg["pods"] for n in mine):
            for node in mine:
                for _ in range(min(cfg["burst"], cfg["pods"] - sequence[node.name])):
                    if stop.is_set():
                        return
                    one(node, f"{node.name}-p{sequence[node.name]:04d}")
                    sequence[node.name] += 1

    workers = cfg["workers"]
    load = loadavg()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        try:
            list(pool.map(worker, [nodes[w::workers] for w in range(workers)]))
        except BaseException:
            stop.set()  # Ctrl-C or SIGTERM: the workers end after their ADD in flight
            raise
    elapsed = time.perf_counter() - t0
    load = [load, loadavg()]
    # A runtime retries a refused ADD: so do we, one at a time, and count them.
    retried = []
    pending = [(r["node"], r["cid"]) for r in records if r["status"] != 0]
    for attempt in range(3):
        still = []
        for name, cid in pending:
            node = next(n for n in nodes if n.name == name)
            out, code, msg = adder.add(node, cid, confs[name])
            retried.append({"cid": cid, "attempt": attempt + 1, "status": out.status, "code": code, "wall": out.wall})
            if out.status == 0:
                held[name] += 1
            else:
                still.append((name, cid))
        pending = still
    return {"records": records, "elapsed": elapsed, "retried": retried, "held": held, "load": load}


def over_limit(nodes, cfg):
    """The ADD one past the VNet's limit, on the first node: refused with code 106 (after waiting for room)."""
    adder = Adder(cfg["bin"])
    node = nodes[0]
    out, code, msg = adder.add(node, "one-too-many", json.dumps(ipam_network(node)).encode())
    return {"node": node.name, "status": out.status, "code": code, "msg": msg, "wall": out.wall}


def metrics_of(node):
    from prometheus_client.parser import text_string_to_metric_families
    status, body = http_get(node, f"http://{METRICS}/metrics")
    if status != 200:
        return {}
    return {(s.name, s.labels.get("le")): s.value for f in text_string_to_metric_families(body) for s in f.samples}


def grow_histogram(all_metrics):
    """The nodes' vnetd_grow_seconds histograms summed: {bound: cumulative count}, count, sum."""
    buckets = {b: 0.0 for b in HIST_BOUNDS + [math.inf]}
    count = total = 0.0
    for m in all_metrics:
        for (name, le), value in m.items():
            if name == "vnetd_grow_seconds_bucket":
                bound = math.inf if le == "+Inf" else float(le)
                if bound in buckets:
                    buckets[bound] += value
        count += m.get(("vnetd_grow_seconds_count", None), 0)
        total += m.get(("vnetd_grow_seconds_sum", None), 0)
    return {"buckets": [[b if b != math.inf else "+Inf", v] for b, v in buckets.items()], "count": count, "sum": total}


def histogram_quantile(hist, q):
    """Prometheus' histogram_quantile: linear within the bucket the rank falls in; beyond the last finite
    bound, that bound (reported as "> bound")."""
    count = hist["count"]
    if not count:
        return None
    rank, lower, below = q * count, 0.0, 0.0
    for bound, cumulative in hist["buckets"]:
        if cumulative >= rank:
            if bound == "+Inf":
                return HIST_BOUNDS[-1]
            inside = cumulative - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1)
        lower, below = (bound if bound != "+Inf" else lower), cumulative
    return HIST_BOUNDS[-1]


def loadavg():
    """The machine's 1-minute load average: other work on it shows here."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith(field + ":"))
    except (OSError, StopIteration):
        return None


def pss(pid):
    """Proportional set size (KiB): shared pages (the Swift runtime and Foundation every vnetd maps) divided
    among the processes that map them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
    except (OSError, StopIteration):
        return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def resources(nodes, registry, seconds):
    """vnetd's RSS with every pod added and its CPU over `seconds` of idling (utime+stime from /proc), for
    every node at once; etcd's beside it."""
    pids = {node.name: node.vnetd_proc.pid for node in nodes}
    wrong = [n for n, p in pids.items() if comm(p) != "vnetd"]
    if wrong:
        raise RuntimeError(f"the processes of {wrong[:3]} are not vnetd (nsenter did not exec it?)")
    etcd_pid = next(iter(registry.procs.values())).pid
    c0 = {n: cpu_seconds(p) for n, p in pids.items()}
    e0, t0 = cpu_seconds(etcd_pid), time.monotonic()
    time.sleep(seconds)
    c1 = {n: cpu_seconds(p) for n, p in pids.items()}
    e1, t1 = cpu_seconds(etcd_pid), time.monotonic()
    elapsed = t1 - t0
    return {"seconds": elapsed,
            "cpu_percent": {n: 100 * (c1[n] - c0[n]) / elapsed for n in pids},
            "rss_kb": {n: proc_status(p, "VmRSS") for n, p in pids.items()},
            "rss_anon_kb": {n: proc_status(p, "RssAnon") for n, p in pids.items()},
            "rss_file_kb": {n: proc_status(p, "RssFile") for n, p in pids.items()},
            "pss_kb": {n: pss(p) for n, p in pids.items()},
            "hwm_kb": {n: proc_status(p, "VmHWM") for n, p in pids.items()},
            "etcd": {"cpu_percent": 100 * (e1 - e0) / elapsed, "rss_kb": proc_status(etcd_pid, "VmRSS"),
                     "db_bytes": etcd_db_size(registry)}}


def idle(nodes, registry, seconds):
    """resources() over `seconds`, with what moved meanwhile: the registry's revision, the nodes' grows,
    give-backs and registry errors, and the machine's load. Also returns the nodes' metrics at the end."""
    before = [metrics_of(node) for node in nodes]
    revision, load = registry.revision(), loadavg()
    res = resources(nodes, registry, seconds)
    after = [metrics_of(node) for node in nodes]
    moved = {"etcd_revisions": registry.revision() - revision, "load_before": load, "load_after": loadavg(),
             **{key: sum(a.get((f"vnetd_{key}", None), 0) - b.get((f"vnetd_{key}", None), 0) for a, b in zip(after, before))
                for key in ("grows_total", "give_backs_total", "registry_errors_total")}}
    return res, moved, after


def etcd_db_size(registry):
    try:
        out = json.loads(registry.etcdctl("endpoint", "status", "-w", "json").stdout)
        return out[0]["Status"]["dbSize"]
    except (ValueError, KeyError, IndexError, subprocess.SubprocessError):
        return None


def log_lines(nodes, top=8):
    """What the vnetds logged, over all nodes: the most frequent lines (numbers replaced by N), with counts."""
    import collections
    import re
    counts = collections.Counter()
    for node in nodes:
        for line in node.log().splitlines():
            counts[re.sub(r"\d+", "N", line.strip())[:200]] += 1
    return counts.most_common(top)


def stop_all(nodes):
    """SIGTERM to every vnetd at once (ours, by PID), then wait; returns their exit codes."""
    for node in nodes:
        if node.vnetd_proc and node.vnetd_proc.poll() is None:
            node.vnetd_proc.send_signal(signal.SIGTERM)
    codes = {}
    for node in nodes:
        codes[node.name] = node.stop_vnetd()
    return codes


# --- the console's VNet screen ---------------------------------------------------------------------------

STRACE = "/usr/bin/strace"
TMUX = shutil.which("tmux")
# Syscalls by which the console's main thread reads this node's data in a refresh (netlink, nftables, the
# state files), as populated.py counts them; a frame's own work makes none of them.
NODE_READS = ("recvmsg", "recvfrom", "read", "pread64", "sendmsg", "sendto", "close", "openat")
WAITS = ("poll", "ppoll")
POLL_TIMEOUT = re.compile(r", (-?\d+)\) += ")  # poll(fds, nfds, timeout)
STRACE_LINE = re.compile(r"^(\d+):(\d+):([\d.]+) (\w+)\((.*?)(?: <([\d.]+)>)?$")


def frame_gaps(path, write_fds):
    """From an `strace -tt -T` log of the console's main thread (only it: `-p` without `-f`): each frame is
    the first write to the terminal after a refresh. `frame`: from the end of the last syscall that read node
    data to that write's start, i.e. building the VNet view from the background task's cached reading, laying
    out the screen and ncurses' diff (no syscall in between, and strace slows only syscalls). `refresh`: from
    the poll that woke the loop (its return) to the write, i.e. the node's snapshot under strace plus the
    frame. `compute`: from the same point to the start of the next syscall of any kind (ncurses' output begins
    with a few, each slowed by strace), i.e. the frame's computation alone.
    Returns [{"frame": s, "refresh": s, "compute": s}, ...]."""
    out, last_read, woke, first_after = [], None, None, None
    with open(path) as f:
        for line in f:
            m = STRACE_LINE.match(line.rstrip("\n"))
            if not m:
                continue  # "<unfinished ...>", signals, exit lines
            start = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            end = start + float(m.group(6) or 0)
            name, args = m.group(4), m.group(5)
            if last_read is not None and first_after is None and not (name in NODE_READS and not args.startswith("0,")):
                first_after = start
            if name in ("write", "writev") and args.split(",", 1)[0] in write_fds:
                if last_read is not None:
                    out.append({"frame": start - last_read, "refresh": start - woke if woke is not None else None,
                                "compute": first_after - last_read})
                last_read = woke = first_after = None
            elif name in WAITS:
                # The loop's wait (a timeout: the refresh interval); ncurses' typeahead checks inside a
                # frame poll with timeout 0 and are neither a wakeup nor a read.
                timeout = POLL_TIMEOUT.search(args)
                zero = "{tv_sec=0, tv_nsec=0}" in args if name == "ppoll" else bool(timeout and timeout.group(1) == "0")
                if not zero:
                    woke, last_read, first_after = end, None, None
            elif name in NODE_READS and not args.startswith("0,"):
                last_read, first_after = end, None
    return out


def tmux(socket, *args, check=False):
    return subprocess.run([TMUX, "-L", socket, *args], capture_output=True, text=True, check=check, timeout=20)


def console_vnet_screen(node, cfg, width, height, seconds=6.5):
    """`vnet-console` on `node` (its own --netns and --state-dir, --interval 1, --read-only) in a detached tmux
    session of width x height on a tmux server of our own; key 6 opens the VNet screen; once it shows the
    registry's VNet, strace attaches to the console's main thread for `seconds` (about one refresh a
    second) and frame_gaps() times each frame. The tmux server, the console and strace are ours, stopped by
    PID."""
    console_bin = os.path.join(cfg["bin"], "vnet-console")
    socket = f"vnet-scale-{os.getpid()}-{width}x{height}"
    session = "vnet"
    command = " ".join(["exec", console_bin, "--netns", node.ns.name, "--state-dir", node.data_dir, "--interval", "1",
                        "--read-only", "--log", os.path.join(node.data_dir, f"console-{width}x{height}.log")])
    tmux(socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command, check=True)
    server_pid = pane_pid = tracer = None
    try:
        ids = tmux(socket, "display-message", "-p", "-t", session, "#{pid} #{pane_pid}", check=True).stdout.split()
        server_pid, pane_pid = int(ids[0]), int(ids[1])
        time.sleep(2)
        if comm(pane_pid) != "vnet-console":
            return {"skipped": f"the console did not start (pane runs {comm(pane_pid)!r})",
                    "screen": tmux(socket, "capture-pane", "-p", "-t", session).stdout[-600:]}
        tmux(socket, "send-keys", "-t", session, "6")
        quota_line = f"{VNET}  limit"
        deadline, screen = time.monotonic() + 30, ""
        while time.monotonic() < deadline:
            screen = tmux(socket, "capture-pane", "-p", "-t", session).stdout
            if quota_line in screen and "n0" in screen:
                break
            time.sleep(0.5)
        else:
            return {"skipped": "the VNet screen did not show the registry's VNet within 30 s", "screen": screen[-1200:]}
        time.sleep(1.5)  # a couple of refreshes on the screen first
        rows = sum(1 for l in screen.splitlines() if re.search(r"\bn\d+\b.*\b(alive|LOST)\b", l))
        path = os.path.join(node.data_dir, f"console-strace-{width}x{height}.txt")
        load = loadavg()
        main_thread = f"{pane_pid}/task/{pane_pid}"
        c0, m0, t0 = cpu_seconds(pane_pid), cpu_seconds(main_thread), time.monotonic()
        tracer = subprocess.Popen([STRACE, "-tt", "-T", "-p", str(pane_pid), "-o", path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        c1, m1, t1 = cpu_seconds(pane_pid), cpu_seconds(main_thread), time.monotonic()
        tracer.send_signal(signal.SIGINT)
        try:
            tracer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            tracer.kill()
            tracer.wait()
        tracer = None
        frames = frame_gaps(path, write_fds=terminal_fds(pane_pid)) if os.path.exists(path) else []
        screen = tmux(socket, "capture-pane", "-p", "-t", session).stdout
        return {"width": width, "height": height, "seconds": seconds, "rows_shown": rows,
                "frames": [g["frame"] for g in frames], "refreshes": [g["refresh"] for g in frames if g["refresh"] is not None],
                "vnet_screen": quota_line in screen, "screen_head": "\n".join(screen.splitlines()[:4]),
                # While traced: the whole console (the background registry reads included) and its main thread,
                # % of a core (strace attached), and the machine's load.
                "cpu_percent": 100 * (c1 - c0) / (t1 - t0), "main_cpu_percent": 100 * (m1 - m0) / (t1 - t0),
                "load": [load, loadavg()]}
    finally:
        if tracer is not None:
            tracer.kill()
            tracer.wait()
        tmux(socket, "kill-session", "-t", session)
        for pid in (pane_pid, server_pid):
            if pid and comm(pid) in ("vnet-console", "tmux: server", "tmux"):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass


def console_frames(node, cfg):
    """The VNet screen's frame time on `node` at 200x60 and 80x24, or {"skipped": why}."""
    console_bin = os.path.join(cfg["bin"], "vnet-console")
    for need, path in (("vnet-console", console_bin if os.access(console_bin, os.X_OK) else None),
                       ("strace", STRACE if os.access(STRACE, os.X_OK) else None), ("tmux", TMUX)):
        if not path:
            return {"skipped": f"{need} is not available"}
    out = {}
    for width, height in ((200, 60), (80, 24)):
        try:
            out[f"{width}x{height}"] = console_vnet_screen(node, cfg, width, height)
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            out[f"{width}x{height}"] = {"skipped": f"the console run failed: {e}"}
    return out


# --- the run -----------------------------------------------------------------------------------------------

def missing(cfg):
    if not ETCD or not ETCDCTL:
        return "etcd is not installed (apt-get install etcd-server etcd-client)"
    for binary in ("vnetd", "vnet-ipam"):
        if not os.access(os.path.join(cfg["bin"], binary), os.X_OK):
            return f"{binary} is not built in {cfg['bin']}"
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        return "python module prometheus_client is missing (apt-get install python3-prometheus-client)"
    return None


def measure(cfg):
    """Runs every part; returns the numbers (or {"skipped": why}). Namespaces, vnetds and etcd are removed
    again, also after a failure."""
    why = missing(cfg)
    if why:
        return {"skipped": why, "cfg": cfg}
    vnetnode.BIN = cfg["bin"]  # the vnetd VNetNode starts
    started = time.monotonic()
    namespaces = Namespaces("sc")
    data = {"cfg": cfg, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    registry, nodes = None, []
    try:
        log(f"etcd (1 member) in {namespaces.prefix}-reg ...")
        registry = Registry(namespaces, members=1)
        log(f"ADD with the registry against without: {cfg['ab_adds']} ADDs each, alternating ...")
        data["ab"] = add_cost(namespaces, registry, cfg)
        log(f"{cfg['nodes']} nodes, each with its vnetd ...")
        nodes, data["startup_s"] = start_nodes(namespaces, registry, cfg)
        log(f"{cfg['nodes']} x {cfg['pods']} pods, {cfg['workers']} ADDs at a time ...")
        data["fill"] = fill(nodes, cfg)
        log("the ADD past the limit ...")
        data["over"] = over_limit(nodes, cfg)
        limit, reserved, by_node, _ = quota_of(registry, VNET)
        leases = {node.name: len(node.leases()) for node in nodes}
        data["quota"] = {"limit": limit, "reserved": reserved, "by_node_min": min(by_node.values(), default=0),
                         "by_node_max": max(by_node.values(), default=0), "nodes_in_registry": len(by_node),
                         "violation": invariant_violation(limit, reserved, by_node), "leases": sum(leases.values()),
                         "leases_min": min(leases.values()), "leases_max": max(leases.values()),
                         "over_reservation": [n for n in leases if leases[n] > by_node.get(n, 0)]}
        time.sleep(3)  # the last passes after the fill
        log(f"vnetd idle over {cfg['idle_seconds']} s, the VNet full ...")
        data["resources"], data["idle"], all_metrics = idle(nodes, registry, cfg["idle_seconds"])
        data["metrics"] = {
            "histogram": grow_histogram(all_metrics),
            "nodes": len([m for m in all_metrics if m]),
            **{key: sum(m.get((f"vnetd_{key}", None), 0) for m in all_metrics)
               for key in ("grows_total", "give_backs_total", "growth_requests_total", "growth_refusals_total",
                           "registry_errors_total", "leak_suspects")}}
        # The same pods with room beyond them: the limit raised by a step per node (as an operator would,
        # with etcdctl), every node grows to its headroom, and then idles as a node normally does.
        raised = limit + cfg["nodes"] * cfg["step"]
        registry.etcdctl("put", f"/vnet/v1/{VNET}/limit", json.dumps({"maxPods": raised}))
        headroom = (cfg["pods"] // cfg["step"] + 1) * cfg["step"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(granted(node) < headroom for node in nodes):
            time.sleep(0.5)
        time.sleep(3)
        log(f"vnetd idle over {cfg['idle_seconds']} s, the limit raised to {raised} ...")
        data["resources_room"], data["idle_room"], _ = idle(nodes, registry, cfg["idle_seconds"])
        data["idle_room"].update({"limit": raised, "headroom": headroom,
                                  "nodes_at_headroom": sum(1 for node in nodes if granted(node) >= headroom)})
        log("the console's VNet screen on n0, 200x60 and 80x24 (strace on its main thread) ...")
        data["console"] = console_frames(nodes[0], cfg)
        data["exit_codes"] = stop_all(nodes)
        data["vnetd_log"] = log_lines(nodes)
    finally:
        for node in nodes:
            node.cleanup()
        if registry:
            registry.cleanup()
        namespaces.cleanup()
    data["leftover_namespaces"] = [n for n in os.listdir("/var/run/netns") if n.startswith(namespaces.prefix)] \
        if os.path.isdir("/var/run/netns") else []
    data["elapsed"] = time.monotonic() - started
    return data


# --- the report --------------------------------------------------------------------------------------------

def verdict(ok, text):
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def mb(kib):
    """Decimal megabytes (the targets say MB), from KiB."""
    return (kib or 0) * 1024 / 1e6


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def at_limit(r, cfg, limit):
    """An ADD that waited while the VNet had no full step left: its node's grant was trimmed (under
    pressure, or a partial grant), or the VNet's reservations were within a step of the limit."""
    vr = r.get("vnet_reserved_before")
    return r["granted_before"] % cfg["step"] != 0 or (vr is not None and vr + cfg["step"] > limit)


def summary(data):
    """The derived numbers the section and the verdicts use."""
    cfg, f, q = data["cfg"], data["fill"], data["quota"]
    ok = [r for r in f["records"] if r["status"] == 0]
    grew = [r for r in ok if r["must_grow"]]
    limited = [r["wall"] for r in grew if at_limit(r, cfg, q["limit"])]
    roomy = [r["wall"] for r in grew if not at_limit(r, cfg, q["limit"])]
    total = cfg["nodes"] * cfg["pods"]
    # The headroom phase: until the VNet's unreserved room is less than every node's step.
    threshold = max(0, total - cfg["nodes"] * cfg["step"])
    ends = sorted(r["start"] + r["wall"] for r in ok)
    t_threshold = ends[threshold - 1] if 0 < threshold <= len(ends) else None
    late = [r for r in f["records"] if t_threshold is not None and r["start"] + r["wall"] > t_threshold]
    res = data["resources"]
    cpu, rss = res["cpu_percent"], res["rss_kb"]
    ab = data["ab"]
    return {"ok": ok, "grew": [r["wall"] for r in grew], "kept": [r["wall"] for r in ok if not r["must_grow"]],
            "grew_room": roomy, "grew_limit": limited,
            "refused": [r for r in f["records"] if r["status"] != 0], "total": total,
            "retried_ok": sum(1 for r in f["retried"] if r["status"] == 0),
            "threshold": threshold, "t_threshold": t_threshold, "late_refused": sum(1 for r in late if r["status"] != 0),
            "cpu_first": cpu["n0"], "cpu_max": max(cpu.values()), "cpu_median": median(list(cpu.values())),
            "cpu_max_node": max(cpu, key=cpu.get),
            "rss_first": rss["n0"], "rss_max": max(rss.values()), "rss_median": median(list(rss.values())),
            "ab_reg": median(ab["registry"]), "ab_plain": median(ab["plain"])}


def targets(data):
    if "skipped" in data:
        return [f"SKIP  VNet at scale: {data['skipped']}"]
    cfg, s, q, over = data["cfg"], summary(data), data["quota"], data["over"]
    n, p = cfg["nodes"], cfg["pods"]
    held_all = q["leases"] == s["total"] and q["reserved"] == s["total"] and q["violation"] is None and not q["over_reservation"]
    out = [verdict(held_all, f"{q['leases']:,} pods held on {n} nodes x {p} (limit {q['limit']:,}); the registry reserves "
                             f"{q['reserved']:,}, invariant {'holds' if q['violation'] is None else 'BROKEN: ' + q['violation']}"
                             + (f" ({len(s['refused'])} ADDs refused on the way, added on retry)" if s["refused"] else "")),
           verdict(over["status"] != 0 and over["code"] == 106,
                   f"the {ordinal(s['total'] + 1)} ADD refused with code {over['code']} after {over['wall']:.1f} s (target: code 106)")]
    ratio = s["ab_reg"] / s["ab_plain"]
    out.append(verdict(ratio <= 1.1, f"ADD p50 with the registry / without: {fmt_ms(s['ab_reg'])} / {fmt_ms(s['ab_plain'])} ms = "
                                     f"{ratio:.2f}x (target <= 1.1x)"))
    out.append(verdict(mb(s["rss_max"]) < 30, f"vnetd RSS with {p} pods: {mb(s['rss_first']):.1f} MB on n0, "
                                               f"{mb(s['rss_max']):.1f} MB the most of {n} (target < 30 MB)"))
    out.append(verdict(s["cpu_max"] < 0.5, f"vnetd idle CPU over {data['resources']['seconds']:.0f} s, the VNet full: "
                                            f"{s['cpu_first']:.2f}% of a core on n0, {s['cpu_max']:.2f}% the most of {n} (target < 0.5%)"))
    room = data.get("resources_room")
    if room:
        cpu = room["cpu_percent"]
        out.append(verdict(max(cpu.values()) < 0.5, f"vnetd idle CPU over {room['seconds']:.0f} s, the VNet with room: "
                                                    f"{cpu['n0']:.2f}% of a core on n0, {max(cpu.values()):.2f}% the most of {n} "
                                                    "(target < 0.5%)"))
    out.append(console_verdict(data.get("console"), n))
    return out


def console_verdict(console, n):
    """PASS when the frame's p50 is under 2 ms at every size measured (as populated.py judges the Endpoints
    screen), the max beside it."""
    if console is None:
        return f"SKIP  VNet screen frame with {n} nodes < 2 ms: not measured in this run"
    if "skipped" in console:
        return f"SKIP  VNet screen frame with {n} nodes < 2 ms: {console['skipped']}"
    parts, ok, why = [], True, []
    for size, r in console.items():
        frames = r.get("frames") or []
        if not frames:
            why.append(f"{size}: {r.get('skipped', 'no frame traced')}")
            continue
        ok = ok and median(frames) < 0.002
        parts.append(f"{size} {fmt_ms(median(frames))} / {fmt_ms(max(frames))} ({len(frames)} frames)")
    if not parts:
        return f"SKIP  VNet screen frame with {n} nodes < 2 ms: {'; '.join(why)}"
    return verdict(ok and not why, f"VNet screen frame with {n} nodes, p50 / max (ms): {', '.join(parts)}"
                                   + (f"; not measured at {'; '.join(why)}" if why else "") + " (target < 2 ms)")


def section(data):
    """The "VNet at scale" section of docs/benchmarks.md, between its markers."""
    lines = [BEGIN, "## VNet at scale (issue #16)", ""]
    if data is None:
        return lines + ["not measured in this run (`BENCH_VNET_SCALE=0`); `Tests/bench/vnet_scale.py` runs it alone.", "", END]
    if "skipped" in data:
        return lines + [f"**not measured**: {data['skipped']}", "", END]
    cfg, s, q, f, m, res, ab = data["cfg"], summary(data), data["quota"], data["fill"], data["metrics"], data["resources"], data["ab"]
    n, p = cfg["nodes"], cfg["pods"]
    idle = data.get("idle", {})
    lines += [f"Run: {data['date']}, {n} nodes x {p} pods{' (quick mode)' if cfg['quick'] else ''}, "
              f"{data['elapsed'] / 60:.1f} minutes in all (`Tests/bench/vnet_scale.py`, also alone: "
              "`VNET_SCALE_NODES`, `VNET_SCALE_PODS`, `--quick`).", "",
              f"One VNet (`maxPodsPerVNet` {q['limit']:,}) on **one etcd member** (Debian's etcd 3.4 in its own namespace, "
              "reached through its JSON gateway; a 3-member cluster adds a replication round to every write). "
              "A simulated node is a network namespace joined to the registry's over a veth, its own state directory "
              "and its own vnetd with its default timing (`--interval 1 --give-back-after 60 --heartbeat-seconds 10`; "
              f"metrics on the node's own loopback), `reservationStep` {cfg['step']}, `lockTimeoutSeconds` {cfg['lock_timeout']}. "
              "A pod is one ADD of `vnet-ipam` alone, exec'd in the node's namespace through nsenter, with the node's "
              "own namespace as CNI_NETNS so vnetd's leak scan sees a live pod (a dummy path would make every pod a leak "
              "that vnetd reclaims). **Left out**: the vnet plugin and all it does in the kernel (veth pair, bridge "
              "port, routes, the NAT set), pod namespaces, the kubelet, and a machine per node: "
              f"{n} vnetd, etcd and the ADDs share 2 cores here.", "",
              "### Targets (issue #16, acceptance 5)", "", "```"] + targets(data) + ["```", ""]
    walls = [r["wall"] for r in s["ok"]]

    def dist(w, full=True):
        if not w:
            return "0, -"
        text = f"{len(w):,}, {fmt_ms(median(w))} / {fmt_ms(percentile(w, 99))}"
        return text + (f" / {fmt_ms(max(w))}" if full else "")
    load = f.get("load") or [None, None]
    lines += ["### Filling the VNet", "",
              f"{cfg['workers']} ADDs at a time; each worker owns every {cfg['workers']}th node and adds bursts of "
              f"{cfg['burst']} pods to one node after the other (never two ADDs on one node at once). An ADD *waited for "
              "a grow* when the node's granted reservation, read just before it, had no room for it: vnet-ipam then asks "
              "vnetd over its socket and waits (its lock released) until a grow commits, at most `lockTimeoutSeconds`. "
              "Walls are spawn to reap, nsenter included.", "",
              "| | value |", "|---|---:|",
              f"| vnetd start to every node's first grant ({n} nodes) | {data['startup_s']:.1f} s |",
              f"| ADDs to fill {s['total']:,} pods | {f['elapsed']:.0f} s ({len(s['ok']) / f['elapsed']:.0f} ADDs/s) |"]
    if s["t_threshold"] is not None:
        rest = f["elapsed"] - s["t_threshold"]
        lines += [f"| ... the first {s['threshold']:,} (while the VNet had a full step unreserved for every node) | "
                  f"{s['t_threshold']:.0f} s ({s['threshold'] / s['t_threshold']:.0f} ADDs/s) |",
                  f"| ... the last {s['total'] - s['threshold']:,} (at the limit: a node grows only when others give back) | "
                  f"{rest:.0f} s ({(s['total'] - s['threshold']) / rest if rest > 0 else 0:.1f} ADDs/s), {s['late_refused']} refused |"]
    lines += [f"| ADD, all: count, p50 / p99 / max (ms) | {dist(walls)} |",
              f"| ADDs that found room: count, p50 / p99 (ms) | {dist(s['kept'], False)} |",
              f"| ADDs that waited for a grow, the VNet with room: count, p50 / p99 / max (ms) | {dist(s['grew_room'])} |",
              f"| ADDs that waited for a grow, the VNet at its limit: count, p50 / p99 / max (ms) | {dist(s['grew_limit'])} |",
              f"| ADDs that asked vnetd for room (`vnetd_growth_requests_total`, all nodes; retries and the one past the limit included) | "
              f"{m['growth_requests_total']:.0f} |",
              f"| ADDs refused during the fill (code 106 within {cfg['lock_timeout']} s), added on retry | "
              f"{len(s['refused'])}, {s['retried_ok']} |",
              f"| the {ordinal(s['total'] + 1)} ADD (on n0) | code {data['over']['code']} after {data['over']['wall']:.1f} s |",
              f"| registry at the end | limit {q['limit']:,}, reserved {q['reserved']:,} by {q['nodes_in_registry']} nodes "
              f"({q['by_node_min']}-{q['by_node_max']} each), {q['leases']:,} leases ({q['leases_min']}-{q['leases_max']} a node) |",
              f"| the machine's load average, start / end of the fill | {load[0]} / {load[1]} |", ""]
    if s["refused"]:
        lines += [f"A refusal during the fill said: `{s['refused'][-1]['msg']}`", ""]
    hist = m["histogram"]
    p50, p99 = histogram_quantile(hist, 0.5), histogram_quantile(hist, 0.99)

    def hq(v):
        return "n/a" if v is None else (f"> {fmt_ms(v)}" if v >= HIST_BOUNDS[-1] else fmt_ms(v))
    lines += ["### Grow latency", "",
              "vnetd's `vnetd_grow_seconds` histogram (from the decision to grow to the commit: the quota read and "
              f"the transaction, retried on a conflict), summed over the {m['nodes']} nodes' `/metrics`; quantiles "
              "interpolated within buckets (bounds 5, 10, 25, 50, 100, 250 ms ...) as Prometheus' `histogram_quantile` "
              "does. Every grow counts: those an ADD waited on and those a pass made ahead of need. The ADDs that "
              "waited are timed end to end above.", "",
              "| grows | p50 (ms) | p99 (ms) | mean (ms) | give-backs | growth refusals | registry errors |",
              "|---:|---:|---:|---:|---:|---:|---:|",
              f"| {hist['count']:.0f} | {hq(p50)} | {hq(p99)} | {fmt_ms(hist['sum'] / hist['count']) if hist['count'] else 'n/a'} | "
              f"{m['give_backs_total']:.0f} | {m['growth_refusals_total']:.0f} | {m['registry_errors_total']:.0f} |", "",
              "Buckets (cumulative): " + ", ".join(f"<= {b if b == '+Inf' else fmt_ms(b)} ms: {v:.0f}" for b, v in hist["buckets"]) + ".", ""]
    if data.get("vnetd_log"):
        lines += ["What the vnetds logged (all nodes, numbers as N):", ""] + \
                 [f"- {count} x `{line}`" for line, count in data["vnetd_log"]] + [""]
    lines += ["### ADD with the registry against without", "",
              f"One more node (its own VNet, `reservationStep` 256, so its first grant covers every ADD: none waits); "
              f"{len(ab['registry'])} ADDs with `ipam.registry` and {len(ab['plain'])} with the same configuration "
              "without it (another state directory), alternating A B / B A, one at a time, from inside the node "
              "(cni_driver.py, no nsenter per call), before the other nodes start. With a registry, ADD also reads "
              "the granted reservation (one small file) under its lock.", "",
              "| | p50 (ms) | p90 (ms) | p99 (ms) |", "|---|---:|---:|---:|"]
    for key, label in (("registry", "with `ipam.registry`, vnetd running"), ("plain", "without a registry")):
        w = ab[key]
        lines.append(f"| {label} | {fmt_ms(median(w))} | {fmt_ms(percentile(w, 90))} | {fmt_ms(percentile(w, 99))} |")
    lines += [f"| with / without | {s['ab_reg'] / s['ab_plain']:.2f} | {percentile(ab['registry'], 90) / percentile(ab['plain'], 90):.2f} | "
              f"{percentile(ab['registry'], 99) / percentile(ab['plain'], 99):.2f} |", "",
              f"vnetd was asked for room {ab['growth_requests']:.0f} times during these ADDs.", ""]
    e = res["etcd"]

    def row(label, key, fmt=lambda v: f"{mb(v):.1f}"):
        vals = res.get(key)
        if not vals:
            return f"| {label} | n/a | n/a | n/a |"
        return f"| {label} | {fmt(vals['n0'])} | {fmt(median(list(vals.values())))} | {fmt(max(vals.values()))} |"
    room, idle_room = data.get("resources_room"), data.get("idle_room") or {}

    def cpu_row(label, r):
        cpu = r["cpu_percent"]
        top = max(cpu, key=cpu.get)
        return f"| {label} | {cpu['n0']:.2f} | {median(list(cpu.values())):.2f} | {cpu[top]:.2f} ({top}) |"

    def churn(moved, r):
        if not moved:
            return ""
        return (f"the registry's revision moved by {moved['etcd_revisions']} ({moved['etcd_revisions'] / r['seconds']:.1f} writes/s), "
                f"the nodes grew {moved['grows_total']:.0f} times, gave back {moved['give_backs_total']:.0f} times and counted "
                f"{moved['registry_errors_total']:.0f} registry errors; etcd used {r['etcd']['cpu_percent']:.1f}% of a core; the "
                f"machine's load average was {moved['load_before']} before and {moved['load_after']} after")
    lines += ["### vnetd and etcd at rest", "",
              f"Every pod added, then {res['seconds']:.0f} s with no ADD, twice: first with the VNet full (every node at "
              "its limit, the reservations adding up to the VNet's limit), then with room, after the limit was raised "
              f"by {cfg['step']} pods a node in etcd (`etcdctl put .../limit`) and every node had grown to its headroom. "
              "CPU is utime+stime from /proc/PID/stat over each time (clock ticks of 10 ms: 0.03% of a core over "
              "30 s); memory is from /proc/PID/status at the end of the first. RssFile is mostly the Swift runtime "
              f"and Foundation, mapped by all {n} vnetd alike; PSS shares it out among them.", "",
              "| | n0 | median of the nodes | most of the nodes |", "|---|---:|---:|---:|",
              row("vnetd RSS, VmRSS (MB)", "rss_kb"),
              row("... of it anonymous, RssAnon (MB)", "rss_anon_kb"),
              row("... of it file-backed, RssFile (MB)", "rss_file_kb"),
              row("vnetd PSS (MB)", "pss_kb"),
              row("vnetd peak RSS, VmHWM (MB)", "hwm_kb"),
              cpu_row("vnetd idle CPU, the VNet full (% of a core)", res)]
    if room:
        lines.append(cpu_row("vnetd idle CPU, the VNet with room (% of a core)", room))
    if idle:
        lines += ["", f"With the VNet full, {churn(idle, res)}."]
    if room:
        lines += ["", f"With room ({idle_room.get('nodes_at_headroom')} of {n} nodes at their headroom of "
                      f"{idle_room.get('headroom')}), {churn(idle_room, room)}."]
    lines += ["", f"etcd's RSS {mb(e['rss_kb']):.0f} MB, its database {((e['db_bytes'] or 0) / 1e6):.1f} MB (never compacted "
                  "in this run).", ""]
    lines += console_lines(data.get("console"), n) + [END]
    return lines


def console_lines(console, n):
    """The section's part on the console's VNet screen (console_frames)."""
    lines = [f"### The console's VNet screen with {n} nodes", ""]
    if not console or "skipped" in console:
        return lines + [f"not measured: {(console or {}).get('skipped', 'not run')}", ""]
    lines += [f"After the idle times, with every vnetd and etcd still running: `vnet-console --netns <n0's namespace> "
              "--state-dir <n0's state dir> --interval 1 --read-only` in a detached tmux session of the size below, key 6 "
              f"(the VNet screen, its {n} nodes read from the registry), then `strace -tt -T -p PID` on the console's "
              "main thread only (no `-f`) for 6.5 s, about one refresh a second. The registry is read by a background "
              "task that the main thread does not wait for (it takes the task's last reading under a lock), so the "
              "main thread's refresh is the node's own snapshot (state file, netlink, nftables) and then the frame. "
              "**Frame**: from the end of the last of those node-data syscalls (openat, read, close, sendto, recvmsg, "
              "recvfrom) to the start of the frame's first write to the terminal: recording the cached VNet reading "
              "into the view, laying out the screen (table, bars, gauge, health pane) and ncurses' diff, with "
              "ncurses' signal and typeahead syscalls (each slowed by strace) inside it; the populated-node bench "
              "times the Endpoints screen so too (from the start of that last syscall there). **Refresh**: from the return of the poll that woke the loop "
              "(the refresh timer) to the same write, the node's snapshot under strace included. The registry read "
              "itself (an HTTP round trip to etcd off the UI thread) is in neither.", "",
              "| terminal | node rows shown | frames | frame p50 / max (ms) | refresh p50 / max (ms) | "
              "console CPU, all threads / main (% of a core) | load average |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for size, r in console.items():
        if "skipped" in r:
            lines.append(f"| {size} | not measured: {r['skipped']} | | | | | |")
            continue
        f, rf = r.get("frames") or [], r.get("refreshes") or []
        lines.append(f"| {size} | {r['rows_shown']} | {len(f)} | "
                     f"{fmt_ms(median(f)) + ' / ' + fmt_ms(max(f)) if f else 'n/a'} | "
                     f"{fmt_ms(median(rf)) + ' / ' + fmt_ms(max(rf)) if rf else 'n/a'} | "
                     + (f"{r['cpu_percent']:.1f} / {r['main_cpu_percent']:.1f} | {r['load'][0]} / {r['load'][1]} |"
                        if "cpu_percent" in r else "n/a | n/a |"))
    return lines + ["", "CPU is utime+stime over the traced seconds (/proc/PID/stat and /proc/PID/task/PID/stat, strace "
                    "attached); the load average is the machine's 1-minute one at the start and end. A frame far above "
                    "the p50 is most likely one during which the main thread was not running all the way through: the "
                    "machine's other work, and the console's own background registry read (it decodes every node's "
                    "record each second), share the cores with it.", ""]


def publish(data, out):
    text = "\n".join(section(data)) + "\n"
    print(text)
    if out != "-":
        B.write_section(text, out, BEGIN, END)
        log(f"written to {out}")


def interrupted(signum, frame):
    raise KeyboardInterrupt()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--render":
        with open(sys.argv[2]) as f:
            publish(json.load(f), os.environ.get("VNET_SCALE_OUT", os.path.join(REPO, "docs", "benchmarks.md")))
        return
    cfg = settings(quick=True if "--quick" in sys.argv[1:] else None)
    out = os.environ.get("VNET_SCALE_OUT", os.path.join(REPO, "docs", "benchmarks.md"))
    signal.signal(signal.SIGTERM, interrupted)
    before = root_namespace_view()
    log(f"{cfg['nodes']} nodes x {cfg['pods']} pods, binaries from {cfg['bin']}")
    data = measure(cfg)
    after = root_namespace_view()
    data["root_changed"] = [k for k in before if before[k] != after[k]]
    if os.environ.get("VNET_SCALE_SAVE"):
        with open(os.environ["VNET_SCALE_SAVE"], "w") as f:
            json.dump(data, f)
    publish(data, out)
    if "skipped" in data:
        sys.exit(f"vnet-scale: not measured: {data['skipped']}")
    if data["leftover_namespaces"] or data["root_changed"]:
        sys.exit(f"vnet-scale: cleanup problem: namespaces left {data['leftover_namespaces']}, "
                 f"root namespace changed in {data['root_changed']}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("vnet-scale: interrupted (namespaces removed)")
