"""The reliability suite's parts (`make stress`, Tests/stress/stress.py), a package so that the end-to-end
suite's fast subset (Tests/e2e/test_reliability.py) imports them as `stress.<part>`: see Tests/vnettest."""
