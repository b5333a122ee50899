# vnet: two commands do everything on a fresh Debian 12 machine:
#   make run    installs what is missing, builds, and opens the console on a sandboxed demo node
#   make test   installs what is missing, builds, and runs every test
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= /usr/bin/python3
PREFIX ?= /opt/cni
DESTDIR ?=
CONFDIR ?= /etc/cni/net.d
RELEASE_DIR := .build/release
PLUGINS := vnet vnet-ipam
TOOLS := vnetctl vnet-console vnetd
APT_PACKAGES := libmnl-dev libnftables-dev libncurses-dev pkg-config nftables iproute2 iputils-ping tmux \
	containernetworking-plugins python3 python3-pytest python3-prometheus-client python3-yaml curl etcd-server etcd-client

.PHONY: all deps test-deps build test unit e2e run demo bench stress fuzz install uninstall clean

all: build

## deps: install the Debian packages that are missing (needs root) and check the Swift toolchain.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 toolchain not found on PATH (see README)"; exit 1; }

## build: release binaries; the plugins link the Swift runtime statically (every CNI call pays process start).
## The C++ runtime the Swift runtime needs (libstdc++, libgcc) is linked statically too: loading them as shared
## libraries cost each exec ~0.6 ms of mapping and page faults (docs/benchmarks.md). No $$ORIGIN run path
## either: nothing is loaded from beside the binaries, and with it the loader looked for libc and libm in ~20
## directories there on every exec. A directory holding only
## libstdc++.a, searched first, makes the toolchain's own -lstdc++ pick the archive; without the archive the
## build falls back to the shared library.
STATIC_CXX_DIR := $(CURDIR)/.build/static-cxx
build: deps
	@mkdir -p $(STATIC_CXX_DIR); archive=$$(gcc -print-file-name=libstdc++.a); \
	if [ -f "$$archive" ]; then ln -sfn "$$archive" $(STATIC_CXX_DIR)/libstdc++.a; \
	else rm -f $(STATIC_CXX_DIR)/libstdc++.a; echo "libstdc++.a not found: linking the shared C++ runtime"; fi
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath -Xlinker -L$(STATIC_CXX_DIR) \
		-Xswiftc -Xclang-linker -Xswiftc -static-libgcc

## test: unit and kernel tests (swift test), then end-to-end tests driving the real binaries in namespaces.
## test-deps: what only the tests use: podman (CNI backend) and runc run a container on vnet alone.
TEST_PACKAGES := podman runc
test-deps: deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

test: build test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	VNET_BIN=$(CURDIR)/$(RELEASE_DIR) $(PYTHON) -m pytest -q -p no:cacheprovider Tests/e2e

unit: deps
	$(SWIFT) test

e2e: build test-deps
	VNET_BIN=$(CURDIR)/$(RELEASE_DIR) $(PYTHON) -m pytest -q -p no:cacheprovider Tests/e2e

## run: the console on a real sandbox node (namespaces, bridge, NAT, pods), removed again on exit.
run: build
	$(RELEASE_DIR)/vnet-console --demo

demo: run

## bench: vnet beside the reference plugins and the kernel's own cost, in namespaces; writes docs/benchmarks.md.
## BENCH_QUICK=1 for a short run, BENCH_PODS=N to change the pod count, BENCH_REPS / BENCH_GROWTH_FILLS for
## more repetitions and growth fills (see Tests/bench/bench.py). The VNet at scale (64 nodes x 250 pods with vnetd on
## etcd, Tests/bench/vnet_scale.py, also runnable alone) adds ~11 minutes; BENCH_VNET_SCALE=0 leaves it out. The
## addresses from the VNet (vnet pools: ADD against a static pool, claim latency, 64 nodes claiming blocks for 16,000
## pods; Tests/bench/vnet_blocks.py, also runnable alone) adds ~3 minutes; BENCH_VNET_BLOCKS=0 leaves it out. The
## console with a full history (frames of the overview, an endpoint's detail and the Events screen, and idle CPU, at
## 250 endpoints once the sparklines' 900 samples are kept; Tests/bench/console_history.py, also runnable alone) adds
## ~11 minutes (with perf profiles of each screen when perf is installed); BENCH_CONSOLE_HISTORY=0 leaves it out.
BENCH_PACKAGES := python3-pyroute2 python3-nftables time strace
bench: build
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	VNET_BIN=$(CURDIR)/$(RELEASE_DIR) $(PYTHON) Tests/bench/bench.py

## stress: the reliability suite (docs/reliability.md): churn with SIGKILLed plugins, a stopped lock holder,
## storage faults, a reboot, security checks and the NAT repair race; every part prints what it tried and found.
stress: build
	@command -v strace >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null; }
	VNET_BIN=$(CURDIR)/$(RELEASE_DIR) $(PYTHON) Tests/stress/stress.py

## fuzz: libFuzzer targets built with swiftc -sanitize=fuzzer, 1,000,000 executions each (docs/reliability.md).
fuzz: deps
	Tests/fuzz/fuzz.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(CONFDIR)
	for b in $(PLUGINS) $(TOOLS); do install -m 0755 $(RELEASE_DIR)/$$b $(DESTDIR)$(PREFIX)/bin/$$b; done
	[ -e $(DESTDIR)$(CONFDIR)/10-vnet.conflist ] || install -m 0644 docs/examples/10-vnet.conflist $(DESTDIR)$(CONFDIR)/10-vnet.conflist

uninstall:
	for b in $(PLUGINS) $(TOOLS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$b; done

clean:
	rm -rf .build
