using Microsoft.Extensions.Time.Testing;
using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// Every waiting status has a deadline and a default outcome, and it fires at its time, not before: on a fake workflow
/// clock (VTEX's 30-minute window and 30-day deadlines), moved by the test. The order's own deadline handler is called
/// a millisecond before and at the deadline; the last test leaves it to the partition's sweep.
/// </summary>
[Collection(DeadlineCollection.Name)]
public class DeadlineTests(DeadlineCluster cluster)
{
    private static FakeTimeProvider Clock => DeadlineCluster.Clock;

    /// <summary>Moves the clock to a millisecond before the deadline (nothing may fire), then to the deadline (it must).</summary>
    private static async Task<SellerOrderView> FireAt(Orders.Pair pair, DateTimeOffset deadline, SellerOrderStatus waiting)
    {
        Clock.SetUtcNow(deadline - TimeSpan.FromMilliseconds(1));
        await pair.Seller.FireDeadline();
        Assert.Equal(waiting, (await pair.Seller.GetView())!.Status);

        Clock.SetUtcNow(deadline);
        await pair.Seller.FireDeadline();
        var seller = (await pair.Seller.GetView())!;
        Assert.NotEqual(waiting, seller.Status);
        Assert.Equal(deadline, seller.LastChange);
        return seller;
    }

    [Fact]
    public async Task CancellationWindow_Expires_SellerReadyForHandlingAtItsEnd()
    {
        var pair = await cluster.Orders.Place();
        var authorized = await pair.Marketplace.ApprovePayment();
        var windowEndsAt = (await pair.Seller.GetView())!.NextDeadline!.Value;
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(30), windowEndsAt);

        var seller = await FireAt(pair, windowEndsAt, SellerOrderStatus.WindowToCancel);

        Assert.Equal(SellerOrderStatus.ReadyForHandling, seller.Status);
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
    public async Task AuthorizationDeadline_NoPayment_BothCanceledAtTheDeadline()
    {
        var pair = await cluster.Orders.Place();
        var deadline = (await pair.Seller.GetView())!.NextDeadline!.Value;
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromDays(30), deadline);

        var seller = await FireAt(pair, deadline, SellerOrderStatus.OrderAccepted);

        Assert.Equal(SellerOrderStatus.Canceled, seller.Status);
        Assert.Equal(Actor.System, seller.CanceledBy);
        var (marketplace, _) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.Canceled, marketplace.Status);
    }

    [Fact]
    public async Task CancellationRequestDeadline_NobodyAnswers_BothCanceledByDefault()
    {
        var pair = await cluster.Orders.Place();
        await pair.Marketplace.ApprovePayment();
        await FireAt(pair, (await pair.Seller.GetView())!.NextDeadline!.Value, SellerOrderStatus.WindowToCancel);
        await pair.Seller.StartHandling();
        var requested = await pair.Marketplace.Cancel(Actor.Marketplace, "customer asked", null);
        Assert.Equal(MarketplaceOrderStatus.WaitingForSellerDecision, requested.Order!.Status);
        var deadline = requested.Order.Seller!.OpenRequest!.Deadline;
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromDays(30), deadline);

        var seller = await FireAt(pair, deadline, SellerOrderStatus.CancellationRequested);

        Assert.Equal(SellerOrderStatus.Canceled, seller.Status);
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
        Assert.False(await IsActive(management, "SLR-" + id));
        // The forced collection took the partition readers too; every silo's ChangeLogReaders service brings them back
        // within 15 s. Do its job now rather than wait for it.
        await Task.WhenAll(Enumerable.Range(0, ChangeLogPartitions.Count).Select(p => cluster.Grains.GetGrain<Contracts.IChangeLogPartitionGrain>(p).Status()));

        Clock.SetUtcNow(deadline);

        // Don't touch the order: a call would activate it and fire the deadline itself. The sweep (every second here)
        // finds it due and wakes it; then it is activated again.
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!await IsActive(management, "SLR-" + id))
        {
            Assert.True(DateTime.UtcNow < until, "the sweep did not wake the order within 15 s");
            await Task.Delay(50);
        }
        var seller = (await pair.Seller.GetView())!;
        Assert.Equal(SellerOrderStatus.Canceled, seller.Status);
        Assert.Equal(Actor.System, seller.CanceledBy);
        Assert.Equal(deadline, seller.LastChange);
    }

    private static async Task<bool> IsActive(IManagementGrain management, string sellerOrderId) =>
        (await management.GetDetailedGrainStatistics()).Any(s => s.GrainId.Key.ToString() == sellerOrderId);
}
