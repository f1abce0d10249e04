using System.Text.Json.Serialization;

namespace OrderGrains.Domain.SellerOrders;

/// <summary>
/// What the seller order shows the outside world: answers to calls, stream events and the
/// marketplace's mirror all carry this snapshot, stamped with the seller's sequence number.
/// </summary>
public sealed record SellerOrderView(
    string SellerOrderId,
    string MarketplaceOrderId,
    string SellerId,
    SellerOrderStatus Status,
    long Sequence,
    long Value,
    IReadOnlyList<OrderItem> Items,
    IReadOnlyList<CancellationRequest> CancellationRequests,
    IReadOnlyList<Invoice> Invoices,
    IReadOnlyDictionary<string, TrackingUpdate> Tracking,
    Actor? CanceledBy,
    string? CancellationReason,
    DateTimeOffset? CanceledAt,
    DateTimeOffset PlacedAt,
    DateTimeOffset? LastChange,
    DateTimeOffset? NextDeadline,
    string Account = "",
    string OrderGroup = "")
{
    [JsonIgnore] public CancellationRequest? OpenRequest => CancellationRequests.LastOrDefault(r => r.IsOpen);

    public static SellerOrderView From(SellerOrderState s) => new(
        s.SellerOrderId, s.MarketplaceOrderId, s.SellerId, s.Status, s.Sequence, s.Value,
        [.. s.Items], [.. s.CancellationRequests], [.. s.Invoices], new Dictionary<string, TrackingUpdate>(s.Tracking),
        s.CanceledBy, s.CancellationReason, s.CanceledAt, s.PlacedAt, s.LastChange, s.NextDeadline, s.Account, s.OrderGroup);
}
