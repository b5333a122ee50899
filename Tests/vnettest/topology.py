"""The namespace topology of ../shared/design/test-topology.md, built per test and torn down after.

    [pods]--veth--bridge [node-a]--eth0--+                +--[peer]      192.168.1.10 (a no-SNAT range)
                                         +--[fabric]------+
    [pods]--veth--bridge [node-b]--eth0--+   10.240.0.1   +--[internet]  203.0.113.10 (outside every VNet range)

Nodes have their primary address in the VNet subnet (10.240.0.4 and .5 of 10.240.0.0/16), as on Azure; the
gateway 10.240.0.1 is the fabric's, not the node's. The fabric delivers each node's pool (10.240.16.0/20 to
node A, 10.240.32.0/20 to node B) to the node, like the VNet delivers secondary addresses to the NIC, and
answers ARP for what lies beyond a node (proxy ARP).
"""
import json
import os
import subprocess
import time

from vnettest.netns import Namespace, sh

VNET = "10.240.0.0/16"
GATEWAY = "10.240.0.1"
PEER = "192.168.1.10"
INTERNET = "203.0.113.10"


class Node:
    def __init__(self, ns, primary, pool_cidr, pool_range, data_dir):
        self.ns, self.primary, self.pool_cidr, self.pool_range, self.data_dir = ns, primary, pool_cidr, pool_range, data_dir

    def conflist(self, name="vnet-e2e", extra_plugins=(), version="1.1.0", **vnet):
        plugin = {
            "type": "vnet", "bridge": "vnet0", "mtu": 1500, "vnetCIDRs": [VNET], "nonMasqueradeCIDRs": ["192.168.0.0/16"],
            "snat": True,
            "ipam": {"type": "vnet-ipam", "dataDir": self.data_dir,
                     "pool": {"source": "static", "subnet": VNET, "gateway": GATEWAY, "addresses": [self.pool_range],
                              "dns": {"nameservers": ["168.63.129.16"]}},
                     "cooldownSeconds": 30},
        }
        plugin.update(vnet)
        return {"cniVersion": version, "name": name, "plugins": [plugin, *extra_plugins]}


def link_pair(a_ns, a_name, b_ns, b_name):
    """A veth pair created inside a_ns with its peer born in b_ns: nothing passes through the root namespace."""
    sh("ip", "-n", a_ns.name, "link", "add", a_name, "type", "veth", "peer", "name", b_name, "netns", b_ns.name)


class Topology:
    """Two nodes, a fabric, a peer and an internet host, all in namespaces of the test's `namespaces`."""

    def __init__(self, namespaces, data_dir_a, data_dir_b):
        self.fabric = namespaces.make("fab")
        self.peer = namespaces.make("peer")
        self.internet = namespaces.make("inet")
        f = self.fabric
        f.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        f.run("ip", "addr", "add", f"{GATEWAY}/32", "dev", "lo")
        self.nodes = []
        for name, primary, pool_cidr, pool_range, data_dir, link in (
                ("a", "10.240.0.4", "10.240.16.0/20", "10.240.16.10-10.240.17.250", data_dir_a, "fa"),
                ("b", "10.240.0.5", "10.240.32.0/20", "10.240.32.10-10.240.33.250", data_dir_b, "fb")):
            ns = namespaces.make("node" + name)
            link_pair(ns, "eth0", f, link)
            ns.run("ip", "addr", "add", f"{primary}/16", "dev", "eth0")
            ns.run("ip", "link", "set", "eth0", "up")
            ns.run("ip", "route", "add", "default", "via", GATEWAY, "dev", "eth0")
            f.run("ip", "link", "set", link, "up")
            f.run("sysctl", "-qw", f"net.ipv4.conf.{link}.proxy_arp=1")
            f.run("ip", "route", "add", f"{primary}/32", "dev", link)
            f.run("ip", "route", "add", pool_cidr, "via", primary, "dev", link)
            self.nodes.append(Node(ns, primary, pool_cidr, pool_range, data_dir))
        for host, link, addr, gw in ((self.peer, "fp", PEER, "192.168.1.1"), (self.internet, "fi", INTERNET, "203.0.113.1")):
            link_pair(host, "eth0", f, link)
            host.run("ip", "addr", "add", f"{addr}/24", "dev", "eth0")
            host.run("ip", "link", "set", "eth0", "up")
            host.run("ip", "route", "add", "default", "via", gw)
            f.run("ip", "addr", "add", f"{gw}/24", "dev", link)
            f.run("ip", "link", "set", link, "up")


class SourceRecorder:
    """A UDP listener in a namespace that answers every datagram with the source address it saw, so the check
    is made where the packet lands."""

    SERVER = ("import socket,sys\n"
              "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
              "s.bind(('0.0.0.0',int(sys.argv[1])))\n"
              "print('ready',flush=True)\n"
              "while True:\n"
              "    d,a=s.recvfrom(2048)\n"
              "    s.sendto(a[0].encode(),a)\n")

    def __init__(self, ns, port=5555):
        self.ns, self.port = ns, port
        self.proc = subprocess.Popen(["nsenter", f"--net={ns.path}", "/usr/bin/python3", "-c", self.SERVER, str(port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.proc.stdout.readline()

    def stop(self):
        self.proc.kill()
        self.proc.wait()


CLIENT = ("import socket,sys\n"
          "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
          "s.settimeout(2)\n"
          "for i in range(3):\n"
          "    s.sendto(b'hi',(sys.argv[1],int(sys.argv[2])))\n"
          "    try:\n"
          "        print(s.recvfrom(2048)[0].decode()); break\n"
          "    except socket.timeout:\n"
          "        pass\n")


def seen_source(client_netns_path, target, port=5555):
    """Sends from the namespace at `client_netns_path` to target:port; returns the source the target saw."""
    out = sh("nsenter", f"--net={client_netns_path}", "/usr/bin/python3", "-c", CLIENT, target, str(port), check=False)
    return out.stdout.strip() or None


def ping(netns_path, target, count=1):
    return sh("nsenter", f"--net={netns_path}", "ping", "-c", str(count), "-W", "2", "-q", target, check=False).returncode == 0
