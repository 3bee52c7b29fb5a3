#!/usr/bin/env bash
# Idempotent setup for a fresh clone: Debian packages (as root), npm dependencies, and the local Redis
# server the conformance tests use. Safe to run before every demo or test run; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-torch python3-numpy python3-pytest libopenblas0-pthread redis-server chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

# onnxruntime-node's postinstall downloads CUDA libraries; outside the GPU image the CPU provider is enough.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.llmrec-install-stamp
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

if [[ ${LLMREC_NO_REDIS:-} != 1 ]] && command -v redis-server >/dev/null; then
  port=${LLMREC_TEST_REDIS_PORT:-6390}
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    echo "setup: starting redis-server on 127.0.0.1:$port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec \
      --dir "${TMPDIR:-/tmp}" --appendfilename "llmrec-test-$port.aof" --daemonize yes >/dev/null
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
fi
