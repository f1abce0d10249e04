-- =============================================================================
-- Migration 7: the ops console's attention list.
--   Orders resting in a status longer than its service level are found by
--   status and last change (coalesce(last_change, creation_date) < now - SLA).
-- =============================================================================
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

CREATE INDEX IF NOT EXISTS ix_og_order_index_waiting ON og_order_index (service_id, seller_status, (coalesce(last_change, creation_date)));

INSERT INTO og_schema_migrations (version, name) VALUES (7, '0007_ops') ON CONFLICT (version) DO NOTHING;
COMMIT;
