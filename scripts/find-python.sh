#!/usr/bin/env bash
# Prints a Python 3.10 interpreter: python3.10 on PATH, else the newest 3.10 under pyenv.
set -euo pipefail
if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  command -v python3.10; exit 0
fi
for candidate in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.* 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/bin/python" ]; then echo "$candidate/bin/python"; exit 0; fi
done
echo "Python 3.10 not found: install it (e.g. 'pyenv install 3.10') — Rasa 3.6 supports nothing newer." >&2
exit 1
