#!/usr/bin/env bash
# Installs what run.sh and test.sh need on a fresh Debian machine with the .NET SDK.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(postgresql-15 redis-server coturn libsrtp2-1 libssl3 libopus0 chromium iproute2 curl openssl procps)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts services on install; ours run on private ports, so the system ones are not needed.
  for s in coturn redis-server postgresql; do $SUDO service "$s" stop >/dev/null 2>&1 || true; done
fi

# npm packages used by tests and load tools (SignalR client, libwebrtc for Node).
if [ -f tests/node/package.json ] && [ ! -d tests/node/node_modules ]; then
  echo "setup: npm install (tests/node)"
  (cd tests/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

if [ "${SETUP_SKIP_RESTORE:-}" != 1 ]; then
  dotnet restore Omegle.Media.sln --verbosity quiet >/dev/null
fi
