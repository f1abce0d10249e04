#!/usr/bin/env bash
# What an idle silo costs: starts one silo (+ gateway) on the Postgres profile with no orders, waits until start-up
# work (the JIT's background compilation included) has settled, then measures the silo process's CPU and PostgreSQL's
# transactions over a window. Usage: scripts/idle-cost.sh [settle-seconds=300] [window-seconds=120]
# Uses ORDERGRAINS_PG (a connection string to a migrated database) or starts a throwaway PostgreSQL on 127.0.0.1:56433.
set -euo pipefail
cd "$(dirname "$0")/.."
settle="${1:-300}"; window="${2:-120}"
state="$(mktemp -d)"; chmod 755 "$state"; started_pg=""
cleanup() {
  if [ -n "${silo_pid:-}" ]; then
    # SIGTERM shuts the silo down gracefully (up to 30 s): wait for it, so a run right after this one finds its ports free.
    kill "$silo_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$silo_pid" 2>/dev/null || break; sleep 1; done
  fi
  [ -n "$started_pg" ] && bash silo-config/postgres/pg-throwaway.sh stop "$state/pgdata" >/dev/null 2>&1 || true
}
trap cleanup EXIT
dotnet build -c Release src/OrderGrains.Silo -v quiet -nologo >/dev/null
pg="${ORDERGRAINS_PG:-}"
if [ -z "$pg" ]; then pg="$(bash silo-config/postgres/pg-throwaway.sh "$state/pgdata" 56433 2>"$state/pg.log" | tail -n 1)"; started_pg=1; fi
sql() { psql "$(echo "$pg" | sed -E 's/Host=([^;]*);Port=([^;]*);Database=([^;]*);Username=([^;]*);Password=([^;]*).*/postgresql:\/\/\4:\5@\1:\2\/\3/')" -Atc "$1"; }
silo=src/OrderGrains.Silo/bin/Release/net10.0
ConnectionStrings__OrderGrains="$pg" dotnet "$silo/OrderGrains.Silo.dll" migrate >/dev/null
env ASPNETCORE_ENVIRONMENT=Postgres ConnectionStrings__OrderGrains="$pg" Silo__ClusterId="idle-$$" Silo__SiloPort=21999 Silo__GatewayPort=31999 \
  Auth__Keys__0__AppKey=idle Auth__Keys__0__AppToken=idle-token-0123456789 Auth__Keys__0__Role=marketplace Auth__Keys__0__Account=idle \
  dotnet "$silo/OrderGrains.Silo.dll" --urls http://127.0.0.1:5999 >"$state/silo.log" 2>&1 &
silo_pid=$!
echo "idle-cost: silo pid $silo_pid; settling ${settle}s, then measuring ${window}s"
sleep "$settle"
ticks() { awk '{print $14 + $15}' "/proc/$silo_pid/stat"; }
t0=$(ticks); x0=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"); w0=$(sql "SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
sleep "$window"
t1=$(ticks); w1=$(sql "SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
sleep 11 # PostgreSQL flushes its statistics lazily (up to 10 s)
x1=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
hz=$(getconf CLK_TCK)
awk -v t="$((t1 - t0))" -v hz="$hz" -v w="$window" -v x="$((x1 - x0))" -v c="$((w1 - w0))" 'BEGIN {
  printf "idle silo: %.2f CPU-seconds a minute; PostgreSQL %.2f transactions a second (%.3f write commits a second)\n", t / hz * 60 / w, x / (w + 11), c / w }'
