"""A VNet's registry for tests: etcd members (Debian's etcd-server) in their own namespace on a bridge, and
node namespaces joined to it over a second veth (172.31.254.0/24), the way a VM reaches its etcd cluster.
Cutting a node's veth is a partition; killing a member's process is a member failure. Every process is
started here and stopped by its PID; the data directories are removed afterwards.

    [node-a]--reg0--+                               etcd m0 172.31.254.1:2379
    [node-b]--reg0--+--br0 [registry] 172.31.254.1  etcd m1 172.31.254.1:2381
    [node-c]--reg0--+                               etcd m2 172.31.254.1:2383
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from vnettest.netns import sh

ETCD = next((p for p in ("/usr/bin/etcd", "/usr/local/bin/etcd") if os.path.exists(p)), None)
ETCDCTL = next((p for p in ("/usr/bin/etcdctl", "/usr/local/bin/etcdctl") if os.path.exists(p)), None)
HOST = "172.31.254.1"


class Registry:
    def __init__(self, namespaces, members=3):
        if not ETCD or not ETCDCTL:
            raise RuntimeError("etcd is not installed: apt-get install etcd-server etcd-client (make deps)")
        self.ns = namespaces.make("reg")
        self.ns.run("ip", "link", "add", "br0", "type", "bridge")
        self.ns.run("ip", "addr", "add", f"{HOST}/24", "dev", "br0")
        self.ns.run("ip", "link", "set", "br0", "up")
        self.directory = tempfile.mkdtemp(prefix="vnet-etcd-")
        self.names = [f"m{i}" for i in range(members)]
        self.clients = {n: f"http://{HOST}:{2379 + 2 * i}" for i, n in enumerate(self.names)}
        self.peers = {n: f"http://{HOST}:{2380 + 2 * i}" for i, n in enumerate(self.names)}
        self.procs = {}
        self.joined = 0
        for name in self.names:
            self.start(name, "new")
        self.wait_healthy()

    @property
    def endpoints(self):
        return [self.clients[n] for n in self.names]

    def start(self, name, state="existing"):
        cluster = ",".join(f"{n}={self.peers[n]}" for n in self.names)
        log = open(os.path.join(self.directory, f"{name}.log"), "a")
        self.procs[name] = subprocess.Popen(
            ["nsenter", f"--net={self.ns.path}", ETCD, "--name", name, "--data-dir", os.path.join(self.directory, name),
             "--listen-client-urls", self.clients[name], "--advertise-client-urls", self.clients[name],
             "--listen-peer-urls", self.peers[name], "--initial-advertise-peer-urls", self.peers[name],
             "--initial-cluster", cluster, "--initial-cluster-state", state, "--initial-cluster-token", "vnet-test",
             "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error"],
            stdout=log, stderr=log)

    def stop(self, name, sig=signal.SIGKILL):
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.send_signal(sig)
            proc.wait(timeout=10)

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)

    def start_all(self):
        for name in self.names:
            if name not in self.procs:
                self.start(name)
        self.wait_healthy()

    def etcdctl(self, *args, endpoints=None, check=True):
        env = dict(os.environ, ETCDCTL_API="3")
        return subprocess.run(["nsenter", f"--net={self.ns.path}", ETCDCTL, "--endpoints", ",".join(endpoints or self.live_endpoints()),
                               "--command-timeout", "5s", *args], capture_output=True, text=True, env=env, check=check)

    def live_endpoints(self):
        return [self.clients[n] for n in self.names if n in self.procs]

    def wait_healthy(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            out = self.etcdctl("endpoint", "health", check=False)
            if out.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"etcd did not become healthy; logs in {self.directory}")

    def leader(self):
        """The member that leads now."""
        out = json.loads(self.etcdctl("endpoint", "status", "-w", "json").stdout)
        for status in out:
            if status["Status"]["header"]["member_id"] == status["Status"]["leader"]:
                return next(n for n in self.names if self.clients[n] == status["Endpoint"])
        return None

    def get_prefix(self, prefix, revision=None):
        """{key: value} under `prefix`, read with etcdctl (at `revision` if given)."""
        args = ["get", prefix, "--prefix", "-w", "json"]
        if revision is not None:
            args += ["--rev", str(revision)]
        out = json.loads(self.etcdctl(*args).stdout)
        import base64
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv["value"]).decode() for kv in out.get("kvs", [])}, out["header"]["revision"]

    def revision(self):
        return json.loads(self.etcdctl("get", "/", "-w", "json").stdout)["header"]["revision"]

    def join(self, node_ns):
        """Gives `node_ns` a veth onto the registry's bridge; returns the node's address there."""
        self.joined += 1
        link = f"n{self.joined}"
        sh("ip", "-n", node_ns.name, "link", "add", "reg0", "type", "veth", "peer", "name", link, "netns", self.ns.name)
        address = f"172.31.254.{10 + self.joined}"
        node_ns.run("ip", "addr", "add", f"{address}/24", "dev", "reg0")
        node_ns.run("ip", "link", "set", "reg0", "up")
        self.ns.run("ip", "link", "set", link, "master", "br0")
        self.ns.run("ip", "link", "set", link, "up")
        return address

    def cleanup(self):
        self.stop_all()
        shutil.rmtree(self.directory, ignore_errors=True)


def quota_of(registry, vnet, revision=None):
    """(limit, quota.reserved, {node: reserved}) as etcd holds them, read with etcdctl."""
    keys, rev = registry.get_prefix(f"/vnet/v1/{vnet}/", revision)
    root = f"/vnet/v1/{vnet}/"
    limit = json.loads(keys.get(root + "limit", '{"maxPods": 0}'))["maxPods"]
    reserved = json.loads(keys.get(root + "quota", '{"reserved": 0}'))["reserved"]
    nodes = {k[len(root + "reservations/"):]: json.loads(v)["reserved"] for k, v in keys.items() if k.startswith(root + "reservations/")}
    return limit, reserved, nodes, rev


def invariant_violation(limit, reserved, nodes):
    if sum(nodes.values()) != reserved:
        return f"reservations add up to {sum(nodes.values())}, quota says {reserved}"
    if limit and reserved > limit:
        return f"{reserved} reserved beyond the limit {limit}"
    return None
