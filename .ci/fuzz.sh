#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time and fails when one finds a crash.
#
#   FUZZ_SECONDS=60 bash .ci/fuzz.sh            # all targets, 60 s each (the default)
#   FUZZ_SECONDS=600 bash .ci/fuzz.sh analyse   # chosen targets
#   FUZZ_JOBS=1 bash .ci/fuzz.sh                # one target at a time
#   FUZZ_CODEGEN_UNITS=16 bash .ci/fuzz.sh      # a quicker build, slower targets
#
# Targets run FUZZ_JOBS at a time (default: the CPU count), each libFuzzer on one core, so every
# target still gets its full time on a core while the whole run takes 1/FUZZ_JOBS as long.
#
# The toolchain here is stable; libFuzzer's instrumentation and AddressSanitizer need nightly
# flags, which stable rustc accepts with RUSTC_BOOTSTRAP=1 (set only for these builds).
# cargo-fuzz is installed once into $MARGINALIA_TOOLS (default ~/.cache/marginalia-tools).
# Corpora grow in fuzz/corpus/<target> (git-ignored); seeds come from fixtures/ and
# fuzz/seeds/; nothing is written into tracked files. On a crash the script prints the failing
# input (escaped and hex) and the command that replays it, then exits 1; turn it into a test in
# server/core/tests/regressions.rs.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}"
# cargo-fuzz's default of one codegen unit: the fastest targets. 16 built faster in one run by
# hand, not in CI, and the targets ran 5 % fewer inputs (BENCHMARKS.md, "Stop 24").
units="${FUZZ_CODEGEN_UNITS:-1}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_SECONDS must be a positive number, not '$seconds'" >&2; exit 1; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive number, not '$jobs'" >&2; exit 1; }
[[ "$units" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_CODEGEN_UNITS must be a positive number, not '$units'" >&2; exit 1; }
# The same flags for the build and the runs, or `cargo fuzz run` builds again.
build_flags=(--release --debug-assertions --codegen-units "$units")
tools="${MARGINALIA_TOOLS:-$HOME/.cache/marginalia-tools}"
export PATH="$tools/bin:$PATH"
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz into $tools"
    cargo install cargo-fuzz --locked --root "$tools"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

echo "fuzz: building ${targets[*]}"
(cd fuzz && cargo fuzz build "${build_flags[@]}")

seed_dir() { # seeds for a target: our fixtures and hand-made hostile inputs
    local dir="fuzz/corpus/$1"
    mkdir -p "$dir"
    if [ -z "$(ls -A "$dir")" ]; then
        find fixtures -type f ! -name '*.findings' -size -64k -exec cp {} "$dir"/ \; 2>/dev/null || true
        if [ -d "fuzz/seeds" ]; then cp fuzz/seeds/* "$dir"/ 2>/dev/null || true; fi
    fi
    echo "$dir"
}

# One target: its libFuzzer output in $logs/<target>.log, its exit code in $logs/<target>.rc.
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
fuzz_target() {
    local t=$1 corpus=$2 status=0
    (cd fuzz && cargo fuzz run "${build_flags[@]}" "$t" "../$corpus" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -dict=dicts/article.dict -print_final_stats=1) >"$logs/$t.log" 2>&1 || status=$?
    echo "$status" >"$logs/$t.rc"
}

for t in "${targets[@]}"; do
    corpus="$(seed_dir "$t")"
    # At most $jobs at once: wait for one to end before starting the next.
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    echo "fuzz: $t for ${seconds}s (corpus $(ls "$corpus" | wc -l) inputs)"
    fuzz_target "$t" "$corpus" &
done
wait

# Reported in target order, whatever order they ended in.
failed=()
for t in "${targets[@]}"; do
    log="$logs/$t.log"
    status="$(cat "$logs/$t.rc" 2>/dev/null || echo "no exit code")"
    grep -E "^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/fuzz: $t: /" || true
    if [ "$status" != 0 ]; then
        failed+=("$t")
        echo "fuzz: $t FOUND A CRASH (exit $status)"
        grep -v -E "^#[0-9]+|^INFO:|^\s+[0-9]+: |^\s+at " "$log" | tail -60
        artifact="$(grep -oE "fuzz/artifacts/$t/[a-z0-9-]+" "$log" | tail -1 || true)"
        if [ -z "$artifact" ]; then
            artifact="$(ls -t fuzz/artifacts/"$t"/* 2>/dev/null | head -1 || true)"
        fi
        if [ -n "$artifact" ] && [ -f "$artifact" ]; then
            echo "fuzz: reproducer $artifact ($(wc -c <"$artifact") bytes):"
            python3 -c 'import sys; print(repr(open(sys.argv[1],"rb").read()))' "$artifact" | head -c 4000; echo
            xxd "$artifact" | head -40
            echo "fuzz: replay with: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${build_flags[*]} $t ${artifact#fuzz/})"
        fi
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]}"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time, no crash"
