using Npgsql;
using OrderGrains.Silo;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// A partition read takes only entries older than every running transaction (so none can commit behind the cursor),
/// and says when committed entries were held back for that reason: no wake-up comes for them, the reader must look again.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ChangeLogReadTests(Postgres postgres)
{
    [SkippableFact]
    public async Task AnEntryCommittedWhileAnOlderTransactionRuns_IsHeldBack_AndTheReadSaysSo_UntilThatTransactionEnds()
    {
        postgres.SkipIfMissing();
        var service = "heldback-" + Guid.NewGuid().ToString("N")[..8];
        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString!);
        var log = new PostgresChangeLog(data, service);
        await using var db = await data.OpenConnectionAsync();
        async Task<object?> Scalar(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql.Replace("@s", $"'{service}'"), connection);
            return await command.ExecuteScalarAsync();
        }
        var partition = Convert.ToInt32(await Scalar(db, "SELECT og_log_partition('v1-01')"));

        // An older transaction that has a transaction id and is still running (a state write of another order, say).
        await using var older = await data.OpenConnectionAsync();
        await using var running = await older.BeginTransactionAsync();
        await Scalar(older, "SELECT pg_current_xact_id()");
        await Scalar(db, "SELECT orleans_storage_write(1, 0, 0, 2, 'sellerOrder', 'SLR-v1-01', @s, NULL, " +
            "convert_to('{\"sellerOrderId\":\"SLR-v1-01\",\"marketplaceOrderId\":\"v1-01\",\"sequence\":1,\"status\":\"order-accepted\"}', 'UTF8'))");

        var held = await log.Read(partition, default, 10);
        await running.CommitAsync();
        // Any transaction of the server counts, not only this test's (an autoanalyze after an earlier test's writes, say):
        // read until none older than the entry runs, as the partition reader does.
        var settled = await log.Read(partition, default, 10);
        for (var until = DateTime.UtcNow.AddSeconds(30); settled.HeldBack && DateTime.UtcNow < until; settled = await log.Read(partition, default, 10))
        {
            await Task.Delay(50);
        }

        Assert.Equal((0, true), (held.Entries.Count, held.HeldBack));
        Assert.Equal((1, false), (settled.Entries.Count, settled.HeldBack));
        Assert.Equal(("SLR-v1-01", 1L), (settled.Entries[0].OrderId, settled.Entries[0].Sequence));
    }
}
