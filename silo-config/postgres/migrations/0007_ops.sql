-- =============================================================================
-- Migration 7: the ops console.
--   The attention list finds orders resting in a status longer than its service
--   level by status and last change (coalesce(last_change, creation_date) < now - SLA).
--   og_status_trend: status changes per domain, status and 10-minute bucket, added
--   by the index write (PostgresOrderIndex.Apply: the same transaction, at most once
--   a second per partition, never per transition); the board shows the last hour.
--   The retention service drops buckets older than a day.
--   og_order_alarm: orders that need a person (unreadable state, a mirror that disagrees with the log).
--   og_feed_config.disabled_at: a hook ops disabled (its notifications stay queued,
--   within retention, and go out once the hook is configured again).
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE TABLE IF NOT EXISTS og_status_trend
(
    service_id varchar(150) NOT NULL,
    bucket     timestamptz  NOT NULL,
    domain     text         NOT NULL,
    state      text         NOT NULL,
    changes    bigint       NOT NULL,
    PRIMARY KEY (service_id, bucket, domain, state)
);

-- Orders that need a person: a stored state that cannot be read (recorded by the silo's read guard), a mirror that
-- disagrees with what the change log delivers (recorded by the marketplace order); listed on the console.
CREATE TABLE IF NOT EXISTS og_order_alarm
(
    service_id varchar(150) NOT NULL,
    order_id   text         NOT NULL,
    kind       text         NOT NULL,
    subject    text         NOT NULL,
    detail     text         NOT NULL,
    seen_at    timestamptz  NOT NULL,
    PRIMARY KEY (service_id, order_id, kind)
);

ALTER TABLE og_feed_config ADD COLUMN IF NOT EXISTS disabled_at timestamptz NULL;

CREATE INDEX IF NOT EXISTS ix_og_order_index_waiting ON og_order_index (service_id, seller_status, (coalesce(last_change, creation_date)));

INSERT INTO og_schema_migrations (version, name) VALUES (7, '0007_ops') ON CONFLICT (version) DO NOTHING;
COMMIT;
