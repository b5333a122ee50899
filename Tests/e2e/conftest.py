import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest

from vnettest.netns import Namespaces, root_namespace_view  # noqa: E402


@pytest.fixture
def namespaces(request):
    """Namespaces for one test, all removed afterwards (also when the test fails)."""
    ns = Namespaces(format(abs(hash(request.node.name)) % 4096, "03x"))
    yield ns
    ns.cleanup()


@pytest.fixture
def data_dir():
    path = tempfile.mkdtemp(prefix="vnet-e2e-")
    os.chmod(path, 0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def topo(namespaces, data_dir):
    """The two-node topology of vnettest/topology.py (node A keeps its state in data_dir), removed afterwards."""
    from vnettest.topology import Topology
    data_b = data_dir + "-b"
    os.makedirs(data_b, mode=0o700)
    yield Topology(namespaces, data_dir, data_b)
    shutil.rmtree(data_b, ignore_errors=True)


@pytest.fixture
def node5(namespaces, topo):
    """Node A of the topology with five pods the plugin attached: (topo, node, runtime, pods, addresses)."""
    from vnettest.cni import Runtime
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(), node=node.ns)
    pods = namespaces.make_many("c", 5)
    results = [runtime.add(f"ctl{i}", pods[i].path, args=f"K8S_POD_NAMESPACE=team;K8S_POD_NAME=web-{i}") for i in range(5)]
    yield topo, node, runtime, pods, [r["ips"][0]["address"].split("/")[0] for r in results]


def pytest_sessionfinish(session, exitstatus):
    # Last line of defence: no namespace of this run survives it.
    from vnettest.netns import RUN_PREFIX, sh
    if os.path.isdir("/var/run/netns"):
        for name in os.listdir("/var/run/netns"):
            if name.startswith(RUN_PREFIX):
                sh("ip", "netns", "delete", name, check=False)


@pytest.fixture(scope="session", autouse=True)
def root_namespace_untouched():
    """The tests never change the machine's own network namespace: checked around the whole session."""
    before = root_namespace_view()
    yield
    after = root_namespace_view()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"the machine's own network namespace changed during the tests: {changed}"
