#!/usr/bin/env bash
# The issue-10 sweep benchmark: 5 policies x 5 settings of their main knob over the 14-day ServeGen trace at rate scale
# 0.1 (25 runs of 23.7 M requests), in parallel on the machine's cores. Reports wall time, CPU time and peak memory.
# The traces folder is <repo>/../shared/traces unless AILB_TRACES says otherwise.
# Usage: bench/sweep-servegen.sh [output folder (default sweep-out)]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
traces="${AILB_TRACES:-$repo/../shared/traces}"
trace="$traces/servegen_m-large_per_minute.csv"
if [[ ! -f "$trace" ]]; then
  echo "error: $trace not found; set AILB_TRACES to the folder holding servegen_m-large_per_minute.csv" >&2
  exit 2
fi
out="${1:-sweep-out}"
mkdir -p "$out"
dotnet build "$repo/src/AiLbAutoscaler.Cli" -c Release -nologo -v q >/dev/null
dll="$repo/src/AiLbAutoscaler.Cli/bin/Release/net10.0/ailb.dll"
/usr/bin/time -f "wall %e s, user %U s, system %S s, peak RSS %M KiB" dotnet "$dll" sweep --trace "$trace" --rate-scale 0.1 --seed 7 \
  --policies ailb,hpa,hpa-queue,gce,gce-lb --json "$out/sweep-servegen.json" --plot "$out/sweep-servegen.png"
