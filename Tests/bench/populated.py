"""A node holding N pods, for vnet and for the reference: one ADD, CHECK and DEL of the last pod counted
with `strace -c -f` (the syscalls each verb makes with the node already populated), then three cycles of
the same under GNU time for each verb's peak RSS. On the vnet node, while all N pods are attached, the
console is measured: time to first frame and peak RSS of --once, idle CPU of the interactive one in tmux.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import phases as P
import sides as S
from benchlib import make_node, stop_tracer
from vnettest.netns import sh

STRACE = "/usr/bin/strace"


def strace_summary(path):
    """Parses `strace -c` output into {syscall: calls}."""
    calls = {}
    try:
        text = open(path).read()
    except OSError:
        return calls
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 5 and re.match(r"^[\d.]+$", parts[0]) and parts[-1] != "total":
            try:
                calls[parts[-1]] = int(parts[3])
            except ValueError:
                continue
    return calls


def strace_call(namespaces, node, side_conf, item, verb, prev, out_path):
    """One CNI call of the side's (single) plugin under strace -f -c, from inside the node."""
    plugin = side_conf["conflist"]["plugins"][0]
    binary = _locate(plugin["type"], side_conf["cni_path"])
    conf = dict(plugin, cniVersion=S.VERSION, name=S.NETWORK)
    if prev is not None:
        conf["prevResult"] = prev
    env = {"CNI_COMMAND": verb, "CNI_CONTAINERID": item["id"], "CNI_NETNS": item["netns"], "CNI_IFNAME": "eth0",
           "CNI_ARGS": item["args"], "CNI_PATH": side_conf["cni_path"], "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    call = {"argv": [STRACE, "-f", "-c", "-o", out_path, binary], "env": env, "stdin": json.dumps(conf), "keep_stdout": True}
    rec = P.in_netns(namespaces, node, P.DRIVER, {"kind": "raw", "workers": 1, "calls": [call]})["records"][0]
    if rec["status"] != 0:
        raise P.BenchError(f"{verb} under strace failed: {rec.get('error')}")
    return rec


def _locate(plugin, cni_path):
    for d in cni_path.split(":"):
        if os.access(os.path.join(d, plugin), os.X_OK):
            return os.path.join(d, plugin)
    raise FileNotFoundError(plugin)


def populated(namespaces, root, side, pods, console_bin, console_idle, measure_console, workers=8):
    """Fills a fresh node with len(pods)-1 pods, then strace-counts ADD, CHECK, DEL of the last one (the
    console is measured while all len(pods) are attached); removes everything again."""
    tag = f"pop{side.key}"
    node = make_node(namespaces, tag, primary=S.PRIMARY, gateway=S.GATEWAY)
    data = P.scratch_dir(root, tag)
    conf = {"conflist": side.conflist(data, len(pods)), "cni_path": side.cni_path}
    items = P.pod_items(pods, namespaces)
    rest, last = items[:-1], items[-1]
    out = {"strace": {}, "console": None, "rss": {"ADD": [], "CHECK": [], "DEL": []}}
    try:
        added = P.cni_phase(namespaces, node, conf, rest, "ADD", workers)
        bad = [r for r in added["records"] if r["status"] != 0]
        if bad:
            raise P.BenchError(f"populating {side.key}: {bad[0].get('error')}")
        cached = {r["id"]: r["result"] for r in added["records"]}
        state = os.path.join(data, S.NETWORK, "state.json")
        out["state_bytes"] = os.path.getsize(state) if os.path.exists(state) else None
        have_strace = os.access(STRACE, os.X_OK)
        prev = None
        for verb in ("ADD", "CHECK", "DEL"):
            path = os.path.join(data, f"strace-{verb}.txt")
            if have_strace:
                rec = strace_call(namespaces, node, conf, last, verb, prev, path)
                out["strace"][verb] = strace_summary(path)
            else:
                rec = P.in_netns(namespaces, node, P.DRIVER, {"kind": "cni", "verb": verb, "workers": 1, **conf,
                                                              "pods": [dict(last, cached=prev)]})["records"][0]
                rec["stdout"] = json.dumps(rec.get("result"))
            if verb == "ADD":
                prev = json.loads(rec["stdout"])
                if measure_console:
                    out["console"] = console(namespaces, node, data, console_bin, console_idle)
        for _ in range(3):
            prev = None
            for verb in ("ADD", "CHECK", "DEL"):
                rec = P.in_netns(namespaces, node, P.DRIVER, {"kind": "cni", "verb": verb, "workers": 1, "rss": True, **conf,
                                                              "pods": [dict(last, cached=prev)]})["records"][0]
                if rec["status"] != 0:
                    raise P.BenchError(f"{side.key} {verb} under GNU time failed: {rec.get('error')}")
                out["rss"][verb].append(rec["rss"])
                if verb == "ADD":
                    prev = rec["result"]
        P.cni_phase(namespaces, node, conf, rest, "DEL", workers, cached)
    finally:
        namespaces.delete(node)
        shutil.rmtree(data, ignore_errors=True)
    return out


# --- the console -------------------------------------------------------------------------------------------

def console_help(namespaces, node, console_bin):
    try:
        proc = subprocess.run(["nsenter", f"--net={namespaces.path(node)}", console_bin, "--help"], capture_output=True,
                              text=True, timeout=10, stdin=subprocess.DEVNULL)
        return proc.stdout + proc.stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run: {e}"


def console(namespaces, node, data_dir, console_bin, idle_seconds, runs=15):
    help_text = console_help(namespaces, node, console_bin)
    if "--once" not in help_text:
        # TODO(console): measure once `vnet-console --once --state-dir D` exists; today's main prints
        # no usage naming --once, so time to first frame, its RSS and idle CPU are not measurable yet.
        return {"skipped": "vnet-console has no --once yet (its --help says: "
                           f"{help_text.strip().splitlines()[0][:80] if help_text.strip() else 'nothing'})"}
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    empty = os.path.join(data_dir, "empty-state")
    os.makedirs(empty, mode=0o700, exist_ok=True)
    calls = []
    for _ in range(runs):
        calls.append({"argv": [console_bin, "--once", "--state-dir", data_dir], "env": env, "tag": "once"})
        calls.append({"argv": [console_bin, "--once", "--state-dir", data_dir], "env": env, "tag": "once-rss", "rss": True})
        # Process start and argument parsing, failing fast on a state directory with no network in it.
        calls.append({"argv": [console_bin, "--once", "--state-dir", empty], "env": env, "tag": "help"})
    out = P.in_netns(namespaces, node, P.DRIVER, {"kind": "raw", "workers": 1, "calls": calls})
    once = [r for r in out["records"] if r["tag"] == "once"]
    if any(r["status"] != 0 for r in once):
        bad = next(r for r in once if r["status"] != 0)
        return {"skipped": f"vnet-console --once failed: {bad.get('error', '')[:300]}"}
    result = {"once_walls": [r["wall"] for r in once], "once_rss": [r["rss"] for r in out["records"] if r["tag"] == "once-rss"],
              "help_walls": [r["wall"] for r in out["records"] if r["tag"] == "help"],
              "frame": frame_times(namespaces, node, data_dir, console_bin, env)}
    result["idle"] = idle_cpu(namespaces, node, data_dir, console_bin, idle_seconds, help_text)
    return result


READS = ("recvmsg", "recvfrom", "read", "pread64", "sendmsg", "sendto", "close", "openat")
LINE = re.compile(r"^(?:\d+\s+)?(\d+):(\d+):([\d.]+) (\w+)\((.*)")


def render_gaps(path, first_only, write_fds=("1",)):
    """From an strace -tt log: for each frame, the time from the last syscall that reads node data
    (netlink, nftables, the state file) to the first write to stdout after it. Building and formatting a
    frame makes none of those syscalls, and strace slows only syscalls, so the gap is the frame's cost.
    `write_fds`: where frames go (stdout for --once; the terminal's descriptors for the interactive one)."""
    gaps, last_read = [], None
    for line in open(path):
        m = LINE.match(line)
        if not m:
            continue
        t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        name, args = m.group(4), m.group(5)
        if name in ("write", "writev") and args.split(",", 1)[0] in write_fds:
            if last_read is not None:
                gaps.append(t - last_read)
                if first_only:
                    break
            last_read = None
        elif name in READS and not args.startswith("0,"):
            last_read = t
    return gaps


def frame_times(namespaces, node, data_dir, console_bin, env, runs=5):
    """The overview frame of `--once` (see render_gaps), over a few runs."""
    if not os.access(STRACE, os.X_OK):
        return []
    gaps = []
    for i in range(runs):
        path = os.path.join(data_dir, f"console-strace-{i}.txt")
        call = {"argv": [STRACE, "-f", "-tt", "-o", path, console_bin, "--once", "--state-dir", data_dir], "env": env}
        rec = P.in_netns(namespaces, node, P.DRIVER, {"kind": "raw", "workers": 1, "calls": [call]})["records"][0]
        if rec["status"] == 0:
            gaps += render_gaps(path, first_only=True)
    return gaps


def interactive_frames(pid, socket, data_dir, seconds=6):
    """The Endpoints screen of the running console (key 2), its refreshes traced for a few seconds by
    attaching strace to it: each refresh's frame cost (see render_gaps). strace is ours, stopped by PID."""
    if not os.access(STRACE, os.X_OK):
        return []
    sh("tmux", "-L", socket, "send-keys", "2", check=False)
    time.sleep(1.5)
    path = os.path.join(data_dir, "console-interactive-strace.txt")
    tracer = subprocess.Popen([STRACE, "-tt", "-p", str(pid), "-o", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(seconds)
    finally:
        stop_tracer(tracer)
    return render_gaps(path, first_only=False, write_fds=terminal_fds(pid)) if os.path.exists(path) else []


def terminal_fds(pid):
    fds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(("/dev/pts/", "/dev/tty")):
                fds.append(fd)
        except OSError:
            continue
    return tuple(fds)


def _refresh_flag(help_text):
    for flag in ("--refresh", "--interval", "--delay"):
        if flag in help_text:
            return [flag, "1"]
    return []


def idle_cpu(namespaces, node, data_dir, console_bin, seconds, help_text):
    """The interactive console in a detached tmux session (200x60) on the node with a 1 s refresh: CPU over
    `seconds` of idling on its first screen, then the Endpoints screen's frame cost, and peak RSS (VmHWM).
    The tmux server and the console are ours and stopped by PID."""
    socket = f"{namespaces.prefix}-console"
    flag = _refresh_flag(help_text)
    extra = (["--read-only"] if "--read-only" in help_text else []) + \
        (["--log", os.path.join(data_dir, "console.log")] if "--log" in help_text else [])
    command = " ".join(["exec", "nsenter", f"--net={namespaces.path(node)}", console_bin, "--state-dir", data_dir] + flag + extra)
    sh("tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "60", command)
    server_pid = pane_pid = None
    try:
        ids = sh("tmux", "-L", socket, "display-message", "-p", "#{pid} #{pane_pid}").stdout.split()
        server_pid, pane_pid = int(ids[0]), int(ids[1])
        time.sleep(3)
        if not os.path.exists(f"/proc/{pane_pid}"):
            return {"skipped": "the interactive console exited at once"}
        ticks = os.sysconf("SC_CLK_TCK")

        def cpu():
            fields = open(f"/proc/{pane_pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        c0, t0 = cpu(), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu(), time.monotonic()
        screen = sh("tmux", "-L", socket, "capture-pane", "-p", check=False).stdout
        frames = interactive_frames(pane_pid, socket, data_dir)
        hwm = next((int(l.split()[1]) for l in open(f"/proc/{pane_pid}/status") if l.startswith("VmHWM")), 0)
        return {"cpu_percent": 100.0 * (c1 - c0) / (t1 - t0), "seconds": t1 - t0, "hwm_kb": hwm,
                "refresh": " ".join(flag) or "its default interval", "drew": bool(screen.strip()),
                "endpoint_frames": frames}
    finally:
        for pid in (pane_pid, server_pid):
            if pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
