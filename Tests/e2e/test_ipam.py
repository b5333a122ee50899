"""vnet-ipam driven as a runtime (or a network plugin) drives an IPAM plugin: the real binary, real state."""
import json
import os
import threading

import pytest

from ipamconf import NETWORK, network, ipam
from vnettest.cni import call, exec_plugin, load_state, parallel

NS = "/var/run/netns/none"  # IPAM never enters the namespace; any path is accepted for ADD


def add(conf, cid, ifname="eth0", **kw):
    return call("vnet-ipam", "ADD", conf, container=cid, netns=NS, ifname=ifname, **kw)


def delete(conf, cid, ifname="eth0"):
    return call("vnet-ipam", "DEL", conf, container=cid, netns="", ifname=ifname)


def leases(data_dir):
    return load_state(data_dir, NETWORK)["leases"]


def test_version_answers_libcni_probe():
    status, out, raw, _ = exec_plugin("vnet-ipam", "VERSION", {"cniVersion": "1.0.0"}, container="", netns="dummy",
                                      ifname="dummy", path="dummy")
    assert status == 0, raw
    assert out["cniVersion"] == "1.0.0"
    assert set(out["supportedVersions"]) >= {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}


@pytest.mark.parametrize("version", ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"])
def test_add_answers_in_the_config_version(data_dir, version):
    conf = network(data_dir, version=version)
    result = add(conf, f"c-{version}")
    assert result["cniVersion"] == version
    ip = result["ips"][0]
    assert ip["address"].endswith("/16") and ip["gateway"] == "10.240.0.1"
    assert ("version" in ip) == version.startswith("0."), ip
    assert result["routes"] == [{"dst": "0.0.0.0/0", "gw": "10.240.0.1"}]
    assert result["dns"]["nameservers"] == ["168.63.129.16"]
    assert "interfaces" not in result
    delete(conf, f"c-{version}")
    assert leases(data_dir) == []


def test_same_attachment_gets_the_same_address(data_dir):
    conf = network(data_dir)
    first = add(conf, "same", args="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0")
    again = add(conf, "same")
    assert first["ips"] == again["ips"]
    [lease] = leases(data_dir)
    assert lease["pod"] == {"namespace": "default", "name": "web-0"}
    other = add(conf, "same", ifname="net1")
    assert other["ips"][0]["address"] != first["ips"][0]["address"]


def test_requested_addresses_are_honoured(data_dir):
    conf = network(data_dir)
    assert add(conf, "req1", args="IgnoreUnknown=1;IP=10.240.0.77")["ips"][0]["address"] == "10.240.0.77/16"
    conf2 = dict(conf, runtimeConfig={"ips": ["10.240.0.78/16"]})
    assert add(conf2, "req2")["ips"][0]["address"] == "10.240.0.78/16"
    with pytest.raises(Exception) as taken:
        add(conf, "req3", args="IP=10.240.0.77")
    assert taken.value.code == 103 and "already leased" in taken.value.msg
    with pytest.raises(Exception) as outside:
        add(conf, "req4", args="IP=10.240.9.9")
    assert outside.value.code == 103 and "not in the pool" in outside.value.msg


def test_gateway_network_and_exclusions_are_never_handed_out(data_dir):
    conf = network(data_dir, addresses=("10.240.0.0-10.240.0.5",), exclude=("10.240.0.3",))
    got = {add(conf, f"x{i}")["ips"][0]["address"] for i in range(3)}
    assert got == {"10.240.0.2/16", "10.240.0.4/16", "10.240.0.5/16"}
    with pytest.raises(Exception) as exhausted:
        add(conf, "x3")
    assert exhausted.value.code == 100 and "no addresses available" in exhausted.value.msg


def test_released_addresses_cool_down_and_oldest_free_is_reused(data_dir):
    conf = network(data_dir, addresses=("10.240.0.10-10.240.0.12",))
    a = add(conf, "a")["ips"][0]["address"]
    add(conf, "b")
    delete(conf, "a")
    assert add(conf, "c")["ips"][0]["address"] == "10.240.0.12/16"  # never used beats just released
    with pytest.raises(Exception) as cooling:
        add(conf, "d")
    assert cooling.value.code == 100 and "1 cooling down" in cooling.value.msg
    nocool = network(data_dir, addresses=("10.240.0.10-10.240.0.12",), cooldownSeconds=0)
    assert add(nocool, "d")["ips"][0]["address"] == a


def test_node_limit_is_enforced_and_nothing_is_reserved(data_dir):
    conf = network(data_dir, maxPodsPerNode=3)
    for i in range(3):
        add(conf, f"l{i}")
    before = open(os.path.join(data_dir, NETWORK, "state.json"), "rb").read()
    with pytest.raises(Exception) as limited:
        add(conf, "l3")
    assert limited.value.code == 101
    assert "maxPodsPerNode" in limited.value.msg and "3" in limited.value.msg
    assert open(os.path.join(data_dir, NETWORK, "state.json"), "rb").read() == before


def test_250_parallel_processes_get_250_distinct_addresses(data_dir):
    conf = network(data_dir)
    results = parallel(lambda i: add(conf, f"p{i:03d}")["ips"][0]["address"], range(250), 16)
    assert len(set(results)) == 250
    state = load_state(data_dir, NETWORK)
    assert len(state["leases"]) == 250
    assert len({l["address"] for l in state["leases"]}) == 250
    parallel(lambda i: delete(conf, f"p{i:03d}"), range(250), 16)
    assert leases(data_dir) == []


def test_del_is_idempotent_and_unknown_is_success(data_dir):
    conf = network(data_dir)
    add(conf, "d1")
    delete(conf, "d1")
    delete(conf, "d1")
    delete(conf, "never-added")
    assert leases(data_dir) == []


def test_check_verifies_the_lease(data_dir):
    conf = network(data_dir)
    result = add(conf, "k1")
    call("vnet-ipam", "CHECK", dict(conf, prevResult=result), container="k1", netns=NS, ifname="eth0")
    wrong = json.loads(json.dumps(result))
    wrong["ips"][0]["address"] = "10.240.3.3/16"
    with pytest.raises(Exception) as mismatch:
        call("vnet-ipam", "CHECK", dict(conf, prevResult=wrong), container="k1", netns=NS, ifname="eth0")
    assert mismatch.value.code == 105
    with pytest.raises(Exception) as missing:
        call("vnet-ipam", "CHECK", dict(conf, prevResult=result), container="k2", netns=NS, ifname="eth0")
    assert missing.value.code == 105 and "no lease" in missing.value.msg


def test_status_reports_whether_an_address_can_be_served(data_dir):
    conf = network(data_dir, addresses=("10.240.0.10",))
    call("vnet-ipam", "STATUS", conf)
    add(conf, "s1")
    status, out, raw, _ = exec_plugin("vnet-ipam", "STATUS", conf)
    assert status != 0 and out["code"] == 50 and "no addresses available" in out["details"], raw
    limited = network(data_dir, addresses=("10.240.0.10-10.240.0.20",), maxPodsPerNode=1)
    status, out, raw, _ = exec_plugin("vnet-ipam", "STATUS", limited)
    assert out["code"] == 50 and "maxPodsPerNode" in out["details"], raw


@pytest.mark.parametrize("key", ["cni.dev/valid-attachments", "cni.dev/attachments"])
def test_gc_releases_every_lease_not_in_the_valid_list(data_dir, key):
    conf = network(data_dir)
    for i in range(5):
        add(conf, f"g{i}")
    gc = dict(conf)
    gc[key] = [{"containerID": "g1", "ifname": "eth0"}, {"containerID": "g3", "ifname": "eth0"}]
    call("vnet-ipam", "GC", gc)
    assert sorted(l["key"]["containerID"] for l in leases(data_dir)) == ["g1", "g3"]
