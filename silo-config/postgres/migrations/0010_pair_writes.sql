-- =============================================================================
-- Migration 10: one transaction for both orders of a pair.
--   A marketplace command that the seller order decides (placement, payment,
--   cancels, withdrawals) commits the seller order's row and the marketplace
--   order's row together (GroupCommitStorage.WritePair). Each row is written by
--   orleans_storage_write as always; og_storage_write_strict raises instead of
--   returning a conflict, so that a stale version on either row rolls back both
--   (and the change-log entry, document and deadline that came with them).
--   SQLSTATE OG409 tells the silo it was a version conflict.
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE OR REPLACE FUNCTION og_storage_write_strict(
    _GrainIdHash integer, _GrainIdN0 bigint, _GrainIdN1 bigint, _GrainTypeHash integer,
    _GrainTypeString text, _GrainIdExtensionString text, _ServiceId text,
    _GrainStateVersion integer, _PayloadBinary bytea)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Stored integer;
BEGIN
    _Stored := orleans_storage_write(_GrainIdHash, _GrainIdN0, _GrainIdN1, _GrainTypeHash, _GrainTypeString,
                                     _GrainIdExtensionString, _ServiceId, _GrainStateVersion, _PayloadBinary);
    IF _Stored IS NULL OR _Stored = _GrainStateVersion THEN
        RAISE EXCEPTION 'version conflict writing % % (expected version %)',
            _GrainTypeString, COALESCE(_GrainIdExtensionString, _GrainIdN0 || ':' || _GrainIdN1), COALESCE(_GrainStateVersion::text, 'none')
            USING ERRCODE = 'OG409';
    END IF;
    RETURN _Stored;
END
$fn$;

INSERT INTO og_schema_migrations (version, name) VALUES (10, '0010_pair_writes') ON CONFLICT (version) DO NOTHING;
COMMIT;
