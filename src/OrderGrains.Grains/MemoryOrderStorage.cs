using System.Text.Json.Serialization.Metadata;
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
public sealed class MemoryOrderStorage(MemoryChangeLog log, MemoryOrderIndex? index = null) : IGrainStorage, IPairWriter, IOrderDocuments
{
    private readonly Dictionary<string, OrderDocument> documents = [];

    private static readonly DomainJsonStorageSerializer Serializer = new();

    /// <summary>The state row as PostgreSQL keeps it: the domain JSON without a marketplace order's <c>document</c> (filed apart).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions RowJson = new(Domain.DomainJson.Options)
    {
        TypeInfoResolver = (Domain.DomainJson.Options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
            .WithAddedModifier(type =>
            {
                if (type.Type != typeof(MarketplaceOrderState)) return;
                foreach (var property in type.Properties.Where(p => p.Name == "document")) property.ShouldSerialize = (_, _) => false;
            }),
    };
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
        var write = Prepare(stateName, grainId, grainState);
        lock (gate)
        {
            Check(write);
            Apply(write);
        }
        Done(write, grainState);
        return Task.CompletedTask;
    }

    /// <summary>Both rows or neither: both versions are checked before either is written (one critical section).</summary>
    public Task WritePair<TFirst, TSecond>(string firstName, GrainId first, IReadOnlyList<IGrainState<TFirst>> firstStates,
        string secondName, GrainId second, IGrainState<TSecond> secondState)
    {
        var ones = firstStates.Select(state => Prepare(firstName, first, state)).ToArray();
        var two = Prepare(secondName, second, secondState);
        lock (gate)
        {
            Check(ones[0]);
            for (var i = 1; i < ones.Length; i++)
            {
                ones[i].Version = ones[i - 1].Version + 1; // each later state of the row follows the one before it
            }
            Check(two);
            foreach (var one in ones)
            {
                Apply(one);
            }
            Apply(two);
        }
        for (var i = 0; i < ones.Length; i++)
        {
            Done(ones[i], firstStates[i]);
        }
        Done(two, secondState);
        return Task.CompletedTask;
    }

    private sealed record Write((string State, GrainId Grain) Key, string? ETag, BinaryData Data, object? State, (string Id, OrderDocument? Document) Filed)
    {
        public long Version { get; set; }
    }

    private static Write Prepare<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var document = grainState.State is MarketplaceOrderState { Document: { } d } placed ? (placed.MarketplaceOrderId, d) : ("", null);
        var data = new BinaryData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(grainState.State, RowJson));
        return new Write((stateName, grainId), grainState.ETag, data, grainState.State, document);
    }

    private void Check(Write write)
    {
        var found = rows.TryGetValue(write.Key, out var row);
        var current = found ? row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        if (current != write.ETag)
        {
            throw new InconsistentStateException($"{write.Key.State} of {write.Key.Grain} is at version {current ?? "none"}, the write expected {write.ETag ?? "none"}",
                current ?? "", write.ETag ?? "");
        }
        write.Version = found ? row.Version + 1 : 1;
    }

    private void Apply(Write write)
    {
        rows[write.Key] = (write.Version, write.Data);
        if (write.Filed.Document is not null)
        {
            documents.TryAdd(write.Filed.Id, write.Filed.Document); // filed once, never replaced
        }
        if (write.State is SellerOrderState seller)
        {
            log.Append(seller); // the same critical section: a stored state never lacks its entry
        }
    }

    private static void Done<T>(Write write, IGrainState<T> grainState)
    {
        grainState.ETag = write.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task<OrderDocument?> Get(string marketplaceOrderId, CancellationToken cancellationToken = default)
    {
        lock (gate) return Task.FromResult(documents.GetValueOrDefault(marketplaceOrderId));
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
