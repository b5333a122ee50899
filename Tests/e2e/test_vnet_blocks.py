"""Addresses from the VNet (pool source `vnet`): nodes claim blocks of one VNet subnet in etcd through vnetd,
pods get addresses of their own node's blocks, the fabric is programmed from `vnetctl vnet routes`, empty
blocks go back, a forgotten node's blocks cool down, and bad input is refused with code 7."""
import ipaddress
import json
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from vnettest.cni import BIN, exec_plugin, wait_for
from vnettest.registry import Registry
from vnettest.topology import link_pair
from vnettest.vnetnode import NETWORK, VNetNode

SUBNET = "10.240.0.0/16"
GATEWAY = "10.240.0.1"
PEER = "192.168.1.10"


def vnet_pool(**extra):
    pool = {"source": "vnet", "subnet": SUBNET, "gateway": GATEWAY, "exclude": ["10.240.0.0/24"], "blockSize": 16,
            "warmAddresses": 16, "blockReleaseSeconds": 300}
    pool.update(extra)
    return pool


class Fabric:
    """The VNet's data plane for block-owning nodes: each node's eth0 (primary 10.240.0.4+) on a fabric that
    routes only what `vnetctl vnet routes` says, and a peer host beyond it."""

    def __init__(self, namespaces):
        self.ns = namespaces.make("fab")
        self.ns.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.ns.run("ip", "addr", "add", f"{GATEWAY}/32", "dev", "lo")
        self.peer = namespaces.make("peer")
        link_pair(self.peer, "eth0", self.ns, "fp")
        self.peer.run("ip", "addr", "add", f"{PEER}/24", "dev", "eth0")
        self.peer.run("ip", "link", "set", "eth0", "up")
        self.peer.run("ip", "route", "add", "default", "via", "192.168.1.1")
        self.ns.run("ip", "addr", "add", "192.168.1.1/24", "dev", "fp")
        self.ns.run("ip", "link", "set", "fp", "up")
        self.links = {}

    def attach(self, node_ns, index):
        primary, link = f"10.240.0.{4 + index}", f"f{index}"
        link_pair(node_ns, "eth0", self.ns, link)
        node_ns.run("ip", "addr", "add", f"{primary}/16", "dev", "eth0")
        node_ns.run("ip", "link", "set", "eth0", "up")
        node_ns.run("ip", "route", "add", "default", "via", GATEWAY, "dev", "eth0")
        self.ns.run("ip", "link", "set", link, "up")
        self.ns.run("sysctl", "-qw", f"net.ipv4.conf.{link}.proxy_arp=1")
        self.ns.run("ip", "route", "add", f"{primary}/32", "dev", link)
        self.links[primary] = link
        return primary

    def program(self, routes):
        """Installs the registry's routes (block via owner primary) as a router fed by the control plane would."""
        for route in routes:
            self.ns.run("ip", "route", "replace", route["prefix"], "via", route["via"], "dev", self.links[route["via"]])


@pytest.fixture
def vnet(namespaces):
    made = {"registry": None, "nodes": []}

    def make(members=3, names=("na", "nb", "nc"), fabric=False, start=True, **options):
        made["registry"] = Registry(namespaces, members=members)
        made["fabric"] = Fabric(namespaces) if fabric else None
        pool = options.pop("pool", {})
        for i, name in enumerate(names):
            node = VNetNode(namespaces, made["registry"], name, i, pool_config=vnet_pool(**pool), **options)
            if fabric:
                primary = made["fabric"].attach(node.ns, i)
                node.plugin["snatAddress"] = primary
                with open(node.config_path, "w") as f:
                    json.dump(node.conflist(), f)
            made["nodes"].append(node)
        if start:
            for node in made["nodes"]:
                node.start_vnetd(give_back=1, interval=0.3)
            for node in made["nodes"]:
                node.wait_granted(at_least=0)
        return made["registry"], made["nodes"], made["fabric"]
    yield make
    for node in made["nodes"]:
        node.cleanup()
    if made["registry"]:
        made["registry"].cleanup()


def blocks_in_etcd(registry, vnet="prod"):
    keys, revision = registry.get_prefix(f"/vnet/v1/{vnet}/blocks/")
    return {json.loads(v)["block"]: json.loads(v) for v in keys.values()}, revision


def owned(blocks, node):
    return [ipaddress.ip_network(b) for b, rec in blocks.items() if rec["state"] == "claimed" and rec["node"] == node]


def pod_address(pod):
    out = pod.run("ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout.split()
    return out[out.index("inet") + 1].split("/")[0]


def ping(ns, target):
    return ns.run("ping", "-c", "1", "-W", "2", "-q", target, check=False).returncode == 0


def test_pods_get_unique_addresses_from_their_own_nodes_blocks_and_reach_each_other(vnet):
    registry, nodes, fabric = vnet(members=3, fabric=True)
    for node in nodes:
        node.wait_granted()
    jobs = [(nodes[i % 3], f"p{i}") for i in range(120)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda job: (job, job[0].add(job[1])), jobs))
    failed = [(node.name, cid, out) for (node, cid), (status, out, raw) in results if status != 0]
    assert not failed, failed[:3]

    seen = {}
    for node in nodes:
        for cid, pod in node.pods.items():
            address = pod_address(pod)  # read inside the pod
            assert address not in seen, f"{address} is on {seen[address]} and {node.name}/{cid}"
            seen[address] = f"{node.name}/{cid}"
    assert len(seen) == 120

    blocks, _ = blocks_in_etcd(registry)  # etcd, read with etcdctl
    listed = json.loads(nodes[0].vnetctl("--json", "vnet", "blocks").stdout)
    assert {row["block"]: row["node"] for row in listed if row["state"] == "claimed"} == \
        {b: rec["node"] for b, rec in blocks.items() if rec["state"] == "claimed"}
    for node in nodes:
        mine = owned(blocks, node.name)
        for cid, pod in node.pods.items():
            address = ipaddress.ip_address(pod_address(pod))
            assert any(address in block for block in mine), (node.name, cid, str(address), [str(b) for b in mine])

    routes = json.loads(nodes[0].vnetctl("--json", "vnet", "routes").stdout)
    assert routes and all({"prefix", "via"} <= set(r) for r in routes), routes
    fabric.program(routes)
    # Pods on different nodes reach each other at their own addresses, and the peer host reaches them all.
    firsts = [next(iter(node.pods.values())) for node in nodes]
    for source in firsts:
        for target in firsts:
            if source is not target:
                assert ping(source, pod_address(target)), (source.name, pod_address(target))
    with ThreadPoolExecutor(16) as pool:
        unreachable = [a for a, ok in zip(seen, pool.map(lambda a: ping(fabric.peer, a), seen)) if not ok]
    assert not unreachable, unreachable[:5]


def test_empty_blocks_go_back_within_twice_the_release_delay(vnet):
    registry, nodes, _ = vnet(members=1, names=("na", "nb"), pool={"warmAddresses": 0, "blockReleaseSeconds": 2, "blockSize": 8})
    for node in nodes:
        for i in range(10):
            assert node.add(f"{node.name}{i}")[0] == 0
    blocks, _ = blocks_in_etcd(registry)
    assert all(len(owned(blocks, n.name)) >= 2 for n in nodes), blocks  # 10 pods need two blocks of 8
    for node in nodes:
        for cid in list(node.pods):
            assert node.delete(cid)[0] == 0
    deleted = time.time()
    assert wait_for(lambda: not any(owned(blocks_in_etcd(registry)[0], n.name) for n in nodes), timeout=2 * 2 + 3), blocks_in_etcd(registry)
    assert time.time() - deleted <= 2 * 2 + 3
    for node in nodes:
        assert node.pool_document()["addresses"] == [], node.pool_document()
        assert node.granted()["reserved"] == 0


def test_a_warm_target_keeps_one_block_and_claims_ahead(vnet):
    registry, (a,), _ = vnet(members=1, names=("na",), pool={"warmAddresses": 8, "blockReleaseSeconds": 1, "blockSize": 8})
    assert wait_for(lambda: len(owned(blocks_in_etcd(registry)[0], "na")) == 1, timeout=10)
    for i in range(6):
        assert a.add(f"w{i}")[0] == 0
    # Two free of eight: below the warm target, a second block is claimed before any ADD needs it.
    assert wait_for(lambda: len(owned(blocks_in_etcd(registry)[0], "na")) == 2, timeout=10), blocks_in_etcd(registry)
    # The console's overview says so: blocks claimed, used and the warm target.
    console = os.path.join(BIN, "vnet-console")
    once = subprocess.run([console, "--netns", a.ns.name, "--state-dir", a.data_dir, "--once", "--width", "120"],
                          capture_output=True, text=True, timeout=60).stdout
    assert "2 blocks of 8 claimed from the VNet" in once and "(claimed 16, warm target 8)" in once and "used 6" in once, once
    for cid in list(a.pods):
        assert a.delete(cid)[0] == 0
    assert wait_for(lambda: len(owned(blocks_in_etcd(registry)[0], "na")) == 1, timeout=10), blocks_in_etcd(registry)
    time.sleep(2.5)
    assert len(owned(blocks_in_etcd(registry)[0], "na")) == 1, "the warm target's block stays"


def test_near_the_limit_a_node_gets_a_partial_block(vnet):
    registry, (a, b), _ = vnet(members=1, names=("na", "nb"), limit=20, pool={"warmAddresses": 0, "blockSize": 16})
    for i in range(16):
        assert a.add(f"a{i}")[0] == 0
    for i in range(4):
        assert b.add(f"b{i}")[0] == 0
    status, out, raw = b.add("b-over")
    assert status != 0 and out["code"] == 106 and "limit 20" in out["msg"], raw
    blocks, _ = blocks_in_etcd(registry)
    counts = {}
    for rec in blocks.values():
        if rec["state"] == "claimed":
            counts[rec["node"]] = counts.get(rec["node"], 0) + sum(
                int(ipaddress.ip_address(r.split("-")[-1])) - int(ipaddress.ip_address(r.split("-")[0])) + 1 for r in rec["addresses"])
    assert sum(counts.values()) == 20 and counts["nb"] == 4, counts


def test_forget_node_returns_blocks_only_after_the_cooldown(vnet):
    # 32 addresses in four blocks of 8: b claims one, a fills the other three.
    registry, (a, b), _ = vnet(members=1, names=("na", "nb"), cooldown=8, lock_timeout=2,
                               pool={"subnet": "10.241.0.0/27", "gateway": "10.241.0.1", "exclude": [], "blockSize": 8,
                                     "warmAddresses": 0, "blockReleaseSeconds": 300})
    assert b.add("b0")[0] == 0
    theirs = [str(x) for x in owned(blocks_in_etcd(registry)[0], "nb")]
    assert len(theirs) == 1
    added = 0
    while a.add(f"a{added}")[0] == 0:
        added += 1
        assert added < 32
    assert len(owned(blocks_in_etcd(registry)[0], "na")) == 3, blocks_in_etcd(registry)
    b.stop_vnetd(signal.SIGKILL)  # its heartbeat expires; its pod may still hold b0's address
    assert wait_for(lambda: a.vnetctl("vnet", "forget-node", "nb", "--dry-run").returncode == 0, timeout=15)
    plan = a.vnetctl("vnet", "forget-node", "nb", "--dry-run")
    assert f"return block {theirs[0]}" in plan.stdout and "cooldown of 8s" in plan.stdout, plan.stdout
    done = a.vnetctl("vnet", "forget-node", "nb", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    forgotten = time.time()
    assert blocks_in_etcd(registry)[0][theirs[0]]["state"] == "cooling"
    # Within the cooldown nobody may claim it: a's ADD waits and is refused.
    status, out, raw = a.add("early")
    assert status != 0 and out["code"] == 106, raw
    assert time.time() - forgotten < 8 and theirs[0] not in [str(x) for x in owned(blocks_in_etcd(registry)[0], "na")]
    time.sleep(max(0.0, forgotten + 8.5 - time.time()))
    assert a.add("late")[0] == 0
    assert theirs[0] in [str(x) for x in owned(blocks_in_etcd(registry)[0], "na")]


@pytest.mark.parametrize("pool,ipam,key", [
    ({"blockSize": 12}, {}, "pool.blockSize"),
    ({"blockSize": 512}, {}, "pool.blockSize"),
    ({"gateway": "10.9.0.1"}, {}, "pool.gateway"),
    ({}, {"registry": None}, "ipam.registry"),
])
def test_bad_vnet_pools_are_refused_with_code_7_and_nothing_claimed(namespaces, pool, ipam, key):
    registry = Registry(namespaces, members=1)
    node = VNetNode(namespaces, registry, "na", 0, pool_config=vnet_pool(**pool))
    try:
        for k, v in ipam.items():
            if v is None:
                node.plugin["ipam"].pop(k)
        ns = namespaces.make("pod")
        status, out, raw, err = exec_plugin("vnet", "ADD", node.network_config(), container="c1", netns=ns.path, ifname="eth0", node=node.ns)
        assert status != 0 and out["code"] == 7 and key in out["msg"], raw
        assert registry.get_prefix("/vnet/v1/")[0] == {}
    finally:
        node.cleanup()
        registry.cleanup()


def test_overlapping_subnets_of_two_networks_in_one_vnet_are_refused(vnet):
    registry, (a, b), _ = vnet(members=1, names=("na", "nb"), start=False)
    a.start_vnetd()
    a.wait_granted(at_least=0)
    # Node b's network has another name and an overlapping subnet.
    b.plugin["ipam"]["pool"] = vnet_pool(subnet="10.240.128.0/17", gateway="10.240.128.1", exclude=[])
    conf = dict(b.conflist(), name="other-net")
    with open(b.config_path, "w") as f:
        json.dump(conf, f)
    b.start_vnetd()
    path = os.path.join(b.data_dir, "other-net", "vnet-pool.json")
    assert wait_for(lambda: os.path.exists(path) and "refused" in open(path).read(), timeout=15), b.log()
    pod = b.namespaces.make("nb-x")
    status, out, raw, err = exec_plugin("vnet", "ADD", dict(b.plugin, cniVersion="1.1.0", name="other-net"), container="x",
                                        netns=pod.path, ifname="eth0", node=b.ns)
    assert status != 0 and out["code"] == 7 and "pool.subnet" in raw and "overlaps" in raw, raw
    assert not owned(blocks_in_etcd(registry)[0], "nb")
