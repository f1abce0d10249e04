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
    public async Task<IReadOnlyList<LogEntry>> Read(int partition, LogCursor after, int max, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT txid::text::bigint, position, stream_key, order_id, sequence, payload::text, committed_at
            FROM og_change_log
            WHERE service_id = $1 AND partition = $2
              AND (txid, position) > ($3::text::xid8, $4)
              AND txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY txid, position
            LIMIT $5
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = partition });
        command.Parameters.Add(new() { Value = after.Txid.ToString(), NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = after.Position });
        command.Parameters.Add(new() { Value = max });
        var entries = new List<LogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = JsonSerializer.Deserialize<SellerOrderState>(reader.GetString(5), DomainJson.Options)!;
            entries.Add(new LogEntry((ulong)reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), SellerOrderView.From(state),
                reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return entries;
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
