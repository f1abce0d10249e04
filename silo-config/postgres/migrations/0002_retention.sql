-- =============================================================================
-- Migration 2: bounded purges, so no table grows without bound.
--   og_purge_change_log:   change-log entries older than the retention window
--                          AND read by every consumer of their partition;
--   og_purge_idempotency:  Idempotency-Key records not touched for longer than
--                          the key retention (Workflow:IdempotencyKeyRetention).
-- Each deletes at most _Batch rows and returns how many it deleted; the silo
-- calls them again until a call deletes fewer than _Batch (RetentionService).
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE INDEX IF NOT EXISTS ix_og_change_log_committed ON og_change_log (service_id, committed_at);
CREATE INDEX IF NOT EXISTS ix_orleansstorage_modified ON OrleansStorage (ServiceId, GrainTypeString, ModifiedOn);

CREATE OR REPLACE FUNCTION og_purge_change_log(_ServiceId text, _Retention interval, _Batch integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Deleted integer;
BEGIN
    WITH doomed AS (
        SELECT l.position
        FROM og_change_log l
        WHERE l.service_id = _ServiceId
          AND l.committed_at < now() - _Retention
          -- every consumer of the partition has read past it (and there is at least one consumer)
          AND EXISTS (SELECT 1 FROM og_log_cursor c WHERE c.service_id = l.service_id AND c.partition = l.partition)
          AND NOT EXISTS (SELECT 1 FROM og_log_cursor c
                          WHERE c.service_id = l.service_id AND c.partition = l.partition
                            AND (c.txid, c.position) < (l.txid, l.position))
        ORDER BY l.committed_at
        LIMIT _Batch
    )
    DELETE FROM og_change_log l USING doomed WHERE l.position = doomed.position;
    GET DIAGNOSTICS _Deleted = ROW_COUNT;
    RETURN _Deleted;
END
$fn$;

CREATE OR REPLACE FUNCTION og_purge_idempotency(_ServiceId text, _Retention interval, _Batch integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Deleted integer;
BEGIN
    WITH doomed AS (
        SELECT ctid FROM OrleansStorage
        WHERE ServiceId = _ServiceId AND GrainTypeString = 'idempotency' AND ModifiedOn < now() - _Retention
        LIMIT _Batch
    )
    DELETE FROM OrleansStorage s USING doomed WHERE s.ctid = doomed.ctid;
    GET DIAGNOSTICS _Deleted = ROW_COUNT;
    RETURN _Deleted;
END
$fn$;

INSERT INTO og_schema_migrations (version, name) VALUES (2, '0002_retention') ON CONFLICT (version) DO NOTHING;
COMMIT;
