#!/usr/bin/env bash
# Installs what the voice gateway needs outside the venv, once (idempotent, quiet when current):
#   * espeak-ng (Debian): the Mandarin synthesizer (cmn-latn-pinyin voice);
#   * baresip (Debian, tests only): the SIP caller of the phone-line tests on loopback.
# Called by `make run` (`--runtime`) and `make test`.
set -euo pipefail
runtime_only=false
[ "${1:-}" = "--runtime" ] && runtime_only=true
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
$runtime_only || command -v baresip >/dev/null 2>&1 || need+=(baresip)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing Debian packages for the voice gateway: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq || true
    $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
