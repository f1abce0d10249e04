namespace OrderGrains.Contracts;

/// <summary>
/// Who sends a command through the gateway and which version of the order they expect (HTTP <c>If-Match</c>), passed
/// as an argument so that tenancy and the version are checked inside the addressed grain's turn, in the same call as
/// the command: no lookup first, no check-then-act race. A grain answers <c>ORDER_NOT_FOUND</c> without a view when the
/// order does not exist or is not the caller's, and <c>VERSION_MISMATCH</c> when the version differs.
/// Grains calling each other pass none (null).
/// </summary>
/// <param name="Account">A marketplace caller's account: the order must be that account's (only a marketplace order can tell).</param>
/// <param name="SellerId">A seller caller: the order must be that seller's.</param>
/// <param name="ExpectedVersion">The order's version (its ETag) the caller expects, or null for any.</param>
[GenerateSerializer, Immutable, Alias("OrderGrains.Access")]
public sealed record Access([property: Id(0)] string? Account, [property: Id(1)] string? SellerId, [property: Id(2)] long? ExpectedVersion)
{
    public static Access OfSeller(string sellerId, long? expectedVersion = null) => new(null, sellerId, expectedVersion);

    public static Access OfMarketplace(string account, long? expectedVersion = null) => new(account, null, expectedVersion);
}
