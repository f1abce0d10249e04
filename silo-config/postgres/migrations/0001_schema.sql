-- =============================================================================
-- OrderGrains: PostgreSQL schema for the Orleans 10.x ADO.NET providers
-- (ADO.NET invariant "Npgsql").
--
--   * clustering / membership   (Microsoft.Orleans.Clustering.AdoNet 10.4.2)
--   * grain persistence         (Microsoft.Orleans.Persistence.AdoNet 10.4.2)
--   * reminders                 (Microsoft.Orleans.Reminders.AdoNet 10.4.2)
--   * streaming queues          (Microsoft.Orleans.Streaming.AdoNet 10.4.2-alpha.1)
--
-- The providers issue no SQL of their own: at start-up each one loads the
-- rows of OrleansQuery(QueryKey, QueryText) and runs those texts with named
-- parameters (@GrainIdHash, @DeploymentId, ...). They read result columns BY
-- NAME (case-insensitively), so the names/types of parameters and result
-- columns below are the contract; table layouts and routines are ours.
--
-- Idempotent: safe to run again and again (IF NOT EXISTS / OR REPLACE /
-- INSERT ... ON CONFLICT (QueryKey) DO UPDATE). Runs in one transaction.
-- Migration 1 of silo-config/postgres/migrations (the silo's `migrate` command
-- applies them in order, once per deploy):
--   dotnet run --project src/OrderGrains.Silo -- migrate
--   psql -v ON_ERROR_STOP=1 -d ordergrains -f 0001_schema.sql   (also fine)
-- Needs PostgreSQL 12+ and a UTF8 database (for the JSON view of grain state).
-- Objects go to the current schema (normally "public").
-- =============================================================================

BEGIN;
SET LOCAL client_min_messages = warning;  -- no "already exists, skipping" noise

-- Serialize concurrent runs of this script (e.g. two silos bootstrapping).
SELECT pg_advisory_xact_lock(hashtext('ordergrains.orleans.schema'));

-- -----------------------------------------------------------------------------
-- Query catalog read by every provider.
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

-- =============================================================================
-- 1. CLUSTERING (membership)
-- Status values are Orleans' SiloStatus: 3 = Active, 6 = Dead.
-- The table version (OrleansMembershipVersionTable.Version) is the optimistic
-- concurrency token ("etag") of the whole membership table.
-- =============================================================================
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     text           NOT NULL,
    HostName     text           NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Inserts a silo row if the caller's table version is still current; bumps the
-- version on success. Returns 1 (success) or 0 (stale version / row exists).
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    _DeploymentId text, _Address text, _Port integer, _Generation integer,
    _SiloName text, _HostName text, _Status integer, _ProxyPort integer,
    _StartTime timestamptz, _IAmAliveTime timestamptz, _Version integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Current integer;
BEGIN
    -- Lock the version row: membership writers of one deployment go one by one.
    SELECT v.Version INTO _Current
    FROM OrleansMembershipVersionTable AS v
    WHERE v.DeploymentId = _DeploymentId
    FOR UPDATE;

    IF _Current IS NULL OR _Version IS NULL OR _Current <> _Version OR _Current = 2147483647 THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (_DeploymentId, _Address, _Port, _Generation, _SiloName, _HostName, _Status, _ProxyPort, _StartTime, _IAmAliveTime)
    ON CONFLICT ON CONSTRAINT PK_OrleansMembershipTable DO NOTHING;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = _DeploymentId;

    RETURN 1;
END
$fn$;

-- Updates a silo row if the caller's table version is still current; bumps the
-- version on success. IAmAliveTime never moves backwards. Returns 1 or 0.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    _DeploymentId text, _Address text, _Port integer, _Generation integer,
    _Status integer, _SuspectTimes text, _IAmAliveTime timestamptz, _Version integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Current integer;
BEGIN
    SELECT v.Version INTO _Current
    FROM OrleansMembershipVersionTable AS v
    WHERE v.DeploymentId = _DeploymentId
    FOR UPDATE;

    IF _Current IS NULL OR _Version IS NULL OR _Current <> _Version OR _Current = 2147483647 THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable AS m
    SET Status       = _Status,
        SuspectTimes = _SuspectTimes,
        IAmAliveTime = GREATEST(m.IAmAliveTime, _IAmAliveTime)
    WHERE m.DeploymentId = _DeploymentId
      AND m.Address = _Address
      AND m.Port = _Port
      AND m.Generation = _Generation;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = _DeploymentId;

    RETURN 1;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    SELECT @DeploymentId WHERE @DeploymentId IS NOT NULL
    ON CONFLICT ON CONSTRAINT PK_OrleansMembershipVersionTable DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer AS RowsInserted FROM inserted;
$q$),
('InsertMembershipKey', $q$
SELECT orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS Succeeded;
$q$),
('UpdateMembershipKey', $q$
SELECT orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation,
    @Status, @SuspectTimes, @IAmAliveTime, @Version) AS Succeeded;
$q$),
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId
  AND Address = @Address
  AND Port = @Port
  AND Generation = @Generation;
$q$),
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName,
       m.Status, m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address
      AND m.Port = @Port
      AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),
('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName,
       m.Status, m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = @Status
  AND ProxyPort > 0;
$q$),
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),
-- Bulk cleanup of Dead silos (used when CleanupDefunctSiloEntryKey is absent).
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND IAmAliveTime < @IAmAliveTime
  AND StartTime < @IAmAliveTime;
$q$),
-- Optional in 10.4.x: per-row cleanup. The provider reads all rows, decides in
-- .NET which Dead rows are old enough, and deletes each one only if it still
-- holds the values it read.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Address = @Address
  AND Port = @Port
  AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime
  AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- =============================================================================
-- 2. GRAIN PERSISTENCE
-- The provider sends the serialized state as @PayloadBinary (bytea). With a
-- JSON grain-storage serializer those bytes are UTF-8 JSON; the view
-- orleans_grain_state_json reads them as jsonb for psql (orleans_try_jsonb: NULL
-- when the payload is empty/cleared or not JSON). No stored copy: see 0009.
--
-- GrainTypeString is what Orleans passes as "grainType" to IGrainStorage, i.e.
-- the STATE NAME (for MarketplaceOrderGrain: 'marketplaceOrder'), not the grain
-- class. The grain key is stored as: string key -> GrainIdExtensionString
-- (N0 = N1 = 0); integer key -> N1 (+ extension); Guid key -> N0/N1 (+ ext).
-- Version is the etag; NULL-version writes insert, others compare-and-swap.
-- =============================================================================
CREATE OR REPLACE FUNCTION orleans_try_jsonb(_Payload bytea)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
    IF _Payload IS NULL OR length(_Payload) = 0 THEN
        RETURN NULL;
    END IF;
    IF substring(_Payload FROM 1 FOR 3) = '\xefbbbf'::bytea THEN  -- UTF-8 BOM
        _Payload := substring(_Payload FROM 4);
    END IF;
    RETURN convert_from(_Payload, 'UTF8')::jsonb;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;  -- binary (non-JSON) payloads simply have no JSON view
END
$fn$;

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NULL
);

-- One row per grain state; also the lookup index (hash columns first).
-- "(ext IS NULL), COALESCE(ext, '')" makes NULL and '' distinct yet indexable.
CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain ON OrleansStorage
    (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString, GrainIdN0, GrainIdN1,
     (GrainIdExtensionString IS NULL), COALESCE(GrainIdExtensionString, ''));

-- -----------------------------------------------------------------------------
-- THE CHANGE LOG: every committed transition of every seller order, appended by
-- orleans_storage_write in the SAME transaction as the order's state row, so a
-- committed state always has its entry and an entry always has its state.
--   * stream_key  = the marketplace order id (consumers address it), order_id =
--     the seller order id, sequence = the seller order's own sequence number:
--     (order_id, sequence) is unique, so consumers detect gaps and duplicates;
--   * payload     = the seller order's state without its history (a snapshot:
--     any single entry is enough to catch up);
--   * partition   = og_log_partition(stream_key): one reader per partition;
--   * txid        = the writing transaction: readers take only entries below
--     pg_snapshot_xmin(pg_current_snapshot()) in (txid, position) order, so an
--     entry whose transaction commits late is never skipped by a cursor.
-- Rejected commands rewrite the state with the same sequence: no new entry.
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS og_change_log
(
    position     bigserial    PRIMARY KEY,
    txid         xid8         NOT NULL DEFAULT pg_current_xact_id(),
    service_id   varchar(150) NOT NULL,
    partition    integer      NOT NULL,
    stream_key   text         NOT NULL,
    order_id     text         NOT NULL,
    sequence     bigint       NOT NULL,
    payload      jsonb        NOT NULL,
    committed_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT ux_og_change_log_order UNIQUE (service_id, order_id, sequence)
);
CREATE INDEX IF NOT EXISTS ix_og_change_log_read ON og_change_log (service_id, partition, txid, position);

-- Where each consumer is, per partition: one row, moved once per delivered batch.
CREATE TABLE IF NOT EXISTS og_log_cursor
(
    service_id varchar(150) NOT NULL,
    consumer   text         NOT NULL,
    partition  integer      NOT NULL,
    txid       xid8         NOT NULL,
    position   bigint       NOT NULL,
    updated_at timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, consumer, partition)
);

-- The partition of a stream key: the first 31 bits of its MD5, modulo 8. The silo
-- computes the same (ChangeLogPartitions in OrderGrains.Grains) to wake a reader.
CREATE OR REPLACE FUNCTION og_log_partition(_StreamKey text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT ((('x' || substr(md5(_StreamKey), 1, 8))::bit(32)::bigint) & 2147483647)::integer % 8;
$fn$;

CREATE OR REPLACE FUNCTION og_log_append(_ServiceId text, _GrainTypeString text, _PayloadBinary bytea)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    _State jsonb;
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
END
$fn$;

CREATE OR REPLACE FUNCTION orleans_storage_write(
    _GrainIdHash integer, _GrainIdN0 bigint, _GrainIdN1 bigint, _GrainTypeHash integer,
    _GrainTypeString text, _GrainIdExtensionString text, _ServiceId text,
    _GrainStateVersion integer, _PayloadBinary bytea)
RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
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
        -- Unchanged version => the provider throws InconsistentStateException.
        RETURN _GrainStateVersion;
    END IF;

    -- First write of this grain state (the grain read no row before).
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
    -- Someone else created it meanwhile => NULL => InconsistentStateException.
    RETURN NULL;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $q$
SELECT orleans_storage_write(
    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
    @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;
$q$),
('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND (GrainIdExtensionString IS NULL) = (@GrainIdExtensionString IS NULL)
  AND COALESCE(GrainIdExtensionString, '') = COALESCE(@GrainIdExtensionString, '');
$q$),
('ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND (GrainIdExtensionString IS NULL) = (@GrainIdExtensionString IS NULL)
  AND COALESCE(GrainIdExtensionString, '') = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),
-- Used instead of ClearStorageKey when DeleteStateOnClear = true.
('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND (GrainIdExtensionString IS NULL) = (@GrainIdExtensionString IS NULL)
  AND COALESCE(GrainIdExtensionString, '') = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Human-friendly view of grain states (for psql / ops; not used by Orleans).
CREATE OR REPLACE VIEW orleans_grain_state_json AS
SELECT
    s.ServiceId       AS service_id,
    s.GrainTypeString AS state_name,
    CASE
        WHEN s.GrainIdN0 = 0 AND s.GrainIdN1 = 0 AND s.GrainIdExtensionString IS NOT NULL
            THEN s.GrainIdExtensionString::text
        ELSE s.GrainIdN0::text || ':' || s.GrainIdN1::text
             || COALESCE('#' || s.GrainIdExtensionString, '')
    END               AS grain_key,
    s.Version         AS version,
    s.ModifiedOn      AS modified_on,
    orleans_try_jsonb(s.PayloadBinary) AS state
FROM OrleansStorage AS s;

-- =============================================================================
-- 3. REMINDERS
-- GrainHash is the grain's uniform hash as a signed int; range reads use it.
-- =============================================================================
CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      text           NOT NULL,
    ReminderName text           NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,  -- milliseconds
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r
    (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES
    (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT ON CONSTRAINT PK_OrleansRemindersTable DO UPDATE
SET StartTime = EXCLUDED.StartTime,
    Period    = EXCLUDED.Period,
    GrainHash = EXCLUDED.GrainHash,
    Version   = r.Version + 1
RETURNING r.Version AS Version;
$q$),
('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainId = @GrainId;
$q$),
('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainId = @GrainId
  AND ReminderName = @ReminderName;
$q$),
-- Ring range that does not wrap: (BeginHash, EndHash]
('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainHash > @BeginHash
  AND GrainHash <= @EndHash;
$q$),
-- Ring range that wraps around: (BeginHash, max] + [min, EndHash]
('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainId = @GrainId
      AND ReminderName = @ReminderName
      AND Version = @Version
    RETURNING 1
)
SELECT count(*)::integer AS RowsDeleted FROM deleted;
$q$),
('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- =============================================================================
-- 4. STREAMING (Microsoft.Orleans.Streaming.AdoNet)
-- A message is "dequeued" by bumping Dequeued and hiding it until VisibleOn;
-- the receiver confirms with receipts "MessageId:Dequeued|..." (deletes) or
-- releases with negative receipts "MessageId:-Dequeued" (visible again now).
-- Messages dequeued MaxAttempts times or past ExpiresOn move to dead letters,
-- which are deleted after RemoveOn. Timeouts arrive in whole seconds.
-- =============================================================================
CREATE SEQUENCE IF NOT EXISTS OrleansStreamMessageSequence AS bigint;

CREATE TABLE IF NOT EXISTS OrleansStreamMessage
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    MessageId  bigint       NOT NULL DEFAULT nextval('OrleansStreamMessageSequence'),
    Dequeued   integer      NOT NULL DEFAULT 0,
    VisibleOn  timestamptz  NOT NULL,
    ExpiresOn  timestamptz  NOT NULL,
    CreatedOn  timestamptz  NOT NULL,
    ModifiedOn timestamptz  NOT NULL,
    Payload    bytea        NOT NULL,
    CONSTRAINT PK_OrleansStreamMessage PRIMARY KEY (ServiceId, ProviderId, QueueId, MessageId)
);

CREATE TABLE IF NOT EXISTS OrleansStreamDeadLetter
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    MessageId  bigint       NOT NULL,
    Dequeued   integer      NOT NULL,
    VisibleOn  timestamptz  NOT NULL,
    ExpiresOn  timestamptz  NOT NULL,
    CreatedOn  timestamptz  NOT NULL,
    ModifiedOn timestamptz  NOT NULL,
    DeadOn     timestamptz  NOT NULL,
    RemoveOn   timestamptz  NOT NULL,
    Payload    bytea        NULL,
    CONSTRAINT PK_OrleansStreamDeadLetter PRIMARY KEY (ServiceId, ProviderId, QueueId, MessageId)
);

-- Per-queue schedule of the opportunistic eviction done while dequeuing.
CREATE TABLE IF NOT EXISTS OrleansStreamControl
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    EvictOn    timestamptz  NOT NULL,
    CONSTRAINT PK_OrleansStreamControl PRIMARY KEY (ServiceId, ProviderId, QueueId)
);

-- Moves up to _BatchSize exhausted/expired messages (no longer in flight) to
-- the dead letters. Returns the number moved.
CREATE OR REPLACE FUNCTION orleans_stream_evict_messages(
    _ServiceId text, _ProviderId text, _QueueId text,
    _BatchSize integer, _MaxAttempts integer, _RemovalTimeout integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Now   timestamptz := clock_timestamp();
    _Moved integer;
BEGIN
    WITH batch AS (
        SELECT m.MessageId
        FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
          AND m.VisibleOn <= _Now
          AND (m.Dequeued >= _MaxAttempts OR m.ExpiresOn <= _Now)
        ORDER BY m.MessageId
        LIMIT _BatchSize
        FOR UPDATE
    ),
    moved AS (
        DELETE FROM OrleansStreamMessage AS m
        USING batch AS b
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
          AND m.MessageId = b.MessageId
        RETURNING m.*
    )
    INSERT INTO OrleansStreamDeadLetter
        (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn,
         CreatedOn, ModifiedOn, DeadOn, RemoveOn, Payload)
    SELECT ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn,
           CreatedOn, ModifiedOn, _Now, _Now + make_interval(secs => _RemovalTimeout), Payload
    FROM moved
    ON CONFLICT ON CONSTRAINT PK_OrleansStreamDeadLetter DO NOTHING;

    GET DIAGNOSTICS _Moved = ROW_COUNT;
    RETURN _Moved;
END
$fn$;

-- Deletes up to _BatchSize dead letters whose RemoveOn has passed.
CREATE OR REPLACE FUNCTION orleans_stream_evict_dead_letters(
    _ServiceId text, _ProviderId text, _QueueId text, _BatchSize integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    _Now     timestamptz := clock_timestamp();
    _Deleted integer;
BEGIN
    WITH batch AS (
        SELECT d.MessageId
        FROM OrleansStreamDeadLetter AS d
        WHERE d.ServiceId = _ServiceId
          AND d.ProviderId = _ProviderId
          AND d.QueueId = _QueueId
          AND d.RemoveOn <= _Now
        ORDER BY d.MessageId
        LIMIT _BatchSize
        FOR UPDATE
    )
    DELETE FROM OrleansStreamDeadLetter AS d
    USING batch AS b
    WHERE d.ServiceId = _ServiceId
      AND d.ProviderId = _ProviderId
      AND d.QueueId = _QueueId
      AND d.MessageId = b.MessageId;

    GET DIAGNOSTICS _Deleted = ROW_COUNT;
    RETURN _Deleted;
END
$fn$;

-- Dequeues up to _MaxCount visible messages in MessageId order (and, at most
-- once per _EvictionInterval per queue, runs the eviction first).
CREATE OR REPLACE FUNCTION orleans_stream_get_messages(
    _ServiceId text, _ProviderId text, _QueueId text, _MaxCount integer,
    _MaxAttempts integer, _VisibilityTimeout integer, _RemovalTimeout integer,
    _EvictionInterval integer, _EvictionBatchSize integer)
RETURNS TABLE (ServiceId text, ProviderId text, QueueId text, MessageId bigint,
               Dequeued integer, VisibleOn timestamptz, ExpiresOn timestamptz,
               CreatedOn timestamptz, ModifiedOn timestamptz, Payload bytea)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    _Now timestamptz := clock_timestamp();
    _Due boolean;
BEGIN
    UPDATE OrleansStreamControl AS c
    SET EvictOn = _Now + make_interval(secs => _EvictionInterval)
    WHERE c.ServiceId = _ServiceId
      AND c.ProviderId = _ProviderId
      AND c.QueueId = _QueueId
      AND c.EvictOn <= _Now;
    _Due := FOUND;

    IF NOT _Due THEN
        -- First poll of this queue: create its schedule and evict right away.
        INSERT INTO OrleansStreamControl (ServiceId, ProviderId, QueueId, EvictOn)
        SELECT _ServiceId, _ProviderId, _QueueId, _Now + make_interval(secs => _EvictionInterval)
        WHERE NOT EXISTS (
            SELECT 1 FROM OrleansStreamControl AS c
            WHERE c.ServiceId = _ServiceId AND c.ProviderId = _ProviderId AND c.QueueId = _QueueId)
        ON CONFLICT ON CONSTRAINT PK_OrleansStreamControl DO NOTHING;
        _Due := FOUND;
    END IF;

    IF _Due THEN
        PERFORM orleans_stream_evict_messages(_ServiceId, _ProviderId, _QueueId,
                                              _EvictionBatchSize, _MaxAttempts, _RemovalTimeout);
        PERFORM orleans_stream_evict_dead_letters(_ServiceId, _ProviderId, _QueueId, _EvictionBatchSize);
    END IF;

    RETURN QUERY
    WITH batch AS (
        SELECT m.MessageId
        FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
          AND m.Dequeued < _MaxAttempts
          AND m.VisibleOn <= _Now
          AND m.ExpiresOn > _Now
        ORDER BY m.MessageId
        LIMIT _MaxCount
        FOR UPDATE
    )
    UPDATE OrleansStreamMessage AS m
    SET Dequeued   = m.Dequeued + 1,
        VisibleOn  = _Now + make_interval(secs => _VisibilityTimeout),
        ModifiedOn = _Now
    FROM batch AS b
    WHERE m.ServiceId = _ServiceId
      AND m.ProviderId = _ProviderId
      AND m.QueueId = _QueueId
      AND m.MessageId = b.MessageId
    RETURNING m.ServiceId::text, m.ProviderId::text, m.QueueId::text, m.MessageId,
              m.Dequeued, m.VisibleOn, m.ExpiresOn, m.CreatedOn, m.ModifiedOn, m.Payload;
END
$fn$;

-- _Items: "MessageId:Receipt|MessageId:Receipt|..." where Receipt is the
-- Dequeued value seen by the receiver. Positive receipt => delivered, delete.
-- Negative receipt => release (visible again now). A receipt that no longer
-- matches (message re-dequeued elsewhere) is ignored. Returns affected rows.
CREATE OR REPLACE FUNCTION orleans_stream_confirm_messages(
    _ServiceId text, _ProviderId text, _QueueId text, _Items text)
RETURNS TABLE (ServiceId text, ProviderId text, QueueId text, MessageId bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    _Now timestamptz := clock_timestamp();
BEGIN
    RETURN QUERY
    WITH items AS (
        SELECT split_part(i.item, ':', 1)::bigint  AS MessageId,
               split_part(i.item, ':', 2)::integer AS Receipt
        FROM unnest(string_to_array(_Items, '|')) AS i(item)
        WHERE i.item <> ''
    ),
    locked AS (
        SELECT m.MessageId, it.Receipt
        FROM OrleansStreamMessage AS m
        JOIN items AS it
          ON it.MessageId = m.MessageId
         AND it.Receipt <> 0
         AND m.Dequeued = abs(it.Receipt)
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
        ORDER BY m.MessageId          -- lock in dequeue order: no deadlocks
        FOR UPDATE OF m
    ),
    confirmed AS (
        DELETE FROM OrleansStreamMessage AS m
        USING locked AS l
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
          AND m.MessageId = l.MessageId
          AND l.Receipt > 0
        RETURNING m.ServiceId::text AS ServiceId, m.ProviderId::text AS ProviderId,
                  m.QueueId::text AS QueueId, m.MessageId AS MessageId
    ),
    released AS (
        UPDATE OrleansStreamMessage AS m
        SET VisibleOn = _Now, ModifiedOn = _Now
        FROM locked AS l
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
          AND m.MessageId = l.MessageId
          AND l.Receipt < 0
        RETURNING m.ServiceId::text AS ServiceId, m.ProviderId::text AS ProviderId,
                  m.QueueId::text AS QueueId, m.MessageId AS MessageId
    )
    SELECT c.ServiceId, c.ProviderId, c.QueueId, c.MessageId FROM confirmed AS c
    UNION ALL
    SELECT r.ServiceId, r.ProviderId, r.QueueId, r.MessageId FROM released AS r;
END
$fn$;

-- A delivery failed: make the message visible again if it has attempts left,
-- otherwise move it to the dead letters.
CREATE OR REPLACE FUNCTION orleans_stream_fail_message(
    _ServiceId text, _ProviderId text, _QueueId text, _MessageId bigint,
    _MaxAttempts integer, _RemovalTimeout integer)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    _Now timestamptz := clock_timestamp();
BEGIN
    UPDATE OrleansStreamMessage AS m
    SET VisibleOn = _Now, ModifiedOn = _Now
    WHERE m.ServiceId = _ServiceId
      AND m.ProviderId = _ProviderId
      AND m.QueueId = _QueueId
      AND m.MessageId = _MessageId
      AND m.Dequeued < _MaxAttempts;
    IF FOUND THEN
        RETURN;
    END IF;

    WITH moved AS (
        DELETE FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = _ServiceId
          AND m.ProviderId = _ProviderId
          AND m.QueueId = _QueueId
          AND m.MessageId = _MessageId
        RETURNING m.*
    )
    INSERT INTO OrleansStreamDeadLetter
        (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn,
         CreatedOn, ModifiedOn, DeadOn, RemoveOn, Payload)
    SELECT ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn,
           CreatedOn, ModifiedOn, _Now, _Now + make_interval(secs => _RemovalTimeout), Payload
    FROM moved
    ON CONFLICT ON CONSTRAINT PK_OrleansStreamDeadLetter DO NOTHING;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('QueueStreamMessageKey', $q$
INSERT INTO OrleansStreamMessage
    (ServiceId, ProviderId, QueueId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn, Payload)
VALUES
    (@ServiceId, @ProviderId, @QueueId, 0, now(), now() + make_interval(secs => @ExpiryTimeout),
     now(), now(), @Payload)
RETURNING ServiceId, ProviderId, QueueId, MessageId;
$q$),
('GetStreamMessagesKey', $q$
SELECT * FROM orleans_stream_get_messages(
    @ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts,
    @VisibilityTimeout, @RemovalTimeout, @EvictionInterval, @EvictionBatchSize);
$q$),
('ConfirmStreamMessagesKey', $q$
SELECT * FROM orleans_stream_confirm_messages(@ServiceId, @ProviderId, @QueueId, @Items);
$q$),
('FailStreamMessageKey', $q$
SELECT orleans_stream_fail_message(
    @ServiceId, @ProviderId, @QueueId, @MessageId, @MaxAttempts, @RemovalTimeout);
$q$),
-- Not called by the 10.4.2 provider itself (eviction runs inside
-- GetStreamMessagesKey) but required at start-up. Parameter is @MaxCount.
('EvictStreamMessagesKey', $q$
SELECT orleans_stream_evict_messages(
    @ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts, @RemovalTimeout) AS Moved;
$q$),
('EvictStreamDeadLettersKey', $q$
SELECT orleans_stream_evict_dead_letters(@ServiceId, @ProviderId, @QueueId, @MaxCount) AS Deleted;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- =============================================================================
-- Migrations applied (the silo's `migrate` command reads and writes this; each
-- migration file records itself, so applying a file with psql counts too).
-- =============================================================================
CREATE TABLE IF NOT EXISTS og_schema_migrations
(
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO og_schema_migrations (version, name) VALUES (1, '0001_schema') ON CONFLICT (version) DO NOTHING;

COMMIT;

-- =============================================================================
-- Example (psql): which marketplace orders have been in
-- "waiting-for-seller-decision" since yesterday (entered that status at or
-- after the start of yesterday, UTC)?
--
--   SELECT grain_key                              AS order_key,
--          state->>'marketplaceOrderId'           AS marketplace_order_id,
--          (state->>'lastChange')::timestamptz    AS last_change,
--          version, modified_on
--   FROM orleans_grain_state_json
--   WHERE lower(state_name) = 'marketplaceorder'
--     AND state->>'status' = 'waiting-for-seller-decision'
--     AND (state->>'lastChange')::timestamptz
--         >= date_trunc('day', now(), 'UTC') - interval '1 day'
--   ORDER BY last_change;
--
-- ("still waiting for more than a day" instead: ... <= now() - interval '1 day')
-- Same thing on the raw table: FROM OrleansStorage, orleans_try_jsonb(PayloadBinary),
-- GrainTypeString = 'marketplaceOrder', key in GrainIdExtensionString.
-- =============================================================================
