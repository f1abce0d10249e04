using Orleans.Concurrency;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// One marketplace order, keyed by its id (<c>v527103anml-01</c>). Owns payment; mirrors its seller order
/// from the change log and from the seller's answers to the calls it forwards. Commands take an optional
/// <see cref="Access"/>: the gateway's caller and expected version, checked in the grain's turn.
/// </summary>
[Alias("OrderGrains.IMarketplaceOrderGrain")]
public interface IMarketplaceOrderGrain : IGrainWithStringKey
{
    /// <summary>Creates this order and its seller order.</summary>
    [Alias("Place")] Task<MarketplaceReply> Place(PlaceMarketplaceOrder command);

    [Alias("ApprovePayment")] Task<MarketplaceReply> ApprovePayment(Access? access = null);

    [Alias("DenyPayment")] Task<MarketplaceReply> DenyPayment(Access? access = null);

    /// <summary>A cancel by the marketplace or the customer, decided by the seller order within this call.</summary>
    [Alias("Cancel")] Task<MarketplaceReply> Cancel(Actor by, string reason, string? requestedByUser, Access? access = null);

    [Alias("WithdrawCancellationRequest")] Task<MarketplaceReply> WithdrawCancellationRequest(Actor by, string requestId, Access? access = null);

    [Alias("GetView")] Task<MarketplaceOrderView?> GetView();

    /// <summary>The order document (customer, shipping, payment summary, totals) as placed; null for an order placed without one.</summary>
    [Alias("GetDocument")] Task<Domain.Documents.OrderDocument?> GetDocument();

    /// <summary>The view and the document in one call (Get order): null for no such order.</summary>
    [Alias("Read")] Task<MarketplaceOrderRead?> Read();

    [Alias("GetHistory")] Task<IReadOnlyList<HistoryEntry>> GetHistory();

    /// <summary>Pulls the seller order's state and applies it if newer (what a gap or an activation does).</summary>
    [Alias("Reconcile")] Task<MarketplaceOrderView?> Reconcile();

    /// <summary>Ops: takes the seller order's current state into the mirror along the table (even at a sequence it claims to have).</summary>
    [Alias("Resync")] Task<RepairReply> Resync(Repair repair);

    /// <summary>Applies one seller change as if the change log had delivered it (tests and ops inject duplicates, gaps and stale events).</summary>
    [Alias("Deliver")] Task Deliver(SellerOrderChanged change);

    /// <summary>
    /// The change log's delivery: this order's changes of one batch, in log order, in one call (each applied as
    /// <see cref="Deliver"/> applies it: exactly once by sequence).
    /// </summary>
    [Alias("DeliverAll")] Task DeliverAll(IReadOnlyList<SellerOrderChanged> changes);

    /// <summary>
    /// The seller order's push of a change it just committed (one way: the seller order does not wait). Applied exactly as
    /// <see cref="Deliver"/> applies the log's delivery of the same change, which still comes and is then ignored.
    /// </summary>
    [OneWay, Alias("Take")] Task Take(SellerOrderChanged change);
}

/// <summary>What Get order shows of a marketplace order: its view and its document (null for an order placed without one).</summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.MarketplaceOrderRead")]
public sealed record MarketplaceOrderRead([property: Id(0)] MarketplaceOrderView View, [property: Id(1)] Domain.Documents.OrderDocument? Document);
