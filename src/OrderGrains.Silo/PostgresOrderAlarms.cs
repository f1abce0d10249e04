using Npgsql;
using NpgsqlTypes;
using OrderGrains.Contracts;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>Orders that need a person, on PostgreSQL (<c>og_order_alarm</c>, migrations/0007_ops.sql).</summary>
public sealed class PostgresOrderAlarms(NpgsqlDataSource dataSource, string serviceId) : IOrderAlarms
{
    public async Task Record(OrderAlarm alarm, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO og_order_alarm (service_id, order_id, kind, subject, detail, seen_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (service_id, order_id, kind) DO UPDATE SET subject = EXCLUDED.subject, detail = EXCLUDED.detail, seen_at = EXCLUDED.seen_at
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = alarm.OrderId });
        command.Parameters.Add(new() { Value = alarm.Kind });
        command.Parameters.Add(new() { Value = alarm.Subject });
        command.Parameters.Add(new() { Value = alarm.Detail.Length > 1000 ? alarm.Detail[..1000] : alarm.Detail });
        command.Parameters.Add(new() { Value = alarm.SeenAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OrderAlarm>> List(int max, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT order_id, kind, subject, detail, seen_at FROM og_order_alarm
            WHERE service_id = $1 AND seen_at > now() - interval '1 day' ORDER BY seen_at DESC LIMIT $2
            """);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = max });
        var alarms = new List<OrderAlarm>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            alarms.Add(new OrderAlarm(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return alarms;
    }

    public async Task Clear(string orderId, string kind, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM og_order_alarm WHERE service_id = $1 AND order_id = $2 AND kind = $3");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = orderId });
        command.Parameters.Add(new() { Value = kind });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
