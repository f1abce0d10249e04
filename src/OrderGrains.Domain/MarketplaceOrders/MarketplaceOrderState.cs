using System.Text.Json.Serialization;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.MarketplaceOrders;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("approved")] Approved,
    [JsonStringEnumMemberName("denied")] Denied,
}

public sealed class MarketplaceOrderState
{
    public string MarketplaceOrderId { get; set; } = "";
    public string OrderGroup { get; set; } = "";
    public string SellerOrderId { get; set; } = "";
    public string SellerId { get; set; } = "";
    /// <summary>The marketplace account that placed the order (its tenant).</summary>
    public string Account { get; set; } = "";
    /// <summary>
    /// A digest of the whole group request this order was placed with (every seller's items, the account, the affiliate):
    /// placing the group again with the same request is a replay, with any other content a conflict.
    /// </summary>
    public string GroupDigest { get; set; } = "";
    public MarketplaceOrderStatus Status { get; set; }
    public PaymentStatus Payment { get; set; }
    /// <summary>Bumped by every accepted command of the marketplace's own (not by a mirrored seller change).</summary>
    public long Sequence { get; set; }
    public List<OrderItem> Items { get; set; } = [];
    public long Value { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public DateTimeOffset? LastChange { get; set; }
    /// <summary>When the payment was approved (VTEX's <c>authorizedDate</c>).</summary>
    public DateTimeOffset? AuthorizedDate { get; set; }
    /// <summary>The newest seller snapshot applied; its sequence is the mirror's high-water mark.</summary>
    public SellerOrderView? Seller { get; set; }
    public List<HistoryEntry> History { get; set; } = [];
    /// <summary>
    /// The order document, only between placement and the placing write: that write files it apart from the workflow state
    /// (og_order_document) and the grain then drops it, so transitions never carry it. Null in every stored state row.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Documents.OrderDocument? Document { get; set; }
    /// <summary>Set while the mirror cannot follow the seller (MIRROR_CONFLICT); cleared by the next mirrored change.</summary>
    public bool WorkflowIsInError { get; set; }

    [JsonIgnore] public bool Exists => MarketplaceOrderId.Length > 0;
    [JsonIgnore] public long SellerSequence => Seller?.Sequence ?? 0;

    /// <summary>
    /// The order's version (ETag): its own sequence plus its seller order's. Both only grow along one timeline, so equal
    /// versions mean the same state — also after a re-activation rebuilt the mirror (which is not stored).
    /// </summary>
    [JsonIgnore] public long Version => Sequence + SellerSequence;
}
