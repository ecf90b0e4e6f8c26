#!/usr/bin/env bash
# Runs a benchmark and prints its figures. Everything stays on loopback and is bounded in time.
#   ./bench.sh signaling [--users N] [--seconds S] [--warmup S] [--messages K] [--rejoin-seconds S] [--connect-rate R] [--no-redis]
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-}"; shift || true
case "$what" in
  signaling)
    SETUP_SKIP_RESTORE=1 ./scripts/setup.sh
    dotnet build bench/Signaling.Load -c Release --nologo -v q -clp:ErrorsOnly
    exec dotnet bench/Signaling.Load/bin/Release/net10.0/Signaling.Load.dll "$@"
    ;;
  *)
    echo "usage: ./bench.sh signaling [--users N] [--seconds S] [--messages K] [--connect-rate R] [--no-redis]" >&2
    exit 2
    ;;
esac
