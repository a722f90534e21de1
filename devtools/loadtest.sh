#!/usr/bin/env bash
# Load test: gunicorn with production settings on PostgreSQL and Redis, driven by wrk.
#
#   devtools/loadtest.sh                      # every scenario, page cache on, then off
#   WORKERS=4 DURATION=20s CONNECTIONS=16 devtools/loadtest.sh
#
# Migrates and loads the demo data into LOADTEST_DATABASE_URL (created if missing), starts
# gunicorn on 127.0.0.1:$PORT with $WORKERS sync workers, and runs wrk against: the home page,
# the catalogue, a resource page, the API's resource list (anonymous), and the same list with
# an API key (X-API-Key header; never served from the page cache). It does that twice: with the
# anonymous page cache on (production's default, so anonymous answers are mostly cache hits)
# and with every cache of answers off (ANONYMOUS_CACHE_SECONDS=0, QUERY_CACHE_SECONDS=0: what
# a miss costs). The API limits are raised so wrk's one address is never throttled; the
# throttles still count every call in Redis. Prints requests/s and p50/p99 latency.
# DATABASE_REPLICA_URLS, if set, is passed through (reads then go to those replicas).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=/work/main/.venv/bin/python
DB_URL=${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wt_replicas_load}
REDIS=${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/7}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20s}
VAR=${LOADTEST_VAR_DIR:-/tmp/portal-loadtest}
BASE=http://127.0.0.1:$PORT

if ! command -v wrk >/dev/null; then
  echo "Installing Debian's wrk (needs root or sudo)..."
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

mkdir -p "$VAR"
export DJANGO_SETTINGS_MODULE=portal.settings.production
export DATABASE_URL=$DB_URL REDIS_URL=$REDIS PORTAL_VAR_DIR=$VAR
export SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')}
export AUDIT_HMAC_KEY=${AUDIT_HMAC_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(40))')}
export ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL=https://data.example.org
export SECURE_SSL_REDIRECT=0 LOG_LEVEL=ERROR
export API_RATE_ANON=100000000/min API_RATE_KEY=100000000/min API_RATE_USER=100000000/min

db_name=${DB_URL##*/}
db_server=${DB_URL%/*}/postgres
if [ "$(psql "$db_server" -XAtqc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" != 1 ]; then
  psql "$db_server" -XAtqc "CREATE DATABASE \"$db_name\""
fi
echo "== preparing $DB_URL"
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py collectstatic --noinput --verbosity 0
# The demo data is loaded once.
if [ "$("$PY" manage.py shell -c 'from catalog.models import Resource; print(Resource.objects.exists())')" != True ]; then
  "$PY" manage.py load_demo
fi
info=$("$PY" manage.py shell -c '
from django.contrib.auth import get_user_model
from catalog.models import Resource
from grading.accounts.apikeys import api_key_create
from grading.models import APIKey
user = get_user_model().objects.filter(is_active=True).order_by("pk").first()
APIKey.objects.filter(user=user, name="loadtest").delete()
_key, text = api_key_create(user=user, name="loadtest")
from django.contrib.auth.models import AnonymousUser
from grading.policy.resources import viewable_q
resource = Resource.objects.filter(viewable_q(AnonymousUser())).order_by("pk").first()
print(f"/resources/{resource.pk}/", text)
' | tail -n 1)
read -r RESOURCE_URL API_KEY <<<"$info"

SCENARIOS=(
  "home /"
  "catalogue /resources/"
  "resource $RESOURCE_URL"
  "api-list /api/v1/resources/"
  "api-key /api/v1/resources/"
)

server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT

start_server() {
  redis-cli -u "$REDIS" FLUSHDB >/dev/null
  "$PY" -m gunicorn portal.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --worker-class sync --access-logfile /dev/null --error-logfile "$VAR/gunicorn.log" &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -fs -o /dev/null "$BASE/healthz" && return 0
    sleep 0.5
  done
  echo "gunicorn did not answer; see $VAR/gunicorn.log" >&2
  exit 1
}

run_scenarios() {
  echo "   load average $(cut -d" " -f1-3 /proc/loadavg)"
  printf '%-10s %-28s %-6s %10s %9s %9s %8s\n' scenario path cache "req/s" p50 p99 non-2xx
  for scenario in "${SCENARIOS[@]}"; do
    read -r name path <<<"$scenario"
    headers=()
    [ "$name" = api-key ] && headers=(-H "X-API-Key: $API_KEY")
    # One request first: the answer is checked, and the first miss is not in the figures.
    status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$BASE$path")
    [ "$status" = 200 ] || { echo "$name: $path answered $status" >&2; exit 1; }
    cached=$(curl -s -D - -o /dev/null "${headers[@]}" "$BASE$path" | tr -d '\r' |
      awk -F': ' 'tolower($1) == "x-cache" {print $2}')
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency "${headers[@]}" \
      "$BASE$path")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    errors=$(awk '/Socket errors/ {print $0}' <<<"$out")
    printf '%-10s %-28s %-6s %10s %9s %9s %8s\n' "$name" "$path" "${cached:--}" "$rps" "$p50" "$p99" \
      "${bad:-0}"
    [ -z "$errors" ] || echo "           $errors"
  done
}

echo "== $(date -u +%FT%TZ); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "== gunicorn: $WORKERS sync workers; wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout 10s"
echo "== page cache on (ANONYMOUS_CACHE_SECONDS=300, QUERY_CACHE_SECONDS=300)"
start_server
run_scenarios
stop_server

echo "== every answer cache off (ANONYMOUS_CACHE_SECONDS=0, QUERY_CACHE_SECONDS=0)"
export ANONYMOUS_CACHE_SECONDS=0 QUERY_CACHE_SECONDS=0
start_server
run_scenarios
stop_server
