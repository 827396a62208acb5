#!/usr/bin/env bash
# `who` against `who --effective` (issue 15) on a database, same questions, one
# process per question: median of REPEAT runs per workspace, and the ratio.
#   scripts/effective-bench.sh DB [ACTION] [REPEAT] [WORKSPACE...]
# Default: the first workspace and every 100th of the first 500 (`whocan workspaces`).
set -euo pipefail
db=${1:?usage: scripts/effective-bench.sh DB [ACTION] [REPEAT] [WORKSPACE...]}
action=${2:-Microsoft.MachineLearningServices/workspaces/computes/write}
repeat=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
bin=${WHOCAN:-target/release/whocan}
[ -x "$bin" ] || cargo build --release --bin whocan
if [ $# -eq 0 ]; then
  mapfile -t names < <("$bin" workspaces --db "$db" -f json | python3 -c '
import json, sys
v = json.load(sys.stdin); v = v["workspaces"] if isinstance(v, dict) else v
print("\n".join(w["name"] for w in [v[0]] + v[100:500:100]))')
  set -- "${names[@]}"
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_one() {
  for _ in $(seq "$repeat"); do
    s=$(date +%s.%N); "$bin" "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc
  done | median
}
echo "| workspace | who (s) | who --effective (s) | ratio | escalations |"
echo "| --- | --- | --- | --- | --- |"
for ws in "$@"; do
  plain=$(time_one who --db "$db" "$action" --workspace "$ws" -f json)
  eff=$(time_one who --db "$db" "$action" --workspace "$ws" --effective -f json)
  n=$("$bin" who --db "$db" "$action" --workspace "$ws" --effective -f json 2>/dev/null |
      python3 -c 'import json,sys; print(len(json.load(sys.stdin)["escalations"]))')
  echo "| $ws | $plain | $eff | $(echo "scale=2; $eff / $plain" | bc) | $n |"
done
