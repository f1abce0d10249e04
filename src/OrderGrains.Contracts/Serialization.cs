using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Contracts;

public static class Serialization
{
    /// <summary>
    /// Domain types stay free of Orleans attributes; they cross grain boundaries as System.Text.Json.
    /// Within a silo Orleans copies what crosses a grain call. The domain's messages (commands, replies,
    /// views, history entries) are immutable records, so they are passed as they are instead of being
    /// copied through a JSON round trip; only the two mutable state classes are still copied.
    /// Silos and clients must both call this.
    /// </summary>
    public static ISerializerBuilder AddOrderGrainsSerialization(this ISerializerBuilder builder)
    {
        builder.AddJsonSerializer(
            isSerializable: IsDomainType,
            isCopyable: type => IsDomainType(type) && MutableDomainTypes.Contains(type),
            configureOptions: options => options.Configure(o => o.SerializerOptions = DomainJson.Options));
        builder.Services.AddSingleton<IGeneralizedCopier, ImmutableDomainCopier>();
        return builder;
    }

    public static bool IsDomainType(Type type) => type.Namespace?.StartsWith("OrderGrains.Domain", StringComparison.Ordinal) == true;

    /// <summary>The domain types that are not immutable: grain state. Everything else in the domain is a record of records.</summary>
    public static readonly IReadOnlySet<Type> MutableDomainTypes = new HashSet<Type> { typeof(SellerOrderState), typeof(MarketplaceOrderState) };

    /// <summary>Copies an immutable domain value by sharing it.</summary>
    private sealed class ImmutableDomainCopier : IGeneralizedCopier
    {
        public bool IsSupportedType(Type type) => IsDomainType(type) && !MutableDomainTypes.Contains(type) && !type.IsAbstract && !type.IsInterface;

        public object? DeepCopy(object? input, CopyContext context) => input;
    }
}
