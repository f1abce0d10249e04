using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>Every waiting status has a deadline and a default outcome; each fires within about a second of its time.</summary>
[Collection(DeadlineCollection.Name)]
public class DeadlineTests(DeadlineCluster cluster)
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task CancellationWindow_Expires_SellerReadyForHandlingOnTime()
    {
        var pair = await cluster.Orders.Place();
        var authorized = await pair.Marketplace.ApprovePayment();
        var windowEndsAt = (await pair.Seller.GetView())!.NextDeadline!.Value;

        var seller = await Orders.WaitForSeller(pair, SellerOrderStatus.ReadyForHandling, TimeSpan.FromSeconds(10));

        Assert.InRange(seller.LastChange!.Value - windowEndsAt, TimeSpan.Zero, Tolerance);
        var (marketplace, _) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, marketplace.Status);
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, authorized.Order!.Status);
    }

    [Fact]
    public async Task Cancel_InsideWindow_AppliedAtOnceToBothOrders()
    {
        var pair = await cluster.Orders.Place();
        await pair.Marketplace.ApprovePayment();

        var canceled = await pair.Marketplace.Cancel(Actor.Customer, "changed my mind", "customer@example.com");

        Assert.Equal(CommandOutcome.Accepted, canceled.Outcome);
        Assert.Equal(MarketplaceOrderStatus.Canceled, canceled.Order!.Status);
        Assert.Equal(SellerOrderStatus.Canceled, (await pair.Seller.GetView())!.Status);
    }

    [Fact]
    public async Task AuthorizationDeadline_NoPayment_BothCanceledOnTime()
    {
        var pair = await cluster.Orders.Place();
        var deadline = (await pair.Seller.GetView())!.NextDeadline!.Value;

        var seller = await Orders.WaitForSeller(pair, SellerOrderStatus.Canceled, TimeSpan.FromSeconds(10));

        Assert.InRange(seller.LastChange!.Value - deadline, TimeSpan.Zero, Tolerance);
        Assert.Equal(Actor.System, seller.CanceledBy);
        var (marketplace, _) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.Canceled, marketplace.Status);
    }

    [Fact]
    public async Task CancellationRequestDeadline_NobodyAnswers_BothCanceledByDefault()
    {
        var pair = await cluster.Orders.Place();
        await pair.Marketplace.ApprovePayment();
        await Orders.WaitForSeller(pair, SellerOrderStatus.ReadyForHandling);
        await pair.Seller.StartHandling();
        var requested = await pair.Marketplace.Cancel(Actor.Marketplace, "customer asked", null);
        Assert.Equal(MarketplaceOrderStatus.WaitingForSellerDecision, requested.Order!.Status);
        var deadline = requested.Order.Seller!.OpenRequest!.Deadline;

        var seller = await Orders.WaitForSeller(pair, SellerOrderStatus.Canceled, TimeSpan.FromSeconds(10));

        Assert.InRange(seller.LastChange!.Value - deadline, TimeSpan.Zero, Tolerance);
        Assert.Equal(RequestOutcome.CanceledAtDeadline, seller.CancellationRequests[^1].Outcome);
        var (marketplace, _) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.Canceled, marketplace.Status);
    }

    [Fact]
    public async Task Deadline_GrainsDeactivated_SweepFiresIt()
    {
        // A seller order alone: no marketplace activation pulls it back to life before its deadline.
        var id = "v" + Guid.NewGuid().ToString("N")[..12] + "-01";
        var sellerGrain = cluster.Grains.GetGrain<Contracts.ISellerOrderGrain>("SLR-" + id);
        await sellerGrain.Place(new PlaceSellerOrder("SLR-" + id, id, "seller1", [new OrderItem("sku1", 1, 100)]));
        var pair = new Orders.Pair(id, "SLR-" + id, cluster.Grains.GetGrain<Contracts.IMarketplaceOrderGrain>(id), sellerGrain);
        var deadline = (await pair.Seller.GetView())!.NextDeadline!.Value;
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);

        await management.ForceActivationCollection(TimeSpan.Zero);
        // The order's timer went with its activation: only the sweep can fire the deadline now.
        var sellerActivations = (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains("SellerOrderGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        Assert.Equal(0, sellerActivations);
        // The forced collection took the partition readers too; every silo's ChangeLogReaders service brings them back
        // within 15 s. Do its job now rather than wait for it.
        await Task.WhenAll(Enumerable.Range(0, ChangeLogPartitions.Count).Select(p => cluster.Grains.GetGrain<Contracts.IChangeLogPartitionGrain>(p).Status()));
        // Don't touch the order until well after its deadline: a call would reactivate it and re-arm the timer.
        await Task.Delay(deadline - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(4));

        // The timer died with the activation; the partition's deadline sweep (every second here) woke the order.
        var seller = (await pair.Seller.GetView())!;
        Assert.Equal(SellerOrderStatus.Canceled, seller.Status);
        Assert.Equal(Actor.System, seller.CanceledBy);
        Assert.InRange(seller.LastChange!.Value - deadline, TimeSpan.Zero, TimeSpan.FromSeconds(2.5));
    }
}
