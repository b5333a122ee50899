"""`vnetctl probe` on the test topology: a healthy pod passes every hop; a deleted NAT table stops traffic at
the internet hop with no SNAT rule matched; a fabric that lost its route to the peer stops it at the VNet hop.

The fabric here drops what a pod sends to the internet with its own address (the edge of an Azure VNet
passes only the nodes' primary addresses out), so a pod that is not translated really cannot reach the
internet host, as in production. A tiny DNS responder in the peer namespace (a no-SNAT range) is the
network's nameserver.
"""
import json
import os
import re
import subprocess
import time

import pytest

from vnettest.cni import BIN, Runtime
from vnettest.netns import sh
from vnettest.topology import GATEWAY, INTERNET, PEER

# Answers any query with the question echoed back, no answer records, NOERROR: any reply passes the DNS hop.
DNS_RESPONDER = (
    "import socket\n"
    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
    "s.bind(('0.0.0.0',53))\n"
    "print('ready',flush=True)\n"
    "while True:\n"
    "    d,a=s.recvfrom(512)\n"
    "    if len(d)>=12:\n"
    "        s.sendto(d[:2]+bytes([0x81,0x80])+d[4:6]+bytes(6)+d[12:],a)\n")

# The VNet's edge: only the nodes' primary addresses reach the internet.
EDGE = """
table ip edge {
    chain forward {
        type filter hook forward priority 0; policy accept;
        oifname "fi" ip saddr != { 10.240.0.4, 10.240.0.5 } counter drop
    }
}
"""

CONTAINER = "probe0c0ffee1234"


def ctl(node, *args, check=False):
    return sh(os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, *args, check=check)


def probe_json(node, pod="team/web-0", *flags):
    result = ctl(node, "--json", "probe", pod, *flags)
    assert result.stdout.strip(), f"no JSON (exit {result.returncode}): {result.stderr}"
    return result.returncode, json.loads(result.stdout)


def hops_by_kind(report):
    return {hop["kind"]: hop for hop in report["hops"]}


@pytest.fixture
def probed(namespaces, topo):
    """Node A with one pod, a DNS responder on the peer, the edge filter on the fabric."""
    node = topo.nodes[0]
    topo.fabric.run("nft", "-f", "-", input=EDGE)
    responder = subprocess.Popen(["nsenter", f"--net={topo.peer.path}", "/usr/bin/python3", "-c", DNS_RESPONDER],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert responder.stdout.readline().strip() == "ready"
        conflist = node.conflist(dns={"nameservers": [PEER]},
                                 probe={"vnetAddress": PEER, "internetAddress": INTERNET, "timeoutSeconds": 1})
        runtime = Runtime(conflist, node=node.ns)
        pod = namespaces.make("p0")
        address = runtime.add(CONTAINER, pod.path, args="K8S_POD_NAMESPACE=team;K8S_POD_NAME=web-0")["ips"][0]["address"]
        try:
            yield topo, node, address.split("/")[0]
        finally:
            runtime.delete(CONTAINER)
    finally:
        responder.kill()
        responder.wait()


def test_a_healthy_pod_passes_every_hop(probed):
    topo, node, address = probed
    status, report = probe_json(node)
    assert status == 0, report
    assert report["pod"] == "team/web-0" and report["address"] == address
    hops = hops_by_kind(report)
    assert [h["kind"] for h in report["hops"]] == ["gateway", "node", "vnetAddress", "dnsServer", "internet"]
    assert {k: h["address"] for k, h in hops.items()} == {
        "gateway": GATEWAY, "node": node.primary, "vnetAddress": PEER, "dnsServer": PEER, "internet": INTERNET}
    for hop in report["hops"]:
        assert hop["outcome"] == "pass", hop
        assert 0 <= hop["milliseconds"] < 1000, hop
        assert hop["moved"]["vethRxPackets"] >= 1 and hop["moved"]["vethTxPackets"] >= 1, hop
    assert hops["internet"]["moved"]["snatPackets"] >= 1, "the internet hop goes through SNAT"
    assert hops["vnetAddress"]["moved"]["snatPackets"] == 0, "the peer is reached without SNAT"
    assert hops["gateway"]["neighbour"] in ("reachable", "stale", "delay", "probe")
    assert report["verdict"].startswith("clear: 5 hops passed"), report["verdict"]

    text = ctl(node, "probe", CONTAINER[:8])
    assert text.returncode == 0, text.stderr
    assert "verdict: clear" in text.stdout and INTERNET in text.stdout and "PASS" in text.stdout


def test_without_the_nat_table_the_internet_hop_fails_with_no_snat_rule_matched(probed):
    topo, node, address = probed
    node.ns.run("nft", "delete", "table", "ip", "vnet")
    started = time.monotonic()
    status, report = probe_json(node)
    elapsed = time.monotonic() - started
    assert status == 1, report
    hops = hops_by_kind(report)
    assert hops["internet"]["outcome"] == "fail"
    assert hops["internet"]["moved"]["snatPackets"] is None, "no table, no SNAT counter"
    for kind in ("gateway", "node", "vnetAddress", "dnsServer"):
        assert hops[kind]["outcome"] == "pass", hops[kind]
    assert report["verdict"].startswith(f"internet {INTERNET}:"), report["verdict"]
    assert "no SNAT rule matched" in report["verdict"] and "nat table missing" in report["verdict"]
    assert elapsed < 5, f"the probe is bounded (took {elapsed:.1f}s)"
    assert "verdict: internet" in ctl(node, "probe", "team/web-0").stdout


def test_a_fabric_without_a_route_to_the_peer_stops_traffic_at_the_vnet_hop(probed):
    topo, node, address = probed
    topo.fabric.run("ip", "route", "del", "192.168.1.0/24", "dev", "fp")
    status, report = probe_json(node)
    assert status == 1, report
    hops = hops_by_kind(report)
    assert hops["vnetAddress"]["outcome"] == "fail"
    assert hops["dnsServer"]["outcome"] == "fail", "the DNS server lives on the peer"
    for kind in ("gateway", "node", "internet"):
        assert hops[kind]["outcome"] == "pass", hops[kind]
    assert report["verdict"].startswith(f"vnet address {PEER}:"), report["verdict"]


def test_flags_override_the_configuration_and_missing_targets_are_skipped(probed):
    topo, node, address = probed
    # An address nothing answers for: the fabric has no route to it.
    status, report = probe_json(node, "web-0", "--vnet-address", "198.51.100.7", "--timeout", "0.3")
    assert status == 1
    assert hops_by_kind(report)["vnetAddress"]["address"] == "198.51.100.7"
    assert report["verdict"].startswith("vnet address 198.51.100.7:")


def test_bad_input_gets_the_usual_exit_codes(probed):
    topo, node, address = probed
    missing = ctl(node, "probe", "team/nobody")
    assert missing.returncode == 1 and "no attached pod" in missing.stderr
    assert ctl(node, "probe", "team/web-0", "--timeout", "0").returncode == 2
    assert ctl(node, "probe", "team/web-0", "--internet-address", "not-an-ip").returncode == 2


@pytest.mark.skipif(not os.access(os.path.join(BIN, "vnet-console"), os.X_OK), reason="vnet-console is not built")
def test_the_console_probes_from_the_endpoint_details_without_blocking(probed):
    """`t` in the details: "probing..." at once, then the hops and the verdict; Esc works meanwhile."""
    from tmuxlib import Tmux
    topo, node, address = probed
    node.ns.run("nft", "delete", "table", "ip", "vnet")  # the internet hop waits its full second
    log = os.path.join(node.data_dir, "console.log")
    tmux = Tmux(f"{os.path.join(BIN, 'vnet-console')} --netns {node.ns.name} --state-dir {node.data_dir} --interval 5 --log {log}")
    try:
        tmux.wait_text("updated ")
        tmux.send("2")
        tmux.wait_text(address)
        tmux.send("Enter")
        tmux.wait_text("host veth")
        tmux.send("t")
        tmux.wait_text("probing...", timeout=1.0)
        tmux.send("Escape")
        tmux.wait_gone("host veth", timeout=1.0)  # Esc answered while the probe runs
        tmux.send("Enter")
        screen = tmux.wait_text("verdict", timeout=10)
        assert "FAIL  internet 203.0.113.10" in screen and "no SNAT rule matched" in screen, screen
        assert "PASS  gateway 10.240.0.1" in screen
        # The counters are the node's: the probe's thread started in the node's namespace, not the machine's.
        assert re.search(r"FAIL  internet .* veth rx \+[1-9]", screen), screen
    finally:
        tmux.kill()
