"""Shared machinery of the reliability suite: a sandboxed node, plugin processes that can be killed at a random
instant, and the node's observable state (leases, pod addresses, veths, host routes, NAT elements).

Everything happens in namespaces with the run's prefix (vnettest.netns.Namespaces) and in temporary data directories;
the machine's own namespace is never touched. Every loop of the suite is bounded in count and in time.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

from vnettest.cni import BIN, CNI_PATH, locate
from vnettest.netns import nat_pods, sh
from vnettest.topology import Node

NETWORK = "vnet-stress"
PRIMARY = "10.240.0.4"
GATEWAY = "10.240.0.1"

# Named crash points of the vnet plugin (VNET_TEST_FAULT), per verb. vnet runs vnet-ipam in-process, so the
# allocation commit is "vnet-add"; "commit:*" are hit inside every atomic file replacement. "add-ready:*" and
# "add:commit" exist only in builds whose ADD commits the endpoint `ready` at the end; where a point is never
# reached the kill does not land, and the churn raises its kill rate to make up for it.
ADD_POINTS = ["add:netns", "add:bridge", "vnet-add:locked", "vnet-add:before-commit", "commit:after-temp-write",
              "commit:before-rename", "vnet-add:after-commit", "add:ipam", "add:nat", "add:veth", "add:pod-address",
              "add:host-route", "add:nat-pod", "add-ready:locked", "add-ready:before-commit", "add-ready:after-commit",
              "add:commit"]
DEL_POINTS = ["del:state", "del:nat-pod", "del:host-route", "del:veth", "del:locked", "del:before-commit",
              "commit:after-temp-write", "commit:before-rename", "del:after-commit", "del:ipam"]
FAULT_POINTS = {"ADD": ADD_POINTS, "DEL": DEL_POINTS, "CHECK": []}


class Log:
    """Prints what a part tries and finds, with the part's name and the seconds since it started."""

    def __init__(self, part, quiet=False):
        self.part, self.quiet, self.start = part, quiet, time.monotonic()
        self.lock = threading.Lock()

    def __call__(self, message):
        if self.quiet:
            return
        with self.lock:
            print(f"[{self.part} {time.monotonic() - self.start:6.1f}s] {message}", flush=True)


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def passed(self):
        return time.monotonic() > self.end


def vnetctl_path():
    return os.path.join(BIN, "vnetctl")


def make_data_dir(tag):
    path = tempfile.mkdtemp(prefix=f"vnet-{tag}-")
    os.chmod(path, 0o700)
    return path


def make_node_namespace(namespaces, suffix="node"):
    """A node: eth0 (one end of a veth pair kept inside the node) holds the node's primary address in the VNet
    subnet, with the default route via the VNet's gateway, so vnet finds its SNAT address as on Azure."""
    ns = namespaces.make(suffix)
    ns.run("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "uplink")
    ns.run("ip", "link", "set", "uplink", "up")
    ns.run("ip", "addr", "add", f"{PRIMARY}/16", "dev", "eth0")
    ns.run("ip", "link", "set", "eth0", "up")
    ns.run("ip", "route", "add", "default", "via", GATEWAY)
    return ns


class Outcome:
    """One plugin process: how it ended and what it printed."""

    def __init__(self, verb, status, stdout, stderr, elapsed, kill):
        self.verb, self.status, self.stdout, self.stderr, self.elapsed, self.kill = verb, status, stdout, stderr, elapsed, kill
        self.parsed = None
        if stdout.strip():
            try:
                self.parsed = json.loads(stdout)
            except json.JSONDecodeError:
                pass

    @property
    def killed(self):
        return self.status == -signal.SIGKILL

    @property
    def ok(self):
        return self.status == 0

    @property
    def code(self):
        return (self.parsed or {}).get("code")

    @property
    def msg(self):
        return (self.parsed or {}).get("msg", "")

    @property
    def address(self):
        ips = (self.parsed or {}).get("ips") or []
        return ips[0]["address"].split("/")[0] if ips else None

    def describe(self):
        return f"{self.verb} status={self.status} kill={self.kill} out={self.stdout.strip()[:300]!r} err={self.stderr.strip()[:300]!r}"


def run_plugin(plugin, verb, config, container="", netns="", ifname="eth0", node_ns=None, env_extra=None,
               kill_after=None, timeout=60):
    """Runs one plugin process like a runtime does. With `kill_after` (seconds), sends it SIGKILL at that instant
    if it is still running. The child is never reaped before the kill, so its pid cannot have been reused."""
    env = {"CNI_COMMAND": verb, "CNI_CONTAINERID": container, "CNI_NETNS": netns, "CNI_IFNAME": ifname,
           "CNI_ARGS": "", "CNI_PATH": CNI_PATH, "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}
    env.update(env_extra or {})
    argv = [plugin if plugin.startswith("/") else locate(plugin)]
    if node_ns is not None:
        argv = ["nsenter", f"--net={node_ns.path}", *argv]  # nsenter execs the plugin: same pid
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    timer = None
    if kill_after is not None:
        timer = threading.Timer(kill_after, lambda: proc.poll() is None and proc.send_signal(signal.SIGKILL))
        timer.start()
    try:
        out, err = proc.communicate(json.dumps(config).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    finally:
        if timer:
            timer.cancel()
    kill = env_extra.get("VNET_TEST_FAULT") if env_extra else None
    if kill_after is not None:
        kill = f"SIGKILL after {kill_after * 1000:.0f} ms"
    return Outcome(verb, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
                   time.monotonic() - start, kill)


class StressNode:
    """One node namespace running the vnet plugin (vnet-ipam in-process) for network NETWORK."""

    def __init__(self, namespaces, data_dir, pool_range, cooldown=0, lock_timeout=30, node_suffix="node",
                 max_pods=None):
        self.namespaces, self.data_dir, self.pool_range = namespaces, data_dir, pool_range
        self.node_suffix = node_suffix
        self.ns = make_node_namespace(namespaces, node_suffix)
        conflist = Node(self.ns, PRIMARY, "10.240.16.0/20", pool_range, data_dir).conflist(name=NETWORK)
        self.plugin = conflist["plugins"][0]
        self.plugin["ipam"]["cooldownSeconds"] = cooldown
        self.plugin["ipam"]["lockTimeoutSeconds"] = lock_timeout
        if max_pods:
            self.plugin["ipam"]["maxPodsPerNode"] = max_pods
        self.version = conflist["cniVersion"]

    @property
    def state_dir(self):
        return os.path.join(self.data_dir, NETWORK)

    @property
    def state_path(self):
        return os.path.join(self.state_dir, "state.json")

    def config(self, prev=None, **extra):
        conf = dict(self.plugin, cniVersion=self.version, name=NETWORK)
        if prev is not None:
            conf["prevResult"] = prev
        conf.update(extra)
        return conf

    def call(self, verb, container="", netns="", prev=None, env_extra=None, kill_after=None, config=None):
        return run_plugin("vnet", verb, config or self.config(prev), container=container, netns=netns,
                          node_ns=self.ns, env_extra=env_extra, kill_after=kill_after)

    def gc(self, valid):
        conf = self.config(**{"cni.dev/valid-attachments": [{"containerID": c, "ifname": "eth0"} for c in valid]})
        return run_plugin("vnet", "GC", conf, node_ns=self.ns)

    def recreate(self):
        """Deletes the node namespace (bridge, veths, routes and NAT table go with it) and makes a fresh one."""
        self.ns.delete()
        self.namespaces.made = [n for n in self.namespaces.made if n is not self.ns]
        self.ns = make_node_namespace(self.namespaces, self.node_suffix)

    # The node's observable state.

    def vnetctl(self, *args, check=False):
        return sh(vnetctl_path(), "--state-dir", self.data_dir, *args, check=check)

    def state_check(self):
        """`vnetctl state check`: (loads, output)."""
        out = self.vnetctl("state", "check")
        return out.returncode == 0, (out.stdout + out.stderr).strip()

    def state(self):
        """The state document; an empty one when there is none or it is unreadable (callers that care run
        state_check first)."""
        try:
            with open(self.state_path) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return {"leases": [], "endpoints": [], "released": []}

    def nat_pods(self):
        """The elements of set `pods` in table ip vnet, or None when the table is absent."""
        return nat_pods(self.ns)

    def host_veths(self):
        return {l["ifname"] for l in self.ns.links() if l.get("link_type") == "ether" and l["ifname"].startswith("vn")
                and l["ifname"] != "vnet0"}

    def host_routes(self):
        """Host routes to pods: /32 routes through the bridge."""
        out = self.ns.run("ip", "-j", "route", "show", "dev", "vnet0", check=False)
        if out.returncode != 0 or not out.stdout.strip():
            return set()
        return {r["dst"] for r in json.loads(out.stdout) if "/" not in r["dst"] and r["dst"] != "default"}


def pod_addresses(ns_name):
    """IPv4 addresses configured on the pod side (any interface but lo), read inside the pod namespace."""
    out = sh("ip", "-n", ns_name, "-j", "-4", "addr", "show", check=False)
    if out.returncode != 0 or not out.stdout.strip():
        return []
    found = []
    for link in json.loads(out.stdout):
        if link.get("ifname") == "lo":
            continue
        found += [a["local"] for a in link.get("addr_info", []) if a.get("family") == "inet"]
    return found


def pod_links(ns_name):
    out = sh("ip", "-n", ns_name, "-j", "link", "show", check=False)
    if out.returncode != 0 or not out.stdout.strip():
        return []
    return [l["ifname"] for l in json.loads(out.stdout) if l["ifname"] != "lo"]


def lease_map(state):
    """containerID -> leased address (ifname is always eth0 in this suite)."""
    return {l["key"]["containerID"]: l["address"] for l in state.get("leases", [])}


def endpoint_map(state):
    return {e["key"]["containerID"]: e for e in state.get("endpoints", [])}


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)

