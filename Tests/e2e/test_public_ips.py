"""Public IPs on the test topology: the internet host reaches a pod at its public IP, the pod's internet
traffic leaves with it, an address held by another pod is refused with code 107 and nothing changes, CHECK
sees an element deleted by hand, and DEL leaves nothing. The fabric routes each public IP to its node's
primary address (docs/nat.md, "How a public IP reaches the node")."""
import json

import pytest

from translation import TCPSourceServer, map_elements, tcp_source
from vnettest.cni import PluginError, Runtime, exec_plugin, load_state
from vnettest.topology import INTERNET, PEER, SourceRecorder, seen_source

NET = "vnet-e2e"
PUBLIC = "198.51.100.10"
PUBLIC_ARGS = "198.51.100.11"


@pytest.fixture
def public(namespaces, topo):
    """Node A with web/web-0 given PUBLIC by `publicIPs`, web/web-1 given PUBLIC_ARGS by CNI_ARGS, and a pod
    without one; the fabric routes both public IPs to node A."""
    node = topo.nodes[0]
    for address in (PUBLIC, PUBLIC_ARGS):
        topo.fabric.run("ip", "route", "add", f"{address}/32", "via", node.primary, "dev", "fa")
    runtime = Runtime(node.conflist(publicIPs=[{"pod": "web/web-0", "address": PUBLIC}]), node=node.ns)
    pods = namespaces.make_many("p", 3)
    args = ["K8S_POD_NAMESPACE=web;K8S_POD_NAME=web-0", f"K8S_POD_NAMESPACE=web;K8S_POD_NAME=web-1;VNET_PUBLIC_IP={PUBLIC_ARGS}",
            "K8S_POD_NAMESPACE=web;K8S_POD_NAME=plain"]
    ips = [runtime.add(f"p{i}", pods[i].path, args=args[i])["ips"][0]["address"].split("/")[0] for i in range(3)]
    yield topo, node, runtime, pods, ips
    for i in range(3):
        if (f"p{i}", "eth0") in runtime.cache:
            runtime.delete(f"p{i}")


def test_the_internet_reaches_the_pod_at_its_public_ip(public):
    topo, node, runtime, pods, ips = public
    server = TCPSourceServer(pods[0].path, 80)
    try:
        assert tcp_source(topo.internet.path, PUBLIC, 80) == INTERNET, "the pod sees the internet host's own address"
        assert tcp_source(topo.peer.path, PUBLIC, 80) == PEER
    finally:
        server.stop()


def test_the_pods_internet_traffic_leaves_with_its_public_ip(public):
    topo, node, runtime, pods, ips = public
    recorder = SourceRecorder(topo.internet)
    try:
        assert seen_source(pods[0].path, INTERNET) == PUBLIC
        assert seen_source(pods[1].path, INTERNET) == PUBLIC_ARGS, "VNET_PUBLIC_IP from CNI_ARGS"
        assert seen_source(pods[2].path, INTERNET) == node.primary, "a pod without a public IP leaves with the node's"
    finally:
        recorder.stop()
    peer = SourceRecorder(topo.peer)
    try:
        assert seen_source(pods[0].path, PEER) == ips[0], "a no-SNAT range still sees the pod's own address"
    finally:
        peer.stop()


def test_pods_on_the_node_reach_a_public_ip_and_so_does_its_own_pod(public):
    topo, node, runtime, pods, ips = public
    server = TCPSourceServer(pods[0].path, 80)
    try:
        assert tcp_source(pods[2].path, PUBLIC, 80) == node.primary, "hairpin: through the node, from its address"
        assert tcp_source(node.ns.path, PUBLIC, 80) != "", "the node itself reaches the public IP"
        assert tcp_source(pods[0].path, PUBLIC, 80) == node.primary, "the pod reaches its own public IP (hairpin)"
    finally:
        server.stop()


def test_a_public_ip_held_by_another_pod_is_refused_and_nothing_changes(public, namespaces):
    topo, node, runtime, pods, ips = public
    links = {link["ifname"] for link in node.ns.links()}
    state = load_state(node.data_dir, NET)
    maps = map_elements(node.ns)
    pod = namespaces.make("clash")
    conf = runtime._config(runtime.conflist["plugins"][0], None)
    for args, code, words in ((f"VNET_PUBLIC_IP={PUBLIC_ARGS}", 107, "is already given to container p1"),
                              (f"K8S_POD_NAMESPACE=web;K8S_POD_NAME=x;VNET_PUBLIC_IP={PUBLIC_ARGS}", 107, "is already given to container p1"),
                              (f"K8S_POD_NAMESPACE=web;K8S_POD_NAME=x;VNET_PUBLIC_IP={PUBLIC}", 7, 'is given to web/web-0 by "publicIPs"')):
        status, out, raw, err = exec_plugin("vnet", "ADD", conf, container="clash0", netns=pod.path, ifname="eth0", args=args,
                                            node=node.ns)
        assert status != 0 and out["code"] == code and words in out["msg"], raw
    assert {link["ifname"] for link in node.ns.links()} == links
    after = load_state(node.data_dir, NET)
    assert after["endpoints"] == state["endpoints"] and after["leases"] == state["leases"]
    assert map_elements(node.ns) == maps


def test_a_public_ip_inside_the_vnet_is_code_7_naming_the_key(public, namespaces):
    topo, node, runtime, pods, ips = public
    pod = namespaces.make("inside")
    conf = runtime._config(runtime.conflist["plugins"][0], None)
    status, out, raw, err = exec_plugin("vnet", "ADD", conf, container="in0", netns=pod.path, ifname="eth0",
                                        args="VNET_PUBLIC_IP=10.240.9.9", node=node.ns)
    assert status != 0 and out["code"] == 7 and "VNET_PUBLIC_IP 10.240.9.9 is inside the VNet's own range" in out["msg"], raw
    bad = dict(conf, publicIPs=[{"pod": "web/web-0", "address": "10.240.9.9"}])
    status, out, raw, err = exec_plugin("vnet", "ADD", bad, container="in0", netns=pod.path, ifname="eth0", node=node.ns)
    assert status != 0 and out["code"] == 7 and 'publicIPs[0] web/web-0: "address"' in out["msg"], raw


def test_check_sees_an_element_deleted_by_hand_and_del_leaves_nothing(public):
    topo, node, runtime, pods, ips = public
    runtime.check("p0")
    state = load_state(node.data_dir, NET)
    recorded = [e for e in state["endpoints"] if e["key"]["containerID"] == "p0"][0]
    assert recorded["publicIP"] == PUBLIC
    node.ns.run("nft", "delete", "element", "ip", "vnet", "public_out", "{", ips[0], "}")
    with pytest.raises(PluginError) as failure:
        runtime.check("p0")
    assert failure.value.code == 105 and "public_out" in failure.value.msg
    for i in range(3):
        runtime.delete(f"p{i}")
    runtime.delete("p0")  # a second DEL succeeds too
    assert all(elements == [] for elements in map_elements(node.ns).values()), map_elements(node.ns)
