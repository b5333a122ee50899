"""Leak detection and reclaim when the pods' namespaces were bound in another mount namespace (issue #14).

A runtime in a mount namespace of its own (vnettest/mountns_runtime.py) makes the pods; vnetctl and the console look at
them from the machine's mount namespace, where each pod's /var/run/netns path is an empty file. The kernel is
the witness: a pod whose veth still has its peer is alive, and nothing of it may be reclaimed. Pods that are
really gone (namespace deleted, veth gone with it) are still found and reclaimed, from either mount namespace.
"""
import json
import os

from vnettest.mountns_runtime import MountNamespaceRuntimeProcess, churn_beside_reclaims, reclaimed
from test_console import console  # noqa: F401  (the fixture)
from test_vnetctl import ctl, ctl_json
from vnettest.cni import BIN, load_state, wait_for
from vnettest.netns import sh

NET = "vnet-e2e"


def filesystem(path):
    return sh("stat", "-f", "-c", "%T", path).stdout.strip()


def veths(node):
    """The pods' host veths (ports of the bridge), each with whether the kernel names a peer namespace for it."""
    return {l["ifname"]: "link_netnsid" in l for l in node.ns.links() if l.get("master") == "vnet0"}


def test_a_pod_bound_in_another_mount_namespace_is_never_reclaimed(namespaces, topo, console):  # noqa: F811
    node = topo.nodes[0]
    runtime = MountNamespaceRuntimeProcess(node.ns, node.conflist())
    try:
        names = [f"{namespaces.prefix}-m{i}" for i in range(3)]
        addresses = runtime.call("add", names=names)["addresses"]
        ours = set(addresses.values())

        # The reproduction: from here each path is an empty file (no nsfs), while the veths have their peers.
        for name in names:
            path = f"/var/run/netns/{name}"
            assert os.path.isfile(path) and os.path.getsize(path) == 0 and filesystem(path) != "nsfs"
        assert len(veths(node)) == 3 and all(veths(node).values())

        leaks = ctl_json(node, "leaks")
        assert not any(l.get("address") in ours and "netns-unconfirmed" not in l["evidence"] for l in leaks), leaks
        warned = ctl(node, "leaks")
        assert "not network namespaces from this mount namespace" in warned.stderr
        endpoints = ctl_json(node, "endpoints")
        assert {e["address"]: e["namespace"] for e in endpoints} == {a: "alive" for a in ours}

        plan = ctl(node, "reclaim", "--all-leaked", "--dry-run", check=False)
        assert plan.returncode in (0, 3), plan.stderr
        assert "delete veth" not in plan.stdout and not any(a in plan.stdout for a in ours), plan.stdout
        done = ctl(node, "--json", "reclaim", "--all-leaked", check=False)
        assert done.returncode in (0, 3), done.stderr
        assert reclaimed(done.stdout) == []
        assert runtime.call("check", names=names)["failed"] == {}
        assert len(load_state(node.data_dir, NET)["endpoints"]) == 3

        # The console, from this mount namespace too, agrees.
        tmux = console(node)
        tmux.send("5")
        screen = tmux.wait_text("no leak suspects")
        assert not any(a in screen for a in ours)

        # Really gone: the runtime deletes a pod's namespace without DEL; its path goes for everyone, its veth
        # with it. Found and reclaimed from the machine's mount namespace...
        gone = names[2]
        runtime.call("vanish", names=[gone])
        assert wait_for(lambda: len(veths(node)) == 2, timeout=10)
        leaks = {l["address"]: l["evidence"] for l in ctl_json(node, "leaks")}
        assert "netns-gone" in leaks[addresses[gone]]
        done = ctl(node, "--json", "reclaim", "--all-leaked", check=False)
        assert reclaimed(done.stdout) == [addresses[gone]], done.stdout

        # ... and from the runtime's own mount namespace.
        gone = names[1]
        runtime.call("vanish", names=[gone])
        assert wait_for(lambda: len(veths(node)) == 1, timeout=10)
        vnetctl = [os.path.join(BIN, "vnetctl"), "--state-dir", node.data_dir, "--json"]
        inside = runtime.call("run", argv=vnetctl + ["leaks"])
        assert inside["status"] == 0, inside["stderr"]
        assert "not network namespaces" not in inside["stderr"], "every namespace is readable from there"
        assert {l["address"] for l in json.loads(inside["stdout"])} == {addresses[gone]}
        inside = runtime.call("run", argv=vnetctl + ["reclaim", "--all-leaked"])
        assert reclaimed(inside["stdout"]) == [addresses[gone]], inside

        state = load_state(node.data_dir, NET)
        assert {l["address"] for l in state["leases"]} == {addresses[names[0]]}
        assert runtime.call("check", names=[names[0]])["failed"] == {}
    finally:
        runtime.close()
    assert load_state(node.data_dir, NET)["leases"] == []


def test_reclaim_beside_a_churn_in_another_mount_namespace_breaks_no_pod(namespaces, topo):
    node = topo.nodes[0]
    result, done, errors, runs = churn_beside_reclaims(node, f"{namespaces.prefix}-c", pods=24, rounds=2, workers=8)
    assert result["failed"] == {"ADD": 0, "CHECK": 0, "DEL": 0}, result["failures"]
    assert result["counts"]["CHECK"] == 48
    assert runs >= 3, "the reclaim loop ran beside the churn"
    assert done == [] and errors == []
    assert load_state(node.data_dir, NET)["leases"] == []
