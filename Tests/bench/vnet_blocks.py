#!/usr/bin/python3
"""Addresses from the VNet, `vnet` pools (issue #17, acceptance 5): the ADD p50 of the `vnet` plugin on a `vnet`
pool against a static pool of the same size (target <= 1.1x), the ADD that must wait for a claim, the claim
latency (p50 / p99), and how long 64 nodes take to claim the blocks for 16,000 pods on one etcd. Part of
`make bench` (bench.py renders its section) and runnable alone:

    VNET_BIN=/work/main/.build/release /usr/bin/python3 Tests/bench/vnet_blocks.py [--quick]

Three parts, each in namespaces with the run's prefix, on one etcd (vnettest.registry), removed at the end (also
after a failure or Ctrl-C); every process is started here and stopped by its PID:

1. One node (vnettest.vnetnode), three configurations of the `vnet` plugin side by side on its bridge, each
   with its own state directory: a `vnet` pool (its vnetd holds the warm target, so no ADD waits), a static
   pool of the same size with the same `ipam.registry` (a second vnetd, its own VNet) and a static pool
   without a registry. ADDs one at a time from inside the node (cni_driver.py), the three interleaved
   (every order in turn), a warm-up round and then the counted rounds; a DEL of every pod after each round.
2. A second node with `warmAddresses` 0: every blockSize-th ADD finds no free address and waits for vnetd to
   claim a block; the empty blocks go back between rounds (`blockReleaseSeconds` 2).
3. N nodes (64) with `warmAddresses` = pods per node (250): all vnetds start at once and claim their blocks
   (blockSize 16: 16 blocks a node); an `etcdctl watch` on the VNet's keys times the claims; etcd's own
   counters give the transactions that lost (retries); the vnetds are stopped and the blocks, the quota and
   the pool documents checked. Then the same with blockSize 256 (one block a node), for comparison.

Environment:
  VNET_BIN               the release binaries (default .build/release)
  VNET_BLOCKS_QUICK=1    the quick mode (also --quick, or BENCH_QUICK=1): fewer ADDs, rounds and nodes
  VNET_BLOCKS_ADDS       ADDs per configuration and round in part 1 (default 120; 40 quick)
  VNET_BLOCKS_ROUNDS     counted rounds in part 1 (default 4; 2 quick), after one warm-up round
  VNET_BLOCKS_NODES      nodes in part 3 (default 64; 8 quick)
  VNET_BLOCKS_PODS       pods per node in part 3, its warmAddresses (default 250)
  VNET_BLOCKS_MEMBERS    etcd members (default 1; 3 adds a replication round to every write)
  VNET_BLOCKS_TIMEOUT    part 3 stops after this many seconds if the nodes have not claimed all (default 1200; 120 quick)
  VNET_BLOCKS_BIG_BLOCK  part 3 again with blocks of this size (default 256; 0: not)
  VNET_BLOCKS_OUT        where the section goes (default docs/benchmarks.md, between the markers below; "-": none)
  VNET_BLOCKS_SAVE       also write the raw numbers there (JSON); `vnet_blocks.py --render FILE` renders them again
"""
import base64
import collections
import copy
import datetime
import ipaddress
import itertools
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

from benchlib import fmt_ms, median, percentile, write_section  # noqa: E402
import vnet_scale as VS  # noqa: E402  (metrics, histogram quantiles, CPU and load readings, stopping vnetds)
from vnettest import vnetnode  # noqa: E402
from vnettest.netns import Namespaces, root_namespace_view  # noqa: E402
from vnettest.registry import ETCDCTL, Registry  # noqa: E402
from vnettest.vnetnode import NETWORK, VNetNode, http_get  # noqa: E402

BEGIN = "<!-- vnet-blocks:begin (Tests/bench/vnet_blocks.py writes between these markers) -->"
END = "<!-- vnet-blocks:end -->"
SUBNET = "10.240.0.0/16"
GATEWAY = "10.240.0.1"
METRICS = VS.METRICS  # 127.0.0.1:9479 in each node's namespace
METRICS_STATIC = "127.0.0.1:9480"  # the static pool's vnetd, in the same node as the `vnet` pool's
DRIVER = os.path.join(HERE, "cni_driver.py")
PY = "/usr/bin/python3"
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
VNETD = VS.VNETD  # vnetd as deployed: --interval 1 --give-back-after 60 --heartbeat-seconds 10
SIDES = ("vnet", "static-reg", "static")
STORM_VNET = "fill"
STRACE = "/usr/bin/strace"


def log(msg):
    print(f"[vnet-blocks {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def settings(quick=None, vnet_bin=None):
    if quick is None:
        quick = os.environ.get("VNET_BLOCKS_QUICK") == "1" or os.environ.get("BENCH_QUICK") == "1"
    return {
        "quick": quick,
        "adds": int(os.environ.get("VNET_BLOCKS_ADDS", "40" if quick else "120")),
        "rounds": int(os.environ.get("VNET_BLOCKS_ROUNDS", "2" if quick else "4")),
        "block": 16,
        "wait_adds": 48 if quick else 128,  # part 2: ADDs a round, a claim every 16th
        "wait_rounds": 1 if quick else 5,
        "nodes": int(os.environ.get("VNET_BLOCKS_NODES", "8" if quick else "64")),
        "pods": int(os.environ.get("VNET_BLOCKS_PODS", "250")),
        "members": int(os.environ.get("VNET_BLOCKS_MEMBERS", "1")),
        "lock_timeout": 10,
        # Part 3 stops there if the nodes have not claimed their blocks yet (and says how far they got).
        "storm_timeout": int(os.environ.get("VNET_BLOCKS_TIMEOUT", "120" if quick else "1200")),
        "big_block": int(os.environ.get("VNET_BLOCKS_BIG_BLOCK", "256")),  # part 3 again with these blocks (0: not)
        "bin": os.path.abspath(vnet_bin or os.environ["VNET_BIN"]),
    }


def vnet_pool(**extra):
    """A `vnet` pool as Tests/e2e/test_vnet_blocks.py shapes it."""
    pool = {"source": "vnet", "subnet": SUBNET, "gateway": GATEWAY, "exclude": ["10.240.0.0/24"], "blockSize": 16,
            "warmAddresses": 16, "blockReleaseSeconds": 300}
    pool.update(extra)
    return pool


def range_count(text):
    first, _, last = text.partition("-")
    return int(ipaddress.ip_address(last or first)) - int(ipaddress.ip_address(first)) + 1


def capacity(node):
    """Addresses the node's pool document lists (its claimed blocks' usable addresses)."""
    doc = node.pool_document() or {}
    return sum(range_count(r) for r in doc.get("addresses", []))


def wait_until(predicate, timeout, what, node=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if node is not None and node.vnetd_proc and node.vnetd_proc.poll() is not None:
            raise RuntimeError(f"vnetd of {node.name} exited {node.vnetd_proc.returncode} while waiting for {what}: {node.log()[-1500:]}")
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}" + (f"; vnetd log: {node.log()[-1500:]}" if node else ""))


def private_dir(tag):
    path = tempfile.mkdtemp(prefix=f"vnet-blocks-{tag}-")
    os.chmod(path, 0o700)
    return path


def drive(node, calls, timeout=1800):
    """cni_driver.py (kind raw, one call at a time) inside the node's namespace: each plugin exec'd directly
    from there, spawn to reap, no nsenter per call."""
    proc = subprocess.run(["nsenter", f"--net={node.ns.path}", PY, DRIVER],
                          input=json.dumps({"kind": "raw", "workers": 1, "calls": calls}), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"cni_driver.py in {node.ns.name} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)["records"]


def cni_call(cfg, verb, conf, cid, netns, tag, keep_stdout=False):
    return {"argv": [os.path.join(cfg["bin"], "vnet")], "stdin": json.dumps(conf), "tag": tag, "keep_stdout": keep_stdout,
            "env": {"CNI_COMMAND": verb, "CNI_CONTAINERID": cid, "CNI_NETNS": netns, "CNI_IFNAME": "eth0", "CNI_ARGS": "",
                    "CNI_PATH": cfg["bin"], "PATH": PATH}}


def failed(records, what):
    bad = [r for r in records if r["status"] != 0]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(records)} {what} failed; the first: {bad[0].get('error', '')[-1500:]}")


def metric(m, name):
    return m.get((name, None), 0)


def histogram(all_metrics, name):
    """The nodes' histograms `name` summed: {"buckets": [[bound, cumulative]], "count", "sum"} (as
    vnet_scale.grow_histogram, for any vnetd histogram)."""
    buckets = {b: 0.0 for b in VS.HIST_BOUNDS + [math.inf]}
    count = total = 0.0
    for m in all_metrics:
        for (key, le), value in m.items():
            if key == f"{name}_bucket":
                bound = math.inf if le == "+Inf" else float(le)
                if bound in buckets:
                    buckets[bound] += value
        count += m.get((f"{name}_count", None), 0)
        total += m.get((f"{name}_sum", None), 0)
    return {"buckets": [[b if b != math.inf else "+Inf", v] for b, v in buckets.items()], "count": count, "sum": total}


def etcd_metrics(registry):
    name = next(iter(registry.procs))
    return registry.ns.run("curl", "-s", "-m", "5", registry.clients[name] + "/metrics", check=False).stdout


def etcd_counters(registry):
    """(proposals applied, revision) of the registry: a write transaction whose compare failed is a proposal
    that moves no revision (a read-only one is neither)."""
    out = etcd_metrics(registry)
    applied = next((float(l.split()[1]) for l in out.splitlines() if l.startswith("etcd_server_proposals_applied_total ")), None)
    return applied, registry.revision()


def etcd_rpcs(registry):
    """{method: count} of the KV and lease requests etcd handled (every member's, summed)."""
    rpcs = {}
    for name in registry.procs:
        out = registry.ns.run("curl", "-s", "-m", "5", registry.clients[name] + "/metrics", check=False).stdout
        for line in out.splitlines():
            if line.startswith("grpc_server_handled_total{"):
                labels, value = line.rsplit(" ", 1)
                method = labels.split('grpc_method="', 1)[1].split('"', 1)[0]
                rpcs[method] = rpcs.get(method, 0) + float(value)
    return rpcs


# --- part 1: ADD on a `vnet` pool against a static pool ----------------------------------------------------

def add_cost(namespaces, registry, pods, cfg):
    """`vnet` plugin ADDs on one node: a `vnet` pool with its warm target met, a static pool of the same size
    with the same registry (and a vnetd of its own), and a static pool without a registry; interleaved, one
    at a time. Round 0 warms up (and lets vnetd claim what the later rounds need), rounds 1.. are counted."""
    n, warm = cfg["adds"], math.ceil(cfg["adds"] / cfg["block"]) * cfg["block"]
    node = VNetNode(namespaces, registry, "ab", 0, vnet="bk-ab", limit=16000, lock_timeout=cfg["lock_timeout"], cooldown=0,
                    pool_config=vnet_pool(warmAddresses=warm, blockReleaseSeconds=300))
    dirs, static_vnetd, log_file = {}, None, None
    try:
        node.start_vnetd(interval=VNETD["interval"], give_back=VNETD["give_back"], heartbeat=VNETD["heartbeat"], metrics=METRICS)
        wait_until(lambda: capacity(node) >= warm, 60, f"ab's first {warm} addresses", node)
        first = ipaddress.ip_network(node.pool_document()["blocks"][0])
        # Two /24s for the static pools, far from the `vnet` pool's blocks (claimed on from `first`) and
        # outside the excluded 10.240.0.0/24: all three pools' pods share the node's bridge.
        # The same size as the `vnet` pool's blocks in the counted rounds: the warm target over n held pods.
        size = math.ceil((n + warm) / cfg["block"]) * cfg["block"]
        third = (int(first.network_address) >> 8) & 255
        starts = [(10 << 24) | (240 << 16) | ((t % 255 + 1) << 8) for t in (third + 64, third + 128)]
        if any(start + size > (10 << 24 | 240 << 16 | 255 << 8 | 255) for start in starts):
            raise ValueError(f"{size} static addresses do not fit after the /24s {[ipaddress.ip_address(x) for x in starts]}")
        ranges = [f"{ipaddress.ip_address(start)}-{ipaddress.ip_address(start + size - 1)}" for start in starts]
        confs = {"vnet": node.network_config()}
        for side, rng in zip(("static-reg", "static"), ranges):
            dirs[side] = private_dir(side)
            plugin = copy.deepcopy(node.plugin)
            plugin["ipam"]["dataDir"] = dirs[side]
            plugin["ipam"]["pool"] = {"source": "static", "subnet": SUBNET, "gateway": GATEWAY, "addresses": [rng]}
            if side == "static":
                plugin["ipam"].pop("registry")
            else:
                # Its own VNet and node name, and a step that covers every pod: no ADD waits for a grow.
                plugin["ipam"]["registry"] = dict(node.registry_conf, vnet="bk-abs", node="ab-static", reservationStep=256)
            confs[side] = dict(plugin, cniVersion="1.1.0", name=NETWORK)
            if side == "static-reg":
                path = os.path.join(dirs[side], "vnet.conflist")
                with open(path, "w") as f:
                    json.dump({"cniVersion": "1.1.0", "name": NETWORK, "plugins": [plugin]}, f)
                log_file = open(os.path.join(dirs[side], "vnetd.log"), "a")
                static_vnetd = subprocess.Popen(
                    ["nsenter", f"--net={node.ns.path}", os.path.join(cfg["bin"], "vnetd"), "--config", path,
                     "--interval", str(VNETD["interval"]), "--give-back-after", str(VNETD["give_back"]),
                     "--metrics-address", METRICS_STATIC, "--heartbeat-seconds", str(VNETD["heartbeat"])],
                    stdout=log_file, stderr=log_file)
                granted = os.path.join(dirs[side], NETWORK, "reservation.json")

                def has_grant():
                    try:
                        with open(granted) as f:
                            return json.load(f)["reserved"] >= 256
                    except (OSError, ValueError, KeyError):
                        return False
                wait_until(has_grant, 60, "the static pool's reservation of 256")
        orders = list(itertools.permutations(range(len(SIDES))))
        walls = {s: [] for s in SIDES}
        dels = {s: [] for s in SIDES}
        before = after = None
        loads = []
        for rnd in range(cfg["rounds"] + 1):
            calls = []
            for i in range(n):
                for k in orders[(i + rnd) % len(orders)]:
                    side = SIDES[k]
                    calls.append(cni_call(cfg, "ADD", confs[side], f"{side}-{rnd}-{i}", pods[k * n + i].path, side))
            if rnd == 1:
                before = VS.metrics_of(node)
            loads.append(VS.loadavg())
            records = drive(node, calls)
            failed(records, f"ADDs of round {rnd}")
            if rnd == 0:
                # vnetd restores the warm target over the held pods before the DELs: later rounds claim nothing.
                wait_until(lambda: capacity(node) >= n + warm, 60, f"ab's blocks to cover {n} pods and {warm} warm", node)
            else:
                for r in records:
                    walls[r["tag"]].append(r["wall"])
            deletes = [dict(c, env=dict(c["env"], CNI_COMMAND="DEL")) for c in reversed(calls)]
            records = drive(node, deletes)
            failed(records, f"DELs of round {rnd}")
            if rnd > 0:
                for r in records:
                    dels[r["tag"]].append(r["wall"])
        after = VS.metrics_of(node)
        loads.append(VS.loadavg())
        syscalls = strace_adds(node, confs, pods, n, cfg)
        return {"adds": walls, "dels": dels, "warm": warm, "capacity": capacity(node), "static_size": size, "syscalls": syscalls,
                "blocks": len(node.pool_document()["blocks"]), "ranges": ranges, "load": loads,
                "claims_during": metric(after, "vnetd_block_claims_total") - metric(before, "vnetd_block_claims_total"),
                "asks_during": metric(after, "vnetd_growth_requests_total") - metric(before, "vnetd_growth_requests_total")}
    finally:
        if static_vnetd is not None:
            if static_vnetd.poll() is None:
                static_vnetd.kill()
            static_vnetd.wait()
        if log_file:
            log_file.close()
        node.cleanup()
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)


def strace_adds(node, confs, pods, n, cfg):
    """One more ADD on each configuration under `strace -f -c` (counts, not times: strace slows every call),
    then its DEL: {side: {syscall: calls}}, or None without strace."""
    if not os.access(STRACE, os.X_OK):
        return None
    from populated import strace_summary
    out = {}
    for k, side in enumerate(SIDES):
        path = os.path.join(tempfile.gettempdir(), f"vnet-blocks-strace-{os.getpid()}-{side}.txt")
        call = cni_call(cfg, "ADD", confs[side], f"{side}-strace", pods[k * n].path, side)
        try:
            failed(drive(node, [dict(call, argv=[STRACE, "-f", "-c", "-o", path] + call["argv"])]), f"the ADD under strace ({side})")
            out[side] = strace_summary(path)
        finally:
            if os.path.exists(path):
                os.unlink(path)
        failed(drive(node, [dict(call, env=dict(call["env"], CNI_COMMAND="DEL"))]), f"the DEL after strace ({side})")
    return out


# --- part 2: the ADD that waits for a claim ----------------------------------------------------------------

def claim_waits(namespaces, registry, pods, cfg):
    """A node with `warmAddresses` 0: each ADD that finds the claimed blocks full asks vnetd for a block and
    waits. Rounds of ADDs one at a time, then DEL of all and the empty blocks given back, so every round
    starts without a block. An ADD waited when its address is the first one handed out of its block."""
    n, block = cfg["wait_adds"], cfg["block"]
    node = VNetNode(namespaces, registry, "cw", 1, vnet="bk-cw", limit=16000, lock_timeout=cfg["lock_timeout"], cooldown=0,
                    pool_config=vnet_pool(warmAddresses=0, blockReleaseSeconds=2))
    try:
        node.start_vnetd(interval=VNETD["interval"], give_back=VNETD["give_back"], heartbeat=VNETD["heartbeat"], metrics=METRICS)
        node.wait_granted(at_least=0, timeout=60)
        waited, kept = [], []
        conf = node.network_config()
        for rnd in range(cfg["wait_rounds"]):
            calls = [cni_call(cfg, "ADD", conf, f"cw-{rnd}-{i}", pods[i].path, "add", keep_stdout=True) for i in range(n)]
            records = drive(node, calls)
            failed(records, f"ADDs of claim round {rnd}")
            seen = set()
            for r in records:
                address = ipaddress.ip_interface(json.loads(r["stdout"])["ips"][0]["address"]).ip
                first = int(address) // block * block
                (kept if first in seen else waited).append(r["wall"])
                seen.add(first)
            records = drive(node, [dict(c, keep_stdout=False, env=dict(c["env"], CNI_COMMAND="DEL")) for c in calls])
            failed(records, f"DELs of claim round {rnd}")
            wait_until(lambda: capacity(node) == 0, 60, "cw's empty blocks to go back", node)
        m = VS.metrics_of(node)
        return {"waited": waited, "kept": kept, "claims": metric(m, "vnetd_block_claims_total"),
                "releases": metric(m, "vnetd_block_releases_total"), "asks": metric(m, "vnetd_growth_requests_total"),
                "histogram": histogram([m], "vnetd_block_claim_seconds")}
    finally:
        node.cleanup()


# --- part 3: 64 nodes claim their blocks at once ----------------------------------------------------------

class Watch:
    """`etcdctl watch --prefix` on the VNet's keys in the registry's namespace; a thread reads its JSON lines
    and keeps, per event, the time it arrived and what it changed (quota, reservations, blocks, alive)."""

    def __init__(self, registry, prefix):
        self.prefix, self.lock = prefix, threading.Lock()
        self.quota = []  # (t, reserved)
        self.blocks = []  # t of each block put
        self.alive = []  # (t, node, put?)
        self.reserved = {}  # node: reserved, newest
        self.proc = subprocess.Popen(["nsenter", f"--net={registry.ns.path}", ETCDCTL, "--endpoints", ",".join(registry.endpoints),
                                      "watch", "--prefix", prefix, "-w", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=dict(os.environ, ETCDCTL_API="3"))
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        for line in self.proc.stdout:
            t = time.monotonic()
            try:
                events = json.loads(line).get("Events") or []
            except ValueError:
                continue
            with self.lock:
                for e in events:
                    kv = e.get("kv", {})
                    key = base64.b64decode(kv.get("key", "")).decode()[len(self.prefix):]
                    put = e.get("type") in (None, 0, "PUT")
                    if key.startswith("nodes/"):
                        continue  # node records: large, not needed here
                    value = base64.b64decode(kv.get("value", "")).decode() if put else ""
                    if key == "quota" and put:
                        self.quota.append((t, json.loads(value)["reserved"]))
                    elif key.startswith("reservations/") and put:
                        self.reserved[key.split("/", 1)[1]] = json.loads(value)["reserved"]
                    elif key.startswith("blocks/") and put and json.loads(value).get("state") == "claimed":
                        self.blocks.append(t)
                    elif key.startswith("alive/"):
                        self.alive.append((t, key.split("/", 1)[1], put))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(timeout=10)


def check_registry(registry, nodes, vnet):
    """The blocks, reservations and quota as etcd holds them (etcdctl), and each node's pool document."""
    keys, revision = registry.get_prefix(f"/vnet/v1/{vnet}/")
    root = f"/vnet/v1/{vnet}/"
    blocks = [json.loads(v) for k, v in keys.items() if k.startswith(root + "blocks/")]
    claimed = [b for b in blocks if b["state"] == "claimed"]
    reservations = {k[len(root + "reservations/"):]: json.loads(v)["reserved"] for k, v in keys.items()
                    if k.startswith(root + "reservations/")}
    quota = json.loads(keys.get(root + "quota", '{"reserved": 0}'))["reserved"]
    problems = []
    nets = sorted((ipaddress.ip_network(b["block"]), b) for b in claimed)
    overlaps = [(str(a), str(c)) for (a, _), (c, _) in zip(nets, nets[1:]) if a.overlaps(c)]
    if overlaps:
        problems.append(f"overlapping blocks: {overlaps[:5]}")
    usable, by_node, owned = 0, {}, {}
    seen_addresses = set()
    for net, b in nets:
        count = 0
        for r in b["addresses"]:
            first, _, last = r.partition("-")
            lo, hi = int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last or first))
            if ipaddress.ip_address(lo) not in net or ipaddress.ip_address(hi) not in net:
                problems.append(f"block {net} lists {r} outside it")
            for a in range(lo, hi + 1):
                if a in seen_addresses:
                    problems.append(f"address {ipaddress.ip_address(a)} in two blocks")
                seen_addresses.add(a)
            count += hi - lo + 1
        usable += count
        by_node[b["node"]] = by_node.get(b["node"], 0) + count
        owned.setdefault(b["node"], set()).add(str(net))
    if quota != usable:
        problems.append(f"quota {quota} != {usable} usable addresses in the claimed blocks")
    if sum(reservations.values()) != quota:
        problems.append(f"reservations add up to {sum(reservations.values())}, quota {quota}")
    wrong = [n for n in set(by_node) | set(reservations) if by_node.get(n, 0) != reservations.get(n, 0)]
    if wrong:
        problems.append(f"nodes whose reservation is not their blocks' addresses: {wrong[:5]}")
    # A document may lack a block whose claim committed as its vnetd stopped (the next start writes it); one
    # that lists a block the registry does not give its node would hand out addresses that are not the node's.
    docs_extra, docs_missing = [], 0
    for node in nodes:
        listed = set((node.pool_document() or {}).get("blocks", []))
        if listed - owned.get(node.name, set()):
            docs_extra.append(node.name)
        docs_missing += len(owned.get(node.name, set()) - listed)
    if docs_extra:
        problems.append(f"pool documents that list blocks the registry does not give their node: {docs_extra[:5]}")
    return {"revision": revision, "blocks": len(claimed), "cooling": len(blocks) - len(claimed), "usable": usable, "quota": quota,
            "reservations": sum(reservations.values()), "by_node_min": min(by_node.values(), default=0),
            "by_node_max": max(by_node.values(), default=0), "nodes": len(by_node),
            "blocks_min": min((len(v) for v in owned.values()), default=0), "blocks_max": max((len(v) for v in owned.values()), default=0),
            "docs_checked": len(nodes), "docs_missing": docs_missing, "problems": problems}


def claim_storm(namespaces, registry, cfg, block, vnet, tag):
    """N nodes (named tag0, tag1 ...) in VNet `vnet`, each a `vnet` pool of `block`-address blocks with
    `warmAddresses` = pods: every vnetd started at once, claiming its blocks; timed by a watch on the VNet's
    keys until every node's reservation covers its pods (or the timeout)."""
    nodes_n, pods = cfg["nodes"], cfg["pods"]
    per_node = math.ceil(pods / block) * block
    # The limit is spent in addresses (warm ones too), one block a node of slack for a block with fewer
    # usable addresses (the subnet's broadcast address).
    limit = nodes_n * (per_node + block)
    root = f"/vnet/v1/{vnet}/"
    # The VNet exists already (its limit and its network's subnet recorded, as after its first node): every
    # transaction then is a claim, which makes etcd's counters tell the retries exactly.
    registry.etcdctl("put", root + "limit", json.dumps({"maxPods": limit}))
    registry.etcdctl("put", root + "subnets", json.dumps({NETWORK: SUBNET}))
    nodes, watch = [], None
    try:
        log(f"  {nodes_n} node namespaces joined to the registry ...")
        for i in range(nodes_n):
            nodes.append(VNetNode(namespaces, registry, f"{tag}{i}", i, vnet=vnet, limit=limit, lock_timeout=cfg["lock_timeout"],
                                  pool_config=vnet_pool(warmAddresses=pods, blockSize=block, blockReleaseSeconds=300)))
        watch = Watch(registry, root)
        time.sleep(1.0)  # the watch is in place
        applied0, revision0 = etcd_counters(registry)
        rpcs0 = etcd_rpcs(registry)
        etcd_pid = next(iter(registry.procs.values())).pid
        etcd_cpu0, load0 = VS.cpu_seconds(etcd_pid), VS.loadavg()
        log(f"  {nodes_n} vnetds at once, {pods} warm addresses each ...")
        t0 = time.monotonic()
        for node in nodes:
            node.start_vnetd(interval=VNETD["interval"], give_back=VNETD["give_back"], heartbeat=VNETD["heartbeat"], metrics=METRICS)
        spawned = time.monotonic() - t0
        deadline, progress, timed_out = t0 + cfg["storm_timeout"], [], False
        samples, last_errors = 0, collections.Counter()
        while True:
            now = time.monotonic()
            with watch.lock:
                done = len(watch.reserved) >= nodes_n and all(v >= pods for v in watch.reserved.values())
                claimed = watch.quota[-1][1] if watch.quota else 0
            if done:
                break
            if now >= deadline:
                timed_out = True
                log(f"  not done after {cfg['storm_timeout']} s: {claimed:,} addresses claimed; stopping here")
                break
            if not progress or now - t0 >= progress[-1][0] + 10:
                applied, revision = etcd_counters(registry)
                progress.append((now - t0, claimed, applied, revision))
                log(f"  {now - t0:.0f} s: {claimed:,} addresses claimed")
                # What went wrong on the nodes' last passes (vnetd does not log it): /healthz of 4 nodes in turn.
                for j in range(min(4, nodes_n)):
                    status, body = http_get(nodes[(4 * len(progress) + j) % nodes_n], f"http://{METRICS}/healthz")
                    samples += 1
                    try:
                        networks = json.loads(body).get("networks", []) if body else []
                    except ValueError:
                        networks = []
                    for net in networks:
                        if net.get("lastError"):
                            last_errors[re.sub(r"\d+", "N", net["lastError"])[:240]] += 1
            dead = [n.name for n in nodes if n.vnetd_proc.poll() is not None]
            if dead:
                raise RuntimeError(f"vnetd of {dead[:3]} exited: {nodes[0].log()[-1000:]}")
            time.sleep(0.05)
        t_done = time.monotonic() - t0
        time.sleep(2.0)  # claims in flight end; the counters settle
        applied1, revision1 = etcd_counters(registry)
        rpcs1 = etcd_rpcs(registry)
        etcd_cpu1, load1 = VS.cpu_seconds(etcd_pid), VS.loadavg()
        all_metrics = [VS.metrics_of(node) for node in nodes]
        vnetd_cpu = [VS.cpu_seconds(node.vnetd_proc.pid) for node in nodes]
        watch.stop()
        with watch.lock:
            quota = [(t - t0, r) for t, r in watch.quota]
            blocks = [t - t0 for t in watch.blocks]
            alive = [(t - t0, n, put) for t, n, put in watch.alive]
        target = nodes_n * pods

        def reached(amount):
            return next((t for t, r in quota if r >= amount), None)
        expired = sum(1 for _, _, put in alive if not put)  # heartbeats lost meanwhile: a new lease each
        grants = nodes_n + expired
        errors = sum(metric(m, "vnetd_registry_errors_total") for m in all_metrics)
        # Proposals that moved no revision: lease grants, the limit's create-if-absent (it exists: fails once a
        # lease), and claim transactions whose compare failed (another node committed first).
        lost = None
        if applied0 is not None and applied1 is not None:
            lost = int(applied1 - applied0) - (revision1 - revision0) - 2 * grants
        exit_codes = VS.stop_all(nodes)
        # What one attempt of a claim reads besides the quota at the end: every block record of the VNet, as the
        # JSON gateway answers it.
        name = next(iter(registry.procs))
        answer = registry.ns.run("curl", "-s", "-m", "10", "-X", "POST", registry.clients[name] + "/v3/kv/range", "-d",
                                 json.dumps({"key": base64.b64encode((root + "blocks/").encode()).decode(),
                                             "range_end": base64.b64encode((root + "blocks0").encode()).decode()}),
                                 check=False).stdout
        log("  checking the registry and the pool documents ...")
        check = check_registry(registry, nodes, vnet)
        return {"nodes": nodes_n, "pods": pods, "block": block, "per_node": per_node, "limit": limit, "spawned_s": spawned,
                "blocks_range_bytes": len(answer), "timed_out": timed_out, "healthz_samples": samples,
                "last_errors": last_errors.most_common(6), "timeout": cfg["storm_timeout"], "progress": progress, "rpcs": [rpcs0, rpcs1],
                "first_alive": min((t for t, _, put in alive if put), default=None),
                "all_alive": sorted(t for t, _, put in alive if put)[nodes_n - 1] if sum(1 for a in alive if a[2]) >= nodes_n else None,
                "first_claim": blocks[0] if blocks else None, "target": target, "t_target": reached(target),
                "quartiles": {str(q): reached(target * q / 4) for q in (1, 2, 3)}, "t_done": t_done, "final": quota[-1][1] if quota else 0,
                "claims_seen": len(blocks),
                "claims": sum(metric(m, "vnetd_block_claims_total") for m in all_metrics),
                "releases": sum(metric(m, "vnetd_block_releases_total") for m in all_metrics),
                "registry_errors": errors, "expired": expired, "lost_txns": lost, "proposals": int(applied1 - applied0) if lost is not None else None,
                "revisions": revision1 - revision0,
                "histogram": histogram(all_metrics, "vnetd_block_claim_seconds"),
                "vnetd_cpu_s": sum(vnetd_cpu), "vnetd_cpu_max_s": max(vnetd_cpu), "etcd_cpu_s": etcd_cpu1 - etcd_cpu0,
                "load": [load0, load1], "check": check, "exit_codes": exit_codes, "vnetd_log": VS.log_lines(nodes)}
    finally:
        if watch:
            watch.stop()
        for node in nodes:
            node.cleanup()
            node.ns.delete()


# --- the run -----------------------------------------------------------------------------------------------

def missing(cfg):
    why = VS.missing(cfg)
    if why:
        return why
    if not os.access(os.path.join(cfg["bin"], "vnet"), os.X_OK):
        return f"vnet is not built in {cfg['bin']}"
    return None


def measure(cfg):
    """Runs the three parts; returns the numbers (or {"skipped": why}). Namespaces, vnetds and etcd are
    removed again, also after a failure."""
    why = missing(cfg)
    if why:
        return {"skipped": why, "cfg": cfg}
    vnetnode.BIN = cfg["bin"]  # the vnetd VNetNode starts
    started = time.monotonic()
    namespaces = Namespaces("bk")
    data = {"cfg": cfg, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_start": VS.loadavg()}
    registry = None
    try:
        log(f"etcd ({cfg['members']} member{'s' if cfg['members'] > 1 else ''}) in {namespaces.prefix}-reg ...")
        registry = Registry(namespaces, members=cfg["members"])
        log(f"{max(len(SIDES) * cfg['adds'], cfg['wait_adds'])} pod namespaces ...")
        pods = namespaces.make_many("p", max(len(SIDES) * cfg["adds"], cfg["wait_adds"]))
        log(f"ADD on a vnet pool against static pools: {cfg['adds']} ADDs each, {cfg['rounds']} rounds after a warm-up ...")
        data["ab"] = add_cost(namespaces, registry, pods, cfg)
        log(f"ADDs that wait for a claim: {cfg['wait_rounds']} rounds of {cfg['wait_adds']} ...")
        data["waits"] = claim_waits(namespaces, registry, pods, cfg)
        for pod in pods:
            pod.delete()
        log(f"{cfg['nodes']} nodes claim the blocks for {cfg['nodes'] * cfg['pods']:,} pods, blockSize {cfg['block']} ...")
        data["storm"] = claim_storm(namespaces, registry, cfg, cfg["block"], STORM_VNET, "n")
        if cfg["big_block"]:
            log(f"... and again with blockSize {cfg['big_block']} ...")
            data["storm_big"] = claim_storm(namespaces, registry, cfg, cfg["big_block"], STORM_VNET + str(cfg["big_block"]), "m")
    finally:
        if registry:
            registry.cleanup()
        namespaces.cleanup()
    data["leftover_namespaces"] = [n for n in os.listdir("/var/run/netns") if n.startswith(namespaces.prefix)] \
        if os.path.isdir("/var/run/netns") else []
    data["load_end"] = VS.loadavg()
    data["elapsed"] = time.monotonic() - started
    return data


# --- the report --------------------------------------------------------------------------------------------

def verdict(ok, text):
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def hq(hist, q):
    v = VS.histogram_quantile(hist, q)
    return "n/a" if v is None else (f"> {fmt_ms(v)}" if v >= VS.HIST_BOUNDS[-1] else fmt_ms(v))


def hmean(h):
    return fmt_ms(h["sum"] / h["count"]) if h["count"] else "n/a"


def seconds(v):
    return "n/a" if v is None else f"{v:.1f}"


def lost_text(s):
    return "n/a" if s["lost_txns"] is None else f"{s['lost_txns']:,}"


def storm_line(s):
    what = f"INFO  {s['nodes']} nodes, blockSize {s['block']}: "
    if s["t_target"] is None:
        return what + (f"the blocks for {s['target']:,} pods NOT claimed within {s['timeout']} s: {s['final']:,} addresses "
                       f"({s['claims']:,.0f} claims, {s['claims'] / s['t_done']:.1f} claims/s, {lost_text(s)} claim transactions lost)")
    return what + (f"the blocks for {s['target']:,} pods claimed {s['t_target']:.1f} s after their vnetds started "
                   f"({s['claims']:,.0f} claims, {s['claims'] / s['t_done']:.1f} claims/s, {lost_text(s)} claim transactions lost; "
                   + (f"every node at its warm target at {s['t_done']:.1f} s)" if not s["timed_out"] else "not every node at its warm target)"))


def targets(data):
    if "skipped" in data:
        return [f"SKIP  vnet pools: {data['skipped']}"]
    ab, w, s = data["ab"], data["waits"], data["storm"]
    a = {k: median(v) for k, v in ab["adds"].items()}
    ratio = a["vnet"] / a["static-reg"]
    out = [verdict(ratio <= 1.1, f"ADD p50 on a `vnet` pool / a static pool of the same size, both with the registry: "
                                 f"{fmt_ms(a['vnet'])} / {fmt_ms(a['static-reg'])} ms = {ratio:.2f}x (target <= 1.1x)"),
           f"INFO  ... / a static pool without a registry: {fmt_ms(a['vnet'])} / {fmt_ms(a['static'])} ms = "
           f"{a['vnet'] / a['static']:.2f}x",
           f"INFO  ADD that waits for a claim (warmAddresses 0), p50 / p99: {fmt_ms(median(w['waited']))} / "
           f"{fmt_ms(percentile(w['waited'], 99))} ms ({len(w['waited'])} ADDs; the others {fmt_ms(median(w['kept']))} ms)",
           f"INFO  claim latency (vnetd_block_claim_seconds), p50 / p99 (mean): one node alone {hq(w['histogram'], 0.5)} / "
           f"{hq(w['histogram'], 0.99)} ms ({hmean(w['histogram'])} ms); {s['nodes']} nodes at once {hq(s['histogram'], 0.5)} / "
           f"{hq(s['histogram'], 0.99)} ms ({hmean(s['histogram'])} ms)",
           storm_line(s)]
    if data.get("storm_big"):
        out.append(storm_line(data["storm_big"]))
    for x in (s, data.get("storm_big")):
        if not x:
            continue
        c = x["check"]
        out.append(verdict(not c["problems"], f"blockSize {x['block']}: {c['blocks']:,} claimed blocks, no two overlapping; quota "
                                              f"{c['quota']:,} = their usable addresses {c['usable']:,} = the reservations "
                                              f"{c['reservations']:,}; {c['docs_checked']} pool documents within the registry's blocks"
                                              + (f"; PROBLEMS: {'; '.join(c['problems'])}" if c["problems"] else "")))
    return out


def section(data):
    """The "Addresses from the VNet (vnet pools)" section of docs/benchmarks.md, between its markers."""
    lines = [BEGIN, "## Addresses from the VNet (vnet pools, issue #17)", ""]
    if data is None:
        return lines + ["not measured in this run (`BENCH_VNET_BLOCKS=0`); `Tests/bench/vnet_blocks.py` runs it alone.", "", END]
    if "skipped" in data:
        return lines + [f"**not measured**: {data['skipped']}", "", END]
    cfg, ab, w, s = data["cfg"], data["ab"], data["waits"], data["storm"]
    lines += [f"Run: {data['date']}{' (quick mode)' if cfg['quick'] else ''}, {data['elapsed'] / 60:.1f} minutes in all "
              "(`Tests/bench/vnet_blocks.py`, also alone: `--quick`, `VNET_BLOCKS_ADDS`, `VNET_BLOCKS_ROUNDS`, "
              "`VNET_BLOCKS_NODES`, `VNET_BLOCKS_PODS`, `VNET_BLOCKS_MEMBERS`). The machine's load average was "
              f"{data['load_start']} at the start and {data['load_end']} at the end: other work shared its 2 cores.", "",
              f"One registry, **{cfg['members']} etcd member{'s' if cfg['members'] > 1 else ''}** (Debian's etcd 3.4 in its own "
              "namespace, reached through its JSON gateway). A node is a network namespace joined to the registry's over "
              "a veth, its own state directories and its own vnetd with its default timing (`--interval 1 "
              "--give-back-after 60 --heartbeat-seconds 10`, metrics on the node's loopback). Every `vnet` pool is "
              f"`{{\"subnet\": \"{SUBNET}\", \"gateway\": \"{GATEWAY}\", \"exclude\": [\"10.240.0.0/24\"], \"blockSize\": "
              f"{cfg['block']}, ...}}` with the warm target and release delay given below.", "",
              "### Targets (issue #17, acceptance 5)", "", "```"] + targets(data) + ["```", ""]

    lines += ["### ADD on a `vnet` pool against a static pool", "",
              f"One node, the `vnet` plugin (veth pair, bridge port, routes: all of ADD, not the IPAM alone) with three "
              "configurations side by side on its bridge, each with its own state directory: a **`vnet` pool** "
              f"(`warmAddresses` {ab['warm']}, so vnetd claims its blocks before the first ADD and no ADD waits), a **static "
              f"pool** of {ab['static_size']} addresses (`{ab['ranges'][0]}`) with the same `ipam.registry` (its own VNet and "
              "node name, a second vnetd in the node, `reservationStep` 256: granted before the first ADD), and a **static "
              f"pool without a registry** (`{ab['ranges'][1]}`). `cooldownSeconds` 0 in all three. {cfg['adds']} ADDs of each "
              "a round, one at a time from inside the node (cni_driver.py: each plugin exec'd from there, no nsenter per "
              "call; walls spawn to reap), the three interleaved in every order in turn; then a DEL of every pod. A "
              "warm-up round first (not counted: vnetd claims there what keeps the warm target over "
              f"{cfg['adds']} held pods), then {cfg['rounds']} counted rounds. On a `vnet` pool ADD reads the pool document "
              "(vnet-pool.json, the blocks' address ranges) under the state lock and no granted file; on a static pool "
              "with a registry it reads the granted file (reservation.json) under the lock; without one, neither.", "",
              "| | ADDs | p50 (ms) | p90 (ms) | p99 (ms) | DEL p50 (ms) |", "|---|---:|---:|---:|---:|---:|"]
    labels = {"vnet": "`vnet` pool (registry, vnetd)", "static-reg": "static pool, registry, vnetd", "static": "static pool, no registry"}
    for k in SIDES:
        v = ab["adds"][k]
        lines.append(f"| {labels[k]} | {len(v)} | {fmt_ms(median(v))} | {fmt_ms(percentile(v, 90))} | {fmt_ms(percentile(v, 99))} | "
                     f"{fmt_ms(median(ab['dels'][k]))} |")
    for k in ("static-reg", "static"):
        a, b = ab["adds"]["vnet"], ab["adds"][k]
        lines.append(f"| `vnet` / {labels[k]} | | {median(a) / median(b):.2f} | {percentile(a, 90) / percentile(b, 90):.2f} | "
                     f"{percentile(a, 99) / percentile(b, 99):.2f} | {median(ab['dels']['vnet']) / median(ab['dels'][k]):.2f} |")
    per_round = []
    for r in range(cfg["rounds"]):
        cut = slice(r * cfg["adds"], (r + 1) * cfg["adds"])
        per_round.append(median(ab["adds"]["vnet"][cut]) / median(ab["adds"]["static-reg"][cut]))
    lines += ["", f"The p50 ratio to the static pool with a registry, round by round: {', '.join(f'{x:.2f}' for x in per_round)}. "
                  f"The `vnet` pool held {ab['blocks']} blocks ({ab['capacity']} addresses) in the counted rounds; vnetd claimed "
                  f"{ab['claims_during']:.0f} blocks and was asked for room {ab['asks_during']:.0f} times during them. Load "
                  f"average at each round's start and at the end: {', '.join(str(x) for x in ab['load'])}.", ""]
    calls = ab.get("syscalls")
    if calls:
        differ = sorted(k for k in set().union(*calls.values()) if len({calls[side].get(k, 0) for side in SIDES}) > 1)
        lines += ["System calls of one more ADD on each, with the counted rounds' pods gone (`strace -f -c`: counts, not "
                  "times), where they differ, and in all:", "",
                  "| syscall | " + " | ".join(labels[k] for k in SIDES) + " |", "|---|" + "---:|" * len(SIDES)]
        lines += [f"| {k} | " + " | ".join(str(calls[side].get(k, 0)) for side in SIDES) + " |" for k in differ]
        lines += ["| all | " + " | ".join(str(sum(calls[side].values())) for side in SIDES) + " |", "",
                  "(What to expect: one more openat, newfstatat, read and close than without a registry, the one small file read "
                  "under the lock, the pool document "
                  "or the granted file; `kill`: the static pool's check that the vnetd named in the granted file runs.)", ""]

    wh = w["histogram"]
    lines += ["### The ADD that waits for a claim", "",
              f"Another node, a `vnet` pool with `warmAddresses` 0 and `blockReleaseSeconds` 2: {cfg['wait_rounds']} rounds of "
              f"{cfg['wait_adds']} ADDs one at a time (as above), each round starting with no block (the DELs of the round "
              "before emptied them and vnetd gave them back). An ADD that finds no free address in the pool document "
              "releases the state lock and asks vnetd over its socket; the ask rings vnetd's pass at once, which reads the "
              "quota, claims the blocks it is short of (reads the block records once, one transaction; a lost transaction learns only the quota and its chosen blocks), rewrites the "
              "document and answers; the ADD then takes the lock again and allocates. It *waited* when its address is the "
              f"first one handed out of its block: every {cfg['block']}th ADD.", "",
              "| | ADDs | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |", "|---|---:|---:|---:|---:|---:|",
              f"| ADD that waited for a claim | {len(w['waited'])} | {fmt_ms(median(w['waited']))} | {fmt_ms(percentile(w['waited'], 90))} | "
              f"{fmt_ms(percentile(w['waited'], 99))} | {fmt_ms(max(w['waited']))} |",
              f"| the other ADDs | {len(w['kept'])} | {fmt_ms(median(w['kept']))} | {fmt_ms(percentile(w['kept'], 90))} | "
              f"{fmt_ms(percentile(w['kept'], 99))} | {fmt_ms(max(w['kept']))} |", "",
              f"vnetd claimed {w['claims']:.0f} blocks, gave back {w['releases']:.0f} and was asked for room {w['asks']:.0f} times.", ""]

    sh = s["histogram"]

    def mean(h):
        return fmt_ms(h["sum"] / h["count"]) if h["count"] else "n/a"
    lines += ["### Claim latency", "",
              "`vnetd_block_claim_seconds` (from vnetd's `/metrics`): the time `BlockRegistry.claim` takes for a claim "
              "that succeeded, from the first read to the commit, retries included (a retry re-reads only the quota "
              "and the chosen blocks, from the lost transaction's failure branch). Quantiles are interpolated within the buckets (bounds 5, 10, 25, 50, 100, 250 "
              "ms ...) as Prometheus' `histogram_quantile` does, so below 5 ms they say little; the mean is exact (sum "
              "/ count). The end-to-end cost of a claim to an ADD is the difference of the two rows above: "
              f"{fmt_ms(median(w['waited']) - median(w['kept']))} ms at the p50 (asking, the pass, the claim, the document).", "",
              "| | claims | p50 (ms) | p99 (ms) | mean (ms) |", "|---|---:|---:|---:|---:|",
              f"| one node alone, for ADDs that waited | {wh['count']:.0f} | {hq(wh, 0.5)} | {hq(wh, 0.99)} | {mean(wh)} |",
              f"| {s['nodes']} nodes claiming at once (below) | {sh['count']:.0f} | {hq(sh, 0.5)} | {hq(sh, 0.99)} | {mean(sh)} |", "",
              "Buckets (cumulative), one node: " + ", ".join(f"<= {b if b == '+Inf' else fmt_ms(b)} ms: {v:.0f}" for b, v in wh["buckets"]) + ".", "",
              f"Buckets (cumulative), {s['nodes']} nodes: " + ", ".join(f"<= {b if b == '+Inf' else fmt_ms(b)} ms: {v:.0f}" for b, v in sh["buckets"]) + ".", ""]

    storms = [x for x in (s, data.get("storm_big")) if x]
    lines += [f"### {s['nodes']} nodes claim the blocks for {s['target']:,} pods", "",
              f"{s['nodes']} nodes, each a `vnet` pool with `warmAddresses` {s['pods']}: its vnetd claims the blocks for its "
              f"{s['pods']} pods before any pod (at most 8 claims a pass, a pass a second while the warm target is not met). "
              f"With `blockSize` {s['block']} that is {s['per_node'] // s['block']} blocks a node, "
              f"{s['nodes'] * s['per_node'] // s['block']:,} claims in all"
              + (f"; the second column is the same with `blockSize` {storms[1]['block']}, "
                 f"{storms[1]['per_node'] // storms[1]['block']} block a node, to show what the number of claims does"
                 if len(storms) > 1 else "")
              + ". `maxPodsPerVNet` is the nodes' warm addresses and a block a node of slack (the limit is spent in "
              "addresses, warm ones included). The VNet's limit and its network's subnet are recorded before (as after its "
              f"first node). Then all {s['nodes']} vnetds are started at once, and an `etcdctl watch` on the VNet's keys, "
              "started before them, timestamps every change as it arrives. Done when every node's reservation covers its "
              f"pods, or after {s['timeout']} s. Then the vnetds are stopped and the registry checked.", ""]

    def col(fn):
        return " | ".join(fn(x) for x in storms)

    def needed(x):
        return f"{x['nodes'] * x['per_node'] // x['block']:,}, {x['limit']:,}"

    def heartbeats(x):
        return f"{seconds(x['first_alive'])} / {seconds(x['all_alive'])}"

    def quarters(x):
        return " / ".join(seconds(x["quartiles"][k]) for k in ("1", "2", "3"))

    def target(x):
        return "**" + (seconds(x["t_target"]) if x["t_target"] is not None else f"not within {x['timeout']} s") + "**"

    def done(x):
        return f"{x['t_done']:.1f}" if not x["timed_out"] else f"not within {x['timeout']} s ({x['final']:,} claimed)"

    def rate(x):
        span = x["t_done"] - (x["first_claim"] or 0)
        return f"{x['claims'] / x['t_done']:.1f} / {x['claims'] / span if span > 0 else 0:.1f}"

    def lost(x):
        return "n/a" if x["lost_txns"] is None else f"{x['lost_txns']:,} ({x['lost_txns'] / max(1, x['claims']):.1f} a committed claim)"

    def latency(x):
        return f"{hq(x['histogram'], 0.5)} / {hq(x['histogram'], 0.99)} / {mean(x['histogram'])}"

    def cpu(x):
        return f"{x['vnetd_cpu_s']:.1f}, {x['vnetd_cpu_max_s']:.2f}, {x['etcd_cpu_s']:.1f}"

    def requests(x):
        before, after = x["rpcs"]
        return " / ".join(f"{after.get(k, 0) - before.get(k, 0):,.0f}" for k in ("Range", "Txn"))

    def load(x):
        return f"{x['load'][0]} / {x['load'][1]}"
    lines += ["| | " + " | ".join(f"`blockSize` {x['block']}" for x in storms) + " |", "|---|" + "---:|" * len(storms),
              f"| claims needed, `maxPodsPerVNet` | {col(needed)} |",
              f"| vnetd start to the first heartbeat / to all {s['nodes']} (s) | {col(heartbeats)} |",
              f"| ... to the first claim committed (s) | {col(lambda x: seconds(x['first_claim']))} |",
              f"| ... to 25% / 50% / 75% of {s['target']:,} addresses claimed (s) | {col(quarters)} |",
              f"| ... to **{s['target']:,} addresses claimed** ({s['nodes']} x {s['pods']} pods) (s) | {col(target)} |",
              f"| ... to every node's warm target met (s) | {col(done)} |",
              f"| claims committed (`vnetd_block_claims_total`, all nodes) | {col(lambda x: format(x['claims'], '.0f'))} |",
              f"| claims a second, vnetd start to done / first claim to done | {col(rate)} |",
              f"| claim transactions that lost (their compare failed: another node had committed) | {col(lost)} |",
              f"| claim latency (`vnetd_block_claim_seconds`), p50 / p99 / mean (ms) | {col(latency)} |",
              f"| registry errors (`vnetd_registry_errors_total`: a claim that lost 64 times ends its pass) | "
              f"{col(lambda x: format(x['registry_errors'], '.0f'))} |",
              f"| heartbeats lost (an `alive/` key deleted: its lease expired before a pass renewed it) | {col(lambda x: str(x['expired']))} |",
              f"| CPU (s): the {s['nodes']} vnetds from their start (sum, most of one), etcd | {col(cpu)} |",
              f"| etcd requests: Range / Txn (quota reads included) | {col(requests)} |",
              f"| one read of every block record at the end (bytes, JSON gateway) | {col(lambda x: format(x['blocks_range_bytes'], ','))} |",
              f"| the machine's load average, start / end | {col(load)} |", ""]
    if len(s.get("progress") or []) > 2:
        # The watch's readings about a minute apart (the first ones 10 s apart), and the end.
        ticks = [p for i, p in enumerate(s["progress"]) if i <= 3 or i % 6 == 0]
        lines += [f"Addresses claimed over time (`blockSize` {s['block']}, seconds from the start of the vnetds): "
                  + ", ".join(f"{t:.0f} s: {r:,}" for t, r, _, _ in ticks) + f", {s['t_done']:.0f} s: {s['final']:,}.", ""]
    if s["lost_txns"] is not None and s["claims"] and s["lost_txns"] / s["claims"] >= 3:
        per = s["lost_txns"] / s["claims"]
        reads = s["rpcs"][1].get("Range", 0) - s["rpcs"][0].get("Range", 0)
        text = (f"**Why it takes this long.** A claim attempt reads the quota, then every block record of the VNet "
                f"({s['blocks_range_bytes'] / 1000:.0f} kB through the JSON gateway at the end), then sends its transaction, "
                "which compares the revision of the `quota` key. Of the nodes claiming at the same moment one commits, and "
                f"every other attempt in flight loses and reads everything again: {per:.0f} lost attempts a committed claim "
                f"here, {reads:,.0f} Range requests (nearly all of them reads of every block record) for {s['claims']:,.0f} claims. The reads grow with the blocks "
                "claimed, so the claims slow down as they go (the times above). etcd used "
                f"{s['etcd_cpu_s']:.0f} s of CPU and the vnetds {s['vnetd_cpu_s']:.0f} s, on 2 cores that other work shared.")
        if s["expired"] or s["registry_errors"]:
            text += (f" A pass claims up to 8 blocks in a row, and vnetd renews its heartbeat lease (10 s) only at the start "
                     f"of a pass: {s['expired']} leases expired while passes were claiming (the node's `alive/` key goes: the "
                     f"console shows it lost and `forget-node` would accept it), and {s['registry_errors']:.0f} passes ended in "
                     "a registry error (what they said is below).")
        big = data.get("storm_big")
        if big and big["t_target"] is not None:
            text += (f" The same addresses in blocks of {big['block']} are {big['claims']:.0f} claims, one a node: "
                     f"{big['t_target']:.1f} s.")
        lines += [text, ""]
    lines += ["**Retries.** vnetd does not count a claim's lost transactions, but etcd does, indirectly: a write "
              "transaction is a raft proposal whether its compare holds or not, and only one that holds moves the "
              "revision (read-only transactions, the quota reads, are neither; a lease keep-alive is not a proposal). So "
              "over the claims, proposals applied (`etcd_server_proposals_applied_total`) less revisions moved, less the "
              "lease grants and the limit's create-if-absent (one each per heartbeat lease: the limit exists, so it "
              "fails), are the claim transactions that lost"
              + "".join(f" (`blockSize` {x['block']}: {x['proposals']:,} proposals, {x['revisions']:,} revisions, "
                        f"{x['nodes'] + x['expired']} leases)" for x in storms if x["proposals"] is not None) + ". "
              "Every claim compares the revision of the one `quota` key (and the node's reservation), so claims of "
              "different nodes at the same moment conflict even when they want different blocks, and each attempt "
              "first reads the quota and every block record of the VNet.", ""]
    for x in storms:
        c = x["check"]
        lines += [f"**Checked at the end** (`blockSize` {x['block']}), with etcdctl, the vnetds stopped: {c['blocks']:,} claimed "
                  f"blocks ({c['blocks_min']}-{c['blocks_max']} a node, {c['nodes']} nodes), {c['cooling']} cooling; no two overlap "
                  f"and no address is in two; `quota` {c['quota']:,} = the blocks' usable addresses {c['usable']:,} = the "
                  f"reservations' sum {c['reservations']:,}; each node's reservation = its blocks' addresses "
                  f"({c['by_node_min']}-{c['by_node_max']}); no node's `vnet-pool.json` lists a block etcd does not give it"
                  + (f" ({c['docs_missing']} committed block(s) not yet in a document when its vnetd stopped)" if c["docs_missing"]
                     else ", and each lists all of its blocks")
                  + "." + (f" **Problems**: {'; '.join(c['problems'])}." if c["problems"] else ""), ""]
    for x in storms:
        if x.get("last_errors"):
            lines += [f"The registry errors, as `/healthz` showed them (`lastError` of the node's last pass; `blockSize` {x['block']}, "
                      f"4 nodes in turn every 10 s, {x['healthz_samples']} readings, numbers as N). `deadlineExceeded`: one etcd "
                      "request took longer than the client's 1.5 s (per endpoint tried); `kept changing`: a claim lost 64 "
                      "times in a row:", ""] + \
                     [f"- {count} x `{line}`" for line, count in x["last_errors"]] + [""]
    if s.get("vnetd_log"):
        lines += [f"What the vnetds logged (`blockSize` {s['block']}, all nodes, numbers as N):", ""] + \
                 [f"- {count} x `{line}`" for line, count in s["vnetd_log"]] + [""]
    lines += ["Rerun: `VNET_BIN=$PWD/.build/release /usr/bin/python3 Tests/bench/vnet_blocks.py` "
              f"({data['elapsed'] / 60:.0f} minutes this time, most of it the {s['nodes']} nodes' claims; `--quick`: 8 nodes, about "
              "a minute; `VNET_BLOCKS_TIMEOUT=S` bounds the claims, `VNET_BLOCKS_SAVE=FILE` keeps the numbers and "
              "`--render FILE` writes the section again), or `make bench` (`BENCH_VNET_BLOCKS=0` leaves it out).", "", END]
    return lines


def publish(data, out):
    text = "\n".join(section(data)) + "\n"
    print(text)
    if out != "-":
        write_section(text, out, BEGIN, END, after=VS.END)
        log(f"written to {out}")


def interrupted(signum, frame):
    raise KeyboardInterrupt()


def main():
    out = os.environ.get("VNET_BLOCKS_OUT", os.path.join(REPO, "docs", "benchmarks.md"))
    if len(sys.argv) == 3 and sys.argv[1] == "--render":
        with open(sys.argv[2]) as f:
            publish(json.load(f), out)
        return
    cfg = settings(quick=True if "--quick" in sys.argv[1:] else None)
    signal.signal(signal.SIGTERM, interrupted)
    before = root_namespace_view()
    log(f"binaries from {cfg['bin']}")
    data = measure(cfg)
    after = root_namespace_view()
    data["root_changed"] = [k for k in before if before[k] != after[k]]
    if os.environ.get("VNET_BLOCKS_SAVE"):
        with open(os.environ["VNET_BLOCKS_SAVE"], "w") as f:
            json.dump(data, f)
    publish(data, out)
    if "skipped" in data:
        sys.exit(f"vnet-blocks: not measured: {data['skipped']}")
    if data["leftover_namespaces"] or data["root_changed"]:
        sys.exit(f"vnet-blocks: cleanup problem: namespaces left {data['leftover_namespaces']}, "
                 f"root namespace changed in {data['root_changed']}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("vnet-blocks: interrupted (namespaces removed)")
