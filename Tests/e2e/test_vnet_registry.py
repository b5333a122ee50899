"""The VNet across nodes (issue #16): three node namespaces, each with vnetd, sharing a 3-member etcd cluster
in its own namespace (vnettest.registry). The limit is enforced across nodes, headroom flows back under
pressure, and etcd's own data, read with etcdctl, agrees with what vnetctl says."""
import concurrent.futures
import json
import random
import time

import pytest

from vnettest.registry import Registry, invariant_violation, quota_of
from vnettest.vnetnode import VNetNode

GIVE_BACK = 3.0


@pytest.fixture
def vnet3(namespaces):
    registry = Registry(namespaces)
    nodes = []
    try:
        nodes = [VNetNode(namespaces, registry, name, i, limit=40, step=16, lock_timeout=6) for i, name in enumerate(("na", "nb", "nc"))]
        for node in nodes:
            node.start_vnetd(give_back=GIVE_BACK)
        for node in nodes:
            node.wait_granted()
        yield registry, nodes
    finally:
        for node in nodes:
            node.cleanup()
        registry.cleanup()


def status_json(node):
    out = node.vnetctl("--json", "vnet", "status")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def assert_invariant(registry, nodes):
    limit, reserved, by_node, _ = quota_of(registry, "prod")
    assert invariant_violation(limit, reserved, by_node) is None
    for node in nodes:
        assert len(node.leases()) <= by_node.get(node.name, 0), (node.name, by_node)


def test_the_vnet_limit_holds_across_nodes_in_any_order(vnet3):
    registry, nodes = vnet3
    order = [nodes[i % 3] for i in range(48)]
    random.Random(7).shuffle(order)
    ids = [f"p{i}" for i in range(48)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda pair: (pair[0], pair[0].add(pair[1])), zip(order, ids)))
    succeeded = [r for _, r in results if r[0] == 0]
    refused = [r for _, r in results if r[0] != 0]
    assert len(succeeded) == 40, [r[2] for r in refused][:3]
    for status, out, raw in refused:
        assert out and out["code"] == 106, raw
        assert "VNet limit" in out["msg"] and "limit 40" in out["msg"], out["msg"]
    # The 41st, on any node, one at a time: refused too.
    for node in nodes:
        status, out, raw = node.add(f"extra-{node.name}")
        assert status != 0 and out["code"] == 106 and "limit 40" in out["msg"], raw
    vnet = status_json(nodes[0])
    assert vnet["limit"] == 40 and vnet["used"] == 40 and vnet["reserved"] <= 40, vnet
    assert sorted(n["name"] for n in vnet["nodes"]) == ["na", "nb", "nc"]
    assert all(n["alive"] for n in vnet["nodes"]), vnet["nodes"]
    assert sum(n["used"] for n in vnet["nodes"]) == 40
    limit, reserved, by_node, _ = quota_of(registry, "prod")
    assert limit == 40 and reserved <= 40
    assert_invariant(registry, nodes)
    assert sum(len(n.leases()) for n in nodes) == 40


def test_room_given_back_on_one_node_is_taken_on_another(vnet3):
    registry, nodes = vnet3
    a, b, c = nodes
    for i in range(20):
        assert a.add(f"a{i}")[0] == 0
    for i in range(10):
        assert b.add(f"b{i}")[0] == 0
        assert c.add(f"c{i}")[0] == 0
    assert b.add("b-over")[0] != 0
    for i in range(10):
        assert a.delete(f"a{i}")[0] == 0
    started = time.time()
    for i in range(10):
        status, out, raw = b.add(f"b-more{i}")
        assert status == 0, raw
    took = time.time() - started
    print(f"B attached 10 more in {took:.1f}s")
    assert took <= 2 * GIVE_BACK, f"B waited {took:.1f}s for what A gave back (give-back delay {GIVE_BACK}s)"
    assert_invariant(registry, nodes)


def test_vnetctl_names_nodes_and_finds_conflicts(namespaces):
    registry = Registry(namespaces, members=1)
    nodes = []
    try:
        # Two nodes whose pools overlap: a conflict vnetctl must name.
        nodes = [VNetNode(namespaces, registry, "na", 0, pool="10.240.16.10-10.240.16.100"),
                 VNetNode(namespaces, registry, "nb", 1, pool="10.240.16.90-10.240.16.200")]
        for node in nodes:
            node.start_vnetd()
            node.wait_granted()
        assert nodes[0].add("x")[0] == 0

        def conflicts():
            out = nodes[0].vnetctl("--json", "vnet", "conflicts")
            return out.returncode, json.loads(out.stdout)["conflicts"]
        deadline = time.time() + 10
        while time.time() < deadline and not conflicts()[1]:
            time.sleep(0.2)
        code, found = conflicts()
        assert code == 3 and found[0]["kind"] == "overlapping-pools" and found[0]["subject"] == "10.240.16.90-10.240.16.100", found
        text = nodes[0].vnetctl("vnet", "nodes")
        assert "na*" in text.stdout and "nb" in text.stdout, text.stdout
        # The contract's form: from the machine's namespace, entering the node's with --netns.
        import os
        import subprocess
        from vnettest.cni import BIN
        out = subprocess.run([os.path.join(BIN, "vnetctl"), "--state-dir", nodes[0].data_dir, "--netns", nodes[0].ns.name,
                              "vnet", "status", "--json"], capture_output=True, text=True, timeout=60)
        vnet = json.loads(out.stdout)
        assert out.returncode == 0 and {n["name"] for n in vnet["nodes"]} == {"na", "nb"} and vnet["limit"] == 16000, out
    finally:
        for node in nodes:
            node.cleanup()
        registry.cleanup()
