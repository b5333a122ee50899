"""A container runtime in a mount namespace of its own, as runtimes, agents in containers and `ip netns exec`
really are: started as `ip netns exec NODE python3 mountns_runtime.py`, it creates its pods' namespaces with
`ip netns add`, whose bind mounts stay in *its* mount namespace. Seen from the machine's mount namespace each
pod's /var/run/netns/NAME is then an empty file, while the pod is alive.

It reads one JSON command a line on stdin and answers one JSON line on stdout:
    {"op": "add", "names": [...]}            namespace + CNI ADD for each (container ID = name)
    {"op": "check", "names": [...]}          CNI CHECK for each; answers the failures
    {"op": "vanish", "names": [...]}         `ip netns delete` without DEL: the pod is really gone
    {"op": "run", "argv": [...]}             a command in this mount namespace (vnetctl from here)
    {"op": "churn", "prefix": P, "pods": N, "rounds": R, "workers": W}
                                             namespace, ADD, CHECK, DEL, namespace delete, N pods x R rounds
    {"op": "quit"}                           DEL every pod still attached, delete their namespaces, exit
Shared by the end-to-end suite (a short churn) and `make stress` (the full one).
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import threading
import time

if __name__ == "__main__":  # started as a script by MountNamespaceRuntimeProcess, below
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest

from vnettest.cni import BIN, PluginError, Runtime  # noqa: E402
from vnettest.netns import sh  # noqa: E402


class MountNamespaceRuntime:
    def __init__(self, conflist):
        self.runtime = Runtime(conflist)
        self.lock = threading.Lock()
        self.attached = set()

    def add(self, name):
        sh("ip", "netns", "add", name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        result = self.runtime.add(name, f"/var/run/netns/{name}", args=f"K8S_POD_NAMESPACE=mnt;K8S_POD_NAME={name}")
        with self.lock:
            self.attached.add(name)
        return result["ips"][0]["address"].split("/")[0]

    def check(self, name):
        self.runtime.check(name)

    def delete(self, name):
        self.runtime.delete(name)
        with self.lock:
            self.attached.discard(name)
        sh("ip", "netns", "delete", name, check=False)

    def vanish(self, name):
        sh("ip", "netns", "delete", name)
        with self.lock:
            self.attached.discard(name)
        self.runtime.cache.pop((name, "eth0"), None)

    def churn(self, prefix, pods, rounds, workers):
        failures = {"ADD": [], "CHECK": [], "DEL": []}
        counts = {"ADD": 0, "CHECK": 0, "DEL": 0}

        def one(item):
            name = f"{prefix}{item % pods}"
            for verb, step in (("ADD", self.add), ("CHECK", self.check), ("DEL", self.delete)):
                try:
                    step(name)
                    with self.lock:
                        counts[verb] += 1
                except (PluginError, subprocess.CalledProcessError) as error:
                    with self.lock:
                        failures[verb].append(f"{name}: {error}")
                    if verb != "DEL":
                        try:
                            self.delete(name)
                        except (PluginError, subprocess.CalledProcessError) as cleanup:
                            failures["DEL"].append(f"{name} (cleanup): {cleanup}")
                    return

        # Each round runs every pod once; a pod's name is reused only in the next round.
        for round_ in range(rounds):
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                list(pool.map(one, range(round_ * pods, (round_ + 1) * pods)))
        return {"counts": counts, "failures": {verb: f[:5] for verb, f in failures.items()},
                "failed": {verb: len(f) for verb, f in failures.items()}}

    def handle(self, command):
        op = command["op"]
        if op == "add":
            return {"addresses": {name: self.add(name) for name in command["names"]}}
        if op == "check":
            failed = {}
            for name in command["names"]:
                try:
                    self.check(name)
                except PluginError as error:
                    failed[name] = str(error)
            return {"failed": failed}
        if op == "vanish":
            for name in command["names"]:
                self.vanish(name)
            return {}
        if op == "run":
            done = subprocess.run(command["argv"], capture_output=True, text=True)
            return {"status": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
        if op == "churn":
            return self.churn(command["prefix"], command["pods"], command["rounds"], command["workers"])
        raise ValueError(f"unknown op {op}")

    def quit(self):
        for name in sorted(self.attached):
            try:
                self.delete(name)
            except (PluginError, subprocess.CalledProcessError):
                sh("ip", "netns", "delete", name, check=False)


def main():
    runtime = MountNamespaceRuntime(json.loads(sys.argv[1]))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        try:
            answer = {"ok": True, **runtime.handle(command)}
        except Exception as error:  # reported to the test, which fails with it
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)
    runtime.quit()
    print(json.dumps({"ok": True, "quit": True}), flush=True)


if __name__ == "__main__":
    main()


class MountNamespaceRuntimeProcess:
    """The test's handle on a MountNamespaceRuntime running in `node`'s network namespace and a mount namespace
    of its own. `close` ends it (DEL of what it still has); a failed test's process is killed, which takes its
    mount namespace, and with it every pod namespace it made, away."""

    def __init__(self, node_ns, conflist):
        script = __file__
        self.proc = subprocess.Popen(["ip", "netns", "exec", node_ns.name, "/usr/bin/python3", script, json.dumps(conflist)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline()
        if not first or not json.loads(first).get("ready"):
            self.proc.kill()
            raise RuntimeError(f"the mount-namespace runtime did not start: {first!r}")

    def call(self, op, **arguments):
        self.proc.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline() or '{"ok": false, "error": "the runtime exited"}')
        if not answer.pop("ok"):
            raise RuntimeError(f"{op}: {answer['error']}")
        return answer

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=120)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def reclaimed(output):
    """The addresses a `vnetctl --json reclaim` reports done."""
    report = json.loads(output).get("report") if output.strip() else None
    return report["done"] if report else []


def churn_beside_reclaims(node, prefix, pods, rounds, workers, network="vnet-e2e", every=0.2):
    """A churn of real ADD/CHECK/DEL in another mount namespace while `vnetctl reclaim --all-leaked` runs every
    `every` seconds from this one (the reproduction of issue #14 under load). Returns the churn's answer, the
    addresses the reclaims took, vnetctl's errors, and how many reclaims ran."""
    runtime = MountNamespaceRuntimeProcess(node.ns, node.conflist(name=network))
    stop = threading.Event()
    done, errors, runs = [], [], [0]
    vnetctl = [os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, "--json"]

    def reclaim_loop():
        # vnetctl finds the network from its recorded configuration, which the first ADD writes.
        recorded = os.path.join(node.data_dir, network)
        while not stop.is_set() and not os.path.isdir(recorded):
            time.sleep(0.01)
        while not stop.is_set():
            out = sh(*vnetctl, "reclaim", "--all-leaked", check=False)
            runs[0] += 1
            if out.returncode not in (0, 3):  # 3: some targets refused, which is right for unconfirmed ones
                errors.append(out.stderr.strip())
            else:
                done.extend(reclaimed(out.stdout))
            time.sleep(every)

    thread = threading.Thread(target=reclaim_loop)
    thread.start()
    try:
        result = runtime.call("churn", prefix=prefix, pods=pods, rounds=rounds, workers=workers)
    finally:
        stop.set()
        thread.join()
        runtime.close()
    return result, done, errors, runs[0]
