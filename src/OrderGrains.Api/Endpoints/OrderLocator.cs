using OrderGrains.Api.Auth;
using OrderGrains.Contracts;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Api.Endpoints;

/// <summary>
/// An order as addressed by a URL: a marketplace order id or a seller order id. The addressed side is always loaded;
/// the marketplace side of a seller order addressed by its seller is not (nothing the seller does needs it).
/// </summary>
public sealed record LocatedOrder(string AddressedId, bool AddressedIsSeller, MarketplaceOrderView? Marketplace, SellerOrderView? Seller)
{
    /// <summary>The order's document, when it was read with the marketplace order (<see cref="OrderLocator.FindWithDocument"/>).</summary>
    public MarketplaceOrderRead? Read { get; init; }

    public string MarketplaceOrderId => Marketplace?.MarketplaceOrderId ?? Seller!.MarketplaceOrderId;
    public string SellerOrderId => Seller?.SellerOrderId ?? Marketplace!.SellerOrderId;

    /// <summary>The addressed order's version: its ETag.</summary>
    public long Version => AddressedIsSeller ? Seller!.Sequence : Marketplace!.Sequence;
}

/// <summary>Finds an order for a caller. An order the caller may not see is reported as not found (404, never 403).</summary>
public sealed class OrderLocator(IGrainFactory grains)
{
    public Task<LocatedOrder?> Find(Caller caller, string orderId) => Find(caller, orderId, withDocument: false);

    /// <summary>
    /// As <see cref="Find"/>, and a marketplace order addressed by its id comes with its document in the same call (Get
    /// order's common case: one grain call).
    /// </summary>
    public Task<LocatedOrder?> FindWithDocument(Caller caller, string orderId) => Find(caller, orderId, withDocument: true);

    private async Task<LocatedOrder?> Find(Caller caller, string orderId, bool withDocument)
    {
        // Sellers address their seller order ids, everyone else marketplace order ids: ask that grain first, so the
        // common case costs one or two reads and does not activate an empty grain of the other kind for the id.
        var located = caller.Role == Role.Seller
            ? await AsSellerOrder(orderId, withMarketplace: false) ?? await AsMarketplaceOrder(orderId, caller, withDocument)
            : await AsMarketplaceOrder(orderId, caller, withDocument) ?? await AsSellerOrder(orderId, withMarketplace: true);
        return located is not null && Visible(caller, located) ? located : null;
    }

    private async Task<LocatedOrder?> AsMarketplaceOrder(string orderId, Caller caller, bool withDocument)
    {
        var order = grains.MarketplaceOrder(orderId);
        var read = withDocument ? await order.Read() : null;
        if ((withDocument ? read?.View : await order.GetView()) is not { } marketplace)
        {
            return null;
        }
        var seller = caller.Role == Role.Seller
            ? await grains.SellerOrder(marketplace.SellerOrderId).GetView()
            : marketplace.Seller;
        return new LocatedOrder(orderId, false, marketplace, seller) { Read = read };
    }

    /// <summary>A seller needs only its own order to be checked and served; others need the marketplace side for tenancy.</summary>
    private async Task<LocatedOrder?> AsSellerOrder(string orderId, bool withMarketplace)
    {
        if (await grains.SellerOrder(orderId).GetView() is not { } seller)
        {
            return null;
        }
        var marketplace = withMarketplace ? await grains.MarketplaceOrder(seller.MarketplaceOrderId).GetView() : null;
        return new LocatedOrder(orderId, true, marketplace, seller);
    }

    private static bool Visible(Caller caller, LocatedOrder order) => caller.Role switch
    {
        Role.Ops => true,
        Role.Marketplace => order.Marketplace?.Account == caller.Account,
        Role.Seller => (order.Seller?.SellerId ?? order.Marketplace?.SellerId) == caller.SellerId,
        _ => false,
    };
}
