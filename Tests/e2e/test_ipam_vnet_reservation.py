"""vnet-ipam in a network that belongs to a VNet (`ipam.registry`): it hands out addresses only within the
reservation the node agent was granted, read from the state directory's reservation.json (the plugins never
talk to the registry). The test writes that file as the agent would; docs/vnet.md has the contract."""
import json
import os
import time

from ipamconf import NETWORK, network
from vnettest.cni import exec_plugin, load_state

NS = "/var/run/netns/none"
REGISTRY = {"vnet": "prod", "endpoints": ["http://127.0.0.1:2379"], "node": "node-a"}


def add(conf, cid):
    return exec_plugin("vnet-ipam", "ADD", conf, container=cid, netns=NS, ifname="eth0")


def grant(data_dir, reserved, pid):
    os.makedirs(os.path.join(data_dir, NETWORK), mode=0o700, exist_ok=True)
    document = {"vnet": "prod", "node": "node-a", "reserved": reserved, "vnetLimit": 40, "vnetReserved": 40,
                "agentPID": pid, "updatedAt": time.time()}
    path = os.path.join(data_dir, NETWORK, "reservation.json")
    with open(path + ".tmp", "w") as f:
        json.dump(document, f)
    os.rename(path + ".tmp", path)


def test_no_reservation_yet_refuses_with_code_106(data_dir):
    conf = network(data_dir, registry=REGISTRY)
    status, out, raw, _ = add(conf, "c0")
    assert status != 0 and out["code"] == 106, raw
    assert "no reservation" in out["msg"] and "vnetd" in out["msg"], out
    state = os.path.join(data_dir, NETWORK, "state.json")
    assert not os.path.exists(state) or load_state(data_dir, NETWORK)["leases"] == []


def test_adds_stop_at_the_granted_reservation_and_the_message_says_why(data_dir):
    conf = network(data_dir, registry=REGISTRY)
    grant(data_dir, 3, os.getpid())
    for i in range(3):
        status, out, raw, _ = add(conf, f"c{i}")
        assert status == 0, raw
    status, out, raw, _ = add(conf, "c3")
    assert status != 0 and out["code"] == 106, raw
    for part in ["VNet limit", "3 of the 3 pods", "VNet prod", "limit 40", f"vnetd (pid {os.getpid()}) is running"]:
        assert part in out["msg"], out["msg"]
    assert len(load_state(data_dir, NETWORK)["leases"]) == 3
    # An ADD of an attachment that already holds its address is no new pod: it is answered, not refused.
    status, out, raw, _ = add(conf, "c1")
    assert status == 0, raw
    # The agent grows the reservation: the next ADD goes through; a dead agent is named as such.
    grant(data_dir, 4, 2 ** 22 + 12345)
    status, out, raw, _ = add(conf, "c3")
    assert status == 0, raw
    status, out, raw, _ = add(conf, "c4")
    assert out["code"] == 106 and "is not running" in out["msg"], raw


def test_a_bad_registry_is_code_7_naming_the_key(data_dir):
    conf = network(data_dir, registry={"vnet": "prod", "endpoints": ["127.0.0.1:2379"]})
    status, out, raw, _ = add(conf, "c0")
    assert out["code"] == 7 and "ipam.registry.endpoints" in out["msg"], raw


def test_without_a_registry_nothing_changes(data_dir):
    conf = network(data_dir)
    status, out, raw, _ = add(conf, "c0")
    assert status == 0, raw
