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
        await seller.Republish();                       // wakes the log reader: anything it redelivers is a duplicate
        await Task.Delay(1500);

        var view = (await marketplace.GetView())!;
        Assert.Equal(MarketplaceOrderStatus.Invoiced, view.Status);
        Assert.Equal(invoiced.Sequence, view.Seller!.Sequence);
        Assert.False(view.WorkflowIsInError);
        var mirrored = (await marketplace.GetHistory()).Count(h => h.Command == "seller-changed" && h.Outcome == CommandOutcome.Accepted);
        Assert.True(mirrored <= invoiced.Sequence, $"{mirrored} mirror applications for {invoiced.Sequence} seller changes");
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
