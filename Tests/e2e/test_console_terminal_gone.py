"""`make run` in a terminal that goes away (its tmux server killed, as an SSH session dies): the console must
end like `q` (sandbox removed, exit status saying why) instead of spinning on a dead terminal.

Run through make, as a newcomer does: make, not the console, is the pane's process, and the console may get
no SIGHUP at all; what it does get is a terminal that reports a hang-up on every poll.
"""
import os
import signal
import subprocess
import time

import pytest

from tmuxlib import Tmux
from vnettest.cni import BIN, wait_for
from vnettest.netns import demo_prefix
from vnettest.process import alive, children

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def demo_namespaces(console_pid):
    prefix = demo_prefix(console_pid)
    return sorted(n for n in os.listdir("/var/run/netns") if n.startswith(prefix + "-")) if os.path.isdir("/var/run/netns") else []


@pytest.mark.skipif(os.path.realpath(BIN) != os.path.realpath(os.path.join(ROOT, ".build", "release")),
                    reason="make run starts the checkout's own .build/release binaries")
def test_make_run_ends_when_its_terminal_goes_away():
    # -o build: the binaries are built already (make test built them); make runs only the console.
    tmux = Tmux(f"make -s -C {ROOT} -o build run", width=120, height=40)
    console = None
    try:
        tmux.wait_text("updated ", timeout=90)
        make = tmux.pid()
        console = next((p for p in children(make) if "vnet-console" in open(f"/proc/{p}/cmdline").read()), None)
        assert console, f"no vnet-console under make ({make}): {children(make)}"
        made = demo_namespaces(console)
        assert len(made) >= 5, made

        tmux.kill()
        start = time.monotonic()
        assert wait_for(lambda: not alive(console), timeout=2.0), "the console outlived its terminal by 2 s"
        assert wait_for(lambda: not demo_namespaces(console), timeout=max(0.1, 2.0 - (time.monotonic() - start))), \
            f"the demo's namespaces outlived it: {demo_namespaces(console)}"
    finally:
        tmux.kill()
        if console and alive(console):
            os.kill(console, signal.SIGKILL)
        for name in demo_namespaces(console) if console else []:
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
