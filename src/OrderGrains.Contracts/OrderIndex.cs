namespace OrderGrains.Contracts;

/// <summary>
/// One order pair as the order index holds it: projected from the change log (each seller-order entry replaces the row,
/// never an older sequence over a newer one), never read from grain state. What List orders and order-group lookups read.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.IndexedOrder")]
public sealed record IndexedOrder(
    [property: Id(0)] string MarketplaceOrderId,
    [property: Id(1)] string SellerOrderId,
    [property: Id(2)] string OrderGroup,
    [property: Id(3)] string Account,
    [property: Id(4)] string SellerId,
    /// <summary>The marketplace order's status as its seller order implies it (VTEX's string).</summary>
    [property: Id(5)] string MarketplaceStatus,
    [property: Id(6)] string SellerStatus,
    [property: Id(7)] long Value,
    [property: Id(8)] int TotalItems,
    [property: Id(9)] DateTimeOffset CreationDate,
    [property: Id(10)] DateTimeOffset? LastChange,
    [property: Id(11)] bool HasInputInvoice,
    [property: Id(12)] long Sequence,
    /// <summary>When the log entry this row comes from was committed, and when the row was written: their difference is the index's lag.</summary>
    [property: Id(13)] DateTimeOffset LoggedAt,
    [property: Id(14)] DateTimeOffset IndexedAt);

/// <summary>What to list, already scoped to the caller: a marketplace sees its account's orders, a seller its own.</summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.OrderQuery")]
public sealed record OrderQuery(
    [property: Id(0)] string? Account,
    [property: Id(1)] string? SellerId,
    /// <summary>Statuses (VTEX's strings); an order matches if its marketplace or its seller status is one of them. Empty: any.</summary>
    [property: Id(2)] IReadOnlyList<string> Statuses,
    [property: Id(3)] DateTimeOffset? CreatedFrom,
    [property: Id(4)] DateTimeOffset? CreatedTo,
    [property: Id(5)] bool? HasInputInvoice,
    /// <summary>Full text: part of an order id (either side) or of the order group, case-insensitive.</summary>
    [property: Id(6)] string? Text,
    [property: Id(7)] string? OrderGroup,
    [property: Id(8)] OrderSort Sort,
    [property: Id(9)] bool Descending,
    [property: Id(10)] int Page,
    [property: Id(11)] int PerPage,
    /// <summary>Only orders whose last change (or creation) is before this: what has waited longer than a service level.</summary>
    [property: Id(12)] DateTimeOffset? ChangedBefore = null,
    /// <summary>False when the caller needs no total (the attention list): the page alone is cheaper than counting every match.</summary>
    [property: Id(13)] bool CountTotal = true,
    /// <summary><see cref="Statuses"/> are seller statuses only (the attention list): lets the index on them serve the query.</summary>
    [property: Id(14)] bool SellerStatusOnly = false);

/// <summary>How many orders entered one status of one domain (<c>Marketplace</c> or <c>Fulfillment</c>) in one 10-minute bucket.</summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.StatusTrend")]
public sealed record StatusTrend([property: Id(0)] string Domain, [property: Id(1)] string Status, [property: Id(2)] DateTimeOffset Bucket, [property: Id(3)] long Changes)
{
    public static readonly TimeSpan Width = TimeSpan.FromMinutes(10);

    /// <summary>The bucket a moment falls in (10-minute buckets from the epoch, UTC).</summary>
    public static DateTimeOffset BucketOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % Width.Ticks, TimeSpan.Zero);
}

/// <summary>How many orders rest in one status of one domain (<c>Marketplace</c> or <c>Fulfillment</c>).</summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.StatusCount")]
public sealed record StatusCount([property: Id(0)] string Domain, [property: Id(1)] string Status, [property: Id(2)] long Count);

[GenerateSerializer, Alias("OrderGrains.OrderSort")]
public enum OrderSort
{
    CreationDate,
    OrderId,
    TotalValue,
    Items,
    LastChange,
}

[GenerateSerializer, Immutable, Alias("OrderGrains.OrderPage")]
public sealed record OrderPage([property: Id(0)] IReadOnlyList<IndexedOrder> Orders, [property: Id(1)] long Total);

/// <summary>Reads the order index inside the cluster (a stateless worker: the gateway needs no database of its own).</summary>
[Alias("OrderGrains.IOrderIndexGrain")]
public interface IOrderIndexGrain : IGrainWithIntegerKey
{
    [Alias("Query")] Task<OrderPage> Query(OrderQuery query);

    /// <summary>Orders per status, for both domains (the ops console's board).</summary>
    [Alias("Counts")] Task<IReadOnlyList<StatusCount>> Counts();

    /// <summary>Status changes per 10-minute bucket since <paramref name="since"/> (the board's trend).</summary>
    [Alias("Trend")] Task<IReadOnlyList<StatusTrend>> Trend(DateTimeOffset since);
}
