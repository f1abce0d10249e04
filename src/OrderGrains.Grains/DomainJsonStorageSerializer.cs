using System.Text.Json;
using Orleans.Storage;
using OrderGrains.Domain;

namespace OrderGrains.Grains;

/// <summary>Grain state stored as readable JSON (VTEX names and status strings), so psql can answer questions about orders.</summary>
public sealed class DomainJsonStorageSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, DomainJson.Options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, DomainJson.Options)
        ?? throw new JsonException($"stored {typeof(T).Name} is null");
}
