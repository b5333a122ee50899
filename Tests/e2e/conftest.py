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
