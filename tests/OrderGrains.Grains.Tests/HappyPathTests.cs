using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

[Collection(WorkflowCollection.Name)]
public class HappyPathTests(WorkflowCluster cluster)
{
    [Fact]
    public async Task Lifecycle_PartialThenFullInvoice_BothOrdersInvoiced()
    {
        var pair = await cluster.Orders.Place();
        Assert.Equal(MarketplaceOrderStatus.PaymentPending, (await pair.Marketplace.GetView())!.Status);
        Assert.Equal(SellerOrderStatus.OrderAccepted, (await pair.Seller.GetView())!.Status);

        var paid = await pair.Marketplace.ApprovePayment();
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, paid.Order!.Status);

        await Orders.WaitForSeller(pair, SellerOrderStatus.ReadyForHandling);
        Assert.Equal(CommandOutcome.Accepted, (await pair.Seller.StartHandling()).Outcome);

        var partial = await pair.Seller.Invoice(Orders.FullInvoice("INV-1", 400));
        Assert.Equal(SellerOrderStatus.Handling, partial.Seller!.Status);
        var (marketplace, _) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, marketplace.Status);

        var full = await pair.Seller.Invoice(Orders.FullInvoice("INV-2", 600));
        Assert.Equal(SellerOrderStatus.Invoiced, full.Seller!.Status);
        (marketplace, var seller) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.Invoiced, marketplace.Status);
        Assert.Equal(2, seller.Invoices.Count);

        var sellerHistory = await pair.Seller.GetHistory();
        Assert.Equal(["place", "authorize-fulfillment", "window-expired", "start-handling", "invoice", "invoice"], sellerHistory.Select(h => h.Command));
        Assert.All(sellerHistory, h => Assert.Equal(CommandOutcome.Accepted, h.Outcome));
    }

    [Fact]
    public async Task Invoice_SameNumberTwice_ReplayedWithoutSecondTransition()
    {
        var pair = await cluster.Orders.InHandling();
        await pair.Seller.Invoice(Orders.FullInvoice());

        var again = await pair.Seller.Invoice(Orders.FullInvoice());

        Assert.Equal(CommandOutcome.Replayed, again.Outcome);
        Assert.Single(again.Seller!.Invoices);
    }

    [Fact]
    public async Task Tracking_OnInvoicedOrder_KeepsInvoicedAndReachesMarketplace()
    {
        var pair = await cluster.Orders.InHandling();
        await pair.Seller.Invoice(Orders.FullInvoice());

        var tracked = await pair.Seller.UpdateTracking("INV-1", new TrackingUpdate(true, DateTimeOffset.UtcNow, []));

        Assert.Equal(CommandOutcome.Accepted, tracked.Outcome);
        var (marketplace, seller) = await Orders.WaitForAgreement(pair);
        Assert.Equal(SellerOrderStatus.Invoiced, seller.Status);
        Assert.True(marketplace.Seller!.Tracking["INV-1"].IsDelivered);
    }

    [Fact]
    public async Task PaymentDenied_BothOrdersCanceled()
    {
        var pair = await cluster.Orders.Place();

        var denied = await pair.Marketplace.DenyPayment();

        Assert.Equal(MarketplaceOrderStatus.Canceled, denied.Order!.Status);
        Assert.Equal(SellerOrderStatus.Canceled, (await pair.Seller.GetView())!.Status);
    }

    [Fact]
    public async Task OrderGroup_TwoSellers_SplitsIntoTwoOrdersAndReplaysOnSecondPlace()
    {
        var group = "v" + Guid.NewGuid().ToString("N")[..12];
        var command = new Contracts.PlaceOrderGroup("SLR", [new("sellerA", "a", 1, 100), new("sellerB", "b", 1, 200), new("sellerA", "c", 2, 50)]);
        var grain = cluster.Grains.GetGrain<Contracts.IOrderGroupGrain>(group);

        var first = await grain.Place(command);
        var second = await grain.Place(command);

        Assert.Equal([$"{group}-01", $"{group}-02"], first.Orders.Select(o => o.OrderId));
        Assert.Equal($"SLR-{group}-01", first.Orders[0].SellerOrderId);
        Assert.Equal([200L, 200L], first.Orders.Select(o => o.Value));
        Assert.Equal(CommandOutcome.Replayed, second.Outcome);
        Assert.Equal(first.Orders, second.Orders);
    }

    [Fact]
    public async Task OrderGroup_PlacedAgainAfterItsOrdersWereCollected_ReplaysFromTheStoredRows_AndOtherContentIsRefused()
    {
        // A new marketplace order places without reading its row first (the pair write expects none); placed again once its
        // activation is gone, that write finds the row, fails whole, and the placement runs again on the row read.
        var group = "v" + Guid.NewGuid().ToString("N")[..12];
        var command = new Contracts.PlaceOrderGroup("SLR", [new("sellerA", "a", 1, 100)], "acme");
        var grain = cluster.Grains.GetGrain<Contracts.IOrderGroupGrain>(group);
        var first = await grain.Place(command);
        Assert.Equal(CommandOutcome.Accepted, first.Outcome);
        var marketplace = cluster.Grains.GetGrain<Contracts.IMarketplaceOrderGrain>(first.Orders[0].OrderId);
        var before = await marketplace.GetView();

        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, ChangeLogPartitions.Count).Select(p => cluster.Grains.GetGrain<Contracts.IChangeLogPartitionGrain>(p).Status()));
        var again = await grain.Place(command);
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, ChangeLogPartitions.Count).Select(p => cluster.Grains.GetGrain<Contracts.IChangeLogPartitionGrain>(p).Status()));
        var other = await grain.Place(new Contracts.PlaceOrderGroup("SLR", [new("sellerA", "a", 3, 100)], "acme"));

        Assert.Equal(CommandOutcome.Replayed, again.Outcome);
        Assert.Equal(first.Orders, again.Orders);
        Assert.Equal(CommandOutcome.Rejected, other.Outcome);
        var after = await marketplace.GetView();
        Assert.Equal((before!.Sequence, before.Status, before.Value, before.Seller!.Sequence), (after!.Sequence, after.Status, after.Value, after.Seller!.Sequence));
    }

    [Fact]
    public async Task OrderGroup_SameIdWithAnotherSeller_RefusedBeforeAnythingNewIsPlaced()
    {
        // The group grain keeps no state: its first order's stored group digest is what refuses the second request.
        var group = "v" + Guid.NewGuid().ToString("N")[..12];
        var grain = cluster.Grains.GetGrain<Contracts.IOrderGroupGrain>(group);
        var first = await grain.Place(new Contracts.PlaceOrderGroup("SLR", [new("sellerA", "a", 1, 100)], "acme"));

        var wider = await grain.Place(new Contracts.PlaceOrderGroup("SLR", [new("sellerA", "a", 1, 100), new("sellerB", "b", 1, 200)], "acme"));
        var otherAccount = await grain.Place(new Contracts.PlaceOrderGroup("SLR", [new("sellerA", "a", 1, 100)], "other"));

        Assert.Equal(CommandOutcome.Accepted, first.Outcome);
        Assert.Equal(CommandOutcome.Rejected, wider.Outcome);
        Assert.Equal(RejectionCodes.OrderAlreadyExists, wider.Code);
        Assert.Null(await cluster.Grains.GetGrain<Contracts.IMarketplaceOrderGrain>($"{group}-02").GetView());
        Assert.Equal(CommandOutcome.Rejected, otherAccount.Outcome);
        Assert.Equal("acme", (await cluster.Grains.GetGrain<Contracts.IMarketplaceOrderGrain>($"{group}-01").GetView())!.Account);
    }

    [Fact]
    public async Task UnknownOrder_CommandsRejectedAsNotFound()
    {
        var reply = await cluster.Grains.GetGrain<Contracts.ISellerOrderGrain>("SLR-nope-01").StartHandling();

        Assert.Equal(RejectionCodes.OrderNotFound, reply.Code);
        Assert.Null(await cluster.Grains.GetGrain<Contracts.IMarketplaceOrderGrain>("nope-01").GetView());
    }
}
