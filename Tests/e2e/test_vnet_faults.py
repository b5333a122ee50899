"""A failure injected after each ADD step leaves nothing behind and names the step; the vnet plugin's
configuration and environment errors get the spec's codes."""
import json
import os
import re

import pytest

from vnettest.cni import PluginError, Runtime, exec_plugin, load_state
from vnettest.netns import nat_pods, sh
from vnettest.topology import Topology

STEPS = ["netns", "ipam", "bridge", "nat", "veth", "pod-address", "host-route", "nat-pod"]


def node_is_clean(node, pod):
    links = [l["ifname"] for l in node.ns.links() if l["ifname"].startswith("vn") and l["ifname"] != "vnet0"]
    assert links == [], f"veth left behind: {links}"
    assert [l["ifname"] for l in pod.links()] == ["lo"], "pod interface left behind"
    path = os.path.join(node.data_dir, "vnet-e2e", "state.json")
    if os.path.exists(path):
        state = load_state(node.data_dir, "vnet-e2e")
        assert state["leases"] == [] and state["endpoints"] == [], state
    routes = node.ns.run("ip", "route", "show", "dev", "vnet0", check=False).stdout
    assert "10.240.16." not in routes, routes
    pods = nat_pods(node.ns)
    assert not pods, f"per-pod NAT state survived: {pods}"


@pytest.mark.parametrize("step", STEPS)
def test_failure_after_each_add_step_leaves_nothing(namespaces, topo, step):
    node = topo.nodes[0]
    pod = namespaces.make("f")
    conf = node.conflist()["plugins"][0] | {"cniVersion": "1.1.0", "name": "vnet-e2e"}
    status, out, raw, _ = exec_plugin("vnet", "ADD", conf, container="faulty", netns=pod.path, ifname="eth0",
                                      node=node.ns, env_extra={"VNET_TEST_FAULT": f"add:{step}:fail"})
    assert status != 0, raw
    assert f"step {step} failed" in out["msg"] and "injected fault" in out["msg"], out
    assert "rollback incomplete" not in out["msg"] + out.get("details", "")
    node_is_clean(node, pod)
    # And the node still works afterwards.
    runtime = Runtime(node.conflist(), node=node.ns)
    runtime.add("after", pod.path)
    runtime.delete("after")


def test_add_killed_after_its_veth_is_retried_and_replaces_it(namespaces, topo):
    """An ADD SIGKILLed right after creating its veth leaves the pair behind; the runtime's retry of that ADD
    finds the host end's name taken and replaces the pair instead of failing."""
    node = topo.nodes[0]
    pod = namespaces.make("k")
    conf = node.conflist()["plugins"][0] | {"cniVersion": "1.1.0", "name": "vnet-e2e"}
    status, _, raw, _ = exec_plugin("vnet", "ADD", conf, container="killed", netns=pod.path, ifname="eth0",
                                    node=node.ns, env_extra={"VNET_TEST_FAULT": "add:veth"})
    assert status < 0, raw
    left = [l for l in node.ns.links() if l["ifname"].startswith("vn") and l["ifname"] != "vnet0"]
    assert len(left) == 1, "the killed ADD should have left its veth"
    runtime = Runtime(node.conflist(), node=node.ns)
    result = runtime.add("killed", pod.path)
    now = [l for l in node.ns.links() if l["ifname"].startswith("vn") and l["ifname"] != "vnet0"]
    assert [l["ifname"] for l in now] == [left[0]["ifname"]]
    assert now[0]["ifindex"] != left[0]["ifindex"], "the old pair should have been replaced"
    address = result["ips"][0]["address"].split("/")[0]
    assert address in sh("nsenter", f"--net={pod.path}", "ip", "-j", "addr", "show", "eth0").stdout
    runtime.check("killed")
    runtime.delete("killed")
    node_is_clean(node, pod)


BAD = [
    ("bridge name too long", {"bridge": "a-very-long-bridge-name"}, 7, "bridge"),
    ("mtu out of range", {"mtu": 70000}, 7, "mtu"),
    ("bad vnetCIDRs", {"vnetCIDRs": ["10.240.0.0/40"]}, 7, "vnetCIDRs"),
    ("snat not a bool", {"snat": "yes"}, 7, "snat"),
    ("podIPv6 not a bool", {"podIPv6": 1}, 7, "podIPv6"),
    ("bad natTable", {"natTable": "1bad name"}, 7, "natTable"),
    ("no ipam", {"ipam": None}, 7, "ipam"),
    ("missing delegated ipam", {"ipam": {"type": "no-such-ipam"}}, 7, "no-such-ipam"),
]


@pytest.mark.parametrize("name,change,code,needle", BAD, ids=[b[0] for b in BAD])
def test_bad_vnet_config_gets_code_and_touches_nothing(namespaces, topo, name, change, code, needle):
    node = topo.nodes[0]
    pod = namespaces.make("b")
    conf = node.conflist()["plugins"][0] | {"cniVersion": "1.1.0", "name": "vnet-e2e"}
    for key, value in change.items():
        if value is None:
            conf.pop(key)
        else:
            conf[key] = value
    status, out, raw, _ = exec_plugin("vnet", "ADD", conf, container="bad", netns=pod.path, ifname="eth0", node=node.ns)
    assert status != 0 and out["code"] == code, raw
    assert needle in out["msg"] + out.get("details", ""), out
    node_is_clean(node, pod)
    assert "vnet0" not in [l["ifname"] for l in node.ns.links()], "nothing is created for a bad configuration"


def test_netns_must_be_a_namespace(namespaces, topo, tmp_path):
    node = topo.nodes[0]
    fake = tmp_path / "not-a-netns"
    fake.write_text("x")
    conf = node.conflist()["plugins"][0] | {"cniVersion": "1.1.0", "name": "vnet-e2e"}
    status, out, raw, _ = exec_plugin("vnet", "ADD", conf, container="c", netns=str(fake), ifname="eth0", node=node.ns)
    assert status != 0 and out["code"] == 3 and "not a network namespace" in out["msg"], raw


def test_host_local_as_delegated_ipam(namespaces, topo):
    node = topo.nodes[0]
    conflist = node.conflist(version="1.0.0")
    conflist["plugins"][0]["ipam"] = {"type": "host-local", "dataDir": os.path.join(node.data_dir, "host-local"),
                                      "ranges": [[{"subnet": "10.240.0.0/16", "rangeStart": "10.240.16.10",
                                                   "rangeEnd": "10.240.16.20", "gateway": "10.240.0.1"}]],
                                      "routes": [{"dst": "0.0.0.0/0"}]}
    conflist["plugins"][0]["dataDir"] = node.data_dir
    runtime = Runtime(conflist, node=node.ns)
    pod = namespaces.make("hl")
    result = runtime.add("hl0", pod.path)
    assert result["ips"][0]["address"] == "10.240.16.10/16"
    runtime.check("hl0")
    runtime.delete("hl0")
    node_is_clean(node, pod)


def test_vnet_with_host_local_writes_only_its_own_directory(namespaces, topo):
    """Each plugin writes only its own directory: after ADDs, an ADD that fails on an exhausted pool and the
    DEL of every pod, host-local's directory holds host-local's files alone (vnet's metrics went to vnet's
    own state directory), and vnet's state directory holds no file named after a process, all of which have
    exited by now (a commit's dropped backup once kept `state.json.prev.old.<pid>` past its process)."""
    node = topo.nodes[0]
    host_local_dir = os.path.join(node.data_dir, "host-local")
    conflist = node.conflist(version="1.0.0")
    conflist["plugins"][0]["ipam"] = {"type": "host-local", "dataDir": host_local_dir,
                                      "ranges": [[{"subnet": "10.240.0.0/16", "rangeStart": "10.240.16.10",
                                                   "rangeEnd": "10.240.16.11", "gateway": "10.240.0.1"}]]}
    conflist["plugins"][0]["dataDir"] = node.data_dir
    runtime = Runtime(conflist, node=node.ns)
    pods = namespaces.make_many("hl", 3)
    for i in range(2):
        runtime.add(f"hl{i}", pods[i].path)
    with pytest.raises(PluginError) as exhausted:
        runtime.add("hl2", pods[2].path)
    assert "no IP addresses available" in str(exhausted.value), exhausted.value
    for i in range(3):
        runtime.delete(f"hl{i}", netns=pods[i].path)  # a runtime DELs after a failed ADD too
    for pod in pods:
        node_is_clean(node, pod)

    host_local = sorted(os.listdir(os.path.join(host_local_dir, "vnet-e2e")))
    foreign = [name for name in host_local if name != "lock" and not name.startswith("last_reserved_ip.")]
    assert foreign == [], f"host-local's directory holds files that are not host-local's: {host_local}"

    state_dir = os.path.join(node.data_dir, "vnet-e2e")
    names = sorted(os.listdir(state_dir))
    after_pids = [name for name in names if re.search(r"\.\d+$", name)]
    assert after_pids == [], f"vnet's state directory holds files named after exited processes: {names}"
    assert set(names) <= {"state.json", "state.json.prev", "lock", "boot", "config.json", "metrics.json", "events.log", "events.log.prev"}, names
    with open(os.path.join(state_dir, "metrics.json")) as f:
        verbs = json.load(f)["verbs"]
    assert (verbs["vnet ADD"]["count"], verbs["vnet ADD"]["errors"], verbs["vnet DEL"]["count"]) == (3, 1, 3), verbs
