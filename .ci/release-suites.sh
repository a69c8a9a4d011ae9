#!/usr/bin/env bash
# Release-mode suites that CI runs after `cargo test --workspace`: the evaluations, with their
# figures printed (institution linking on the seeds and on ROR's names-dev set with the ROR
# subset loaded; dates on WikiWars, recognizers-text and our gold set). Each fails below its
# threshold; the figures are the ones reported in docs/evaluation-*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="../shared"
[ -d "$shared/data" ] || { echo "release-suites: $shared/data is missing" >&2; exit 1; }
# Every build names the same packages, so that cargo resolves one set of features for them all
# and compiles each crate once: naming only the crate under test would resolve that crate's
# dependencies with fewer features (syn without "full", say) and compile them, the core and
# everything on top of it a second and third time.
packages=(-p marginalia-core -p marginalia-workspace -p marginalia -p marginalia-bench)

echo "--- hostile input in release, including the 50 MB article"
cargo test --release "${packages[@]}" --test hostile -- --include-ignored --nocapture
echo "--- institutions: seeds and gold set"
cargo test --release "${packages[@]}" --test institutions_eval -- --nocapture --test-threads=1
echo "--- institutions: ROR names-dev with the ROR subset loaded"
cargo test --release "${packages[@]}" --test ror_eval -- --nocapture --test-threads=1
echo "--- dates: gold set, seeds, WikiWars thresholds"
cargo test --release "${packages[@]}" --test dates_eval -- --nocapture --test-threads=1
echo "--- dates: TempEval-3-style scores on every corpus"
cargo build --release "${packages[@]}" --example eval_dates
"${CARGO_TARGET_DIR:-target}/release/examples/eval_dates" "$shared/data/dates"
echo "--- report: the page for 10,000 generated articles stays under 2 MB"
cargo test --release "${packages[@]}" --test report -- --ignored --nocapture ten_thousand
