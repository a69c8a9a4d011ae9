#!/usr/bin/env bash
# Builds the `marginalia` binary to ship (release archives, the editor plugins) optimised with a
# profile of its own runs (profile-guided optimisation): about 8 % less time per article than
# `cargo build --release` on this project's machine (BENCHMARKS.md, section "Stop 23"). The two
# binaries give byte-identical output: the profile only steers code layout, inlining and branch
# order.
#
#   bash tools/pgo/build.sh            # the binary: target/pgo/marginalia
#   PGO_ARTICLES=300 bash tools/pgo/build.sh   # a smaller training corpus (CI)
#
# Steps: an instrumented build; `check` (every output format), `entities`, `annotate`, `export`
# and `report` over a generated training corpus and the bundled fixtures, and a short editing
# session with the language server (`marginalia-bench lsp-train`); the profile merged
# with the toolchain's own llvm-profdata (rustup's llvm-tools, the same LLVM as rustc); the
# optimised build; its output compared with the plain release build's.
#
# The training corpus is generated with other seeds than the corpus the benchmarks time, so the
# profile never sees the texts it is measured on.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/target/pgo"
articles=${PGO_ARTICLES:-2000}
start=$(date +%s)
fail() { echo "pgo: FAILED: $*" >&2; exit 1; }
say() { printf 'pgo: %s (t+%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

command -v cargo >/dev/null || fail "cargo is not installed"
[[ "$articles" =~ ^[1-9][0-9]*$ ]] || fail "PGO_ARTICLES must be a positive number, not '$articles'"
host=$(rustc -vV | sed -n 's/^host: //p')
[ -n "$host" ] || fail "cannot read the host triple from 'rustc -vV'"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
    say "installing rustup's llvm-tools (llvm-profdata of rustc's own LLVM)"
    rustup component add llvm-tools || fail "rustup component add llvm-tools failed"
fi
[ -x "$profdata" ] || fail "$profdata is missing after installing llvm-tools"

# RUSTFLAGS from the caller would change what is built in both steps: refuse them.
[ -z "${RUSTFLAGS:-}" ] || fail "unset RUSTFLAGS first (the script sets its own)"

say "plain release build (the reference for the comparison, and marginalia-bench)"
cargo build --release --quiet -p marginalia -p marginalia-bench
plain="$root/target/release/marginalia"

say "instrumented build"
rm -rf "$out/raw" "$out/train"
RUSTFLAGS="-Cprofile-generate=$out/raw" \
    cargo build --release --quiet -p marginalia --target-dir "$out/gen"
gen="$out/gen/release/marginalia"

say "training corpus: $articles articles at seed density, $((articles / 2)) dense"
"$root/target/release/marginalia-bench" corpus "$out/train/seeds" \
    --articles "$articles" --density seeds --seed 7 >/dev/null
"$root/target/release/marginalia-bench" corpus "$out/train/dense" \
    --articles "$((articles / 2))" --density dense --seed 8 >/dev/null

# Every command a user runs often, in every format; `--deny never` because the corpora have
# findings by design. Output is not needed, only the counts the runs leave in $out/raw.
train() {
    local dir=$1
    for format in human json sarif github; do
        "$gen" check --deny never --format "$format" "$dir" >/dev/null
    done
}
say "training runs"
train "$out/train/seeds"
train "$out/train/dense"
train fixtures/articles
train fixtures/corpus
"$gen" entities fixtures/corpus/*.md >/dev/null
"$gen" annotate fixtures/articles/kust-laos-zone.txt >/dev/null
"$gen" export fixtures/corpus --format csv --by institution >/dev/null
"$gen" report fixtures/corpus -o "$out/train/report.html" >/dev/null
# The editor plugins run this binary as their language server: without a session of its own
# the profile would mark the server's code cold, and LLVM would optimise it for size.
say "training: a language-server session"
MARGINALIA_BIN="$gen" "$root/target/release/marginalia-bench" lsp-train |
    sed 's/^/pgo: lsp-train: /'
ls "$out/raw"/*.profraw >/dev/null 2>&1 || fail "the training runs left no profile in $out/raw"
"$profdata" merge -o "$out/marginalia.profdata" "$out/raw"
# The server's edits must be in the profile (an error the session hid would leave them cold).
"$profdata" show --counts --function=Document12apply_change "$out/marginalia.profdata" |
    grep "Block counts" | grep -q "[1-9]" ||
    fail "the profile counts no edit by the language server (Document::apply_change)"

say "optimised build"
RUSTFLAGS="-Cprofile-use=$out/marginalia.profdata" \
    cargo build --release --quiet -p marginalia --target-dir "$out/use"
cp "$out/use/release/marginalia" "$out/marginalia.tmp"
mv "$out/marginalia.tmp" "$out/marginalia"

say "comparing its output with the plain build's"
# Output, messages and exit code: a run that fails the same way in both builds is a failure too.
run_check() { # BIN FORMAT DIR OUT: OUT gets the output, OUT.err the messages, $rc the exit code
    rc=0
    "$1" check --deny never --format "$2" "$3" >"$4" 2>"$4.err" || rc=$?
}
cmp_dir="$out/compare"
rm -rf "$cmp_dir"
mkdir -p "$cmp_dir"
for dir in "$out/train/seeds" fixtures/articles; do
    for format in human json sarif github; do
        run_check "$plain" "$format" "$dir" "$cmp_dir/plain"
        plain_rc=$rc
        run_check "$out/marginalia" "$format" "$dir" "$cmp_dir/pgo"
        pgo_rc=$rc
        [ "$plain_rc" = 0 ] ||
            fail "the plain build's check --format $format over $dir exited $plain_rc: $(head -c 500 "$cmp_dir/plain.err")"
        [ "$pgo_rc" = 0 ] ||
            fail "the optimised build's check --format $format over $dir exited $pgo_rc: $(head -c 500 "$cmp_dir/pgo.err")"
        # A JSON report is never empty, even with no findings (GitHub's may be).
        [ "$format" != json ] || [ -s "$cmp_dir/plain" ] ||
            fail "the plain build's JSON report over $dir is empty"
        cmp -s "$cmp_dir/plain" "$cmp_dir/pgo" ||
            fail "the optimised binary's $format output over $dir differs from the plain build's (kept in $cmp_dir)"
        cmp -s "$cmp_dir/plain.err" "$cmp_dir/pgo.err" ||
            fail "the optimised binary's messages ($format, $dir) differ from the plain build's (kept in $cmp_dir)"
    done
done
rm -rf "$cmp_dir"
say "done: $out/marginalia"
