using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// One marketplace order, keyed by its id (<c>v527103anml-01</c>). Owns payment; mirrors its seller order
/// from the seller's stream and from the seller's answers to the calls it forwards.
/// </summary>
[Alias("OrderGrains.IMarketplaceOrderGrain")]
public interface IMarketplaceOrderGrain : IGrainWithStringKey
{
    /// <summary>Creates this order and its seller order.</summary>
    [Alias("Place")] Task<MarketplaceReply> Place(PlaceMarketplaceOrder command);

    [Alias("ApprovePayment")] Task<MarketplaceReply> ApprovePayment();

    [Alias("DenyPayment")] Task<MarketplaceReply> DenyPayment();

    /// <summary>A cancel by the marketplace or the customer, decided by the seller order within this call.</summary>
    [Alias("Cancel")] Task<MarketplaceReply> Cancel(Actor by, string reason, string? requestedByUser);

    [Alias("WithdrawCancellationRequest")] Task<MarketplaceReply> WithdrawCancellationRequest(Actor by, string requestId);

    [Alias("GetView")] Task<MarketplaceOrderView?> GetView();

    [Alias("GetHistory")] Task<IReadOnlyList<HistoryEntry>> GetHistory();

    /// <summary>Pulls the seller order's state and applies it if newer (what a gap or the reconcile timer does).</summary>
    [Alias("Reconcile")] Task<MarketplaceOrderView?> Reconcile();

    /// <summary>Applies one seller event as if the stream had delivered it (tests and ops inject duplicates, gaps and stale events).</summary>
    [Alias("Deliver")] Task Deliver(SellerOrderChanged change);
}
