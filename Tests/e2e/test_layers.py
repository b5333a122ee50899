"""The layer rule of docs/architecture.md, read from the package itself: front ends (the executables and the
console's library) reach the kernel, the disk and the network only through the operations layer.

The manifest says what each target may import; the sources say what it does import (SwiftPM lets a target
import a dependency's dependencies, so the manifest alone would not catch a front end reaching through).
"""
import json
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FRONT_ENDS = {"vnet", "vnet-ipam", "vnetctl", "vnet-console", "VNetConsole", "vnetd"}
ADAPTERS = {"VNetSystem", "VNetState", "VNetPools", "VNetNetlink", "VNetNAT", "VNetRegistry"}
IMPORT = re.compile(r"^\s*(?:@testable\s+)?import\s+(\w+)", re.MULTILINE)


def swift():
    found = shutil.which("swift") or ("/opt/swift/usr/bin/swift" if os.path.exists("/opt/swift/usr/bin/swift") else None)
    if not found:
        pytest.skip("no swift toolchain on PATH")
    return found


def manifest_targets():
    out = subprocess.run([swift(), "package", "describe", "--type", "json"], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300).stdout
    return {t["name"]: t for t in json.loads(out)["targets"]}


def imports_of(path):
    found = {}
    for directory, _, files in os.walk(os.path.join(ROOT, path)):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(directory, name)) as f:
                    for module in IMPORT.findall(f.read()):
                        found.setdefault(module, []).append(os.path.relpath(os.path.join(directory, name), ROOT))
    return found


def test_front_ends_depend_on_no_adapter_target():
    targets = manifest_targets()
    assert FRONT_ENDS <= set(targets), sorted(targets)
    wrong = {name: sorted(set(targets[name].get("target_dependencies") or []) & ADAPTERS) for name in FRONT_ENDS}
    assert not any(wrong.values()), f"front ends depending on adapters in Package.swift: {wrong}"


def test_front_end_sources_import_no_adapter_module():
    targets = manifest_targets()
    wrong = {}
    for name in FRONT_ENDS:
        for module, files in imports_of(targets[name]["path"]).items():
            if module in ADAPTERS:
                wrong.setdefault(name, []).append(f"{module} in {', '.join(sorted(set(files)))}")
    assert not wrong, f"front-end sources importing adapters: {wrong}"


def test_the_check_sees_an_adapter_import(tmp_path):
    """The source scan is not vacuous: it finds an adapter import where there is one."""
    (tmp_path / "Bad.swift").write_text("import VNetModel\n@testable import VNetState\n")
    assert set(imports_of(str(tmp_path))) == {"VNetModel", "VNetState"}


def test_the_plugins_link_no_event_loop():
    """Every pod pays the plugins' start: they must not link NIO, async-http-client or the registry client."""
    targets = manifest_targets()

    def closure(name, seen):
        if name in seen or name not in targets:
            return seen
        seen.add(name)
        for dependency in targets[name].get("target_dependencies") or []:
            closure(dependency, seen)
        return seen
    for plugin in ("vnet", "vnet-ipam"):
        reached = closure(plugin, set())
        products = {p for t in reached for p in targets[t].get("product_dependencies") or []}
        assert not reached & {"VNetRegistry", "VNetAgent"}, (plugin, sorted(reached))
        assert not {p for p in products if p.startswith("NIO") or p == "AsyncHTTPClient"}, (plugin, sorted(products))
    # And the check is not vacuous: vnetd reaches the registry.
    assert "VNetRegistry" in closure("vnetd", set())
