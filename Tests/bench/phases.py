"""The measurements. Each phase builds what it needs in namespaces of the run (fresh node namespaces for every
CNI run), drives the plugins from inside the node with cni_driver.py, and returns plain numbers that
report.py turns into tables and verdicts.
"""
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from benchlib import make_node, node_links
import sides as S
from vnettest.netns import sh

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
DRIVER = os.path.join(HERE, "cni_driver.py")
FLOOR = os.path.join(HERE, "floor.py")


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def in_netns(namespaces, name, script, job, timeout=1800):
    """Runs a helper script inside the namespace `name` (entered by nsenter; no fallback to any other)."""
    proc = subprocess.run(["nsenter", f"--net={namespaces.path(name)}", PY, script], input=json.dumps(job),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"{os.path.basename(script)} in {name} failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def scratch_dir(root, tag):
    path = tempfile.mkdtemp(prefix=f"{tag}-", dir=root)
    os.chmod(path, 0o700)
    return path


# --- process start -----------------------------------------------------------------------------------------

def process_start(namespaces, vnet_bin, runs):
    """VERSION of each binary, interleaved round-robin, from inside an empty namespace. /bin/true is the
    cost of the driver's own spawn and reap."""
    ns = namespaces.make("start")
    binaries = {"vnet": os.path.join(vnet_bin, "vnet"), "vnet-ipam": os.path.join(vnet_bin, "vnet-ipam"),
                "bridge (ref)": "/usr/lib/cni/bridge", "host-local (ref)": "/usr/lib/cni/host-local",
                "/bin/true": "/bin/true"}
    env = {"CNI_COMMAND": "VERSION", "CNI_CONTAINERID": "", "CNI_NETNS": "", "CNI_IFNAME": "", "CNI_PATH": "/nonexistent",
           "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    calls = [{"argv": [path], "env": env, "stdin": '{"cniVersion":"1.0.0"}', "tag": tag}
             for _ in range(runs) for tag, path in binaries.items()]
    calls += [{"argv": [path], "env": env, "stdin": '{"cniVersion":"1.0.0"}', "tag": "rss " + tag, "rss": True}
              for _ in range(10) for tag, path in binaries.items()]
    try:
        out = in_netns(namespaces, ns, DRIVER, {"kind": "raw", "workers": 1, "calls": calls})
    finally:
        namespaces.delete(ns)
    result = {}
    for tag in binaries:
        recs = [r for r in out["records"] if r["tag"] == tag]
        bad = [r for r in out["records"] if r["status"] != 0]
        if bad:
            raise BenchError(f"{tag} VERSION failed: {bad[0].get('error')}")
        result[tag] = {"walls": [r["wall"] for r in recs],
                       "rss": [r["rss"] for r in out["records"] if r["tag"] == "rss " + tag]}
    return result


# --- CNI side by side --------------------------------------------------------------------------------------

def pod_items(pods, namespaces):
    return [{"id": f"c{i:04d}", "netns": namespaces.path(p),
             "args": f"IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod{i}"} for i, p in enumerate(pods)]


def host_veths(node):
    """Host ends of pod veths: vnet names them vn<hash>, the reference veth<hash>."""
    return [l["ifname"] for l in node_links(node)
            if (l["ifname"].startswith("vn") and l["ifname"] != "vnet0") or l["ifname"].startswith("veth")]


def cni_phase(namespaces, node, side, items, verb, workers, cached=None):
    job = {"kind": "cni", "verb": verb, "conflist": side["conflist"], "cni_path": side["cni_path"], "workers": workers,
           "pods": [dict(item, cached=(cached or {}).get(item["id"])) for item in items]}
    return in_netns(namespaces, node, DRIVER, job)


@contextlib.contextmanager
def fresh_node(namespaces, root, side, pods, tag):
    """A fresh node namespace and scratch directory for one run of `side`: yields the node, the driver's
    conflist and CNI_PATH, and the pods as driver items; removes the node and the directory afterwards."""
    node = make_node(namespaces, tag, primary=S.PRIMARY, gateway=S.GATEWAY)
    data = scratch_dir(root, tag)
    try:
        yield node, {"conflist": side.conflist(data, len(pods)), "cni_path": side.cni_path}, pod_items(pods, namespaces)
    finally:
        namespaces.delete(node)
        shutil.rmtree(data, ignore_errors=True)


def cni_run(namespaces, root, side, pods, workers, tag):
    """One run of one side: a fresh node, ADD all pods, CHECK all, DEL all. Returns per-verb records."""
    run = {"side": side.key, "workers": workers, "failures": 0, "errors": []}
    with fresh_node(namespaces, root, side, pods, tag) as (node, conf, items):
        for verb in ("ADD", "CHECK", "DEL"):
            cached = None
            if verb != "ADD":
                cached = {r["id"]: r.get("result") for r in run["ADD"]["records"]}
            out = cni_phase(namespaces, node, conf, items, verb, workers, cached)
            for r in out["records"]:
                r.pop("calls", None)
            run[verb] = {"elapsed": out["elapsed"], "records": out["records"]}
            bad = [r for r in out["records"] if r["status"] != 0]
            run["failures"] += len(bad)
            run["errors"] += [f"{side.key} at {workers} in parallel, {verb} {r['id']}: {r.get('error', '')[:300]}" for r in bad[:2]]
            if verb == "ADD":
                run["veths_after_add"] = len(host_veths(node))
        run["veths_after_del"] = len(host_veths(node))
        for verb in ("ADD", "CHECK", "DEL"):
            for r in run[verb]["records"]:
                r.pop("result", None)
    if run["veths_after_add"] != len(pods) - sum(1 for r in run["ADD"]["records"] if r["status"] != 0):
        run["errors"].append(f"{run['veths_after_add']} host veths after ADD of {len(pods)} pods")
    if run["veths_after_del"] != 0:
        run["errors"].append(f"{run['veths_after_del']} host veths left after DEL")
    return run


def pods_are_empty(namespaces, pods):
    return all(len(json.loads(sh("ip", "-n", p, "-j", "link", "show").stdout or "[]")) == 1 for p in pods[:3] + pods[-3:])


def growth_fill(namespaces, root, side, pods, tag):
    """One more fill of a fresh node at 1 in parallel for ADD's growth with the pods: ADD every pod, then DEL
    every pod (8 in parallel, not timed). Only the ADD records are kept."""
    with fresh_node(namespaces, root, side, pods, tag) as (node, conf, items):
        added = cni_phase(namespaces, node, conf, items, "ADD", 1)
        cached = {r["id"]: r.get("result") for r in added["records"]}
        removed = cni_phase(namespaces, node, conf, items, "DEL", 8, cached)
        left = len(host_veths(node))
    bad = [r for r in added["records"] + removed["records"] if r["status"] != 0]
    errors = [f"{side.key} growth fill {tag}: {r.get('error', '')[:300]}" for r in bad[:2]]
    if left:
        errors.append(f"{left} host veths left after the growth fill's DEL")
    records = [{"wall": r["wall"], "start": r["start"], "status": r["status"]} for r in added["records"]]
    return {"side": side.key, "workers": 1, "ADD": {"elapsed": added["elapsed"], "records": records},
            "errors": errors, "failures": len(bad)}


def side_by_side(namespaces, root, the_sides, pods, reps, worker_counts, growth_side=None, growth_per_rep=0):
    """reps x workers x sides, alternating which side goes first, each run in a fresh node namespace. After
    each repetition, growth_per_rep more fills of growth_side (ADD's growth needs more samples than the
    rest: see growth_fill). Returns (runs, growth fills)."""
    runs, fills = [], []
    for rep in range(reps):
        order = the_sides if rep % 2 == 0 else list(reversed(the_sides))
        for workers in worker_counts:
            for side in order:
                tag = f"n{side.key}{workers}r{rep}"
                log(f"  rep {rep + 1}/{reps}: {side.key} at {workers} in parallel")
                run = cni_run(namespaces, root, side, pods, workers, tag)
                run["rep"] = rep
                runs.append(run)
                if run["errors"]:
                    log("    problems: " + "; ".join(run["errors"][:3]))
                    # A failed DEL may leave an eth0 behind: start the next run from clean pod namespaces.
                    if not pods_are_empty(namespaces, pods) or run["veths_after_del"]:
                        namespaces.delete_many(pods)
                        for p in pods:
                            namespaces.make(p[len(namespaces.prefix) + 1:])
        for extra in range(growth_per_rep if growth_side else 0):
            log(f"  rep {rep + 1}/{reps}: {growth_side.key} growth fill {extra + 1}/{growth_per_rep}")
            fill = growth_fill(namespaces, root, growth_side, pods, f"g{growth_side.key}r{rep}x{extra}")
            fill["rep"] = rep
            fills.append(fill)
            if fill["errors"]:
                log("    problems: " + "; ".join(fill["errors"][:3]))
    return runs, fills


# --- the floor ---------------------------------------------------------------------------------------------

def floor(namespaces, pods):
    node = make_node(namespaces, "floor", primary=S.PRIMARY, gateway=S.GATEWAY)
    try:
        return in_netns(namespaces, node, FLOOR, {"pods": [namespaces.path(p) for p in pods], "gateway": S.GATEWAY,
                                                  "first": S.RANGE_START})
    finally:
        namespaces.delete(node)


# --- IPAM alone --------------------------------------------------------------------------------------------

def ipam(namespaces, root, vnet_bin, count, worker_counts, reps):
    """vnet-ipam ADD then DEL of `count` attachments (one atomic commit each), host-local beside it, at each
    worker count; alternating order per repetition."""
    ns = namespaces.make("ipam")
    binaries = {"vnet-ipam": os.path.join(vnet_bin, "vnet-ipam"), "host-local": "/usr/lib/cni/host-local"}
    results = []
    try:
        for rep in range(reps):
            order = list(binaries) if rep % 2 == 0 else list(reversed(binaries))
            for workers in worker_counts:
                for kind in order:
                    data = scratch_dir(root, f"ipam-{kind}")
                    conf = json.dumps(S.ipam_network(kind, data))
                    run = {"ipam": kind, "workers": workers, "rep": rep}
                    for verb in ("ADD", "DEL"):
                        calls = [{"argv": [binaries[kind]], "stdin": conf, "tag": f"i{i}", "env": {
                            "CNI_COMMAND": verb, "CNI_CONTAINERID": f"i{i:04d}", "CNI_NETNS": "/var/run/netns/none" if verb == "ADD" else "",
                            "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}}
                            for i in range(count)]
                        out = in_netns(namespaces, ns, DRIVER, {"kind": "raw", "workers": workers, "calls": calls})
                        bad = [r for r in out["records"] if r["status"] != 0]
                        if bad:
                            raise BenchError(f"{kind} {verb} failed: {bad[0].get('error')}")
                        run[verb] = {"elapsed": out["elapsed"], "walls": [r["wall"] for r in out["records"]]}
                    if rep == 0 and workers == 1:
                        run["rss"] = ipam_rss(namespaces, ns, binaries[kind], conf)
                    shutil.rmtree(data, ignore_errors=True)
                    results.append(run)
    finally:
        namespaces.delete(ns)
    return results


def ipam_rss(namespaces, ns, binary, conf, count=5):
    """Peak RSS (GNU time) of a few ADD and DEL calls, apart from the timed ones."""
    calls = []
    for i in range(count):
        for verb in ("ADD", "DEL"):
            calls.append({"argv": [binary], "stdin": conf, "rss": True, "tag": verb, "env": {
                "CNI_COMMAND": verb, "CNI_CONTAINERID": f"rss{i}", "CNI_NETNS": "/var/run/netns/none" if verb == "ADD" else "",
                "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}})
    out = in_netns(namespaces, ns, DRIVER, {"kind": "raw", "workers": 1, "calls": calls})
    return [r["rss"] for r in out["records"] if r["status"] == 0 and r["rss"]]
