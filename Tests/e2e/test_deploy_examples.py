"""The deployment examples under deploy/ stay true to the code: the systemd unit passes systemd-analyze, the
DaemonSet parses, every vnetd flag they pass exists in Sources/vnetd/VNetd.swift, the example conflist is a
VNet network, and the readiness probe asks /healthz where vnetd serves it. No binary is needed, except for
the optional `vnetd --help` check, which runs when the build is there."""
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNIT = os.path.join(ROOT, "deploy/systemd/vnetd.service")
MANIFEST = os.path.join(ROOT, "deploy/kubernetes/vnet-daemonset.yaml")
VNETD_SOURCE = os.path.join(ROOT, "Sources/vnetd/VNetd.swift")
VNETD_PATH = "/usr/local/bin/vnetd"
NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")  # RegistryKeys.isValidName

try:
    import yaml
except ImportError:  # PyYAML is Debian's python3-yaml; without it only the manifest's checks are skipped
    yaml = None


# --- what the sources say ---------------------------------------------------------------------------------

def kebab(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


# An @Option or @Flag attribute (its argument list may hold strings with parentheses) and the var it names.
OPTION = re.compile(r'@(?:Option|Flag)(\((?:[^()"]|"(?:[^"\\]|\\.)*"|\([^()]*\))*\))?\s*var\s+(\w+)')


def vnetd_flags():
    """vnetd's long options as the command line spells them: the @Option/@Flag vars in kebab case, or the
    name given with .customLong."""
    text = open(VNETD_SOURCE).read()
    flags = set()
    for arguments, var in OPTION.findall(text):
        custom = re.search(r'customLong\("([^"]+)"', arguments or "")
        flags.add("--" + (custom.group(1) if custom else kebab(var)))
    return flags


def test_the_option_scan_finds_vnetds_options():
    # Guards the scan itself: a change to VNetd.swift's style must not make every later check vacuous.
    assert {"--config", "--metrics-address", "--interval", "--give-back-after", "--heartbeat-seconds"} <= vnetd_flags()


def split_flags(argv):
    """{flag: value} of a command line's long options, in both "--flag=value" and "--flag value" forms."""
    flags = {}
    i = 0
    while i < len(argv):
        word = argv[i]
        if word.startswith("--"):
            if "=" in word:
                flag, value = word.split("=", 1)
            else:
                flag = word
                value = argv[i + 1] if i + 1 < len(argv) and not argv[i + 1].startswith("--") else None
                i += value is not None
            flags[flag] = value
        i += 1
    return flags


def host_port(address):
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


# --- the systemd unit --------------------------------------------------------------------------------------

def unit_settings():
    """{(section, key): [values]} of the unit (a key may repeat)."""
    settings = {}
    section = None
    for line in open(UNIT):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault((section, key.strip()), []).append(value.strip())
    return settings


def unit_value(key, section="Service"):
    values = unit_settings().get((section, key), [])
    return " ".join(values)


def test_unit_runs_vnetd_on_the_conflist_with_flags_vnetd_has():
    exec_start = unit_settings()[("Service", "ExecStart")]
    assert len(exec_start) == 1
    argv = shlex.split(exec_start[0])
    assert argv[0] == VNETD_PATH
    flags = split_flags(argv[1:])
    unknown = set(flags) - vnetd_flags()
    assert not unknown, f"ExecStart passes flags vnetd does not have: {sorted(unknown)}"
    assert flags.get("--config") == "/etc/cni/net.d/10-vnet.conflist"


def test_unit_stops_and_restarts_as_vnetd_expects():
    assert unit_value("Type") == "simple"
    assert unit_value("Restart") == "on-failure"
    assert unit_value("KillSignal") == "SIGTERM"
    assert unit_value("TimeoutStopSec"), "vnetd revokes its lease on SIGTERM: give it a bounded time"
    assert "network-online.target" in unit_value("After", "Unit").split()
    assert "network-online.target" in unit_value("Wants", "Unit").split()


def test_unit_hardening_leaves_vnetd_what_it_needs():
    capabilities = unit_value("CapabilityBoundingSet").split()
    assert {"CAP_NET_ADMIN", "CAP_SYS_ADMIN"} <= set(capabilities), "netlink/nf_tables and setns"
    assert not any(c.startswith("~") for c in capabilities)
    # setns(2) into a network namespace must stay allowed.
    namespaces = unit_value("RestrictNamespaces")
    assert namespaces in ("", "no", "false") or "net" in namespaces.split()
    assert "@system-service" in unit_value("SystemCallFilter").split() or not unit_value("SystemCallFilter")
    families = unit_value("RestrictAddressFamilies").split()
    assert not families or {"AF_UNIX", "AF_NETLINK", "AF_INET", "AF_INET6"} <= set(families)
    # The state directory and /run are writable under ProtectSystem=strict.
    writable = unit_value("ReadWritePaths").replace("-/", "/").split()
    assert "/run" in writable
    assert unit_value("StateDirectory") == "vnet" or "/var/lib/vnet" in writable
    if unit_value("StateDirectory") == "vnet":
        assert unit_value("StateDirectoryMode") in ("0700", "700"), "vnet-ipam refuses a group/other-writable dataDir"
    # /proc and /run/netns are readable: nothing hides them, and the mount namespace still receives the
    # runtime's namespace mounts.
    assert unit_value("ProtectProc") in ("", "default")
    assert not any(p.lstrip("-") in ("/run", "/run/netns", "/var/run/netns", "/proc")
                   for key in ("InaccessiblePaths", "TemporaryFileSystem") for p in unit_value(key).split())
    assert unit_value("MountFlags") in ("", "shared", "slave")
    assert unit_value("PrivateNetwork") in ("", "no", "false"), "vnetd works in the host's network namespace"
    assert unit_value("User") in ("", "root")
    # vnetd's pid is written for the plugins to check (reservation.json): the node's pids, not a namespace's.
    assert unit_value("PrivatePIDs") in ("", "no", "false")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_unit_passes_systemd_analyze_verify():
    # /usr/local/bin/vnetd is rarely there on a build machine: verify checks that ExecStart's binary exists,
    # so the copy points at the built vnetd, or at any executable.
    built = os.path.join(os.environ.get("VNET_BIN", os.path.join(ROOT, ".build/release")), "vnetd")
    stand_in = built if os.access(built, os.X_OK) else shutil.which("true")
    directory = tempfile.mkdtemp(prefix="vnetd-unit-")
    try:
        unit = os.path.join(directory, "vnetd.service")
        with open(unit, "w") as f:
            f.write(open(UNIT).read().replace(VNETD_PATH, stand_in))
        run = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True, timeout=60)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output
        # Unknown keys and bad values are only warnings (exit 0): none may name this unit.
        complaints = [line for line in output.splitlines() if "vnetd.service" in line]
        assert not complaints, "\n".join(complaints)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_built_vnetd_knows_every_flag_the_examples_pass():
    """vnetd's own --help, when the build is there: the scan of the source and the binary agree."""
    built = os.path.join(os.environ.get("VNET_BIN", os.path.join(ROOT, ".build/release")), "vnetd")
    if not os.access(built, os.X_OK):
        pytest.skip(f"{built} is not built")
    shown = subprocess.run([built, "--help"], capture_output=True, text=True, timeout=30).stdout
    for flag in vnetd_flags():
        assert re.search(re.escape(flag) + r"\b", shown), f"{flag} is not in vnetd --help"


# --- the DaemonSet -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def manifest():
    if yaml is None:
        pytest.skip("PyYAML is not importable by this python3 (Debian: python3-yaml): the manifest is not parsed")
    with open(MANIFEST) as f:
        documents = [d for d in yaml.safe_load_all(f) if d]
    return {d["kind"]: d for d in documents}, documents


def pod_spec(manifest):
    return manifest[0]["DaemonSet"]["spec"]["template"]["spec"]


def container(manifest, name):
    spec = pod_spec(manifest)
    return next(c for c in spec.get("containers", []) + spec.get("initContainers", []) if c["name"] == name)


def vnetd_container(manifest):
    matches = [c for c in pod_spec(manifest)["containers"] if any("vnetd" in w for w in c.get("command", []))]
    assert len(matches) == 1
    return matches[0]


def vnetd_argv(manifest):
    c = vnetd_container(manifest)
    return c["command"] + c.get("args", [])


def conflist(manifest):
    data = manifest[0]["ConfigMap"]["data"]
    assert len(data) == 1
    (name, text), = data.items()
    assert name.endswith(".conflist")
    return name, json.loads(text)


def test_manifest_parses_into_the_expected_objects(manifest):
    by_kind, documents = manifest
    assert sorted(by_kind) == ["ConfigMap", "DaemonSet", "ServiceAccount"]
    assert len(documents) == 3
    for d in documents:
        assert d["metadata"]["namespace"] == "kube-system"
    # vnetd talks only to etcd: no RBAC, no token.
    assert not {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Namespace"} & set(by_kind)
    spec = pod_spec(manifest)
    assert spec["serviceAccountName"] == by_kind["ServiceAccount"]["metadata"]["name"]
    assert spec["automountServiceAccountToken"] is False
    ds = by_kind["DaemonSet"]["spec"]
    labels = ds["template"]["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in ds["selector"]["matchLabels"].items())


def test_vnetd_container_passes_only_flags_vnetd_has(manifest):
    argv = vnetd_argv(manifest)
    assert os.path.basename(argv[0]) == "vnetd"
    flags = split_flags(argv[1:])
    unknown = set(flags) - vnetd_flags()
    assert not unknown, f"the DaemonSet passes flags vnetd does not have: {sorted(unknown)}"
    assert "--config" in flags and "--metrics-address" in flags


def test_vnetd_reads_the_conflist_the_init_container_installs(manifest):
    name, _ = conflist(manifest)
    config = split_flags(vnetd_argv(manifest)[1:])["--config"]
    spec = pod_spec(manifest)
    volumes = {v["name"]: v for v in spec["volumes"]}
    mount = next(m for m in vnetd_container(manifest)["volumeMounts"]
                 if config.startswith(m["mountPath"].rstrip("/") + "/"))
    assert volumes[mount["name"]]["hostPath"]["path"] == "/etc/cni/net.d"
    assert os.path.basename(config) == name
    install = container(manifest, "install-cni")
    script = " ".join(install.get("command", []) + install.get("args", []))
    assert name in script and "vnet-ipam" in script and "vnet " in script.replace(";", " ")
    mounted = {m["name"]: m["mountPath"] for m in install["volumeMounts"]}
    assert {"vnet-config", "cni-bin", "cni-net-d"} <= set(mounted)
    assert volumes["cni-bin"]["hostPath"]["path"] == "/opt/cni/bin"
    assert volumes["vnet-config"]["configMap"]["name"] == manifest[0]["ConfigMap"]["metadata"]["name"]


def test_the_conflist_is_a_vnet_network_with_a_registry(manifest):
    _, document = conflist(manifest)
    assert document["cniVersion"] and document["name"]
    vnet = next(p for p in document["plugins"] if p["type"] == "vnet")
    ipam = vnet["ipam"]
    assert ipam["type"] == "vnet-ipam"
    assert ipam["pool"]["source"] == "static"
    registry = ipam["registry"]
    assert NAME.match(registry["vnet"])
    assert registry["endpoints"] and all(e.startswith(("http://", "https://")) for e in registry["endpoints"])
    # "node" cannot come from the downward API inside a conflist: it is left to default to the host name.
    assert "node" not in registry
    assert 1 <= registry.get("reservationStep", 16) <= 256


def test_the_state_directory_is_the_same_path_inside_and_out(manifest):
    _, document = conflist(manifest)
    data_dir = next(p for p in document["plugins"] if p["type"] == "vnet")["ipam"].get("dataDir", "/var/lib/vnet")
    volumes = {v["name"]: v for v in pod_spec(manifest)["volumes"]}
    mount = next(m for m in vnetd_container(manifest)["volumeMounts"] if m["mountPath"] == data_dir)
    assert volumes[mount["name"]]["hostPath"]["path"] == data_dir
    assert not mount.get("readOnly")


def test_readiness_asks_healthz_where_vnetd_serves_it_and_nothing_restarts_on_it(manifest):
    c = vnetd_container(manifest)
    host, port = host_port(split_flags(vnetd_argv(manifest)[1:])["--metrics-address"])
    probe = c["readinessProbe"]["httpGet"]
    assert probe["path"] == "/healthz"
    assert probe["port"] == port
    if host not in ("0.0.0.0", "::", ""):
        # With hostNetwork the kubelet would otherwise ask the node's address, where nothing listens.
        assert probe.get("host") == host
    # An unreachable registry (503 from /healthz) must not restart the agent.
    for kind in ("livenessProbe", "startupProbe"):
        assert "/healthz" not in json.dumps(c.get(kind) or {}), f"{kind} on /healthz restarts vnetd when etcd is down"


def test_the_pod_is_placed_and_privileged_as_vnetd_needs(manifest):
    spec = pod_spec(manifest)
    assert spec["hostNetwork"] is True
    # Pids in reservation.json and in "<file>.tmp.<pid>" are shared with the plugins on the node.
    assert spec["hostPID"] is True
    assert spec["priorityClassName"] == "system-node-critical"
    assert {"operator": "Exists"} in spec["tolerations"]
    assert spec["terminationGracePeriodSeconds"] > 0
    assert spec["dnsPolicy"] == "Default"
    strategy = manifest[0]["DaemonSet"]["spec"]["updateStrategy"]
    assert strategy["type"] == "RollingUpdate" and strategy["rollingUpdate"]["maxUnavailable"] == 1
    c = vnetd_container(manifest)
    security = c["securityContext"]
    assert security.get("privileged") or {"NET_ADMIN", "SYS_ADMIN"} <= set(security["capabilities"]["add"])
    for holder in (c, container(manifest, "install-cni")):
        sc = holder.get("securityContext", {})
        added = {a.removeprefix("CAP_") for a in sc.get("capabilities", {}).get("add", [])}
        if "SYS_ADMIN" in added or sc.get("privileged"):
            assert sc.get("allowPrivilegeEscalation") is not False, "the API refuses this pair"
    assert c["resources"]["requests"] and c["resources"]["limits"]["memory"]
    images = {c["image"], container(manifest, "install-cni")["image"]}
    assert len(images) == 1


def test_pod_namespaces_reach_the_container(manifest):
    """A runtime binds each pod's namespace under /run/netns after the container started: without
    host-to-container propagation vnetd would see empty files (docs/troubleshooting.md)."""
    volumes = {v["name"]: v for v in pod_spec(manifest)["volumes"]}
    mounts = [m for m in vnetd_container(manifest)["volumeMounts"] if m["mountPath"] in ("/run/netns", "/var/run/netns")]
    assert mounts
    for m in mounts:
        assert volumes[m["name"]]["hostPath"]["path"] in ("/run/netns", "/var/run/netns")
        assert m.get("mountPropagation") in ("HostToContainer", "Bidirectional")


# --- the docs point at it ----------------------------------------------------------------------------------

def test_docs_link_the_deployment_examples():
    assert "deploy/README.md" in open(os.path.join(ROOT, "README.md")).read()
    assert "../deploy/README.md" in open(os.path.join(ROOT, "docs/vnet.md")).read()
    readme = open(os.path.join(ROOT, "deploy/README.md")).read()
    for target in ("systemd/vnetd.service", "kubernetes/vnet-daemonset.yaml", "systemd/README.md"):
        assert target in readme
        assert os.path.exists(os.path.join(ROOT, "deploy", target))
