using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrderGrains.Domain;

namespace OrderGrains.Contracts;

public static class Serialization
{
    /// <summary>
    /// Domain types stay free of Orleans attributes; they cross grain boundaries as System.Text.Json.
    /// Silos and clients must both call this.
    /// </summary>
    public static ISerializerBuilder AddOrderGrainsSerialization(this ISerializerBuilder builder) =>
        builder.AddJsonSerializer(
            isSupported: type => type.Namespace?.StartsWith("OrderGrains.Domain", StringComparison.Ordinal) == true,
            jsonSerializerOptions: DomainJson.Options);
}
