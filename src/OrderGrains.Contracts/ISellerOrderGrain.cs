using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// One seller (fulfilment) order, keyed by its seller order id (<c>SLR-v527103anml-01</c>).
/// The source of truth for fulfilment. Every method answers with the outcome and the order's state after it.
/// </summary>
[Alias("OrderGrains.ISellerOrderGrain")]
public interface ISellerOrderGrain : IGrainWithStringKey
{
    [Alias("Place")] Task<SellerReply> Place(PlaceSellerOrder command);

    /// <summary>The marketplace authorizes fulfilment (payment approved): the cancellation window opens.</summary>
    [Alias("AuthorizeFulfillment")] Task<SellerReply> AuthorizeFulfillment();

    [Alias("StartHandling")] Task<SellerReply> StartHandling();

    /// <summary>A cancel by the marketplace, the customer or the seller: applied at once inside the window, else a request.</summary>
    [Alias("Cancel")] Task<SellerReply> Cancel(Actor by, string reason, string? requestedByUser);

    [Alias("AcceptCancellationRequest")] Task<SellerReply> AcceptCancellationRequest(string requestId);

    [Alias("DenyCancellationRequest")] Task<SellerReply> DenyCancellationRequest(string requestId, string? denyReason);

    [Alias("WithdrawCancellationRequest")] Task<SellerReply> WithdrawCancellationRequest(Actor by, string requestId);

    [Alias("Invoice")] Task<SellerReply> Invoice(Invoice invoice);

    [Alias("UpdateTracking")] Task<SellerReply> UpdateTracking(string invoiceNumber, TrackingUpdate tracking);

    /// <summary>The order as it is now, or null if it was never placed.</summary>
    [Alias("GetView")] Task<SellerOrderView?> GetView();

    [Alias("GetHistory")] Task<IReadOnlyList<HistoryEntry>> GetHistory();

    /// <summary>Re-publishes the current state on the stream (ops and tests: repairs a lost event).</summary>
    [Alias("Republish")] Task Republish();
}
