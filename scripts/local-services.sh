#!/usr/bin/env bash
# Starts and stops the loopback PostgreSQL, Redis and coturn that run.sh and the tests use.
# One implementation for both, so what the tests exercise is what run.sh starts.
#
#   local-services.sh postgres DIR PORT           prints the DATABASE_URL
#   local-services.sh redis DIR PORT              prints the REDIS_URL
#   local-services.sh coturn DIR PORT SECRET      prints the TURN URL (relay ports from TURN_MIN_PORT/TURN_MAX_PORT)
#   local-services.sh stop DIR                    stops whatever was started in DIR
# PG_FAST=1 turns off fsync (tests only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:?usage: local-services.sh postgres|redis|coturn|stop DIR ...}"
dir="${2:?DIR required}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [ -x "$b/initdb" ] && { echo "$b"; return; }; done
  echo "local-services: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1
}

wait_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

case "$cmd" in
postgres)
  port="${3:?PORT required}"
  B="$(pg_bin)"
  mkdir -p "$dir/pg"
  # initdb runs as postgres when we are root: it must be able to reach and own its folder.
  [ "$(id -u)" = 0 ] && { chmod o+x "$dir"; chown postgres "$dir/pg"; }
  if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
    as_postgres "$B/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1 \
      || { cat "$dir/pg/initdb.log" >&2; exit 1; }
  fi
  opts="-c listen_addresses=127.0.0.1 -p $port -k $dir/pg -c max_connections=300"
  [ "${PG_FAST:-0}" = 1 ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if ! as_postgres "$B/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1; then
    as_postgres "$B/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/pg.log" -o "$opts" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/pg/pg.log" >&2; exit 1; }
  fi
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='omegle'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE omegle" >/dev/null
  echo "postgresql://postgres@127.0.0.1:$port/omegle"
  ;;
redis)
  port="${3:?PORT required}"
  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
    --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >/dev/null
  wait_port 127.0.0.1 "$port" 10 || { echo "local-services: redis did not start" >&2; tail -5 "$dir/redis/redis.log" >&2; exit 1; }
  echo "redis://127.0.0.1:$port"
  ;;
coturn)
  port="${3:?PORT required}"; secret="${4:?SECRET required}"
  mkdir -p "$dir/coturn"
  TURN_SECRET="$secret" TURN_PORT="$port" TURN_RUN_DIR="$dir/coturn" TURN_ALLOW_LOOPBACK="${TURN_ALLOW_LOOPBACK:-1}" \
    setsid "$root/deploy/coturn/start.sh" >"$dir/coturn/coturn.log" 2>&1 </dev/null &
  echo $! >"$dir/coturn/start.pid"
  wait_port 127.0.0.1 "$port" 10 || { echo "local-services: coturn did not start" >&2; tail -20 "$dir/coturn/coturn.log" >&2; exit 1; }
  echo "turn:127.0.0.1:$port"
  ;;
stop)
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    B="$(pg_bin)"; as_postgres "$B/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  for f in "$dir/redis/redis.pid" "$dir/coturn/turnserver.pid" "$dir/coturn/start.pid"; do
    [ -f "$f" ] && { kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; }
  done
  ;;
*) echo "local-services: unknown command $cmd" >&2; exit 2 ;;
esac
