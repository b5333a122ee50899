"""Network namespaces as every suite uses them: commands (`sh`), and namespaces named with this run's prefix,
each removed again, also after a failure. Nothing here changes the machine's own namespace."""
import concurrent.futures
import json
import os
import secrets
import subprocess

# Every namespace a run makes (test, stress or bench) starts with this; a run removes exactly its own.
RUN_PREFIX = "vt" + secrets.token_hex(2)
NETNS_DIR = "/var/run/netns"


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


class Namespace:
    """A named network namespace (/var/run/netns/NAME) that this run made."""

    def __init__(self, name):
        self.name = name
        self.path = f"{NETNS_DIR}/{name}"
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
        for name in os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []:
            if name.startswith(self.prefix):
                sh("ip", "netns", "delete", name, check=False)
        self.made = []


def root_namespace_view():
    """What the machine's own namespace holds: links, addresses, routes and nft tables (read only). The suites
    compare it before and after a run: nothing they do may change it."""
    links = sorted(l.split(":")[1].strip().split("@")[0] for l in sh("ip", "-o", "link", "show").stdout.splitlines())
    addrs = sorted(sh("ip", "-o", "addr", "show").stdout.splitlines())
    routes = sorted(sh("ip", "route", "show", "table", "all").stdout.splitlines())
    tables = sorted(sh("nft", "list", "tables", check=False).stdout.splitlines())
    return {"links": links, "addresses": addrs, "routes": routes, "nft tables": tables}


def nat_pods(ns, table="vnet"):
    """The elements of vnet's NAT set (set `pods` in table ip `table`) in namespace `ns` (a Namespace): the pods'
    addresses, or None when the table is absent."""
    out = ns.run("nft", "-j", "list", "set", "ip", table, "pods", check=False)
    if out.returncode != 0:
        return None
    for obj in json.loads(out.stdout)["nftables"]:
        if "set" in obj:
            return {_element(e) for e in obj["set"].get("elem", [])}
    return set()


def _element(element):
    """An element of a set as nft -j lists it: a plain one is its address; one with attributes (a timeout, a
    counter) is {"elem": {"val": ADDRESS, ...}}; anything else is kept whole, as JSON."""
    if isinstance(element, str):
        return element
    value = element.get("elem", {}).get("val") if isinstance(element, dict) else None
    return value if isinstance(value, str) else json.dumps(element, sort_keys=True)


def demo_prefix(pid):
    """The prefix of every namespace `vnet-console --demo` (pid `pid`) makes: "vdemo" and the pid in base 36."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        pid, rest = divmod(pid, 36)
        out = digits[rest] + out
        if pid == 0:
            return "vdemo" + out
