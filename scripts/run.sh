#!/usr/bin/env bash
# Starts the whole hotline on embedded defaults under honcho (prefixed logs, clean stop on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
# dev_secret VAR FILE: export VAR, unless set, from a random development secret generated once per
# machine into var/FILE (kept out of the repository; production sets VAR itself).
dev_secret() {
  if [ -z "${!1:-}" ]; then
    [ -s "var/$2" ] || .venv/bin/python -c 'import secrets; print(secrets.token_hex(16))' > "var/$2"
    export "$1=$(cat "var/$2")"
  fi
}
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
dev_secret RASA_TOKEN dev-rasa-token
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
# Rasa's SQL tracker store (endpoints.yml): conversations survive a restart of the Rasa server.
export HOTLINE_TRACKER_DB="${HOTLINE_TRACKER_DB:-$PWD/var/rasa_tracker.sqlite3}"
export OPERATOR_CONSOLE_PORT="${OPERATOR_CONSOLE_PORT:-8320}"
export OPERATOR_CONSOLE_URL="${OPERATOR_CONSOLE_URL:-http://127.0.0.1:${OPERATOR_CONSOLE_PORT}}"
dev_secret OPERATOR_CONSOLE_SECRET dev-console-secret
export VOICE_PORT="${VOICE_PORT:-8330}"
export VOICE_GATEWAY_URL="${VOICE_GATEWAY_URL:-http://127.0.0.1:${VOICE_PORT}}"
export VOICE_RASA_URL="${VOICE_RASA_URL:-${RASA_URL}}"
dev_secret VOICE_CHANNEL_SECRET dev-voice-secret
export WEBCHAT_VOICE_URL="${WEBCHAT_VOICE_URL:-${VOICE_GATEWAY_URL}/}"
scripts/webchat-deps.sh --runtime
scripts/voice-deps.sh --runtime
cat <<MSG

  hotline12345 is starting (Ctrl-C stops everything):
    Open311 case service   ${CASE_SERVICE_URL}/services.json
    Citizen web chat       ${RASA_URL}/webhooks/webchat/
    rasa-webchat widget    ${RASA_URL}/webhooks/webchat/widget
    Voice (push-to-talk)   ${VOICE_GATEWAY_URL}/   (phone line: set VOICE_SIP_PORT, docs/voice.md)
    Operator console       ${OPERATOR_CONSOLE_URL}/   (first account: .venv/bin/python -m operator_console.cli create-user NAME --role supervisor)
    Rasa server (REST)     ${RASA_URL}/webhooks/rest/webhook
    Action server          ${ACTION_ENDPOINT_URL%/webhook}/health

MSG
exec .venv/bin/honcho start -f Procfile
