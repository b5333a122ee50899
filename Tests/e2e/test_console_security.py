"""The console's Security screen (issue #18) on a node whose pods the real plugin attached under securityRules:
screen 8 lists the rules with the kernel's counters moving as traffic is denied, and the verify form answers
what `vnetctl rules verify` answers: DENY for TCP port 22 from the peer, decided by the operator's rule."""
import os
import re
import signal
import subprocess

import pytest

from tmuxlib import Tmux
from vnettest.cni import BIN, Runtime, wait_for
from vnettest.process import alive
from vnettest.topology import PEER

CONSOLE = os.path.join(BIN, "vnet-console")

RULES = [
    {"name": "web-in", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "tcp",
     "sourceAddressPrefixes": ["Internet"], "destinationPortRanges": ["80"], "pods": ["team/*"]},
    {"name": "ssh-deny", "priority": 200, "direction": "inbound", "access": "deny", "protocol": "tcp",
     "destinationPortRanges": ["22"]},
]


@pytest.fixture
def ruled(namespaces, topo):
    """Node A with two pods attached under RULES: (topo, node, addresses)."""
    node = topo.nodes[0]
    runtime = Runtime(node.conflist(securityRules=RULES), node=node.ns)
    pods = namespaces.make_many("s", 2)
    results = [runtime.add(f"sec{i}", pods[i].path, args=f"K8S_POD_NAMESPACE=team;K8S_POD_NAME=web-{i}") for i in range(2)]
    yield topo, node, [r["ips"][0]["address"].split("/")[0] for r in results]


@pytest.fixture
def console():
    made = []

    def start(node, width=160, height=40):
        log = os.path.join(node.data_dir, "console.log")
        tmux = Tmux(f"{CONSOLE} --netns {node.ns.name} --state-dir {node.data_dir} --interval 1 --log {log}", width, height)
        made.append(tmux)
        tmux.wait_text("updated ")
        return tmux

    yield start
    for tmux in made:
        pid = tmux.pid()
        tmux.kill()
        if pid and not wait_for(lambda: not alive(pid), timeout=5):
            os.kill(pid, signal.SIGKILL)


def packets(screen, name):
    """The PACKETS cell of the rule `name` in the rules table (right-aligned under its header)."""
    lines = screen.splitlines()
    header = next(line for line in lines if " PRIO " in line and "PACKETS" in line)
    end = header.index("PACKETS") + len("PACKETS")
    row = next(line for line in lines if re.search(rf"\b{re.escape(name)}\b", line) and line is not header)
    return row[end - 8:end].strip()


def knock(topo, address, port):
    """A TCP connection attempt from the peer; the rules drop it, so it times out."""
    topo.peer.run("timeout", "2", "bash", "-c", f"echo > /dev/tcp/{address}/{port}", check=False)


def test_security_screen_shows_rules_counters_and_verify_denies_ssh_from_the_peer(ruled, console):
    topo, node, addresses = ruled
    tmux = console(node)
    tmux.send("8")
    screen = tmux.wait_text("ssh-deny")
    assert "DenyAllInBound" in screen and "web-in" in screen, screen
    assert "pod team/web-0" in screen, "the lower pane: the pod selected on screen 2"
    knock(topo, addresses[0], 22)
    screen = tmux.wait_for(lambda s: "ssh-deny" in s and packets(s, "ssh-deny") not in ("", "0", "-"), timeout=15,
                           what="ssh-deny's counter to move")
    assert int(packets(screen, "ssh-deny")) >= 1, screen

    tmux.send("v")
    tmux.wait_text("verify a new connection")
    tmux.type(PEER)
    tmux.send("Tab")
    tmux.type("22")
    tmux.send("Enter")
    screen = tmux.wait_text("decided by ssh-deny (priority 200)")
    assert f"DENY: inbound tcp {PEER} -> {addresses[0]}:22" in screen, screen

    # vnetctl says the same.
    vnetctl = subprocess.run([os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, "rules",
                              "verify", "--pod", "team/web-0", "--direction", "inbound", "--protocol", "tcp", "--remote", PEER,
                              "--port", "22"], capture_output=True, text=True)
    assert vnetctl.returncode == 3 and "decided by ssh-deny (priority 200)" in vnetctl.stdout, vnetctl
