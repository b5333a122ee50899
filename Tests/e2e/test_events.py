"""The node's event log: every CNI call and operation, appended by its caller, read by vnetctl events (and the
console). A refused ADD is there with its code and message; a torn line is reported and skipped, never fatal;
--follow prints what is appended."""
import json
import os
import queue
import subprocess
import threading
import time

from vnettest.cni import BIN, exec_plugin
from vnettest.netns import sh

NET = "vnet-e2e"


def ctl(node, *args, check=True):
    return sh(os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, *args, check=check)


def events(node, *args):
    return json.loads(ctl(node, "--json", "events", *args).stdout)


def test_calls_and_operations_are_events_with_their_results(node5, namespaces):
    topo, node, runtime, pods, ips = node5
    adds = [e for e in events(node) if e["verb"] == "ADD"]
    assert len(adds) == 5 and all(not e["failed"] and e["caller"] == "vnet" for e in adds), adds
    assert {e["pod"] for e in adds} == {f"team/web-{i}" for i in range(5)}
    assert all(e["seconds"] > 0 and e["ifname"] == "eth0" for e in adds)

    # An ADD the pool refuses: an address outside the pool was asked for.
    pod = namespaces.make("refused")
    status, out, raw, err = exec_plugin("vnet", "ADD", dict(runtime._config(runtime.conflist["plugins"][0], None)), container="nope",
                                        netns=pod.path, ifname="eth0", args="IP=10.240.99.99;K8S_POD_NAMESPACE=team;K8S_POD_NAME=bad",
                                        node=node.ns)
    assert status != 0, raw
    failed = events(node, "--failed")
    assert len(failed) == 1, failed
    assert failed[0]["verb"] == "ADD" and failed[0]["pod"] == "team/bad" and failed[0]["code"] == out["code"], (failed, raw)
    assert failed[0]["message"] == out["msg"], (failed, raw)

    # An operator's detach is an event too, naming vnetctl.
    ctl(node, "detach", "--container", "ctl0")
    detach = [e for e in events(node) if e["verb"] == "detach"]
    assert detach and detach[-1]["caller"] == "vnetctl" and detach[-1]["container"] == "ctl0" and not detach[-1]["failed"], detach

    # --since: an hour back holds them all, a second back none of the older ones.
    assert len(events(node, "--since", "1h")) == len(events(node))
    time.sleep(1.1)
    assert events(node, "--since", "1s") == []
    text = ctl(node, "events", "--failed").stdout
    assert "FAILED" in text and "team/bad" in text, text


def test_a_torn_line_is_reported_skipped_and_the_log_goes_on(node5):
    topo, node, runtime, pods, ips = node5
    log = os.path.join(node.data_dir, NET, "events.log")
    before = len(events(node))
    with open(log, "ab") as f:
        f.write(b'{"at": 17, "verb": "AD')  # a writer killed mid-line
    out = ctl(node, "events")
    assert out.returncode == 0 and "1 line(s) of the event log could not be read" in out.stderr, out.stderr
    runtime.delete("ctl1")
    after = events(node)
    assert len(after) == before + 1 and after[-1]["verb"] == "DEL" and after[-1]["container"] == "ctl1", after[-3:]


def test_follow_prints_what_is_appended(node5):
    topo, node, runtime, pods, ips = node5
    proc = subprocess.Popen([os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, "--json", "events",
                             "--follow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        runtime.delete("ctl2")
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
        seen = []
        deadline = time.time() + 10
        while time.time() < deadline and not any(e["verb"] == "DEL" and e["container"] == "ctl2" for e in seen):
            try:
                seen.append(json.loads(lines.get(timeout=max(0.01, deadline - time.time()))))
            except queue.Empty:
                break
        # The events already there come first, then what was appended while it followed.
        assert seen and seen[-1]["verb"] == "DEL" and seen[-1]["container"] == "ctl2", seen
        assert [e["verb"] for e in seen[:5]] == ["ADD"] * 5, seen
    finally:
        proc.kill()
        proc.wait()
