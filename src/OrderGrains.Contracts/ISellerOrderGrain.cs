using Orleans.Concurrency;
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

    /// <summary>
    /// Places this order for its marketplace order, whose state (just placed, in its memory) comes along: both rows
    /// commit in one transaction, so neither order exists without the other.
    /// </summary>
    /// <remarks>
    /// The marketplace state is passed as <see cref="Immutable{T}"/>: within a silo it is not copied, so this order works
    /// on the marketplace order's own object while that order awaits the answer (it is not reentrant, nothing else reads
    /// it meanwhile), and the answer carries the same object back; if the call fails, the marketplace activation is dropped.
    /// </remarks>
    /// <param name="unread">
    /// The marketplace order has not read its row (it takes the order to be new): this order may skip reading its own
    /// too. An existing row then fails the pair write whole, and the marketplace order sends the placement again on rows read.
    /// </param>
    [Alias("PlaceWithMarketplace")] Task<PairReply> PlaceWithMarketplace(PlaceSellerOrder command, Immutable<MarketplaceOrderState> marketplace, string? marketplaceVersion, bool unread = false);

    /// <summary>
    /// Decides a marketplace command in this order's turn (the two-order protocol, run on the marketplace state that comes
    /// along, as for <see cref="PlaceWithMarketplace"/>) and commits both orders' changes in one transaction; the
    /// marketplace order takes back its state and version.
    /// </summary>
    [Alias("DecideForMarketplace")] Task<PairReply> DecideForMarketplace(PairCommand command, Immutable<MarketplaceOrderState> marketplace, string? marketplaceVersion);

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

/// <summary>
/// A marketplace order's command that its seller order decides (payment approval or denial, a cancel, a withdrawal),
/// as it crosses to the seller order: <see cref="DecidedBySeller"/> rebuilds the domain command.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.PairCommand")]
public sealed record PairCommand(
    [property: Id(0)] MarketplaceCommandKind Kind,
    [property: Id(1)] Actor By,
    [property: Id(2)] string? Reason,
    [property: Id(3)] string? RequestedByUser,
    [property: Id(4)] string? RequestId)
{
    public static PairCommand From(MarketplaceCommand command) => command switch
    {
        ApprovePayment => new(MarketplaceCommandKind.PaymentApproved, Actor.Marketplace, null, null, null),
        ForwardedCommand f => new(f.ForwardedKind, f.By, f.Reason, f.RequestedByUser, f.RequestId),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.Name, "not a command the seller order decides"),
    };

    public MarketplaceCommand DecidedBySeller() => Kind == MarketplaceCommandKind.PaymentApproved
        ? new ApprovePayment()
        : new ForwardedCommand(Kind, By, Reason, RequestedByUser: RequestedByUser, RequestId: RequestId);
}

/// <summary>
/// The answer to a marketplace command decided by the seller order: the outcome that answers the caller, the seller
/// order's view, and the marketplace order's state and stored version after the one transaction that wrote both.
/// Not copied within a silo: the marketplace order takes its state object back as it is.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.PairReply")]
public sealed record PairReply(
    [property: Id(0)] CommandOutcome Outcome,
    [property: Id(1)] string? Code,
    [property: Id(2)] string Message,
    [property: Id(3)] string? CancellationRequestId,
    [property: Id(4)] SellerOrderView? Seller,
    [property: Id(5)] MarketplaceOrderState Marketplace,
    [property: Id(6)] string? MarketplaceVersion);
