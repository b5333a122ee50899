"""The runtime side of a benchmark run, started by bench.py inside a node namespace (`nsenter --net=NODE`),
so every plugin is exec'd directly from the node's namespace, as containerd or CRI-O would, with no nsenter
per call.

Reads one job (JSON) on stdin and prints one JSON document:

  {"kind": "cni", "verb": "ADD"|"CHECK"|"DEL", "conflist": {...}, "cni_path": "...", "workers": 8,
   "pods": [{"id": "c000", "netns": "/var/run/netns/...", "args": "...", "cached": <result or null>,
             "runtimeConfig": {"portMappings": [...]} (optional)}]}
      drives the conflist like libcni: ADD runs the plugins in order, each with the previous result; CHECK
      and DEL give each plugin the cached ADD result; DEL runs the plugins in reverse.
  {"kind": "raw", "workers": 1, "calls": [{"argv": [...], "env": {...}, "stdin": "...", "keep_stdout": false}]}
      runs each call as is (process start, IPAM, profiling).
  {"kind": "serve", "conflist": {...}, "cni_path": "..."} followed by one {"verb": ..., "pod": {...}} per line
      answers each call with its record on a line of its own (the paired probes of probes.py).

Each call's record: wall seconds (spawn to reap), exit status, for a failure the plugin's output, and with
"rss": true (job-wide for cni, per call for raw) the peak RSS in KiB measured by GNU time. The phase's own wall time is measured around all calls.
"""
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest
from benchlib import spawn  # noqa: E402

BASE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
GNU_TIME = "/usr/bin/time"
RSS_MARK = "@@vnet-bench-maxrss "


def run(argv, env, stdin, rss=False):
    """spawn(), or with rss=True under GNU time, whose %M is the plugin's peak RSS (and its waited-for
    children's). wait4's own ru_maxrss is useless here: Linux folds the pre-exec image of the spawning
    process (this Python, ~17 MB) into the child's maximum; GNU time's pre-exec image is ~1 MB."""
    if not rss:
        out = spawn(argv, env, stdin)
        return out, None
    out = spawn([GNU_TIME, "-f", RSS_MARK + "%M"] + argv, env, stdin)
    peak = None
    lines = out.stderr.decode(errors="replace").splitlines()
    for line in lines:
        if line.startswith(RSS_MARK):
            peak = int(line[len(RSS_MARK):])
    out.stderr = "\n".join(l for l in lines if not l.startswith(RSS_MARK)).encode()
    return out, peak


def locate(plugin, cni_path):
    for d in cni_path.split(":"):
        candidate = os.path.join(d, plugin)
        if os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(f"plugin {plugin} not found in {cni_path}")


def cni_calls(job):
    conflist, verb, cni_path = job["conflist"], job["verb"], job["cni_path"]
    plugins = conflist["plugins"] if verb != "DEL" else list(reversed(conflist["plugins"]))
    binaries = {p["type"]: locate(p["type"], cni_path) for p in plugins}

    def config(plugin, prev, runtime_config=None):
        conf = dict(plugin)
        conf["cniVersion"] = conflist["cniVersion"]
        conf["name"] = conflist["name"]
        # As libcni: a plugin gets the runtime's values only for the capabilities it declares.
        declared = {k: v for k, v in (runtime_config or {}).items() if plugin.get("capabilities", {}).get(k)}
        if declared:
            conf["runtimeConfig"] = declared
        if prev is not None:
            conf["prevResult"] = prev
        return json.dumps(conf).encode()

    def one(pod):
        env = {"CNI_COMMAND": verb, "CNI_CONTAINERID": pod["id"], "CNI_NETNS": pod["netns"], "CNI_IFNAME": "eth0",
               "CNI_ARGS": pod.get("args", ""), "CNI_PATH": cni_path, "PATH": BASE_PATH}
        prev = pod.get("cached") if verb != "ADD" else None
        record = {"id": pod["id"], "wall": 0.0, "rss": None, "status": 0, "calls": []}
        started = time.perf_counter()
        for plugin in plugins:
            out, peak = run([binaries[plugin["type"]]], env, config(plugin, prev, pod.get("runtimeConfig")), job.get("rss", False))
            record["calls"].append({"plugin": plugin["type"], "wall": out.wall, "rss": peak})
            if peak is not None:
                record["rss"] = max(record["rss"] or 0, peak)
            if out.status != 0:
                record["status"] = out.status
                record["error"] = (out.stdout + out.stderr).decode(errors="replace")[-2000:]
                break
            if verb == "ADD":
                prev = json.loads(out.stdout)
        record["wall"] = time.perf_counter() - started
        record["start"] = started
        if verb == "ADD" and record["status"] == 0:
            record["result"] = prev
        return record

    return one, job["pods"]


def raw_calls(job):
    def one(call):
        out, peak = run(call["argv"], call.get("env", {"PATH": BASE_PATH}), call.get("stdin", "").encode(), call.get("rss", False))
        rec = {"wall": out.wall, "rss": peak, "status": out.status, "start": out.start, "tag": call.get("tag")}
        if out.status != 0:
            rec["error"] = (out.stdout + out.stderr).decode(errors="replace")[-2000:]
        if call.get("keep_stdout"):
            rec["stdout"] = out.stdout.decode(errors="replace")
        return rec

    return one, job["calls"]


def serve(job):
    """Kind "serve": the job line names the conflist and CNI_PATH; then each further line is one call
    {"verb": ..., "pod": {...}} (the pod as in a cni job, with "cached" for CHECK and DEL), answered with its
    record on one line. A caller alternating between two nodes keeps one of these running in each."""
    calls = {}  # one caller per verb, its plugins located once
    for line in sys.stdin:
        call = json.loads(line)
        if call["verb"] not in calls:
            calls[call["verb"]], _ = cni_calls(dict(job, verb=call["verb"], pods=[]))
        record = calls[call["verb"]](call["pod"])
        print(json.dumps(record), flush=True)


def main():
    # One line: every caller writes the job as a single JSON line (json.dumps), a "serve" job then more lines.
    job = json.loads(sys.stdin.readline())
    if job["kind"] == "serve":
        serve(job)
        return
    one, items = (cni_calls if job["kind"] == "cni" else raw_calls)(job)
    workers = max(1, int(job.get("workers", 1)))
    started = time.perf_counter()
    if workers == 1:
        records = [one(item) for item in items]
    else:
        with ThreadPoolExecutor(workers) as pool:
            records = list(pool.map(one, items))
    elapsed = time.perf_counter() - started
    for r in records:
        r["start"] -= started
    json.dump({"elapsed": elapsed, "records": records}, sys.stdout)


if __name__ == "__main__":
    main()
