#!/usr/bin/python3
"""`make stress`: the reliability suite of issue #6. Each part prints what it tried and what it found.

    VNET_BIN=.build/release /usr/bin/python3 Tests/stress/stress.py [--parts churn,lock,storage,reboot,security]
        [--ops 2000] [--parallel 16] [--kill-rate 0.05] [--seed N]

Exit status 0 when every invariant held, 1 when any part found a violation. Parts run in namespaces and
temporary directories of their own and remove them, also on failure or Ctrl-C.
"""
import argparse
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest

from stress.harness import Log  # noqa: E402

PARTS = ["churn", "lock", "storage", "reboot", "security", "nat-race", "mountns"]


def run_part(name, args):
    log = Log(name)
    if name == "churn":
        from stress.churn import Churn
        return Churn(ops=args.ops, parallel=args.parallel, slots=args.pods, pool_size=64, kill_rate=args.kill_rate,
                     seed=args.seed, time_limit=args.time_limit, log=log).run()
    if name == "lock":
        from stress.lockstress import LockStress
        return LockStress(log=log, burst=args.burst, burst_parallel=args.burst_parallel).run()
    if name == "storage":
        from stress.storage import Storage
        return Storage(log=log).run()
    if name == "reboot":
        from stress.reboot import Reboot
        return Reboot(log=log, pods=args.reboot_pods).run()
    if name == "security":
        from stress.security import Security
        return Security(log=log).run()
    if name == "nat-race":
        from stress.natrace import NATRace
        return NATRace(log=log, trials=args.nat_trials).run()
    if name == "mountns":
        from stress.mountns import MountNamespaceChurn
        return MountNamespaceChurn(log=log).run()
    raise ValueError(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--parallel", type=int, default=16)
    parser.add_argument("--pods", type=int, default=48, help="pod namespaces the churn cycles through")
    parser.add_argument("--kill-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--time-limit", type=float, default=900, help="seconds the churn may take")
    parser.add_argument("--burst", type=int, default=250, help="ADDs of the lock part's parallel burst")
    parser.add_argument("--burst-parallel", type=int, default=32)
    parser.add_argument("--reboot-pods", type=int, default=12)
    parser.add_argument("--nat-trials", type=int, default=10, help="bursts of first ADDs in the nat-race part")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("the stress suite needs root (it creates network namespaces)")
    results = {}
    for name in [p.strip() for p in args.parts.split(",") if p.strip()]:
        if name not in PARTS:
            sys.exit(f"unknown part {name}; parts: {', '.join(PARTS)}")
        start = time.monotonic()
        print(f"=== {name}", flush=True)
        try:
            violations = run_part(name, args)
        except Exception:  # a crash of the driver is a failure of the part, reported like one
            violations = ["the part stopped with an exception:\n" + traceback.format_exc()]
        results[name] = (violations, time.monotonic() - start)
    print("=== summary", flush=True)
    for name, (violations, seconds) in results.items():
        print(f"{name:9s} {'ok' if not violations else 'FAILED'} in {seconds:.0f} s"
              + "".join(f"\n    - {v}" for v in violations[:20]), flush=True)
    sys.exit(0 if all(not v for v, _ in results.values()) else 1)


if __name__ == "__main__":
    main()
