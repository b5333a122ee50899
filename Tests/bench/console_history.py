#!/usr/bin/python3
"""The console with a full history (issue #19, acceptance 5): frame time at 250 endpoints with the sparklines'
history full stays under 2 ms, idle CPU under 0.5% of a core. Part of `make bench` (bench.py renders its
section; BENCH_CONSOLE_HISTORY=0 leaves it out) and runnable alone:

    VNET_BIN=/work/main/.build/release /usr/bin/python3 Tests/bench/console_history.py [--quick]

One node namespace with N pods (250) attached by the `vnet` plugin from inside the node (populated.py's node,
phases.py's driver), then CHECK of every pod until the node's event log holds the console's 2,000 events. The
interactive `vnet-console --netns NODE --state-dir D --interval 0.2 --read-only` runs in a detached tmux
session of 200x60 on a tmux server of our own while one pod is detached and attached again now and then (so
the ADD and DEL trends have calls in them), until its history is full: one sample per refresh, 900 samples,
180 s at 0.2 s (the fill runs longer, CONSOLE_HISTORY_FILL seconds). Then `+` `+` (0.5 s, then 1 s) and, with
`strace -tt -T -p PID` on the console's main thread for a few seconds each (vnet_scale.frame_gaps: from the end
of the refresh's last node-data syscall to the frame's first write to the terminal): (a) the overview with its
Trends, (b) the endpoint detail of one pod (screen 2, Enter) with its trends, (c) the Events screen (7) with
2,000 events; each traced as it runs and again with the console and strace SCHED_FIFO (nothing preempts a
frame: the verdict), in two rounds. Then (d) the idle CPU over 60 s at 1 s on the overview without strace (every
thread's time on a CPU from /proc/PID/task/*/schedstat: the verdict; utime+stime beside it), and the console's
VmRSS and VmHWM with the full history. For comparison the overview frame is also traced for a few seconds right
after the console starts, with its history nearly empty. Before the traces, with the history full, `perf record
-g` of each screen at 0.2 s tells where a refresh's time goes, by the console's functions.

Everything happens in namespaces with the run's prefix, removed at the end (also after a failure or Ctrl-C);
the machine's own namespace is compared before and after. The tmux server, the console and strace are ours,
stopped by PID.

Environment:
  VNET_BIN                   the release binaries (default .build/release)
  CONSOLE_HISTORY_QUICK=1    quick mode (also --quick, or BENCH_QUICK=1): 15 s of idling instead of 60
  CONSOLE_HISTORY_PODS       pods on the node (default 250)
  CONSOLE_HISTORY_EVENTS     events in the log before the console starts (default 2000)
  CONSOLE_HISTORY_FILL       seconds at --interval 0.2 before measuring (default 240: 900 samples take 180 s)
  CONSOLE_HISTORY_TRACE      seconds of strace per screen (default 12, about 12 frames at 1 s)
  CONSOLE_HISTORY_ROUNDS     rounds of the three screens' traces, a minute or so apart (default 2)
  CONSOLE_HISTORY_IDLE       seconds of idle CPU (default 60; 15 quick)
  CONSOLE_HISTORY_PROFILE=0  leave out the profiles: `perf record -g` of each screen for 20 s at 0.2 s once the history
                             is full (when perf is installed), where a refresh's time goes by the console's functions
  CONSOLE_HISTORY_KEEP       copy the strace logs (and the node's state directory) to this directory
  CONSOLE_HISTORY_OUT        where the section goes (default docs/benchmarks.md, between the markers below; "-": none)
  CONSOLE_HISTORY_SAVE       also write the raw numbers there (JSON); `console_history.py --render FILE` renders them again
  CONSOLE_HISTORY_OTHERS     saved runs (FILE,FILE) summarized in a table of other runs beside this one (and with --render)
"""
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(HERE))  # Tests/: see Tests/vnettest

import benchlib as B  # noqa: E402
from benchlib import fmt_ms, make_node, median, percentile, write_section  # noqa: E402
import phases as P  # noqa: E402
from populated import terminal_fds  # noqa: E402
import sides as S  # noqa: E402
import vnet_blocks as VB  # noqa: E402  (its END marker: this section goes after it)
from vnet_scale import STRACE, comm, cpu_seconds, frame_gaps, loadavg, proc_status, tmux  # noqa: E402
from vnettest.netns import RUN_PREFIX  # noqa: E402

BEGIN = "<!-- console-history:begin (Tests/bench/console_history.py writes between these markers) -->"
END = "<!-- console-history:end -->"
WIDTH, HEIGHT = 200, 60
CAPACITY = 900  # NodeHistory's samples (Sources/VNetConsole/Model/History/NodeHistory.swift)
FRAME_TARGET = 0.002
CPU_TARGET = 0.5
PERF = "/usr/bin/perf"
CHRT = "/usr/bin/chrt"
# Where a refresh's time goes, by the console's own functions (perf's inclusive time).
CONSOLE_FUNCS = ("ConsoleController.refresh", "ConsoleController.render", "NodeInspector.snapshot", "ConsoleData.init",
                 "NodeHistory.record", "OverviewScreen.render", "TrendsSection", "Sparkline", "EventFeed", "TimeSeries",
                 "EndpointDetailScreen.render", "PodTrends", "EventsScreen", "ListScreen", "TableView", "CursesTerminal",
                 "FrameDiff", "LeakDetector", "Rates", "NodeGaugeSection", "EventLog", "NodeEventSource", "Frame.put",
                 "Header", "TabBar", "HintBar", "OverviewSection", "ConsoleApp")


def log(msg):
    print(f"[console-history {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def settings(quick=None, vnet_bin=None):
    if quick is None:
        quick = os.environ.get("CONSOLE_HISTORY_QUICK") == "1" or os.environ.get("BENCH_QUICK") == "1"
    return {
        "quick": quick,
        "pods": int(os.environ.get("CONSOLE_HISTORY_PODS", "250")),
        "events": int(os.environ.get("CONSOLE_HISTORY_EVENTS", "2000")),
        "fill": float(os.environ.get("CONSOLE_HISTORY_FILL", "240")),
        "fill_interval": 0.2,
        "trace": float(os.environ.get("CONSOLE_HISTORY_TRACE", "12")),
        "early_trace": 4.0,
        "rounds": int(os.environ.get("CONSOLE_HISTORY_ROUNDS", "2")),  # of the three screens' traces
        "idle": float(os.environ.get("CONSOLE_HISTORY_IDLE", "15" if quick else "60")),
        "profile": os.environ.get("CONSOLE_HISTORY_PROFILE", "1") != "0",
        "profile_seconds": float(os.environ.get("CONSOLE_HISTORY_PROFILE_SECONDS", "20")),
        "churn": 12,  # DEL + ADD cycles of one pod during the fill
        "keep": os.environ.get("CONSOLE_HISTORY_KEEP"),  # copy the strace logs and the state directory there
        "bin": os.path.abspath(vnet_bin or os.environ.get("VNET_BIN", os.path.join(REPO, ".build", "release"))),
    }


def missing(cfg):
    for binary in ("vnet", "vnet-ipam", "vnet-console"):
        if not os.access(os.path.join(cfg["bin"], binary), os.X_OK):
            return f"{binary} is not built in {cfg['bin']}"
    for tool in (STRACE, "/usr/bin/tmux", "/usr/bin/nsenter"):
        if not os.access(tool, os.X_OK):
            return f"{tool} is not installed"
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    return None


# --- the node ----------------------------------------------------------------------------------------------

def event_lines(data_dir):
    """Lines in the network's event log and the file before it (docs/state.md)."""
    n = 0
    for name in ("events.log.prev", "events.log"):
        try:
            with open(os.path.join(data_dir, S.NETWORK, name), "rb") as f:
                n += sum(1 for _ in f)
        except OSError:
            pass
    return n


def populate(namespaces, node, conf, items, target_events):
    """ADD of every pod (8 in parallel), then CHECK of every pod until the log holds `target_events`
    (the console keeps the newest 2,000). Returns the ADD results by container id."""
    added = P.cni_phase(namespaces, node, conf, items, "ADD", 8)
    bad = [r for r in added["records"] if r["status"] != 0]
    if bad:
        raise P.BenchError(f"ADD of {len(bad)} pods failed: {bad[0].get('error', '')[:300]}")
    cached = {r["id"]: r["result"] for r in added["records"]}
    checks = 0
    while True:
        have = event_lines(conf["data_dir"])
        if have >= target_events:
            break
        batch = items[:max(1, min(len(items), target_events - have))]
        out = P.cni_phase(namespaces, node, conf, batch, "CHECK", 8, cached)
        bad = [r for r in out["records"] if r["status"] != 0]
        if bad:
            raise P.BenchError(f"CHECK failed: {bad[0].get('error', '')[:300]}")
        checks += len(batch)
    return cached, checks


def churn(namespaces, node, conf, item, cached, cycles, seconds, stop):
    """DEL and ADD of one pod, `cycles` times spread over `seconds` (ADD and DEL events for the trends);
    the pod is attached again at the end. Returns the number of cycles done and the failures."""
    done, errors, prev = 0, [], cached[item["id"]]
    pause = seconds / (cycles + 1)
    for _ in range(cycles):
        if stop.wait(pause):
            break
        for verb in ("DEL", "ADD"):
            rec = P.cni_phase(namespaces, node, conf, [item], verb, 1, {item["id"]: prev})["records"][0]
            if rec["status"] != 0:
                errors.append(f"{verb}: {rec.get('error', '')[:200]}")
            elif verb == "ADD":
                prev = rec["result"]
        done += 1
    cached[item["id"]] = prev
    return done, errors


# --- the console -------------------------------------------------------------------------------------------

class Console:
    """vnet-console in a detached tmux session on a tmux server of our own; stop() ends both by PID."""

    def __init__(self, cfg, node_ns, data_dir, log_path):
        self.socket = f"vnet-chist-{os.getpid()}"
        self.session = "console"
        # The console times its own frames into this file (VNET_CONSOLE_FRAME_LOG): the verdict, free of strace.
        self.frame_log = log_path + ".frames"
        command = " ".join(["exec", "env", f"VNET_CONSOLE_FRAME_LOG={self.frame_log}",
                            os.path.join(cfg["bin"], "vnet-console"), "--netns", node_ns, "--state-dir", data_dir,
                            "--interval", str(cfg["fill_interval"]), "--read-only", "--log", log_path])
        tmux(self.socket, "-f", "/dev/null", "new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", str(HEIGHT),
             command, check=True)
        ids = tmux(self.socket, "display-message", "-p", "-t", self.session, "#{pid} #{pane_pid}", check=True).stdout.split()
        self.server_pid, self.pid = int(ids[0]), int(ids[1])

    def alive(self):
        return comm(self.pid) == "vnet-console"

    def keys(self, *keys, pause=0.6):
        for key in keys:
            tmux(self.socket, "send-keys", "-t", self.session, key)
            time.sleep(pause)

    def screen(self):
        return tmux(self.socket, "capture-pane", "-p", "-t", self.session).stdout

    def wait_for(self, text, timeout=15):
        deadline, screen = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.3)
        raise P.BenchError(f"the console did not show {text!r} within {timeout} s; it shows:\n{screen[-1500:]}")

    def main_switches(self):
        return proc_status(f"{self.pid}/task/{self.pid}", "voluntary_ctxt_switches")

    def main_task(self):
        return f"{self.pid}/task/{self.pid}"

    def trace(self, path, seconds, realtime=False):
        """strace -tt -T on the main thread for `seconds`; frame_gaps of the log, the CPU meanwhile and the main
        thread's involuntary context switches (the machine's other work taking the core, mid-frame or not).
        `realtime`: the console and strace run SCHED_FIFO meanwhile, so other work cannot preempt a frame."""
        if realtime:
            subprocess.run([CHRT, "-f", "-p", "10", str(self.pid)], check=True, capture_output=True)
        load0, c0, t0 = loadavg(), cpu_seconds(self.pid), time.monotonic()
        n0 = proc_status(self.main_task(), "nonvoluntary_ctxt_switches")
        tracer = subprocess.Popen(([CHRT, "-f", "10"] if realtime else []) + [STRACE, "-tt", "-T", "-p", str(self.pid), "-o", path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(seconds)
        finally:
            B.stop_tracer(tracer)
            if realtime:
                subprocess.run([CHRT, "-o", "-p", "0", str(self.pid)], check=False, capture_output=True)
        c1, t1 = cpu_seconds(self.pid), time.monotonic()
        preempted = proc_status(self.main_task(), "nonvoluntary_ctxt_switches") - n0
        gaps = frame_gaps(path, write_fds=terminal_fds(self.pid)) if os.path.exists(path) else []
        return {"frames": [g["frame"] for g in gaps], "refreshes": [g["refresh"] for g in gaps if g["refresh"] is not None],
                "computes": [g["compute"] for g in gaps],
                "seconds": t1 - t0, "cpu_percent": 100 * (c1 - c0) / (t1 - t0), "load": [load0, loadavg()],
                "preempted": preempted, "realtime": realtime}

    def stop(self):
        tmux(self.socket, "kill-server")
        for pid in (self.pid, self.server_pid):
            if pid and comm(pid) in ("vnet-console", "tmux: server", "tmux"):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        try:  # the server's socket, named after this run
            os.unlink(os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"), f"tmux-{os.getuid()}", self.socket))
        except OSError:
            pass


def run_ns(pid):
    """Nanoseconds on a CPU of every thread of `pid` (schedstat: finer than stat's clock ticks)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def runtime_linking(pid):
    """"shared" when the console maps the Swift runtime from libswiftCore.so (a plain `swift build`), "static"
    when it is linked in (`make build`): the shared libraries' pages count in its RSS."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "shared" if "libswiftCore.so" in f.read() else "static"
    except OSError:
        return "unknown"


def idle(console, seconds):
    """utime+stime of every thread of the console over `seconds` (nothing attached), % of one core; the
    threads' time on a CPU from schedstat beside it."""
    load0, c0, r0, t0 = loadavg(), cpu_seconds(console.pid), run_ns(console.pid), time.monotonic()
    s0 = console.main_switches()
    time.sleep(seconds)
    c1, r1, t1 = cpu_seconds(console.pid), run_ns(console.pid), time.monotonic()
    return {"seconds": t1 - t0, "cpu_percent": 100 * (c1 - c0) / (t1 - t0), "sched_percent": 100 * (r1 - r0) / 1e9 / (t1 - t0),
            "wakeups": console.main_switches() - s0, "load": [load0, loadavg()],
            "threads": len(os.listdir(f"/proc/{console.pid}/task"))}


def demangle(names):
    """Swift symbols as swift-demangle --simplified writes them (unchanged when it is not installed)."""
    tool = shutil.which("swift-demangle") or "/opt/swift/usr/bin/swift-demangle"
    if not os.access(tool, os.X_OK):
        return names
    out = subprocess.run([tool, "--simplified", "--compact"], input="\n".join(names), capture_output=True, text=True, timeout=60)
    lines = out.stdout.splitlines()
    return lines if out.returncode == 0 and len(lines) == len(names) else names


def perf_table(path, children, limit):
    """(percent, symbol) rows of `perf report`: self time, or with `children` the time in a function and all
    it called (frame pointers: Swift keeps them), down to `limit` percent."""
    rep = subprocess.run([PERF, "report", "-i", path, "--children" if children else "--no-children", "--stdio", "--sort",
                          "symbol", "-g", "none", "--percent-limit", str(limit)], capture_output=True, text=True, timeout=300)
    rows, samples = [], "?"
    for line in rep.stdout.splitlines():
        if line.startswith("# Samples:"):
            samples = line.split(":", 1)[1].split(" of ")[0].strip()
        parts = line.replace(" - - ", " ").rstrip(" -").split()
        if len(parts) < 3 or line.startswith("#") or not parts[0].endswith("%"):
            continue
        # children: "Children Self [.] symbol"; self: "Self [.] symbol"
        rest = parts[2:] if children else parts[1:]
        if rest and rest[0] in ("[.]", "[k]"):
            rows.append((float(parts[0].rstrip("%")), rest[0] == "[k]", " ".join(rest[1:])))
    names = demangle([r[2] for r in rows])
    return [(pct, ("[kernel] " if kernel else "") + name) for (pct, kernel, _), name in zip(rows, names)], samples


def profile(console, data_dir, key, seconds):
    """perf record -g of the console (refreshing every 0.2 s on screen `key`, its history full) for `seconds`:
    its samples, self time by symbol, and the console's own functions with the time spent in them and
    everything they called."""
    path = os.path.join(data_dir, f"console-{key}.perf")
    rec = subprocess.run([PERF, "record", "-q", "-F", "4999", "-g", "-o", path, "-p", str(console.pid), "--", "sleep", str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 120)
    if rec.returncode != 0 or not os.path.exists(path):
        return {"skipped": f"perf record failed: {rec.stderr[-300:]}"}
    inclusive, samples = perf_table(path, True, 0.5)
    own = [r for r in inclusive if any(f in r[1] for f in CONSOLE_FUNCS)]
    return {"seconds": seconds, "samples": samples, "self": perf_table(path, False, 1.0)[0][:18], "children": own[:30]}


SHOW = {"overview": (("1",), "Trends"), "detail": (("2", "Enter"), "Endpoint "), "events": (("7",), "events kept")}


def show(console, key):
    """Opens a screen from wherever the console is (Esc closes a detail page first); returns what it shows."""
    keys, text = SHOW[key]
    console.keys("Escape", *keys)
    return console.wait_for(text)


SCREEN_NUMBERS = {"overview": 1, "detail": 2, "events": 7}


def own_frames(console, key, seconds, realtime=False):
    """The frames after a refresh that the console timed itself (VNET_CONSOLE_FRAME_LOG) over `seconds` with
    nothing attached: the refresh's work on what it read, layout, drawing and the terminal's update, in seconds.
    `realtime`: the console runs SCHED_FIFO meanwhile, so the machine's other work cannot preempt a frame."""
    if realtime:
        subprocess.run([CHRT, "-f", "-p", "10", str(console.pid)], check=True, capture_output=True)
    n0 = proc_status(console.main_task(), "nonvoluntary_ctxt_switches")
    start = time.time()
    try:
        time.sleep(seconds)
    finally:
        end = time.time()
        if realtime:
            subprocess.run([CHRT, "-o", "-p", "0", str(console.pid)], check=False, capture_output=True)
    preempted = proc_status(console.main_task(), "nonvoluntary_ctxt_switches") - n0
    frames = []
    try:
        with open(console.frame_log) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 4 and start <= float(parts[0]) <= end and int(parts[1]) == SCREEN_NUMBERS[key] and parts[2] == "1":
                    frames.append(float(parts[3]) / 1000)
    except OSError:
        pass
    return {"frames": frames, "computes": [], "refreshes": [], "preempted": preempted}


def both(console, key, state, cfg, n):
    """The screen timed by the console itself with nothing attached (the verdict), then traced as it runs, then
    again with the console (and strace) SCHED_FIFO: other work on the machine cannot take the core in the middle
    of a frame then; strace's stops at ncurses' syscalls stay in both traced frames."""
    return {"own": own_frames(console, key, cfg["trace"]), "own_rt": own_frames(console, key, cfg["trace"], realtime=True),
            "normal": console.trace(os.path.join(state, f"strace-{key}-{n}.txt"), cfg["trace"]),
            "rt": console.trace(os.path.join(state, f"strace-{key}-{n}-rt.txt"), cfg["trace"], realtime=True)}


def pooled(data, key, mode):
    """Every round's traces of one screen in one scheduling mode, together (a run saved before there were
    rounds kept one trace of each under `key` and `key_rt`)."""
    rounds = data.get("rounds") or [{k: {"normal": data[k], "rt": data[k + "_rt"]} for k, _ in SCREENS if k in data}]
    runs = [r[key][mode] for r in rounds if key in r and mode in r[key]]
    return {"frames": [x for m in runs for x in m["frames"]], "computes": [x for m in runs for x in m.get("computes", [])],
            "refreshes": [x for m in runs for x in m["refreshes"]], "preempted": sum(m.get("preempted", 0) for m in runs)}


def measure(cfg):
    """The node, the console, the four measurements; returns the numbers (or {"skipped": why}). Namespaces,
    the tmux server and the console are removed again, also after a failure."""
    why = missing(cfg)
    if why:
        return {"skipped": why, "cfg": cfg}
    started = time.monotonic()
    namespaces = B.Namespaces(f"{RUN_PREFIX}ch")
    root = tempfile.mkdtemp(prefix="vnet-console-history-", dir="/var/tmp")
    os.chmod(root, 0o700)
    data = {"cfg": cfg, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_start": loadavg()}
    console = stop = churner = None
    try:
        log(f"a node with {cfg['pods']} pods (namespaces {namespaces.prefix}-*) ...")
        pods = namespaces.make_many("p", cfg["pods"])
        node = make_node(namespaces, "node", primary=S.PRIMARY, gateway=S.GATEWAY)
        state = P.scratch_dir(root, "node")
        side = next(s for s in S.sides(cfg["bin"]) if s.key == "vnet")
        conf = {"conflist": side.conflist(state, cfg["pods"]), "cni_path": side.cni_path, "data_dir": state}
        items = P.pod_items(pods, namespaces)
        cached, data["checks"] = populate(namespaces, node, conf, items, cfg["events"])
        data["events_in_log"] = event_lines(state)
        log(f"{cfg['pods']} pods attached, {data['checks']} CHECKs, {data['events_in_log']} lines in the event log; "
            f"the console at {WIDTH}x{HEIGHT}, --interval {cfg['fill_interval']} ...")
        console = Console(cfg, node, state, os.path.join(state, "console.log"))
        time.sleep(2)
        if not console.alive():
            raise P.BenchError(f"the console did not start (pane runs {comm(console.pid)!r}): {console.screen()[-600:]}")
        console.wait_for("Trends")
        data["early"] = console.trace(os.path.join(state, "strace-early.txt"), cfg["early_trace"])
        data["early_rt"] = console.trace(os.path.join(state, "strace-early-rt.txt"), cfg["early_trace"], realtime=True)
        log(f"filling the history: {cfg['fill']:.0f} s at {cfg['fill_interval']} s (900 samples take "
            f"{CAPACITY * cfg['fill_interval']:.0f} s), {cfg['churn']} DEL+ADD cycles of one pod meanwhile ...")
        fill_start, switches0 = time.monotonic(), console.main_switches()
        stop, churned = threading.Event(), {}
        churner = threading.Thread(target=lambda: churned.update(zip(("cycles", "errors"), churn(
            namespaces, node, conf, items[-1], cached, cfg["churn"], cfg["fill"] * 0.8, stop))))
        churner.start()
        time.sleep(max(0.0, cfg["fill"] - (time.monotonic() - fill_start)))
        churner.join()
        data["fill"] = {"seconds": time.monotonic() - fill_start, "wakeups": console.main_switches() - switches0,
                        "churn": churned, "load": loadavg()}
        if cfg["profile"] and os.access(PERF, os.X_OK):
            data["profiles"] = {}
            for key, _ in SCREENS:
                log(f"perf record of the {key} at 0.2 s ...")
                show(console, key)
                data["profiles"][key] = profile(console, state, key, cfg["profile_seconds"])
        console.keys("+", "+")
        data["interval_screen"] = console.wait_for("refresh 1s").splitlines()[1].strip()
        time.sleep(2.5)  # refreshes at 1 s
        data["rounds"] = []
        for n in range(cfg["rounds"]):
            data["rounds"].append({})
            for key, name in SCREENS:
                log(f"round {n + 1}/{cfg['rounds']}: {name}: strace on the main thread ...")
                data.setdefault(key + "_screen", show(console, key))
                show(console, key)
                time.sleep(1.5)
                data["rounds"][-1][key] = both(console, key, state, cfg, n)
        log(f"idle CPU over {cfg['idle']:.0f} s on the overview at 1 s ...")
        show(console, "overview")
        time.sleep(2.5)
        data["idle"] = idle(console, cfg["idle"])
        data["rss_kb"] = proc_status(console.pid, "VmRSS")
        data["hwm_kb"] = proc_status(console.pid, "VmHWM")
        data["rss_anon_kb"] = proc_status(console.pid, "RssAnon")
        data["rss_file_kb"] = proc_status(console.pid, "RssFile")
        data["swift_runtime"] = runtime_linking(console.pid)
        data["final_screen"] = console.screen()
        if not console.alive():
            raise P.BenchError("the console exited during the measurement")
    except P.BenchError as e:
        data["skipped"] = f"the run failed: {e}"
    finally:
        if cfg["keep"] and os.path.isdir(root):
            shutil.copytree(root, cfg["keep"], dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.perf"))
        if stop is not None:
            stop.set()
        if churner is not None:
            churner.join()
        if console is not None:
            console.stop()
        namespaces.cleanup()
        shutil.rmtree(root, ignore_errors=True)
    data["leftover_namespaces"] = namespaces.ours()
    data["load_end"] = loadavg()
    data["elapsed"] = time.monotonic() - started
    return data


# --- the report --------------------------------------------------------------------------------------------

def verdict(ok, text):
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def p50_max(values):
    return f"{fmt_ms(median(values))} / {fmt_ms(max(values))}" if values else "n/a"


SCREENS = (("overview", "overview (screen 1) with Trends"), ("detail", "endpoint detail (screen 2, Enter) with the pod's trends"),
           ("events", "Events (screen 7)"))


def samples_at_least(data):
    """A lower bound on the samples taken in the fill: one refresh per interval, or per refresh when slower."""
    slowest = max([r for k, _ in SCREENS for r in pooled(data, k, "normal")["refreshes"]] or [0])
    return int(data["fill"]["seconds"] / max(data["cfg"]["fill_interval"], slowest))


def targets(data):
    """Each screen's frame when nothing preempts it (SCHED_FIFO), p50 and max under 2 ms, with the frames as they
    ran beside it; the idle CPU under 0.5%."""
    if "skipped" in data:
        return [f"SKIP  console with a full history: {data['skipped']}"]
    cfg, out = data["cfg"], []
    samples = samples_at_least(data)
    history = "full history" if samples >= CAPACITY else f"history NOT full (at least {samples} of {CAPACITY} samples)"
    for key, name in SCREENS:
        own, own_rt = pooled(data, key, "own"), pooled(data, key, "own_rt")
        m, rt = pooled(data, key, "normal"), pooled(data, key, "rt")
        if own_rt["frames"]:
            worst = max(own_rt["frames"])
            out.append(verdict(worst < FRAME_TARGET, f"{name} frame after a refresh, {cfg['pods']} endpoints, {history}, "
                                                     f"timed by the console, nothing attached, not preempted (SCHED_FIFO): "
                                                     f"p50 / max {p50_max(own_rt['frames'])} ms of {len(own_rt['frames'])} (target < 2 ms)"))
            out.append(f"INFO    ... the same as it ran beside the machine's other work: p50 / max {p50_max(own['frames'])} ms "
                       f"of {len(own['frames'])} (main thread preempted {own['preempted']} times)")
        worst = max(rt["frames"] + [median(rt["frames"]) if rt["frames"] else float("inf")])
        out.append((verdict(worst < FRAME_TARGET, "") if not own["frames"] else "INFO ") +
                   f" {'  ... ' if own['frames'] else ''}{name} frame under strace, not preempted (SCHED_FIFO): "
                   f"p50 / max {p50_max(rt['frames'])} ms of {len(rt['frames'])}; its computation alone p50 / max "
                   f"{p50_max(rt['computes'])} ms")
        out.append(f"INFO    ... as it ran beside the machine's other work: p50 / max {p50_max(m['frames'])} ms "
                   f"of {len(m['frames'])} (main thread preempted {m['preempted']} times while traced); its computation alone "
                   f"p50 / max {p50_max(m['computes'])} ms")
    i = data["idle"]
    # schedstat counts nanoseconds; stat's utime+stime counts clock ticks (0.01 s: 1/60 of the target over 60 s).
    cpu = i.get("sched_percent", i["cpu_percent"])
    out.append(verdict(cpu < CPU_TARGET, f"idle CPU with a full history at --interval 1: {cpu:.3f}% of one core over "
                                         f"{i['seconds']:.0f} s (schedstat; utime+stime {i['cpu_percent']:.2f}%; target < 0.5%)"))
    out.append(f"INFO  console RSS with a full history: {data['rss_kb'] / 1024:.1f} MB (VmHWM {data['hwm_kb'] / 1024:.1f} MB)"
               + (f"; anonymous {data['rss_anon_kb'] / 1024:.1f} MB, file-backed {data['rss_file_kb'] / 1024:.1f} MB "
                  f"(Swift runtime {data['swift_runtime']})" if data.get("rss_anon_kb") is not None else ""))
    return out


def section(data):
    """The "Console with a full history" section of docs/benchmarks.md, between its markers."""
    lines = [BEGIN, "## Console with a full history (issue #19)", ""]
    if data is None:
        return lines + ["not measured in this run (`BENCH_CONSOLE_HISTORY=0`); `Tests/bench/console_history.py` runs it alone.",
                        "", END]
    if "skipped" in data and not data.get("rounds"):
        return lines + [f"**not measured**: {data['skipped']}", "", END]
    cfg = data["cfg"]
    lines += [f"Run: {data['date']}{' (quick mode)' if cfg['quick'] else ''}, binaries from `{cfg['bin']}`, "
              f"{data['elapsed'] / 60:.1f} minutes in all "
              "(`Tests/bench/console_history.py`, also alone; `make bench` runs it, `BENCH_CONSOLE_HISTORY=0` leaves it "
              f"out). The machine's load average was {data['load_start']} at the start and {data['load_end']} at the end: "
              "other work shared its 2 cores.", "", "### Targets (issue #19, acceptance 5)", "", "```"]
    lines += targets(data) + ["```", ""]
    if "skipped" in data:
        lines += [f"**The run stopped early**: {data['skipped']}", ""]
    fill = data["fill"]
    lines += ["### Method", "",
              f"One node namespace with {cfg['pods']} pods attached by `vnet` (with vnet-ipam in-process), from inside the "
              f"node as a runtime calls it; then CHECK of every pod until the node's event log held {cfg['events']:,} "
              f"events ({data['checks']:,} CHECKs; {data['events_in_log']:,} lines in `events.log` and `events.log.prev`). "
              f"`vnet-console --netns NODE --state-dir D --interval {cfg['fill_interval']} --read-only` in a detached tmux "
              f"session of {WIDTH}x{HEIGHT} ran {fill['seconds']:.0f} s so (its main thread woke {fill['wakeups']:,} times: "
              f"at least {samples_at_least(data):,} refreshes, one sample each, for a history of {CAPACITY}), while one pod "
              f"was detached and attached again {fill['churn'].get('cycles', 0)} times so the ADD and DEL trends have calls in them"
              + (f" ({len(fill['churn']['errors'])} failed: {fill['churn']['errors'][0]})" if fill["churn"].get("errors") else "")
              + ". Then `+` twice (1 s refresh) and, on each screen below, `strace -tt -T -p PID` on the console's main "
              f"thread only for {cfg['trace']:.0f} s. **Frame**: from the end of the refresh's last node-data syscall "
              "(the event log's new lines, the state file, netlink, nftables) to the start of the frame's first write to "
              "the terminal: building the refresh's data and rates, recording the history sample (every pod), computing "
              "the screen's series from the history and the events, laying out and drawing the frame, and ncurses' diff "
              "(as the VNet screen's frame above; strace slows only the syscalls outside it, and ncurses' few inside). "
              "**Refresh**: from the poll that woke the loop to the same write, the node's snapshot under strace "
              "included. **The verdict** comes first, before any tracer is attached: for the same number of seconds the "
              "console times its own frames (`VNET_CONSOLE_FRAME_LOG`, a monotonic clock in the run loop), first as it "
              "runs, then SCHED_FIFO (the verdict, so that the machine's other work cannot stretch a frame): after each "
              "refresh, its work on what it read (rates, the history sample, the events) plus layout, drawing and the "
              "terminal's update; the reads themselves are not in it. Under strace each of ncurses' syscalls waits "
              "for the tracer, which the traced frames below keep as a cross-check. Each screen is then traced twice: as it runs (other work on the 2 cores can take the core in the "
              "middle of a frame: the main thread's involuntary context switches meanwhile are counted), then with the "
              "console and strace SCHED_FIFO (`chrt -f 10`, undone after), so that nothing preempts a frame and its "
              f"time is its own work. **Idle CPU**: the CPU time of every thread of the console over "
              f"{data['idle']['seconds']:.0f} s on the overview at 1 s, nothing attached, normal scheduling: "
              "/proc/PID/task/*/schedstat (nanoseconds; the verdict) and utime+stime from /proc/PID/stat (clock ticks of "
              "10 ms, 1/60 of the target over 60 s) beside it. The first row is the overview traced "
              f"{cfg['early_trace']:.0f} s after the start at {cfg['fill_interval']} s, its history nearly empty, for "
              "comparison.", "",
              f"| screen ({WIDTH}x{HEIGHT}, {cfg['pods']} endpoints) | history | scheduling | frames | frame p50 / max (ms) | "
              "frame p90 (ms) | computation p50 / max (ms) | refresh p50 / max (ms) | main thread preempted | "
              "CPU while traced (% of a core) | load average |",
              "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def row(name, history, m):
        return (f"| {name} | {history} | {'SCHED_FIFO' if m.get('realtime') else 'normal'} | {len(m['frames'])} | "
                f"{p50_max(m['frames'])} | {fmt_ms(percentile(m['frames'], 90)) if m['frames'] else 'n/a'} | "
                f"{p50_max(m['computes'])} | {p50_max(m['refreshes'])} | {m.get('preempted', '-')} | {m['cpu_percent']:.1f} | "
                f"{m['load'][0]} / {m['load'][1]} |")
    for k in ("early", "early_rt"):
        if data.get(k):
            lines.append(row(f"overview, --interval {cfg['fill_interval']}", "nearly empty", data[k]))
    for n, r in enumerate(data.get("rounds", [])):
        for key, name in SCREENS:
            for mode in ("normal", "rt"):
                if key in r:
                    lines.append(row(f"{name}, round {n + 1}", f"full ({CAPACITY})", r[key][mode]))
    disturbed = [f"{name.split(' (')[0]}, round {n + 1} ({r[key]['normal']['preempted']} preemptions)"
                 for n, r in enumerate(data.get("rounds", [])) for key, name in SCREENS
                 if key in r and r[key]["normal"]["preempted"] > 2 * len(r[key]["normal"]["frames"])]
    lines += ["", "As it ran, a frame's time is its own work plus any time the machine's other work held the core, and, "
              "under strace, each of ncurses' few syscalls at the start of the output waits for strace to be scheduled: "
              "that is most of the difference between the frame and its computation in the normal rows. "
              + (f"Disturbed (the main thread preempted more than twice a frame): {'; '.join(disturbed)}. " if disturbed else "")
              + "Each SCHED_FIFO row repeats the row above it right after, with nothing able to preempt the frame; the "
              "verdicts are taken on those rows, all rounds together."]
    i = data["idle"]
    lines += ["",
              "| with the full history, 1 s refresh, overview | value |", "|---|---:|",
              f"| idle CPU, all threads, over {i['seconds']:.0f} s, schedstat (% of one core; the verdict) | {i['sched_percent']:.3f} |",
              f"| the same from utime+stime (clock ticks) | {i['cpu_percent']:.2f} |",
              f"| main thread's wake-ups (voluntary context switches) | {i['wakeups']} |",
              f"| threads | {i['threads']} |",
              f"| load average, start / end | {i['load'][0]} / {i['load'][1]} |",
              f"| VmRSS (KiB) | {data['rss_kb']} |",
              f"| VmHWM (KiB) | {data['hwm_kb']} |"]
    if data.get("rss_anon_kb") is not None:
        lines += [f"| of VmRSS: anonymous (heap: the history, the events, the frames) (KiB) | {data['rss_anon_kb']} |",
                  f"| of VmRSS: file-backed (the binary's and shared libraries' pages) (KiB) | {data['rss_file_kb']} |",
                  f"| the Swift runtime | {data['swift_runtime']} ({'libswiftCore.so and Foundation mapped: a plain `swift build`' if data['swift_runtime'] == 'shared' else 'linked in, as `make build` does'}) |"]
    lines += [""]
    lines += others_lines(data)
    lines += profile_lines(data.get("profiles"), data.get("idle"))
    lines += ["The screens as tmux showed them (first lines):", "", "```"]
    lines += [l.rstrip() for l in data["overview_screen"].splitlines()[:HEIGHT] if l.strip()][:40] + ["```", "", END]
    return lines


# The parts of a refresh, by the function whose inclusive time is theirs (perf), in the order they run.
PARTS = (("the node's snapshot (state file, netlink, nftables, namespace checks)", "NodeInspector.snapshot("),
         ("... of it the leak detector", "LeakDetector.find("),
         ("the event log's new lines", "NodeEventSource.read("),
         ("frame: the refresh's data and rates (ConsoleData)", "ConsoleData.init("),
         ("frame: recording the history sample (NodeHistory.record)", "NodeHistory.record("),
         ("frame: laying out and drawing the screen (render)", "ConsoleController.render("),
         ("... of it the Trends: series from the history and the events, sparklines", ("TrendsSection.init(", "TrendsSection.draw(")),
         ("... of it the CNI line (EventFeed.activity)", "EventFeed.activity("),
         ("... of it the pod's trends (PodTrends)", ("PodTrends.init(", "PodTrends.draw(")),
         ("... of it the Events rows: a reversed copy of all 2,000 entries, then filter and sort (ListScreen.prepared)",
          "ListScreen.prepared("),
         ("frame: ncurses' diff and output (CursesTerminal.draw)", "CursesTerminal.draw("))


def part_share(profile, names):
    names = names if isinstance(names, tuple) else (names,)
    total = 0.0
    for name in names:
        for pct, sym in profile.get("children", []):
            if sym.replace("specialized ", "").replace("static ", "").startswith(name):
                total += pct
                break
    return total


def profile_lines(profiles, idle=None):
    if not profiles:
        return []
    per_refresh = idle.get("sched_percent", idle["cpu_percent"]) * 10 if idle else None  # ms of CPU per refresh at 1 s (one a second)
    shown = [(key, name) for key, name in SCREENS if profiles.get(key) and "skipped" not in profiles[key]]
    table = []
    if shown:
        table = ["Where a refresh's time goes, by part: the share of the console's samples (inclusive), and what that is "
                 "in milliseconds of a refresh "
                 + (f"(the share of the {per_refresh:.1f} ms of CPU a refresh costs, from the idle CPU above)" if per_refresh else "")
                 + ". A part below 0.5% of the samples shows as 0.", "",
                 "| part | " + " | ".join(name.split(" (")[0] for _, name in shown) + " |",
                 "|---|" + "---:|" * len(shown)]
        for label, names in PARTS:
            cells = []
            for key, _ in shown:
                pct = part_share(profiles[key], names)
                cells.append(f"{pct:.1f}%" + (f" ~{pct * per_refresh / 100:.2f} ms" if per_refresh and pct else ""))
            if any(c != "0.0%" for c in cells):
                table.append(f"| {label} | " + " | ".join(cells) + " |")
        table.append("")
        if per_refresh and "overview" in profiles and "skipped" not in profiles["overview"]:
            o = profiles["overview"]
            frame = sum(part_share(o, n) for n in ("ConsoleData.init(", "NodeHistory.record(", "ConsoleController.render(",
                                                   "CursesTerminal.draw("))
            history = sum(part_share(o, n) for n in ("NodeHistory.record(", "TrendsSection.init(", "TrendsSection.draw("))
            table += [f"On the overview the frame's parts come to ~{frame * per_refresh / 100:.2f} ms, of which the history's "
                      f"own (recording the sample for the node and every pod, and the Trends) ~{history * per_refresh / 100:.2f} ms; "
                      "recording a sample costs the same whether the history is empty or full, and the Trends read at most "
                      "900 samples a series, so the frame does not grow as the history fills (the first rows of the table "
                      "above, history nearly empty, against the full ones). The rest of a refresh, the node's snapshot, "
                      "is outside the frame but in the idle CPU.", ""]
    lines = ["### Where a refresh's time goes (perf)", "",
             f"`perf record -F 4999 -g -p PID` of the console for {next(iter(profiles.values())).get('seconds', 20):.0f} s on each screen, its history full, refreshing every "
             "0.2 s (the same work as at 1 s, five times as often, for more samples). Inclusive time (a function and all "
             "it called; Swift keeps frame pointers) of the console's own functions, as a share of all the console's "
             "samples: the refresh's node snapshot (state file, netlink, nftables) and the frame together. Then the "
             "hottest symbols by self time.", ""] + table
    for key, name in SCREENS:
        p = profiles.get(key)
        if not p:
            continue
        if "skipped" in p:
            lines += [f"{name}: {p['skipped']}", ""]
            continue
        lines += [f"**{name}** ({p['samples']} samples)", "", "| inclusive % | function |", "|---:|---|"]
        lines += [f"| {pct:.1f} | `{sym[:160]}` |" for pct, sym in p["children"]]
        lines += ["", "| self % | symbol |", "|---:|---|"]
        lines += [f"| {pct:.1f} | `{sym[:160]}` |" for pct, sym in p["self"]] + [""]
    return lines


def publish(data, out):
    if sys.argv[1:2] == ["--render"]:
        with_others(data)
    text = "\n".join(section(data)) + "\n"
    print(text)
    if out != "-":
        write_section(text, out, BEGIN, END, after=VB.END)
        log(f"written to {out}")


def summary(data):
    """One line of the table of other runs: the frames when not preempted, pooled, and the idle CPU."""
    out = {"date": data["date"], "load": [data["load_start"], data["load_end"]],
           "idle": data["idle"].get("sched_percent", data["idle"]["cpu_percent"]),
           "rss_kb": data["rss_kb"]}
    for key, _ in SCREENS:
        rt = pooled(data, key, "rt")
        out[key] = [median(rt["frames"]), max(rt["frames"]), len(rt["frames"])] if rt["frames"] else None
    return out


def with_others(data):
    """Adds the summaries of other runs saved with CONSOLE_HISTORY_SAVE (CONSOLE_HISTORY_OTHERS, comma-separated)."""
    for path in filter(None, os.environ.get("CONSOLE_HISTORY_OTHERS", "").split(",")):
        with open(path) as f:
            other = json.load(f)
        if "skipped" not in other:
            data.setdefault("other_runs", []).append(summary(other))
    return data


def others_lines(data):
    runs = data.get("other_runs") or []
    if not runs:
        return []
    lines = ["Other runs of this bench on the same binaries (the frames not preempted, SCHED_FIFO, p50 / max of all "
             "their traces; the machine's load average at start and end): the frames move with the machine's load by "
             "a few tenths of a millisecond from run to run.", "",
             "| run | load average | " + " | ".join(name.split(" (")[0] for _, name in SCREENS) + " | idle CPU (schedstat, %) | VmRSS (KiB) |",
             "|---|---:|" + "---:|" * len(SCREENS) + "---:|---:|"]
    for r in runs + [summary(data)]:
        cells = [f"{fmt_ms(r[k][0])} / {fmt_ms(r[k][1])} of {r[k][2]}" if r.get(k) else "n/a" for k, _ in SCREENS]
        lines.append(f"| {r['date']} | {r['load'][0]} / {r['load'][1]} | " + " | ".join(cells)
                     + f" | {r['idle']:.3f} | {r['rss_kb']} |")
    lines[-1] = lines[-1].replace(" |", " (this run, above) |", 1)
    return lines + [""]


def main():
    cfg = settings(quick=True if "--quick" in sys.argv[1:] else None)

    def run():
        log(f"binaries from {cfg['bin']}")
        return with_others(measure(cfg))
    B.run_alone("console-history", run, publish,
                os.environ.get("CONSOLE_HISTORY_OUT", os.path.join(REPO, "docs", "benchmarks.md")),
                os.environ.get("CONSOLE_HISTORY_SAVE"))


if __name__ == "__main__":
    main()
