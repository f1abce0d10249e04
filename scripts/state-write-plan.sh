#!/usr/bin/env bash
# What one seller order's state write costs PostgreSQL, on a table the planner has no statistics for (a young
# database) and again once analyzed: creates a scratch database, applies the migrations (all of them, or those
# numbered below --before N), files 20,000 seller rows, then times 2,000 writes (orleans_storage_write, each a
# different order: the update, its change-log entry and deadline row) inside PostgreSQL, so no client cost counts.
# Usage: scripts/state-write-plan.sh [--before N]
# Uses ORDERGRAINS_PG (a connection string to any database of the server; needs CREATE DATABASE) or starts a
# throwaway PostgreSQL on 127.0.0.1:56434. Prints µs per write, unanalyzed and analyzed, and the plan of the read.
set -euo pipefail
cd "$(dirname "$0")/.."
before=9999
if [ "${1:-}" = "--before" ]; then before="${2:?--before needs a migration number}"; fi
state="$(mktemp -d)"; chmod 755 "$state"; started_pg=""
pg="${ORDERGRAINS_PG:-}"
url() { echo "$1" | sed -E 's/Host=([^;]*);Port=([^;]*);Database=([^;]*);Username=([^;]*);Password=([^;]*).*/postgresql:\/\/\4:\5@\1:\2\/\3/'; }
db="og_write_plan_$$"
cleanup() {
  [ -n "$pg" ] && psql "$(url "$pg")" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  [ -n "$started_pg" ] && bash silo-config/postgres/pg-throwaway.sh stop "$state/pgdata" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
if [ -z "$pg" ]; then pg="$(bash silo-config/postgres/pg-throwaway.sh "$state/pgdata" 56434 2>"$state/pg.log" | tail -n 1)"; started_pg=1; fi
psql "$(url "$pg")" -qc "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0"
scratch="$(url "$pg" | sed -E "s#/[^/]*\$#/$db#")"
for migration in silo-config/postgres/migrations/*.sql; do
  number=$((10#$(basename "$migration" | cut -c1-4)))
  if [ "$number" -lt "$before" ]; then psql "$scratch" -q -v ON_ERROR_STOP=1 -f "$migration" >/dev/null; fi
done
echo "state-write-plan: migrations $(psql "$scratch" -Atc "SELECT string_agg(version::text, ',' ORDER BY version) FROM og_schema_migrations")"

# A seller order as the grains store it (invoiced, with its history), one per key.
cat > "$state/writes.sql" <<'SQL'
INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT i, 0, 0, 2, 'sellerOrder', 'SLR-p' || i || '-01', 'plan', convert_to(repeat('x', 1500), 'UTF8'), now(), 1
FROM generate_series(1, 20000) AS i;
CREATE FUNCTION pg_temp.time_writes(_label text, _Sequence integer) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    _Template text := '{"sellerOrderId":"SLR-pKEY-01","marketplaceOrderId":"pKEY-01","sellerId":"seller1","account":"acme","orderGroup":"pKEY","status":"invoiced","sequence":6,"items":[{"skuId":"sku","quantity":1,"price":1000}],"value":1000,"placedAt":"2026-11-30T00:16:27.2528324+00:00","authorizationDeadline":"2026-12-30T00:16:27.2528324+00:00","windowEndsAt":"2026-11-30T00:16:27.5161049+00:00","cancellationRequests":[],"invoices":[{"invoiceNumber":"F1","value":1000,"issuanceDate":"2026-11-30T00:16:27.7253916+00:00","items":[],"courier":null,"trackingNumber":null,"trackingUrl":null,"type":"Output","dispatchedDate":null}],"tracking":{},"canceledBy":null,"cancellationReason":null,"canceledAt":null,"lastChange":"2026-11-30T00:16:27.8156243+00:00","history":[{"at":"2026-11-30T00:16:27.2528324+00:00","actor":"marketplace","command":"place","outcome":"accepted","fromStatus":"none","toStatus":"order-accepted","code":null,"reason":"seller order placed; waits for the marketplace to authorize fulfilment"},{"at":"2026-11-30T00:16:27.5161049+00:00","actor":"marketplace","command":"authorize-fulfillment","outcome":"accepted","fromStatus":"order-accepted","toStatus":"window-to-cancel","code":null,"reason":"fulfilment authorized; cancellation window open"},{"at":"2026-11-30T00:16:27.5161049+00:00","actor":"system","command":"window-expired","outcome":"accepted","fromStatus":"window-to-cancel","toStatus":"ready-for-handling","code":null,"reason":"cancellation window passed"},{"at":"2026-11-30T00:16:27.6969808+00:00","actor":"seller","command":"start-handling","outcome":"accepted","fromStatus":"ready-for-handling","toStatus":"handling","code":null,"reason":"handling started"},{"at":"2026-11-30T00:16:27.741355+00:00","actor":"seller","command":"invoice","outcome":"accepted","fromStatus":"handling","toStatus":"invoiced","code":null,"reason":"invoice F1 completes the order total"}],"nextDeadline":null}';
    _Payloads bytea[];
    _Started timestamptz;
    _Version integer;
BEGIN
    FOR i IN 1..2000 LOOP
        _Payloads[i] := convert_to(replace(replace(_Template, 'pKEY', 'p' || i), '"sequence":6', '"sequence":' || _Sequence), 'UTF8');
    END LOOP;
    _Version := (SELECT Version FROM OrleansStorage WHERE ServiceId = 'plan' AND GrainIdHash = 1);
    _Started := clock_timestamp();
    FOR i IN 1..2000 LOOP
        PERFORM orleans_storage_write(i, 0, 0, 2, 'sellerOrder', 'SLR-p' || i || '-01', 'plan', _Version, _Payloads[i]);
    END LOOP;
    RAISE NOTICE '% µs per seller write, %', round(extract(epoch FROM clock_timestamp() - _Started) * 1e6 / 2000), _label;
END
$fn$;
SELECT pg_temp.time_writes('no statistics', 6);
ANALYZE OrleansStorage;
SELECT pg_temp.time_writes('analyzed', 7);
SQL
psql "$scratch" -q -v ON_ERROR_STOP=1 -f "$state/writes.sql" 2>&1 | sed -n 's/.*NOTICE:  /state-write-plan: /p'
psql "$scratch" -At -c "EXPLAIN SELECT PayloadBinary, Version FROM OrleansStorage WHERE GrainIdHash = 5 AND GrainTypeHash = 2
  AND ServiceId = 'plan' AND GrainTypeString = 'sellerOrder' AND GrainIdN0 = 0 AND GrainIdN1 = 0
  AND (GrainIdExtensionString IS NULL) = false AND COALESCE(GrainIdExtensionString, '') = 'SLR-p5-01'" | sed 's/^/state-write-plan: read plan: /' | head -2
