using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// The purge functions the silos' retention service calls (migrations/0002_retention.sql): they delete only what is
/// past retention — and, for the change log, what every consumer of its partition has read — at most a batch at a time.
/// </summary>
[Collection(PostgresCollection.Name)]
public class RetentionTests(Postgres postgres)
{
    [SkippableFact]
    public async Task Purge_DeletesOnlyOldAndReadEntries_AndOldIdempotencyKeys_InBoundedBatches()
    {
        postgres.SkipIfMissing();
        var service = "retention-" + Guid.NewGuid().ToString("N")[..8];
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        async Task<long> Scalar(string sql)
        {
            await using var command = new NpgsqlCommand(sql.Replace("@s", $"'{service}'"), db);
            return Convert.ToInt64(await command.ExecuteScalarAsync());
        }

        // Partition 1: 30 old entries, the cursor after the 20th. Partition 2: 10 old entries, no consumer yet. 5 recent entries.
        await Scalar("""
            INSERT INTO og_change_log (service_id, partition, stream_key, order_id, sequence, payload, committed_at)
            SELECT @s, 1, 'o' || g, 'SLR-o' || g, 1, '{}'::jsonb, now() - interval '10 days' FROM generate_series(1, 30) g;
            INSERT INTO og_change_log (service_id, partition, stream_key, order_id, sequence, payload, committed_at)
            SELECT @s, 2, 'p' || g, 'SLR-p' || g, 1, '{}'::jsonb, now() - interval '10 days' FROM generate_series(1, 10) g;
            INSERT INTO og_change_log (service_id, partition, stream_key, order_id, sequence, payload)
            SELECT @s, 1, 'r' || g, 'SLR-r' || g, 1, '{}'::jsonb FROM generate_series(1, 5) g;
            INSERT INTO og_log_cursor (service_id, consumer, partition, txid, position)
            SELECT @s, 'marketplace-mirror', 1, txid, position FROM og_change_log
            WHERE service_id = @s AND partition = 1 AND stream_key = 'o20';
            SELECT 0
            """);
        var firstBatch = await Scalar("SELECT og_purge_change_log(@s, interval '7 days', 15)");
        var secondBatch = await Scalar("SELECT og_purge_change_log(@s, interval '7 days', 15)");
        var left = await Scalar("SELECT count(*) FROM og_change_log WHERE service_id = @s");

        Assert.Equal(15, firstBatch);  // bounded by the batch
        Assert.Equal(5, secondBatch);  // 20 read and old in partition 1; partition 2 has no consumer; recent ones stay
        Assert.Equal(45 - 20, left);

        await Scalar("""
            INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
            SELECT g, 0, 0, 7, 'idempotency', 'k' || g, @s, NULL, now() - (CASE WHEN g <= 8 THEN interval '3 days' ELSE interval '1 hour' END), 1
            FROM generate_series(1, 12) g;
            SELECT 0
            """);
        var keys = await Scalar("SELECT og_purge_idempotency(@s, interval '24 hours', 1000)");
        var keysLeft = await Scalar("SELECT count(*) FROM OrleansStorage WHERE ServiceId = @s AND GrainTypeString = 'idempotency'");

        Assert.Equal(8, keys);
        Assert.Equal(4, keysLeft);
    }
}

/// <summary>The silo wakes the reader of the partition SQL appends to: both compute the same partition for every key.</summary>
[Collection(PostgresCollection.Name)]
public class ChangeLogPartitionTests(Postgres postgres)
{
    [SkippableFact]
    public async Task PartitionOfAKey_IsTheSameInCSharpAndInSql()
    {
        postgres.SkipIfMissing();
        var keys = Enumerable.Range(0, 500).Select(i => $"v{Guid.NewGuid():N}-{i:00}").Append("").Append("ä-ünïcode-01").ToList();
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT k, og_log_partition(k) FROM unnest($1::text[]) AS k", db);
        command.Parameters.Add(new() { Value = keys.ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var seen = new HashSet<int>();
        var checkedKeys = 0;
        while (await reader.ReadAsync())
        {
            Assert.Equal(OrderGrains.Grains.ChangeLogPartitions.Of(reader.GetString(0)), reader.GetInt32(1));
            seen.Add(reader.GetInt32(1));
            checkedKeys++;
        }
        Assert.Equal(keys.Count, checkedKeys);
        Assert.Equal(OrderGrains.Grains.ChangeLogPartitions.Count, seen.Count); // every partition is used
    }
}
