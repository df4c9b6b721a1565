#!/usr/bin/env bash
# Idempotent bootstrap for `make serve` (runtime) and `make test` (runtime + test tooling + services).
# Usage: scripts/bootstrap.sh [runtime|test]
# Safe to run again: each step checks before it acts, and pip work is skipped while pyproject.toml is unchanged.
set -euo pipefail
profile="${1:-runtime}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3}"
VENV="$root/.venv"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Install Debian packages that are missing; one apt-get update per run at most.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || { log "apt-get not found; please install: ${missing[*]}"; return 1; }
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 1. OS packages: the CJK font (rendering test images, the demo), and for tests Chromium and wrk
#    (the load client of bench/serving).
apt_install fonts-wqy-microhei
if [ "$profile" = test ]; then apt_install chromium wrk; fi

# 2. Virtual environment and Python packages (re-run pip only when pyproject.toml changes).
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
extras=""
[ "$profile" = test ] && extras="[dev,vlm,postgres,deploy]"
stamp="$VENV/.visdesk-$profile-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  log "installing visdesk$extras into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  if [ "$profile" = test ]; then
    # torch first, pinned: pip then takes the local CPU wheel rather than CUDA builds from the registry.
    "$VENV/bin/python" -m pip install -q "torch==2.13.0"
  fi
  "$VENV/bin/python" -m pip install -q -e ".$extras"
  touch "$stamp"
fi

# 3. Services for the test suite: real Redis and PostgreSQL on 127.0.0.1 (start them when stopped).
if [ "$profile" = test ]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    log "starting redis-server"
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    log "starting PostgreSQL"
    if command -v pg_ctlcluster >/dev/null; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
  fi
  for _ in $(seq 1 30); do
    if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
      break
    fi
    sleep 1
  done
fi
log "ready ($profile)"
