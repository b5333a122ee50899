"""The fast subset of the reliability suite (`make stress` runs the whole of it, Tests/stress): churn with
SIGKILLed plugins, a stopped lock holder, storage faults, a simulated reboot, the security checks and the NAT
repair race. Each part prints what it tried and found (pytest -s shows it) and returns its violations."""
import shutil

import pytest

from stress.churn import Churn
from stress.harness import Log
from stress.lockstress import LockStress
from stress.natrace import NATRace
from stress.reboot import Reboot
from stress.security import Security
from stress.storage import Storage


def test_churn_with_kills_keeps_every_invariant():
    churn = Churn(ops=200, parallel=16, slots=32, pool_size=64, kill_rate=0.05, time_limit=120, log=Log("churn"))
    assert churn.run() == []
    assert churn.stats["ops"] == 200
    assert churn.stats["killed"] >= 1, "no plugin process was killed: the run proved nothing about crashes"


def test_stopped_lock_holder_bounds_the_wait_and_everyone_proceeds_after_sigcont():
    lock = LockStress(log=Log("lock"), burst=0, delegated_burst=0, contenders=4)
    assert lock.run() == []


def test_corrupt_state_repeated_repair_and_full_disk():
    assert Storage(log=Log("storage"), kinds=["nul-filled"]).run() == []


def test_reboot_then_gc_makes_the_pool_whole():
    assert Reboot(log=Log("reboot"), pods=6).run() == []


def test_state_permissions_unsafe_paths_netns_and_identifiers():
    assert Security(log=Log("security")).run() == []


@pytest.mark.skipif(not shutil.which("strace"), reason="the repair race is timed with strace's delay injection")
def test_concurrent_nat_repair_keeps_every_live_pod_in_the_nat_set():
    assert NATRace(log=Log("nat-race"), trials=1, burst=24).run() == []
