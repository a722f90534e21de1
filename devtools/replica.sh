#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL primary, for the read-replica tests and for
# trying the database router by hand (docs/DEPLOY.md).
#
#   devtools/replica.sh start    # make it (pg_basebackup -R) if needed, start it, wait until it streams
#   devtools/replica.sh stop     # stop it (the data directory is kept)
#   devtools/replica.sh clean    # stop it and remove its data directory
#   devtools/replica.sh status   # say whether it runs and streams
#   devtools/replica.sh url      # print its REPLICA_DATABASE_URL
#
# Idempotent: "start" leaves a running, streaming replica alone (resuming WAL replay if a test
# that paused it was interrupted), and rebuilds a data directory left behind by an earlier run
# that no longer starts or streams. The primary is never restarted: if it refuses replication
# connections from 127.0.0.1, a "trust" line is added to its pg_hba.conf and the configuration
# reloaded. Runs as root (CI) by running PostgreSQL's programs as the postgres user.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-postgres}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/portal-replica-$REPLICA_PORT}
LOCK=${REPLICA_DIR}.lock

primary_sql() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -XAtqc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PRIMARY_USER" -d postgres -XAtqc "$1"; }

# The server programs of the primary's major version (pg_basebackup and the server must match).
major=$(($(primary_sql 'SHOW server_version_num') / 10000))
BIN=/usr/lib/postgresql/$major/bin
[ -x "$BIN/pg_ctl" ] || BIN=$(dirname "$(command -v pg_ctl || echo /usr/bin/pg_ctl)")

# PostgreSQL refuses to run as root: run its programs as the postgres user then.
if [ "$(id -u)" = 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

streaming() {
  [ "$(replica_sql 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] &&
    [ "$(replica_sql "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'" 2>/dev/null)" = 1 ]
}

allow_replication() {
  if psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER replication=true" \
    -XAtqc IDENTIFY_SYSTEM >/dev/null 2>&1; then
    return
  fi
  local hba
  hba=$(primary_sql 'SHOW hba_file')
  echo "Allowing replication connections from 127.0.0.1 in $hba (trust) and reloading"
  if ! grep -q '^host[[:space:]]\+replication[[:space:]]\+all[[:space:]]\+127.0.0.1/32' "$hba"; then
    printf '%s\n' '# Streaming replica for the read-replica tests (devtools/replica.sh)' \
      'host    replication     all             127.0.0.1/32            trust' >>"$hba"
  fi
  primary_sql 'SELECT pg_reload_conf()' >/dev/null
  sleep 1
}

stop() {
  if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

build() {
  echo "Making a streaming replica of $PRIMARY_HOST:$PRIMARY_PORT in $REPLICA_DIR"
  stop
  rm -rf "$REPLICA_DIR"
  mkdir -p "$REPLICA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$REPLICA_DIR"
  chmod 700 "$REPLICA_DIR"
  as_owner "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" \
    -D "$REPLICA_DIR" -X stream -R --checkpoint=fast
  # Debian keeps the configuration outside the data directory, so the copy has none: a
  # hot standby on its own port and socket directory, reachable over TCP from this host only.
  as_owner tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
max_connections = 100
shared_buffers = 32MB
logging_collector = off
EOF
  as_owner tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_owner touch "$REPLICA_DIR/pg_ident.conf"
}

run() {
  # The server must not inherit the lock (fd 9) or this script's output.
  as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 60 start \
    </dev/null >/dev/null 2>&1 9>&- || return 1
  for _ in $(seq 1 60); do
    streaming && return 0
    sleep 1
  done
  return 1
}

start() {
  if streaming; then
    # A test that paused WAL replay and was interrupted must not leave the replica behind.
    replica_sql 'SELECT pg_wal_replay_resume()' >/dev/null 2>&1 || true
    echo "Replica already streaming on 127.0.0.1:$REPLICA_PORT"
    return
  fi
  if pg_isready -h 127.0.0.1 -p "$REPLICA_PORT" -q && [ ! -f "$REPLICA_DIR/postmaster.pid" ]; then
    echo "error: something that is not this replica listens on 127.0.0.1:$REPLICA_PORT" >&2
    echo "       (choose another port: REPLICA_PORT=5434 $0 start)" >&2
    exit 1
  fi
  allow_replication
  # A data directory left by an earlier run: try it once, rebuild it if it does not stream
  # (the primary may have been re-created, or have recycled the WAL it needs).
  if [ -f "$REPLICA_DIR/standby.signal" ]; then
    stop
    if run; then
      echo "Replica streaming on 127.0.0.1:$REPLICA_PORT (existing data directory)"
      return
    fi
    echo "The replica in $REPLICA_DIR does not stream; rebuilding it"
  fi
  build
  if ! run; then
    echo "error: the replica did not start streaming; see $REPLICA_DIR/server.log" >&2
    tail -n 20 "$REPLICA_DIR/server.log" >&2 || true
    exit 1
  fi
  echo "Replica streaming on 127.0.0.1:$REPLICA_PORT"
}

cmd=${1:-start}
case "$cmd" in
  url)
    echo "postgres://$PRIMARY_USER@127.0.0.1:$REPLICA_PORT/postgres"
    exit 0
    ;;
esac

# Two CI runs (or a developer and CI) on one machine take turns.
exec 9>"$LOCK"
flock -w 300 9

case "$cmd" in
  start) start ;;
  stop) stop && echo "Replica stopped" ;;
  clean) stop && rm -rf "$REPLICA_DIR" && echo "Replica removed" ;;
  status)
    if streaming; then
      echo "streaming on 127.0.0.1:$REPLICA_PORT (data in $REPLICA_DIR)"
    else
      echo "not running or not streaming (data in $REPLICA_DIR)"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 start|stop|clean|status|url" >&2
    exit 2
    ;;
esac
