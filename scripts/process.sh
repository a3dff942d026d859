#!/usr/bin/env bash
# One entry point per process role, used by `make run` (scripts/serve.sh), the load and fault tests and compose.yaml:
#
#   scripts/process.sh web        gunicorn (BIND, WEB_CONCURRENCY workers x WEB_THREADS threads)
#   scripts/process.sh worker     background tasks: RQ when REDIS_URL is set, else the database queue
#   scripts/process.sh scheduler  periodic jobs (django-crontask); a second one started waits as a standby
#   scripts/process.sh migrate    apply migrations and create the cache table, then exit (run once per release)
#
# Every setting comes from the environment (docs/configuration.md).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
role="${1:-}"

case "$role" in
  web)
    # Request metrics of all gunicorn workers are added up from files here (prometheus-client multiprocess mode).
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/respond-metrics.XXXXXX")}"
    exec "$python" -m gunicorn --config config/gunicorn.py config.wsgi
    ;;
  worker)
    exec "$python" manage.py worker
    ;;
  scheduler)
    exec "$python" manage.py scheduler
    ;;
  migrate)
    "$python" manage.py migrate --noinput
    exec "$python" manage.py createcachetable
    ;;
  *)
    echo "usage: scripts/process.sh web|worker|scheduler|migrate" >&2
    exit 2
    ;;
esac
