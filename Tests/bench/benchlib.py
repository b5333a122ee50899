"""Shared pieces of the benchmarks: a process spawner that reports wall time and peak RSS, statistics,
namespaces with a per-run prefix, and the machine's description.

Everything that changes network state happens in namespaces made here; the machine's own namespace is never
touched (the orchestrator compares a view of it before and after the run).
"""
import json
import os
import platform
import select
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from vnettest.netns import NETNS_DIR, RUN_PREFIX, root_namespace_view, sh


class Spawned:
    __slots__ = ("status", "stdout", "stderr", "wall", "start")

    def __init__(self, status, stdout, stderr, wall, start):
        self.status, self.stdout, self.stderr = status, stdout, stderr
        self.wall, self.start = wall, start


def spawn(argv, env, stdin=b""):
    """Runs argv with posix_spawn (as a runtime execs a plugin), feeds stdin, collects stdout and stderr and
    reaps it: returns the wall time from spawn to reap. (Not the child's ru_maxrss: Linux folds the spawning
    process's pre-exec image into it; cni_driver.py measures peak RSS under GNU time instead.) Pipes are
    created non-inheritable, so concurrent spawns from other threads never leak them."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
    start = time.perf_counter()
    try:
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    finally:
        for fd in (in_r, out_w, err_w):
            os.close(fd)
    try:
        if stdin:
            os.write(in_w, stdin)  # configurations are far below the pipe buffer
    except BrokenPipeError:
        pass
    os.close(in_w)
    chunks = {out_r: [], err_r: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN | select.POLLHUP)
    open_fds = set(chunks)
    while open_fds:
        for fd, _ in poller.poll():
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                poller.unregister(fd)
                open_fds.discard(fd)
    _, wstatus = os.waitpid(pid, 0)
    wall = time.perf_counter() - start
    os.close(out_r)
    os.close(err_r)
    status = os.waitstatus_to_exitcode(wstatus)
    return Spawned(status, b"".join(chunks[out_r]), b"".join(chunks[err_r]), wall, start)


# --- statistics --------------------------------------------------------------------------------------------

def percentile(values, q):
    """Linear interpolation between closest ranks (numpy's default); q in [0, 100]."""
    if not values:
        return float("nan")
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def median(values):
    return percentile(values, 50)


def spread(values):
    """(median, min, max) of per-run numbers: what the report prints as `m [lo-hi]`."""
    return (median(values), min(values), max(values)) if values else (float("nan"),) * 3


def fmt_ms(seconds):
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def fmt_spread(values, fmt=fmt_ms):
    if not values:
        return "n/a"
    m, lo, hi = spread(values)
    if len(values) == 1:
        return fmt(m)
    return f"{fmt(m)} [{fmt(lo)}-{fmt(hi)}]"


# --- namespaces --------------------------------------------------------------------------------------------

class Namespaces:
    """Named network namespaces with this run's prefix; cleanup() removes every one of them."""

    def __init__(self, prefix=RUN_PREFIX):
        self.prefix = prefix

    def path(self, name):
        return f"{NETNS_DIR}/{name}"

    def make(self, suffix):
        name = f"{self.prefix}-{suffix}"
        sh("ip", "netns", "add", name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def make_many(self, suffix, count, workers=8):
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda i: self.make(f"{suffix}{i}"), range(count)))

    def delete(self, name):
        sh("ip", "netns", "delete", name, check=False)

    def delete_many(self, names, workers=8):
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(self.delete, names))

    def ours(self):
        if not os.path.isdir(NETNS_DIR):
            return []
        return [n for n in os.listdir(NETNS_DIR) if n.startswith(self.prefix + "-")]

    def cleanup(self):
        self.delete_many(self.ours())


def make_node(namespaces, suffix, primary="10.240.0.4/16", gateway="10.240.0.1"):
    """A node namespace shaped like an Azure VM's: eth0 with the primary address in the VNet subnet and a
    default route via the VNet's router (which lives beyond the node). eth0 is one end of a veth pair whose
    other end stays in the node too (no dummy driver on every kernel), both up so the route is usable."""
    node = namespaces.make(suffix)
    for args in (("link", "add", "eth0", "type", "veth", "peer", "name", "uplink0"),
                 ("addr", "add", primary, "dev", "eth0"),
                 ("link", "set", "uplink0", "up"),
                 ("link", "set", "eth0", "up"),
                 ("route", "add", "default", "via", gateway)):
        sh("ip", "-n", node, *args)
    return node


def node_links(node):
    import json
    return json.loads(sh("ip", "-n", node, "-j", "link", "show").stdout or "[]")


# --- the machine -------------------------------------------------------------------------------------------

def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    swift = "unknown"
    try:
        swift = sh("swift", "--version", check=False).stdout.splitlines()[0].strip() or swift
    except (OSError, IndexError):
        pass
    fs = "unknown"
    try:
        fs = sh("findmnt", "-no", "FSTYPE,SOURCE", "-T", "/var/tmp", check=False).stdout.strip() or fs
    except OSError:
        pass
    nft = sh("nft", "--version", check=False).stdout.strip()
    ref = sh("dpkg-query", "-W", "-f", "${Version}", "containernetworking-plugins", check=False).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory": mem,
        "kernel": platform.release(),
        "cpu": cpu,
        "swift": swift,
        "os": _os_release(),
        "state filesystem (/var/tmp)": fs,
        "nftables": nft or "unknown",
        "reference plugins": f"containernetworking-plugins {ref}" if ref else "unknown",
        "python": platform.python_version(),
    }


def _os_release():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


def write_section(text, out, begin, end, after=None):
    """Replaces the section between `begin` and `end` in the document `out`; a section not there yet goes after
    the marker `after` when the document has it, else before the findings (Tests/bench/findings.md's first
    line), else at the end."""
    try:
        with open(out) as f:
            doc = f.read()
    except OSError:
        doc = ""
    if begin in doc and end in doc:
        head, rest = doc.split(begin, 1)
        doc = head + text.rstrip("\n") + rest.split(end, 1)[1]
    elif after and after in doc:
        head, rest = doc.split(after, 1)
        doc = head + after + "\n\n" + text.rstrip("\n") + rest
    else:
        findings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
        first = open(findings).readline().strip() if os.path.exists(findings) else ""
        if first and first in doc:
            head, rest = doc.split(first, 1)
            doc = head + text.rstrip("\n") + "\n\n" + first + rest
        else:
            doc = doc.rstrip("\n") + "\n\n" + text
    with open(out, "w") as f:
        f.write(doc if doc.endswith("\n") else doc + "\n")


def stop_tracer(tracer, timeout=10):
    """Stops a tracer we started (strace, perf) by its PID: SIGINT so it writes its log out, then SIGKILL."""
    tracer.send_signal(signal.SIGINT)
    try:
        tracer.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        tracer.kill()
        tracer.wait()


def _interrupted(signum, frame):
    raise KeyboardInterrupt()


def run_alone(tag, measure, publish, out, save):
    """The main of a bench that `make bench` runs and that also runs alone (`--render FILE` writes its section
    again from saved numbers): `measure()` returns the numbers (with "skipped" and "leftover_namespaces"),
    `publish(data, out)` writes its section; the machine's own namespace is compared before and after."""
    try:
        if len(sys.argv) == 3 and sys.argv[1] == "--render":
            with open(sys.argv[2]) as f:
                publish(json.load(f), out)
            return
        signal.signal(signal.SIGTERM, _interrupted)
        before = root_namespace_view()
        data = measure()
        after = root_namespace_view()
        data["root_changed"] = [k for k in before if before[k] != after[k]]
        if save:
            with open(save, "w") as f:
                json.dump(data, f)
        publish(data, out)
        if "skipped" in data:
            sys.exit(f"{tag}: not measured: {data['skipped']}")
        if data["leftover_namespaces"] or data["root_changed"]:
            sys.exit(f"{tag}: cleanup problem: namespaces left {data['leftover_namespaces']}, "
                     f"root namespace changed in {data['root_changed']}")
    except KeyboardInterrupt:
        sys.exit(f"{tag}: interrupted (namespaces removed)")
