using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Bench;

public enum RaceKind { CancelVsInvoice, AcceptVsDeny }

/// <summary>One way to run the order workflow. Every backend runs the same lifecycle and the same races.</summary>
public interface IBackend : IAsyncDisposable
{
    string Name { get; }

    /// <summary>place → payment approved → window → start handling → invoice, until both orders are invoiced.</summary>
    Task Lifecycle(string id, Recorder recorder);

    /// <summary>Brings an order to handling with an open request (the seller's for cancel-vs-invoice, the marketplace's for accept-vs-deny).</summary>
    Task<string> PrepareRace(string id, RaceKind kind);

    /// <summary>Fires both commands together; true for each one that was accepted.</summary>
    Task<(bool A, bool B)> Race(string id, string requestId, RaceKind kind);
}

/// <summary>In-process, one lock per order pair, the domain's decide/evolve, nothing else: the framework-free ceiling.</summary>
public sealed class LockedDictionaryBackend : IBackend
{
    private readonly ConcurrentDictionary<string, PairLogic.Pair> pairs = new();

    public string Name => "locked dictionary";

    private T Locked<T>(string id, Func<PairLogic.Pair, T> action)
    {
        var pair = pairs.GetOrAdd(id, _ => new PairLogic.Pair());
        lock (pair) return action(pair);
    }

    public Task Lifecycle(string id, Recorder r)
    {
        r.Time("place", () => Locked(id, p => PairLogic.Place(p, id)));
        r.Time("payment", () => Locked(id, PairLogic.Pay));
        r.Time("start-handling", () => Locked(id, p => PairLogic.Seller(p, new StartHandling())));
        r.Time("invoice", () => Locked(id, p => PairLogic.Seller(p, new AddInvoice(PairLogic.FullInvoice()))));
        Check(Locked(id, p => (p.Seller.Status, p.Marketplace.Status)));
        pairs.TryRemove(id, out _); // a finished order leaves memory, as a deactivated grain does
        return Task.CompletedTask;
    }

    public Task<string> PrepareRace(string id, RaceKind kind) => Task.FromResult(Locked(id, p =>
    {
        PairLogic.Place(p, id);
        PairLogic.Pay(p);
        PairLogic.Seller(p, new StartHandling());
        return kind == RaceKind.CancelVsInvoice
            ? SellerCancel(p)
            : PairLogic.MarketplaceCancel(p).RequestId!;
    }));

    private static string SellerCancel(PairLogic.Pair p)
    {
        PairLogic.Seller(p, new CancelSellerOrder(Actor.Seller, "bench"));
        return p.Seller.OpenRequest!.Id;
    }

    public async Task<(bool A, bool B)> Race(string id, string requestId, RaceKind kind)
    {
        Func<CommandOutcome> a = kind == RaceKind.CancelVsInvoice
            ? () => Locked(id, p => PairLogic.MarketplaceCancel(p).Outcome)
            : () => Locked(id, p => PairLogic.Seller(p, new AcceptCancellationRequest(requestId)));
        Func<CommandOutcome> b = kind == RaceKind.CancelVsInvoice
            ? () => Locked(id, p => PairLogic.Seller(p, new AddInvoice(PairLogic.FullInvoice())))
            : () => Locked(id, p => PairLogic.Seller(p, new DenyCancellationRequest(requestId, "bench")));
        var results = await Task.WhenAll(Task.Run(a), Task.Run(b));
        pairs.TryRemove(id, out _);
        return (results[0] == CommandOutcome.Accepted, results[1] == CommandOutcome.Accepted);
    }

    internal static void Check((SellerOrderStatus Seller, MarketplaceOrderStatus Marketplace) statuses)
    {
        if (statuses != (SellerOrderStatus.Invoiced, MarketplaceOrderStatus.Invoiced))
            throw new InvalidOperationException($"lifecycle ended in {statuses}");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>What a user would hand-write: one row per order, BEGIN; SELECT … FOR UPDATE; decide; UPDATE; COMMIT.</summary>
public sealed class PostgresForUpdateBackend(NpgsqlDataSource data) : IBackend
{
    public string Name => "PostgreSQL FOR UPDATE";

    public static async Task<PostgresForUpdateBackend> Create(string connectionString)
    {
        var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 32 }.ConnectionString);
        await using var cmd = data.CreateCommand("CREATE TABLE IF NOT EXISTS bench_orders (id text PRIMARY KEY, state jsonb NOT NULL); TRUNCATE bench_orders; " +
            "CREATE TABLE IF NOT EXISTS bench_documents (id text PRIMARY KEY, document jsonb NOT NULL); TRUNCATE bench_documents;");
        await cmd.ExecuteNonQueryAsync();
        return new PostgresForUpdateBackend(data);
    }

    /// <summary>One transaction: lock the marketplace row and the seller row (always in that order), decide, write both.</summary>
    private async Task<T> Transaction<T>(string id, Func<PairLogic.Pair, T> action, bool create = false)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var pair = new PairLogic.Pair();
        if (!create)
        {
            await using var select = new NpgsqlCommand("SELECT id, state FROM bench_orders WHERE id = ANY(@ids) ORDER BY id DESC FOR UPDATE", connection, tx);
            select.Parameters.AddWithValue("ids", new[] { id, "SLR-" + id });
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var json = reader.GetString(1);
                if (reader.GetString(0) == id) pair.Marketplace = JsonSerializer.Deserialize<MarketplaceOrderState>(json, DomainJson.Options)!;
                else pair.Seller = JsonSerializer.Deserialize<SellerOrderState>(json, DomainJson.Options)!;
            }
        }
        var result = action(pair);
        if (pair.Marketplace.Document is { } document)
        {
            // The document once, in the placing transaction; the rows keep only the workflow state.
            await using var insert = new NpgsqlCommand("INSERT INTO bench_documents (id, document) VALUES (@m, @d::jsonb)", connection, tx);
            insert.Parameters.AddWithValue("m", id);
            insert.Parameters.AddWithValue("d", JsonSerializer.Serialize(document, DomainJson.Options));
            await insert.ExecuteNonQueryAsync();
            pair.Marketplace.Document = null;
        }
        await using (var upsert = new NpgsqlCommand(
            "INSERT INTO bench_orders (id, state) VALUES (@m, @ms::jsonb), (@s, @ss::jsonb) ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state", connection, tx))
        {
            upsert.Parameters.AddWithValue("m", id);
            upsert.Parameters.AddWithValue("ms", JsonSerializer.Serialize(pair.Marketplace, DomainJson.Options));
            upsert.Parameters.AddWithValue("s", "SLR-" + id);
            upsert.Parameters.AddWithValue("ss", JsonSerializer.Serialize(pair.Seller, DomainJson.Options));
            await upsert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return result;
    }

    public async Task Lifecycle(string id, Recorder r)
    {
        await r.Time("place", () => Transaction(id, p => PairLogic.Place(p, id), create: true));
        await r.Time("payment", () => Transaction(id, PairLogic.Pay));
        await r.Time("start-handling", () => Transaction(id, p => PairLogic.Seller(p, new StartHandling())));
        var statuses = await r.Time("invoice", () => Transaction(id, p =>
        {
            PairLogic.Seller(p, new AddInvoice(PairLogic.FullInvoice()));
            return (p.Seller.Status, p.Marketplace.Status);
        }));
        LockedDictionaryBackend.Check(statuses);
    }

    public async Task<string> PrepareRace(string id, RaceKind kind)
    {
        await Transaction(id, p => PairLogic.Place(p, id), create: true);
        return await Transaction(id, p =>
        {
            PairLogic.Pay(p);
            PairLogic.Seller(p, new StartHandling());
            if (kind == RaceKind.AcceptVsDeny) return PairLogic.MarketplaceCancel(p).RequestId!;
            PairLogic.Seller(p, new CancelSellerOrder(Actor.Seller, "bench"));
            return p.Seller.OpenRequest!.Id;
        });
    }

    public async Task<(bool A, bool B)> Race(string id, string requestId, RaceKind kind)
    {
        var a = kind == RaceKind.CancelVsInvoice
            ? Task.Run(() => Transaction(id, p => PairLogic.MarketplaceCancel(p).Outcome))
            : Task.Run(() => Transaction(id, p => PairLogic.Seller(p, new AcceptCancellationRequest(requestId))));
        var b = kind == RaceKind.CancelVsInvoice
            ? Task.Run(() => Transaction(id, p => PairLogic.Seller(p, new AddInvoice(PairLogic.FullInvoice()))))
            : Task.Run(() => Transaction(id, p => PairLogic.Seller(p, new DenyCancellationRequest(requestId, "bench"))));
        return ((await a) == CommandOutcome.Accepted, (await b) == CommandOutcome.Accepted);
    }

    public ValueTask DisposeAsync() => data.DisposeAsync();
}

/// <summary>The real grains, through IGrainFactory, in an in-process silo (memory or PostgreSQL profile).</summary>
public sealed class GrainsBackend(string name, IGrainFactory grains, IAsyncDisposable host) : IBackend
{
    public string Name => name;

    public IGrainFactory Grains => grains;

    /// <summary>
    /// A sale of one seller's items, placed as the HTTP gateway places it (<see cref="OrderGroups.Place"/> from the
    /// silo's grain factory: one call per seller order), not through an extra order-group grain.
    /// </summary>
    public Task<OrderGroupReply> Place(string id) =>
        OrderGroups.Place(grains, id, new PlaceOrderGroup("SLR", [new GroupItem("seller1", "sku", 2, 500)], "bench", PairLogic.Checkout));

    public async Task Lifecycle(string id, Recorder r)
    {
        var placed = await r.Time("place", () => Place(id));
        var order = placed.Orders[0];
        var marketplace = grains.GetGrain<IMarketplaceOrderGrain>(order.OrderId);
        var seller = grains.GetGrain<ISellerOrderGrain>(order.SellerOrderId);
        await r.Time("payment", () => marketplace.ApprovePayment());
        // The window (zero here) closes on the grain's timer: retry start-handling until it is ready.
        await r.Time("start-handling", async () =>
        {
            while ((await seller.StartHandling()).Outcome != CommandOutcome.Accepted) await Task.Delay(1);
        });
        await r.Time("invoice", () => seller.Invoice(PairLogic.FullInvoice()));
        // The stream hop: until the marketplace order mirrors the invoice.
        await r.Time("mirror", async () =>
        {
            while ((await marketplace.GetView())!.Status != MarketplaceOrderStatus.Invoiced) await Task.Delay(1);
        });
    }

    /// <summary>Placed, paid and handling: an order that then rests (the idle workload).</summary>
    public async Task IntoHandling(string id)
    {
        var order = (await Place(id)).Orders[0];
        await grains.GetGrain<IMarketplaceOrderGrain>(order.OrderId).ApprovePayment();
        var seller = grains.GetGrain<ISellerOrderGrain>(order.SellerOrderId);
        while ((await seller.StartHandling()).Outcome != CommandOutcome.Accepted) await Task.Delay(1);
    }

    public async Task<string> PrepareRace(string id, RaceKind kind)
    {
        var order = (await Place(id)).Orders[0];
        var marketplace = grains.GetGrain<IMarketplaceOrderGrain>(order.OrderId);
        var seller = grains.GetGrain<ISellerOrderGrain>(order.SellerOrderId);
        await marketplace.ApprovePayment();
        while ((await seller.StartHandling()).Outcome != CommandOutcome.Accepted) await Task.Delay(1);
        return kind == RaceKind.AcceptVsDeny
            ? (await marketplace.Cancel(Actor.Marketplace, "bench", null)).CancellationRequestId!
            : (await seller.Cancel(Actor.Seller, "bench", null)).CancellationRequestId!;
    }

    public async Task<(bool A, bool B)> Race(string id, string requestId, RaceKind kind)
    {
        var marketplace = grains.GetGrain<IMarketplaceOrderGrain>(id + "-01");
        var seller = grains.GetGrain<ISellerOrderGrain>("SLR-" + id + "-01");
        var a = kind == RaceKind.CancelVsInvoice
            ? Task.Run(async () => (await marketplace.Cancel(Actor.Marketplace, "bench", null)).Outcome)
            : Task.Run(async () => (await seller.AcceptCancellationRequest(requestId)).Outcome);
        var b = kind == RaceKind.CancelVsInvoice
            ? Task.Run(async () => (await seller.Invoice(PairLogic.FullInvoice())).Outcome)
            : Task.Run(async () => (await seller.DenyCancellationRequest(requestId, "bench")).Outcome);
        return ((await a) == CommandOutcome.Accepted, (await b) == CommandOutcome.Accepted);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
