"""What the seed documents promise, checked where the packets land."""
import json
import os

import pytest

from vnettest.cni import Runtime
from vnettest.netns import sh
from vnettest.topology import INTERNET, PEER, SourceRecorder, Topology, ping, seen_source


@pytest.fixture
def attached(namespaces, topo):
    """Two pods on node A, one on node B."""
    a, b = topo.nodes
    ra, rb = Runtime(a.conflist(), node=a.ns), Runtime(b.conflist(), node=b.ns)
    pods = namespaces.make_many("t", 3)
    ips = [ra.add("a0", pods[0].path)["ips"][0]["address"].split("/")[0],
           ra.add("a1", pods[1].path)["ips"][0]["address"].split("/")[0],
           rb.add("b0", pods[2].path)["ips"][0]["address"].split("/")[0]]
    yield topo, pods, ips
    for r, c in ((ra, "a0"), (ra, "a1"), (rb, "b0")):
        r.delete(c)


def nat_counters(node):
    doc = json.loads(node.ns.run("nft", "-j", "list", "table", "ip", "vnet").stdout)["nftables"]
    packets = 0
    for obj in doc:
        rule = obj.get("rule")
        if rule:
            for expr in rule["expr"]:
                if "counter" in expr and any("snat" in e or "masquerade" in e for e in rule["expr"]):
                    packets += expr["counter"]["packets"]
    return packets


def test_pod_reaches_peer_with_its_own_address_and_peer_reaches_pod(attached):
    topo, pods, ips = attached
    recorder = SourceRecorder(topo.peer)
    try:
        assert seen_source(pods[0].path, PEER) == ips[0], "the peer must see the pod's own address"
    finally:
        recorder.stop()
    pod_listener = SourceRecorder(pods[0])
    try:
        assert seen_source(topo.peer.path, ips[0]) == PEER, "the peer reaches the pod directly, without NAT"
    finally:
        pod_listener.stop()


def test_internet_traffic_leaves_from_the_node_primary_and_counters_rise(attached):
    topo, pods, ips = attached
    node = topo.nodes[0]
    before = nat_counters(node)
    recorder = SourceRecorder(topo.internet)
    try:
        assert seen_source(pods[0].path, INTERNET) == node.primary
    finally:
        recorder.stop()
    assert nat_counters(node) > before


def test_pods_on_one_node_reach_each_other_over_the_bridge(attached):
    topo, pods, ips = attached
    listener = SourceRecorder(pods[1])
    try:
        assert seen_source(pods[0].path, ips[1]) == ips[0]
    finally:
        listener.stop()


def test_pods_on_two_nodes_reach_each_other_without_nat(attached):
    topo, pods, ips = attached
    listener = SourceRecorder(pods[2])
    try:
        assert seen_source(pods[0].path, ips[2]) == ips[0]
    finally:
        listener.stop()
    assert ping(pods[2].path, ips[0])


def test_pod_reaches_its_gateway_and_node(attached):
    topo, pods, ips = attached
    assert ping(pods[0].path, "10.240.0.1")
    assert ping(pods[0].path, topo.nodes[0].primary)


@pytest.mark.parametrize("tamper", [("flush", "chain", "ip", "vnet", "postrouting"), ("flush", "ruleset")],
                         ids=["chain-flushed", "ruleset-flushed"])
def test_the_next_add_repairs_a_tampered_nat_table(namespaces, topo, tamper):
    """A firewall reload or an operator's nft drops vnet's rules or its whole table. The next ADD sees it
    (the quick netlink look every ADD takes), rebuilds the table with every recorded pod in it, and the
    pods that were there before SNAT again and pass CHECK."""
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(), node=node.ns)
    pods = namespaces.make_many("n", 2)
    runtime.add("n0", pods[0].path)
    try:
        node.ns.run("nft", *tamper)
        runtime.add("n1", pods[1].path)
        try:
            runtime.check("n0")
            runtime.check("n1")
            recorder = SourceRecorder(topo.internet)
            try:
                assert seen_source(pods[0].path, INTERNET) == node.primary, "the older pod is translated again"
            finally:
                recorder.stop()
        finally:
            runtime.delete("n1")
    finally:
        runtime.delete("n0")
