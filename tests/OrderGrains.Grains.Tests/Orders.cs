using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>Drives orders through grains the way the gateway does, and waits for the mirror to agree.</summary>
public sealed class Orders(IGrainFactory grains)
{
    public const long Total = 1000;

    public sealed record Pair(string OrderId, string SellerOrderId, IMarketplaceOrderGrain Marketplace, ISellerOrderGrain Seller);

    public async Task<Pair> Place()
    {
        var group = "v" + Guid.NewGuid().ToString("N")[..12];
        var reply = await grains.GetGrain<IOrderGroupGrain>(group)
            .Place(new PlaceOrderGroup("SLR", [new GroupItem("seller1", "sku1", 2, Total / 2)]));
        Assert.Equal(CommandOutcome.Accepted, reply.Outcome);
        var placed = reply.Orders.Single();
        return new Pair(placed.OrderId, placed.SellerOrderId,
            grains.GetGrain<IMarketplaceOrderGrain>(placed.OrderId), grains.GetGrain<ISellerOrderGrain>(placed.SellerOrderId));
    }

    /// <summary>Placed, paid, past the window (zero in <see cref="WorkflowCluster"/>), handling.</summary>
    public async Task<Pair> InHandling()
    {
        var pair = await Place();
        Assert.Equal(CommandOutcome.Accepted, (await pair.Marketplace.ApprovePayment()).Outcome);
        await WaitForSeller(pair, SellerOrderStatus.ReadyForHandling);
        Assert.Equal(CommandOutcome.Accepted, (await pair.Seller.StartHandling()).Outcome);
        await WaitForAgreement(pair);
        return pair;
    }

    public static Invoice FullInvoice(string number = "INV-1", long value = Total) =>
        new(number, value, DateTimeOffset.UtcNow, [new InvoiceItem("sku1", 2, Total / 2)]);

    public static async Task<SellerOrderView> WaitForSeller(Pair pair, SellerOrderStatus status, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var view = await pair.Seller.GetView();
            if (view?.Status == status) return view;
            if (DateTime.UtcNow > until) throw new TimeoutException($"seller order {pair.SellerOrderId} is {view?.Status}, expected {status}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the marketplace has applied the seller's latest change (through the stream) and checks §5.3.</summary>
    public static async Task<(MarketplaceOrderView Marketplace, SellerOrderView Seller)> WaitForAgreement(Pair pair, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var seller = (await pair.Seller.GetView())!;
            var marketplace = (await pair.Marketplace.GetView())!;
            if (marketplace.Seller?.Sequence == seller.Sequence)
            {
                Assert.Equal(MarketplaceOrderDecider.Expected(marketplace.Payment, seller), marketplace.Status);
                return (marketplace, seller);
            }
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"marketplace {pair.OrderId} applied seller sequence {marketplace.Seller?.Sequence}, seller is at {seller.Sequence}");
            await Task.Delay(20);
        }
    }
}
