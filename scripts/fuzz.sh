#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60), one after the other,
# and stops at the first crash or timeout (libFuzzer writes the input under
# fuzz/artifacts/<target>/). Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly
#   cargo install cargo-fuzz
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")/../fuzz"
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: no nightly toolchain; install it with: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
    exit 2
fi
for target in import_json import_csv review_sheet pattern; do
    echo "== $target: ${seconds}s"
    mkdir -p "corpus/$target"
    # -timeout: an input that takes longer than 10 s is a hang and fails the run;
    # -rss_limit_mb: memory beyond 2 GiB on one input fails it too.
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
