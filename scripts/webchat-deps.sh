#!/usr/bin/env bash
# Installs what the web chat needs outside the Python venv, once (idempotent, quiet when current):
#   * Debian chromium + CJK fonts, for the Playwright browser tests (Playwright never downloads a browser);
#   * the pinned npm packages of connectors/webchat/package.json (socket.io-client for our page, rasa-webchat
#     for the widget page) into connectors/webchat/node_modules, which is gitignored.
# Called by `make test` and `make run` (`--runtime`: only what serving the pages needs, no browser).
# Safe to run again at any time.
set -euo pipefail
runtime_only=false
[ "${1:-}" = "--runtime" ] && runtime_only=true
cd "$(dirname "$0")/.."
WEBCHAT=connectors/webchat

# --- Debian packages (only what is missing) --------------------------------------------------------
need=()
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if ! $runtime_only; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' || need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing Debian packages for the web chat tests: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq || true
    $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null \
      || echo "WARNING: could not install ${need[*]}; the web chat browser tests will say skipped" >&2
  fi
fi

# --- npm packages (only when node_modules is missing or older than the lock) ------------------------
stamp="$WEBCHAT/node_modules/.installed-lock"
if ! command -v npm >/dev/null 2>&1; then
  echo "WARNING: npm not found; the web chat pages cannot serve socket.io-client / rasa-webchat" >&2
  exit 0
fi
if [ ! -f "$stamp" ] || ! cmp -s "$WEBCHAT/package-lock.json" "$stamp"; then
  echo "==> installing the web chat's npm packages (connectors/webchat/package-lock.json)"
  (cd "$WEBCHAT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$WEBCHAT/package-lock.json" "$stamp"
fi
