"""Storage faults.

Corrupt state: a truncated, empty, garbage or NUL-filled state.json makes `vnet` ADD (and `vnet-ipam` ADD) fail
with code 102, naming the file and `vnetctl state repair`; nothing is allocated (file unchanged, no veth, no
address in the pod, NAT set unchanged); `vnetctl state check` says corrupt; `vnetctl state repair` recovers and
the next ADD gets an address no pod holds.

Full disk: a 64 KiB tmpfs mounted as the data directory inside a private mount namespace (`unshare -m`, so the
mount exists only for that process tree and disappears with it). Once the tmpfs is full, a commit fails with an
I/O error that says so; the old state stays intact and loadable; freeing space makes the next ADD work.
"""
import hashlib
import json
import os
import subprocess
import sys

if __name__ == "__main__":  # started as a script for --inside, below
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest

from stress.harness import BIN, HERE, NETWORK, Log, StressNode, lease_map, make_data_dir, pod_links, remove_tree, run_plugin  # noqa: E402
from vnettest.cni import corrupt  # noqa: E402
from vnettest.netns import Namespaces  # noqa: E402

KINDS = ["truncated", "empty", "garbage", "nul-filled"]


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Storage:
    def __init__(self, log=None, kinds=KINDS, full_disk=True):
        self.log = log or Log("storage")
        self.kinds, self.full_disk = kinds, full_disk
        self.violations = []

    def violate(self, message):
        self.violations.append(message)
        self.log("VIOLATION " + message)

    def run(self):
        namespaces = Namespaces("st")
        data_dir = make_data_dir("storage")
        try:
            node = StressNode(namespaces, data_dir, "10.240.16.10-10.240.16.73", cooldown=30)
            pods = namespaces.make_many("p", 6)
            for kind in self.kinds:
                self.corrupt_state(node, pods, kind)
            self.repeated_repair(node, pods)
            if self.full_disk:
                self.disk_full(node, pods)
        finally:
            namespaces.cleanup()
            remove_tree(data_dir)
        self.log("no violation" if not self.violations else f"{len(self.violations)} VIOLATIONS")
        return self.violations

    def corrupt_state(self, node, pods, kind):
        held, results = {}, {}
        for i in range(4):
            out = node.call("ADD", container=f"{kind}{i}", netns=pods[i].path)
            if not out.ok:
                self.violate(f"{kind}: setup ADD failed: {out.describe()}")
                return
            held[f"{kind}{i}"], results[f"{kind}{i}"] = out.address, out.parsed
        with open(node.state_path, "rb") as f:
            good = f.read()
        bad = corrupt(kind, good)
        with open(node.state_path, "wb") as f:
            f.write(bad)
        veths, nat = node.host_veths(), node.nat_pods()
        out = node.call("ADD", container=f"{kind}new", netns=pods[4].path)
        ipam = run_plugin("vnet-ipam", "ADD", {"cniVersion": "1.1.0", "name": NETWORK, "type": "bridge",
                                               "ipam": node.plugin["ipam"]}, container=f"{kind}ipam", netns="/proc/self/ns/net")
        for who, o in (("vnet", out), ("vnet-ipam", ipam)):
            if o.code != 102 or node.state_path not in o.msg or "state repair" not in o.msg:
                self.violate(f"{kind}: {who} ADD on a corrupt state did not fail with 102 naming the file and the repair: {o.describe()}")
        with open(node.state_path, "rb") as f:
            if f.read() != bad:
                self.violate(f"{kind}: a refused ADD changed the state file")
        if pod_links(pods[4].name) or node.host_veths() != veths or node.nat_pods() != nat:
            self.violate(f"{kind}: a refused ADD left something: pod links {pod_links(pods[4].name)}, "
                         f"veths {sorted(node.host_veths() - veths)}, NAT {sorted((node.nat_pods() or set()) ^ (nat or set()))}")
        ok, check = node.state_check()
        if ok or "corrupt" not in check:
            self.violate(f"{kind}: `vnetctl state check` did not report the corruption: {check}")
        repair = node.vnetctl("state", "repair", "--network", NETWORK)
        ok_after, check_after = node.state_check()
        if repair.returncode != 0 or "restored" not in repair.stdout or not ok_after:
            self.violate(f"{kind}: repair did not recover: {repair.stdout} {repair.stderr} / {check_after}")
        # The last good copy is one commit old: leases that commit made are gone, and their addresses must be
        # quarantined (never handed out until an operator reclaims them) while their pods still use them.
        repaired = node.state()
        leased = lease_map(repaired)
        cooling = set(repaired.get("quarantined", []))
        lost = sorted(c for c in held if c not in leased)
        for container in lost:
            if held[container] not in cooling:
                self.violate(f"{kind}: repair lost the lease of live pod {container} and its address {held[container]} is free")
        again = node.call("ADD", container=f"{kind}new", netns=pods[4].path)
        results[f"{kind}new"] = again.parsed
        if not again.ok or again.address in held.values():
            self.violate(f"{kind}: ADD after repair failed or reused a held address: {again.describe()} held {held}")
        self.log(f"{kind}: vnet ADD -> code {out.code}, vnet-ipam ADD -> code {ipam.code} ({out.msg[:110]}...); "
                 f"file untouched, nothing allocated; state check: {check[:60]}...; repair: "
                 f"{(repair.stdout.strip().splitlines() or [repair.stderr.strip()])[0][:60]}...; "
                 f"leases lost with the last commit: {lost or 'none'} (quarantined); next ADD got {again.address}")
        for container in list(held) + [f"{kind}new"]:  # with the cached ADD result, as libcni does
            node.call("DEL", container=container, netns="", prev=results.get(container))
        state = node.state()
        if state["leases"] or node.host_veths() or node.nat_pods():
            self.violate(f"{kind}: cleanup left {len(state['leases'])} leases, veths {node.host_veths()}, NAT {node.nat_pods()}")

    def repeated_repair(self, node, pods, times=3):
        """Corruption found and repaired several times within one second (or after the clock was set back):
        each repair keeps its corrupt copy under a name of its own and succeeds."""
        out = node.call("ADD", container="again", netns=pods[0].path)
        results = []
        for i in range(times):
            with open(node.state_path, "wb") as f:
                f.write(corrupt("garbage", b""))
            repair = node.vnetctl("state", "repair", "--network", NETWORK)
            results.append(repair.returncode)
            if repair.returncode != 0 or not node.state_check()[0]:
                self.violate(f"repair #{i + 1} within a second failed: {(repair.stdout + repair.stderr).strip()[:300]}")
        kept = [n for n in os.listdir(node.state_dir) if n.startswith("state.json.corrupt-")]
        self.log(f"{times} corruptions repaired back to back: exit codes {results}; corrupt copies kept: {len(kept)}")
        node.call("DEL", container="again", netns="", prev=out.parsed)

    def disk_full(self, node, pods):
        mount_point = make_data_dir("fulldisk")
        try:
            proc = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, os.path.join(HERE, "storage.py"),
                                   "--inside", mount_point, node.ns.path, pods[5].path, BIN, json.dumps(node.plugin)],
                                  capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                self.violate(f"full-disk run failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
                return
            for line in proc.stdout.splitlines():
                self.log("full disk: " + line)
                if line.startswith("VIOLATION"):
                    self.violations.append("full disk: " + line)
            leaked = subprocess.run(["findmnt", "-n", mount_point], capture_output=True, text=True)
            if leaked.stdout.strip():
                self.violate(f"the tmpfs is visible outside the private mount namespace: {leaked.stdout}")
            if pod_links(pods[5].name):
                self.violate(f"the full-disk ADD left {pod_links(pods[5].name)} in the pod")
        finally:
            remove_tree(mount_point)


def inside_private_mount_namespace(mount_point, node_path, pod_path, bin_dir, plugin_json):
    """Runs in `unshare -m --propagation private`: the tmpfs exists only here."""
    out = []

    def say(message):
        out.append(message)
        print(message, flush=True)

    def violate(message):
        say("VIOLATION " + message)

    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mount_point], check=True)
    ipam = {"type": "vnet-ipam", "dataDir": mount_point, "cooldownSeconds": 0, "lockTimeoutSeconds": 5,
            "pool": {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1",
                     "addresses": ["10.240.16.10-10.240.16.73"]}}
    conf = {"cniVersion": "1.1.0", "name": NETWORK, "type": "bridge", "ipam": ipam}
    for i in range(3):
        o = run_plugin(os.path.join(bin_dir, "vnet-ipam"), "ADD", conf, container=f"disk{i}", netns="/proc/self/ns/net")
        if not o.ok:
            violate(f"ADD on the empty tmpfs failed: {o.describe()}")
            return
    state_path = os.path.join(mount_point, NETWORK, "state.json")
    before = digest(state_path)
    filler, written = os.path.join(mount_point, "filler"), 0
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for _ in range(1024):  # 4 MiB at most; the tmpfs holds 64 KiB
            written += os.write(fd, b"\0" * 4096)
    except OSError as error:
        say(f"filled the 64 KiB tmpfs: {written} bytes of filler, then {error.strerror}")
    finally:
        os.close(fd)
    for plugin, label in (("vnet-ipam", "vnet-ipam ADD"), ("vnet", "vnet ADD (pod namespace)")):
        if plugin == "vnet":
            vconf = dict(json.loads(plugin_json), cniVersion="1.1.0", name=NETWORK, ipam=ipam)
            o = run_plugin(os.path.join(bin_dir, "vnet"), "ADD", vconf, container="diskpod", netns=pod_path,
                           env_extra=None, node_ns=_NodeNS(node_path))
        else:
            o = run_plugin(os.path.join(bin_dir, "vnet-ipam"), "ADD", conf, container="disk-full", netns="/proc/self/ns/net")
        say(f"{label} on the full disk: status {o.status}, code {o.code}: {o.msg} {(o.parsed or {}).get('details', '')}".strip())
        if o.ok:
            violate(f"{label} succeeded on a full disk")
        elif "No space left on device" not in o.stdout:
            violate(f"{label} failed without saying the disk is full: {o.describe()}")
        if digest(state_path) != before:
            violate(f"{label}: the state changed although the commit failed")
    check = subprocess.run([os.path.join(bin_dir, "vnetctl"), "--state-dir", mount_point, "state", "check"],
                           capture_output=True, text=True)
    say(f"state after the failed commits: {check.stdout.strip() or check.stderr.strip()} (unchanged: {digest(state_path) == before})")
    if check.returncode != 0:
        violate("the old state is not loadable after the failed commit")
    leftovers = [n for n in os.listdir(os.path.join(mount_point, NETWORK)) if ".tmp." in n]
    if leftovers:
        violate(f"temporary files left behind: {leftovers}")
    with open(state_path) as f:
        leases = lease_map(json.load(f))
    if sorted(leases) != ["disk0", "disk1", "disk2"]:
        violate(f"the leases changed: {sorted(leases)}")
    os.unlink(filler)
    o = run_plugin(os.path.join(bin_dir, "vnet-ipam"), "ADD", conf, container="disk-free", netns="/proc/self/ns/net")
    say(f"after freeing space: ADD {'succeeded with ' + str(o.address) if o.ok else 'FAILED: ' + o.describe()}")
    if not o.ok:
        violate("ADD failed after space was freed")
    subprocess.run(["umount", mount_point], check=False)


class _NodeNS:
    """What run_plugin needs of a namespace: its path."""

    def __init__(self, path):
        self.path = path


if __name__ == "__main__" and len(sys.argv) == 7 and sys.argv[1] == "--inside":
    inside_private_mount_namespace(*sys.argv[2:])
