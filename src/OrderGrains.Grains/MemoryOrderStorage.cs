using Orleans.Runtime;
using Orleans.Storage;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// Order state in memory (Development profile, tests, the benchmark's memory backend): what migrations/0001_schema.sql's
/// <c>orleans_storage_write</c> does on PostgreSQL, in one process — a state row per grain (its JSON and a version
/// that works as the ETag) and, for a seller order, its change-log entry and deadline, all under one lock. It lives in
/// the process, not in storage grains as Orleans' memory provider does, so a read or a write is no grain call; silos
/// of one in-process test cluster share one instance. Nothing survives the process.
/// </summary>
public sealed class MemoryOrderStorage(MemoryChangeLog log, MemoryOrderIndex? index = null) : IGrainStorage
{
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
        var data = Serializer.Serialize(grainState.State);
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
            if (grainState.State is SellerOrderState seller)
            {
                log.Append(seller); // the same critical section: a stored state never lacks its entry
            }
        }
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
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
