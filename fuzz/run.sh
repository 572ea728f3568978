#!/usr/bin/env bash
# Usage: fuzz/run.sh TARGET SECONDS
#
# Builds TARGET (a file in fuzz_targets/) with libFuzzer's coverage instrumentation on the
# stable toolchain, replays every crash found before (regressions/TARGET/), then fuzzes for
# SECONDS starting from the committed corpus (corpus/TARGET/, never written: new inputs go
# to a scratch directory). A crash stops it with status 1 and leaves the input in
# artifacts/TARGET/; copy it to regressions/TARGET/ once fixed. The instrumented build
# lives in $FUZZ_TARGET_DIR (default fuzz/target), away from the workspace's own.
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: fuzz/run.sh TARGET SECONDS   (targets: $(cd "$(dirname "$0")/fuzz_targets" && ls | sed 's/\.rs$//' | tr '\n' ' '))" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
target=$1
seconds=$2
[ -f "$here/fuzz_targets/$target.rs" ] || { echo "error: no fuzz target $target in fuzz/fuzz_targets/" >&2; exit 2; }

export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$here/target}"
host=$(rustc -vV | sed -n 's/^host: //p')
# What `cargo fuzz build --sanitizer none` passes, all stable flags. An explicit --target
# keeps the instrumentation off build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --quiet --release --locked --manifest-path "$here/Cargo.toml" --target "$host" --bin "$target"
bin="$CARGO_TARGET_DIR/$host/release/$target"

# 1. Every crash found before still passes (each file runs once).
shopt -s nullglob
regressions=("$here/regressions/$target"/*)
if [ ${#regressions[@]} -gt 0 ]; then
    echo "==> $target: replaying ${#regressions[@]} regression input(s)"
    "$bin" -runs=1 "${regressions[@]}" 2>&1 | tail -n 3
fi

# 2. Replay the corpus, then fuzz for the time given.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch" "$scratch.last"' EXIT
mkdir -p "$here/artifacts/$target"
echo "==> $target: fuzzing for ${seconds}s from $(ls "$here/corpus/$target" | wc -l) corpus input(s)"
export STREAMKIT_FUZZ_LAST_INPUT="$scratch.last"
set +e
# A fixed seed (FUZZ_SEED, default 1) makes a run reproducible: the same inputs in the same
# order, however many the time allows.
"$bin" "$scratch" "$here/corpus/$target" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
    -max_len=262144 -print_final_stats=1 -artifact_prefix="$here/artifacts/$target/" >"$scratch.log" 2>&1
status=$?
set -e
grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)|^(==[0-9]+== )?ERROR|panicked at|^Done' "$scratch.log" || true
if [ $status -ne 0 ]; then
    tail -n 40 "$scratch.log"
    # Killed by a signal (a stack overflow leaves no libFuzzer artifact): keep the last input.
    if [ $status -gt 128 ] && [ -f "$scratch.last" ]; then
        cp "$scratch.last" "$here/artifacts/$target/crash-signal-$status-$(date +%s)"
    fi
    echo "error: $target crashed (status $status); the input is in fuzz/artifacts/$target/" >&2
    rm -f "$scratch.log"
    exit 1
fi
rm -f "$scratch.log"
echo "==> $target: no crash"
