using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// One seller (fulfilment) order, keyed by its seller order id (<c>SLR-v527103anml-01</c>).
/// The source of truth for fulfilment. Every method answers with the outcome and the order's state after it.
/// Commands take an optional <see cref="Access"/>: the gateway's caller and expected version, checked in the grain's turn.
/// </summary>
[Alias("OrderGrains.ISellerOrderGrain")]
public interface ISellerOrderGrain : IGrainWithStringKey
{
    [Alias("Place")] Task<SellerReply> Place(PlaceSellerOrder command);

    /// <summary>The marketplace authorizes fulfilment (payment approved): the cancellation window opens.</summary>
    [Alias("AuthorizeFulfillment")] Task<SellerReply> AuthorizeFulfillment();

    [Alias("StartHandling")] Task<SellerReply> StartHandling(Access? access = null);

    /// <summary>A cancel by the marketplace, the customer or the seller: applied at once inside the window, else a request.</summary>
    [Alias("Cancel")] Task<SellerReply> Cancel(Actor by, string reason, string? requestedByUser, Access? access = null);

    [Alias("AcceptCancellationRequest")] Task<SellerReply> AcceptCancellationRequest(string requestId, Access? access = null);

    [Alias("DenyCancellationRequest")] Task<SellerReply> DenyCancellationRequest(string requestId, string? denyReason, Access? access = null);

    [Alias("WithdrawCancellationRequest")] Task<SellerReply> WithdrawCancellationRequest(Actor by, string requestId, Access? access = null);

    [Alias("Invoice")] Task<SellerReply> Invoice(Invoice invoice, Access? access = null);

    /// <summary>VTEX's PATCH of an invoice: courier, tracking number and URL, dispatch date; the status does not change.</summary>
    [Alias("UpdateInvoice")] Task<SellerReply> UpdateInvoice(string invoiceNumber, InvoiceShipping shipping, Access? access = null);

    [Alias("UpdateTracking")] Task<SellerReply> UpdateTracking(string invoiceNumber, TrackingUpdate tracking, Access? access = null);

    /// <summary>The order as it is now, or null if it was never placed.</summary>
    [Alias("GetView")] Task<SellerOrderView?> GetView();

    [Alias("GetHistory")] Task<IReadOnlyList<HistoryEntry>> GetHistory();

    /// <summary>Wakes the change-log reader of this order's partition (ops and tests: redeliver now, not at the next poll).</summary>
    [Alias("Republish")] Task Republish();

    /// <summary>Applies the order's deadline if it is due (the deadline sweep calls it; nothing happens if none is due).</summary>
    [Alias("FireDeadline")] Task FireDeadline();

    /// <summary>Ops: applies the deadline's default outcome now if the deadline is due (never before), with an audit line.</summary>
    [Alias("FireDueDeadline")] Task<RepairReply> FireDueDeadline(Repair repair);

    /// <summary>Ops: records a repair that changed nothing of this order's own (a redelivery to a consumer) as an audit line.</summary>
    [Alias("RecordRepair")] Task RecordRepair(Repair repair, string command, string whatChanged);
}
