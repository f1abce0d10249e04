#!/usr/bin/env bash
# Throwaway local PostgreSQL for OrderGrains (dev/tests only: trust auth).
#
#   pg-throwaway.sh [DATA_DIR] [PORT]   create/start the cluster, create database
#                                       "ordergrains", apply migrations/*.sql, print the
#                                       Npgsql connection string as the LAST line
#   pg-throwaway.sh stop [DATA_DIR]     stop it (delete DATA_DIR yourself after)
#
# DATA_DIR defaults to $PWD/.pgdata, PORT to 55432. OG_PG_DURABLE=1 keeps fsync,
# synchronous_commit and full_page_writes on (benchmarks); otherwise they are off. Listens on 127.0.0.1 only;
# the unix socket lives in DATA_DIR.sock next to the data dir. Works as root
# (the server then runs as the "postgres" OS user). Re-running on a running
# cluster just re-applies the migrations (each is idempotent). Progress goes to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MIGRATIONS="$SCRIPT_DIR/migrations"
DB_NAME=ordergrains

log() { echo "pg-throwaway: $*" >&2; }
die() { log "error: $*"; exit 1; }

abs_path() {  # absolute path without requiring it to exist
    case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac
}

newest_bin_dir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$d" ] && [ -x "$d/initdb" ] && printf '%s\n' "$d"
}

find_bin_dir() {  # $1: data dir (prefer the major version it was created with)
    local ver
    if [ -f "$1/PG_VERSION" ]; then
        ver="$(cat "$1/PG_VERSION")"
        if [ -x "/usr/lib/postgresql/$ver/bin/pg_ctl" ]; then
            printf '%s\n' "/usr/lib/postgresql/$ver/bin"; return 0
        fi
    fi
    newest_bin_dir
}

ensure_installed() {
    newest_bin_dir >/dev/null && return 0
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin (install 'postgresql' as root)"
    log "installing PostgreSQL (apt-get install -y postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y postgresql >&2; then
        log "install failed; running apt-get update and retrying"
        apt-get update >&2
        apt-get install -y postgresql >&2
    fi
    newest_bin_dir >/dev/null || die "PostgreSQL installed but no /usr/lib/postgresql/*/bin/initdb found"
}

# Runs a server-side command as the cluster owner (postgres when we are root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        su -s /bin/bash postgres -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}

running_port() {  # port from postmaster.pid (4th line)
    sed -n '4p' "$1/postmaster.pid" 2>/dev/null | tr -d '[:space:]'
}

do_stop() {
    local dir bin
    dir="$(abs_path "${1:-$PWD/.pgdata}")"
    [ -f "$dir/PG_VERSION" ] || die "$dir is not a PostgreSQL data directory"
    bin="$(find_bin_dir "$dir")" || die "PostgreSQL binaries not found"
    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >&2
        log "stopped ($dir)"
    else
        log "not running ($dir)"
    fi
}

do_start() {
    local dir port parent sock bin psql_args pwfile owner_port
    dir="$(abs_path "${1:-$PWD/.pgdata}")"
    port="${2:-55432}"
    case "$port" in ''|*[!0-9]*) die "port must be a number: $port" ;; esac
    [ -f "$MIGRATIONS/0001_schema.sql" ] || die "migrations not found: $MIGRATIONS"
    parent="$(dirname "$dir")"
    sock="$dir.sock"

    ensure_installed
    bin="$(find_bin_dir "$dir")"

    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "OS user 'postgres' is missing (initdb refuses to run as root)"
    fi
    mkdir -p "$parent"

    if [ ! -f "$dir/PG_VERSION" ]; then
        if [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            die "$dir exists, is not empty and is not a PostgreSQL data directory"
        fi
        mkdir -p "$dir"
        chmod 700 "$dir"
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
        as_owner test -w "$dir" \
            || die "the postgres user cannot reach $dir (make its parent directories traversable, or pick another DATA_DIR)"
        log "initdb $dir ($("$bin/postgres" --version))"
        pwfile="$(mktemp)"
        echo postgres > "$pwfile"
        chmod 644 "$pwfile"
        as_owner "$bin/initdb" -D "$dir" -U postgres --pwfile="$pwfile" -A trust -E UTF8 --locale=C >&2 \
            || { rm -f "$pwfile"; die "initdb failed"; }
        rm -f "$pwfile"
        {
            echo "# added by pg-throwaway.sh"
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$sock'"
            if [ "${OG_PG_DURABLE:-}" = "1" ]; then
                # production durability (benchmarks): every commit is flushed
                echo "fsync = on"
                echo "synchronous_commit = on"
                echo "full_page_writes = on"
            else
                echo "fsync = off"                   # throwaway data: speed over durability
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
            fi
            echo "timezone = 'UTC'"
        } >> "$dir/postgresql.conf"
    fi

    mkdir -p "$sock"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$sock"; fi

    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        owner_port="$(running_port "$dir")"
        if [ -n "$owner_port" ] && [ "$owner_port" != "$port" ]; then
            log "already running on port $owner_port (not $port); using $owner_port"
            port="$owner_port"
        else
            log "already running on port $port"
        fi
    else
        log "starting on 127.0.0.1:$port"
        as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=300" start >&2 \
            || { tail -n 20 "$dir/server.log" >&2 || true; die "server did not start"; }
    fi

    psql_args=(-X -q -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1)
    if [ "$("$bin/psql" "${psql_args[@]}" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
        log "creating database $DB_NAME"
        "$bin/psql" "${psql_args[@]}" -d postgres -c "CREATE DATABASE $DB_NAME ENCODING 'UTF8' TEMPLATE template0" >&2
    fi
    for migration in "$MIGRATIONS"/[0-9][0-9][0-9][0-9]_*.sql; do
        log "applying $migration"
        "$bin/psql" "${psql_args[@]}" -v ON_ERROR_STOP=1 -d "$DB_NAME" -f "$migration" >/dev/null
    done

    echo "Host=127.0.0.1;Port=$port;Database=$DB_NAME;Username=postgres;Password=postgres"
}

case "${1:-}" in
    stop) shift; do_stop "$@" ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) do_start "$@" ;;
esac
