"""Test support for vnet's end-to-end tests: namespaces with a per-run prefix, and a CNI driver that execs
plugins the way libcni does (ADD in order with prevResult, CHECK and DEL with the cached ADD result, DEL in
reverse). Everything happens inside namespaces the tests create; the machine's own namespace is never touched.
"""
import concurrent.futures
import json
import os
import secrets
import subprocess
import time

BIN = os.environ.get("VNET_BIN", os.path.join(os.path.dirname(__file__), "../../.build/release"))
REFERENCE = "/usr/lib/cni"
CNI_PATH = f"{os.path.abspath(BIN)}:{REFERENCE}"
RUN_PREFIX = "vt" + secrets.token_hex(2)


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


class Namespace:
    """A named network namespace (/var/run/netns/NAME) that this test run made."""

    def __init__(self, name):
        self.name = name
        self.path = f"/var/run/netns/{name}"
        sh("ip", "netns", "add", name)
        sh("ip", "-n", name, "link", "set", "lo", "up")

    def run(self, *args, check=True, **kw):
        return sh("nsenter", f"--net={self.path}", *args, check=check, **kw)

    def json(self, *args):
        return json.loads(self.run("ip", "-j", *args).stdout or "[]")

    def links(self):
        return self.json("link", "show")

    def delete(self):
        sh("ip", "netns", "delete", self.name, check=False)


class Namespaces:
    """Creates namespaces with the run's prefix and deletes every one of them, also after a failure."""

    def __init__(self, tag):
        self.prefix = f"{RUN_PREFIX}{tag}"
        self.made = []

    def make(self, suffix):
        ns = Namespace(f"{self.prefix}-{suffix}")
        self.made.append(ns)
        return ns

    def make_many(self, suffix, count, workers=8):
        names = [f"{suffix}{i}" for i in range(count)]
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return list(pool.map(self.make, names))

    def cleanup(self):
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda ns: ns.delete(), self.made))
        for name in os.listdir("/var/run/netns") if os.path.isdir("/var/run/netns") else []:
            if name.startswith(self.prefix):
                sh("ip", "netns", "delete", name, check=False)
        self.made = []


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
