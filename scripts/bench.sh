#!/usr/bin/env bash
# The end-to-end benchmark of issue 5: builds the release binary, then runs
# examples/bench.rs with the given options (see its header), e.g.
#   scripts/bench.sh --profile xl --out BENCHMARKS.md
#   scripts/bench.sh --profile large --who-ws 10 --can 200     # a quick look
# Run it on an otherwise idle machine: it times wall clock.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin whocan
exec cargo run --release --example bench -- "$@"
