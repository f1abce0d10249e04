-- =============================================================================
-- Migration 6: order documents.
--   og_order_document: what the checkout knew when a marketplace order was placed
--     (customer, address, shipping per item, payment summary, totals, marketing
--     data), one row per marketplace order, never changed. It is not part of the
--     workflow state, so transitions never rewrite it: the placing write of the
--     marketplace order carries it once as the state's "document" member, and
--     orleans_storage_write below files it here and stores the state row without
--     it, IN THE SAME TRANSACTION (no commit of its own; an order is never without
--     its document, a document never without its order). Get order reads it by key.
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE TABLE IF NOT EXISTS og_order_document
(
    service_id varchar(150) NOT NULL,
    order_id   text         NOT NULL,
    document   jsonb        NOT NULL,
    placed_at  timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, order_id)
);

-- Files a marketplace state's "document" member and returns the payload without it (the payload as it is otherwise).
CREATE OR REPLACE FUNCTION og_file_document(_ServiceId text, _GrainTypeString text, _PayloadBinary bytea)
RETURNS bytea
LANGUAGE plpgsql AS $fn$
DECLARE
    _State jsonb;
BEGIN
    IF _GrainTypeString <> 'marketplaceOrder' OR position('"document"'::bytea IN _PayloadBinary) = 0 THEN
        RETURN _PayloadBinary;
    END IF;
    _State := orleans_try_jsonb(_PayloadBinary);
    IF _State IS NULL OR NOT _State ? 'document' THEN
        RETURN _PayloadBinary;
    END IF;
    INSERT INTO og_order_document (service_id, order_id, document)
    VALUES (_ServiceId, _State->>'marketplaceOrderId', _State->'document')
    ON CONFLICT (service_id, order_id) DO NOTHING;
    RETURN convert_to((_State - 'document')::text, 'UTF8');
END
$fn$;

CREATE OR REPLACE FUNCTION orleans_storage_write(
    _GrainIdHash integer, _GrainIdN0 bigint, _GrainIdN1 bigint, _GrainTypeHash integer,
    _GrainTypeString text, _GrainIdExtensionString text, _ServiceId text,
    _GrainStateVersion integer, _PayloadBinary bytea)
RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
    _PayloadBinary := og_file_document(_ServiceId, _GrainTypeString, _PayloadBinary);
    IF _GrainStateVersion IS NOT NULL THEN
        UPDATE OrleansStorage AS s
        SET PayloadBinary = _PayloadBinary,
            ModifiedOn    = now(),
            Version       = s.Version + 1
        WHERE s.GrainIdHash = _GrainIdHash
          AND s.GrainTypeHash = _GrainTypeHash
          AND s.ServiceId = _ServiceId
          AND s.GrainTypeString = _GrainTypeString
          AND s.GrainIdN0 = _GrainIdN0
          AND s.GrainIdN1 = _GrainIdN1
          AND (s.GrainIdExtensionString IS NULL) = (_GrainIdExtensionString IS NULL)
          AND COALESCE(s.GrainIdExtensionString, '') = COALESCE(_GrainIdExtensionString, '')
          AND s.Version = _GrainStateVersion;
        IF FOUND THEN
            PERFORM og_log_append(_ServiceId, _GrainTypeString, _PayloadBinary);
            RETURN _GrainStateVersion + 1;
        END IF;
        -- Unchanged version => the provider throws InconsistentStateException (and the transaction's document insert
        -- is harmless: the same order's document, kept once).
        RETURN _GrainStateVersion;
    END IF;

    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
         GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    VALUES
        (_GrainIdHash, _GrainIdN0, _GrainIdN1, _GrainTypeHash, _GrainTypeString,
         _GrainIdExtensionString, _ServiceId, _PayloadBinary, now(), 1)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM og_log_append(_ServiceId, _GrainTypeString, _PayloadBinary);
        RETURN 1;
    END IF;
    RETURN NULL;
END
$fn$;

INSERT INTO og_schema_migrations (version, name) VALUES (6, '0006_order_documents') ON CONFLICT (version) DO NOTHING;
COMMIT;
