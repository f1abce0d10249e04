using OrderGrains.Api.Auth;
using OrderGrains.Contracts;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Api.Endpoints;

/// <summary>An order as addressed by a URL: a marketplace order id or a seller order id, with both sides loaded.</summary>
public sealed record LocatedOrder(string AddressedId, bool AddressedIsSeller, MarketplaceOrderView? Marketplace, SellerOrderView? Seller)
{
    public string MarketplaceOrderId => Marketplace?.MarketplaceOrderId ?? Seller!.MarketplaceOrderId;
    public string SellerOrderId => Seller?.SellerOrderId ?? Marketplace!.SellerOrderId;

    /// <summary>The addressed order's version: its ETag.</summary>
    public long Version => AddressedIsSeller ? Seller!.Sequence : Marketplace!.Sequence;
}

/// <summary>Finds an order for a caller. An order the caller may not see is reported as not found (404, never 403).</summary>
public sealed class OrderLocator(IGrainFactory grains)
{
    public async Task<LocatedOrder?> Find(Caller caller, string orderId)
    {
        LocatedOrder located;
        if (await grains.GetGrain<IMarketplaceOrderGrain>(orderId).GetView() is { } marketplace)
        {
            var seller = caller.Role == Role.Seller
                ? await grains.GetGrain<ISellerOrderGrain>(marketplace.SellerOrderId).GetView()
                : marketplace.Seller;
            located = new LocatedOrder(orderId, false, marketplace, seller);
        }
        else if (await grains.GetGrain<ISellerOrderGrain>(orderId).GetView() is { } seller)
        {
            located = new LocatedOrder(orderId, true, await grains.GetGrain<IMarketplaceOrderGrain>(seller.MarketplaceOrderId).GetView(), seller);
        }
        else
        {
            return null;
        }
        return Visible(caller, located) ? located : null;
    }

    private static bool Visible(Caller caller, LocatedOrder order) => caller.Role switch
    {
        Role.Ops => true,
        Role.Marketplace => order.Marketplace?.Account == caller.Account,
        Role.Seller => (order.Seller?.SellerId ?? order.Marketplace?.SellerId) == caller.SellerId,
        _ => false,
    };
}
