"""The two sides of the comparison: vnet (with vnet-ipam in-process) and Debian's reference bridge +
host-local, configured to do the same job: a bridge, a veth per pod, the pod's address and default route,
and SNAT of pod traffic leaving the VNet. Both speak cniVersion 1.0.0 (the reference knows no later one).
"""
import os

SUBNET = "10.240.0.0/16"
GATEWAY = "10.240.0.1"
PRIMARY = "10.240.0.4/16"
RANGE_START = "10.240.16.10"
RANGE_END = "10.240.23.250"  # ~2000 addresses: room for BENCH_PODS beyond 250
NETWORK = "benchnet"
VERSION = "1.0.0"


class Side:
    def __init__(self, key, label, plugins, cni_path):
        self.key, self.label, self.plugins_fn, self.cni_path = key, label, plugins, cni_path

    def conflist(self, data_dir, pods):
        return {"cniVersion": VERSION, "name": NETWORK, "plugins": self.plugins_fn(data_dir, pods)}


def vnet_plugins(data_dir, pods):
    return [{
        "type": "vnet", "bridge": "vnet0", "mtu": 1500, "vnetCIDRs": [SUBNET], "snat": True,
        "ipam": {"type": "vnet-ipam", "dataDir": data_dir, "maxPodsPerNode": max(250, pods),
                 "pool": {"source": "static", "subnet": SUBNET, "gateway": GATEWAY,
                          "addresses": [f"{RANGE_START}-{RANGE_END}"]}},
    }]


def reference_plugins(data_dir, pods):
    return [{
        "type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": True, "mtu": 1500,
        "ipam": {"type": "host-local", "dataDir": data_dir,
                 "ranges": [[{"subnet": SUBNET, "rangeStart": RANGE_START, "rangeEnd": RANGE_END, "gateway": GATEWAY}]],
                 "routes": [{"dst": "0.0.0.0/0"}]},
    }]


def sides(vnet_bin, reference_dir="/usr/lib/cni"):
    return [
        Side("vnet", "vnet (+ vnet-ipam in-process)", vnet_plugins, os.path.abspath(vnet_bin)),
        Side("ref", "reference bridge + host-local", reference_plugins, reference_dir),
    ]


def ipam_network(ipam_type, data_dir):
    """A network configuration as a network plugin hands it to its IPAM plugin (IPAM alone, no links)."""
    if ipam_type == "vnet-ipam":
        ipam = {"type": "vnet-ipam", "dataDir": data_dir, "maxPodsPerNode": 2000,
                "pool": {"source": "static", "subnet": SUBNET, "gateway": GATEWAY, "addresses": [f"{RANGE_START}-{RANGE_END}"]}}
    else:
        ipam = {"type": "host-local", "dataDir": data_dir,
                "ranges": [[{"subnet": SUBNET, "rangeStart": RANGE_START, "rangeEnd": RANGE_END, "gateway": GATEWAY}]]}
    return {"cniVersion": VERSION, "name": NETWORK, "type": "bridge", "ipam": ipam}
