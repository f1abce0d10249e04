using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Testing.Histories;

/// <summary>A pair whose state at rest is read from its two grains, however its commands are sent (grain calls or HTTP).</summary>
public abstract class GrainBackedPair(string orderId, string orderGroup, string sellerOrderId, IMarketplaceOrderGrain marketplace, ISellerOrderGrain seller)
    : IPairUnderTest
{
    public string OrderId => orderId;
    public string OrderGroup => orderGroup;
    public string SellerOrderId => sellerOrderId;
    protected IMarketplaceOrderGrain MarketplaceGrain => marketplace;
    protected ISellerOrderGrain SellerGrain => seller;

    public abstract Task<Answer> Run(Cmd command);
    public virtual Answer Comparable(Cmd command, Answer modelled) => modelled;
    public async Task<SellerOrderView> Seller() => (await seller.GetView())!;
    public async Task<MarketplaceOrderView> Marketplace() => (await marketplace.GetView())!;
    public Task<IReadOnlyList<HistoryEntry>> SellerHistory() => seller.GetHistory();
    public Task<IReadOnlyList<HistoryEntry>> MarketplaceHistory() => marketplace.GetHistory();
}
