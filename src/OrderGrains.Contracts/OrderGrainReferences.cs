namespace OrderGrains.Contracts;

/// <summary>
/// References to the grains every command reaches, built from the grain id. Orleans' <c>GetGrain&lt;T&gt;(key)</c> looks the
/// interface's grain type up from its attributes on every call (3–4% of the CPU of the HTTP benchmark's lifecycle, a
/// few calls per command); these look it up once per interface, then build the same reference from the id.
/// </summary>
public static class OrderGrainReferences
{
    public static IMarketplaceOrderGrain MarketplaceOrder(this IGrainFactory grains, string marketplaceOrderId) =>
        Resolved<IMarketplaceOrderGrain>.Reference(grains, IdSpan.Create(marketplaceOrderId));

    public static ISellerOrderGrain SellerOrder(this IGrainFactory grains, string sellerOrderId) =>
        Resolved<ISellerOrderGrain>.Reference(grains, IdSpan.Create(sellerOrderId));

    public static IChangeLogPartitionGrain ChangeLogPartition(this IGrainFactory grains, int partition) =>
        Resolved<IChangeLogPartitionGrain>.Reference(grains, GrainIdKeyExtensions.CreateIntegerKey(partition));

    /// <summary>The grain type and interface type of <typeparamref name="T"/>, the same in every silo and client of the cluster.</summary>
    private static class Resolved<T> where T : IAddressable
    {
        private static (GrainType Grain, GrainInterfaceType Interface)? types;

        public static T Reference(IGrainFactory grains, IdSpan key)
        {
            var (grain, face) = types ??= Resolve(grains, key);
            return (T)grains.GetGrain(GrainId.Create(grain, key), face);
        }

        /// <summary>Orleans' own resolution, once: the reference it builds for this key names both types.</summary>
        private static (GrainType, GrainInterfaceType) Resolve(IGrainFactory grains, IdSpan key)
        {
            var reference = (GrainReference)grains.GetGrain(typeof(T), key);
            return (reference.GetGrainId().Type, reference.InterfaceType);
        }
    }
}
