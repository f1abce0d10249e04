using System.Collections.ObjectModel;
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

    /// <summary>A snapshot of <paramref name="s"/>: copies of its collections (one array each, nothing for an empty one).</summary>
    public static SellerOrderView From(SellerOrderState s) => new(
        s.SellerOrderId, s.MarketplaceOrderId, s.SellerId, s.Status, s.Sequence, s.Value,
        Snapshot(s.Items), Snapshot(s.CancellationRequests), Snapshot(s.Invoices),
        s.Tracking.Count == 0 ? ReadOnlyDictionary<string, TrackingUpdate>.Empty : new Dictionary<string, TrackingUpdate>(s.Tracking),
        s.CanceledBy, s.CancellationReason, s.CanceledAt, s.PlacedAt, s.LastChange, s.NextDeadline, s.Account, s.OrderGroup);

    private static IReadOnlyList<T> Snapshot<T>(List<T> list) => list.Count == 0 ? [] : list.ToArray();
}
