#!/usr/bin/env bash
# Release-mode suites that CI runs after `cargo test --workspace`: the evaluations, with their
# figures printed (institution linking on the seeds and on ROR's names-dev set with the ROR
# subset loaded; dates on WikiWars, recognizers-text and our gold set). Each fails below its
# threshold; the figures are the ones reported in docs/evaluation-*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="../shared"
[ -d "$shared/data" ] || { echo "release-suites: $shared/data is missing" >&2; exit 1; }

echo "--- hostile input in release, including the 50 MB article"
cargo test --release -p marginalia-core --test hostile -- --include-ignored --nocapture
echo "--- institutions: seeds and gold set"
cargo test --release -p marginalia-core --test institutions_eval -- --nocapture --test-threads=1
echo "--- institutions: ROR names-dev with the ROR subset loaded"
cargo test --release -p marginalia-workspace --test ror_eval -- --nocapture --test-threads=1
echo "--- dates: gold set, seeds, WikiWars thresholds"
cargo test --release -p marginalia-core --test dates_eval -- --nocapture --test-threads=1
echo "--- dates: TempEval-3-style scores on every corpus"
cargo run --release -p marginalia-core --example eval_dates -- "$shared/data/dates"
echo "--- report: the page for 10,000 generated articles stays under 2 MB"
cargo test --release -p marginalia --test report -- --ignored --nocapture ten_thousand
