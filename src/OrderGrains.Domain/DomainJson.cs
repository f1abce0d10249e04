using System.Text.Json;

namespace OrderGrains.Domain;

/// <summary>The one JSON shape of domain types: on the wire between grains, in storage and over HTTP.</summary>
public static class DomainJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
