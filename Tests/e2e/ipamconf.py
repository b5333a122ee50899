"""Configurations shared by the IPAM tests."""
NETWORK = "vnet-e2e"


def ipam(data_dir, addresses=("10.240.0.10-10.240.1.20",), exclude=("10.240.0.50",), **extra):
    conf = {
        "type": "vnet-ipam",
        "dataDir": data_dir,
        "pool": {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1",
                 "addresses": list(addresses), "exclude": list(exclude),
                 "dns": {"nameservers": ["168.63.129.16"]}},
        "cooldownSeconds": 30,
        "lockTimeoutSeconds": 10,
    }
    conf.update(extra)
    return conf


def network(data_dir, version="1.1.0", plugin="bridge", **ipam_extra):
    """A network configuration as a network plugin would pass it to its IPAM."""
    return {"cniVersion": version, "name": NETWORK, "type": plugin, "ipam": ipam(data_dir, **ipam_extra)}
