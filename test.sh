#!/usr/bin/env bash
# Runs every test. Installs what it needs first; the exit code is the verdict.
# Tests start their own PostgreSQL, Redis, coturn and Chromium on loopback.
set -uo pipefail
cd "$(dirname "$0")"
./scripts/setup.sh || exit 1

dotnet build Omegle.Media.sln -c Release --nologo -v q -clp:ErrorsOnly || exit 1

log="$(mktemp)"
dotnet test Omegle.Media.sln -c Release --no-build --nologo -v minimal -- RunConfiguration.TreatNoTestsAsError=true 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Servers a killed test host could leave behind.
pkill -f "omegle-tests-" 2>/dev/null || true

# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "Summary: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
