"""NAT repair races: vnet's nft table is (re)built outside the state lock, from the endpoints recorded in the
state, while other ADDs add their pod's element. Two checks:

1. Deterministic: the table is deleted (an operator's `nft flush ruleset`, a firewall reload); ADD P starts
   repairing it and is held by strace (a 1.5 s delay injected into its first sendmsg, the nft transaction of
   the rebuild, after it has read the pods); meanwhile ADD Q repairs the table and adds its element; then P
   rebuilds it from its older view and finishes. Q must keep its element.
   Before the fix in NftablesNAT.ensure, P's stale view removed it: a live pod without SNAT.
2. Statistical: bursts of ADDs on a fresh node, all finding the table missing at once, each rebuilding it.
   Every ADD must succeed (before the fix in NATTable.list, one listing could straddle another process's
   delete + add and fail the ADD with code 104) and every pod must have its element.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import time

from stress.harness import Log, StressNode, make_data_dir, remove_tree
from vnettest.cni import CNI_PATH, locate
from vnettest.netns import Namespaces


class NATRace:
    def __init__(self, log=None, trials=10, burst=32):
        self.log = log or Log("nat-race")
        self.trials, self.burst = trials, burst
        self.violations = []

    def violate(self, message):
        self.violations.append(message)
        self.log("VIOLATION " + message)

    def run(self):
        self.repair_race()
        if self.trials:
            self.first_add_bursts()
        self.log("no violation" if not self.violations else f"{len(self.violations)} VIOLATIONS")
        return self.violations

    def repair_race(self):
        if not shutil.which("strace"):
            self.log("SKIPPED the deterministic repair race: strace is not installed (apt-get install strace)")
            return
        namespaces = Namespaces("nr")
        data_dir = make_data_dir("natrace")
        try:
            node = StressNode(namespaces, data_dir, "10.240.16.10-10.240.16.73")
            pods = namespaces.make_many("p", 3)
            first = node.call("ADD", container="nr0", netns=pods[0].path)
            node.ns.run("nft", "delete", "table", "ip", "vnet")
            env = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "nr1", "CNI_NETNS": pods[1].path, "CNI_IFNAME": "eth0",
                   "CNI_ARGS": "", "CNI_PATH": CNI_PATH, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
            # P's first sendmsg(2) is the nft transaction that rebuilds the table (queries and netlink link
            # requests go out with sendto): delay it, so P has read the pods and seen the table missing, and
            # rebuilds only after Q has repaired the table and added its element.
            slow = subprocess.Popen(["nsenter", f"--net={node.ns.path}", "strace", "-f", "-qq", "-o", "/dev/null",
                                     "-e", "trace=sendmsg", "-e", "inject=sendmsg:delay_enter=1500000:when=1",
                                     locate("vnet")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            try:
                out, err = slow.communicate(json.dumps(node.config()).encode(), timeout=0.6)
            except subprocess.TimeoutExpired:
                out = None
            quick = node.call("ADD", container="nr2", netns=pods[2].path)
            seen_by_quick = node.nat_pods()
            if out is None:
                out, err = slow.communicate(timeout=30)
            else:
                self.violate("the slowed ADD finished before the other ADD ran: the race was not set up")
            nat = node.nat_pods() or set()
            live = {first.address, quick.address, json.loads(out)["ips"][0]["address"].split("/")[0] if slow.returncode == 0 else None}
            live.discard(None)
            self.log(f"table deleted; ADD P held by strace after reading the pods; ADD Q repaired the table and added "
                     f"{quick.address} (table then {sorted(seen_by_quick or ())}); P finished with status {slow.returncode}; "
                     f"NAT set now {sorted(nat)}")
            if slow.returncode != 0 or not first.ok or not quick.ok:
                self.violate(f"an ADD of the repair race failed: P {out!r} {err!r}, Q {quick.describe()}")
            missing = live - nat
            if missing:
                self.violate(f"live pods without their NAT element after the concurrent repair: {sorted(missing)}")
        finally:
            namespaces.cleanup()
            remove_tree(data_dir)

    def first_add_bursts(self):
        failures, missing_total, started = 0, 0, time.monotonic()
        for trial in range(self.trials):
            namespaces = Namespaces("nb")
            data_dir = make_data_dir("natburst")
            try:
                node = StressNode(namespaces, data_dir, "10.240.16.10-10.240.16.250")
                pods = namespaces.make_many("p", self.burst)
                with concurrent.futures.ThreadPoolExecutor(self.burst) as pool:
                    outs = list(pool.map(lambda ip: node.call("ADD", container=f"b{ip[0]}", netns=ip[1].path), enumerate(pods)))
                bad = [o for o in outs if not o.ok]
                failures += len(bad)
                for o in bad[:3]:
                    self.violate(f"trial {trial}: a first ADD failed: {o.describe()}")
                missing = {o.address for o in outs if o.ok} - (node.nat_pods() or set())
                missing_total += len(missing)
                if missing:
                    self.violate(f"trial {trial}: pods without NAT element: {sorted(missing)}")
            finally:
                namespaces.cleanup()
                remove_tree(data_dir)
        self.log(f"{self.trials} bursts of {self.burst} first ADDs on a fresh node in {time.monotonic() - started:.0f} s: "
                 f"{failures} failed ADDs, {missing_total} missing NAT elements")
