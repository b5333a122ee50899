"""Security checks through the binaries.

- the state directory is created 0700 and every file in it 0600 (state, previous copy, lock, recorded config),
  the audit log 0600;
- a state directory or data directory that is a symlink, writable by group or others, or owned by another user
  is refused, and so is a lock file or state file that is a symlink, and a lock file writable by others; nothing
  is written through them;
- CNI_NETNS must be a network namespace file: a regular file, a directory, a missing path or another kind of
  namespace is refused by `vnet` ADD with a clear error, and nothing is allocated;
- container IDs, interface names and network names are validated (code 4 / 7, naming the variable or key);
  a dataDir that is relative or contains ".." is refused.
"""
import json
import os
import pwd
import stat

from stress.harness import NETWORK, Log, StressNode, make_data_dir, pod_links, remove_tree, run_plugin
from vnettest.netns import Namespaces

BAD_IDS = ["../../etc", "a/b", "-leading-dash", ".hidden", "a b", "x" * 1025, "ctr\n1", "ctr;rm", "caf\u00e9"]
BAD_IFNAMES = [".", "..", "a/b", "eth:0", "eth 0", "x" * 16, "tab\t", "del\x7f"]


def ipam_conf(data_dir, name=NETWORK):
    return {"cniVersion": "1.1.0", "name": name, "type": "bridge",
            "ipam": {"type": "vnet-ipam", "dataDir": data_dir, "lockTimeoutSeconds": 2,
                     "pool": {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1",
                              "addresses": ["10.240.16.10-10.240.16.73"]}}}


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


class Security:
    def __init__(self, log=None):
        self.log = log or Log("security")
        self.violations = []
        self.checks = 0

    def violate(self, message):
        self.violations.append(message)
        self.log("VIOLATION " + message)

    def expect(self, condition, message):
        self.checks += 1
        if not condition:
            self.violate(message)

    def run(self):
        namespaces = Namespaces("se")
        data_dir = make_data_dir("security")
        try:
            node = StressNode(namespaces, data_dir, "10.240.16.10-10.240.16.73")
            pods = namespaces.make_many("p", 3)
            self.modes(node, pods)
            self.unsafe_paths()
            self.netns(node, pods)
            self.identifiers(node, pods)
        finally:
            namespaces.cleanup()
            remove_tree(data_dir)
        self.log(f"{self.checks} checks; " + ("no violation" if not self.violations else f"{len(self.violations)} VIOLATIONS"))
        return self.violations

    def modes(self, node, pods):
        out = node.call("ADD", container="modes", netns=pods[0].path)
        self.expect(out.ok, f"ADD failed: {out.describe()}")
        node.call("ADD", container="modes2", netns=pods[1].path)
        valid = os.path.join(node.data_dir, "valid.json")
        with open(valid, "w") as f:
            json.dump([{"containerID": "modes", "ifname": "eth0"}], f)
        node.vnetctl("--netns", node.ns.name, "gc", "--valid", valid)  # a change through vnetctl: audited
        os.unlink(valid)
        found = {"dir": oct(mode(node.state_dir))}
        self.expect(mode(node.state_dir) == 0o700, f"state directory mode {oct(mode(node.state_dir))}, want 0700")
        for name in sorted(os.listdir(node.state_dir)):
            path = os.path.join(node.state_dir, name)
            found[name] = oct(mode(path))
            self.expect(mode(path) == 0o600, f"{path} has mode {oct(mode(path))}, want 0600")
        audit = os.path.join(node.data_dir, "audit.log")
        if os.path.exists(audit):
            found["../audit.log"] = oct(mode(audit))
            self.expect(mode(audit) == 0o600, f"audit log mode {oct(mode(audit))}, want 0600")
        else:
            self.violate("vnetctl gc wrote no audit log")
        self.log(f"modes: {found}")
        node.call("DEL", container="modes", netns="")

    def refused(self, label, conf, untouched=()):
        out = run_plugin("vnet-ipam", "ADD", conf, container="unsafe", netns="/proc/self/ns/net")
        self.expect(not out.ok and ("refusing" in out.msg or "unsafe" in out.msg),
                    f"{label}: ADD was not refused as unsafe: {out.describe()}")
        for path in untouched:
            self.expect(not os.path.exists(path) or not os.listdir(path) if os.path.isdir(path) else not os.path.exists(path),
                        f"{label}: something was written through the unsafe path to {path}")
        self.log(f"{label}: refused, code {out.code}: {out.msg[:150]}")

    def unsafe_paths(self):
        base = make_data_dir("unsafe")
        try:
            # The network directory is a symlink to a directory the attacker chose.
            d = os.path.join(base, "symlinked")
            os.makedirs(os.path.join(d, "elsewhere"), mode=0o700)
            os.symlink(os.path.join(d, "elsewhere"), os.path.join(d, NETWORK))
            self.refused("network directory is a symlink", ipam_conf(d), untouched=[os.path.join(d, "elsewhere")])
            # The data directory is a symlink.
            os.makedirs(os.path.join(base, "real"), mode=0o700)
            os.symlink(os.path.join(base, "real"), os.path.join(base, "linkdir"))
            self.refused("data directory is a symlink", ipam_conf(os.path.join(base, "linkdir")),
                         untouched=[os.path.join(base, "real")])
            # Writable by others / by group.
            for label, m, which in (("data directory writable by others (0777)", 0o777, "data"),
                                    ("network directory writable by group (0770)", 0o770, "network")):
                d = os.path.join(base, f"mode{m:o}")
                os.makedirs(os.path.join(d, NETWORK), mode=0o700)
                os.chmod(d if which == "data" else os.path.join(d, NETWORK), m)
                self.refused(label, ipam_conf(d), untouched=[os.path.join(d, NETWORK)])
            # Owned by another user.
            nobody = pwd.getpwnam("nobody")
            d = os.path.join(base, "foreign")
            os.makedirs(os.path.join(d, NETWORK), mode=0o700)
            os.chown(os.path.join(d, NETWORK), nobody.pw_uid, nobody.pw_gid)
            self.refused("network directory owned by another user (nobody)", ipam_conf(d), untouched=[os.path.join(d, NETWORK)])
            # The lock file is a symlink / writable by others; the state file is a symlink.
            d = os.path.join(base, "lockfile")
            network_dir = os.path.join(d, NETWORK)
            ok = run_plugin("vnet-ipam", "ADD", ipam_conf(d), container="first", netns="/proc/self/ns/net")
            self.expect(ok.ok, f"ADD on a fresh data directory failed: {ok.describe()}")
            target = os.path.join(base, "lock-target")
            lock = os.path.join(network_dir, "lock")
            os.unlink(lock)
            os.symlink(target, lock)
            self.refused("lock file is a symlink", ipam_conf(d), untouched=[target])
            os.unlink(lock)
            with open(lock, "w"):
                pass
            os.chmod(lock, 0o666)
            self.refused("lock file writable by others (0666)", ipam_conf(d))
            os.chmod(lock, 0o600)
            state = os.path.join(network_dir, "state.json")
            os.rename(state, state + ".moved")
            os.symlink(state + ".moved", state)
            out = run_plugin("vnet-ipam", "ADD", ipam_conf(d), container="through-link", netns="/proc/self/ns/net")
            with open(state + ".moved") as f:
                leases = [l["key"]["containerID"] for l in json.load(f)["leases"]]
            self.expect(not out.ok and "through-link" not in leases, f"state file symlink: ADD {out.describe()}, leases {leases}")
            self.log(f"state file is a symlink: refused, code {out.code}: {out.msg[:150]}")
        finally:
            remove_tree(base)

    def netns(self, node, pods):
        regular = os.path.join(node.data_dir, "not-a-netns")
        with open(regular, "w") as f:
            f.write("x")
        before = node.state()["leases"]
        cases = [("a regular file", regular), ("a directory", node.data_dir), ("a missing path", regular + ".missing"),
                 ("a mount namespace", "/proc/self/ns/mnt"), ("a relative path", "not-a-netns")]
        for label, path in cases:
            out = node.call("ADD", container="badns", netns=path)
            self.expect(not out.ok and path in out.msg and ("network namespace" in out.msg or "netns" in out.msg.lower()),
                        f"CNI_NETNS {label} ({path}): not refused clearly: {out.describe()}")
            self.log(f"CNI_NETNS = {label}: code {out.code}: {out.msg[:140]}")
        self.expect(node.state()["leases"] == before, "a refused CNI_NETNS left a lease")
        self.expect(not [v for v in node.host_veths() if v], f"a refused CNI_NETNS left veths {node.host_veths()}")
        os.unlink(regular)

    def identifiers(self, node, pods):
        codes = {}
        for plugin in ("vnet", "vnet-ipam"):
            for bad in BAD_IDS:
                conf = node.config() if plugin == "vnet" else ipam_conf(node.data_dir)
                out = run_plugin(plugin, "ADD", conf, container=bad, netns=pods[2].path,
                                 node_ns=node.ns if plugin == "vnet" else None)
                codes.setdefault(f"{plugin} bad CNI_CONTAINERID", set()).add(out.code)
                self.expect(out.code == 4 and "CNI_CONTAINERID" in out.msg, f"{plugin}: container ID {bad[:40]!r} not refused: {out.describe()}")
            for bad in BAD_IFNAMES:
                conf = node.config() if plugin == "vnet" else ipam_conf(node.data_dir)
                out = run_plugin(plugin, "ADD", conf, container="good", netns=pods[2].path, ifname=bad,
                                 node_ns=node.ns if plugin == "vnet" else None)
                codes.setdefault(f"{plugin} bad CNI_IFNAME", set()).add(out.code)
                self.expect(out.code == 4 and "CNI_IFNAME" in out.msg, f"{plugin}: ifname {bad!r} not refused: {out.describe()}")
            out = run_plugin(plugin, "DEL", node.config() if plugin == "vnet" else ipam_conf(node.data_dir),
                             container="../x", netns="", node_ns=node.ns if plugin == "vnet" else None)
            self.expect(out.code == 4, f"{plugin}: DEL with container ID ../x not refused: {out.describe()}")
        for name in ("../escape", ".hidden", "a/b"):
            out = run_plugin("vnet-ipam", "ADD", ipam_conf(node.data_dir, name=name), container="good", netns="/x")
            codes.setdefault("bad network name", set()).add(out.code)
            self.expect(not out.ok and not os.path.exists(os.path.join(node.data_dir, "..", "escape")),
                        f"network name {name!r} not refused: {out.describe()}")
        for data_dir in ("relative/dir", "/var/lib/../tmp/x"):
            out = run_plugin("vnet-ipam", "ADD", ipam_conf(data_dir), container="good", netns="/x")
            codes.setdefault("bad dataDir", set()).add(out.code)
            self.expect(out.code == 7 and "dataDir" in out.msg, f"dataDir {data_dir!r} not refused: {out.describe()}")
        self.expect(pod_links(pods[2].name) == [], f"refused ADDs left {pod_links(pods[2].name)} in the pod")
        self.expect(not [l for l in node.state()["leases"] if l["key"]["containerID"] != "modes2"],
                    f"refused ADDs left leases {node.state()['leases']}")
        self.log(f"{len(BAD_IDS)} bad container IDs and {len(BAD_IFNAMES)} bad interface names per plugin, bad network "
                 f"names and dataDirs refused; codes: { {k: sorted(c for c in v if c is not None) for k, v in codes.items()} }")
