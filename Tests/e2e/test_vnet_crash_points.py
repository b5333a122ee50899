"""vnetd (and vnetctl's forget-node) killed with SIGKILL at each named point of a grow, a give-back and a
forget (test-only fault points, VNET_TEST_FAULT), 50 times in a churn of ADDs and DELs: the quota invariant
holds at every etcd revision sampled, nothing is counted twice after a restart, and the granted file never
allows more than etcd granted."""
import json
import os
import random
import signal
import subprocess
import time

import pytest

from vnettest.cni import wait_for
from vnettest.registry import Registry, invariant_violation, quota_of
from vnettest.vnetnode import VNetNode

POINTS = ["grow:before-txn", "grow:after-txn", "shrink:after-file", "shrink:after-txn"]
KILLS = int(os.environ.get("VNET_CRASH_KILLS", "50"))


@pytest.fixture
def pair(namespaces):
    registry = Registry(namespaces, members=1)
    nodes = []
    try:
        nodes = [VNetNode(namespaces, registry, name, i, limit=60, step=2, lock_timeout=3) for i, name in enumerate(("na", "nb"))]
        for node in nodes:
            node.start_vnetd(give_back=0.3, interval=0.2)
            node.wait_granted()
        yield registry, nodes
    finally:
        for node in nodes:
            node.cleanup()
        registry.cleanup()


def check_node(registry, node):
    limit, reserved, by_node, _ = quota_of(registry, "prod")
    assert invariant_violation(limit, reserved, by_node) is None
    held = len(node.leases())
    assert held <= by_node.get(node.name, 0), (node.name, held, by_node)
    grant = node.granted()
    assert grant is None or grant["reserved"] <= by_node.get(node.name, 0), (grant, by_node)


def test_vnetd_killed_at_every_point_never_breaks_the_quota(pair):
    registry, (a, b) = pair
    first = registry.revision()
    rng = random.Random(16)
    kills = {point: 0 for point in POINTS}
    serial = 0
    for round_ in range(KILLS):
        point = POINTS[round_ % len(POINTS)]
        a.stop_vnetd(signal.SIGKILL)
        a.start_vnetd(give_back=0.3, interval=0.2, env={"VNET_TEST_FAULT": point})
        proc = a.vnetd_proc
        deadline = time.time() + 20
        while proc.poll() is None and time.time() < deadline:
            if point.startswith("grow") or not a.pods or rng.random() < 0.3:
                serial += 1
                a.add(f"c{serial}")
            else:
                a.delete(rng.choice(sorted(a.pods)))
                time.sleep(0.4)
        assert proc.poll() == -signal.SIGKILL, f"vnetd never reached {point}: {a.log()}"
        kills[point] += 1
        check_node(registry, a)
        # Restart without a fault: it continues from etcd and the state, counting nothing twice.
        a.stop_vnetd(signal.SIGKILL)
        a.start_vnetd(give_back=0.3, interval=0.2)
        wait_for(lambda: (a.granted() or {}).get("agentPID") == a.vnetd_proc.pid, timeout=10)
        check_node(registry, a)
        if len(a.pods) > 20:
            for cid in sorted(a.pods)[:10]:
                a.delete(cid)
    assert all(count >= KILLS // len(POINTS) for count in kills.values()), kills
    # The invariant at every revision sampled, from the first write of the churn to the last.
    last = registry.revision()
    step = max(1, (last - first) // 300)
    for revision in range(first, last + 1, step):
        limit, reserved, by_node, _ = quota_of(registry, "prod", revision)
        assert invariant_violation(limit, reserved, by_node) is None, revision


def test_forget_node_killed_midway_counts_nothing_twice(pair):
    registry, (a, b) = pair
    assert b.add("b0")[0] == 0
    b.stop_vnetd(signal.SIGKILL)
    wait_for(lambda: not any(n["name"] == "nb" and n["alive"] for n in json.loads(a.vnetctl("--json", "vnet", "status").stdout)["nodes"]),
             timeout=15)
    before = quota_of(registry, "prod")
    for point in ("forget:before-txn", "forget:after-txn"):
        out = subprocess.run(["nsenter", f"--net={a.ns.path}", os.path.join(os.environ.get("VNET_BIN", ""), "vnetctl") if os.environ.get("VNET_BIN") else "vnetctl",
                              "--state-dir", a.data_dir, "vnet", "forget-node", "nb", "--yes"],
                             capture_output=True, text=True, env=dict(os.environ, VNET_TEST_FAULT=point))
        assert out.returncode == -signal.SIGKILL or out.returncode in (0, 3), out
        limit, reserved, by_node, _ = quota_of(registry, "prod")
        assert invariant_violation(limit, reserved, by_node) is None
        if point == "forget:before-txn":
            assert by_node == before[2]  # killed before its transaction: nothing changed
    limit, reserved, by_node, _ = quota_of(registry, "prod")
    assert "nb" not in by_node and reserved == sum(by_node.values()), by_node
    again = a.vnetctl("vnet", "forget-node", "nb", "--yes")
    assert again.returncode == 3 and "no such node" in again.stdout, again.stdout
