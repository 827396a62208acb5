#!/usr/bin/env bash
# `whocan collect --import` through a fake ARM + Graph on loopback (issue 12):
# generates a whocan-synth tenant, serves it with examples/fake_azure.rs, collects
# and imports it with the release binary, and reports the requests made, the wall
# time and the peak RSS of `whocan collect --import` (/usr/bin/time -f %M).
#
#   scripts/collect-bench.sh [large|small|xl] [SEED] [PAGE]     # default: large 1 100
#
# WORK=DIR keeps the tenant, the export and the database there (else a temporary
# directory, removed at the end). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-large}
seed=${2:-1}
page=${3:-100}

cargo build --release -p whocan --bin whocan --example fake_azure
cargo build --release -p whocan-synth --bin whocan-synth
bin=target/release

if [[ -n "${WORK:-}" ]]; then
  work=$WORK
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/whocan-collect-bench.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
rm -rf "$work/synth" "$work/out" "$work/collect.db"

echo "generating the $profile tenant (seed $seed)..." >&2
"$bin/whocan-synth" --profile "$profile" --seed "$seed" --out "$work/synth" > /dev/null 2> "$work/synth.log"
tail -n 1 "$work/synth.log" >&2

# The fake serves until its stdin closes: fd 3 is that stdin.
rm -f "$work/fake.url"
exec 3> >(exec "$bin/examples/fake_azure" "$work/synth" --page "$page" > "$work/fake.url" 2> "$work/fake.log")
for _ in $(seq 1 600); do
  [[ -s "$work/fake.url" ]] && break
  sleep 0.1
done
base=$(head -n 1 "$work/fake.url")
[[ -n "$base" ]] || { echo "the fake did not start:" >&2; cat "$work/fake.log" >&2; exit 1; }
head -n 1 "$work/fake.log" >&2

status=0
WHOCAN_ARM_TOKEN=bench WHOCAN_GRAPH_TOKEN=bench \
  /usr/bin/time -f '%e %M' -o "$work/time" \
  "$bin/whocan" --db "$work/collect.db" collect --out "$work/out" --import \
    --arm-url "$base" --graph-url "$base" > /dev/null 2> "$work/collect.log" || status=$?
exec 3>&-
for _ in $(seq 1 100); do
  grep -q answered "$work/fake.log" && break
  sleep 0.1
done

if [[ $status -ne 0 ]]; then
  echo "whocan collect exited $status:" >&2
  cat "$work/collect.log" >&2
  exit $status
fi
read -r wall rss_kb < "$work/time"
summary=$(grep -m1 '^collected:' "$work/collect.log")
requests=$(sed -E 's/^collected: ([0-9]+) request.*/\1/' <<< "$summary")
served=$(grep -oE 'answered [0-9]+' "$work/fake.log" | grep -oE '[0-9]+' || echo '?')
not_read=$(grep -m1 -oE '^not read \([0-9]+\)' "$work/collect.log" || echo 'every read completed')
files=$(find "$work/out" -type f -name '*.json' | wc -l)
bytes=$(du -sb "$work/out" | cut -f1)

echo "profile:            $profile (seed $seed, pages of $page)"
echo "summary:            $summary"
echo "requests (fake):    $served"
echo "ledger:             $not_read"
echo "files written:      $files ($((bytes / 1000000)) MB)"
echo "wall time:          ${wall} s (collect + import)"
echo "peak RSS:           $((rss_kb / 1024)) MiB"
echo "requests per s:     $(awk -v r="$requests" -v w="$wall" 'BEGIN { printf "%.0f", r / w }')"
