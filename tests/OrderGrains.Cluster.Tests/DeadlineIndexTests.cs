using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// The deadline index (migrations/0003_deadlines.sql) is kept by the seller order's own state write, in the same
/// transaction as the state and its change-log entry: a row while the order waits on time, moved with the deadline,
/// deleted when the order leaves the waiting status; a write that rolls back leaves none of the three.
/// </summary>
[Collection(PostgresCollection.Name)]
public class DeadlineIndexTests(Postgres postgres)
{
    [SkippableFact]
    public async Task StateWrite_KeepsTheDeadlineRow_InTheSameTransaction()
    {
        postgres.SkipIfMissing();
        var service = "deadline-" + Guid.NewGuid().ToString("N")[..8];
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        async Task<object?> Scalar(string sql)
        {
            await using var command = new NpgsqlCommand(sql.Replace("@s", $"'{service}'"), db);
            return await command.ExecuteScalarAsync();
        }
        string Write(int? version, long sequence, string? deadline) =>
            $"SELECT orleans_storage_write(1, 0, 0, 2, 'sellerOrder', 'SLR-v1-01', @s, {(version is { } v ? v.ToString() : "NULL")}, " +
            $"convert_to('{{\"sellerOrderId\":\"SLR-v1-01\",\"marketplaceOrderId\":\"v1-01\",\"sequence\":{sequence},\"nextDeadline\":{(deadline is null ? "null" : $"\"{deadline}\"")}}}', 'UTF8'))";
        async Task<string?> Due() => (await Scalar("SELECT due_at::text FROM og_deadline WHERE service_id = @s AND order_id = 'SLR-v1-01'")) as string;

        await Scalar("SET TimeZone = 'UTC'");
        await Scalar(Write(null, 1, "2026-12-29T10:00:00+00:00"));          // placed: order-accepted, authorization deadline
        var placed = await Due();
        await Scalar(Write(1, 2, "2026-11-29T10:30:00+00:00"));             // authorized: the window's end
        var window = await Due();
        await Scalar("BEGIN; " + Write(2, 3, null) + "; ROLLBACK");          // a write that does not commit changes nothing
        var afterRollback = await Due();
        await Scalar(Write(2, 3, null));                                     // ready-for-handling: nothing waits on time
        var ready = await Due();

        Assert.Equal("2026-12-29 10:00:00+00", placed);
        Assert.Equal("2026-11-29 10:30:00+00", window);
        Assert.Equal(window, afterRollback);
        Assert.Null(ready);
        Assert.Equal(3L, Convert.ToInt64(await Scalar("SELECT count(*) FROM og_change_log WHERE service_id = @s AND order_id = 'SLR-v1-01'")));
        Assert.Equal(Convert.ToInt64(await Scalar("SELECT og_log_partition('v1-01')")),
            Convert.ToInt64(await Scalar("SELECT partition FROM og_change_log WHERE service_id = @s AND sequence = 3")));
    }
}
