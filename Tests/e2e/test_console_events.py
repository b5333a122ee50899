"""The console as the place to troubleshoot: a refused ADD shows on the Events screen and in vnetctl events
within a refresh, with the recovery step; the overview names the last failure; the trends move with traffic
the test starts, and still read in monochrome and ASCII. The real binary in tmux, on the test topology."""
import json
import os
import re
import subprocess
import threading

import pytest

from test_console import console  # noqa: F401  (the fixture)
from test_console import row_of
from vnettest.cni import BIN, exec_plugin
from vnettest.netns import sh
from vnettest.topology import INTERNET

NET = "vnet-e2e"


def ctl(node, *args):
    return sh(os.path.join(BIN, "vnetctl"), "--netns", node.ns.name, "--state-dir", node.data_dir, *args)


def refused_add(node, runtime, namespaces):
    """An ADD the pool refuses (an address outside the pool was asked for); returns the plugin's error."""
    pod = namespaces.make("refused")
    status, out, raw, err = exec_plugin("vnet", "ADD", dict(runtime._config(runtime.conflist["plugins"][0], None)),
                                        container="refused0", netns=pod.path, ifname="eth0",
                                        args="IP=10.240.99.99;K8S_POD_NAMESPACE=team;K8S_POD_NAME=bad", node=node.ns)
    assert status != 0 and out.get("code"), raw
    return out


def test_a_refused_add_is_on_the_events_screen_with_its_recovery_step(node5, namespaces, console):  # noqa: F811
    topo, node, runtime, pods, ips = node5
    tmux = console(node, width=140, height=40)
    tmux.send("7")
    tmux.wait_text("team/web-4")
    error = refused_add(node, runtime, namespaces)
    code = error["code"]

    # Within a refresh (1 s here; the wait allows a few): the newest row, marked failed.
    screen = tmux.wait_text(f"FAIL {code}")
    rows = [line for line in screen.splitlines() if "team/" in line]
    assert "team/bad" in rows[0] and f"FAIL {code}" in rows[0], screen
    failed = json.loads(ctl(node, "--json", "events", "--failed").stdout)
    assert [(e["code"], e["message"], e["pod"]) for e in failed] == [(code, error["msg"], "team/bad")], failed

    # Enter on the selected (newest) row: the whole message and what to do for its code.
    tmux.send("Enter")
    detail = tmux.wait_text("what to do")
    assert f"failed, CNI error code {code}" in detail, detail
    assert "team/bad" in detail
    words = error["msg"].split()
    assert all(word in detail for word in words[:4]), (words, detail)
    assert "docs/troubleshooting.md" in detail

    # `/` keeps only the rows that match.
    tmux.send("Escape", "/")
    tmux.type("FAIL")
    filtered = tmux.wait_for(lambda s: "team/web-4" not in s and "team/bad" in s, what="the filtered events")
    assert "no rows match" not in filtered

    # The overview names the last failure and counts the ADDs.
    tmux.send("Escape", "1")
    overview = tmux.wait_text("last failure")
    assert "team/bad" in row_of(overview, "last failure") and f"code {code}" in row_of(overview, "last failure")
    assert re.search(r"ADD \d+(\.\d)?/min p50 \d+ ms", row_of(overview, " CNI ")), overview


def trend(screen, name):
    """The sparkline of a trend, between its name and its value: its newest 20 slots."""
    line = row_of(screen, name)
    start = line.index(name) + len(name)
    spark = re.match(r"\s*(\S+)", line[start:]).group(1)
    return spark[-20:]


def traffic(pod, seconds):
    """Pings the internet host from a pod (SNAT-ed on the way out) quickly for `seconds`."""
    return subprocess.Popen(["nsenter", f"--net={pod.path}", "ping", "-q", "-i", "0.01", "-s", "1000", "-w", str(seconds), INTERNET],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("mode", ["unicode", "monochrome-ascii"])
def test_trends_move_with_traffic_and_read_without_colour(node5, console, mode):  # noqa: F811
    topo, node, runtime, pods, ips = node5
    env = {"LANG": "C", "LC_ALL": "C"} if mode != "unicode" else None
    flags = ("--theme", "monochrome") if mode != "unicode" else ()
    # 240 columns give each trend ~95 slots of ~9.5 s: a quiet slot, then one with traffic.
    tmux = console(node, *flags, width=240, height=50, env=env)
    low, high = ("▁▂", "▅▆▇█") if mode == "unicode" else ("_.", "=+*#")
    quiet = tmux.wait_for(lambda s: "Trends" in s and len(trend(s, "bridge rx")) >= 3 and trend(s, "bridge rx")[-1] in low,
                          timeout=30, what="a quiet slot on the bridge trend")
    ping = traffic(pods[0], 6)
    try:
        moved = tmux.wait_for(lambda s: trend(s, "SNAT pkts")[-1] in high and trend(s, "bridge rx")[-1] in high
                              and any(c in low for c in trend(s, "bridge rx")[:-1]),
                              timeout=15, what="the SNAT and bridge trends rising from quiet")
    finally:
        ping.wait(timeout=20)
    assert trend(moved, "bridge rx") != trend(quiet, "bridge rx")
    if mode != "unicode":
        assert all(ord(c) < 128 for c in moved), "ASCII only"
    # The latest value is in words beside the line.
    assert re.search(r"SNAT pkts\s+\S+\s+\d+(\.\d+)?k?/s", row_of(moved, "SNAT pkts")), row_of(moved, "SNAT pkts")


def click(tmux, x, y, double=False):
    """A left click at column x, row y (0-based) as an xterm in SGR mouse mode (1006) reports it."""
    press, release = f"\x1b[<0;{x + 1};{y + 1}M", f"\x1b[<0;{x + 1};{y + 1}m"
    tmux.type((press + release) * (2 if double else 1))


def test_the_mouse_opens_tabs_and_details_and_no_mouse_leaves_it_to_the_terminal(node5, console):  # noqa: F811
    topo, node, runtime, pods, ips = node5
    tmux = console(node, width=120, height=40)
    assert tmux.pane("mouse_any_flag") == "1" or tmux.pane("mouse_standard_flag") == "1", "mouse reporting is on"
    tabs = tmux.screen().splitlines()[2]
    click(tmux, tabs.index("7 Events"), 2)
    tmux.wait_text("events kept")
    click(tmux, tabs.index("2 Endpoints"), 2)
    screen = tmux.wait_text("ADDRESS")
    lines = screen.splitlines()
    header = next(i for i, line in enumerate(lines) if "ADDRESS" in line)
    second = lines[header + 2]
    click(tmux, 10, header + 2, double=True)
    pod = re.search(r"team/web-\d", second).group(0)
    detail = tmux.wait_text("pod interface")
    assert f"Endpoint {pod}" in detail, (second, detail)

    plain = console(node, "--no-mouse", width=120, height=40)
    assert plain.pane("mouse_any_flag") != "1" and plain.pane("mouse_standard_flag") != "1", "the terminal keeps the mouse"
