#!/usr/bin/env bash
# Starts the whole hotline on embedded defaults under honcho (prefixed logs, clean stop on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
export CASE_SERVICE_PORT="${CASE_SERVICE_PORT:-8311}"
export ACTION_SERVER_PORT="${ACTION_SERVER_PORT:-5055}"
export RASA_PORT="${RASA_PORT:-5005}"
if [ -z "${CASE_SERVICE_API_KEYS:-}" ]; then
  # A development key, generated once per machine and kept out of the repository.
  [ -s var/dev-api-key ] || .venv/bin/python -c 'import secrets; print("dev-" + secrets.token_hex(16))' > var/dev-api-key
  export CASE_SERVICE_API_KEYS="$(cat var/dev-api-key)"
  echo "NOTE: using the development case-service API key in var/dev-api-key (set CASE_SERVICE_API_KEYS for production)."
fi
export CASE_SERVICE_API_KEY="${CASE_SERVICE_API_KEY:-${CASE_SERVICE_API_KEYS%%,*}}"
export CASE_SERVICE_URL="${CASE_SERVICE_URL:-http://127.0.0.1:${CASE_SERVICE_PORT}/open311/v2}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_SERVER_PORT}/webhook}"
if [ -z "${RASA_TOKEN:-}" ]; then
  [ -s var/dev-rasa-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_hex(16))' > var/dev-rasa-token
  export RASA_TOKEN="$(cat var/dev-rasa-token)"
fi
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
cat <<MSG

  hotline12345 is starting (Ctrl-C stops everything):
    Open311 case service   ${CASE_SERVICE_URL}/services.json
    Rasa server (REST)     ${RASA_URL}/webhooks/rest/webhook
    Action server          ${ACTION_ENDPOINT_URL%/webhook}/health

MSG
exec .venv/bin/honcho start -f Procfile
