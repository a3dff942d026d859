#!/usr/bin/env bash
# Serves the web app, the background worker and the periodic-job scheduler together (each through
# scripts/process.sh, as in production); Ctrl-C stops all.
set -euo pipefail
host="${1:-127.0.0.1}"
port="${2:-8000}"
cd "$(dirname "$0")/.."
# Links in pages and emails (and the line below) use the address served, unless SITE_URL already names another.
export SITE_URL="${SITE_URL:-http://$host:$port}"

.venv/bin/python manage.py collectstatic --noinput --verbosity 0
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

BIND="$host:$port" scripts/process.sh web &
pids+=($!)
# The worker takes periodic jobs (queue "scheduled") before delivery and other work (queue "default").
scripts/process.sh worker &
pids+=($!)
scripts/process.sh scheduler &
pids+=($!)

cat <<MSG

  Respond to a cyber alert is running at $SITE_URL/
  Demo sign-ins (password and TOTP secrets): see the table printed above by seed_demo.
  Press Ctrl-C to stop the web server, the worker and the scheduler.

MSG
wait -n "${pids[@]}"
