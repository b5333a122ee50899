"""vnet-ipam as the IPAM of Debian's reference bridge plugin: any CNI user can adopt it alone."""
import pytest

from ipamconf import NETWORK, ipam
from vnettest.cni import PluginError, Runtime, load_state, parallel


def test_reference_bridge_with_vnet_ipam_250_pods(namespaces, data_dir):
    node = namespaces.make("node")
    conf = {"cniVersion": "1.0.0", "name": NETWORK, "plugins": [{
        "type": "bridge", "bridge": "br-vipam", "isGateway": True, "ipMasq": False,
        "ipam": ipam(data_dir, addresses=("10.240.0.10-10.240.1.250",), exclude=()),
    }]}
    runtime = Runtime(conf, node=node)
    pods = namespaces.make_many("p", 251)
    results = parallel(lambda i: runtime.add(f"b{i:03d}", pods[i].path), range(250), 8)
    addresses = [r["ips"][0]["address"] for r in results]
    assert len(set(addresses)) == 250
    for i in (0, 124, 249):
        inside = pods[i].run("ip", "-j", "addr", "show", "eth0").stdout
        assert addresses[i].split("/")[0] in inside

    # Pod 251: the node limit (default 250) is named, and nothing is reserved for it.
    with pytest.raises(PluginError) as limited:
        runtime.add("b250", pods[250].path)
    assert limited.value.code == 101 and "maxPodsPerNode is 250" in limited.value.msg
    assert len(load_state(data_dir, NETWORK)["leases"]) == 250

    parallel(lambda i: runtime.check(f"b{i:03d}"), range(250), 8)
    parallel(lambda i: runtime.delete(f"b{i:03d}"), range(250), 8)
    assert load_state(data_dir, NETWORK)["leases"] == []
