import os
import shutil
import tempfile

import pytest

from vnetlib import Namespaces


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


def pytest_sessionfinish(session, exitstatus):
    # Last line of defence: no namespace of this run survives it.
    from vnetlib import RUN_PREFIX, sh
    if os.path.isdir("/var/run/netns"):
        for name in os.listdir("/var/run/netns"):
            if name.startswith(RUN_PREFIX):
                sh("ip", "netns", "delete", name, check=False)


def _root_namespace_view():
    """What the machine's own namespace holds: links, addresses, routes and nft tables."""
    from vnetlib import sh
    links = sorted(l.split(":")[1].strip().split("@")[0] for l in sh("ip", "-o", "link", "show").stdout.splitlines())
    addrs = sorted(sh("ip", "-o", "addr", "show").stdout.splitlines())
    routes = sorted(sh("ip", "route", "show", "table", "all").stdout.splitlines())
    tables = sorted(sh("nft", "list", "tables", check=False).stdout.splitlines())
    return {"links": links, "addresses": addrs, "routes": routes, "nft tables": tables}


@pytest.fixture(scope="session", autouse=True)
def root_namespace_untouched():
    """The tests never change the machine's own network namespace: checked around the whole session."""
    before = _root_namespace_view()
    yield
    after = _root_namespace_view()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"the machine's own network namespace changed during the tests: {changed}"
