"""podman (CNI backend) runs a container with `-p 8080:80` on a vnet-only conflist (no portmap): the TCP server
in it answers at the node's address, port 8080, from another namespace, and nothing is left once the container
is removed.

podman runs inside node A's namespace (nsenter --net, so the plugins it executes act there, never in the
machine's namespace), with its own containers.conf (CNI backend, this test's conflist directory and plugin
path), its own storage and run directories, and the host's root file system as the container's (an overlay,
`--rootfs /:O`: no image to pull). The runtime is runc with cgroupfs: crun refuses this machine's hybrid
cgroup layout. Skipped when podman or runc is not installed."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from translation import TCP_SERVER, map_elements, tcp_source
from vnettest.cni import BIN, REFERENCE, load_state
from vnettest.topology import PEER

NETWORK = "vnet-podman"


@pytest.fixture
def podman_env(topo):
    if shutil.which("podman") is None or shutil.which("runc") is None:
        pytest.skip("podman and runc are needed (apt-get install podman runc)")
    work = tempfile.mkdtemp(prefix="vnet-podman-")
    os.chmod(work, 0o700)
    for sub in ("cni", "root", "runroot", "data"):
        os.makedirs(os.path.join(work, sub), mode=0o700)
    node = topo.nodes[0]
    conflist = node.conflist(name=NETWORK, version="1.0.0")
    plugin = conflist["plugins"][0]
    plugin["capabilities"] = {"portMappings": True}
    plugin["ipam"]["dataDir"] = os.path.join(work, "data")
    with open(os.path.join(work, "cni", f"{NETWORK}.conflist"), "w") as f:
        json.dump(conflist, f)
    with open(os.path.join(work, "containers.conf"), "w") as f:
        f.write("[network]\nnetwork_backend = \"cni\"\n"
                f"cni_plugin_dirs = [\"{os.path.abspath(BIN)}\", \"{REFERENCE}\"]\n"
                f"network_config_dir = \"{os.path.join(work, 'cni')}\"\n")

    def podman(*args, check=True):
        return subprocess.run(["nsenter", f"--net={node.ns.path}", "podman", "--root", os.path.join(work, "root"),
                               "--runroot", os.path.join(work, "runroot"), "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                               "--network-backend", "cni", *args],
                              env=dict(os.environ, CONTAINERS_CONF=os.path.join(work, "containers.conf")), cwd=work,
                              capture_output=True, text=True, timeout=120, check=check)

    yield topo, node, podman, os.path.join(work, "data")
    podman("rm", "-f", "-a", check=False)
    shutil.rmtree(work, ignore_errors=True)


def test_podman_publishes_a_port_with_vnet_alone(podman_env):
    topo, node, podman, data = podman_env
    run = podman("run", "-d", "--name", "web", "--network", NETWORK, "-p", "8080:80", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                 "--rootfs", "/:O", "/usr/bin/python3", "-c", TCP_SERVER, "80", check=False)
    assert run.returncode == 0, run.stderr
    try:
        answered = ""
        for _ in range(20):  # the server starts after podman returns
            answered = tcp_source(topo.peer.path, node.primary, 8080)
            if answered:
                break
        assert answered == PEER, "the container's server answers at the node's address, port 8080"
        assert any(e for e in map_elements(node.ns)["host_ports"]), map_elements(node.ns)
    finally:
        removed = podman("rm", "-f", "web", check=False)
    assert removed.returncode == 0, removed.stderr
    assert all(elements == [] for elements in map_elements(node.ns).values()), map_elements(node.ns)
    assert {link["ifname"] for link in node.ns.links()} <= {"lo", "eth0", "vnet0"}
    state = load_state(data, NETWORK)
    assert state["endpoints"] == [] and state["leases"] == []
    assert tcp_source(topo.peer.path, node.primary, 8080) == ""
