using OrderGrains.Domain;

namespace OrderGrains.Contracts;

/// <summary>
/// An order group (<c>v527103anml</c>): splits a purchase per seller and places each marketplace order. It keeps no
/// state: the marketplace orders remember the group's digest, so the same request again is answered as a replay.
/// </summary>
[Alias("OrderGrains.IOrderGroupGrain")]
public interface IOrderGroupGrain : IGrainWithStringKey
{
    /// <summary>Places the group; placing the same group again returns the first answer.</summary>
    [Alias("Place")] Task<OrderGroupReply> Place(PlaceOrderGroup command);

    /// <summary>Does nothing: the readiness check's round trip through the cluster.</summary>
    [Alias("Ping")] Task Ping();
}

[GenerateSerializer, Immutable, Alias("OrderGrains.GroupItem")]
public sealed record GroupItem([property: Id(0)] string SellerId, [property: Id(1)] string SkuId, [property: Id(2)] int Quantity, [property: Id(3)] long Price);

[GenerateSerializer, Immutable, Alias("OrderGrains.PlaceOrderGroup")]
public sealed record PlaceOrderGroup(
    [property: Id(0)] string AffiliateId,
    [property: Id(1)] IReadOnlyList<GroupItem> Items,
    [property: Id(2)] string Account = "",
    [property: Id(3)] Domain.Documents.GroupDocument? Document = null);

[GenerateSerializer, Immutable, Alias("OrderGrains.PlacedOrder")]
public sealed record PlacedOrder([property: Id(0)] string OrderId, [property: Id(1)] string SellerOrderId, [property: Id(2)] string SellerId, [property: Id(3)] long Value);

[GenerateSerializer, Immutable, Alias("OrderGrains.OrderGroupReply")]
public sealed record OrderGroupReply(
    [property: Id(0)] CommandOutcome Outcome,
    [property: Id(1)] string? Code,
    [property: Id(2)] string Message,
    [property: Id(3)] string OrderGroup,
    [property: Id(4)] IReadOnlyList<PlacedOrder> Orders);
