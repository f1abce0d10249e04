using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// An order's state row is found by its key even on a young database, whose table has no statistics yet: the plan a
/// pooled connection caches for the state read and for the write function's UPDATE walks the grain-key index, never
/// an index over every row of a kind (migrations/0011: the idempotency purge's index took them and walked every
/// order of the kind, 4.9 ms per seller write over 20,000 rows instead of 0.1 ms; scripts/state-write-plan.sh).
/// </summary>
[Collection(PostgresCollection.Name)]
public class StateLookupTests(Postgres postgres)
{
    [SkippableFact]
    public async Task OnATableWithoutStatistics_TheCachedPlansOfTheStateReadAndWrite_FindTheRowByItsKey()
    {
        postgres.SkipIfMissing();
        // A fresh database: the shared one has statistics from the tests before.
        await using var db = new NpgsqlConnection(await postgres.NewDatabase("og_plan_", migrated: true));
        await db.OpenAsync();
        async Task<List<string>> Run(string sql)
        {
            await using var command = new NpgsqlCommand(sql, db);
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            do { while (await reader.ReadAsync()) lines.Add(reader.GetValue(0)?.ToString() ?? ""); } while (await reader.NextResultAsync());
            return lines;
        }
        await Run("""
            INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
            SELECT i, 0, 0, 2, 'sellerOrder', 'SLR-p' || i || '-01', 'plan', convert_to(repeat('x', 1500), 'UTF8'), now(), 1
            FROM generate_series(1, 20000) AS i
            """);

        // The plans a pooled connection keeps: generic ones, made with what the planner knows now (no statistics).
        await Run("SET plan_cache_mode = force_generic_plan");
        const string Key = """
            GrainIdHash = $1 AND GrainTypeHash = $4 AND ServiceId = $7 AND GrainTypeString = $5 AND GrainIdN0 = $2 AND GrainIdN1 = $3
              AND (GrainIdExtensionString IS NULL) = ($6 IS NULL) AND COALESCE(GrainIdExtensionString, '') = COALESCE($6, '')
            """;
        await Run($"PREPARE state_read(integer, integer, text, text, bigint, bigint, text) AS {OrderGrains.Silo.GroupCommitStorage.ReadSql}");
        await Run("PREPARE state_write(integer, bigint, bigint, integer, text, text, text, integer, bytea) AS " +
                  $"UPDATE OrleansStorage SET PayloadBinary = $9, ModifiedOn = now(), Version = Version + 1 WHERE {Key} AND Version = $8");
        var read = string.Join('\n', await Run("EXPLAIN EXECUTE state_read(5, 2, 'plan', 'sellerOrder', 0, 0, 'SLR-p5-01')"));
        var write = string.Join('\n', await Run("EXPLAIN EXECUTE state_write(5, 0, 0, 2, 'sellerOrder', 'SLR-p5-01', 'plan', 1, '\\x00')"));
        var idempotencyPurge = string.Join('\n', await Run(
            "EXPLAIN SELECT ctid FROM OrleansStorage WHERE ServiceId = 'plan' AND GrainTypeString = 'idempotency' AND ModifiedOn < now() - interval '1 day' LIMIT 1000"));

        Assert.Contains("Index Scan using ux_orleansstorage_grain", read);
        Assert.Contains("Index Scan using ux_orleansstorage_grain", write);
        Assert.Contains("ix_orleansstorage_idempotency_age", idempotencyPurge); // the purge still finds old keys by age
    }
}
