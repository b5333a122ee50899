"""Lock: a holder stopped with SIGSTOP makes every other plugin fail within the bounded wait
(lockTimeoutSeconds) with CNI code 11 and a message naming the holder's pid; after SIGCONT everyone proceeds.
Then bursts of parallel ADDs (vnet with vnet-ipam in-process, and vnet delegating to host-local) finish with
no lock timeout: the network plugin and its IPAM never wait for each other.

Two holders: lockholder.py (takes the flock and writes the holder record exactly as StateLock does), and a
real `vnet-ipam` ADD caught inside its critical section (stopped at random instants until the lock file names
it as the holder while the flock is held; bounded attempts).
"""
import concurrent.futures
import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import time

from stress.harness import (HERE, NETWORK, Deadline, Log, StressNode, lease_map, make_data_dir, pod_addresses, remove_tree,
                     run_plugin)
from vnettest.cni import locate
from vnettest.netns import Namespaces

TIMEOUT = 2  # lockTimeoutSeconds while a holder is stopped
SLACK = 2.0  # seconds a timed-out plugin may take beyond the timeout (process start, pool load, a loaded machine)


def ipam_config(data_dir, lock_timeout, pool="10.240.16.10-10.240.19.250"):
    """vnet-ipam as a network plugin (bridge, say) would call it, on the same network and data directory."""
    return {"cniVersion": "1.1.0", "name": NETWORK, "type": "bridge",
            "ipam": {"type": "vnet-ipam", "dataDir": data_dir, "cooldownSeconds": 0, "lockTimeoutSeconds": lock_timeout,
                     "pool": {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1",
                              "addresses": [pool]}}}


def lock_is_held(path):
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def recorded_holder(path):
    try:
        with open(path) as f:
            return json.loads(f.read() or "null")
    except (OSError, ValueError):
        return None


class LockStress:
    def __init__(self, log=None, burst=250, burst_parallel=32, delegated_burst=64, contenders=8):
        self.log = log or Log("lock")
        self.burst, self.burst_parallel, self.delegated_burst, self.contenders = burst, burst_parallel, delegated_burst, contenders
        self.violations = []

    def violate(self, message):
        self.violations.append(message)
        self.log("VIOLATION " + message)

    def run(self):
        namespaces = Namespaces("lk")
        data_dir = make_data_dir("lock")
        try:
            node = StressNode(namespaces, data_dir, "10.240.16.10-10.240.19.250", lock_timeout=TIMEOUT, max_pods=1000)
            pods = namespaces.make_many("p", max(self.burst, 4 * self.contenders + 1))
            first = node.call("ADD", container="warm", netns=pods[-1].path)  # creates the state directory and lock
            if not first.ok:
                self.violate(f"first ADD failed: {first.describe()}")
                return self.violations
            self.stopped_helper(node, pods)
            self.stopped_plugin(node, pods)
            node.call("DEL", container="warm", netns=pods[-1].path)
            if self.burst:
                self.parallel_burst(node, pods)
            if self.delegated_burst:
                self.delegated(namespaces, data_dir)
        finally:
            namespaces.cleanup()
            remove_tree(data_dir)
        self.log("no violation" if not self.violations else f"{len(self.violations)} VIOLATIONS")
        return self.violations

    def lock_path(self, node):
        return os.path.join(node.state_dir, "lock")

    # A stopped holder.

    def stopped_helper(self, node, pods):
        holder = subprocess.Popen([sys.executable, os.path.join(HERE, "lockholder.py"), self.lock_path(node)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = holder.stdout.readline().strip()
            if line != f"held {holder.pid}":
                self.violate(f"lockholder did not take the lock: {line!r}")
                return
            os.kill(holder.pid, signal.SIGSTOP)
            self.log(f"lockholder.py (pid {holder.pid}) holds {self.lock_path(node)} and is stopped (SIGSTOP)")
            self.contend(node, pods, holder.pid, "stress-holder", offset=0)
            self.resume(node, pods, holder.pid, offset=0,
                        resume=lambda: (os.kill(holder.pid, signal.SIGCONT), holder.stdin.write("release\n"), holder.stdin.flush()))
            if holder.wait(timeout=10) != 0:
                self.violate("lockholder did not exit cleanly")
        finally:
            if holder.poll() is None:
                os.kill(holder.pid, signal.SIGCONT)
                holder.kill()
                holder.wait()

    def stopped_plugin(self, node, pods, attempts=300):
        """A real vnet-ipam ADD stopped while it holds the lock (random stop instants, bounded attempts)."""
        conf = ipam_config(node.data_dir, 60)
        env = {"CNI_COMMAND": "ADD", "CNI_NETNS": "/proc/self/ns/net", "CNI_IFNAME": "eth0", "CNI_ARGS": "",
               "CNI_PATH": "/nonexistent", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        rng = random.Random(7)
        caught, tried, spent = None, 0, []
        for attempt in range(attempts):
            tried += 1
            proc = subprocess.Popen([locate("vnet-ipam")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=dict(env, CNI_CONTAINERID=f"holder{attempt}"))
            proc.stdin.write(json.dumps(conf).encode())
            proc.stdin.close()
            proc.stdin = None  # communicate() must not flush it again
            time.sleep(rng.uniform(0.0, 0.012))
            os.kill(proc.pid, signal.SIGSTOP)  # not reaped yet: the pid is still ours
            record = recorded_holder(self.lock_path(node))
            if record and record.get("pid") == proc.pid and lock_is_held(self.lock_path(node)):
                caught = proc
                break
            os.kill(proc.pid, signal.SIGCONT)
            proc.wait(timeout=30)
            spent.append(proc.returncode)
        if caught is None:
            self.violate(f"could not stop a real vnet-ipam inside its critical section in {tried} attempts")
            return
        self.log(f"a real vnet-ipam ADD (pid {caught.pid}) stopped inside its critical section after {tried} attempts "
                 f"(lock record {recorded_holder(self.lock_path(node))})")
        try:
            self.contend(node, pods, caught.pid, "vnet-ipam-add", offset=2 * self.contenders)
            self.resume(node, pods, caught.pid, offset=2 * self.contenders, resume=lambda: os.kill(caught.pid, signal.SIGCONT))
            out, err = caught.communicate(timeout=30)
            if caught.returncode != 0:
                self.violate(f"the stopped vnet-ipam failed after SIGCONT: {out!r} {err!r}")
            else:
                self.log(f"after SIGCONT the stopped vnet-ipam finished its ADD: {json.loads(out)['ips'][0]['address']}")
            for attempt in range(tried):  # the runtime deletes what the holders added
                run_plugin("vnet-ipam", "DEL", conf, container=f"holder{attempt}")
        finally:
            if caught.poll() is None:
                os.kill(caught.pid, signal.SIGCONT)
                caught.kill()
                caught.wait()
        state = node.state()
        if len(set(lease_map(state).values())) != len(state["leases"]):
            self.violate("an address is leased twice after the stopped-holder test")

    def contend(self, node, pods, holder_pid, verb, offset):
        """While the holder is stopped: vnet ADDs and a vnet-ipam ADD with lockTimeoutSeconds=2 must all fail
        with code 11 within the bound, naming the holder's pid, and leave no trace."""
        def vnet_add(i):
            return node.call("ADD", container=f"blocked{offset + i}", netns=pods[offset + i].path)

        def ipam_add(i):
            return run_plugin("vnet-ipam", "ADD", ipam_config(node.data_dir, TIMEOUT), container=f"blockedipam{offset + i}",
                              netns="/proc/self/ns/net")
        with concurrent.futures.ThreadPoolExecutor(self.contenders + 2) as pool:
            futures = [pool.submit(vnet_add, i) for i in range(self.contenders)] + [pool.submit(ipam_add, i) for i in range(2)]
            outcomes = [f.result() for f in futures]
        slowest = max(o.elapsed for o in outcomes)
        for o in outcomes:
            if o.code != 11:
                self.violate(f"a plugin blocked by a stopped holder did not fail with code 11: {o.describe()}")
            elif f"pid {holder_pid}" not in o.msg or verb not in o.msg:
                self.violate(f"the lock-timeout message does not name holder pid {holder_pid} ({verb}): {o.msg}")
            if not TIMEOUT - 0.05 <= o.elapsed <= TIMEOUT + SLACK:
                self.violate(f"a blocked plugin took {o.elapsed:.2f} s, outside [{TIMEOUT}, {TIMEOUT + SLACK}] s")
        leftovers = [i for i in range(self.contenders) if pod_addresses(pods[offset + i].name)]
        if leftovers:
            self.violate(f"timed-out ADDs left addresses in pods {leftovers}")
        self.log(f"{len(outcomes)} plugins ({self.contenders} vnet ADD, 2 vnet-ipam ADD) against the stopped holder: "
                 f"{sum(o.code == 11 for o in outcomes)} failed with code 11 in <= {slowest:.2f} s "
                 f"(lockTimeoutSeconds {TIMEOUT}); message: {outcomes[0].msg[:160]}")

    def resume(self, node, pods, holder_pid, offset, resume):
        """ADDs with a longer timeout wait for the stopped holder; after SIGCONT all of them succeed."""
        patient = node.config()
        patient["ipam"] = dict(patient["ipam"], lockTimeoutSeconds=30)

        def add(i):
            slot = offset + self.contenders + i
            return node.call("ADD", container=f"patient{slot}", netns=pods[slot].path, config=patient)
        with concurrent.futures.ThreadPoolExecutor(self.contenders) as pool:
            futures = [pool.submit(add, i) for i in range(self.contenders)]
            time.sleep(1.0)
            waiting = sum(not f.done() for f in futures)
            resumed = time.monotonic()
            resume()
            outcomes = [f.result() for f in futures]
        after = time.monotonic() - resumed
        failed = [o for o in outcomes if not o.ok]
        for o in failed:
            self.violate(f"an ADD waiting for the stopped holder failed after SIGCONT: {o.describe()}")
        self.log(f"{waiting} ADDs were waiting for pid {holder_pid}; after SIGCONT {len(outcomes) - len(failed)} "
                 f"succeeded within {after:.2f} s")
        for i in range(self.contenders):
            slot = offset + self.contenders + i
            node.call("DEL", container=f"patient{slot}", netns=pods[slot].path)

    # Parallel bursts.

    def parallel_burst(self, node, pods):
        conf = node.config()
        conf["ipam"] = dict(conf["ipam"], lockTimeoutSeconds=10)
        deadline = Deadline(300)

        def add(i):
            if deadline.passed():
                return None
            return node.call("ADD", container=f"burst{i:03d}", netns=pods[i].path, config=conf)
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(self.burst_parallel) as pool:
            outcomes = list(pool.map(add, range(self.burst)))
        took = time.monotonic() - start
        done = [o for o in outcomes if o is not None]
        timeouts = [o for o in done if o.code == 11]
        failed = [o for o in done if not o.ok]
        for o in failed[:5]:
            self.violate(f"burst ADD failed: {o.describe()}")
        if len(done) < self.burst:
            self.violate(f"burst stopped by its time bound after {len(done)} of {self.burst} ADDs")
        addresses = [o.address for o in done if o.ok]
        if len(set(addresses)) != len(addresses):
            self.violate("the burst handed out an address twice")
        nat = node.nat_pods() or set()
        if set(addresses) - nat:
            self.violate(f"burst pods without NAT element: {sorted(set(addresses) - nat)[:10]}")
        latencies = sorted(o.elapsed for o in done)
        self.log(f"{len(done)} vnet ADDs at {self.burst_parallel} in parallel in {took:.1f} s: {len(done) - len(failed)} ok, "
                 f"{len(timeouts)} lock timeouts; latency median {latencies[len(latencies) // 2]:.2f} s, max {latencies[-1]:.2f} s")

        def delete(i):
            return node.call("DEL", container=f"burst{i:03d}", netns=pods[i].path, config=conf)
        with concurrent.futures.ThreadPoolExecutor(self.burst_parallel) as pool:
            dels = list(pool.map(delete, range(len(done))))
        bad = [o for o in dels if not o.ok]
        for o in bad[:5]:
            self.violate(f"burst DEL failed: {o.describe()}")
        state = node.state()
        if state["leases"] or state["endpoints"] or node.host_veths() or (node.nat_pods() or set()):
            self.violate(f"after the burst's DELs something is left: {len(state['leases'])} leases, "
                         f"{len(node.host_veths())} veths, {len(node.nat_pods() or ())} NAT elements")
        self.log(f"{len(dels)} DELs at {self.burst_parallel} in parallel: {len(dels) - len(bad)} ok; node empty again")

    def delegated(self, namespaces, data_dir):
        """vnet delegating to host-local (executed from CNI_PATH): vnet's own state lock and host-local's lock
        are never held together, so a burst cannot deadlock."""
        own_dir = os.path.join(data_dir, "delegated")
        os.makedirs(own_dir, mode=0o700)
        node = StressNode(namespaces, own_dir, "10.240.32.10-10.240.32.250", node_suffix="dnode")
        host_local_dir = os.path.join(own_dir, "host-local")
        node.plugin["dataDir"] = own_dir
        node.version = "1.0.0"  # host-local of containernetworking-plugins 1.1.1 speaks up to 1.0.0
        node.plugin["ipam"] = {"type": "host-local", "dataDir": host_local_dir,
                               "ranges": [[{"subnet": "10.240.0.0/16", "rangeStart": "10.240.32.10",
                                            "rangeEnd": "10.240.32.250", "gateway": "10.240.0.1"}]]}
        pods = namespaces.make_many("d", self.delegated_burst)
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(self.burst_parallel) as pool:
            outcomes = list(pool.map(lambda i: node.call("ADD", container=f"deleg{i:03d}", netns=pods[i].path),
                                     range(self.delegated_burst)))
        failed = [o for o in outcomes if not o.ok]
        for o in failed[:5]:
            self.violate(f"delegated ADD failed: {o.describe()}")
        addresses = [o.address for o in outcomes if o.ok]
        if len(set(addresses)) != len(addresses):
            self.violate("host-local delegation handed out an address twice")
        self.log(f"{len(outcomes)} vnet ADDs delegating to host-local at {self.burst_parallel} in parallel in "
                 f"{time.monotonic() - start:.1f} s: {len(outcomes) - len(failed)} ok, "
                 f"{sum(o.code == 11 for o in outcomes)} lock timeouts, max latency {max(o.elapsed for o in outcomes):.2f} s")
        with concurrent.futures.ThreadPoolExecutor(self.burst_parallel) as pool:
            dels = list(pool.map(lambda i: node.call("DEL", container=f"deleg{i:03d}", netns=pods[i].path,
                                                     prev=outcomes[i].parsed if outcomes[i].ok else None),
                                 range(self.delegated_burst)))
        for o in [o for o in dels if not o.ok][:5]:
            self.violate(f"delegated DEL failed: {o.describe()}")
