using System.Text.Json.Serialization;

namespace OrderGrains.Domain.SellerOrders;

/// <summary>
/// A seller order as stored. Mutated only by <see cref="SellerOrderDecider.Evolve"/>;
/// the history is appended by whoever runs the decider (the grain).
/// </summary>
public sealed class SellerOrderState
{
    public string SellerOrderId { get; set; } = "";
    public string MarketplaceOrderId { get; set; } = "";
    public string SellerId { get; set; } = "";
    /// <summary>The marketplace account that placed the order, and its order group: immutable, kept for the order index.</summary>
    public string Account { get; set; } = "";
    public string OrderGroup { get; set; } = "";
    public SellerOrderStatus Status { get; set; }
    /// <summary>Bumped by every accepted command; the marketplace mirror orders events by it.</summary>
    public long Sequence { get; set; }
    public List<OrderItem> Items { get; set; } = [];
    public long Value { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public DateTimeOffset AuthorizationDeadline { get; set; }
    public DateTimeOffset? WindowEndsAt { get; set; }
    public List<CancellationRequest> CancellationRequests { get; set; } = [];
    public List<Invoice> Invoices { get; set; } = [];
    public Dictionary<string, TrackingUpdate> Tracking { get; set; } = [];
    public Actor? CanceledBy { get; set; }
    public string? CancellationReason { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }
    public DateTimeOffset? LastChange { get; set; }
    public List<HistoryEntry> History { get; set; } = [];

    [JsonIgnore] public bool Exists => SellerOrderId.Length > 0;

    /// <summary>
    /// A copy that shares nothing this state changes: new lists and map, holding the same elements (immutable records).
    /// The decider changes a state in place; this keeps the state as it was before a step (its own, earlier version).
    /// </summary>
    public SellerOrderState Copy()
    {
        var copy = (SellerOrderState)MemberwiseClone();
        copy.Items = [.. Items];
        copy.CancellationRequests = [.. CancellationRequests];
        copy.Invoices = [.. Invoices];
        copy.Tracking = new Dictionary<string, TrackingUpdate>(Tracking);
        copy.History = [.. History];
        return copy;
    }
    [JsonIgnore] public CancellationRequest? OpenRequest => CancellationRequests.LastOrDefault(r => r.IsOpen);
    /// <summary>What the Output invoices add up to (return invoices do not count).</summary>
    [JsonIgnore] public long InvoicedValue => Invoices.Where(i => i.Type == InvoiceType.Output).Sum(i => i.Value);
    [JsonIgnore] public long ReturnedValue => Invoices.Where(i => i.Type == InvoiceType.Input).Sum(i => i.Value);

    /// <summary>
    /// The next moment a timer must act on this order, or null when nothing waits on time. Stored with the state (read-only:
    /// never read back) so that the state write keeps the deadline index (<c>og_deadline</c>) in step in the same transaction.
    /// </summary>
    public DateTimeOffset? NextDeadline => Status switch
    {
        SellerOrderStatus.OrderAccepted => AuthorizationDeadline,
        SellerOrderStatus.WindowToCancel => WindowEndsAt,
        SellerOrderStatus.CancellationRequested => OpenRequest?.Deadline,
        _ => null,
    };
}
