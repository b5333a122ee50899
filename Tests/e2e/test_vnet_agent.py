"""vnetd's failure semantics and duties (issue #16): etcd's leader killed and all of etcd stopped, SIGTERM and
restart, forget-node, automatic reclaim (leaks and an earlier boot's leases), metrics and /healthz. Nodes are
namespaces with their own vnetd; etcd lives in the registry's namespace (vnettest.registry)."""
import json
import os
import signal
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from vnettest.cni import load_state, wait_for
from vnettest.registry import Registry, invariant_violation, quota_of
from vnettest.vnetnode import NETWORK, VNetNode, audit, http_get

METRICS = "127.0.0.1:9479"


@pytest.fixture
def cluster(namespaces):
    made = {"registry": None, "nodes": []}

    def make(members=3, names=("na", "nb"), **node_options):
        made["registry"] = Registry(namespaces, members=members)
        made["nodes"] = [VNetNode(namespaces, made["registry"], name, i, **node_options) for i, name in enumerate(names)]
        for node in made["nodes"]:
            node.start_vnetd(metrics=METRICS)
        for node in made["nodes"]:
            node.wait_granted()
        return made["registry"], made["nodes"]
    yield make
    for node in made["nodes"]:
        node.cleanup()
    if made["registry"]:
        made["registry"].cleanup()


def metrics_of(node):
    status, body = http_get(node, f"http://{METRICS}/metrics")
    assert status == 200, body
    return {(s.name, s.labels.get("le")): s.value for f in text_string_to_metric_families(body) for s in f.samples}


def healthz(node):
    status, body = http_get(node, f"http://{METRICS}/healthz")
    return status, json.loads(body)


def test_adds_go_on_without_etcd_and_growth_resumes_after(cluster):
    registry, (a, b) = cluster(limit=100, step=4, lock_timeout=4)
    for i in range(3):
        assert a.add(f"a{i}")[0] == 0
    # The leader killed: at most a retry; growth (past a's 4) still goes through.
    registry.stop(registry.leader())
    for i in range(3, 7):
        status, out, raw = a.add(f"a{i}")
        assert status == 0, raw
    registry.start_all()
    wait_for(lambda: a.granted()["reserved"] >= 8, timeout=10)
    # All of etcd stopped: ADDs within the reservation keep working, growth waits and says why.
    registry.stop_all()
    held = a.granted()["reserved"]
    while len(a.leases()) < held:
        status, out, raw = a.add(f"a{len(a.leases())}-within")
        assert status == 0, raw
    status, out, raw = a.add("a-beyond")
    assert status != 0 and out["code"] == 106 and ("registry cannot be reached" in out["msg"] or "registry has not answered" in out["msg"]), raw
    wait_for(lambda: healthz(a)[0] == 503, timeout=10)
    assert healthz(a)[1]["registryReachable"] is False
    text = a.vnetctl("vnet", "status")
    assert text.returncode == 1 and "registry unreachable" in text.stderr and "last grant" in text.stderr, text.stderr
    shown = json.loads(a.vnetctl("--json", "vnet", "status").stdout)
    assert shown["registry"]["reachable"] is False and shown["lastGrant"]["reserved"] == held, shown
    # Back: growth resumes; nothing was counted twice.
    registry.start_all()
    status, out, raw = a.add("a-beyond")
    assert status == 0, raw
    wait_for(lambda: healthz(a)[0] == 200, timeout=10)
    limit, reserved, nodes, _ = quota_of(registry, "prod")
    assert invariant_violation(limit, reserved, nodes) is None
    assert nodes["na"] >= len(a.leases())


def test_sigterm_ends_cleanly_and_a_restart_continues(cluster):
    registry, (a, b) = cluster(members=1, step=8)
    for i in range(9):
        assert a.add(f"a{i}")[0] == 0
    wait_for(lambda: quota_of(registry, "prod")[2].get("na") == 16, timeout=10)
    assert a.stop_vnetd(signal.SIGTERM) == 0
    vnet = json.loads(b.vnetctl("--json", "vnet", "status").stdout)
    node = next(n for n in vnet["nodes"] if n["name"] == "na")
    assert node["alive"] is False and node["reserved"] == 16, node
    a.start_vnetd(metrics=METRICS)
    wait_for(lambda: any(n["name"] == "na" and n["alive"] for n in json.loads(b.vnetctl("--json", "vnet", "status").stdout)["nodes"]),
             timeout=10)
    limit, reserved, nodes, _ = quota_of(registry, "prod")
    assert nodes["na"] == 16 and reserved == sum(nodes.values()), nodes


def test_forget_node_returns_a_lost_nodes_reservation(cluster):
    registry, (a, b) = cluster(members=1, step=8)
    assert b.add("b0")[0] == 0
    refused = a.vnetctl("vnet", "forget-node", "nb", "--yes")
    assert refused.returncode == 3 and "heartbeat is alive" in refused.stdout, refused.stdout
    wait_for(lambda: any(n["name"] == "nb" and n["used"] == 1 for n in json.loads(a.vnetctl("--json", "vnet", "status").stdout)["nodes"]),
             timeout=15)
    b.stop_vnetd(signal.SIGKILL)  # a vanished node: its lease expires after the heartbeat TTL
    wait_for(lambda: not any(n["name"] == "nb" and n["alive"] for n in json.loads(a.vnetctl("--json", "vnet", "status").stdout)["nodes"]),
             timeout=15)
    assert quota_of(registry, "prod")[2]["nb"] == 8  # kept until forgotten
    plan = a.vnetctl("vnet", "forget-node", "nb", "--dry-run")
    assert plan.returncode == 0 and "release the 8 pods reserved by nb" in plan.stdout and "held 1 pods" in plan.stdout, plan.stdout
    done = a.vnetctl("vnet", "forget-node", "nb", "--yes")
    assert done.returncode == 0 and "forgot nb: 8 pods returned" in done.stdout, done.stdout + done.stderr
    limit, reserved, nodes, _ = quota_of(registry, "prod")
    assert "nb" not in nodes and reserved == nodes["na"]
    assert any(e["tool"] == "vnetctl" and "forget-node nb" in e["command"] for e in audit(a)), audit(a)


def test_vnetd_reclaims_a_dead_pod_and_never_a_live_one(cluster):
    registry, (a,) = cluster(members=1, names=("na",), auto_reclaim=2)
    for cid in ("dead", "alive"):
        assert a.add(cid)[0] == 0
    a.pods.pop("dead").delete()  # gone without a DEL: namespace and veth
    assert wait_for(lambda: len(a.leases()) == 1, timeout=20), a.leases()
    assert "alive" in json.dumps(a.leases()[0]), "the live pod's lease must stay"
    # The audit record follows the change it describes, so it may land a moment after the lease goes.
    reclaimed = lambda: [e for e in audit(a) if e["tool"] == "vnetd" and "auto-reclaim" in e["command"]]
    assert wait_for(reclaimed, timeout=5), audit(a)
    time.sleep(7)  # more passes: the live pod stays
    assert len(a.leases()) == 1
    m = metrics_of(a)
    assert m[("vnetd_reclaimed_total", None)] == 1 and m[("vnetd_pods_used", None)] == 1, m


def test_leases_of_an_earlier_boot_are_reclaimed_at_start(cluster):
    registry, (a,) = cluster(members=1, names=("na",), auto_reclaim=300)
    for cid in ("old1", "old2", "alive"):
        assert a.add(cid)[0] == 0
    a.stop_vnetd()
    veths = [e["hostVeth"] for e in load_state(a.data_dir, NETWORK)["endpoints"] if e["key"]["containerID"] in ("old1", "old2")]
    for cid in ("old1", "old2"):
        a.pods.pop(cid).delete()
    # A reboot as the state directory sees it: its boot marker names another boot, and nothing of the old pods
    # is left in the kernel (the kernel removes a deleted namespace's veths a moment later, not at once).
    assert wait_for(lambda: not any(v in a.ns.run("ip", "-o", "link", "show").stdout for v in veths), timeout=10), veths
    with open(os.path.join(a.data_dir, NETWORK, "boot"), "w") as f:
        f.write("00000000-0000-0000-0000-000000000000\n")
    a.start_vnetd(metrics=METRICS)
    assert wait_for(lambda: len(a.leases()) == 1, timeout=10), (a.leases(), [e["after"] for e in audit(a)])
    assert "alive" in json.dumps(a.leases()[0])
    assert wait_for(lambda: any(e["tool"] == "vnetd" and "earlier boot" in e["command"] for e in audit(a)), timeout=5), audit(a)


def test_metrics_parse_and_healthz_says_whether_the_registry_answers(cluster):
    registry, (a,) = cluster(members=1, names=("na",), step=4)
    for i in range(5):
        assert a.add(f"a{i}")[0] == 0
    wait_for(lambda: metrics_of(a)[("vnetd_pods_used", None)] == 5, timeout=10)
    m = metrics_of(a)
    assert m[("vnetd_pods_reserved", None)] == 8 and m[("vnetd_vnet_limit", None)] == 16000 and m[("vnetd_registry_up", None)] == 1
    assert m[("vnetd_grows_total", None)] >= 2 and m[("vnetd_grow_seconds_count", None)] >= 2
    code, health = healthz(a)
    assert code == 200 and health["registryReachable"] is True and health["networks"][0]["node"] == "na", health
    registry.stop_all()
    wait_for(lambda: healthz(a)[0] == 503, timeout=10)
    assert metrics_of(a)[("vnetd_registry_up", None)] == 0
