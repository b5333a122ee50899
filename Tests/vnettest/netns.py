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
