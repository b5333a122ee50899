"""The floor: the kernel work of each verb done from one long-lived process, with no plugin exec, no
configuration parsing and no state file. Started by bench.py inside a fresh node namespace.

Per pod, timed one pod at a time (pyroute2 for netlink, libnftables through python3-nftables, the library
vnet itself uses):
  ADD    netlink socket in the pod's namespace; veth pair with its peer born in the pod namespace (MTU set);
         host end on the bridge and up; pod: address, eth0 and lo up, default route; node: /32 route via
         the bridge; NAT: the pod's address into both pod sets in one nft transaction.
  CHECK  host end (master, up) and the bridge by name; pod: link, addresses and routes of eth0; NAT: the
         element in the pod set.
  DEL    NAT elements out; /32 route out; host end deleted (which takes the peer with it).
The bridge and the NAT table are made once, untimed (node-level, like a warm node).

Reads {"pods": [netns path...], "gateway": "...", "first": "10.240.16.10"} on stdin, prints per-pod wall
and system CPU seconds per verb. The Python and pyroute2 overhead is included; the system CPU time is the
part the kernel spent in this process's system calls.
"""
import ctypes
import ipaddress
import json
import os
import resource
import sys
import time

from pyroute2 import IPRoute
import nftables

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)

NAT_TABLE = """
table ip vnetfloor {
  set pods { type ipv4_addr; }
  set pod_stats { type ipv4_addr; counter; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
    ip saddr != @pods return
    ip daddr 10.240.0.0/16 counter return
    fib daddr type local counter return
    counter snat to 10.240.0.4
  }
  chain accounting { type filter hook postrouting priority srcnat + 10; policy accept;
    ct status snat ct original ip saddr @pod_stats counter
  }
}
"""


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def cpu():
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def main():
    job = json.load(sys.stdin)
    gateway = job["gateway"]
    first = ipaddress.IPv4Address(job["first"])
    pods = job["pods"]
    node_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
    ipr = IPRoute()
    nft = nftables.Nftables()
    rc, _, err = nft.cmd(NAT_TABLE)
    if rc != 0:
        raise SystemExit(f"nft: {err}")
    ipr.link("add", ifname="vnet0", kind="bridge")
    bridge = ipr.link_lookup(ifname="vnet0")[0]
    ipr.link("set", index=bridge, mtu=1500, state="up")

    def timed(fn):
        c0, t0 = cpu(), time.perf_counter()
        fn()
        return time.perf_counter() - t0, cpu() - c0

    out = {"ADD": [], "ADD_sys": [], "CHECK": [], "CHECK_sys": [], "DEL": [], "DEL_sys": []}
    addresses = [str(first + i) for i in range(len(pods))]

    def add(i):
        pod_fd = os.open(pods[i], os.O_RDONLY)
        setns(pod_fd)
        pod = IPRoute()
        setns(node_fd)
        host = f"vf{i}"
        ipr.link("add", ifname=host, kind="veth", mtu=1500, peer={"ifname": "eth0", "net_ns_fd": pod_fd, "mtu": 1500})
        index = ipr.link("get", ifname=host)[0]["index"]
        ipr.link("set", index=index, master=bridge, state="up")
        eth0 = pod.link("get", ifname="eth0")[0]["index"]
        pod.addr("add", index=eth0, address=addresses[i], prefixlen=16)
        pod.link("set", index=eth0, state="up")
        pod.link("set", index=1, state="up")
        pod.route("add", dst="0.0.0.0/0", gateway=gateway, oif=eth0)
        ipr.route("add", dst=f"{addresses[i]}/32", oif=bridge)
        rc, _, err = nft.cmd(f"add element ip vnetfloor pods {{ {addresses[i]} }}; "
                             f"add element ip vnetfloor pod_stats {{ {addresses[i]} }}")
        if rc != 0:
            raise RuntimeError(err)
        pod.close()
        os.close(pod_fd)

    def check(i):
        pod_fd = os.open(pods[i], os.O_RDONLY)
        setns(pod_fd)
        pod = IPRoute()
        setns(node_fd)
        host = ipr.link("get", ifname=f"vf{i}")[0]
        assert host.get_attr("IFLA_MASTER") == bridge
        ipr.link("get", ifname="vnet0")
        eth0 = pod.link("get", ifname="eth0")[0]
        addrs = [a.get_attr("IFA_ADDRESS") for a in pod.get_addr(index=eth0["index"])]
        assert addresses[i] in addrs, addrs
        routes = pod.get_routes(oif=eth0["index"])
        assert any(r["dst_len"] == 0 for r in routes)
        rc, _, err = nft.cmd(f"get element ip vnetfloor pods {{ {addresses[i]} }}")
        if rc != 0:
            raise RuntimeError(err)
        pod.close()
        os.close(pod_fd)

    def delete(i):
        rc, _, err = nft.cmd(f"delete element ip vnetfloor pods {{ {addresses[i]} }}; "
                             f"delete element ip vnetfloor pod_stats {{ {addresses[i]} }}")
        if rc != 0:
            raise RuntimeError(err)
        ipr.route("del", dst=f"{addresses[i]}/32", oif=bridge)
        ipr.link("del", ifname=f"vf{i}")

    for verb, fn in (("ADD", add), ("CHECK", check), ("DEL", delete)):
        for i in range(len(pods)):
            wall, sys_cpu = timed(lambda: fn(i))
            out[verb].append(wall)
            out[verb + "_sys"].append(sys_cpu)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
