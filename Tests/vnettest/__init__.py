"""Test support shared by vnet's Python suites: end to end (Tests/e2e, pytest), reliability (Tests/stress,
`make stress`) and benchmarks (Tests/bench, `make bench`).

    vnettest.netns            sh, the run's prefix, network namespaces made with it (and removed again)
    vnettest.cni              the CNI driver (exec_plugin, call, Runtime), BIN, CNI_PATH, the state document
    vnettest.topology         the namespaces of a two-node VNet (nodes, fabric, peer, internet host)
    vnettest.mountns_runtime  a container runtime in a mount namespace of its own (a script it starts)

How the suites import it, the one way: Tests/ is the import root. Every file that Python starts directly
puts Tests/ first on sys.path, before its other imports, with the same line:

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tests/: see Tests/vnettest

Those files are pytest's Tests/e2e/conftest.py, Tests/stress/stress.py, Tests/bench/bench.py,
Tests/bench/profile.py, Tests/bench/vnet_scale.py, Tests/bench/vnet_blocks.py, and the helper scripts the suites
start (Tests/bench/cni_driver.py, Tests/stress/storage.py --inside, vnettest/mountns_runtime.py; vnet_scale.py,
vnet_blocks.py and the last two are also imported, so their line runs only as `__main__`). They then import `vnettest.<module>`. The reliability suite is the package
`stress`: its modules import each other as `stress.<module>`, so that each has one name whether stress.py
or pytest (the e2e suite's fast subset, Tests/e2e/test_reliability.py) loaded it. No other file touches
sys.path, and no suite reaches into another suite's folder. The e2e and bench suites import their own
modules by name from their folder (pytest puts Tests/e2e on the path; a script's folder is on it).
"""
