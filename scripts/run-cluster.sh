#!/usr/bin/env bash
# The compose.yaml topology without Docker: PostgreSQL, N silos and M gateways on this machine (loopback only).
#
#   scripts/run-cluster.sh [SILOS=2] [GATEWAYS=1]
#
# Silo i (1..N): HTTP 127.0.0.1:$((BASE_HTTP+i)), silo port 11110+i, gateway port 30000+i.
# Gateway j (1..M): HTTP 127.0.0.1:$((BASE_GATEWAY+j-1)) (8080, 8081, …).
# PostgreSQL: ORDERGRAINS_PG (a connection string) if set, else a throwaway server in .cluster/pgdata on port 55432.
# API keys: OG_MARKETPLACE_TOKEN, OG_SELLER1_TOKEN, OG_OPS_TOKEN (random ones are made and printed if unset).
# Other knobs: OG_CONFIGURATION (Release), OG_NO_BUILD=1, BASE_HTTP (5000), BASE_GATEWAY (8080), CLUSTER_ID.
# Logs: .cluster/logs/. Prints "cluster ready" once every process answers /health/ready; Ctrl-C (or SIGTERM) stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
silos="${1:-2}"
gateways="${2:-1}"
config="${OG_CONFIGURATION:-Release}"
base_http="${BASE_HTTP:-5000}"
base_gateway="${BASE_GATEWAY:-8080}"
cluster_id="${CLUSTER_ID:-ordergrains-local}"
state=".cluster"
mkdir -p "$state/logs"

token() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }
export OG_MARKETPLACE_TOKEN="${OG_MARKETPLACE_TOKEN:-mkt-$(token)}"
export OG_SELLER1_TOKEN="${OG_SELLER1_TOKEN:-sl1-$(token)}"
export OG_OPS_TOKEN="${OG_OPS_TOKEN:-ops-$(token)}"

if [ "${OG_NO_BUILD:-}" != "1" ]; then
  dotnet build -c "$config" src/OrderGrains.Silo/OrderGrains.Silo.csproj >&2
  dotnet build -c "$config" src/OrderGrains.Gateway/OrderGrains.Gateway.csproj >&2
fi

started_pg=""
if [ -z "${ORDERGRAINS_PG:-}" ]; then
  ORDERGRAINS_PG="$(bash silo-config/postgres/pg-throwaway.sh "$PWD/$state/pgdata" 55432 | tail -n 1)"
  started_pg=1
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$started_pg" ]; then bash silo-config/postgres/pg-throwaway.sh stop "$PWD/$state/pgdata" >/dev/null 2>&1 || true; fi
  echo "cluster stopped"
}
trap stop_all INT TERM EXIT

common=(
  "ASPNETCORE_ENVIRONMENT=Cluster"
  "ConnectionStrings__OrderGrains=$ORDERGRAINS_PG"
  "Silo__ClusterId=$cluster_id"
  "Auth__Keys__0__AppKey=marketplace" "Auth__Keys__0__AppToken=$OG_MARKETPLACE_TOKEN" "Auth__Keys__0__Role=marketplace" "Auth__Keys__0__Account=local"
  "Auth__Keys__1__AppKey=seller1" "Auth__Keys__1__AppToken=$OG_SELLER1_TOKEN" "Auth__Keys__1__Role=seller" "Auth__Keys__1__SellerId=seller1"
  "Auth__Keys__2__AppKey=ops" "Auth__Keys__2__AppToken=$OG_OPS_TOKEN" "Auth__Keys__2__Role=ops"
)
# The schema is migrated once, before any silo starts (a silo refuses a database that lacks a migration).
env "${common[@]}" dotnet "src/OrderGrains.Silo/bin/$config/net10.0/OrderGrains.Silo.dll" migrate >&2

urls=()
logs=()
for i in $(seq 1 "$silos"); do
  url="http://127.0.0.1:$((base_http + i))"
  # The Orleans Dashboard runs on silo 1 only (it polls every second: ~0.5 CPU-s a minute per silo that serves it).
  env "${common[@]}" "ASPNETCORE_URLS=$url" "Silo__SiloPort=$((11110 + i))" "Silo__GatewayPort=$((30000 + i))" "Silo__Dashboard=$([ "$i" -eq 1 ] && echo true || echo false)" \
    dotnet "src/OrderGrains.Silo/bin/$config/net10.0/OrderGrains.Silo.dll" >"$state/logs/silo$i.log" 2>&1 &
  pids+=($!)
  urls+=("$url")
  logs+=("$state/logs/silo$i.log")
  echo "silo $i: $url (silo port $((11110 + i)), gateway port $((30000 + i))), log $state/logs/silo$i.log"
  # The first silo founds the cluster; let it get there before the next joins.
  [ "$i" -eq 1 ] && { for _ in $(seq 1 300); do curl -fs --max-time 5 "$url/health/ready" >/dev/null 2>&1 && break; sleep 0.3; done; }
done
for j in $(seq 1 "$gateways"); do
  url="http://127.0.0.1:$((base_gateway + j - 1))"
  env "${common[@]}" "ASPNETCORE_URLS=$url" \
    dotnet "src/OrderGrains.Gateway/bin/$config/net10.0/OrderGrains.Gateway.dll" >"$state/logs/gateway$j.log" 2>&1 &
  pids+=($!)
  urls+=("$url")
  logs+=("$state/logs/gateway$j.log")
  echo "gateway $j: $url, log $state/logs/gateway$j.log"
done

for k in "${!urls[@]}"; do
  url="${urls[$k]}"
  for _ in $(seq 1 300); do
    curl -fs --max-time 5 "$url/health/ready" >/dev/null 2>&1 && break
    kill -0 "${pids[$k]}" 2>/dev/null || break # it exited: it will not become ready
    sleep 0.3
  done
  curl -fs --max-time 5 "$url/health/ready" >/dev/null || {
    echo "$url did not become ready; the end of ${logs[$k]}:" >&2
    tail -n 5 "${logs[$k]}" >&2
    exit 1
  }
done
echo "keys: marketplace/$OG_MARKETPLACE_TOKEN seller1/$OG_SELLER1_TOKEN ops/$OG_OPS_TOKEN"
echo "cluster ready"
wait -n "${pids[@]}" || true
echo "a process exited; stopping the cluster" >&2
