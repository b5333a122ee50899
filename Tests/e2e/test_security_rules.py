"""Security rules (issue #18), checked where the packets land on the test topology: node A with pods under
rules, the peer host in a VirtualNetwork range, the internet host. `vnetctl rules verify` is compared with real
connections for random flows, bad rules are code 7 naming the rule and key, and CHECK notices a pod whose rules
drifted."""
import json
import os
import random

import pytest

from vnettest.cni import BIN, PluginError, Runtime, exec_plugin, load_state
from vnettest.flows import Listener, reach
from vnettest.netns import sh
from vnettest.topology import INTERNET, PEER

NET = "vnet-e2e"
PORTS = [22, 80, 443, 5000, 8080, 9000]

RULES = [
    {"name": "web-in", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "tcp",
     "sourceAddressPrefixes": ["*"], "destinationPortRanges": ["80", "8000-8100"], "pods": ["web/*"]},
    {"name": "no-ssh", "priority": 110, "direction": "inbound", "access": "deny", "protocol": "*",
     "destinationPortRanges": ["22"]},
    {"name": "peer-5000-only-web", "priority": 120, "direction": "inbound", "access": "deny", "protocol": "udp",
     "sourceAddressPrefixes": ["192.168.0.0/16"], "destinationPortRanges": ["5000"], "pods": ["db/*"]},
    {"name": "no-peer-out", "priority": 100, "direction": "outbound", "access": "deny", "protocol": "*",
     "destinationAddressPrefixes": ["192.168.1.0/24"], "pods": ["web/*"]},
    {"name": "no-internet-9000", "priority": 130, "direction": "outbound", "access": "deny", "protocol": "tcp",
     "destinationAddressPrefixes": ["Internet"], "destinationPortRanges": ["9000"]},
]


def vnetctl(node, *args, check=True):
    return sh(os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, *args, check=check)


@pytest.fixture
def ruled(namespaces, topo):
    """Node A with security rules and three pods: web/web-0, web/web-1 and db/db-0, each listening on PORTS;
    the peer and the internet host listening too."""
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(securityRules=RULES), node=node.ns)
    pods = namespaces.make_many("s", 3)
    names = [("web", "web-0"), ("web", "web-1"), ("db", "db-0")]
    ips = []
    for i, (ns, name) in enumerate(names):
        result = runtime.add(f"sec{i}", pods[i].path, args=f"K8S_POD_NAMESPACE={ns};K8S_POD_NAME={name}")
        ips.append(result["ips"][0]["address"].split("/")[0])
    listeners = [Listener(p, PORTS) for p in pods] + [Listener(topo.peer, PORTS), Listener(topo.internet, PORTS)]
    try:
        yield topo, node, runtime, pods, ips
    finally:
        for listener in listeners:
            listener.stop()
        for i in range(3):
            runtime.delete(f"sec{i}")


def counter_of(node, name):
    rules = json.loads(vnetctl(node, "--json", "rules", "list").stdout)
    return sum(r["packets"] for r in rules if r["name"] == name)


def test_rules_decide_traffic_where_packets_land(ruled):
    topo, node, runtime, pods, ips = ruled
    web0, web1, db0 = ips
    # From the peer (a VirtualNetwork range): web's port 80 is allowed, 22 denied everywhere, others by
    # AllowVnetInBound; db's udp/5000 from the peer is denied.
    got = reach(topo.peer.path, [["tcp", web0, 80], ["tcp", web0, 22], ["tcp", web0, 8080], ["udp", db0, 5000],
                                 ["udp", web0, 5000], ["icmp", db0, 0]])
    assert got == [True, False, True, False, True, True], got
    before = counter_of(node, "no-ssh")
    assert reach(topo.peer.path, [["tcp", db0, 22]]) == [False]
    assert counter_of(node, "no-ssh") > before, "the deny rule's counter must rise"
    # Outbound: web pods may not open connections to the peer's range; db may. Replies to the peer's
    # allowed connections to web still pass (the first check above got its SYN-ACK through).
    assert reach(pods[0].path, [["tcp", PEER, 80], ["udp", PEER, 5000], ["icmp", PEER, 0]]) == [False, False, False]
    assert reach(pods[2].path, [["tcp", PEER, 80], ["udp", PEER, 5000]]) == [True, True]
    # To the internet: allowed (AllowInternetOutBound, SNAT-ed), but not tcp/9000.
    assert reach(pods[2].path, [["tcp", INTERNET, 80], ["tcp", INTERNET, 9000], ["udp", INTERNET, 9000]]) == [True, False, True]
    # Two pods on one bridge are subject to the rules between them: the source's outbound, then the
    # destination's inbound.
    assert reach(pods[2].path, [["tcp", web0, 80], ["tcp", web0, 22], ["udp", web1, 5000]]) == [True, False, True]
    assert reach(pods[0].path, [["tcp", db0, 8080], ["tcp", web1, 22]]) == [True, False]
    # The node itself (kubelet probes) reaches every pod on a port the pod does not deny.
    assert reach(node.ns.path, [["tcp", db0, 8080], ["tcp", web0, 80], ["tcp", web0, 22]]) == [True, True, False]


def verify(node, pod, direction, protocol, remote, port):
    args = ["rules", "verify", "--pod", pod, "--direction", direction, "--protocol", protocol, "--remote", remote]
    if protocol != "icmp":
        args += ["--port", str(port)]
    out = vnetctl(node, "--json", *args, check=False)
    assert out.returncode in (0, 3), out.stderr
    answer = json.loads(out.stdout)
    assert (answer["access"] == "allow") == (out.returncode == 0)
    return answer


def test_verify_agrees_with_real_packets_for_random_flows(ruled):
    topo, node, runtime, pods, ips = ruled
    names = ["web/web-0", "web/web-1", "db/db-0"]
    rng = random.Random(int(os.environ.get("VNET_FLOW_SEED", "18")))
    flows = []
    for _ in range(60):
        target = rng.randrange(3)
        source = rng.choice(["peer", "internet-out", "pod"])
        protocol = rng.choice(["tcp", "tcp", "udp", "icmp"])
        port = rng.choice(PORTS)
        flows.append((target, source, protocol, port, rng.randrange(3)))
    predicted, by_namespace = [], {}
    for i, (target, source, protocol, port, other) in enumerate(flows):
        if source == "peer":
            # The peer connects to the pod: only the pod's inbound rules decide.
            answer = verify(node, names[target], "inbound", protocol, PEER, port)
            by_namespace.setdefault(topo.peer.path, []).append((i, [protocol, ips[target], port]))
        elif source == "internet-out":
            # The pod connects to the internet host: its outbound rules decide.
            answer = verify(node, names[target], "outbound", protocol, INTERNET, port)
            by_namespace.setdefault(pods[target].path, []).append((i, [protocol, INTERNET, port]))
        else:
            if other == target:
                other = (target + 1) % 3
            # One pod to another on the node: the source's outbound and then the destination's inbound.
            out = verify(node, names[other], "outbound", protocol, ips[target], port)
            answer = out if out["access"] == "deny" else verify(node, names[target], "inbound", protocol, ips[other], port)
            by_namespace.setdefault(pods[other].path, []).append((i, [protocol, ips[target], port]))
        predicted.append(answer["access"] == "allow")
    actual = [None] * len(flows)
    for path, items in by_namespace.items():
        got = reach(path, [flow for _, flow in items])
        for (i, _), ok in zip(items, got):
            actual[i] = ok
    mismatches = [(flows[i], predicted[i], actual[i]) for i in range(len(flows)) if predicted[i] != actual[i]]
    assert not mismatches, mismatches
    assert len(flows) >= 50 and any(predicted) and not all(predicted)


def test_effective_rules_list_the_pods_rules_in_order_with_counters(ruled):
    topo, node, runtime, pods, ips = ruled
    reach(topo.peer.path, [["tcp", ips[0], 80]])
    view = json.loads(vnetctl(node, "--json", "rules", "effective", "web/web-0").stdout)
    names = [r["name"] for r in view["inbound"]]
    assert names == ["web-in", "no-ssh", "AllowVnetInBound", "AllowNodeInBound", "DenyAllInBound"], names
    assert [r["name"] for r in view["outbound"]] == ["no-peer-out", "no-internet-9000", "AllowVnetOutBound",
                                                     "AllowInternetOutBound", "DenyAllOutBound"]
    assert view["inbound"][0]["packets"] >= 1 and view["podCounters"]["inbound"]["packets"] >= 1, view
    db = json.loads(vnetctl(node, "--json", "rules", "effective", "db/db-0").stdout)
    assert "web-in" not in [r["name"] for r in db["inbound"]] and "peer-5000-only-web" in [r["name"] for r in db["inbound"]]


def test_a_changed_rule_set_reaches_every_pod_and_check_sees_drift(ruled, namespaces):
    topo, node, runtime, pods, ips = ruled
    assert reach(topo.peer.path, [["tcp", ips[2], 5000], ["tcp", ips[0], 5000], ["tcp", ips[0], 8080]]) == [True, True, True]
    # Applied from a changed file with vnetctl: one transaction, every pod at once.
    closed = RULES + [{"name": "close-5000", "priority": 200, "direction": "inbound", "access": "deny", "protocol": "tcp",
                       "destinationPortRanges": ["5000"]}]
    path = os.path.join(node.data_dir, "changed.conflist")
    with open(path, "w") as f:
        json.dump(node.conflist(securityRules=closed), f)
    out = vnetctl(node, "rules", "apply", "--config", path)
    assert "applied 6 rules" in out.stdout, out.stdout
    # web-in (priority 100) still allows web's 8000-8100 before close-5000 is reached.
    assert reach(topo.peer.path, [["tcp", ips[2], 5000], ["tcp", ips[0], 5000], ["tcp", ips[0], 8080]]) == [False, False, True]
    # CHECK: the pod's rules drifted when its element is taken out of a rule's set by hand.
    node.ns.run("nft", "delete", "element", "ip", "vnet", "rule_in_100", "{", ips[0], "}")
    runtime.conflist = node.conflist(securityRules=closed)
    runtime.check("sec1")
    with pytest.raises(PluginError) as failure:
        runtime.check("sec0")
    assert "drifted" in failure.value.msg and "rule_in_100" in failure.value.msg, failure.value.msg


def test_bad_rules_are_code_7_naming_the_rule_and_key_and_change_nothing(ruled, namespaces):
    topo, node, runtime, pods, ips = ruled
    before = load_state(node.data_dir, NET)
    tables = node.ns.run("nft", "list", "table", "ip", "vnet").stdout
    pod = namespaces.make("bad")
    base = dict(RULES[0])
    for rules, words in (([dict(base, priority=99)], 'securityRules[0] "web-in": "priority" is 99'),
                         ([base, dict(RULES[1], priority=100, direction="inbound")], '"priority" 100'),
                         ([dict(base, sourceAddressPrefixes=["10.0.0.0/33"])], '"sourceAddressPrefixes"'),
                         ([dict(base, sourceAddressPrefixes=["Intranet"])], '"sourceAddressPrefixes"'),
                         ([dict(base, destinationPortRanges=["90-80"])], '"destinationPortRanges"')):
        config = dict(runtime._config(node.conflist(securityRules=rules)["plugins"][0], None))
        status, out, raw, err = exec_plugin("vnet", "ADD", config, container="bad0", netns=pod.path, ifname="eth0",
                                            args="K8S_POD_NAMESPACE=web;K8S_POD_NAME=web-9", node=node.ns)
        assert status != 0 and out["code"] == 7 and words in out["msg"], raw
    after = load_state(node.data_dir, NET)
    assert after["endpoints"] == before["endpoints"] and after.get("leases") == before.get("leases")
    assert node.ns.run("nft", "list", "table", "ip", "vnet").stdout.count("vnet rule:") == tables.count("vnet rule:")


PUBLIC = "198.51.100.10"


def test_the_internet_reaches_a_public_ip_only_where_the_rules_allow(namespaces, topo):
    """Acceptance 1's internet half: tcp/80 on web/web-0's public IP is allowed from the internet, tcp/22 is
    not (DenyAllInBound decides, and its counter rises), and the pod's own traffic to the internet leaves
    from its public IP."""
    from vnettest.topology import SourceRecorder, seen_source
    node = topo.nodes[0]
    rules = [{"name": "web-in", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "tcp",
              "sourceAddressPrefixes": ["Internet"], "destinationPortRanges": ["80"], "pods": ["web/*"]}]
    runtime = Runtime(node.conflist(securityRules=rules, publicIPs=[{"pod": "web/web-0", "address": PUBLIC}]), node=node.ns)
    # The fabric delivers the public IP to the node, as a cloud's route to the VM does.
    topo.fabric.run("ip", "route", "add", f"{PUBLIC}/32", "via", node.primary)
    pod = namespaces.make("pub")
    result = runtime.add("pub0", pod.path, args="K8S_POD_NAMESPACE=web;K8S_POD_NAME=web-0")
    listener = Listener(pod, [22, 80])
    try:
        before = counter_of(node, "DenyAllInBound")
        assert reach(topo.internet.path, [["tcp", PUBLIC, 80], ["tcp", PUBLIC, 22]]) == [True, False]
        assert counter_of(node, "DenyAllInBound") > before
        recorder = SourceRecorder(topo.internet)
        try:
            assert seen_source(pod.path, INTERNET) == PUBLIC, "the pod's internet traffic must leave from its public IP"
        finally:
            recorder.stop()
    finally:
        listener.stop()
        runtime.delete("pub0")
    assert PUBLIC not in node.ns.run("nft", "list", "table", "ip", "vnet").stdout, "DEL must take the public IP out"
