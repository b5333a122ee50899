"""Security rules changed while a churn of ADDs and DELs runs (issue #18, acceptance 5): at no sample is a pod
reachable on a port its rules deny.

Two rule sets alternate: A denies tcp/5000 and B denies tcp/9000 inbound; both deny tcp/22 (a port no
version allows) and allow tcp/7000. Workers ADD and DEL pods on node A, each ADD with the rule set current
when it starts; a changer switches the current set and applies it with `vnetctl rules apply --config`; a
sampler tries every attached pod's ports from the peer host.

Which rules are in force: an ADD runs with the configuration it is given, and one whose rules differ from
the table's rebuilds the table with them. So after a change, an ADD that started before it may put the
old set back until the next ADD or apply. A sample is judged against a version only when the table is
known to hold it: the last write (apply, or a completed ADD) was of the current version and nothing of an
older one is still running. Port 22 is judged at every sample."""
import json
import os
import random
import threading
import time

from vnettest.cni import BIN, Runtime
from vnettest.flows import Listener, reach
from vnettest.netns import sh

PODS = int(os.environ.get("VNET_RULE_CHURN_PODS", "6"))
SECONDS = float(os.environ.get("VNET_RULE_CHURN_SECONDS", "40"))
PORTS = [22, 5000, 7000, 9000]


def rules(deny_port):
    return [
        {"name": "no-ssh", "priority": 100, "direction": "inbound", "access": "deny", "protocol": "tcp",
         "destinationPortRanges": ["22"]},
        {"name": f"close-{deny_port}", "priority": 200, "direction": "inbound", "access": "deny", "protocol": "tcp",
         "destinationPortRanges": [str(deny_port)]},
    ]


VERSIONS = [rules(5000), rules(9000)]
DENIED = [{22, 5000}, {22, 9000}]


class Churn:
    def __init__(self, topo, namespaces):
        self.node = topo.nodes[0]
        self.peer = topo.peer
        self.pods = namespaces.make_many("rc", PODS)
        self.lock = threading.Lock()
        self.version = 0
        self.known = 0            # the version the table is known to hold, or None
        self.running = {}         # op id -> version of the ADDs in flight
        self.attached = {}        # pod index -> address
        self.busy = set()         # pod indexes an operation is working on
        self.failures, self.samples, self.judged, self.changes, self.ops = [], 0, 0, 0, 0
        self.stop = threading.Event()
        self.files = []
        for v in range(len(VERSIONS)):
            path = os.path.join(self.node.data_dir, f"rules-{v}.conflist")
            with open(path, "w") as f:
                json.dump(self.conflist(v), f)
            self.files.append(path)

    def conflist(self, version):
        conflist = self.node.conflist(securityRules=VERSIONS[version])
        # Thousands of ADDs on a pool of ~500: addresses are reused at once.
        conflist["plugins"][0]["ipam"]["cooldownSeconds"] = 0
        return conflist

    def runtime(self, version):
        return Runtime(self.conflist(version), node=self.node.ns)

    def worker(self, seed):
        rng = random.Random(seed)
        op = 0
        while not self.stop.is_set():
            with self.lock:
                free = [i for i in range(PODS) if i not in self.busy]
                if not free:
                    continue
                i = rng.choice(free)
                self.busy.add(i)
                version = self.version
                adding = i not in self.attached
                if not adding:
                    del self.attached[i]
                op += 1
                key = (seed, op)
                if adding:
                    self.running[key] = version
            runtime = self.runtime(version)
            container = f"rc{i}"
            try:
                if adding:
                    result = runtime.add(container, self.pods[i].path)
                    address = result["ips"][0]["address"].split("/")[0]
                else:
                    runtime.cache[(container, "eth0")] = (None, self.pods[i].path, "")
                    runtime.delete(container)
            except Exception as error:  # noqa: BLE001 - every failure is reported
                with self.lock:
                    self.failures.append(f"{'ADD' if adding else 'DEL'} {container}: {error}")
                    self.running.pop(key, None)
                    self.busy.discard(i)
                continue
            with self.lock:
                self.ops += 1
                if adding:
                    self.attached[i] = address
                    del self.running[key]
                    # This ADD wrote the table only if its rules differed; either way the table now holds its
                    # version unless an ADD still running, or a change since, says otherwise.
                    if version != self.version:
                        self.known = None
                    elif not any(v != self.version for v in self.running.values()):
                        self.known = self.version
                self.busy.discard(i)

    def changer(self):
        while not self.stop.wait(2.0):
            with self.lock:
                self.version = 1 - self.version
                version = self.version
                self.known = None
            out = sh(os.path.join(BIN, "vnetctl"), "--netns", self.node.ns.name, "--state-dir", self.node.data_dir,
                     "rules", "apply", "--config", self.files[version], check=False)
            with self.lock:
                if out.returncode != 0 and "no pod on this node yet" not in out.stderr:
                    self.failures.append(f"rules apply: {out.stderr.strip()}")
                    continue
                self.changes += 1
                if version == self.version and not any(v != version for v in self.running.values()):
                    self.known = version

    def sampler(self):
        while not self.stop.is_set():
            with self.lock:
                before = (self.version, self.known)
                targets = dict(self.attached)
            if not targets:
                time.sleep(0.1)
                continue
            flows = [["tcp", address, port] for address in targets.values() for port in PORTS]
            got = reach(self.peer.path, flows, timeout=0.5)
            with self.lock:
                after = (self.version, self.known)
                still = {i for i in targets if self.attached.get(i) == targets[i]}
            self.samples += 1
            judged = before == after and after[1] is not None
            denied = DENIED[after[1]] if judged else {22}
            if judged:
                self.judged += 1
            for (proto, address, port), ok in zip(flows, got):
                pod = next(i for i, a in targets.items() if a == address)
                if ok and port in denied and pod in still:
                    self.failures.append(f"pod {address} reachable on tcp/{port} under rule set {after[1]} "
                                         f"(sample {self.samples})")


def test_no_sample_reaches_a_denied_port_while_rules_change_under_churn(namespaces, topo):
    churn = Churn(topo, namespaces)
    listeners = [Listener(pod, PORTS) for pod in churn.pods]
    # Rule set 0 in force before the churn starts.
    first = churn.runtime(0)
    first.add("rc-seed", churn.pods[0].path)
    first.delete("rc-seed")
    threads = [threading.Thread(target=churn.worker, args=(s,)) for s in range(3)]
    threads += [threading.Thread(target=churn.changer), threading.Thread(target=churn.sampler)]
    try:
        for t in threads:
            t.start()
        time.sleep(SECONDS)
    finally:
        churn.stop.set()
        for t in threads:
            t.join(timeout=60)
        for listener in listeners:
            listener.stop()
        for i in list(churn.attached):
            runtime = churn.runtime(churn.version)
            runtime.cache[(f"rc{i}", "eth0")] = (None, churn.pods[i].path, "")
            runtime.delete(f"rc{i}")
    assert not churn.failures, (len(churn.failures), churn.failures[:10])
    assert churn.changes >= SECONDS / 2 - 3 and churn.ops >= 20, (churn.changes, churn.ops)
    assert churn.judged >= 10, (churn.samples, churn.judged)
