using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;
using OrderGrains.Testing.Histories;
using Xunit.Abstractions;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// The history checker (<see cref="HistoryChecker"/>) against the real grains of a two-silo in-process cluster, with
/// deadlines of 300 ms racing the commands. ORDERGRAINS_HISTORIES sets how many (1,000 by default; the README's full
/// run: 10,000), ORDERGRAINS_HISTORY_SEED reproduces a run.
/// </summary>
[Collection(HistoryCollection.Name)]
public class RandomHistoryTests(HistoryCluster cluster, ITestOutputHelper output)
{
    public static int Seed => Environment.GetEnvironmentVariable("ORDERGRAINS_HISTORY_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();

    public static int Histories(int byDefault) => Environment.GetEnvironmentVariable("ORDERGRAINS_HISTORIES") is { } n ? int.Parse(n) : byDefault;

    [Fact]
    public async Task RandomHistories_EveryAnswerIsExplainedBySomeSerialOrder_AndPairsAgreeAtRest()
    {
        var options = new CheckerOptions(Histories(1000), Parallel: 16, Seed) { RaceDeadlinesWithin = TimeSpan.FromMilliseconds(400) };
        output.WriteLine($"seed {options.Seed} (ORDERGRAINS_HISTORY_SEED={options.Seed} reproduces the run)");
        var started = DateTime.UtcNow;

        var report = await HistoryChecker.Run(new GrainSystem(cluster.Grains, TimeSpan.FromMilliseconds(300)), options);

        output.WriteLine($"{report} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        Assert.True(report.Failures.Count == 0, $"seed {options.Seed}: {report.Failures.Count} histories not explained; first:\n{report.Failures.FirstOrDefault()}");
        // The checker means something only if the histories raced and the deadlines fired.
        Assert.True(report.ConcurrentBatches > options.Histories, $"too few concurrent batches: {report}");
        Assert.True(report.Reordered > 0, $"no batch needed another order than the sending one: {report}");
        Assert.True(report.DeadlinesFired > options.Histories / 2, $"too few deadlines fired: {report}");
    }
}

/// <summary>The real grains, called as the gateway calls them.</summary>
public sealed class GrainSystem(IGrainFactory grains, TimeSpan deadlines) : ISystemUnderTest
{
    public string Name => "in-process cluster";
    public WorkflowTimings Timings { get; } = new(TimeSpan.Zero, deadlines, deadlines);
    public TimeSpan AgreementTimeout => TimeSpan.FromSeconds(10);
    public TimeSpan DeadlineGrace => TimeSpan.FromSeconds(5);

    public async Task<IPairUnderTest> Place()
    {
        var group = "v" + Guid.NewGuid().ToString("N")[..12];
        var reply = await grains.GetGrain<IOrderGroupGrain>(group)
            .Place(new PlaceOrderGroup("SLR", [new GroupItem("seller1", "sku1", 2, HistoryCommands.Total / 2)]));
        Assert.Equal(CommandOutcome.Accepted, reply.Outcome);
        var placed = reply.Orders.Single();
        return new Pair(placed.OrderId, group, placed.SellerOrderId,
            grains.GetGrain<IMarketplaceOrderGrain>(placed.OrderId), grains.GetGrain<ISellerOrderGrain>(placed.SellerOrderId));
    }

    private sealed record Pair(string OrderId, string OrderGroup, string SellerOrderId, IMarketplaceOrderGrain M, ISellerOrderGrain S) : IPairUnderTest
    {
        public async Task<Answer> Run(Cmd c) => c.Act switch
        {
            Act.PaymentApproved => Answer.Of(await M.ApprovePayment()),
            Act.PaymentDenied => Answer.Of(await M.DenyPayment()),
            Act.MarketplaceCancel => Answer.Of(await M.Cancel(Actor.Marketplace, "random", null)),
            Act.CustomerCancel => Answer.Of(await M.Cancel(Actor.Customer, "random", "customer")),
            Act.MarketplaceWithdraw => Answer.Of(await M.WithdrawCancellationRequest(Actor.Marketplace, c.RequestId!)),
            Act.SellerCancel => Answer.Of(await S.Cancel(Actor.Seller, "random", null)),
            Act.SellerAccept => Answer.Of(await S.AcceptCancellationRequest(c.RequestId!)),
            Act.SellerDeny => Answer.Of(await S.DenyCancellationRequest(c.RequestId!, "random")),
            Act.SellerWithdraw => Answer.Of(await S.WithdrawCancellationRequest(Actor.Seller, c.RequestId!)),
            Act.StartHandling => Answer.Of(await S.StartHandling()),
            Act.Tracking => Answer.Of(await S.UpdateTracking("INV-x", new TrackingUpdate(false, null, []))),
            _ => Answer.Of(await S.Invoice(HistoryCommands.InvoiceOf(c))),
        };

        public async Task<SellerOrderView> Seller() => (await S.GetView())!;
        public async Task<MarketplaceOrderView> Marketplace() => (await M.GetView())!;
        public Task<IReadOnlyList<HistoryEntry>> SellerHistory() => S.GetHistory();
        public Task<IReadOnlyList<HistoryEntry>> MarketplaceHistory() => M.GetHistory();
    }
}
