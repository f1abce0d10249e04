-- =============================================================================
-- Migration 8: the status trend counted per change-log partition.
--   og_status_trend had one row per (bucket, domain, status), shared by the eight
--   partition readers: each reader's index write (PostgresOrderIndex.Apply, which
--   also moves its cursor) waited for the others' transactions to commit before it
--   could add to the same rows, and under load they queued for seconds — with the
--   readers' deliveries to the marketplace orders behind them. Each reader now adds
--   to rows of its own (the partition is part of the key); the console sums them.
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

ALTER TABLE og_status_trend ADD COLUMN IF NOT EXISTS partition integer NOT NULL DEFAULT 0;

DO $$
BEGIN
    IF (SELECT i.indnatts FROM pg_index i WHERE i.indexrelid = 'og_status_trend_pkey'::regclass) <> 5 THEN
        ALTER TABLE og_status_trend DROP CONSTRAINT og_status_trend_pkey;
        ALTER TABLE og_status_trend ADD CONSTRAINT og_status_trend_pkey PRIMARY KEY (service_id, bucket, domain, state, partition);
    END IF;
END
$$;

INSERT INTO og_schema_migrations (version, name) VALUES (8, '0008_trend_per_partition') ON CONFLICT (version) DO NOTHING;
COMMIT;
