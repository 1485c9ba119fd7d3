#!/usr/bin/env bash
# `make run`: migrate, create the demo organization (first start), start the worker and the app.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-3000}"
export PORT
export VOICECONSOLE_BASE_URL="${VOICECONSOLE_BASE_URL:-http://localhost:$PORT}"

mkdir -p data
voiceconsole db upgrade

# The demo organization is connected to the built-in platform simulator through the real
# connectors, so its agents and calls arrive the way a customer's would (sync + webhooks).
SIMULATOR_PORT="${SIMULATOR_PORT:-8090}"
export VOICECONSOLE_ALLOW_PRIVATE_TARGETS="${VOICECONSOLE_ALLOW_PRIVATE_TARGETS:-1}"
export VOICECONSOLE_SIMULATOR_URL="${VOICECONSOLE_SIMULATOR_URL:-http://127.0.0.1:$SIMULATOR_PORT}"
voiceconsole simulator --port "$SIMULATOR_PORT" --calls 1500 --agents 5 > data/simulator.log 2>&1 &
simulator_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$VOICECONSOLE_SIMULATOR_URL/_sim/state" >/dev/null 2>&1 && break
  sleep 1
done

# Billing is off unless Stripe is configured. `STRIPE_DEMO=1 make run` turns it on against the local
# Stripe simulator (Checkout and the Customer Portal are its own pages; nothing leaves the machine).
stripe_pid=""
if [ "${STRIPE_DEMO:-0}" = "1" ] && [ -z "${STRIPE_SECRET_KEY:-}" ]; then
  STRIPE_PORT="${STRIPE_PORT:-12111}"
  export STRIPE_SECRET_KEY=sk_test_simulator STRIPE_WEBHOOK_SECRET=whsec_simulator
  export VOICECONSOLE_STRIPE_API_BASE="http://127.0.0.1:$STRIPE_PORT"
  voiceconsole stripe-simulator --port "$STRIPE_PORT" --webhook-secret "$STRIPE_WEBHOOK_SECRET" \
    --webhook-url "http://localhost:$PORT/api/billing/stripe/webhook" > data/stripe.log 2>&1 &
  stripe_pid=$!
  for _ in $(seq 1 60); do
    curl -fsS "$VOICECONSOLE_STRIPE_API_BASE/_sim/events" >/dev/null 2>&1 && break
    sleep 1
  done
  voiceconsole billing setup
fi

demo_out="$(voiceconsole demo)"
echo "$demo_out"
login_url="$(sed -n 's/^Login link[^:]*: //p' <<<"$demo_out")"

voiceconsole worker > data/worker.log 2>&1 &
worker_pid=$!
stop_all() {
  kill "$worker_pid" "$simulator_pid" $stripe_pid 2>/dev/null || true
  # The embedded Redis (only when REDIS_URL is unset) stops with the app.
  python -c "from voiceconsole.settings import get_settings as g; from voiceconsole.embedded_redis import stop_embedded_redis as stop; s = g(); s.redis_url_configured or stop(s.data_dir)" || true
}
trap stop_all EXIT INT TERM

# Tell the user where to go once the app answers (the first prod build takes a minute or two).
(
  for _ in $(seq 1 600); do
    if curl -fsS "http://localhost:$PORT/ping" >/dev/null 2>&1; then
      printf '\n================================================================\n'
      printf ' VoiceConsole is running at http://localhost:%s\n' "$PORT"
      printf ' Log in to the demo:  %s\n' "$login_url"
      printf ' API docs:            http://localhost:%s/api/docs\n' "$PORT"
      printf ' Worker log:          data/worker.log (the demo calls arrive by sync within a minute)\n'
      printf ' Platform simulator:  %s (data/simulator.log)\n' "$VOICECONSOLE_SIMULATOR_URL"
      printf ' Notifications inbox: %s/_sim/inbox/view (the demo'"'"'s webhook, Slack and Discord channels)\n' "$VOICECONSOLE_SIMULATOR_URL"
      printf '================================================================\n\n'
      exit 0
    fi
    sleep 1
  done
) &

exec_status=0
reflex run --env prod --frontend-port "$PORT" --backend-port "$PORT" || exec_status=$?
exit $exec_status
