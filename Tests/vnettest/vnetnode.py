"""VNet nodes for tests: a node namespace joined to the registry, its vnet configuration with a registry,
its vnetd (started here, stopped by PID) and its pods (namespaces attached with the vnet plugin)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from vnettest.cni import BIN, exec_plugin, load_state

NETWORK = "vnet-e2e"


class VNetNode:
    def __init__(self, namespaces, registry, name, index, vnet="prod", limit=16000, step=16, auto_reclaim=300,
                 pool=None, lock_timeout=10, pool_config=None, primary=None, cooldown=None):
        self.name, self.registry, self.namespaces = name, registry, namespaces
        self.ns = namespaces.make(name)
        self.address = registry.join(self.ns)
        self.data_dir = tempfile.mkdtemp(prefix=f"vnet-{name}-")
        os.chmod(self.data_dir, 0o700)
        third = 16 + index
        self.pool = pool or f"10.240.{third}.10-10.240.{third}.250"
        self.registry_conf = {"vnet": vnet, "endpoints": registry.endpoints, "node": name, "reservationStep": step,
                              "autoReclaimAfterSeconds": auto_reclaim}
        self.plugin = {
            "type": "vnet", "bridge": "vnet0", "mtu": 1500, "vnetCIDRs": ["10.240.0.0/16"], "snat": False, "snatAddress": self.address,
            "ipam": {"type": "vnet-ipam", "dataDir": self.data_dir, "maxPodsPerVNet": limit, "lockTimeoutSeconds": lock_timeout,
                     "pool": {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1", "addresses": [self.pool]},
                     "registry": self.registry_conf},
        }
        if pool_config:  # e.g. a `vnet` pool: blocks of a VNet subnet claimed by vnetd
            self.plugin["ipam"]["pool"] = pool_config
        if primary:  # the node's primary address on a fabric, published for the VNet's routes
            self.plugin["snatAddress"] = primary
        if cooldown is not None:
            self.plugin["ipam"]["cooldownSeconds"] = cooldown
        self.config_path = os.path.join(self.data_dir, "vnet.conflist")
        with open(self.config_path, "w") as f:
            json.dump(self.conflist(), f)
        self.vnetd_proc = None
        self.pods = {}

    def conflist(self):
        return {"cniVersion": "1.1.0", "name": NETWORK, "plugins": [self.plugin]}

    def network_config(self):
        return dict(self.plugin, cniVersion="1.1.0", name=NETWORK)

    # vnetd

    def start_vnetd(self, give_back=2.0, interval=0.5, metrics="off", env=None, heartbeat=4):
        log = open(os.path.join(self.data_dir, "vnetd.log"), "a")
        self.vnetd_proc = subprocess.Popen(
            ["nsenter", f"--net={self.ns.path}", os.path.join(BIN, "vnetd"), "--config", self.config_path,
             "--interval", str(interval), "--give-back-after", str(give_back), "--metrics-address", metrics,
             "--heartbeat-seconds", str(heartbeat)],
            stdout=log, stderr=log, env=dict(os.environ, **(env or {})))
        return self.vnetd_proc

    def wait_granted(self, at_least=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            grant = self.granted()
            if grant and grant["reserved"] >= at_least:
                return grant
            if self.vnetd_proc and self.vnetd_proc.poll() is not None:
                raise RuntimeError(f"vnetd of {self.name} exited {self.vnetd_proc.returncode}: {self.log()}")
            time.sleep(0.1)
        raise RuntimeError(f"vnetd of {self.name} granted nothing in {timeout}s: {self.log()}")

    def stop_vnetd(self, sig=signal.SIGTERM):
        proc, self.vnetd_proc = self.vnetd_proc, None
        if proc and proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode if proc else None

    def log(self):
        try:
            with open(os.path.join(self.data_dir, "vnetd.log")) as f:
                return f.read()[-20000:]
        except OSError:
            return ""

    def granted(self):
        try:
            with open(os.path.join(self.data_dir, NETWORK, "reservation.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    # pods

    def add(self, cid):
        pod = self.namespaces.make(f"{self.name}-{cid}")
        status, out, raw, err = exec_plugin("vnet", "ADD", self.network_config(), container=cid, netns=pod.path, ifname="eth0", node=self.ns)
        if status == 0:
            self.pods[cid] = pod
        else:
            pod.delete()
        return status, out, raw

    def delete(self, cid):
        pod = self.pods.pop(cid, None)
        status, out, raw, err = exec_plugin("vnet", "DEL", self.network_config(), container=cid, netns=pod.path if pod else "",
                                            ifname="eth0", node=self.ns)
        if pod:
            pod.delete()
        return status, out, raw

    def pool_document(self):
        """What vnetd wrote for a `vnet` pool (its claimed blocks), or None."""
        try:
            with open(os.path.join(self.data_dir, NETWORK, "vnet-pool.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def leases(self):
        try:
            return load_state(self.data_dir, NETWORK)["leases"]
        except (OSError, ValueError, KeyError):
            return []

    def vnetctl(self, *args):
        return subprocess.run(["nsenter", f"--net={self.ns.path}", os.path.join(BIN, "vnetctl"), "--state-dir", self.data_dir, *args],
                              capture_output=True, text=True, timeout=60)

    def cleanup(self):
        self.stop_vnetd(signal.SIGKILL)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def http_get(node, url):
    """(status, body) of a GET from inside the node's namespace (vnetd's endpoint is on the node's loopback)."""
    out = node.ns.run("curl", "-s", "-m", "5", "-o", "/dev/stdout", "-w", "\n%{http_code}", url, check=False)
    body, _, code = out.stdout.rpartition("\n")
    return int(code or 0), body


def audit(node):
    try:
        with open(os.path.join(node.data_dir, "audit.log")) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []
