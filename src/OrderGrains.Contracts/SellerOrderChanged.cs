using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// One committed change of a seller order, as the change log delivers it to the marketplace order (and, later, to
/// every other consumer). <see cref="Sequence"/> orders the changes; the snapshot makes any single one enough to catch up.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.SellerOrderChanged")]
public sealed record SellerOrderChanged(
    [property: Id(0)] string EventId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] string Command,
    [property: Id(3)] SellerOrderView Seller);
