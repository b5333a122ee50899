"""Reboot: the state directory survives, the namespaces do not. Pods are attached, then every pod namespace and
the node namespace are deleted (bridge, veths, routes and the NAT table go with it) and the node namespace is
made again, empty. The next GC with no valid attachment reconciles: no lease or endpoint is left, the pool is
whole (`vnetctl pool`: free == capacity, used 0), and new pods attach with a clean NAT set.

Two ways to GC, one per simulated reboot: `vnetctl --netns NODE gc --valid <empty list>`, then the runtime's
CNI GC (`cni.dev/valid-attachments: []`).
"""
import json
import os

from stress.harness import Log, StressNode, lease_map, make_data_dir, remove_tree, sh, vnetctl_path
from vnettest.netns import Namespaces


class Reboot:
    def __init__(self, log=None, pods=12):
        self.log = log or Log("reboot")
        self.pods = pods
        self.violations = []

    def violate(self, message):
        self.violations.append(message)
        self.log("VIOLATION " + message)

    def run(self):
        namespaces = Namespaces("rb")
        data_dir = make_data_dir("reboot")
        try:
            node = StressNode(namespaces, data_dir, "10.240.16.10-10.240.16.73", cooldown=0)
            for round_, how in enumerate(("vnetctl gc --valid []", "runtime GC")):
                self.reboot_once(namespaces, node, data_dir, round_, how)
        finally:
            namespaces.cleanup()
            remove_tree(data_dir)
        self.log("no violation" if not self.violations else f"{len(self.violations)} VIOLATIONS")
        return self.violations

    def attach(self, namespaces, node, tag):
        pods = namespaces.make_many(tag, self.pods)
        addresses = {}
        for i, pod in enumerate(pods):
            out = node.call("ADD", container=f"{tag}{i}", netns=pod.path)
            if not out.ok:
                self.violate(f"ADD {tag}{i} failed: {out.describe()}")
            addresses[f"{tag}{i}"] = out.address
        return pods, addresses

    def reboot_once(self, namespaces, node, data_dir, round_, how):
        pods, addresses = self.attach(namespaces, node, f"r{round_}")
        self.log(f"round {round_ + 1}: {len(addresses)} pods attached; rebooting (deleting {len(pods)} pod namespaces "
                 f"and node namespace {node.ns.name}, then making the node namespace again)")
        for pod in pods:
            pod.delete()
        node.recreate()
        before = lease_map(node.state())
        links = sorted(l["ifname"] for l in node.ns.links())
        self.log(f"after the reboot: state holds {len(before)} leases; the node has links {links}, "
                 f"NAT table {'absent' if node.nat_pods() is None else 'present'}")
        if set(before) != set(addresses):
            self.violate(f"the state did not survive the reboot: {sorted(before)}")
        if how.startswith("vnetctl"):
            valid = os.path.join(data_dir, "valid.json")
            with open(valid, "w") as f:
                json.dump([], f)
            out = sh(vnetctl_path(), "--state-dir", data_dir, "--netns", node.ns.name, "gc", "--valid", valid, check=False)
            self.log(f"vnetctl gc: exit {out.returncode}: {' / '.join((out.stdout + out.stderr).strip().splitlines())[:300]}")
            if out.returncode != 0:
                self.violate(f"vnetctl gc failed after the reboot: {out.stdout} {out.stderr}")
        else:
            out = node.gc([])
            self.log(f"runtime GC: status {out.status} {out.stdout.strip()[:200]}")
            if not out.ok:
                self.violate(f"runtime GC failed after the reboot: {out.describe()}")
        state = node.state()
        pool = sh(vnetctl_path(), "--state-dir", data_dir, "--netns", node.ns.name, "--json", "pool", check=False)
        usage = json.loads(pool.stdout)["usage"] if pool.returncode == 0 else {}
        self.log(f"after {how}: {len(state['leases'])} leases, {len(state['endpoints'])} endpoints; pool capacity "
                 f"{usage.get('capacity')}, used {usage.get('used')}, cooling {usage.get('coolingDown')}, free {usage.get('free')}")
        if state["leases"] or state["endpoints"]:
            self.violate(f"{how} left {len(state['leases'])} leases and {len(state['endpoints'])} endpoints")
        if not usage or usage["used"] != 0 or usage["free"] != usage["capacity"]:
            self.violate(f"the pool is not whole after {how}: {usage or pool.stderr}")
        ok, text = node.state_check()
        if not ok:
            self.violate(f"state check after {how}: {text}")
        new_pods, new_addresses = self.attach(namespaces, node, f"n{round_}")
        nat = node.nat_pods() or set()
        values = [a for a in new_addresses.values() if a]
        if len(set(values)) != len(values) or nat != set(values) or set(node.host_routes()) != set(values):
            self.violate(f"after the reboot, new pods {sorted(values)} but NAT {sorted(nat)}, routes {sorted(node.host_routes())}")
        self.log(f"{len(values)} new pods attached after the reboot; NAT set and host routes hold exactly them")
        for container in new_addresses:
            node.call("DEL", container=container, netns="")
        for pod in new_pods:
            pod.delete()
