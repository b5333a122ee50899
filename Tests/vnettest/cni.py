"""A CNI driver that execs plugins the way libcni does (ADD in order with prevResult, CHECK and DEL with the
cached ADD result, DEL in reverse), where the binaries are, and the state document's helpers. Plugins run in
namespaces the tests create (vnettest.netns); the machine's own namespace is never touched.
"""
import concurrent.futures
import json
import os
import subprocess
import time

BIN = os.environ.get("VNET_BIN", os.path.join(os.path.dirname(__file__), "../../.build/release"))
REFERENCE = "/usr/lib/cni"
CNI_PATH = f"{os.path.abspath(BIN)}:{REFERENCE}"


class PluginError(Exception):
    def __init__(self, plugin, verb, code, msg, details, output, status):
        super().__init__(f"{plugin} {verb} failed: code={code} msg={msg} details={details} status={status} out={output!r}")
        self.code, self.msg, self.details, self.output, self.status = code, msg, details, output, status


def exec_plugin(plugin, verb, config, container="", netns="", ifname="", args="", node=None, env_extra=None,
                stdin=None, path=CNI_PATH):
    """Runs one plugin binary with the CNI environment; returns (status, parsed stdout or None, raw stdout)."""
    env = {"CNI_COMMAND": verb, "CNI_CONTAINERID": container, "CNI_NETNS": netns, "CNI_IFNAME": ifname,
           "CNI_ARGS": args, "CNI_PATH": path, "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}
    if env_extra:
        env.update(env_extra)
    binary = plugin if plugin.startswith("/") else locate(plugin)
    argv = [binary]
    if node is not None:
        argv = ["nsenter", f"--net={node.path}", binary]
    data = stdin if stdin is not None else json.dumps(config).encode()
    proc = subprocess.run(argv, input=data, capture_output=True, env=env, timeout=120)
    out = proc.stdout.decode()
    parsed = None
    if out.strip():
        try:
            parsed = json.loads(out)
        except json.JSONDecodeError:
            parsed = None
    return proc.returncode, parsed, out, proc.stderr.decode()


def locate(plugin, path=CNI_PATH):
    for d in path.split(":"):
        candidate = os.path.join(d, plugin)
        if os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(plugin)


def call(plugin, verb, config, **kw):
    """Like exec_plugin, but raises PluginError on failure and returns the parsed result."""
    status, parsed, out, err = exec_plugin(plugin, verb, config, **kw)
    if status != 0:
        p = parsed or {}
        raise PluginError(plugin, verb, p.get("code"), p.get("msg"), p.get("details"), out + err, status)
    return parsed


class Runtime:
    """Drives a conflist like libcni: ADD runs the plugins in order, each getting the previous result;
    the final result is cached; CHECK and DEL get the cached result; DEL runs in reverse."""

    def __init__(self, conflist, node=None, path=CNI_PATH):
        self.conflist = conflist
        self.node = node
        self.path = path
        self.cache = {}

    def _config(self, plugin, prev):
        conf = dict(plugin)
        conf["cniVersion"] = self.conflist["cniVersion"]
        conf["name"] = self.conflist["name"]
        if prev is not None:
            conf["prevResult"] = prev
        return conf

    def add(self, container, netns, ifname="eth0", args=""):
        prev = None
        for plugin in self.conflist["plugins"]:
            prev = call(plugin["type"], "ADD", self._config(plugin, prev), container=container, netns=netns,
                        ifname=ifname, args=args, node=self.node, path=self.path)
        self.cache[(container, ifname)] = (prev, netns, args)
        return prev

    def check(self, container, ifname="eth0", skip=()):
        prev, netns, args = self.cache[(container, ifname)]
        for plugin in self.conflist["plugins"]:
            if plugin["type"] in skip:
                continue
            call(plugin["type"], "CHECK", self._config(plugin, prev), container=container, netns=netns,
                 ifname=ifname, args=args, node=self.node, path=self.path)

    def delete(self, container, ifname="eth0", netns=None):
        prev, cached_netns, args = self.cache.pop((container, ifname), (None, "", ""))
        netns = cached_netns if netns is None else netns
        for plugin in reversed(self.conflist["plugins"]):
            call(plugin["type"], "DEL", self._config(plugin, prev), container=container, netns=netns,
                 ifname=ifname, args=args, node=self.node, path=self.path)

    def gc(self, valid):
        attachments = [{"containerID": c, "ifname": i} for (c, i) in valid]
        for plugin in self.conflist["plugins"]:
            conf = self._config(plugin, None)
            conf["cni.dev/valid-attachments"] = attachments
            call(plugin["type"], "GC", conf, node=self.node, path=self.path)

    def status(self):
        for plugin in self.conflist["plugins"]:
            call(plugin["type"], "STATUS", self._config(plugin, None), node=self.node, path=self.path)


def load_state(data_dir, network):
    with open(os.path.join(data_dir, network, "state.json")) as f:
        return json.load(f)


def parallel(fn, items, workers):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def wait_for(predicate, timeout=5.0, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def corrupt(kind, good):
    """A damaged copy of the state document `good`, of the named kind (shared by the e2e and stress suites)."""
    if kind == "truncated":
        return good[: len(good) // 2]
    if kind == "empty":
        return b""
    if kind == "garbage":
        return b"\x8f\x01 this is not json }{"
    if kind == "nul-filled":
        return b"\0" * len(good)
    if kind == "unknown-schema":
        doc = json.loads(good)
        doc["schema"] = 99
        return json.dumps(doc).encode()
    if kind == "duplicate-lease":
        doc = json.loads(good)
        doc["leases"][1]["address"] = doc["leases"][0]["address"]
        return json.dumps(doc).encode()
    raise ValueError(kind)
