#!/usr/bin/env bash
# The README's day-one loop (record, backtest) against a REAL local Prometheus, from a fresh clone:
#   1. generates two days of vLLM counters (a diurnal load, sampled every 15 s, ending 5 minutes ago; one server restart),
#   2. backfills them with promtool and starts Prometheus on a free 127.0.0.1 port (stopped on exit),
#   3. runs `ailb record` and `ailb backtest` on the recording.
# Outputs go to ${1:-day-one-out}/. Needs the .NET SDK and Debian's prometheus package (bash tests/setup.sh installs it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mkdir -p "${1:-day-one-out}" && cd "${1:-day-one-out}" && pwd)"
work="$(mktemp -d)"
prom_pid=""
cleanup() {
  if [ -n "$prom_pid" ]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
command -v promtool >/dev/null && command -v prometheus >/dev/null || { echo "day-one: promtool/prometheus missing: run bash tests/setup.sh" >&2; exit 1; }

echo "day-one: generating two days of vLLM counters"
now=$(date -u +%s)
awk -v end=$(( now / 60 * 60 - 300 )) -f "$root/tests/day-one/vllm-counters.awk" > "$work/samples.om.txt"
promtool tsdb create-blocks-from openmetrics "$work/samples.om.txt" "$work/data" >/dev/null
printf 'global:\n  scrape_interval: 1h\n' > "$work/prometheus.yml"

for attempt in 1 2 3 4 5; do
  port=$(( 20000 + RANDOM % 20000 ))
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" --storage.tsdb.retention.time=30d \
    --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
  prom_pid=$!
  for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then break 2; fi
    if ! kill -0 "$prom_pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; prom_pid=""
done
[ -n "$prom_pid" ] || { echo "day-one: prometheus did not start:" >&2; tail -n 20 "$work/prometheus.log" >&2; exit 1; }
echo "day-one: Prometheus on http://127.0.0.1:$port"

cat > "$out/settings.json" <<JSON
{
  "Autoscaler": { "Stacks": { "inference": { "Metrics": {
    "Source": "Prometheus",
    "PrometheusUrl": "http://127.0.0.1:$port/",
    "Signals": [ { "Name": "queue_per_instance", "Query": "sum(vllm:num_requests_waiting)" } ]
  } } } }
}
JSON

ailb() { dotnet run --project "$root/src/AiLbAutoscaler.Cli" -- "$@"; }
cd "$out"
set -x
ailb record --stack inference --settings settings.json --from -2d --out inference.csv
ailb backtest --trace inference.csv --policies ailb,gce,hpa-queue --plot inference.png
ailb tune --trace inference.csv --slo-ms 2000 --attainment 0.99 --stack inference --out tuned.env
{ set +x; } 2>/dev/null
echo "day-one: wrote $out/inference.csv, $out/inference.png and $out/tuned.env"
