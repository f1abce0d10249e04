-- =============================================================================
-- Migration 5: Feed v3 and hooks.
--   og_feed_config: one feed and one hook per AppKey (VTEX's FromWorkflow filter:
--     a status list), scoped to the key's orders (account or seller), with the
--     feed's visibility timeout and retention, the hook's URL, headers and secret.
--   og_feed_item: the queue of status changes of each feed and hook. Items are
--     written by the change-log readers in the SAME transaction as the order index
--     (PostgresOrderIndex.Apply): a change is queued once (unique event id per
--     config) and never lost. Only the oldest queued item of an order is visible:
--     a later one is queued with visible_at = 'infinity' (blocked) and unblocked
--     when the one before it is committed (PostgresOrderIndex: the enqueue locks
--     the order's queued items first, the commit deletes and then unblocks in a
--     second statement, both in id order), so per order they come in order and a
--     receive is a short scan of visible items. Receiving hides an item for the
--     visibility timeout under a new handle; committing the handle deletes it; an
--     uncommitted item comes back; retention drops it.
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE TABLE IF NOT EXISTS og_feed_config
(
    service_id           varchar(150) NOT NULL,
    app_key              text         NOT NULL,
    kind                 text         NOT NULL CHECK (kind IN ('feed', 'hook')),
    statuses             text[]       NOT NULL,
    account              text,
    seller_id            text,
    visibility_timeout_s integer      NOT NULL,
    retention_s          integer      NOT NULL,
    url                  text,
    headers              jsonb,
    secret               text,
    created_at           timestamptz  NOT NULL,
    PRIMARY KEY (service_id, app_key, kind)
);

CREATE TABLE IF NOT EXISTS og_feed_item
(
    id             bigserial    PRIMARY KEY,
    service_id     varchar(150) NOT NULL,
    app_key        text         NOT NULL,
    kind           text         NOT NULL,
    event_id       text         NOT NULL,
    order_id       text         NOT NULL,
    domain         text         NOT NULL,
    state          text         NOT NULL,
    last_state     text         NOT NULL,
    last_change    timestamptz,
    current_change timestamptz  NOT NULL,
    account        text         NOT NULL,
    visible_at     timestamptz  NOT NULL DEFAULT now(),
    handle         text,
    attempts       integer      NOT NULL DEFAULT 0,
    expires_at     timestamptz  NOT NULL,
    CONSTRAINT ux_og_feed_item_event UNIQUE (service_id, app_key, kind, event_id)
);
CREATE INDEX IF NOT EXISTS ix_og_feed_item_queue ON og_feed_item (service_id, app_key, kind, id);
CREATE INDEX IF NOT EXISTS ix_og_feed_item_order ON og_feed_item (service_id, app_key, kind, order_id, id);
CREATE INDEX IF NOT EXISTS ix_og_feed_item_by_order ON og_feed_item (service_id, order_id);

INSERT INTO og_schema_migrations (version, name) VALUES (5, '0005_feeds') ON CONFLICT (version) DO NOTHING;
COMMIT;
