#!/usr/bin/env bash
# Benchmarks. One subcommand per suite; each builds what it needs in Release, runs, and prints
# a compact summary as its last lines. Full logs and BenchmarkDotNet reports go under
# BenchmarkDotNet.Artifacts/<suite>/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'USAGE'
Usage: ./bench.sh <suite> [options]

Suites:
  sfu-micro [--quick] [BenchmarkDotNet options]
      Media.Sfu packet-path micro-benchmarks (BenchmarkDotNet, MemoryDiagnoser): STUN Binding
      request handling (success and 401), SRTP protect/unprotect per profile (and among many live
      sessions), RTP header rewrite, the forwarding step without the socket, the whole path over
      loopback sockets through a running node (batch 0/1/32), and memcpy / .NET AesGcm references.
      Prints mean ns/op, allocated B/op and ratios to the references. About 2 minutes;
      --quick is a smoke run (under a minute; times indicative only).
      Extra options go to BenchmarkDotNet, e.g. --filter '*Srtp*'.
  sfu [--calls N[,N...]] [--seconds S] [--warmup S] [--audio-only] [--workers W] [--batch B] [--threads T]
      [--no-turn] [--wrtc-calls K | --no-wrtc] [--nice N]
      SFU capacity against coturn (bench/Media.Sfu.Load): per N (default 10,50,100), a fresh SFU node in its own
      process carries N 1:1 calls of synthetic WebRTC clients (real ICE, DTLS, SRTP; audio 50 pkt/s ~100 B and
      video ~100 pkt/s ~1,200 B each way), then a local coturn relays the same rates between N pairs of TURN
      allocations. Windows of S seconds (default 10) after a warm-up (3). Then K calls (default 2) of real libwebrtc
      peers (npm @roamhq/wrtc, bench/wrtc) check the generator. Prints a table and, last, one summary line
      (calls= pps= sfu_us_per_pkt= coturn_us_per_pkt= ratio= added_loss_pct= p99_ms= alloc_bytes_per_pkt=, for the
      largest N); writes BenchmarkDotNet.Artifacts/sfu-load/sfu-load.png and sfu-load.txt. Loopback only; needs
      root for the wrtc check's network namespace. --nice N runs everything (SFU, coturn, clients) at that nice
      level, e.g. -10 on a machine busy with other work (negative values need root).
  signaling [--users N] [--seconds S] [--warmup S] [--messages K] [--rejoin-seconds S] [--connect-rate R] [--no-redis]
      /signaling load: N simulated users join and re-join queues against a control plane it starts on loopback;
      prints pairing latency p50/p95/p99 (join-queue → matched), messages/s and the API's peak RSS.
USAGE
}

# Only the native library the SFU's SRTP layer loads; scripts/setup.sh installs it (and more).
require_libsrtp() {
  if ! ldconfig -p 2>/dev/null | grep -q 'libsrtp2\.so\.1'; then
    echo "bench: libsrtp2 is missing; running scripts/setup.sh" >&2
    SETUP_SKIP_RESTORE=1 ./scripts/setup.sh
  fi
}

sfu_micro() {
  local project=bench/Media.Sfu.Bench
  local out=BenchmarkDotNet.Artifacts/sfu-micro
  local args=()
  for a in "$@"; do
    case "$a" in
      -h|--help) usage; return 0 ;;
      *) args+=("$a") ;;
    esac
  done
  require_libsrtp
  echo "bench: building $project (Release)"
  dotnet build "$project" -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
  rm -rf "$out" && mkdir -p "$out"
  local log="$out/run.log" summary="$out/summary.txt"
  echo "bench: running sfu-micro; full log in $log"
  local status=0
  # Progress: one line per benchmark case; everything else goes to the log.
  dotnet "$project/bin/Release/net10.0/Media.Sfu.Bench.dll" --artifacts "$out" --summary-file "$summary" \
      ${args[@]+"${args[@]}"} 2>&1 | tee "$log" | grep --line-buffered -E '^// Benchmark: |^// \*\*\*\*\* |Benchmark step failed' || true
  status=${PIPESTATUS[0]}
  echo
  if [ -s "$summary" ]; then
    cat "$summary"
  else
    echo "bench: no summary produced; last lines of $log:"
    tail -n 30 "$log"
  fi
  return "$status"
}

sfu_load() {
  local args=() nice=0
  while [ $# -gt 0 ]; do
    case "$1" in
      -h|--help) usage; return 0 ;;
      --nice) nice="${2:?--nice needs a value}"; shift 2 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  SETUP_SKIP_RESTORE=1 ./scripts/setup.sh
  if [ ! -d bench/wrtc/node_modules/@roamhq/wrtc ]; then
    echo "bench: npm install (bench/wrtc: @roamhq/wrtc)"
    (cd bench/wrtc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  echo "bench: building bench/Media.Sfu.Load (Release)"
  dotnet build bench/Media.Sfu.Load -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
  # Children (the SFU host, coturn, node) inherit the nice level.
  nice -n "$nice" dotnet bench/Media.Sfu.Load/bin/Release/net10.0/Media.Sfu.Load.dll --out BenchmarkDotNet.Artifacts/sfu-load ${args[@]+"${args[@]}"}
}

case "${1:-}" in
  sfu-micro) shift; sfu_micro "$@" ;;
  sfu) shift; sfu_load "$@" ;;
  signaling)
    shift
    SETUP_SKIP_RESTORE=1 ./scripts/setup.sh
    dotnet build bench/Signaling.Load -c Release --nologo -v q -clp:ErrorsOnly
    exec dotnet bench/Signaling.Load/bin/Release/net10.0/Signaling.Load.dll "$@"
    ;;
  -h|--help|help) usage ;;
  "") usage >&2; exit 2 ;;
  *) echo "bench: unknown suite '$1'" >&2; usage >&2; exit 2 ;;
esac
