#!/usr/bin/env bash
# Runs the whole system in the foreground: PostgreSQL, Redis and coturn on loopback (unless
# DATABASE_URL, REDIS_URL or TURN_SERVER_URL point elsewhere) and the control plane on
# http://127.0.0.1:3333 with the SFU in process. Ctrl-C / SIGTERM stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/setup.sh

data="${OMEGLE_DATA_DIR:-$PWD/.data}"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
services=scripts/local-services.sh
api_pid=""

stop_all() {
  trap "" INT TERM   # a second Ctrl-C or SIGTERM must not cut the clean-up short
  trap - EXIT
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  "$services" stop "$data" || true
  echo "run: stopped"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

"$services" stop "$data" >/dev/null 2>&1 || true   # leftovers of a run that was killed

secret_file() { # name → a random secret kept in the data folder (local installs only)
  local f="$data/$1"
  [ -s "$f" ] || (umask 077 && openssl rand -hex 32 >"$f")
  cat "$f"
}

if [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="$("$services" postgres "$data" "${PG_PORT:-5440}")"
  echo "run: PostgreSQL on $DATABASE_URL"
fi
if [ -z "${REDIS_URL:-}" ]; then
  export REDIS_URL="$("$services" redis "$data" "${REDIS_PORT:-6390}")"
  echo "run: Redis on $REDIS_URL"
fi
if [ -z "${TURN_SERVER_URL:-}" ]; then
  export TURN_SECRET="${TURN_SECRET:-$(secret_file turn-secret)}"
  export TURN_SERVER_URL="$("$services" coturn "$data" "${TURN_PORT:-3478}" "$TURN_SECRET")"
  echo "run: coturn on $TURN_SERVER_URL"
fi
export JWT_SECRET="${JWT_SECRET:-$(secret_file jwt-secret)}"

dotnet build src/ControlPlane.Api -c Release --nologo -v q -o "$data/bin" >/dev/null
port="${PORT:-3333}"
host="${HOST:-127.0.0.1}"
dotnet "$data/bin/ControlPlane.Api.dll" &
api_pid=$!

for _ in $(seq 1 120); do
  if curl -fs "http://$host:$port/health/ready" >/dev/null 2>&1; then
    echo "run: control plane  http://$host:$port   (health: /health/ready, signaling: ws://$host:$port/signaling)"
    echo "run: ready — Ctrl-C to stop"
    break
  fi
  kill -0 "$api_pid" 2>/dev/null || { echo "run: the control plane exited" >&2; exit 1; }
  sleep 0.5
done
wait "$api_pid"
