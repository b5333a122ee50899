"""The console's VNet (issue #16): the demo of `make run` is a VNet of three nodes on etcd, and a console on a
node whose registry goes away keeps its last view, marked STALE, never a blank."""
import os

from tmuxlib import Tmux
from vnettest.cni import BIN
from vnettest.netns import demo_prefix
from vnettest.process import alive, children
from vnettest.registry import Registry
from vnettest.vnetnode import VNetNode


def test_the_demo_is_a_vnet_of_three_nodes_and_leaves_nothing():
    tmux = Tmux(f"{os.path.join(BIN, 'vnet-console')} --demo", width=140, height=40)
    try:
        tmux.wait_text("6 VNet 3", timeout=90)
        console = tmux.pid()
        helpers = children(console)
        tmux.send("6")
        for text in ("node-a", "node-b", "node-c", "limit 64", "reachable  leader"):
            tmux.wait_text(text, timeout=10)
        screen = tmux.screen()
        assert screen.count("alive") >= 3, screen
        tmux.send("q")
        tmux.wait_dead(timeout=30)
        assert not [n for n in os.listdir("/var/run/netns") if n.startswith(demo_prefix(console) + "-")]
        assert not [p for p in helpers if alive(p)], "etcd or a vnetd of the demo survived it"
    finally:
        tmux.kill()


def test_a_registry_that_goes_away_leaves_the_last_view_marked_stale(namespaces):
    registry = Registry(namespaces, members=1)
    node = None
    tmux = None
    try:
        node = VNetNode(namespaces, registry, "na", 0, limit=50)
        node.start_vnetd()
        node.wait_granted()
        assert node.add("p0")[0] == 0
        tmux = Tmux(f"{os.path.join(BIN, 'vnet-console')} --netns {node.ns.name} --state-dir {node.data_dir} --interval 1",
                    width=140, height=40)
        tmux.wait_text("6 VNet", timeout=30)
        tmux.send("6")
        tmux.wait_text("limit 50", timeout=15)
        registry.stop_all()
        tmux.wait_text("STALE", timeout=20)
        screen = tmux.screen()
        assert "limit 50" in screen and "na" in screen, screen  # the last view stays
        registry.start_all()
        tmux.wait_gone("STALE", timeout=20)
    finally:
        if tmux:
            tmux.kill()
        if node:
            node.cleanup()
        registry.cleanup()
