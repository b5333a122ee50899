#!/usr/bin/python3
"""Where vnet's ADD, CHECK and DEL time goes, on a node already holding most of its pods.

    /usr/bin/python3 Tests/bench/profile.py [--pods 250] [--sample 20] [--out DIR] [--tools strace,perf,callgrind]

Fills a fresh node namespace with pods-sample pods, then for the last `sample` pods:
  strace    one ADD, CHECK, DEL under `strace -f -tt -T`: every syscall with its duration (wall time spent
            blocked: fsync, netlink round trips, waits) -> DIR/strace-VERB.txt and a summary of time per syscall
  perf      `sample` ADDs, then CHECKs, then DELs, sampled with perf (cpu-clock, call graphs) ->
            DIR/perf-VERB.txt (user and kernel CPU of the vnet processes only, by symbol)
  callgrind one ADD, CHECK, DEL under valgrind's callgrind: instructions by function, inclusive ->
            DIR/callgrind-VERB.txt (demangled with swift-demangle)
  console   `vnet-console --once` on the populated node under callgrind -> DIR/callgrind-console.txt
Everything happens in namespaces made here (prefix vt<hex>, vnettest.netns.RUN_PREFIX) and removed at the end.
Not part of `make bench`: its findings are summarized by hand in Tests/bench/findings.md.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest

import benchlib as B  # noqa: E402
import phases as P  # noqa: E402
import sides as S  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def strace_summary(path):
    """Total duration per syscall (from -T) and the wall span of the traced call."""
    per, first, last = {}, None, None
    pattern = re.compile(r"^\d+\s+(\d+):(\d+):([\d.]+) (\w+)\(.*<([\d.]+)>$")
    for line in open(path):
        m = pattern.match(line.strip())
        if not m:
            continue
        t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        first = t if first is None else first
        last = t
        name, dur = m.group(4), float(m.group(5))
        n, total = per.get(name, (0, 0.0))
        per[name] = (n + 1, total + dur)
    lines = [f"span {((last or 0) - (first or 0)) * 1000:.2f} ms (under strace)", "syscall calls total-ms"]
    for name, (n, total) in sorted(per.items(), key=lambda kv: -kv[1][1])[:15]:
        lines.append(f"{name} {n} {total * 1000:.2f}")
    return "\n".join(lines)


def demangle(text):
    try:
        return subprocess.run(["swift-demangle", "--simplified"], input=text, capture_output=True, text=True).stdout or text
    except OSError:
        return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=250)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--out", default="/tmp/vnet-bench-profile")
    ap.add_argument("--tools", default="strace,perf,callgrind,console")
    ap.add_argument("--bin", default=os.environ.get("VNET_BIN", os.path.join(REPO, ".build", "release")))
    args = ap.parse_args()
    tools = set(args.tools.split(","))
    os.makedirs(args.out, exist_ok=True)
    namespaces = B.Namespaces()
    root = tempfile.mkdtemp(prefix="vnet-profile-", dir="/var/tmp")
    os.chmod(root, 0o700)
    side = S.sides(args.bin)[0]
    try:
        pods = namespaces.make_many("p", args.pods)
        node = B.make_node(namespaces, "prof", primary=S.PRIMARY, gateway=S.GATEWAY)
        data = P.scratch_dir(root, "prof")
        conf = {"conflist": side.conflist(data, args.pods), "cni_path": side.cni_path}
        items = P.pod_items(pods, namespaces)
        rest, sample = items[:-args.sample], items[-args.sample:]
        added = P.cni_phase(namespaces, node, conf, rest, "ADD", 8)
        assert all(r["status"] == 0 for r in added["records"]), added["records"][0]
        ns_path = namespaces.path(node)
        plugin = conf["conflist"]["plugins"][0]
        binary = os.path.join(args.bin, "vnet")

        def one(verb, item, prev, wrapper, tag):
            c = dict(plugin, cniVersion=S.VERSION, name=S.NETWORK)
            if prev is not None:
                c["prevResult"] = prev
            env = {"CNI_COMMAND": verb, "CNI_CONTAINERID": item["id"], "CNI_NETNS": item["netns"], "CNI_IFNAME": "eth0",
                   "CNI_ARGS": item["args"], "CNI_PATH": side.cni_path, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
            proc = subprocess.run(["nsenter", f"--net={ns_path}"] + wrapper + [binary], input=json.dumps(c), env=env,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"{tag} {verb} failed: {proc.stdout} {proc.stderr[-500:]}")
            return json.loads(proc.stdout) if verb == "ADD" else None

        for tool in ("strace", "callgrind"):
            if tool not in tools:
                continue
            item, prev = sample[0], None
            for verb in ("ADD", "CHECK", "DEL"):
                out = os.path.join(args.out, f"{tool}-{verb}")
                if tool == "strace":
                    wrapper = ["strace", "-f", "-tt", "-T", "-o", out + ".txt"]
                else:
                    wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.out"]
                result = one(verb, item, prev, wrapper, tool)
                prev = result if verb == "ADD" else prev
                if tool == "strace":
                    with open(out + ".summary.txt", "w") as f:
                        f.write(strace_summary(out + ".txt") + "\n")
                else:
                    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", out + ".out"], capture_output=True,
                                          text=True).stdout
                    with open(out + ".txt", "w") as f:
                        f.write(demangle(text))
        if "console" in tools:
            # vnet-console --once on the populated node: what one refresh's snapshot and frame cost.
            console = os.path.join(args.bin, "vnet-console")
            out = os.path.join(args.out, "callgrind-console")
            subprocess.run(["nsenter", f"--net={ns_path}", "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.out",
                            console, "--once", "--state-dir", data], capture_output=True, text=True)
            text = subprocess.run(["callgrind_annotate", "--inclusive=yes", out + ".out"], capture_output=True, text=True).stdout
            with open(out + ".txt", "w") as f:
                f.write(demangle(text))
        if "perf" in tools:
            cached = None
            for verb in ("ADD", "CHECK", "DEL"):
                job = {"kind": "cni", "verb": verb, "workers": 1, **conf,
                       "pods": [dict(i, cached=(cached or {}).get(i["id"])) for i in sample]}
                data_file = os.path.join(args.out, f"perf-{verb}.data")
                proc = subprocess.run(["nsenter", f"--net={ns_path}", "perf", "record", "-q", "-e", "cpu-clock", "-F", "20000",
                                       "-g", "-o", data_file, "--", P.PY, P.DRIVER], input=json.dumps(job),
                                      capture_output=True, text=True)
                records = json.loads(proc.stdout)["records"]
                if verb == "ADD":
                    cached = {r["id"]: r.get("result") for r in records}
                for flavour, extra in (("self", ["--no-children"]), ("children", ["--children"])):
                    text = subprocess.run(["perf", "report", "-i", data_file, "--stdio", "--comm", "vnet", "--sort", "dso,sym",
                                           "-g", "none", "--percent-limit", "0.7"] + extra, capture_output=True, text=True).stdout
                    with open(os.path.join(args.out, f"perf-{verb}-{flavour}.txt"), "w") as f:
                        f.write(demangle(text))
                walls = sorted(r["wall"] for r in records)
                print(f"perf {verb}: {len(walls)} calls, p50 {walls[len(walls) // 2] * 1000:.1f} ms")
        P.cni_phase(namespaces, node, conf, items, "DEL", 8)
    finally:
        namespaces.cleanup()
        shutil.rmtree(root, ignore_errors=True)
    print(f"profiles in {args.out}")


if __name__ == "__main__":
    main()
