"""vnetd SIGKILLed at each named point of a block claim and a block give-back (test-only fault points,
VNET_TEST_FAULT), and the etcd leader SIGKILLed, during a churn of ADDs and DELs (VNET_BLOCK_CHURN, 2,000) on
two nodes whose `vnet` pool has blocks of four addresses, so that blocks are claimed and given back all the
time (issue #17, acceptance point 3). Every point is hit on each node (a round per point and node in turn, until
the churn is done), and the leader is killed VNET_BLOCK_LEADER_KILLS times (4, at least 2):

- no block ever has two owners, and at every revision each node's claimed blocks add up to its reservation
  and the reservations to the VNet's sum: all of etcd's history is replayed (a watch from revision 1) and
  checked revision by revision, and revisions sampled during the churn are read back with `get --rev` and
  checked against the replay;
- no pod ever holds an address outside its node's blocks: every few operations each node's leases are checked
  against the blocks etcd says the node owns and against the pool document vnet-ipam allocates from;
- an ADD that fails (vnetd down, etcd without a leader) leaves no lease, and a DEL always succeeds.
"""
import base64
import ipaddress
import json
import os
import random
import signal
import subprocess
import threading
import time
import traceback
from collections import Counter

import pytest

from test_vnet_blocks import vnet_pool
from vnettest.cni import wait_for
from vnettest.registry import ETCDCTL, Registry
from vnettest.vnetnode import VNetNode

POINTS = ["claim:before-txn", "claim:after-txn", "release:after-file", "release:after-txn"]
CHURN = int(os.environ.get("VNET_BLOCK_CHURN", "2000"))
CHECK_EVERY = int(os.environ.get("VNET_BLOCK_CHECK_EVERY", "2"))  # operations of a node between lease checks
LEADER_KILLS = max(2, int(os.environ.get("VNET_BLOCK_LEADER_KILLS", "4")))
MIN_ROUNDS = 2 * len(POINTS)  # every point on each of the two nodes at least once
MAX_PODS = 20
BLOCK, WARM, COOLDOWN = 4, 4, 1
POOL = vnet_pool(blockSize=BLOCK, warmAddresses=WARM, blockReleaseSeconds=0)
ROOT = "/vnet/v1/prod/"
BLOCKS = ROOT + "blocks/"
RESERVATIONS = ROOT + "reservations/"


@pytest.fixture
def cluster(namespaces):
    registry = Registry(namespaces, members=3)
    nodes = []
    try:
        for i, name in enumerate(("na", "nb")):
            nodes.append(VNetNode(namespaces, registry, name, i, pool_config=POOL, cooldown=COOLDOWN, lock_timeout=3))
        for node in nodes:
            node.start_vnetd(give_back=1, interval=0.2)
        for node in nodes:
            node.wait_granted(at_least=WARM)  # its warm block
        yield registry, nodes
    finally:
        for node in nodes:
            node.cleanup()
        registry.cleanup()


# Addresses and block records

def span(text):
    low, _, high = text.partition("-")
    return int(ipaddress.ip_address(low)), int(ipaddress.ip_address(high or low))


def in_ranges(address, ranges):
    value = int(ipaddress.ip_address(address))
    return any(low <= value <= high for low, high in map(span, ranges))


def usable(record):
    if record.get("state") != "claimed":
        return 0
    return sum(high - low + 1 for low, high in map(span, record.get("addresses", [])))


def parse(value):
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def relevant(key):
    return key.startswith(BLOCKS) or key.startswith(RESERVATIONS) or key in (ROOT + "quota", ROOT + "limit")


def violations(state):
    """What breaks the block invariants in `state` ({key: parsed value} of the VNet's keys at one revision)."""
    problems = []
    claimed = []
    for key, record in state.items():
        if not key.startswith(BLOCKS):
            continue
        if not isinstance(record, dict) or "block" not in record:
            problems.append(f"{key} is not a block record: {record!r}")
            continue
        if key != BLOCKS + record["block"].replace("/", "_"):
            problems.append(f"{key} holds the record of block {record['block']}")
        block = ipaddress.ip_network(record["block"])
        for text in record.get("addresses", []):
            low, high = span(text)
            if not (int(block.network_address) <= low <= high <= int(block.broadcast_address)):
                problems.append(f"block {block} lists addresses {text} outside it: {record}")
        if record.get("state") == "claimed":
            claimed.append((int(block.network_address), int(block.broadcast_address), key, record))
    claimed.sort()
    for (_, end, key, record), (start, _, other_key, other) in zip(claimed, claimed[1:]):
        if start <= end:
            problems.append(f"two owners: {key} claimed by {record['node']} overlaps {other_key} claimed by {other['node']}: "
                            f"{record} / {other}")
    by_node = Counter()
    blocks_of = {}
    for _, _, _, record in claimed:
        by_node[record["node"]] += usable(record)
        blocks_of.setdefault(record["node"], []).append(record["block"])
    reservations = {k[len(RESERVATIONS):]: (v or {}).get("reserved", 0) for k, v in state.items() if k.startswith(RESERVATIONS)}
    for node in set(by_node) | set(reservations):
        if by_node[node] != reservations.get(node, 0):
            problems.append(f"node {node}: its claimed blocks {sorted(blocks_of.get(node, []))} hold {by_node[node]} usable addresses, "
                            f"its reservation says {reservations.get(node, 0)}")
    quota = (state.get(ROOT + "quota") or {}).get("reserved", 0)
    if quota != sum(reservations.values()):
        problems.append(f"the quota says {quota} reserved, the reservations add up to {sum(reservations.values())}: {reservations}")
    limit = (state.get(ROOT + "limit") or {}).get("maxPods", 0)
    if limit and quota > limit:
        problems.append(f"{quota} reserved beyond the limit {limit}")
    return problems


def transition(key, before, after):
    """What is wrong with block record `before` becoming `after` (None: absent) in one revision."""
    if after is None or not isinstance(after, dict):
        return None
    if after.get("state") == "claimed" and isinstance(before, dict):
        if before.get("state") == "claimed":
            return f"{key} claimed by {after['node']} over the claim of {before['node']} (two owners): {before} -> {after}"
        if before.get("until") is not None and after.get("claimedAt", 0) < before["until"]:
            return (f"{key} claimed by {after['node']} at {after.get('claimedAt')}, before its cooldown ended at {before['until']}: "
                    f"{before} -> {after}")
    if after.get("state") == "cooling":
        if not isinstance(before, dict) or before.get("state") != "claimed" or before.get("node") != after.get("node"):
            return f"{key} cools down without having been claimed by {after.get('node')}: {before} -> {after}"
    return None


# etcd

def etcd_read(registry, prefix, revision=None, timeout=40):
    """registry.get_prefix, retried while etcd has no leader (a member was just killed)."""
    deadline = time.time() + timeout
    while True:
        try:
            return registry.get_prefix(prefix, revision)
        except (subprocess.CalledProcessError, ValueError, KeyError):
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def history(registry, timeout=120):
    """Every change etcd ever made, in order, as [(revision, [(key, value or None when deleted)])]: a watch from
    revision 1 up to a marker key written now (outside the VNet's keys)."""
    marker = "/vnettest/history-end"
    registry.etcdctl("put", marker, str(time.time()))
    proc = subprocess.Popen(["nsenter", f"--net={registry.ns.path}", ETCDCTL, "--endpoints", ",".join(registry.live_endpoints()),
                             "watch", "--prefix", "/", "--rev", "1", "-w", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, ETCDCTL_API="3"))
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    revisions, done = {}, False
    try:
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            for event in json.loads(line).get("Events") or []:
                kv = event["kv"]
                key = base64.b64decode(kv["key"]).decode()
                if key == marker:
                    done = True
                    break
                deleted = event.get("type") in (1, "DELETE")
                value = None if deleted else base64.b64decode(kv.get("value", "")).decode()
                revisions.setdefault(int(kv["mod_revision"]), []).append((key, value))
            if done:
                break
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
    assert done, f"etcd's history could not be read to its end within {timeout}s (compacted?)"
    return sorted(revisions.items())


def replay(changes, samples):
    """Replays etcd's history: the problems at every revision that changed a block, a reservation or the
    quota, each named by its revision; the VNet's keys at each revision of `samples`; and counts."""
    state, problems, snapshots, stats = {}, [], {}, Counter()
    pending = sorted(set(samples))
    checked = 0
    for revision, events in changes:
        while pending and pending[0] < revision:
            snapshots[pending.pop(0)] = dict(state)
        touched = False
        for key, value in events:
            if not key.startswith(ROOT) or not relevant(key):
                continue
            touched = True
            after = parse(value) if value is not None else None
            if key.startswith(BLOCKS):
                before = state.get(key)
                wrong = transition(key, before, after)
                if wrong:
                    problems.append(f"revision {revision}: {wrong}")
                if isinstance(after, dict) and after.get("state") == "claimed":
                    stats[f"claims by {after['node']}"] += 1
                elif isinstance(after, dict) and after.get("state") == "cooling":
                    stats[f"releases by {after['node']}"] += 1
            if after is None:
                state.pop(key, None)
            else:
                state[key] = after
        if touched:
            checked += 1
            problems.extend(f"revision {revision}: {p}" for p in violations(state))
        if len(problems) > 30:
            break
    for revision in pending:
        snapshots[revision] = dict(state)
    stats["revisions checked"] = checked
    stats["last revision"] = changes[-1][0] if changes else 0
    return problems, snapshots, stats


# The churn

class Churn:
    """Two workers (one per node) adding and deleting pods; a controller restarting one node's vnetd with a
    fault point after another; a thread killing the etcd leader; a sampler of revisions."""

    def __init__(self, registry, nodes, seed=17):
        self.registry, self.nodes = registry, nodes
        self.lock = threading.Lock()
        self.ops = 0
        self.finished = threading.Event()  # the workers stop
        self.failed = threading.Event()    # something broke: everything stops
        self.problems = []
        self.stats = Counter()
        self.mode = {node.name: "tide" for node in nodes}
        self.revisions = []
        self.kills = Counter()
        self.leader_kills = []
        self.add_failures = []
        self.rng = random.Random(seed)
        self.seed = seed

    def fail(self, message):
        with self.lock:
            self.problems.append(message)
        self.failed.set()
        self.finished.set()

    def count(self, what):
        with self.lock:
            self.stats[what] += 1

    def guarded(self, fn, *args):
        def run():
            try:
                fn(*args)
            except Exception:
                self.fail(f"{fn.__name__}{tuple(getattr(a, 'name', a) for a in args)} raised:\n{traceback.format_exc()}")
        return threading.Thread(target=run, name=fn.__name__, daemon=True)

    # Workers

    def work(self, node):
        rng = random.Random(f"{self.seed}-{node.name}")
        serial, since, rising = 0, 0, True
        while not self.finished.is_set():
            with self.lock:
                self.ops += 1
            held = len(node.pods)
            # A tide between 0 and MAX_PODS pods, so that blocks fill up and empty all the time; a fault round
            # steers it towards its point (ADDs for a claim, DELs for a give-back).
            rising = held < MAX_PODS and (held == 0 or rising)
            mode = self.mode[node.name]
            p_add = 0.85 if mode == "fill" or (mode == "tide" and rising) else 0.15
            if held == 0 or (held < MAX_PODS and rng.random() < p_add):
                serial += 1
                cid = f"c{serial}"
                status, out, raw = node.add(cid)
                if status == 0:
                    self.count("ADD ok")
                else:
                    self.count("ADD failed")
                    with self.lock:
                        self.add_failures.append(f"{node.name}/{cid}: {(out or {}).get('msg', raw)[:300]}")
                    left = [lease for lease in node.leases() if lease["key"]["containerID"] == cid]
                    if left:
                        self.fail(f"a failed ADD of {node.name}/{cid} left a lease behind: {left}; it failed with {raw}")
            else:
                cid = rng.choice(sorted(node.pods))
                status, out, raw = node.delete(cid)
                self.count("DEL")
                if status != 0:
                    self.fail(f"DEL of {node.name}/{cid} failed: {raw}")
            since += 1
            if since >= CHECK_EVERY:
                since = 0
                self.check_leases(node)

    def check_leases(self, node):
        """Every lease of `node` lies in a block etcd says the node owns now and in its pool document. Run by
        the node's own worker between its operations: its leases do not change meanwhile, and a block that
        holds one of them cannot be given back."""
        leases = node.leases()
        keys, revision = etcd_read(self.registry, BLOCKS)
        document = node.pool_document() or {}
        records = [parse(v) for v in keys.values()]
        mine = [r for r in records if r.get("state") == "claimed" and r.get("node") == node.name]
        held = {lease["key"]["containerID"] for lease in leases}
        if held != set(node.pods):
            self.fail(f"{node.name}: leases of {sorted(held - set(node.pods))} without a pod, pods {sorted(set(node.pods) - held)} "
                      f"without a lease")
        for lease in leases:
            address = lease["address"]
            if not any(in_ranges(address, r["addresses"]) for r in mine):
                holders = [r for r in records if ipaddress.ip_address(address) in ipaddress.ip_network(r["block"])]
                self.fail(f"{node.name}/{lease['key']['containerID']} holds {address}, outside the blocks {node.name} owns at revision "
                          f"{revision}: {sorted(r['block'] for r in mine)}; records of its block: {holders}")
            if not in_ranges(address, document.get("addresses", [])):
                self.fail(f"{node.name}/{lease['key']['containerID']} holds {address}, outside {node.name}'s pool document "
                          f"{document} (revision {revision})")
        self.count("lease checks")

    # vnetd faults

    def control(self):
        """One round per fault point and node in turn: vnetd restarted with the fault, the churn steered so
        that it reaches it (ADDs for a claim, DELs for a give-back), down for a moment once dead, restarted
        clean, left running a moment."""
        rounds = 0
        while not self.failed.is_set():
            with self.lock:
                ops = self.ops
            if ops >= CHURN and rounds >= MIN_ROUNDS and len(self.leader_kills) >= LEADER_KILLS:
                break
            node = self.nodes[rounds % len(self.nodes)]
            point = POINTS[(rounds // len(self.nodes)) % len(POINTS)]
            rounds += 1
            self.mode[node.name] = "fill" if point.startswith("claim") else "drain"
            node.stop_vnetd(signal.SIGKILL)
            proc = node.start_vnetd(give_back=1, interval=0.2, env={"VNET_TEST_FAULT": point})
            wait_for(lambda: proc.poll() is not None or self.failed.is_set(), timeout=45, interval=0.05)
            self.mode[node.name] = "tide"
            if proc.poll() == -signal.SIGKILL:
                with self.lock:
                    self.kills[(point, node.name)] += 1
            elif not self.failed.is_set():
                self.fail(f"round {rounds}: vnetd of {node.name} (pid {proc.pid}) did not die at {point} within 45 s "
                          f"(exit {proc.poll()}):\n{node.log()[-3000:]}")
                break
            time.sleep(self.rng.uniform(0, 0.8))  # vnetd down: ADDs may fail, and must leave nothing behind
            node.stop_vnetd(signal.SIGKILL)
            clean = node.start_vnetd(give_back=1, interval=0.2)
            if not wait_for(lambda: (node.granted() or {}).get("agentPID") == clean.pid or self.failed.is_set(), timeout=45):
                self.fail(f"round {rounds}: vnetd of {node.name} restarted after {point} wrote no granted file in 45 s "
                          f"(exit {clean.poll()}):\n{node.log()[-3000:]}")
                break
            time.sleep(self.rng.uniform(0.2, 1.0))
        with self.lock:
            self.stats["rounds"] = rounds
        self.finished.set()

    # etcd leader

    def kill_leaders(self):
        for k in range(LEADER_KILLS):
            threshold = CHURN * (k + 1) // (LEADER_KILLS + 1)
            while not self.finished.is_set():
                with self.lock:
                    if self.ops >= threshold:
                        break
                time.sleep(0.05)
            if self.finished.is_set():
                return
            leader = None
            deadline = time.time() + 30
            while leader is None and time.time() < deadline:
                try:
                    leader = self.registry.leader()
                except (subprocess.CalledProcessError, ValueError, KeyError, StopIteration):
                    time.sleep(0.2)
            if leader is None:
                self.fail("no etcd leader to kill in 30 s")
                return
            killed_at = self._revision_or_none()
            self.registry.stop(leader, signal.SIGKILL)
            time.sleep(1.5)  # the others elect a leader; claims and give-backs in flight meet a dead member
            successor = None
            if wait_for(lambda: self._leader_or_none() is not None, timeout=30, interval=0.2):
                successor = self._leader_or_none()
            self.registry.start(leader)
            self.registry.wait_healthy(timeout=60)
            with self.lock:
                self.leader_kills.append((leader, successor, killed_at))

    def _revision_or_none(self):
        try:
            return self.registry.revision()
        except (subprocess.CalledProcessError, ValueError, KeyError):
            return None

    def _leader_or_none(self):
        try:
            return self.registry.leader()
        except (subprocess.CalledProcessError, ValueError, KeyError, StopIteration):
            return None

    # Revisions

    def sample(self):
        """Records etcd's revision every 0.2 s, and checks that no address is leased on both nodes."""
        while not self.finished.is_set():
            try:
                self.revisions.append(self.registry.revision())
            except (subprocess.CalledProcessError, ValueError, KeyError):
                pass
            addresses = [{lease["address"] for lease in node.leases()} for node in self.nodes]
            if addresses[0] & addresses[1]:
                self.fail(f"{sorted(addresses[0] & addresses[1])} leased on both nodes")
            time.sleep(0.2)

    def run(self):
        threads = [self.guarded(self.work, node) for node in self.nodes]
        threads += [self.guarded(self.kill_leaders), self.guarded(self.sample)]
        for thread in threads:
            thread.start()
        try:
            self.guarded(self.control).run()
        finally:
            self.finished.set()
            for thread in threads:
                thread.join(timeout=180)


def owned_now(registry, node):
    keys, revision = etcd_read(registry, BLOCKS)
    return {r["block"]: r for r in map(parse, keys.values()) if r.get("state") == "claimed" and r.get("node") == node.name}, revision


def settled(registry, node):
    """None when the node's pool document lists exactly the blocks etcd says it owns, and its granted file,
    its reservation and its blocks agree; else what differs."""
    mine, revision = owned_now(registry, node)
    document = node.pool_document() or {}
    grant = node.granted() or {}
    reservation = parse(etcd_read(registry, RESERVATIONS + node.name)[0].get(RESERVATIONS + node.name, "{}")).get("reserved", 0)
    capacity = sum(usable(r) for r in mine.values())
    if sorted(document.get("blocks", [])) != sorted(mine) or grant.get("reserved") != capacity or reservation != capacity:
        return (f"{node.name} at revision {revision}: etcd's blocks {sorted(mine)} ({capacity} addresses), reservation {reservation}, "
                f"pool document {document.get('blocks')}, granted {grant.get('reserved')}")
    return None


def test_vnetd_and_the_etcd_leader_killed_during_block_churn_keep_every_block_single_owned(cluster):
    registry, nodes = cluster
    started = time.time()
    churn = Churn(registry, nodes)
    churn.run()
    summary = (f"{churn.ops} operations in {time.time() - started:.0f}s, {dict(churn.stats)}, vnetd killed at {dict(churn.kills)}, "
               f"etcd leaders killed (killed, successor, revision): {churn.leader_kills}")
    print(summary)
    print("first ADD failures:", *churn.add_failures[:10], sep="\n  ")
    if churn.problems:
        try:  # what etcd's history says, revision by revision, helps to tell what happened
            found = replay(history(registry), [])[0][:10] or ["no problem in etcd's history"]
        except Exception as error:  # noqa: BLE001 - the churn's problem is the one to report
            found = [f"etcd's history could not be replayed: {error}"]
        pytest.fail("\n".join(churn.problems[:10]) + "\n" + summary + "\netcd's history:\n" + "\n".join(found))

    # Every round's vnetd died at its point, on both nodes; the leader died at least twice and another took over.
    for point in POINTS:
        for node in nodes:
            assert churn.kills[(point, node.name)] >= 1, f"vnetd of {node.name} never killed at {point}: {summary}"
    assert len(churn.leader_kills) >= LEADER_KILLS and all(s and s != k for k, s, _ in churn.leader_kills), summary
    assert churn.ops >= CHURN and churn.stats["ADD ok"] >= churn.stats["ADD failed"], \
        f"{summary}; ADD failures: {churn.add_failures[:5]}"

    # Quiet again: each node's pool document, granted file and reservation say what etcd says it owns.
    for node in nodes:
        assert node.vnetd_proc and node.vnetd_proc.poll() is None, node.log()[-3000:]
        assert wait_for(lambda: settled(registry, node) is None, timeout=30, interval=0.5), settled(registry, node)
        churn.check_leases(node)
    assert not churn.problems, "\n".join(churn.problems[:10])

    # Every pod gone, each node gives back all but its warm block.
    for node in nodes:
        for cid in sorted(node.pods):
            status, out, raw = node.delete(cid)
            assert status == 0, raw
    for node in nodes:
        def warm_only():
            capacity = sum(usable(r) for r in owned_now(registry, node)[0].values())
            return WARM <= capacity < WARM + BLOCK and settled(registry, node) is None
        assert wait_for(warm_only, timeout=30, interval=0.5), (owned_now(registry, node), settled(registry, node))

    # Every revision of etcd's history, replayed; the revisions sampled during the churn read back at their revision.
    samples = sorted(set(churn.revisions))
    if len(samples) > 150:
        samples = [samples[i * (len(samples) - 1) // 149] for i in range(150)]
    problems, snapshots, stats = replay(history(registry), samples)
    print(f"history: {dict(stats)}, {len(samples)} revisions sampled")
    assert not problems, "\n".join(problems[:10])
    assert stats["revisions checked"] > 0 and all(stats[f"releases by {n.name}"] > 0 for n in nodes), stats
    for revision in samples:
        keys, _ = etcd_read(registry, ROOT, revision)
        state = {k: parse(v) for k, v in keys.items() if relevant(k)}
        wrong = violations(state)
        assert not wrong, f"revision {revision} (sampled): " + "\n".join(wrong)
        replayed = snapshots[revision]
        differ = {k: (state.get(k), replayed.get(k)) for k in set(state) | set(replayed) if state.get(k) != replayed.get(k)}
        assert not differ, f"revision {revision}: etcd's keys (read, replayed) differ from the replayed history: {differ}"
