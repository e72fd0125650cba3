#!/usr/bin/env bash
# Replays the 14-day ServeGen trace at rate scale 0.1 with one policy and reports requests per wall-second and peak
# memory. The traces folder is <repo>/../shared/traces unless AILB_TRACES says otherwise.
# Usage: bench/replay-servegen.sh [policy (default ailb)] [rate-scale (default 0.1)]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
traces="${AILB_TRACES:-$repo/../shared/traces}"
trace="$traces/servegen_m-large_per_minute.csv"
if [[ ! -f "$trace" ]]; then
  echo "error: $trace not found; set AILB_TRACES to the folder holding servegen_m-large_per_minute.csv" >&2
  exit 2
fi
policy="${1:-ailb}"
scale="${2:-0.1}"
dotnet build "$repo/bench/AiLbAutoscaler.Bench" -c Release -nologo -v q >/dev/null
dll="$repo/bench/AiLbAutoscaler.Bench/bin/Release/net10.0/AiLbAutoscaler.Bench.dll"
if command -v /usr/bin/time >/dev/null 2>&1; then
  /usr/bin/time -f "peak RSS (time -v)         %M KiB" dotnet "$dll" replay "$trace" "$scale" "$policy"
else
  dotnet "$dll" replay "$trace" "$scale" "$policy"
fi
