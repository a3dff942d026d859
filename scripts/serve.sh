#!/usr/bin/env bash
# Serves the web app (gunicorn), the background worker and the periodic-job scheduler together; Ctrl-C stops all.
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

# Threads, so that a long export download does not hold up other requests or trip the worker timeout.
.venv/bin/gunicorn config.wsgi --bind "$host:$port" --workers "${WEB_CONCURRENCY:-2}" --worker-class gthread \
  --threads 4 --access-logfile - &
pids+=($!)
# The worker takes periodic jobs (queue "scheduled") before delivery and other work (queue "default").
if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/python manage.py rqworker scheduled default --job-class django_tasks_rq.Job --with-scheduler &
else
  .venv/bin/python manage.py db_worker --queue-name scheduled,default &
fi
pids+=($!)
# Our heartbeat (respond.core.tasks) goes on the periodic jobs' queue; crontask's own would wait behind delivery.
.venv/bin/python manage.py crontask --no-heartbeat &
pids+=($!)

cat <<MSG

  Respond to a cyber alert is running at $SITE_URL/
  Demo sign-ins (password and TOTP secrets): see the table printed above by seed_demo.
  Press Ctrl-C to stop the web server, the worker and the scheduler.

MSG
wait -n "${pids[@]}"
