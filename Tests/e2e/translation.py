"""Helpers of the public IP and host port suites: a TCP server that answers each connection with the
address it came from, a client for it, and a look at vnet's maps inside a node namespace."""
import json
import subprocess

TCP_SERVER = ("import socket,sys\n"
              "s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\n"
              "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
              "s.bind(('0.0.0.0',int(sys.argv[1])))\n"
              "s.listen(16)\n"
              "print('ready',flush=True)\n"
              "while True:\n"
              "    c,a=s.accept()\n"
              "    c.sendall(a[0].encode())\n"
              "    c.close()\n")

TCP_CLIENT = ("import socket,sys\n"
              "try:\n"
              "    c=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=2)\n"
              "    print(c.recv(100).decode())\n"
              "except OSError as e:\n"
              "    print('')\n")


class TCPSourceServer:
    """A TCP server in a namespace (by path) on `port` that writes back the client's address."""

    def __init__(self, netns_path, port=80):
        self.proc = subprocess.Popen(["nsenter", f"--net={netns_path}", "/usr/bin/python3", "-c", TCP_SERVER, str(port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.proc.stdout.readline()

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def tcp_source(netns_path, target, port):
    """Connects from the namespace at `netns_path` to target:port; the address the server saw, "" when no answer."""
    out = subprocess.run(["nsenter", f"--net={netns_path}", "/usr/bin/python3", "-c", TCP_CLIENT, target, str(port)],
                         capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


def map_elements(ns, table="vnet"):
    """{map name: [elements as nft -j lists them]} of vnet's table in namespace `ns`; None without the table."""
    out = ns.run("nft", "-j", "list", "table", "ip", table, check=False)
    if out.returncode != 0:
        return None
    maps = {}
    for obj in json.loads(out.stdout)["nftables"]:
        if "map" in obj:
            maps[obj["map"]["name"]] = obj["map"].get("elem", [])
    return maps
