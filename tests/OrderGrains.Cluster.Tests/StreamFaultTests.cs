using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Cluster.Tests;

/// <summary>On PostgreSQL: a change delivered twice, late, or after a newer one (as the at-least-once change log may) leaves the marketplace order correct.</summary>
[Collection(PostgresCollection.Name)]
public class StreamFaultTests(Postgres postgres)
{
    [SkippableFact]
    public async Task StreamFaults_DuplicateLateAndOutOfOrder_MarketplaceStaysCorrect()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 0, new Dictionary<string, string> { ["Workflow__CancellationWindow"] = "00:00:00" });
        await cluster.Start();
        var grains = await cluster.Grains();

        var group = "vsf" + Guid.NewGuid().ToString("N")[..8];
        var placed = (await grains.GetGrain<IOrderGroupGrain>(group).Place(new PlaceOrderGroup("SLR", [new GroupItem("seller1", "sku", 1, 1000)], "acme"))).Orders.Single();
        var marketplace = grains.GetGrain<IMarketplaceOrderGrain>(placed.OrderId);
        var seller = grains.GetGrain<ISellerOrderGrain>(placed.SellerOrderId);
        await marketplace.ApprovePayment();
        await Until(async () => (await seller.GetView())!.Status == SellerOrderStatus.ReadyForHandling);
        var handling = (await seller.StartHandling()).Seller!;
        var invoiced = (await seller.Invoice(new Invoice("F1", 1000, DateTimeOffset.UtcNow, []))).Seller!;
        await Until(async () => (await marketplace.GetView())!.Status == MarketplaceOrderStatus.Invoiced);

        static SellerOrderChanged Event(SellerOrderView v) => new(Guid.NewGuid().ToString("N"), v.Sequence, "test", v);
        await marketplace.Deliver(Event(invoiced));     // twice
        await marketplace.Deliver(Event(invoiced));
        await marketplace.Deliver(Event(handling));     // late: older than what is applied

        // Each delivery was applied (or not) in its own turn: none moved the order back or forward.
        var view = (await marketplace.GetView())!;
        Assert.Equal(MarketplaceOrderStatus.Invoiced, view.Status);
        Assert.Equal(invoiced.Sequence, view.Seller!.Sequence);
        Assert.False(view.WorkflowIsInError);

        // The log redelivers the order's changes from its cursor (a republish wakes the reader), then a new change
        // (tracking) follows them: once the marketplace has applied that, everything before it in the log was delivered.
        await seller.Republish();
        var tracked = (await seller.UpdateTracking("F1", new TrackingUpdate(false, null, [new TrackingEvent("Recife", "PE", "in transit", DateTimeOffset.UtcNow)]))).Seller!;
        Assert.Equal(invoiced.Sequence + 1, tracked.Sequence);
        await Until(async () => (await marketplace.GetView())!.Seller!.Sequence == tracked.Sequence);

        view = (await marketplace.GetView())!;
        Assert.Equal(MarketplaceOrderStatus.Invoiced, view.Status);
        Assert.False(view.WorkflowIsInError);
        Assert.Equal(tracked.Tracking["F1"].Events.Count, view.Seller!.Tracking["F1"].Events.Count);
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException();
            await Task.Delay(100);
        }
    }
}
