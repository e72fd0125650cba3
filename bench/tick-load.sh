#!/usr/bin/env bash
# Times one TickAll over many stacks (default 100) against a WireMock.Net stand-in for Cloud Monitoring and a real
# Azurite, both started and stopped by the benchmark on 127.0.0.1, and the engine alone per stack.
# Needs Azurite in .tools/ (bash tests/setup.sh installs it). Usage: bench/tick-load.sh [stacks (100)] [rounds (5)]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$repo/bench/AiLbAutoscaler.Bench" -c Release -nologo -v q >/dev/null
dotnet "$repo/bench/AiLbAutoscaler.Bench/bin/Release/net10.0/AiLbAutoscaler.Bench.dll" tick-load "${1:-100}" "${2:-5}" 2>&1 | grep -v '^warn\|^      '
