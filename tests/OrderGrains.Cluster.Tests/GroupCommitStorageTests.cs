using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrderGrains.Grains;
using OrderGrains.Silo;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// Group commit (<see cref="GroupCommitStorage"/>): writes of many grains share transactions, each lands under the key the
/// ADO.NET provider reads it by, a version conflict fails only its own write, and a write PostgreSQL refuses fails alone
/// while the writes that shared its transaction commit.
/// </summary>
[Collection(PostgresCollection.Name)]
public class GroupCommitStorageTests(Postgres postgres)
{
    public sealed class Note
    {
        public string Text { get; set; } = "";
    }

    [SkippableFact]
    public async Task ManyGrainsWritingAtOnce_ShareTransactions_AndTheAdoNetProviderReadsWhatEachWrote()
    {
        postgres.SkipIfMissing();
        var (adoNet, storage) = await Storages(concurrentCommits: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        // String keys (every grain of ours), and the provider's other two key shapes.
        var ids = Enumerable.Range(0, 40).Select(i => GrainId.Create("og-test", $"{run}-{i}"))
            .Append(GrainId.Create(GrainType.Create("og-test"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())))
            .Append(GrainId.Create(GrainType.Create("og-test"), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64())))
            .Append(GrainId.Create(GrainType.Create("og-test"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "ext")))
            .ToList();
        var states = ids.Select(id => new GrainState<Note>(new Note { Text = "first " + id })).ToList();

        await using (var held = await Held(storage, run))
        {
            var writes = ids.Select((id, i) => storage.WriteStateAsync("groupCommitNote", id, states[i])).ToList();
            await held.Release();
            await Task.WhenAll(writes);
        }

        Assert.All(states, s => Assert.Equal("1", s.ETag));
        Assert.Equal(3, storage.Transactions); // the held grain's two writes, then all the others in one
        for (var i = 0; i < ids.Count; i++)
        {
            var read = new GrainState<Note>(new Note());
            await adoNet.ReadStateAsync("groupCommitNote", ids[i], read);
            Assert.True(read.RecordExists, $"{ids[i]} was not found by the ADO.NET provider");
            Assert.Equal("first " + ids[i], read.State!.Text);
            Assert.Equal("1", read.ETag);
        }

        // A second round from the versions the first returned; then the provider's own write still follows on.
        foreach (var s in states) s.State!.Text = "second";
        await Task.WhenAll(ids.Select((id, i) => storage.WriteStateAsync("groupCommitNote", id, states[i])));
        Assert.All(states, s => Assert.Equal("2", s.ETag));
        await adoNet.WriteStateAsync("groupCommitNote", ids[0], states[0]);
        Assert.Equal("3", states[0].ETag);
    }

    [SkippableFact]
    public async Task ItsOwnRead_FindsWhatTheAdoNetProviderFinds_ARow_AClearedRow_AndNoRow_UnderEveryKeyShape()
    {
        postgres.SkipIfMissing();
        var (adoNet, storage) = await Storages(concurrentCommits: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        var type = GrainType.Create("og-test");
        GrainId[] ids =
        [
            GrainId.Create("og-test", $"{run}-string"),
            GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())),
            GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64())),
            GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "ext")),
            GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(), "ext")),
        ];
        foreach (var id in ids)
        {
            await storage.WriteStateAsync("groupCommitNote", id, new GrainState<Note>(new Note { Text = "written " + id }));
            await storage.WriteStateAsync("groupCommitNote", id, new GrainState<Note>(new Note { Text = "again " + id }) { ETag = "1" });
        }
        var cleared = GrainId.Create("og-test", $"{run}-cleared");
        var toClear = new GrainState<Note>(new Note { Text = "to clear" });
        await storage.WriteStateAsync("groupCommitNote", cleared, toClear);
        await storage.ClearStateAsync("groupCommitNote", cleared, toClear);
        var missing = GrainId.Create("og-test", $"{run}-missing");

        foreach (var id in ids.Append(cleared).Append(missing))
        {
            var ours = new GrainState<Note>(new Note { Text = "left over" }) { ETag = "9" };
            var theirs = new GrainState<Note>(new Note { Text = "left over" }) { ETag = "9" };
            await storage.ReadStateAsync("groupCommitNote", id, ours);
            await adoNet.ReadStateAsync("groupCommitNote", id, theirs);
            Assert.Equal((theirs.RecordExists, theirs.ETag, theirs.State!.Text), (ours.RecordExists, ours.ETag, ours.State!.Text));
        }
        var read = new GrainState<Note>(new Note());
        await storage.ReadStateAsync("groupCommitNote", ids[3], read);
        Assert.Equal((true, "2", "again " + ids[3]), (read.RecordExists, read.ETag, read.State!.Text));
        await storage.ReadStateAsync("groupCommitNote", cleared, read);
        Assert.Equal((false, "2", ""), (read.RecordExists, read.ETag, read.State!.Text)); // the version stays: the next write expects it
        await storage.ReadStateAsync("groupCommitNote", missing, read);
        Assert.Equal((false, null, ""), (read.RecordExists, read.ETag, read.State!.Text));
    }

    [SkippableFact]
    public async Task AStaleVersionOrASecondFirstWrite_FailsOnlyItsOwnWrite_TheWritesBesideItCommit()
    {
        postgres.SkipIfMissing();
        var (adoNet, storage) = await Storages(concurrentCommits: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        var contested = await AtVersionTwo(storage, run);

        var others = Enumerable.Range(0, 20).Select(i => (Id: GrainId.Create("og-test", $"{run}-{i}"), State: new GrainState<Note>(new Note { Text = "fresh" }))).ToList();
        var stale = new GrainState<Note>(new Note { Text = "from an older activation" }) { ETag = "1" };
        var neverRead = new GrainState<Note>(new Note { Text = "from an activation that found no row" });
        await using var held = await Held(storage, run);
        var before = storage.Transactions;
        var writes = others.Select(o => storage.WriteStateAsync("groupCommitNote", o.Id, o.State)).ToList();
        var staleWrite = storage.WriteStateAsync("groupCommitNote", contested, stale);
        var firstWriteOfAnExistingRow = storage.WriteStateAsync("groupCommitNote", contested, neverRead);
        await held.Release();
        await Task.WhenAll(writes);

        await Assert.ThrowsAsync<InconsistentStateException>(() => staleWrite);
        await Assert.ThrowsAsync<InconsistentStateException>(() => firstWriteOfAnExistingRow);
        Assert.Equal(1, storage.Transactions - before); // all of them in one transaction
        Assert.All(others, o => Assert.Equal("1", o.State.ETag));
        var read = new GrainState<Note>(new Note());
        await adoNet.ReadStateAsync("groupCommitNote", contested, read);
        Assert.Equal(("one", "2"), (read.State!.Text, read.ETag));
    }

    [SkippableFact]
    public async Task AWritePostgresRefuses_FailsAlone_TheWritesThatSharedItsTransactionCommit()
    {
        postgres.SkipIfMissing();
        var (adoNet, storage) = await Storages(concurrentCommits: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        // A seller order's row appends a change-log entry; a sequence that is not a number makes PostgreSQL refuse it.
        var refused = GrainId.Create("og-test", $"{run}-refused");
        var bad = new GrainState<Dictionary<string, string>>(new() { ["marketplaceOrderId"] = $"{run}-m", ["sellerOrderId"] = $"{run}-s", ["sequence"] = "not a number" });
        var good = Enumerable.Range(0, 12).Select(i => (Id: GrainId.Create("og-test", $"{run}-{i}"), State: new GrainState<Note>(new Note { Text = "kept" }))).ToList();

        await using var held = await Held(storage, run);
        var before = storage.Transactions;
        var refusedWrite = storage.WriteStateAsync("sellerOrder", refused, bad);
        var goodWrites = good.Select(g => storage.WriteStateAsync("groupCommitNote", g.Id, g.State)).ToList();
        await held.Release();
        await Task.WhenAll(goodWrites);
        Assert.Equal(1 + 1 + good.Count, storage.Transactions - before); // together (refused), then one transaction each

        var error = await Assert.ThrowsAsync<PostgresException>(() => refusedWrite);
        Assert.Equal(PostgresErrorCodes.InvalidTextRepresentation, error.SqlState);
        foreach (var (id, state) in good)
        {
            Assert.Equal("1", state.ETag);
            var read = new GrainState<Note>(new Note());
            await adoNet.ReadStateAsync("groupCommitNote", id, read);
            Assert.Equal("kept", read.State!.Text);
        }
        var nothing = new GrainState<Dictionary<string, string>>(new());
        await adoNet.ReadStateAsync("sellerOrder", refused, nothing);
        Assert.False(nothing.RecordExists);
        Assert.Equal(0L, await LogEntries($"{run}-s"));
    }

    [SkippableFact]
    public async Task APairWrite_CommitsBothRowsTogether_AndAStaleVersionOnEitherRow_WritesNeitherWhileTheWritesBesideItCommit()
    {
        postgres.SkipIfMissing();
        var (adoNet, storage) = await Storages(concurrentCommits: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        GrainState<Dictionary<string, string>> Seller(string name) =>
            new(new() { ["marketplaceOrderId"] = $"{run}-{name}-m", ["sellerOrderId"] = $"{run}-{name}-s", ["sequence"] = "1" });

        // A pair on its own: both rows, and the seller row's change-log entry, in one transaction.
        var seller = Seller("first");
        var marketplace = new GrainState<Note>(new Note { Text = "placed with its seller order" });
        var before = storage.Transactions;
        await storage.WritePair("sellerOrder", GrainId.Create("og-test", $"{run}-first-s"), [seller], "groupCommitNote", GrainId.Create("og-test", $"{run}-first-m"), marketplace);
        Assert.Equal((1L, "1", "1"), (storage.Transactions - before, seller.ETag, marketplace.ETag));
        Assert.Equal(1L, await LogEntries($"{run}-first-s"));

        // A pair whose second row is stale, queued beside other writes: the pair fails whole (its seller row and log entry
        // are not written either), the others commit.
        var contested = await AtVersionTwo(storage, run);
        var others = Enumerable.Range(0, 10).Select(i => (Id: GrainId.Create("og-test", $"{run}-{i}"), State: new GrainState<Note>(new Note { Text = "fresh" }))).ToList();
        var doomedSeller = Seller("doomed");
        await using var held = await Held(storage, run);
        before = storage.Transactions;
        var writes = others.Select(o => storage.WriteStateAsync("groupCommitNote", o.Id, o.State)).ToList();
        var pair = storage.WritePair("sellerOrder", GrainId.Create("og-test", $"{run}-doomed-s"), [doomedSeller],
            "groupCommitNote", contested, new GrainState<Note>(new Note { Text = "stale" }) { ETag = "1" });
        await held.Release();
        await Task.WhenAll(writes);

        await Assert.ThrowsAsync<InconsistentStateException>(() => pair);
        Assert.Equal(1 + 1 + others.Count, storage.Transactions - before); // together (rolled back), then one transaction each
        Assert.All(others, o => Assert.Equal("1", o.State.ETag));
        var nothing = new GrainState<Dictionary<string, string>>(new());
        await adoNet.ReadStateAsync("sellerOrder", GrainId.Create("og-test", $"{run}-doomed-s"), nothing);
        Assert.False(nothing.RecordExists);
        Assert.Equal(0L, await LogEntries($"{run}-doomed-s"));
        var read = new GrainState<Note>(new Note());
        await adoNet.ReadStateAsync("groupCommitNote", contested, read);
        Assert.Equal(("one", "2"), (read.State!.Text, read.ETag));
    }

    [SkippableFact]
    public async Task APairWrite_ThatWritesTheSellerRowTwice_CommitsBothVersionsAndALogEntryForEach_InOneTransaction()
    {
        postgres.SkipIfMissing();
        var (adoNet, storage) = await Storages(concurrentCommits: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        var sellerId = GrainId.Create("og-test", $"{run}-s");
        GrainState<Dictionary<string, string>> Seller(string sequence, string status) =>
            new(new() { ["marketplaceOrderId"] = $"{run}-m", ["sellerOrderId"] = $"{run}-s", ["sequence"] = sequence, ["status"] = status });
        var placed = Seller("1", "order-accepted");
        await storage.WriteStateAsync("sellerOrder", sellerId, placed);

        // A payment approval whose cancellation window is already over: the window's state, then the expiry's, then the marketplace row.
        var window = Seller("2", "window-to-cancel");
        var expired = Seller("3", "ready-for-handling");
        window.ETag = placed.ETag;
        var marketplace = new GrainState<Note>(new Note { Text = "payment approved" });
        var before = storage.Transactions;
        await storage.WritePair("sellerOrder", sellerId, [window, expired], "groupCommitNote", GrainId.Create("og-test", $"{run}-m"), marketplace);

        Assert.Equal((1L, "2", "3", "1"), (storage.Transactions - before, window.ETag, expired.ETag, marketplace.ETag));
        var read = new GrainState<Dictionary<string, string>>(new());
        await adoNet.ReadStateAsync("sellerOrder", sellerId, read);
        Assert.Equal(("ready-for-handling", "3"), (read.State!["status"], read.ETag));
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        await using var log = new NpgsqlCommand("SELECT string_agg(sequence || ':' || (payload->>'status'), ',' ORDER BY sequence) FROM og_change_log WHERE order_id = $1", db);
        log.Parameters.Add(new() { Value = $"{run}-s" });
        Assert.Equal("1:order-accepted,2:window-to-cancel,3:ready-for-handling", (string)(await log.ExecuteScalarAsync())!);

        // Stale (the row is at version 3, the write names 2): neither version nor the marketplace row is written.
        var again = Seller("4", "handling");
        again.ETag = "2";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WritePair("sellerOrder", sellerId, [again, Seller("5", "invoiced")],
            "groupCommitNote", GrainId.Create("og-test", $"{run}-m2"), new GrainState<Note>(new Note { Text = "never" })));
        Assert.Equal(3L, await LogEntries($"{run}-s"));
    }

    /// <summary>A row written twice ("one", version 2): a write that names version 1 is stale.</summary>
    private static async Task<GrainId> AtVersionTwo(GroupCommitStorage storage, string run)
    {
        var contested = GrainId.Create("og-test", $"{run}-contested");
        var current = new GrainState<Note>(new Note { Text = "one" });
        await storage.WriteStateAsync("groupCommitNote", contested, current);
        await storage.WriteStateAsync("groupCommitNote", contested, current);
        Assert.Equal("2", current.ETag);
        return contested;
    }

    private async Task<long> LogEntries(string sellerOrderId)
    {
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        await using var log = new NpgsqlCommand("SELECT count(*) FROM og_change_log WHERE order_id = $1", db);
        log.Parameters.Add(new() { Value = sellerOrderId });
        return (long)(await log.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Holds the only committer in a write that waits for a row lock the test holds, so the writes started meanwhile queue
    /// and go together in the next transaction once <see cref="HeldWrite.Release"/> lets it finish.
    /// </summary>
    private async Task<HeldWrite> Held(GroupCommitStorage storage, string run)
    {
        var id = GrainId.Create("og-test", $"{run}-held");
        var state = new GrainState<Note>(new Note { Text = "held" });
        await storage.WriteStateAsync("groupCommitNote", id, state);
        var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        var transaction = await db.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM OrleansStorage WHERE GrainIdExtensionString = $1 FOR UPDATE", db, transaction))
        {
            lockRow.Parameters.Add(new() { Value = $"{run}-held" });
            Assert.Equal(1, await lockRow.ExecuteScalarAsync());
        }
        var write = storage.WriteStateAsync("groupCommitNote", id, state);
        // The write is in PostgreSQL, waiting for the lock.
        await using (var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", db))
        {
            var until = DateTime.UtcNow.AddSeconds(10);
            while ((long)(await waiting.ExecuteScalarAsync())! == 0 && DateTime.UtcNow < until) await Task.Delay(20);
        }
        return new HeldWrite(db, transaction, write);
    }

    private sealed class HeldWrite(NpgsqlConnection db, NpgsqlTransaction transaction, Task write) : IAsyncDisposable
    {
        public async Task Release()
        {
            await Task.Delay(100); // the writes the test started are queued by now (they queue synchronously)
            await transaction.CommitAsync();
            await write;
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await db.DisposeAsync();
        }
    }

    /// <summary>The ADO.NET provider as the silo configures it, initialized, and the group-commit storage over it.</summary>
    private async Task<(IGrainStorage AdoNet, GroupCommitStorage Storage)> Storages(int concurrentCommits)
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var connectionString = OrderGrains.Api.PostgresConnections.ForOrleans(postgres.ConnectionString!);
        var options = new AdoNetGrainStorageOptions { Invariant = "Npgsql", ConnectionString = connectionString, GrainStorageSerializer = new DomainJsonStorageSerializer() };
        var adoNet = new AdoNetGrainStorage(services.GetRequiredService<IActivatorProvider>(), NullLogger<AdoNetGrainStorage>.Instance,
            Options.Create(options), Options.Create(new ClusterOptions { ServiceId = "og-test-service", ClusterId = "og-test" }), "orders-adonet");
        var lifecycle = new StartOnly();
        adoNet.Participate(lifecycle);
        await lifecycle.Start();
        var storage = new GroupCommitStorage(adoNet, NpgsqlDataSource.Create(connectionString), "og-test-service", new DomainJsonStorageSerializer(),
            new GroupCommitOptions { ConcurrentCommits = concurrentCommits }, NullLogger<GroupCommitStorage>.Instance);
        return (adoNet, storage);
    }

    /// <summary>Just enough of a silo's lifecycle to run the provider's initialization (it reads its queries).</summary>
    private sealed class StartOnly : ISiloLifecycle
    {
        private readonly List<ILifecycleObserver> observers = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            observers.Add(observer);
            return new NoOp();
        }

        public async Task Start()
        {
            foreach (var observer in observers) await observer.OnStart(CancellationToken.None);
        }

        private sealed class NoOp : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
