-- =============================================================================
-- Migration 4: the order index (List orders, order groups).
--   og_order_index: one row per order pair, written by the change-log readers
--   (ChangeLogPartitionGrain → PostgresOrderIndex) from the same batch they
--   deliver to the marketplace orders, before their cursor moves. A row is
--   replaced only by a higher sequence, so a redelivered batch changes nothing.
--   logged_at (the log entry's committed_at) and indexed_at give the index's lag.
-- Orders whose last change is older than this migration appear at their next
-- change (the index is not back-filled from the state rows).
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE TABLE IF NOT EXISTS og_order_index
(
    service_id           varchar(150) NOT NULL,
    seller_order_id      text         NOT NULL,
    marketplace_order_id text         NOT NULL,
    order_group          text         NOT NULL,
    account              text         NOT NULL,
    seller_id            text         NOT NULL,
    marketplace_status   text         NOT NULL,
    seller_status        text         NOT NULL,
    value                bigint       NOT NULL,
    total_items          integer      NOT NULL,
    creation_date        timestamptz  NOT NULL,
    last_change          timestamptz,
    has_input_invoice    boolean      NOT NULL,
    sequence             bigint       NOT NULL,
    logged_at            timestamptz  NOT NULL,
    indexed_at           timestamptz  NOT NULL,
    PRIMARY KEY (service_id, seller_order_id)
);
-- A marketplace lists its account's orders, a seller its own, newest first; order groups and ids are looked up.
CREATE INDEX IF NOT EXISTS ix_og_order_index_account ON og_order_index (service_id, account, creation_date DESC);
CREATE INDEX IF NOT EXISTS ix_og_order_index_seller ON og_order_index (service_id, seller_id, creation_date DESC);
CREATE INDEX IF NOT EXISTS ix_og_order_index_group ON og_order_index (service_id, order_group);
CREATE INDEX IF NOT EXISTS ix_og_order_index_marketplace ON og_order_index (service_id, marketplace_order_id);

INSERT INTO og_schema_migrations (version, name) VALUES (4, '0004_order_index') ON CONFLICT (version) DO NOTHING;
COMMIT;
