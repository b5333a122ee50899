"""The vnet plugin driven as libcni drives a conflist: vnet + portmap, ADD/CHECK/DEL, at 1 and 16 in parallel."""
import json
import os

import pytest

from vnettest.cni import PluginError, Runtime, call, exec_plugin, load_state, parallel
from vnettest.netns import nat_pods, sh
from vnettest.topology import GATEWAY, Topology

PORTMAP = {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}


def host_links(node):
    return [l["ifname"] for l in node.ns.links() if l["ifname"].startswith("vn") and l["ifname"] != "vnet0"]


def assert_clean(node, network="vnet-e2e"):
    assert host_links(node) == [], "a veth survived"
    if os.path.exists(os.path.join(node.data_dir, network, "state.json")):
        state = load_state(node.data_dir, network)
        assert state["leases"] == [] and state["endpoints"] == []
    pods = nat_pods(node.ns)
    assert not pods, f"per-pod NAT state survived: {pods}"


def assert_attached(node, result, netns_path, ifname="eth0"):
    names = [i["name"] for i in result["interfaces"]]
    assert names[0] == "vnet0" and names[1].startswith("vn") and names[2] == ifname
    assert result["interfaces"][2]["sandbox"] == netns_path and "sandbox" not in result["interfaces"][1]
    ip = result["ips"][0]
    assert ip["interface"] == 2 and ip["gateway"] == GATEWAY
    address = ip["address"].split("/")[0]
    inside = sh("nsenter", f"--net={netns_path}", "ip", "-j", "addr", "show", ifname).stdout
    assert address in inside
    return address


@pytest.mark.parametrize("workers", [1, 16])
def test_250_pods_through_the_runtime_driver(namespaces, topo, workers):
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(extra_plugins=[PORTMAP], version="1.0.0"), node=node.ns)
    pods = namespaces.make_many("p", 250)

    def add(i):
        return assert_attached(node, runtime.add(f"ctr{i:03d}", pods[i].path,
                                                 args=f"IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod{i}"), pods[i].path)

    addresses = parallel(add, range(250), workers)
    assert len(set(addresses)) == 250
    state = load_state(node.data_dir, "vnet-e2e")
    assert len(state["leases"]) == 250 and len(state["endpoints"]) == 250
    assert len(host_links(node)) == 250
    parallel(lambda i: runtime.check(f"ctr{i:03d}"), range(250), workers)
    parallel(lambda i: runtime.delete(f"ctr{i:03d}"), range(250), workers)
    assert_clean(node)


def test_host_ends_carry_no_ipv6_and_the_bridge_keeps_its_mac(namespaces, topo):
    """The host ends are bridge ports: no IPv6 addresses or routes of their own (which would make every ADD
    walk a table growing with the pods). And the bridge's MAC, the pods' gateway MAC through proxy ARP, is its
    own: a port with a lower MAC does not take it over."""
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(), node=node.ns)
    pods = namespaces.make_many("v6", 3)
    runtime.add("v6-0", pods[0].path)
    bridge_mac = node.ns.json("link", "show", "vnet0")[0]["address"]
    low = "02:00:00:00:00:01"  # lower than any MAC the bridge could have drawn
    node.ns.run("ip", "link", "add", "vnlow", "address", low, "type", "veth", "peer", "name", "vnlowpeer")
    try:
        node.ns.run("ip", "link", "set", "vnlow", "master", "vnet0", "up")
        for i in (1, 2):
            runtime.add(f"v6-{i}", pods[i].path)
        assert node.ns.json("link", "show", "vnet0")[0]["address"] == bridge_mac
    finally:
        node.ns.run("ip", "link", "del", "vnlow", check=False)
    for name in host_links(node):
        assert node.ns.run("cat", f"/proc/sys/net/ipv6/conf/{name}/disable_ipv6").stdout.strip() == "1", name
        assert [a for entry in node.ns.json("-6", "addr", "show", "dev", name) for a in entry.get("addr_info", [])] == [], name
    routes = node.ns.run("ip", "-6", "route", "show", "table", "all").stdout
    assert not [line for line in routes.splitlines() if " dev vn" in line and "vnet0" not in line], routes
    for i in range(3):
        runtime.delete(f"v6-{i}")
    assert_clean(node)


def inet6(pod, ifname):
    return [a for e in json.loads(pod.run("ip", "-j", "-6", "addr", "show", "dev", ifname).stdout or "[]")
            for a in e.get("addr_info", [])]


@pytest.mark.parametrize("pod_ipv6", [False, True])
def test_pod_ipv6_is_off_on_the_pod_interface_unless_asked_for(namespaces, topo, pod_ipv6):
    """An IPv4 pool: by default the pod's interface has no IPv6 link-local address (which would multicast to
    every pod on the bridge), and only that interface is touched: lo keeps ::1. `podIPv6: true` leaves the
    kernel's default."""
    node = topo.nodes[0]
    conflist = node.conflist(podIPv6=True) if pod_ipv6 else node.conflist()
    runtime = Runtime(conflist, node=node.ns)
    pod = namespaces.make(f"p6{int(pod_ipv6)}")
    runtime.add("p6", pod.path)
    mode = pod.json("-d", "link", "show", "eth0")[0].get("inet6_addr_gen_mode")
    assert mode == ("eui64" if pod_ipv6 else "none"), mode
    if pod_ipv6:
        assert any(a["local"].startswith("fe80:") for a in inet6(pod, "eth0"))
    else:
        assert inet6(pod, "eth0") == []
    assert [a["local"] for a in inet6(pod, "lo")] == ["::1"]
    runtime.check("p6")
    runtime.delete("p6")
    assert_clean(node)


def test_pod_limit_is_enforced_through_ipam(namespaces, topo):
    node = topo.nodes[0]
    conf = node.conflist()
    conf["plugins"][0]["ipam"]["maxPodsPerNode"] = 2
    runtime = Runtime(conf, node=node.ns)
    pods = namespaces.make_many("l", 3)
    runtime.add("l0", pods[0].path)
    runtime.add("l1", pods[1].path)
    with pytest.raises(PluginError) as limited:
        runtime.add("l2", pods[2].path)
    assert limited.value.code == 101 and "maxPodsPerNode" in limited.value.msg
    assert len(host_links(node)) == 2, "the refused pod left a veth"


def test_exhausted_pool_leaves_nothing(namespaces, topo):
    node = topo.nodes[0]
    node.pool_range = "10.240.16.10"
    runtime = Runtime(node.conflist(), node=node.ns)
    pods = namespaces.make_many("x", 2)
    runtime.add("x0", pods[0].path)
    with pytest.raises(PluginError) as exhausted:
        runtime.add("x1", pods[1].path)
    assert exhausted.value.code == 100
    assert len(host_links(node)) == 1
    assert [l["ifname"] for l in pods[1].links()] == ["lo"]


@pytest.mark.parametrize("how", ["netns-deleted", "empty-netns", "twice", "unknown"])
def test_del_always_succeeds_and_cleans(namespaces, topo, how):
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(), node=node.ns)
    pod = namespaces.make("d")
    if how != "unknown":
        runtime.add("d0", pod.path)
    if how == "netns-deleted":
        pod.delete()
        runtime.delete("d0")
    elif how == "empty-netns":
        runtime.delete("d0", netns="")
    elif how == "twice":
        runtime.delete("d0")
        runtime.cache[("d0", "eth0")] = (None, pod.path, "")
        runtime.delete("d0")
    else:
        runtime.cache[("never", "eth0")] = (None, pod.path, "")
        runtime.delete("never")
    assert_clean(node)


def test_check_detects_drift(namespaces, topo):
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(), node=node.ns)
    pod = namespaces.make("c")
    result = runtime.add("c0", pod.path)
    runtime.check("c0")
    pod.run("ip", "addr", "flush", "dev", "eth0")
    with pytest.raises(PluginError) as drift:
        runtime.check("c0")
    assert drift.value.code == 105 and "lacks" in drift.value.msg
    runtime.delete("c0")


def test_gc_removes_what_is_not_valid_and_stale_veths(namespaces, topo):
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(), node=node.ns)
    pods = namespaces.make_many("g", 4)
    for i, pod in enumerate(pods):
        runtime.add(f"g{i}", pod.path)
    node.ns.run("ip", "link", "add", "vnstale0", "type", "veth", "peer", "name", "vnstale1")
    node.ns.run("ip", "link", "set", "vnstale0", "master", "vnet0")
    runtime.gc([("g1", "eth0")])
    state = load_state(node.data_dir, "vnet-e2e")
    assert [l["key"]["containerID"] for l in state["leases"]] == ["g1"]
    assert len(host_links(node)) == 1, host_links(node)


def test_status_and_version(topo):
    node = topo.nodes[0]
    conf = dict(node.conflist()["plugins"][0], cniVersion="1.1.0", name="vnet-e2e")
    call("vnet", "STATUS", conf, node=node.ns)
    status, out, raw, _ = exec_plugin("vnet", "VERSION", {"cniVersion": "1.0.0"}, netns="dummy", ifname="dummy", path="dummy")
    assert status == 0 and out["cniVersion"] == "1.0.0" and "1.1.0" in out["supportedVersions"], raw


@pytest.mark.parametrize("version", ["0.3.1", "0.4.0", "1.0.0"])
def test_older_runtimes_get_their_version(namespaces, topo, version):
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(version=version), node=node.ns)
    pod = namespaces.make("v")
    result = runtime.add("v0", pod.path)
    assert result["cniVersion"] == version
    if version != "0.3.1":
        runtime.check("v0")
    runtime.delete("v0")
    assert_clean(node)
