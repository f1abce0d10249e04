using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrderGrains.Grains;

/// <summary>
/// Storage that can commit two grains' state writes in one transaction: a seller order's and its marketplace order's,
/// when a command decides both (<see cref="SellerOrderGrain.DecideForMarketplace"/>). Either both rows are written or
/// neither; a stale version on either fails both with <see cref="InconsistentStateException"/>.
/// </summary>
public interface IPairWriter
{
    Task WritePair<TFirst, TSecond>(string firstName, GrainId first, IGrainState<TFirst> firstState,
        string secondName, GrainId second, IGrainState<TSecond> secondState);
}

/// <summary>
/// One order's stored state, read and written by its grain through the order storage, as <c>IPersistentState</c> would,
/// and also writable together with another order's (<see cref="WriteWith{TOther}"/>): a seller order commits its
/// marketplace order's row in its own transaction.
/// </summary>
public sealed class OrderRow<T>(IGrainStorage storage, string name, GrainId id) : IGrainState<T> where T : new()
{
    private T state = new();

    [AllowNull]
    public T State { get => state; set => state = value ?? new T(); }
    public string? ETag { get; set; }
    public bool RecordExists { get; set; }
    public string Name => name;
    public GrainId Id => id;

    public Task Read() => storage.ReadStateAsync(name, id, this);

    public Task Write() => storage.WriteStateAsync(name, id, this);

    /// <summary>
    /// This row and <paramref name="other"/> in one transaction. A storage that cannot (the plain ADO.NET provider)
    /// writes this row first, then the other: the order of writes every order pair had before pair writes.
    /// </summary>
    public Task WriteWith<TOther>(OrderRow<TOther> other) where TOther : new() =>
        storage.WritePairOrInOrder(name, id, this, other.Name, other.Id, other);
}

public static class PairWrites
{
    /// <summary>Both rows in one transaction where the storage can; otherwise the first row, then the second.</summary>
    public static async Task WritePairOrInOrder<TFirst, TSecond>(this IGrainStorage storage, string firstName, GrainId first,
        IGrainState<TFirst> firstState, string secondName, GrainId second, IGrainState<TSecond> secondState)
    {
        if (storage is IPairWriter pair)
        {
            await pair.WritePair(firstName, first, firstState, secondName, second, secondState);
            return;
        }
        await storage.WriteStateAsync(firstName, first, firstState);
        await storage.WriteStateAsync(secondName, second, secondState);
    }
}
