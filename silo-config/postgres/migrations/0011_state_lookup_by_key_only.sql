-- =============================================================================
-- Migration 11: a grain's state row is found by its key, and only by its key.
--   ix_orleansstorage_modified (ServiceId, GrainTypeString, ModifiedOn), added in
--   migration 2 for the idempotency purge, covered every row of OrleansStorage.
--   For the state read and orleans_storage_write's UPDATE it matched their
--   ServiceId and GrainTypeString conditions, so on a table whose statistics were
--   stale (a young database: nothing analyzed yet, or much grown since) the
--   planner could take it instead of UX_OrleansStorage_Grain — and then every read
--   or write of one order walked the index entries of every order of its kind.
--   The plan stays cached in the pooled connection until the next analyze.
--   Measured on PostgreSQL 15, 20,000 seller rows, not analyzed: 5,670 µs per
--   seller write with it, 202 µs without it (98–124 µs once analyzed, either way).
--   The purge needs only the idempotency rows by age: a partial index of those.
--   (It also keeps every order write from inserting into a second index.)
--   Building it scans OrleansStorage while state writes wait (this runs in a
--   transaction, so not CONCURRENTLY): on a large table, migrate in a quiet hour.
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE INDEX IF NOT EXISTS ix_orleansstorage_idempotency_age ON OrleansStorage (ServiceId, ModifiedOn)
    WHERE GrainTypeString = 'idempotency';
DROP INDEX IF EXISTS ix_orleansstorage_modified;

INSERT INTO og_schema_migrations (version, name) VALUES (11, '0011_state_lookup_by_key_only') ON CONFLICT (version) DO NOTHING;
COMMIT;
