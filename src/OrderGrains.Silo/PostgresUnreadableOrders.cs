using Npgsql;
using NpgsqlTypes;
using OrderGrains.Contracts;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>Orders whose state could not be read, on PostgreSQL (<c>og_unreadable_state</c>, migrations/0007_ops.sql).</summary>
public sealed class PostgresUnreadableOrders(NpgsqlDataSource dataSource, string serviceId) : IUnreadableOrders
{
    public async Task Record(UnreadableOrder order, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO og_unreadable_state (service_id, order_id, state_name, error, seen_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (service_id, order_id, state_name) DO UPDATE SET error = EXCLUDED.error, seen_at = EXCLUDED.seen_at
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = order.OrderId });
        command.Parameters.Add(new() { Value = order.StateName });
        command.Parameters.Add(new() { Value = order.Error.Length > 1000 ? order.Error[..1000] : order.Error });
        command.Parameters.Add(new() { Value = order.SeenAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<UnreadableOrder>> List(int max, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT order_id, state_name, error, seen_at FROM og_unreadable_state
            WHERE service_id = $1 AND seen_at > now() - interval '1 day' ORDER BY seen_at DESC LIMIT $2
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = max });
        var orders = new List<UnreadableOrder>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) orders.Add(new UnreadableOrder(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return orders;
    }
}
