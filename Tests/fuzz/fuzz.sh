#!/bin/bash
# `make fuzz`: builds the libFuzzer targets with `swiftc -sanitize=fuzzer` (SwiftPM has no fuzzer option, so the
# library modules the targets need are compiled here, module by module, with coverage instrumentation) and runs
# each target for RUNS executions over its committed seed corpus. Crash inputs kept in the corpus are replayed
# first on every run, so a fixed crash stays fixed.
#
#   Tests/fuzz/fuzz.sh [target ...]          targets: config cniargs wireserver imds state (default: all)
#   RUNS=1000000 MAX_SECONDS=900 SANITIZE=fuzzer,address Tests/fuzz/fuzz.sh
#
# New interesting inputs go to .build-fuzz/work/<target> (never into the committed corpus); crashes to
# .build-fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${FUZZ_BUILD:-$ROOT/.build-fuzz}
RUNS=${RUNS:-1000000}
MAX_SECONDS=${MAX_SECONDS:-900}
SANITIZE=${SANITIZE:-fuzzer}
SWIFTC=${SWIFTC:-swiftc}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(config cniargs wireserver imds state)
mkdir -p "$OUT/lib" "$OUT/work" "$OUT/artifacts"

# -enable-testing: the state target also checks internal pieces of VNetState (record reuse on commit).
COMMON=(-parse-as-library -swift-version 6 -O -g -enable-testing -sanitize="$SANITIZE" -I "$OUT/lib" -I "$ROOT/Sources/CVNetSystem")

# quietly COMMAND...: runs a compiler step, showing its output only when it fails (the linker's warnings about
# FoundationEssentials' mktemp and ASan's local symbols are noise).
quietly() {
    local log="$OUT/last-build.log"
    if ! "$@" >"$log" 2>&1; then cat "$log"; exit 1; fi
}

# module NAME SOURCES...: a static library and its module, instrumented for coverage.
module() {
    local name=$1; shift
    local stamp="$OUT/lib/$name.stamp"
    if [ -f "$stamp" ] && [ -z "$(find "$@" -newer "$stamp" 2>/dev/null | head -1)" ] \
        && [ "$(cat "$stamp")" = "$SANITIZE" ]; then
        return
    fi
    echo "compiling module $name"
    # A static archive is added to, not replaced: an old one keeps the objects of files since renamed.
    rm -f "$OUT/lib/lib$name.a"
    quietly "$SWIFTC" "${COMMON[@]}" -module-name "$name" -emit-module -emit-module-path "$OUT/lib/$name.swiftmodule" \
        -emit-library -static -o "$OUT/lib/lib$name.a" "$@"
    echo "$SANITIZE" > "$stamp"
}

module VNetModel Sources/VNetModel/*.swift
module VNetSystem Sources/VNetSystem/*.swift
module VNetPools $(find Sources/VNetPools -name '*.swift' | sort)
module VNetState Sources/VNetState/*.swift
module CNI Sources/CNI/*.swift

LIBS=(-L "$OUT/lib" -lCNI -lVNetState -lVNetPools -lVNetSystem -lVNetModel)

# target NAME MAIN [EXTRA SOURCES...]: the fuzzer executable. IPAMConfig and NodeConfig are compiled into the
# config target directly: their modules (VNetIPAM, VNetOperations) pull in netlink and nftables, the two files
# need only VNetModel and VNetPools.
build_target() {
    local name=$1; shift
    echo "linking fuzz-$name"
    quietly "$SWIFTC" "${COMMON[@]}" -module-name "Fuzz_$name" "$@" "${LIBS[@]}" -o "$OUT/fuzz-$name"
}

status=0
for target in "${TARGETS[@]}"; do
    case $target in
        config) build_target config Tests/fuzz/targets/FuzzConfig.swift Sources/VNetIPAM/IPAMConfig.swift Sources/VNetOperations/NodeConfig.swift ;;
        cniargs) build_target cniargs Tests/fuzz/targets/FuzzCNIArgs.swift ;;
        wireserver) build_target wireserver Tests/fuzz/targets/FuzzWireserver.swift ;;
        imds) build_target imds Tests/fuzz/targets/FuzzIMDS.swift ;;
        state) build_target state Tests/fuzz/targets/FuzzState.swift ;;
        *) echo "unknown target $target"; exit 2 ;;
    esac
    seeds="$ROOT/Tests/fuzz/corpus/$target"
    work="$OUT/work/$target"
    mkdir -p "$work" "$OUT/artifacts/$target"
    log="$OUT/fuzz-$target.log"
    echo "fuzzing $target: $RUNS runs (at most $MAX_SECONDS s), seeds $(ls "$seeds" | wc -l) in Tests/fuzz/corpus/$target"
    started=$(date +%s.%N)
    set +e
    # Swift's own crash backtracer would end the process before libFuzzer writes the crash input.
    SWIFT_BACKTRACE=enable=no "$OUT/fuzz-$target" -runs="$RUNS" -max_total_time="$MAX_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$target/" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    read -r seconds speed < <(awk -v now="$(date +%s.%N)" -v then="$started" -v runs="${runs:-0}" \
        'BEGIN { s = now - then; printf "%.1f %d\n", s, (s > 0 ? runs / s : 0) }')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    corpus=$(ls "$work" | wc -l)
    if [ $rc -eq 0 ] && [ "${runs:-0}" -ge "$RUNS" ]; then
        echo "  $target: ok, ${runs} executions in ${seconds:-?} s (${speed:-?} exec/s), ${cov:-cov: ?}, ${corpus} inputs in the work corpus"
    else
        echo "  $target: FAILED (exit $rc, ${runs:-0} executions); log $log, crash inputs in $OUT/artifacts/$target/"
        grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5 | sed 's/^/    /'
        status=1
    fi
done
exit $status
