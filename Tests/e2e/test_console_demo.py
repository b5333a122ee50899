"""`make run`'s demo is worth opening: the real `vnet-console --demo` in a private tmux server shows a leak to
reclaim, a failed ADD the plugin itself recorded, and a key that breaks a pod on purpose; a newcomer's whole
round (reclaim from the console, break a pod, quit) leaves nothing behind.

Waits poll the screen or the system with a bound; nothing sleeps for a fixed time. Whatever the demo leaves
after a failure (its namespaces, its state directory, its processes) is removed by pid and prefix."""
import json
import os
import re
import subprocess

from test_console import demo, demo_namespaces, demo_state_dirs  # noqa: F401  (demo: the fixture)
from vnettest.cni import BIN, wait_for
from vnettest.process import alive, descendants

CONSOLE = os.path.join(BIN, "vnet-console")
VNETCTL = os.path.join(BIN, "vnetctl")
HINT = "Demo: 5 Leaks: a pod to reclaim (r); 7 Events: a failed ADD; B: break a pod"
POD_ADDRESS = re.compile(r"^. (10\.240\.1[67]\.\d{1,3})\s", re.MULTILINE)


def demo_state_dir(prefix):
    """The demo's state directory (a mkdtemp under /tmp): the one whose state names the demo's own pods."""
    found = demo_state_dirs(prefix)
    assert len(found) == 1, f"one state directory names the demo's pods: {found}"
    return found[0]


def leak_rows(screen):
    """The addresses of the suspects the Leaks table lists."""
    return POD_ADDRESS.findall(screen)


def leaks_tab(count):
    return lambda screen: f"5 Leaks {count} " in screen or screen.rstrip().endswith(f"5 Leaks {count}")


def test_demo_has_a_leak_to_reclaim_a_failed_add_and_a_break_key(demo):
    tmux, pid, prefix = demo()
    # The overview first, with its one line saying what to try.
    screen = tmux.wait_for(lambda s: "updated " in s and HINT in s and "network demo" in s, timeout=120, what="the demo's overview")
    hint_rows = [line for line in screen.splitlines() if "Demo:" in line]
    assert hint_rows == [" " + HINT], hint_rows
    state_dir = demo_state_dir(prefix)
    started = descendants(pid)

    # The Leaks screen: exactly one suspect, the pod whose namespace vanished without DEL.
    tmux.send("5")
    screen = tmux.wait_for(lambda s: leaks_tab(1)(s) and len(leak_rows(s)) == 1, timeout=20, what="one leak suspect")
    leaked = leak_rows(screen)[0]
    assert "netns-gone" in screen and "no-veth" in screen, screen

    # The failed ADD, as the plugin itself recorded it in the network's event log.
    out = subprocess.run([VNETCTL, "events", "--failed", "--json", "--state-dir", state_dir],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    failed = [e for e in json.loads(out.stdout) if e.get("verb") == "ADD"]
    assert len(failed) == 1, out.stdout
    event = failed[0]
    assert event["failed"] is True and event["caller"] == "vnet", event
    assert event["code"] == 103, event  # requested address unavailable
    assert "10.240.99.99" in event["message"] and "not in the pool" in event["message"], event
    assert event.get("pod") == "batch/batch-pinned", event

    # Reclaim it from the console: r on the one suspect (the first row is selected), Tab to Apply, Enter.
    tmux.send("r")
    screen = tmux.wait_text("Confirm reclaim", timeout=10)
    assert f"release {leaked} held by demo-gone/eth0" in screen, screen
    tmux.send("Tab", "Enter")
    screen = tmux.wait_for(lambda s: leaks_tab(0)(s) and "no leak suspects" in s, timeout=20, what="the Leaks screen empty")
    assert "reclaimed 1" in screen, screen
    with open(os.path.join(state_dir, "demo", "state.json")) as f:
        state = json.load(f)
    assert leaked not in [lease["address"] for lease in state["leases"]], "the leaked address is released"

    # The break key makes a new leak: one healthy pod's namespace goes without DEL.
    pods_before = set(n for n in demo_namespaces(prefix) if re.fullmatch(re.escape(prefix) + r"-pod\d+", n))
    tmux.send("B")
    screen = tmux.wait_for(lambda s: leaks_tab(1)(s) and len(leak_rows(s)) == 1, timeout=20, what="the broken pod as a new leak")
    assert "broke " in screen, screen
    assert leak_rows(screen)[0] != leaked
    pods_after = set(n for n in demo_namespaces(prefix) if re.fullmatch(re.escape(prefix) + r"-pod\d+", n))
    assert len(pods_before - pods_after) == 1 and pods_after < pods_before, (pods_before, pods_after)

    # q removes the whole sandbox: namespaces, processes, state.
    # The demo's rules are on the Security screen, enforced for its pods.
    tmux.send("8")
    screen = tmux.wait_for(lambda s: "no-ssh" in s and "web-in" in s and "DenyAllInBound" in s, timeout=20,
                           what="the demo's rules on the Security screen")
    tmux.send("q")
    assert tmux.wait_dead(timeout=30), "q quits"
    assert tmux.exit_status() == 0
    assert not alive(pid), "no vnet-console is left"
    assert demo_namespaces(prefix) == [], "no namespace of the demo is left"
    assert not [child for child in started if alive(child)], "the demo's pings, etcd and vnetds are gone"
    assert not os.path.exists(state_dir), "the demo's state directory is removed"
