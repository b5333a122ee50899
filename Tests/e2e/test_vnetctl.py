"""vnetctl against a node the real plugin populated: reads agree with each other and with the kernel,
changes go through the operations layer, and metrics parse as Prometheus exposition."""
import json
import os

import pytest

from vnettest.cni import BIN, Runtime, load_state
from vnettest.netns import nat_pods, sh
from vnettest.topology import GATEWAY, Topology, ping

NET = "vnet-e2e"


def ctl(node, *args, check=True):
    return sh(os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, *args, check=check)


def ctl_json(node, *args):
    return json.loads(ctl(node, "--json", *args).stdout)


def test_every_read_command_shows_the_pods_consistently(node5):
    topo, node, runtime, pods, ips = node5
    status = ctl_json(node, "status")
    assert len(status["endpoints"]) == 5 and status["usage"]["used"] == 5
    assert status["usage"]["limits"] == {"maxPodsPerNode": 250, "maxPodsPerVNet": 16000}
    assert status["bridge"] == "vnet0" and status["nat"]["present"]
    text = ctl(node, "status").stdout
    assert "node 5/250" in text and "16000" in text

    pool = ctl_json(node, "pool")
    assert pool["usage"]["used"] == 5 and pool["usage"]["capacity"] == 497
    assert "5" in ctl(node, "pool").stdout

    endpoints = ctl_json(node, "endpoints")
    assert sorted(e["address"] for e in endpoints) == sorted(ips)
    assert {e["pod"]["name"] for e in endpoints} == {f"web-{i}" for i in range(5)}
    assert all(e["link"]["master"] == "vnet0" and e["netnsAlive"] for e in endpoints)
    text = ctl(node, "endpoints").stdout
    for ip in ips:
        assert ip in text
    assert "team/web-3" in text

    links = ctl_json(node, "links")
    veths = {e["hostVeth"] for e in endpoints}
    assert veths <= {l["name"] for l in links}
    kernel = {l["ifname"] for l in node.ns.links()}
    assert veths <= kernel
    assert all(v in ctl(node, "links").stdout for v in veths)

    nat = ctl_json(node, "nat")
    assert {p["address"] for p in nat["perPod"]} == set(ips)
    assert nat["snatAddress"] == node.primary
    assert node.primary in ctl(node, "nat").stdout
    assert nat_pods(node.ns) == set(ips)

    assert ctl_json(node, "leaks") == []
    assert "no suspected leaks" in ctl(node, "leaks").stdout


def test_attach_a_bare_namespace_and_detach_it(node5, namespaces):
    topo, node, runtime, pods, ips = node5
    bare = namespaces.make("bare")
    out = ctl_json(node, "attach", "--netns", bare.name, "--container", "bare1", "--pod", "ops/debug")
    address = out["address"].split("/")[0]
    assert ping(bare.path, GATEWAY), "the attached namespace reaches its gateway"
    assert address in (nat_pods(node.ns) or set())
    veth = out["hostVeth"]
    assert veth in {l["ifname"] for l in node.ns.links()}

    ctl(node, "detach", "--container", "bare1")
    assert veth not in {l["ifname"] for l in node.ns.links()}
    assert address not in (nat_pods(node.ns) or set())
    assert all(l["key"]["containerID"] != "bare1" for l in load_state(node.data_dir, NET)["leases"])
    audit = open(os.path.join(node.data_dir, "audit.log")).read().splitlines()
    assert any('"command":"attach' in line for line in audit) and any('"command":"detach' in line for line in audit)


def test_leaks_are_found_and_reclaimed(node5):
    topo, node, runtime, pods, ips = node5
    pods[2].delete()  # the pod vanished without a DEL
    leaks = ctl_json(node, "leaks")
    assert len(leaks) == 1 and leaks[0]["address"] == ips[2]
    assert "netns-gone" in leaks[0]["evidence"] and "no-veth" in leaks[0]["evidence"], "every piece of evidence that holds"
    assert "netns-gone" in ctl(node, "leaks").stdout

    before = open(os.path.join(node.data_dir, NET, "state.json"), "rb").read()
    dry = ctl(node, "reclaim", "--all-leaked", "--dry-run")
    assert "dry run" in dry.stdout and f"release {ips[2]}" in dry.stdout
    assert open(os.path.join(node.data_dir, NET, "state.json"), "rb").read() == before

    live = ctl(node, "reclaim", ips[0], check=False)
    assert live.returncode == 3 and "alive" in live.stdout

    done = ctl(node, "reclaim", "--all-leaked")
    assert f"reclaimed {ips[2]}" in done.stdout
    state = load_state(node.data_dir, NET)
    assert ips[2] not in {l["address"] for l in state["leases"]}
    assert ips[2] in {r["address"] for r in state["released"]}
    assert ips[2] not in (nat_pods(node.ns) or set())
    assert ctl_json(node, "leaks") == []
    routes = node.ns.run("ip", "route", "show", "dev", "vnet0").stdout
    assert ips[2] not in routes


def test_metrics_parse_as_prometheus_exposition(node5):
    topo, node, runtime, pods, ips = node5
    from prometheus_client.parser import text_string_to_metric_families
    families = {f.name: f for f in text_string_to_metric_families(ctl(node, "metrics").stdout)}
    used = [s.value for s in families["vnet_pool_used_addresses"].samples]
    assert used == [5.0]
    assert [s.value for s in families["vnet_limit_pods_per_node"].samples] == [250.0]
    assert [s.value for s in families["vnet_limit_pods_per_vnet"].samples] == [16000.0]
    calls = {(s.labels["plugin"], s.labels["verb"]): s.value for s in families["vnet_cni_calls"].samples
             if s.name == "vnet_cni_calls_total"}
    assert calls[("vnet", "ADD")] == 5.0
    assert families["vnet_cni_duration_seconds"].type == "histogram"


@pytest.mark.parametrize("kind", ["truncated", "empty", "garbage", "nul-filled"])
def test_state_repair_recovers(node5, kind):
    topo, node, runtime, pods, ips = node5
    path = os.path.join(node.data_dir, NET, "state.json")
    good = open(path, "rb").read()
    bad = {"truncated": good[:len(good) // 3], "empty": b"", "garbage": b"<<garbage>>", "nul-filled": b"\0" * 300}[kind]
    open(path, "wb").write(bad)
    assert ctl(node, "state", "check", check=False).returncode == 1
    assert "restored" in ctl(node, "state", "repair").stdout
    assert ctl(node, "state", "check").returncode == 0
    state = load_state(node.data_dir, NET)
    assert len({l["address"] for l in state["leases"]}) == len(state["leases"])


def test_usage_errors_exit_2(node5):
    topo, node, runtime, pods, ips = node5
    assert ctl(node, "reclaim", check=False).returncode == 2
    assert ctl(node, "attach", "--netns", "x", "--container", "-bad", check=False).returncode == 2
    assert ctl(node, "no-such-command", check=False).returncode == 2
