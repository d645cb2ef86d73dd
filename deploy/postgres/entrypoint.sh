#!/bin/sh
# First start: initdb with POSTGRES_USER / POSTGRES_PASSWORD, create POSTGRES_DB with the vector extension.
# Every start: exec postgres listening on 0.0.0.0:${PGPORT:-5432}. Runs as the non-root `postgres` user.
set -eu
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${PGDATA:=/var/lib/postgresql/data}"
export PGPORT="${PGPORT:-5432}"

if [ "$(id -u)" = 0 ]; then
  echo "refusing to run PostgreSQL as root" >&2
  exit 1
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD must be set on first start" >&2
    exit 1
  fi
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  printf "host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n" >> "$PGDATA/pg_hba.conf"
  # Set-up over the Unix socket only, so that nothing connects before it is done.
  pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses='' -k /var/run/postgresql" start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$POSTGRES_USER" -d postgres -q \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  psql -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -q \
    -c "CREATE EXTENSION IF NOT EXISTS vector"
  pg_ctl --pgdata="$PGDATA" --wait --silent -m fast stop
  echo "database $POSTGRES_DB initialised in $PGDATA"
fi

if [ "${1:-postgres}" = postgres ]; then
  [ "$#" -gt 0 ] && shift
  exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql -p "$PGPORT" "$@"
fi
exec "$@"
