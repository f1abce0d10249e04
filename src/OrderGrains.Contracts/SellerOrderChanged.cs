using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// What a seller order publishes after every committed change, on the stream keyed by its marketplace order id.
/// <see cref="Sequence"/> orders the changes; the snapshot makes any single event enough to catch up.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.SellerOrderChanged")]
public sealed record SellerOrderChanged(
    [property: Id(0)] string EventId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] string Command,
    [property: Id(3)] SellerOrderView Seller);

public static class StreamNames
{
    /// <summary>The stream provider's name (memory streams in Development, ADO.NET when durable).</summary>
    public const string Provider = "OrderEvents";

    /// <summary>Seller-order changes; the stream key is the marketplace order id, so the marketplace grain subscribes implicitly.</summary>
    public const string SellerOrderChanges = "seller-order-changes";
}
