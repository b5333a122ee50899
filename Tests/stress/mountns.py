"""Reclaim beside a churn whose pods' namespaces live in another mount namespace (issue #14), at full size.

A runtime in a mount namespace of its own (Tests/vnettest/mountns_runtime.py) runs real ADD, CHECK and DEL for
60 pods x 6 rounds, 8 at a time, while `vnetctl reclaim --all-leaked` runs every 0.2 s from the machine's
mount namespace, where each live pod's namespace path is an empty file. Invariants: no CHECK (nor ADD, nor
DEL) fails, and the reclaims take nothing, since no pod ever leaked.
"""
import shutil

from stress.harness import Log, make_data_dir, make_node_namespace
from vnettest.mountns_runtime import churn_beside_reclaims
from vnettest.netns import Namespaces
from vnettest.topology import Node


class MountNamespaceChurn:
    def __init__(self, log=None, pods=60, rounds=6, workers=8):
        self.log = log or Log("mountns")
        self.pods, self.rounds, self.workers = pods, rounds, workers

    def run(self):
        namespaces = Namespaces("mn")
        data_dir = make_data_dir("mountns")
        violations = []
        try:
            node = Node(make_node_namespace(namespaces), "10.240.0.4", "10.240.16.0/20", "10.240.16.10-10.240.17.250", data_dir)
            self.log(f"churn of {self.pods} pods x {self.rounds} rounds, {self.workers} at a time, in another mount "
                     "namespace; vnetctl reclaim --all-leaked every 0.2 s from this one")
            result, taken, errors, runs = churn_beside_reclaims(node, f"{namespaces.prefix}-p", self.pods, self.rounds,
                                                                self.workers, network="vnet-stress")
            self.log(f"done: {result['counts']} calls, failed {result['failed']}; {runs} reclaims ran, took {len(taken)}")
            for verb, count in result["failed"].items():
                if count:
                    violations.append(f"{count} {verb} failed, first: {result['failures'][verb][:2]}")
            if taken:
                violations.append(f"the reclaims took {len(taken)} addresses of live pods: {taken[:5]}")
            violations.extend(f"vnetctl failed: {e}" for e in errors[:5])
        finally:
            namespaces.cleanup()
            shutil.rmtree(data_dir, ignore_errors=True)
        return violations
