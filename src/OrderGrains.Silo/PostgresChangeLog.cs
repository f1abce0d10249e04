using Npgsql;
using NpgsqlTypes;
using System.Text.Json;
using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>
/// The change log on PostgreSQL (<c>og_change_log</c>, appended by <c>orleans_storage_write</c> in the seller order's
/// own transaction). Reads take only entries whose transaction is older than every transaction still running
/// (<c>pg_snapshot_xmin</c>), in (txid, position) order: an entry that commits late can never fall behind a cursor.
/// The readers' cursors are written by <see cref="PostgresOrderIndex.Apply"/>, in one transaction with the index.
/// </summary>
public sealed class PostgresChangeLog(NpgsqlDataSource dataSource, string serviceId) : IChangeLog
{
    public async Task<LogRead> Read(int partition, LogCursor after, int max, CancellationToken cancellationToken = default)
    {
        // The txid as a number is named apart from the column: ORDER BY txid would sort by that output (a Sort over
        // the whole range after the cursor, every read) instead of walking ix_og_change_log_read in order.
        // Rows at or past the oldest running transaction (txid order puts them all last) are not taken: the first one
        // only tells the reader that committed entries wait for that transaction to end (LogRead.HeldBack).
        await using var command = dataSource.CreateCommand("""
            SELECT txid::text::bigint AS txid_number, position, stream_key, order_id, sequence, payload::text, committed_at,
                   txid < pg_snapshot_xmin(pg_current_snapshot()) AS settled
            FROM og_change_log
            WHERE service_id = $1 AND partition = $2
              AND (txid, position) > ($3::text::xid8, $4)
            ORDER BY og_change_log.txid, og_change_log.position
            LIMIT $5
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = partition });
        command.Parameters.Add(new() { Value = after.Txid.ToString(), NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = after.Position });
        command.Parameters.Add(new() { Value = max + 1 });
        var entries = new List<LogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.GetBoolean(7))
            {
                return new LogRead(entries, HeldBack: true);
            }
            if (entries.Count < max)
            {
                entries.Add(Entry(reader));
            }
        }
        return new LogRead(entries, HeldBack: false);
    }

    private static async Task<IReadOnlyList<LogEntry>> ReadEntries(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<LogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(Entry(reader));
        }
        return entries;
    }

    private static LogEntry Entry(NpgsqlDataReader reader)
    {
        var state = JsonSerializer.Deserialize<SellerOrderState>(reader.GetString(5), DomainJson.Options)!;
        return new LogEntry((ulong)reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), SellerOrderView.From(state),
            reader.GetFieldValue<DateTimeOffset>(6));
    }

    /// <summary>Entries stay for <c>ChangeLog:Retention</c> after every consumer read them (migrations/0002_retention.sql).</summary>
    public bool KeepsHistory => true;

    public async Task<IReadOnlyList<LogEntry>> History(DateTimeOffset since, int maxOrders, CancellationToken cancellationToken = default)
    {
        // The orders that changed since then, earliest first (a scan of what the log keeps: a replay is rare), then all their entries.
        await using var command = dataSource.CreateCommand("""
            WITH changed AS (
                SELECT order_id FROM og_change_log
                WHERE service_id = $1 AND committed_at >= $2 AND txid < pg_snapshot_xmin(pg_current_snapshot())
                GROUP BY order_id ORDER BY min(committed_at), order_id LIMIT $3)
            SELECT l.txid::text::bigint, l.position, l.stream_key, l.order_id, l.sequence, l.payload::text, l.committed_at
            FROM og_change_log l JOIN changed c ON c.order_id = l.order_id
            WHERE l.service_id = $1 AND l.txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY l.txid, l.position
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = since.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = maxOrders });
        command.CommandTimeout = 120;
        return await ReadEntries(command, cancellationToken);
    }

    public async Task<IReadOnlyList<LogEntry>> OrderEntries(string sellerOrderId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT txid::text::bigint, position, stream_key, order_id, sequence, payload::text, committed_at
            FROM og_change_log WHERE service_id = $1 AND order_id = $2 AND txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY sequence
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = sellerOrderId });
        return await ReadEntries(command, cancellationToken);
    }

    public async Task<IReadOnlyList<LogEntry>> Undelivered(string consumer, TimeSpan olderThan, int max, CancellationToken cancellationToken = default)
    {
        // Per partition, only what lies past the cursor (the read index): bounded by what is undelivered, not by the log's size.
        await using var command = dataSource.CreateCommand("""
            SELECT l.txid::text::bigint, l.position, l.stream_key, l.order_id, l.sequence, l.payload::text, l.committed_at
            FROM generate_series(0, 7) AS p(partition)
            LEFT JOIN og_log_cursor c ON c.service_id = $1 AND c.consumer = $2 AND c.partition = p.partition
            CROSS JOIN LATERAL (
                SELECT * FROM og_change_log l
                WHERE l.service_id = $1 AND l.partition = p.partition
                  AND (l.txid, l.position) > (coalesce(c.txid, '0'::xid8), coalesce(c.position, 0))
                ORDER BY l.txid, l.position
                LIMIT $4) l
            WHERE l.committed_at < now() - make_interval(secs => $3)
            ORDER BY l.committed_at
            LIMIT $4
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = consumer });
        command.Parameters.Add(new() { Value = olderThan.TotalSeconds });
        command.Parameters.Add(new() { Value = max });
        return await ReadEntries(command, cancellationToken);
    }

    public async Task<LogCursor> LoadCursor(string consumer, int partition, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT txid::text::bigint, position FROM og_log_cursor WHERE service_id = $1 AND consumer = $2 AND partition = $3");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = consumer });
        command.Parameters.Add(new() { Value = partition });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new LogCursor((ulong)reader.GetInt64(0), reader.GetInt64(1)) : default;
    }

    public async Task<IReadOnlyList<string>> DueDeadlines(int partition, DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT order_id FROM og_deadline
            WHERE service_id = $1 AND partition = $2 AND due_at <= $3
            ORDER BY due_at
            LIMIT $4
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = partition });
        command.Parameters.Add(new() { Value = now.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = max });
        var due = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) due.Add(reader.GetString(0));
        return due;
    }
}
