using Orleans.Runtime;
using Orleans.Storage;
using OrderGrains.Domain.Documents;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// Order state in memory (Development profile, tests, the benchmark's memory backend): what migrations/0001_schema.sql's
/// <c>orleans_storage_write</c> does on PostgreSQL, in one process — a state row per grain (its JSON and a version
/// that works as the ETag) and, for a seller order, its change-log entry and deadline, all under one lock. It lives in
/// the process, not in storage grains as Orleans' memory provider does, so a read or a write is no grain call; silos
/// of one in-process test cluster share one instance. Nothing survives the process. A marketplace order's placing write
/// files its document apart from the state row, as PostgreSQL does.
/// </summary>
public sealed class MemoryOrderStorage(MemoryChangeLog log, MemoryOrderIndex? index = null) : IGrainStorage, IOrderDocuments
{
    private readonly Dictionary<string, OrderDocument> documents = [];

    private static readonly DomainJsonStorageSerializer Serializer = new();
    private readonly Lock gate = new();
    private readonly Dictionary<(string State, GrainId Grain), (long Version, BinaryData Data)> rows = [];

    public MemoryChangeLog Log => log;

    /// <summary>The order index projected from <see cref="Log"/> (by the partition readers, like on PostgreSQL).</summary>
    public MemoryOrderIndex Index { get; } = index ?? new MemoryOrderIndex(log);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        (long Version, BinaryData Data) row;
        bool found;
        lock (gate)
        {
            found = rows.TryGetValue((stateName, grainId), out row);
        }
        if (found)
        {
            grainState.State = Serializer.Deserialize<T>(row.Data);
            grainState.ETag = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var document = grainState.State is MarketplaceOrderState { Document: { } d } placed ? (placed.MarketplaceOrderId, d) : default;
        var data = document.d is null ? Serializer.Serialize(grainState.State) : WithoutDocument(grainState.State);
        long version;
        lock (gate)
        {
            var key = (stateName, grainId);
            var current = rows.TryGetValue(key, out var row) ? row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            if (current != grainState.ETag)
            {
                throw new InconsistentStateException($"{stateName} of {grainId} is at version {current ?? "none"}, the write expected {grainState.ETag ?? "none"}",
                    current ?? "", grainState.ETag ?? "");
            }
            version = row.Version + 1;
            rows[key] = (version, data);
            if (document.d is not null)
            {
                documents.TryAdd(document.MarketplaceOrderId, document.d); // filed once, never replaced
            }
            if (grainState.State is SellerOrderState seller)
            {
                log.Append(seller); // the same critical section: a stored state never lacks its entry
            }
        }
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task<OrderDocument?> Get(string marketplaceOrderId, CancellationToken cancellationToken = default)
    {
        lock (gate) return Task.FromResult(documents.GetValueOrDefault(marketplaceOrderId));
    }

    /// <summary>The state row as PostgreSQL keeps it: the JSON without its <c>document</c> member.</summary>
    private static BinaryData WithoutDocument<T>(T state)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Serializer.Serialize(state).ToMemory().Span)!.AsObject();
        node.Remove("document");
        return BinaryData.FromString(node.ToJsonString());
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (gate)
        {
            rows.Remove((stateName, grainId));
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
