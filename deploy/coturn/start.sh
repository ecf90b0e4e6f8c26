#!/usr/bin/env bash
# Renders turnserver.conf from the template and runs coturn in the foreground.
#
#   TURN_SECRET          comma-separated shared secrets, newest first (required)
#   TURN_REALM           realm (default omegle.media)
#   TURN_LISTEN_IP       address coturn listens on (default 127.0.0.1)
#   TURN_RELAY_IP        address relayed traffic leaves from (default = TURN_LISTEN_IP)
#   TURN_EXTERNAL_IP     public address behind 1:1 NAT, "public" or "public/private" (optional)
#   TURN_PORT            listening port for UDP and TCP (default 3478)
#   TURN_TLS_PORT, TURN_TLS_CERT, TURN_TLS_KEY   enable TURN over TLS when all are set
#   TURN_MIN_PORT, TURN_MAX_PORT   relay port range (default 49160-49200)
#   TURN_ALLOWED_PEER_IPS comma-separated SFU addresses relays may reach (default 127.0.0.1)
#   TURN_ALLOW_LOOPBACK  1 to let relays reach loopback peers (single-machine installs; default 0)
#   TURN_USER_QUOTA      allocations per user (default 12), TURN_TOTAL_QUOTA (default 2000)
#   TURN_RUN_DIR         where the rendered config and pid file go (default ./.data/coturn)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

: "${TURN_SECRET:?TURN_SECRET is required (comma-separated, newest first)}"
realm="${TURN_REALM:-omegle.media}"
listen_ip="${TURN_LISTEN_IP:-127.0.0.1}"
relay_ip="${TURN_RELAY_IP:-$listen_ip}"
port="${TURN_PORT:-3478}"
min_port="${TURN_MIN_PORT:-49160}"
max_port="${TURN_MAX_PORT:-49200}"
run_dir="${TURN_RUN_DIR:-$PWD/.data/coturn}"
mkdir -p "$run_dir"

secret_lines=""
IFS=',' read -ra secrets <<<"$TURN_SECRET"
for s in "${secrets[@]}"; do
  [ -n "$s" ] || continue
  case "$s" in *[[:space:]]*) echo "coturn: a TURN secret must not contain spaces" >&2; exit 2;; esac
  secret_lines+="static-auth-secret=$s"$'\n'
done
[ -n "$secret_lines" ] || { echo "coturn: TURN_SECRET has no secret" >&2; exit 2; }

allowed_lines=""
IFS=',' read -ra allowed <<<"${TURN_ALLOWED_PEER_IPS:-127.0.0.1}"
for a in "${allowed[@]}"; do [ -n "$a" ] && allowed_lines+="allowed-peer-ip=$a"$'\n'; done

loopback_line=""
[ "${TURN_ALLOW_LOOPBACK:-0}" = 1 ] && loopback_line="allow-loopback-peers"

external_line=""
[ -n "${TURN_EXTERNAL_IP:-}" ] && external_line="external-ip=$TURN_EXTERNAL_IP"

if [ -n "${TURN_TLS_PORT:-}" ] && [ -n "${TURN_TLS_CERT:-}" ] && [ -n "${TURN_TLS_KEY:-}" ]; then
  tls_lines="tls-listening-port=$TURN_TLS_PORT"$'\n'"cert=$TURN_TLS_CERT"$'\n'"pkey=$TURN_TLS_KEY"$'\n'"no-dtls"
else
  tls_lines="no-tls"$'\n'"no-dtls"
fi

conf="$run_dir/turnserver.conf"
umask 077
awk -v listen_ip="$listen_ip" -v relay_ip="$relay_ip" -v port="$port" -v min_port="$min_port" \
    -v max_port="$max_port" -v realm="$realm" -v run_dir="$run_dir" \
    -v user_quota="${TURN_USER_QUOTA:-12}" -v total_quota="${TURN_TOTAL_QUOTA:-2000}" \
    -v secrets="$secret_lines" -v allowed="$allowed_lines" -v loopback="$loopback_line" \
    -v external="$external_line" -v tls="$tls_lines" '
  { gsub("@LISTEN_IP@", listen_ip); gsub("@RELAY_IP@", relay_ip); gsub("@PORT@", port);
    gsub("@MIN_PORT@", min_port); gsub("@MAX_PORT@", max_port); gsub("@REALM@", realm);
    gsub("@RUN_DIR@", run_dir); gsub("@USER_QUOTA@", user_quota); gsub("@TOTAL_QUOTA@", total_quota);
    if ($0 == "@SECRET_LINES@") { printf "%s", secrets; next }
    if ($0 == "@ALLOWED_PEER_LINES@") { printf "%s", allowed; next }
    if ($0 == "@LOOPBACK_LINE@") { print loopback; next }
    if ($0 == "@EXTERNAL_IP_LINE@") { print external; next }
    if ($0 == "@TLS_LINES@") { print tls; next }
    print }' "$here/turnserver.conf.template" >"$conf"

if [ "${TURN_RENDER_ONLY:-0}" = 1 ]; then echo "$conf"; exit 0; fi
exec turnserver -c "$conf"
