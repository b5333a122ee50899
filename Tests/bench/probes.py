"""Does an ADD cost more on a node with more pods? Measured with paired probes, which this machine's drift
cannot fake.

The side-by-side runs answer it as issue #7 asks (the ADD p50 of the last 10% of pods against the first
10%), but those two tenths run seconds apart, and on a shared 2-CPU machine the speed of everything drifts
by tens of percent over seconds: one repetition's ratio can be 1.0 and the next 1.7 for the same binary.
Here two nodes stand side by side, one holding a few pods (the first tenth's middle) and one nearly full (the
last tenth's middle), and the same probe pod is added to and deleted from each in turn, so that both sides of
every pair run within milliseconds of each other. The ratio of the two medians is the growth.
"""
import json
import os
import subprocess

from benchlib import make_node, median
import phases as P
import sides as S


class Server:
    """cni_driver.py in "serve" mode inside one node: one CNI call per line, answered on a line."""

    def __init__(self, namespaces, node, conf):
        self.proc = subprocess.Popen(["nsenter", f"--net={namespaces.path(node)}", P.PY, P.DRIVER],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.send(dict(conf, kind="serve"))

    def send(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def call(self, verb, pod):
        self.send({"verb": verb, "pod": pod})
        line = self.proc.stdout.readline()
        if not line:
            raise P.BenchError(f"probe driver exited during {verb} {pod['id']}")
        record = json.loads(line)
        if record["status"] != 0:
            raise P.BenchError(f"probe {verb} {pod['id']} failed: {record.get('error', '')[:300]}")
        return record

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def paired_growth(namespaces, root, side, pods, probe_pods, pairs):
    """Fills a small node with len(pods)/20 pods and a big one with 19/20 of them, then `pairs` times adds
    and deletes a probe pod on each in turn (which goes first alternates). Returns the ADD walls of each."""
    small_count = max(1, len(pods) // 20)
    big_count = len(pods) - small_count
    nodes, servers, filled = [], [], []
    result = {"small_pods": small_count, "big_pods": big_count, "small": [], "big": []}
    try:
        for name, fill in (("small", pods[:small_count]), ("big", pods[small_count:])):
            node = make_node(namespaces, f"probe{side.key}{name}", primary=S.PRIMARY, gateway=S.GATEWAY)
            nodes.append(node)
            conf = {"conflist": side.conflist(P.scratch_dir(root, f"probe-{side.key}-{name}"), len(pods)),
                    "cni_path": side.cni_path}
            items = P.pod_items(fill, namespaces)
            out = P.cni_phase(namespaces, node, conf, items, "ADD", 8)
            filled.append((node, conf, items, {r["id"]: r.get("result") for r in out["records"]}))
            failed = [r for r in out["records"] if r["status"] != 0]
            if failed:
                raise P.BenchError(f"filling the {name} node failed: {failed[0].get('error', '')[:300]}")
            servers.append((name, Server(namespaces, node, conf)))
        for i in range(pairs):
            order = servers if i % 2 == 0 else servers[::-1]
            for slot, (name, server) in enumerate(order):
                pod = {"id": f"probe{i:03d}", "netns": namespaces.path(probe_pods[slot]), "args": ""}
                added = server.call("ADD", pod)
                result[name].append(added["wall"])
                server.call("DEL", dict(pod, cached=added.get("result")))
    finally:
        for _, server in servers:
            server.close()
        # DEL every pod before the node goes: a deleted namespace takes its veths down only later, in the
        # kernel's own time, and the next phase's pods must not find an eth0 left in them.
        for node, conf, items, cached in filled:
            P.cni_phase(namespaces, node, conf, items, "DEL", 8, cached)
        for node in nodes:
            namespaces.delete(node)
    return result


def summary(result):
    small, big = median(result["small"]), median(result["big"])
    return {"small": small, "big": big, "growth": big / small}
