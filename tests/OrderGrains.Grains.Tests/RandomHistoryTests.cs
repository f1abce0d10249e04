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
    [Fact]
    public async Task RandomHistories_EveryAnswerIsExplainedBySomeSerialOrder_AndPairsAgreeAtRest()
    {
        var options = new CheckerOptions(CheckerOptions.CountFromEnvironment("ORDERGRAINS_HISTORIES", 1000), Parallel: 16, CheckerOptions.SeedFromEnvironment) { RaceDeadlinesWithin = TimeSpan.FromMilliseconds(400) };
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
        var placed = await new Orders(grains).Place();
        var group = (await placed.Marketplace.GetView())!.OrderGroup;
        return new Pair(placed.OrderId, group, placed.SellerOrderId, placed.Marketplace, placed.Seller);
    }

    private sealed class Pair(string orderId, string group, string sellerOrderId, IMarketplaceOrderGrain m, ISellerOrderGrain s)
        : GrainBackedPair(orderId, group, sellerOrderId, m, s)
    {
        public override async Task<Answer> Run(Cmd c) => c.Act switch
        {
            Act.PaymentApproved => Answer.Of(await MarketplaceGrain.ApprovePayment()),
            Act.PaymentDenied => Answer.Of(await MarketplaceGrain.DenyPayment()),
            Act.MarketplaceCancel => Answer.Of(await MarketplaceGrain.Cancel(Actor.Marketplace, "random", null)),
            Act.CustomerCancel => Answer.Of(await MarketplaceGrain.Cancel(Actor.Customer, "random", "customer")),
            Act.MarketplaceWithdraw => Answer.Of(await MarketplaceGrain.WithdrawCancellationRequest(Actor.Marketplace, c.RequestId!)),
            Act.SellerCancel => Answer.Of(await SellerGrain.Cancel(Actor.Seller, "random", null)),
            Act.SellerAccept => Answer.Of(await SellerGrain.AcceptCancellationRequest(c.RequestId!)),
            Act.SellerDeny => Answer.Of(await SellerGrain.DenyCancellationRequest(c.RequestId!, "random")),
            Act.SellerWithdraw => Answer.Of(await SellerGrain.WithdrawCancellationRequest(Actor.Seller, c.RequestId!)),
            Act.StartHandling => Answer.Of(await SellerGrain.StartHandling()),
            Act.Tracking => Answer.Of(await SellerGrain.UpdateTracking("INV-x", new TrackingUpdate(false, null, []))),
            _ => Answer.Of(await SellerGrain.Invoice(HistoryCommands.InvoiceOf(c))),
        };
    }
}
