"""Security rules are not enforced by this version: an ADD that asks for them is refused with code 7 and
changes nothing (no link, no lease), a bad rule (or a public IP inside the VNet) is named, and DEL still frees
a pod made before the key was added. Never silently ignored: an operator must not believe a pod is filtered
when it is not. Public IPs are served (test_public_ips.py)."""
import copy
import json

from vnettest.cni import Runtime, exec_plugin, load_state

NET = "vnet-e2e"

RULE = {"name": "web-in", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "tcp",
        "sourceAddressPrefixes": ["Internet"], "destinationPortRanges": ["80"], "pods": ["web/*"]}


def plugin_config(runtime, **extra):
    config = copy.deepcopy(dict(runtime._config(runtime.conflist["plugins"][0], None)))
    config.update(extra)
    return config


def test_an_add_with_rules_is_refused_and_changes_nothing(node5, namespaces):
    topo, node, runtime, pods, ips = node5
    before_links = {link["ifname"] for link in node.ns.links()}
    before_state = load_state(node.data_dir, NET)
    pod = namespaces.make("rules")
    for extra, words in (({"securityRules": [RULE]}, '"securityRules" are not enforced'),
                         ({"securityRules": [dict(RULE, priority=99)]}, 'securityRules[0] "web-in": "priority" is 99'),
                         ({"publicIPs": [{"pod": "web/web-0", "address": "10.240.9.9"}]}, "inside the VNet's own range 10.240.0.0/16")):
        status, out, raw, err = exec_plugin("vnet", "ADD", plugin_config(runtime, **extra), container="rules0", netns=pod.path,
                                            ifname="eth0", args="K8S_POD_NAMESPACE=web;K8S_POD_NAME=web-9", node=node.ns)
        assert status != 0 and out["code"] == 7 and words in out["msg"], raw
    assert {link["ifname"] for link in node.ns.links()} == before_links
    after = load_state(node.data_dir, NET)
    assert after["endpoints"] == before_state["endpoints"] and after.get("leases") == before_state.get("leases")


def test_del_still_frees_a_pod_after_rules_were_added(node5):
    topo, node, runtime, pods, ips = node5
    status, out, raw, err = exec_plugin("vnet", "DEL", plugin_config(runtime, securityRules=[RULE]), container="ctl0",
                                        netns=pods[0].path, ifname="eth0", node=node.ns)
    assert status == 0, raw
    assert "ctl0" not in json.dumps(load_state(node.data_dir, NET)["endpoints"])
