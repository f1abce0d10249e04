-- =============================================================================
-- Migration 3: deadlines without reminders.
--   og_deadline: one row per seller order that waits on time (order-accepted,
--   window-to-cancel, cancellation-requested), with when it is due. The seller
--   order's state write keeps it in step IN THE SAME TRANSACTION (og_log_append
--   below reads the state's "nextDeadline"): no reminder row to register or
--   delete, so a deadline costs no commit of its own. The change-log reader of
--   each partition sweeps the rows that are due (ChangeLogPartitionGrain) and
--   wakes their orders; while an order is active, its own grain timer fires first.
-- Orders that still have an Orleans "deadline" reminder from before this
-- migration keep it until it fires once; their next state write adds the row.
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE TABLE IF NOT EXISTS og_deadline
(
    service_id varchar(150) NOT NULL,
    order_id   text         NOT NULL,
    partition  integer      NOT NULL,
    due_at     timestamptz  NOT NULL,
    PRIMARY KEY (service_id, order_id)
);
CREATE INDEX IF NOT EXISTS ix_og_deadline_due ON og_deadline (service_id, partition, due_at);

CREATE OR REPLACE FUNCTION og_log_append(_ServiceId text, _GrainTypeString text, _PayloadBinary bytea)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    _State jsonb;
    _Due   timestamptz;
BEGIN
    IF _GrainTypeString <> 'sellerOrder' THEN
        RETURN;
    END IF;
    _State := orleans_try_jsonb(_PayloadBinary);
    IF _State IS NULL OR coalesce(_State->>'marketplaceOrderId', '') = '' THEN
        RETURN;
    END IF;
    INSERT INTO og_change_log (service_id, partition, stream_key, order_id, sequence, payload)
    VALUES (_ServiceId, og_log_partition(_State->>'marketplaceOrderId'), _State->>'marketplaceOrderId',
            _State->>'sellerOrderId', (_State->>'sequence')::bigint, _State - 'history')
    ON CONFLICT ON CONSTRAINT ux_og_change_log_order DO NOTHING;

    _Due := (_State->>'nextDeadline')::timestamptz;
    IF _Due IS NULL THEN
        DELETE FROM og_deadline WHERE service_id = _ServiceId AND order_id = _State->>'sellerOrderId';
    ELSE
        INSERT INTO og_deadline (service_id, order_id, partition, due_at)
        VALUES (_ServiceId, _State->>'sellerOrderId', og_log_partition(_State->>'marketplaceOrderId'), _Due)
        ON CONFLICT (service_id, order_id) DO UPDATE SET due_at = EXCLUDED.due_at
        WHERE og_deadline.due_at IS DISTINCT FROM EXCLUDED.due_at;
    END IF;
END
$fn$;

INSERT INTO og_schema_migrations (version, name) VALUES (3, '0003_deadlines') ON CONFLICT (version) DO NOTHING;
COMMIT;
