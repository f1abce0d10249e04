using System.Text;
using Npgsql;
using NpgsqlTypes;
using OrderGrains.Contracts;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>
/// The order index and the feed and hook queues on PostgreSQL (<c>og_order_index</c>, <c>og_feed_config</c>, <c>og_feed_item</c>;
/// migrations 0004 and 0005). A batch of log entries is one transaction: read the rows it touches, upsert the new ones (the
/// higher sequence wins) and queue its status changes for every matching feed and hook. A query is one statement built from
/// the filters it has (so each shape gets its own plan).
/// </summary>
public sealed class PostgresOrderIndex(NpgsqlDataSource dataSource, string serviceId) : IOrderIndex, IOrderFeeds
{
    private const string Columns = """
        marketplace_order_id, seller_order_id, order_group, account, seller_id, marketplace_status, seller_status, value,
        total_items, creation_date, last_change, has_input_invoice, sequence, logged_at, indexed_at
        """;

    public async Task<IReadOnlyList<string>> Apply(IReadOnlyList<LogEntry> batch, CursorAdvance advance, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var cursor = new NpgsqlCommand("""
            INSERT INTO og_log_cursor (service_id, consumer, partition, txid, position, updated_at)
            VALUES ($1, $2, $3, $4::text::xid8, $5, now())
            ON CONFLICT (service_id, consumer, partition) DO UPDATE SET txid = EXCLUDED.txid, position = EXCLUDED.position, updated_at = now()
            """, connection, transaction))
        {
            cursor.Parameters.Add(new() { Value = serviceId });
            cursor.Parameters.Add(new() { Value = advance.Consumer });
            cursor.Parameters.Add(new() { Value = advance.Partition });
            cursor.Parameters.Add(new() { Value = advance.Cursor.Txid.ToString(), NpgsqlDbType = NpgsqlDbType.Text });
            cursor.Parameters.Add(new() { Value = advance.Cursor.Position });
            await cursor.ExecuteNonQueryAsync(cancellationToken);
        }
        if (batch.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return [];
        }

        var previous = new Dictionary<string, IndexedOrder>();
        await using (var read = new NpgsqlCommand($"SELECT {Columns} FROM og_order_index WHERE service_id = $1 AND seller_order_id = ANY($2)", connection, transaction))
        {
            read.Parameters.Add(new() { Value = serviceId });
            read.Parameters.Add(new() { Value = batch.Select(e => e.OrderId).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = ReadRow(reader);
                previous[row.SellerOrderId] = row;
            }
        }
        var now = DateTimeOffset.UtcNow;
        var (rows, changes) = OrderIndexProjection.Project(batch, previous, now);
        if (rows.Count > 0)
        {
            await Upsert(connection, transaction, rows, cancellationToken);
        }
        var queued = changes.Count == 0 ? [] : await Enqueue(connection, transaction, changes, null, cancellationToken);
        if (changes.Count > 0) await AddToTrend(connection, transaction, advance.Partition, changes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. queued.Where(q => q.Kind == "hook").Select(q => q.AppKey).Distinct()];
    }

    private async Task Upsert(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IndexedOrder> rows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO og_order_index AS o (service_id, seller_order_id, marketplace_order_id, order_group, account, seller_id,
                marketplace_status, seller_status, value, total_items, creation_date, last_change, has_input_invoice, sequence, logged_at, indexed_at)
            SELECT $1, r.*, now() FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::bigint[], $10::integer[], $11::timestamptz[], $12::timestamptz[], $13::boolean[], $14::bigint[], $15::timestamptz[]) AS r
            ON CONFLICT (service_id, seller_order_id) DO UPDATE SET
                marketplace_order_id = EXCLUDED.marketplace_order_id, order_group = EXCLUDED.order_group, account = EXCLUDED.account,
                seller_id = EXCLUDED.seller_id, marketplace_status = EXCLUDED.marketplace_status, seller_status = EXCLUDED.seller_status,
                value = EXCLUDED.value, total_items = EXCLUDED.total_items, creation_date = EXCLUDED.creation_date,
                last_change = EXCLUDED.last_change, has_input_invoice = EXCLUDED.has_input_invoice, sequence = EXCLUDED.sequence,
                logged_at = EXCLUDED.logged_at, indexed_at = EXCLUDED.indexed_at
            WHERE o.sequence < EXCLUDED.sequence
            """, connection, transaction);
        command.Parameters.Add(new() { Value = serviceId });
        Add(command, rows, r => r.SellerOrderId, NpgsqlDbType.Text);
        Add(command, rows, r => r.MarketplaceOrderId, NpgsqlDbType.Text);
        Add(command, rows, r => r.OrderGroup, NpgsqlDbType.Text);
        Add(command, rows, r => r.Account, NpgsqlDbType.Text);
        Add(command, rows, r => r.SellerId, NpgsqlDbType.Text);
        Add(command, rows, r => r.MarketplaceStatus, NpgsqlDbType.Text);
        Add(command, rows, r => r.SellerStatus, NpgsqlDbType.Text);
        Add(command, rows, r => r.Value, NpgsqlDbType.Bigint);
        Add(command, rows, r => r.TotalItems, NpgsqlDbType.Integer);
        Add(command, rows, r => r.CreationDate.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(command, rows, r => r.LastChange?.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(command, rows, r => r.HasInputInvoice, NpgsqlDbType.Boolean);
        Add(command, rows, r => r.Sequence, NpgsqlDbType.Bigint);
        Add(command, rows, r => r.LoggedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ConsumerHealth>> Health(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.app_key, c.kind, count(i.id), min(i.current_change), coalesce(max(i.attempts), 0), c.disabled_at
            FROM og_feed_config c
            LEFT JOIN og_feed_item i ON i.service_id = c.service_id AND i.app_key = c.app_key AND i.kind = c.kind
            WHERE c.service_id = $1
            GROUP BY c.app_key, c.kind, c.disabled_at
            """);
        command.Parameters.Add(new() { Value = serviceId });
        var health = new List<ConsumerHealth>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            health.Add(new ConsumerHealth(reader.GetString(0), reader.GetString(1) == "hook" ? FeedKind.Hook : FeedKind.Feed, reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return health;
    }

    public async Task<bool> Disable(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE og_feed_config SET disabled_at = coalesce(disabled_at, now()) WHERE service_id = $1 AND app_key = $2 AND kind = $3");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = appKey });
        command.Parameters.Add(new() { Value = Kind(kind) });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<QueuedChange>> Queued(IReadOnlyList<string> orderIds, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT app_key, kind, order_id, state, event_id, attempts, visible_at FROM og_feed_item
            WHERE service_id = $1 AND order_id = ANY($2) ORDER BY id LIMIT 200
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = orderIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var queued = new List<QueuedChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var visible = reader.GetFieldValue<DateTime>(6);
            queued.Add(new QueuedChange(reader.GetString(0), reader.GetString(1) == "hook" ? FeedKind.Hook : FeedKind.Feed, reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt32(5), visible == DateTime.MaxValue ? null : new DateTimeOffset(visible, TimeSpan.Zero)));
        }
        return queued;
    }

    public async Task<int> RetryNow(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE og_feed_item SET visible_at = now()
            WHERE service_id = $1 AND app_key = $2 AND kind = $3 AND visible_at > now() AND visible_at <> 'infinity'
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = appKey });
        command.Parameters.Add(new() { Value = Kind(kind) });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> Requeue(FeedConfig config, IReadOnlyList<StatusChange> changes, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var queued = 0;
        foreach (var chunk in changes.Chunk(1000))
        {
            queued += (await Enqueue(connection, transaction, chunk, config, cancellationToken)).Count;
        }
        await transaction.CommitAsync(cancellationToken);
        return queued;
    }

    /// <summary>
    /// Queues each change for every feed and hook that wants it, in log order; returns the AppKey and kind of every item
    /// queued. With <paramref name="only"/> (a replay): for that one config, whatever its creation time, kept from now.
    /// </summary>
    private async Task<IReadOnlyList<(string AppKey, string Kind)>> Enqueue(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StatusChange> changes, FeedConfig? only, CancellationToken cancellationToken)
    {
        // First lock the items already queued for these orders (in id order, as Commit deletes them): a commit of one of
        // them either finished before (we see it gone: the new item is the order's head) or waits for this transaction
        // (its next statement then sees the new item and unblocks it). So no item is ever left blocked behind nothing.
        await using (var lockQueued = new NpgsqlCommand("""
            SELECT id FROM og_feed_item WHERE service_id = $1 AND order_id = ANY($2) ORDER BY id FOR SHARE
            """, connection, transaction))
        {
            lockQueued.Parameters.Add(new() { Value = serviceId });
            lockQueued.Parameters.Add(new() { Value = changes.Select(c => c.OrderId).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await lockQueued.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = new NpgsqlCommand("""
            INSERT INTO og_feed_item (service_id, app_key, kind, event_id, order_id, domain, state, last_state, last_change, current_change, account, expires_at, visible_at)
            SELECT $1, c.app_key, c.kind, ch.event_id, ch.order_id, ch.domain, ch.state, ch.last_state, ch.last_change, ch.current_change, ch.account,
                   CASE WHEN $12::text IS NULL THEN ch.logged_at ELSE now() END + make_interval(secs => c.retention_s),
                   -- Blocked behind an earlier item of the same order (queued before, or earlier in this batch).
                   CASE WHEN row_number() OVER (PARTITION BY c.app_key, c.kind, ch.order_id ORDER BY ch.n) > 1
                          OR EXISTS (SELECT 1 FROM og_feed_item e WHERE e.service_id = $1 AND e.app_key = c.app_key AND e.kind = c.kind AND e.order_id = ch.order_id)
                        THEN 'infinity'::timestamptz ELSE now() END
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::timestamptz[])
                 WITH ORDINALITY AS ch(event_id, order_id, domain, state, last_state, last_change, current_change, account, seller_id, logged_at, n)
            JOIN og_feed_config c ON c.service_id = $1 AND ch.state = ANY(c.statuses)
                 AND (c.account IS NULL OR c.account = ch.account)
                 AND (c.seller_id IS NULL OR (c.seller_id = ch.seller_id AND ch.domain = 'Fulfillment'))
                 AND ($12::text IS NULL OR (c.app_key = $12 AND c.kind = $13))
                 AND ($12::text IS NOT NULL OR ch.logged_at >= c.created_at)
            ORDER BY ch.n
            ON CONFLICT ON CONSTRAINT ux_og_feed_item_event DO NOTHING
            RETURNING app_key, kind
            """, connection, transaction);
        command.Parameters.Add(new() { Value = serviceId });
        Add(command, changes, c => c.EventId, NpgsqlDbType.Text);
        Add(command, changes, c => c.OrderId, NpgsqlDbType.Text);
        Add(command, changes, c => c.Domain, NpgsqlDbType.Text);
        Add(command, changes, c => c.State, NpgsqlDbType.Text);
        Add(command, changes, c => c.LastState, NpgsqlDbType.Text);
        Add(command, changes, c => c.LastChange?.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(command, changes, c => c.CurrentChange.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(command, changes, c => c.Account, NpgsqlDbType.Text);
        Add(command, changes, c => c.SellerId, NpgsqlDbType.Text);
        Add(command, changes, c => c.LoggedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
        command.Parameters.Add(new() { Value = (object?)only?.AppKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = only is null ? DBNull.Value : Kind(only.Kind), NpgsqlDbType = NpgsqlDbType.Text });
        var queued = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            queued.Add((reader.GetString(0), reader.GetString(1)));
        }
        return queued;
    }

    private static void Add<TRow, T>(NpgsqlCommand command, IReadOnlyList<TRow> rows, Func<TRow, T> value, NpgsqlDbType type) =>
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type });

    private static IndexedOrder ReadRow(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
        reader.GetString(5), reader.GetString(6), reader.GetInt64(7), reader.GetInt32(8), reader.GetFieldValue<DateTimeOffset>(9),
        reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10), reader.GetBoolean(11), reader.GetInt64(12),
        reader.GetFieldValue<DateTimeOffset>(13), reader.GetFieldValue<DateTimeOffset>(14));

    public async Task<OrderPage> Query(OrderQuery q, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns}, {(q.CountTotal ? "count(*) OVER ()" : "0::bigint")} AS total FROM og_order_index WHERE service_id = $1");
        command.Parameters.Add(new() { Value = serviceId });
        string Param(object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + command.Parameters.Count;
        }
        if (q.Account is not null) sql.Append(" AND account = ").Append(Param(q.Account, NpgsqlDbType.Text));
        if (q.SellerId is not null) sql.Append(" AND seller_id = ").Append(Param(q.SellerId, NpgsqlDbType.Text));
        if (q.Statuses.Count > 0)
        {
            var statuses = Param(q.Statuses.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            sql.Append(q.SellerStatusOnly ? $" AND seller_status = ANY({statuses})" : $" AND (marketplace_status = ANY({statuses}) OR seller_status = ANY({statuses}))");
        }
        if (q.CreatedFrom is { } from) sql.Append(" AND creation_date >= ").Append(Param(from.UtcDateTime, NpgsqlDbType.TimestampTz));
        if (q.CreatedTo is { } to) sql.Append(" AND creation_date <= ").Append(Param(to.UtcDateTime, NpgsqlDbType.TimestampTz));
        if (q.HasInputInvoice is { } input) sql.Append(" AND has_input_invoice = ").Append(Param(input, NpgsqlDbType.Boolean));
        if (q.OrderGroup is not null) sql.Append(" AND order_group = ").Append(Param(q.OrderGroup, NpgsqlDbType.Text));
        if (q.ChangedBefore is { } before) sql.Append(" AND coalesce(last_change, creation_date) < ").Append(Param(before.UtcDateTime, NpgsqlDbType.TimestampTz));
        if (q.Text is not null)
        {
            var like = Param("%" + q.Text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%", NpgsqlDbType.Text);
            sql.Append($" AND (marketplace_order_id ILIKE {like} OR seller_order_id ILIKE {like} OR order_group ILIKE {like})");
        }
        var direction = q.Descending ? "DESC" : "ASC";
        var column = q.Sort switch
        {
            OrderSort.OrderId => q.SellerId is not null ? "seller_order_id" : "marketplace_order_id",
            OrderSort.TotalValue => "value",
            OrderSort.Items => "total_items",
            OrderSort.LastChange => "coalesce(last_change, creation_date)",
            _ => "creation_date",
        };
        sql.Append($" ORDER BY {column} {direction}, seller_order_id {direction}");
        sql.Append(" LIMIT ").Append(Param(q.PerPage, NpgsqlDbType.Integer));
        sql.Append(" OFFSET ").Append(Param((q.Page - 1) * q.PerPage, NpgsqlDbType.Integer));
        command.CommandText = sql.ToString();

        var orders = new List<IndexedOrder>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                orders.Add(ReadRow(reader));
                total = reader.GetInt64(15);
            }
        }
        if (orders.Count == 0 && q.Page > 1 && q.CountTotal)
        {
            // Past the last page: the window function saw no row, so count separately for VTEX's paging.
            total = (await Query(q with { Page = 1, PerPage = 1 }, cancellationToken)).Total;
        }
        return new OrderPage(orders, total);
    }

    /// <summary>
    /// Counts the batch's status changes into their 10-minute buckets (the same transaction as the index rows), in rows of
    /// the reader's own partition (migrations/0008): the readers never wait for each other's commits here.
    /// </summary>
    private async Task AddToTrend(NpgsqlConnection connection, NpgsqlTransaction transaction, int partition, IReadOnlyList<StatusChange> changes, CancellationToken cancellationToken)
    {
        var counted = changes.GroupBy(c => (Bucket: StatusTrend.BucketOf(c.LoggedAt), c.Domain, c.State)).ToList();
        await using var command = new NpgsqlCommand("""
            INSERT INTO og_status_trend AS t (service_id, partition, bucket, domain, state, changes)
            SELECT $1, $2, b, d, s, n FROM unnest($3::timestamptz[], $4::text[], $5::text[], $6::bigint[]) AS x(b, d, s, n)
            ON CONFLICT (service_id, bucket, domain, state, partition) DO UPDATE SET changes = t.changes + EXCLUDED.changes
            """, connection, transaction);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = partition });
        command.Parameters.Add(new() { Value = counted.Select(g => g.Key.Bucket.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = counted.Select(g => g.Key.Domain).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = counted.Select(g => g.Key.State).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = counted.Select(g => (long)g.Count()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StatusTrend>> Trend(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT domain, state, bucket, sum(changes)::bigint FROM og_status_trend WHERE service_id = $1 AND bucket >= $2 GROUP BY domain, state, bucket");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = StatusTrend.BucketOf(since).UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var trend = new List<StatusTrend>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) trend.Add(new StatusTrend(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3)));
        return trend;
    }

    public async Task<IReadOnlyList<StatusCount>> Counts(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT CASE WHEN marketplace_status IS NULL THEN 'Fulfillment' ELSE 'Marketplace' END, coalesce(marketplace_status, seller_status), count(*)
            FROM og_order_index WHERE service_id = $1
            GROUP BY GROUPING SETS ((marketplace_status), (seller_status))
            """);
        command.Parameters.Add(new() { Value = serviceId });
        var counts = new List<StatusCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) counts.Add(new StatusCount(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return counts;
    }

    /// <summary>Creates or replaces a configuration; it receives changes committed from its first creation on (the database's clock).</summary>
    public async Task Configure(FeedConfig c, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO og_feed_config (service_id, app_key, kind, statuses, account, seller_id, visibility_timeout_s, retention_s, url, headers, secret, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, now())
            ON CONFLICT (service_id, app_key, kind) DO UPDATE SET statuses = EXCLUDED.statuses, account = EXCLUDED.account, seller_id = EXCLUDED.seller_id,
                visibility_timeout_s = EXCLUDED.visibility_timeout_s, retention_s = EXCLUDED.retention_s, url = EXCLUDED.url,
                headers = EXCLUDED.headers, secret = EXCLUDED.secret, disabled_at = NULL
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = c.AppKey });
        command.Parameters.Add(new() { Value = Kind(c.Kind) });
        command.Parameters.Add(new() { Value = c.Statuses.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)c.Account ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)c.SellerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = c.VisibilityTimeoutSeconds });
        command.Parameters.Add(new() { Value = c.RetentionSeconds });
        command.Parameters.Add(new() { Value = (object?)c.Url ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = c.Headers is null ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(c.Headers), NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)c.Secret ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<FeedConfig?> GetConfig(string appKey, FeedKind kind, CancellationToken cancellationToken = default) =>
        (await ReadConfigs("app_key = $2 AND kind = $3", [appKey, Kind(kind)], cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<FeedConfig>> Configs(FeedKind kind, CancellationToken cancellationToken = default) =>
        ReadConfigs("kind = $2", [Kind(kind)], cancellationToken);

    private async Task<IReadOnlyList<FeedConfig>> ReadConfigs(string where, object[] values, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT app_key, kind, statuses, account, seller_id, visibility_timeout_s, retention_s, url, headers::text, secret, created_at, disabled_at
            FROM og_feed_config WHERE service_id = $1 AND {where}
            """);
        command.Parameters.Add(new() { Value = serviceId });
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        var configs = new List<FeedConfig>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            configs.Add(new FeedConfig(reader.GetString(0), reader.GetString(1) == "hook" ? FeedKind.Hook : FeedKind.Feed, reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8)),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11)));
        }
        return configs;
    }

    public async Task<bool> Remove(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            WITH items AS (DELETE FROM og_feed_item WHERE service_id = $1 AND app_key = $2 AND kind = $3)
            DELETE FROM og_feed_config WHERE service_id = $1 AND app_key = $2 AND kind = $3
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = appKey });
        command.Parameters.Add(new() { Value = Kind(kind) });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<FeedItem>> Receive(string appKey, FeedKind kind, int max, TimeSpan hideFor, CancellationToken cancellationToken = default)
    {
        await ExpireIfDue(appKey, kind, cancellationToken);
        // Only an order's oldest queued item is visible (later ones are blocked until it is committed): a short scan.
        await using var command = dataSource.CreateCommand("""
            WITH candidates AS (
                SELECT i.id FROM og_feed_item i
                WHERE i.service_id = $1 AND i.app_key = $2 AND i.kind = $3 AND i.visible_at <= now() AND i.expires_at >= now()
                ORDER BY i.id
                LIMIT $4
                FOR UPDATE SKIP LOCKED)
            UPDATE og_feed_item i
            SET visible_at = now() + make_interval(secs => $5), handle = i.id || '.' || md5(random()::text || clock_timestamp()::text), attempts = i.attempts + 1
            FROM candidates c WHERE i.id = c.id
            RETURNING i.id, i.event_id, i.handle, i.domain, i.state, i.last_state, i.order_id, i.last_change, i.current_change, i.account, i.attempts
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = appKey });
        command.Parameters.Add(new() { Value = Kind(kind) });
        command.Parameters.Add(new() { Value = max });
        command.Parameters.Add(new() { Value = hideFor.TotalSeconds, NpgsqlDbType = NpgsqlDbType.Double });
        var items = new List<FeedItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new FeedItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8),
                reader.GetString(9), reader.GetInt32(10)));
        }
        return [.. items.OrderBy(i => i.Id)];
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, FeedKind), DateTimeOffset> lastExpiry = new();

    /// <summary>At most once a minute per queue: items past their retention leave, as if committed (the next of their order is unblocked).</summary>
    private async Task ExpireIfDue(string appKey, FeedKind kind, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (lastExpiry.TryGetValue((appKey, kind), out var last) && now - last < TimeSpan.FromMinutes(1)) return;
        lastExpiry[(appKey, kind)] = now;
        await RemoveAndUnblock(appKey, kind, "expires_at < now()", null, cancellationToken);
    }

    public Task<int> Commit(string appKey, FeedKind kind, IReadOnlyList<string> handles, CancellationToken cancellationToken = default) =>
        handles.Count == 0 ? Task.FromResult(0) : RemoveAndUnblock(appKey, kind, "handle = ANY($4)", handles.ToArray(), cancellationToken);

    /// <summary>
    /// Deletes the items <paramref name="where"/> names (locked in id order, as Enqueue locks them) and then, in a second
    /// statement that sees what committed meanwhile, unblocks the next item of each of their orders.
    /// </summary>
    private async Task<int> RemoveAndUnblock(string appKey, FeedKind kind, string where, string[]? handles, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var orders = new List<string>();
        await using (var delete = new NpgsqlCommand($"""
            DELETE FROM og_feed_item WHERE id IN (
                SELECT id FROM og_feed_item WHERE service_id = $1 AND app_key = $2 AND kind = $3 AND {where} ORDER BY id LIMIT 1000 FOR UPDATE)
            RETURNING order_id
            """, connection, transaction))
        {
            delete.Parameters.Add(new() { Value = serviceId });
            delete.Parameters.Add(new() { Value = appKey });
            delete.Parameters.Add(new() { Value = Kind(kind) });
            if (handles is not null) delete.Parameters.Add(new() { Value = handles, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) orders.Add(reader.GetString(0));
        }
        if (orders.Count > 0)
        {
            await using var unblock = new NpgsqlCommand("""
                UPDATE og_feed_item i SET visible_at = now()
                FROM (SELECT DISTINCT ON (order_id) id FROM og_feed_item
                      WHERE service_id = $1 AND app_key = $2 AND kind = $3 AND order_id = ANY($4)
                      ORDER BY order_id, id) AS head
                WHERE i.id = head.id AND i.visible_at = 'infinity'
                """, connection, transaction);
            unblock.Parameters.Add(new() { Value = serviceId });
            unblock.Parameters.Add(new() { Value = appKey });
            unblock.Parameters.Add(new() { Value = Kind(kind) });
            unblock.Parameters.Add(new() { Value = orders.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await unblock.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return orders.Count;
    }

    public async Task Defer(string appKey, FeedKind kind, string handle, TimeSpan after, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE og_feed_item SET visible_at = now() + make_interval(secs => $5) WHERE service_id = $1 AND app_key = $2 AND kind = $3 AND handle = $4");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = appKey });
        command.Parameters.Add(new() { Value = Kind(kind) });
        command.Parameters.Add(new() { Value = handle });
        command.Parameters.Add(new() { Value = after.TotalSeconds, NpgsqlDbType = NpgsqlDbType.Double });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Kind(FeedKind kind) => kind == FeedKind.Hook ? "hook" : "feed";
}
