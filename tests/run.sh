#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, then runs every test project.
# Services (Azurite, Prometheus) are started and stopped by the tests themselves.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash "$root/tests/setup.sh" || { echo "setup failed: see above"; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet test "$root/AiLbAutoscaler.sln" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# One closing line over all test projects, from the per-project summaries that dotnet test prints.
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") { gsub(",", "", $(i+1)); f += $(i+1) }
      if ($i == "Passed:") { gsub(",", "", $(i+1)); p += $(i+1) }
      if ($i == "Skipped:") { gsub(",", "", $(i+1)); s += $(i+1) }
    }
    n++
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; if (n == 0) print "tests: no test project reported a summary" }
' "$log"
exit "$rc"
