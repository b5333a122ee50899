"""Churn with faults: random ADD/CHECK/DEL through the real `vnet` plugin (vnet-ipam in-process) on one node,
pods as namespaces, `parallel` operations at a time against a small pool, with a share of the plugin processes
killed with SIGKILL at random instants (a VNET_TEST_FAULT point, or a timer), then a runtime GC with the pods
that are truly live.

Runtime model (what kubelet/containerd do): a pod slot is empty, live (ADD succeeded) or dirty (its last ADD or
DEL died or failed, so the runtime owes it a DEL). Empty slots get ADD; live ones CHECK or DEL; dirty ones DEL.

Invariants, after every round of `parallel` operations (a quiescent point) and at the end:
  - the state loads (`vnetctl state check`), also right after each killed process while others still run;
  - no address is configured in two pod namespaces, and every address configured in a pod is leased to it;
  - a live pod has its address in its namespace, its lease, its endpoint, its veth, host route and NAT element;
  - nothing belongs to no pod: every lease, endpoint, host veth, /32 host route and `pods` set element belongs to
    the current attachment of a live or dirty slot;
  - a successful DEL leaves no interface in the pod; a failed one (injected `:fail`) leaves nothing either.
After GC(valid = live pods): no lease, endpoint, veth, route or NAT element without a live pod.
"""
import concurrent.futures
import datetime
import fcntl
import json
import os
import random

from stress.harness import (ADD_POINTS, FAULT_POINTS, Deadline, Log, StressNode, endpoint_map, lease_map, make_data_dir,
                     pod_addresses, pod_links, remove_tree)
from vnettest.netns import Namespaces

# Points where an ADD can be made to fail (`<point>:fail`) to watch its rollback. Not "vnet-add:after-commit": an
# error thrown after the allocation's commit, inside the IPAM call, cannot happen outside tests (nothing but the
# fault point throws there), and the ADD registers the IPAM undo only once that call returns, so the lease stays
# until DEL. Not "commit:*": Files hits them with try?, so ":fail" does nothing there.
FAIL_POINTS = [p for p in ADD_POINTS if p != "vnet-add:after-commit" and not p.startswith("commit:")]
ATTACH_GRACE = 120  # Node.attachGrace: GC leaves an `attaching` endpoint younger than this alone (an ADD in flight)


class Slot:
    def __init__(self, index, ns):
        self.index, self.ns, self.gen = index, ns, 0
        self.phase = "empty"  # empty | live | dirty
        self.result = None

    @property
    def container(self):
        return f"churn{self.index:02d}g{self.gen}"


class Churn:
    def __init__(self, ops=2000, parallel=16, slots=48, pool_size=64, kill_rate=0.05, fail_rate=0.02, seed=None,
                 time_limit=600, log=None):
        self.ops, self.parallel, self.slot_count, self.pool_size = ops, parallel, slots, pool_size
        self.kill_rate, self.fail_rate = kill_rate, fail_rate
        self.seed = seed if seed is not None else random.randrange(1 << 30)
        self.rng = random.Random(self.seed)
        self.deadline = Deadline(time_limit)
        self.log = log or Log("churn")
        self.stats = {"ADD": 0, "CHECK": 0, "DEL": 0, "ok": 0, "killed": 0, "kill-requested": 0, "killed-by-point": 0,
                      "killed-by-timer": 0, "injected-fail": 0, "state-checks": 0, "sweeps": 0, "gc-removed": 0}
        self.durations = {"ADD": [], "CHECK": [], "DEL": []}
        self.violations = []

    # One operation.

    def plan(self, slot):
        if slot.phase == "empty":
            verb = "ADD"
        elif slot.phase == "dirty":
            verb = "DEL"
        else:
            verb = "CHECK" if self.rng.random() < 0.35 else "DEL"
        # Some requested kills come too late (the process had finished) or name a point this run never reaches:
        # scale the request rate by the share that landed, so that about kill_rate of all processes die.
        landed = self.stats["killed"] / self.stats["kill-requested"] if self.stats["kill-requested"] >= 10 else 1.0
        rate = min(0.5, self.kill_rate / max(0.5, landed))
        env, kill_after, roll = None, None, self.rng.random()
        if roll < rate:
            points = FAULT_POINTS[verb]
            if points and self.rng.random() < 0.5:
                env = {"VNET_TEST_FAULT": self.rng.choice(points)}
            else:
                typical = sorted(self.durations[verb])[len(self.durations[verb]) // 2] if self.durations[verb] else 0.05
                kill_after = self.rng.uniform(0.0, typical * 0.95)
        elif roll < rate + self.fail_rate and verb == "ADD":
            env = {"VNET_TEST_FAULT": self.rng.choice(FAIL_POINTS) + ":fail"}
        return verb, env, kill_after

    def execute(self, node, slot, verb, env, kill_after):
        prev = slot.result if verb != "ADD" else None
        outcome = node.call(verb, container=slot.container, netns=slot.ns.path, prev=prev, env_extra=env,
                            kill_after=kill_after)
        if outcome.killed:
            ok, text = node.state_check()  # concurrently with the other operations of the round
            if not ok:
                self.violate(f"state not loadable right after {slot.container} {verb} was killed ({outcome.kill}): {text}")
        return outcome

    def apply(self, node, slot, verb, env, kill_after, outcome):
        self.stats[verb] += 1
        if env or kill_after is not None:
            self.stats["kill-requested" if not (env and env["VNET_TEST_FAULT"].endswith(":fail")) else "injected-fail"] += 1
        if outcome.ok:
            self.stats["ok"] += 1
            self.durations[verb].append(outcome.elapsed)
        if outcome.killed:
            self.stats["killed"] += 1
            self.stats["killed-by-point" if env else "killed-by-timer"] += 1
            if verb in ("ADD", "DEL"):
                slot.phase = "dirty"
            return
        injected = env and env["VNET_TEST_FAULT"].endswith(":fail")
        if verb == "ADD":
            if outcome.ok:
                slot.result, slot.phase = outcome.parsed, "live"
                inside = pod_addresses(slot.ns.name)
                if inside != [outcome.address]:
                    self.violate(f"{slot.container}: ADD returned {outcome.address}, pod namespace has {inside}")
            else:
                slot.phase = "dirty"
                if not injected:
                    self.violate(f"{slot.container}: ADD failed without a fault: {outcome.describe()}")
                elif pod_links(slot.ns.name) or slot.container in lease_map(node.state()):
                    self.violate(f"{slot.container}: ADD rolled back after {env} but left "
                                 f"links {pod_links(slot.ns.name)} / lease {lease_map(node.state()).get(slot.container)}")
        elif verb == "CHECK":
            if not outcome.ok and not injected and outcome.status >= 0:
                self.violate(f"{slot.container}: CHECK of a live pod failed: {outcome.describe()}")
        else:
            if outcome.ok:
                if pod_links(slot.ns.name):
                    self.violate(f"{slot.container}: DEL succeeded but the pod still has {pod_links(slot.ns.name)}")
                slot.phase, slot.result = "empty", None
                slot.gen += 1
            else:
                slot.phase = "dirty"
                self.violate(f"{slot.container}: DEL failed: {outcome.describe()}")

    def violate(self, message):
        self.violations.append(message)
        self.log("VIOLATION " + message)

    # Invariants at a quiescent point.

    def sweep(self, node, slots):
        self.stats["sweeps"] += 1
        ok, text = node.state_check()
        self.stats["state-checks"] += 1
        if not ok:
            self.violate(f"state check failed: {text}")
            return
        state = node.state()
        leases, endpoints = lease_map(state), endpoint_map(state)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            inside = dict(zip([s.container for s in slots], pool.map(lambda s: pod_addresses(s.ns.name), slots)))
        by_address = {}
        for slot in slots:
            for address in inside[slot.container]:
                by_address.setdefault(address, []).append(slot.container)
                if leases.get(slot.container) != address:
                    self.violate(f"{slot.container} has {address} in its namespace, but its lease is {leases.get(slot.container)}")
        for address, holders in by_address.items():
            if len(holders) > 1:
                self.violate(f"address {address} is configured in several pods: {holders}")
        current = {s.container: s for s in slots if s.phase != "empty"}
        nat, veths, routes = node.nat_pods(), node.host_veths(), node.host_routes()
        for slot in slots:
            if slot.phase != "live":
                continue
            address = slot.result["ips"][0]["address"].split("/")[0]
            endpoint = endpoints.get(slot.container)
            problems = []
            if inside[slot.container] != [address]:
                problems.append(f"namespace has {inside[slot.container]}")
            if leases.get(slot.container) != address:
                problems.append(f"lease is {leases.get(slot.container)}")
            if not endpoint:
                problems.append("no endpoint recorded")
            elif endpoint["hostVeth"] not in veths:
                problems.append(f"veth {endpoint['hostVeth']} missing")
            if address not in routes:
                problems.append("host route missing")
            if nat is None or address not in nat:
                problems.append("NAT element missing")
            if problems:
                self.violate(f"live pod {slot.container} ({address}): " + "; ".join(problems))
        owned_addresses = {leases[c] for c in current if c in leases}
        owned_veths = {endpoints[c]["hostVeth"] for c in current if c in endpoints}
        for container in set(leases) - set(current):
            self.violate(f"lease of {container} ({leases[container]}) belongs to no live or dirty pod")
        for container in set(endpoints) - set(current):
            self.violate(f"endpoint of {container} belongs to no live or dirty pod")
        for veth in veths - owned_veths:
            self.violate(f"host veth {veth} belongs to no pod")
        for route in routes - owned_addresses:
            self.violate(f"host route to {route} belongs to no pod")
        for element in (nat or set()) - owned_addresses:
            self.violate(f"NAT element {element} belongs to no pod")
        return state

    # The whole part.

    def run(self):
        namespaces = Namespaces("ch")
        data_dir = make_data_dir("churn")
        last = f"10.240.16.{10 + self.pool_size - 1}"
        self.log(f"seed {self.seed}: {self.ops} ops, {self.parallel} at a time, {self.slot_count} pods, pool of "
                 f"{self.pool_size} (10.240.16.10-{last}), kill rate {self.kill_rate:.0%}, injected-fail rate {self.fail_rate:.0%}")
        try:
            node = StressNode(namespaces, data_dir, f"10.240.16.10-{last}", cooldown=0, lock_timeout=30)
            slots = [Slot(i, ns) for i, ns in enumerate(namespaces.make_many("p", self.slot_count))]
            done, rounds = 0, 0
            with concurrent.futures.ThreadPoolExecutor(self.parallel) as pool:
                while done < self.ops and not self.deadline.passed():
                    batch = self.rng.sample(slots, min(self.parallel, self.ops - done))
                    plans = [(slot, *self.plan(slot)) for slot in batch]
                    futures = [pool.submit(self.execute, node, *p) for p in plans]
                    for plan, future in zip(plans, futures):
                        self.apply(node, *plan, future.result())
                    done += len(batch)
                    rounds += 1
                    self.sweep(node, slots)
                    if rounds % 25 == 0:
                        live = sum(s.phase == "live" for s in slots)
                        self.log(f"{done} ops: {self.stats['killed']} killed, {live} live pods, "
                                 f"{len(lease_map(node.state()))} leases, {len(self.violations)} violations")
            if done < self.ops:
                self.violate(f"time limit reached after {done} of {self.ops} operations")
            self.stats["ops"] = done
            self.finish(node, slots)
        finally:
            namespaces.cleanup()
            remove_tree(data_dir)
        return self.report()

    def finish(self, node, slots):
        live = [s for s in slots if s.phase == "live"]
        dirty = [s for s in slots if s.phase == "dirty"]
        before = node.state()
        self.log(f"GC with the {len(live)} live pods as valid; {len(dirty)} pods have a failed operation and no "
                 f"retry; state holds {len(before['leases'])} leases, {len(before['endpoints'])} endpoints")
        outcome = node.gc([s.container for s in live])
        if not outcome.ok:
            self.violate(f"GC failed: {outcome.describe()}")
        after = node.state()
        self.stats["gc-removed"] = len(before["leases"]) - len(after["leases"])
        in_flight = [c for c, e in endpoint_map(after).items()
                     if e["phase"] == "attaching" and c not in {s.container for s in live}]
        if in_flight:
            # By design GC spares an endpoint still `attaching` for attachGrace (an ADD may be in flight). Those
            # here are ADDs that were killed; age them past the grace, as time would, and GC again.
            self.log(f"GC spared {len(in_flight)} `attaching` endpoints of killed ADDs (grace {ATTACH_GRACE} s): "
                     f"{sorted(in_flight)}; ageing them by {ATTACH_GRACE + 60} s and running GC again")
            age_attaching(node.state_path, os.path.join(node.state_dir, "lock"), ATTACH_GRACE + 60)
            outcome = node.gc([s.container for s in live])
            if not outcome.ok:
                self.violate(f"second GC failed: {outcome.describe()}")
            self.stats["gc-removed"] = len(before["leases"]) - len(node.state()["leases"])
        for slot in dirty:
            slot.phase, slot.result = "empty", None
        state = self.sweep(node, slots)
        if state is not None:
            leases = lease_map(state)
            expected = {s.container for s in live}
            if set(leases) != expected or set(endpoint_map(state)) != expected:
                self.violate(f"after GC the state holds {sorted(leases)}, expected exactly the live {sorted(expected)}")
            for slot in dirty:
                if pod_links(slot.ns.name):
                    self.violate(f"after GC, {slot.container}'s namespace still has {pod_links(slot.ns.name)}")
        self.log(f"after GC: {len(node.state()['leases'])} leases, {len(node.host_veths())} veths, "
                 f"{len(node.host_routes())} host routes, {len(node.nat_pods() or ())} NAT elements, for {len(live)} live pods")

    def report(self):
        s = self.stats
        killed_share = s["killed"] / max(1, s.get("ops", 1))
        self.log(f"{s.get('ops', 0)} ops ({s['ADD']} ADD, {s['CHECK']} CHECK, {s['DEL']} DEL), {s['ok']} succeeded; "
                 f"{s['killed']} processes killed ({killed_share:.1%}: {s['killed-by-point']} at a fault point, "
                 f"{s['killed-by-timer']} by a timer; {s['kill-requested']} kills requested), {s['injected-fail']} injected failures; "
                 f"{s['sweeps']} invariant sweeps, {s['state-checks']} state checks; GC removed {s['gc-removed']} leases")
        for verb, times in self.durations.items():
            if times:
                times = sorted(times)
                self.log(f"{verb}: median {times[len(times) // 2] * 1000:.0f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.0f} ms")
        self.log("no violation" if not self.violations else f"{len(self.violations)} VIOLATIONS")
        return self.violations


def age_attaching(state_path, lock_path, seconds):
    """Moves the creation time of `attaching` endpoints `seconds` into the past, under the state lock, with an
    atomic replace: what the passage of time would do to records of ADDs that died."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(state_path) as f:
            state = json.load(f)
        for endpoint in state["endpoints"]:
            if endpoint["phase"] == "attaching":
                created = datetime.datetime.strptime(endpoint["createdAt"], "%Y-%m-%dT%H:%M:%SZ")
                endpoint["createdAt"] = (created - datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        temporary = state_path + ".tmp.ageing"
        with open(temporary, "w") as f:
            json.dump(state, f, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o600)
        os.rename(temporary, state_path)
    finally:
        os.close(fd)
