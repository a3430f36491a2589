#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 server on 127.0.0.1 for the PostGIS tests (tests/test_postgis.py).
#
#   eval "$(bash .ci/postgis.sh)"   # install if missing, start (or reuse), export STDADDR_TEST_POSTGIS_URL
#   bash .ci/postgis.sh stop        # stop it
#
# Idempotent: the packages are installed only when PostGIS is missing, a running server in the same folder
# is reused. PostgreSQL refuses to run as root, so as root the server runs as the "postgres" system user
# (created when missing). It listens on a free port of 127.0.0.1 only, with a random password; its folder is
# $STDADDR_POSTGIS_DIR (default ${TMPDIR:-/tmp}/stdaddr-postgis). Only the export lines go to stdout.
set -euo pipefail

PG_VERSION=15
PGBIN=/usr/lib/postgresql/$PG_VERSION/bin
DIR=${STDADDR_POSTGIS_DIR:-${TMPDIR:-/tmp}/stdaddr-postgis}
DATA=$DIR/data
DB=stdaddr_test

say() { echo "postgis.sh: $*" >&2; }

as_owner() {
  # Run a command as the server's owner: "postgres" when we are root, else ourselves.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if [ -x "$PGBIN/initdb" ] && [ -f /usr/share/postgresql/$PG_VERSION/extension/postgis.control ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    say "PostgreSQL $PG_VERSION with PostGIS is not installed and installing it needs root (apt-get)"
    exit 3
  fi
  say "installing postgresql-$PG_VERSION-postgis-3"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "postgresql-$PG_VERSION-postgis-3" >&2 \
    || { apt-get update -qq >&2 && apt-get install -y -qq "postgresql-$PG_VERSION-postgis-3" >&2; }
}

owner() {
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() {
  [ -f "$DIR/port" ] && [ -f "$DIR/password" ] && as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    python3 -c 'import secrets; print(secrets.token_hex(16))' | as_owner tee "$DIR/password" >/dev/null
    say "initdb $DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --pwfile="$DIR/password" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  local port
  port=$(free_port)
  say "starting PostgreSQL on 127.0.0.1:$port"
  as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  echo "$port" | as_owner tee "$DIR/port" >/dev/null
  as_owner "$PGBIN/psql" -h "$DIR" -p "$port" -U postgres -d postgres -qtA \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || as_owner "$PGBIN/createdb" -h "$DIR" -p "$port" -U postgres "$DB"
  as_owner "$PGBIN/psql" -h "$DIR" -p "$port" -U postgres -d "$DB" -q -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
}

case "${1:-start}" in
  stop)
    if [ -f "$DATA/PG_VERSION" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    ;;
  start)
    install
    owner
    started=0
    if ! running; then
      start
      started=1
    fi
    echo "export STDADDR_TEST_POSTGIS_URL=postgresql://postgres:$(cat "$DIR/password")@127.0.0.1:$(cat "$DIR/port")/$DB"
    echo "export STDADDR_TEST_POSTGIS_STARTED=$started"
    ;;
  *)
    say "usage: $0 [start|stop]"
    exit 2
    ;;
esac
