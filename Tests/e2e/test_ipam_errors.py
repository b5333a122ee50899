"""Bad input gets the spec's error code and leaves the state exactly as it was."""
import json
import os
import shutil

import pytest

from ipamconf import NETWORK, network
from vnettest.cni import call, exec_plugin


def state_bytes(data_dir):
    path = os.path.join(data_dir, NETWORK, "state.json")
    return open(path, "rb").read() if os.path.exists(path) else None


@pytest.fixture
def seeded(data_dir):
    conf = network(data_dir)
    call("vnet-ipam", "ADD", conf, container="seed", netns="/x", ifname="eth0")
    return data_dir, conf


def run(conf, verb="ADD", container="c1", netns="/x", ifname="eth0", stdin=None, env_extra=None, args=""):
    return exec_plugin("vnet-ipam", verb, conf, container=container, netns=netns, ifname=ifname, stdin=stdin,
                       env_extra=env_extra, args=args)


def mutate(conf, path, value):
    conf = json.loads(json.dumps(conf))
    target = conf
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return conf


CASES = [
    ("malformed json", dict(stdin=b"{not json"), 6, "decode"),
    ("json array", dict(stdin=b"[1,2]"), 6, "not a JSON object"),
    ("unsupported version", dict(path=("cniVersion",), value="9.9.9"), 1, "9.9.9"),
    ("version not a string", dict(path=("cniVersion",), value=1), 7, "cniVersion"),
    ("missing name", dict(path=("name",), value=KeyError), 7, "name"),
    ("missing ipam", dict(path=("ipam",), value=KeyError), 7, "ipam"),
    ("bad subnet", dict(path=("ipam", "pool", "subnet"), value="10.240.0.0/33"), 7, "subnet"),
    ("bad range", dict(path=("ipam", "pool", "addresses"), value=["10.240.0.9-10.240.0.1"]), 7, "10.240.0.9-10.240.0.1"),
    ("range outside subnet", dict(path=("ipam", "pool", "addresses"), value=["10.9.0.1"]), 7, "outside the subnet"),
    ("bad gateway", dict(path=("ipam", "pool", "gateway"), value="10.240.0"), 7, "gateway"),
    ("unknown source", dict(path=("ipam", "pool", "source"), value="carrier-pigeon"), 7, "carrier-pigeon"),
    ("relative dataDir", dict(path=("ipam", "dataDir"), value="var/lib/vnet"), 7, "dataDir"),
    ("limit not a number", dict(path=("ipam", "maxPodsPerNode"), value="many"), 7, "maxPodsPerNode"),
    ("limit zero", dict(path=("ipam", "maxPodsPerNode"), value=0), 7, "maxPodsPerNode"),
    ("missing CNI_COMMAND", dict(env_extra={"CNI_COMMAND": ""}), 4, "CNI_COMMAND"),
    ("unknown verb", dict(env_extra={"CNI_COMMAND": "FROB"}), 4, "FROB"),
    ("missing container id", dict(container=""), 4, "CNI_CONTAINERID"),
    ("bad container id", dict(container="../etc"), 4, "CNI_CONTAINERID"),
    ("missing netns", dict(netns=""), 4, "CNI_NETNS"),
    ("missing ifname", dict(ifname=""), 4, "CNI_IFNAME"),
    ("ifname too long", dict(ifname="a" * 16), 4, "CNI_IFNAME"),
    ("ifname with slash", dict(ifname="a/b"), 4, "CNI_IFNAME"),
    ("bad CNI_ARGS", dict(args="K8S_POD_NAME"), 4, "CNI_ARGS"),
    ("bad requested ip", dict(args="IP=banana"), 7, "banana"),
]


@pytest.mark.parametrize("name,case,code,needle", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_the_spec_code_and_changes_nothing(seeded, name, case, code, needle):
    data_dir, conf = seeded
    before = state_bytes(data_dir)
    case = dict(case)
    if "path" in case:
        conf = mutate(conf, case.pop("path"), case.pop("value"))
    status, out, raw, err = run(conf, **case)
    assert status != 0, raw
    assert out is not None, f"error must be JSON on stdout: {raw!r} {err!r}"
    assert out["code"] == code, out
    assert needle in (out["msg"] + " " + out.get("details", "")), out
    assert "cniVersion" in out
    assert state_bytes(data_dir) == before


def test_exhausted_pool_changes_nothing(data_dir):
    conf = network(data_dir, addresses=("10.240.0.10",))
    call("vnet-ipam", "ADD", conf, container="only", netns="/x", ifname="eth0")
    before = state_bytes(data_dir)
    status, out, raw, _ = run(conf, container="second")
    assert status != 0 and out["code"] == 100
    assert state_bytes(data_dir) == before


def test_status_and_gc_need_cni_1_1(data_dir):
    conf = network(data_dir, version="1.0.0")
    status, out, raw, _ = exec_plugin("vnet-ipam", "STATUS", conf)
    assert status != 0 and out["code"] == 1 and out["cniVersion"] == "1.0.0", raw


def test_unsafe_state_directory_is_refused(data_dir):
    os.chmod(data_dir, 0o777)
    try:
        status, out, raw, _ = run(network(data_dir))
        assert status != 0 and out["code"] == 5 and "writable by group or others" in out["msg"], raw
    finally:
        os.chmod(data_dir, 0o700)
    target = data_dir + "-elsewhere"
    os.makedirs(target, mode=0o700)
    try:
        os.symlink(target, os.path.join(data_dir, NETWORK))
        status, out, raw, _ = run(network(data_dir))
        assert status != 0 and "symbolic link" in out["msg"], raw
        assert os.listdir(target) == [], "nothing is written through the symlink"
    finally:
        shutil.rmtree(target, ignore_errors=True)
