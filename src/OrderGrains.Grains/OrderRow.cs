using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrderGrains.Grains;

/// <summary>
/// Storage that can commit two grains' state writes in one transaction: a seller order's and its marketplace order's,
/// when a command decides both (<see cref="SellerOrderGrain.DecideForMarketplace"/>). Either both rows are written or
/// neither; a stale version on either fails both with <see cref="InconsistentStateException"/>.
/// The first row may be written more than once in the transaction: <paramref name="firstStates"/> are its successive
/// states (a command's and, when that set a deadline already due, the deadline's — each its own version and change-log
/// entry), in order. The first one's ETag is the version expected; each one after expects the version before it, and each
/// is given the version it got.
/// </summary>
public interface IPairWriter
{
    Task WritePair<TFirst, TSecond>(string firstName, GrainId first, IReadOnlyList<IGrainState<TFirst>> firstStates,
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
    /// This row and <paramref name="other"/> in one transaction, this row first written as <paramref name="earlier"/>
    /// when given (a state this order passed through in the same turn: its own version and change-log entry). A storage
    /// that cannot (the plain ADO.NET provider) writes this row first, then the other: the order of writes every order
    /// pair had before pair writes.
    /// </summary>
    public Task WriteWith<TOther>(OrderRow<TOther> other, OrderRow<T>? earlier = null) where TOther : new() =>
        storage.WritePairOrInOrder<T, TOther>(name, id, earlier is null ? [this] : [earlier, this], other.Name, other.Id, other);

    /// <summary>A copy of this row as it is now (its state copied by <paramref name="copyState"/>), to write as an earlier version of it.</summary>
    public OrderRow<T> Copy(Func<T, T> copyState) => new(storage, name, id)
    {
        State = copyState(state),
        ETag = ETag,
        RecordExists = RecordExists,
    };
}

public static class PairWrites
{
    /// <summary>
    /// Both rows in one transaction where the storage can; otherwise the first row's states one after another (each
    /// expecting the version the one before made), then the second row.
    /// </summary>
    public static async Task WritePairOrInOrder<TFirst, TSecond>(this IGrainStorage storage, string firstName, GrainId first,
        IReadOnlyList<IGrainState<TFirst>> firstStates, string secondName, GrainId second, IGrainState<TSecond> secondState)
    {
        if (storage is IPairWriter pair)
        {
            await pair.WritePair(firstName, first, firstStates, secondName, second, secondState);
            return;
        }
        string? version = firstStates[0].ETag;
        foreach (var state in firstStates)
        {
            state.ETag = version;
            await storage.WriteStateAsync(firstName, first, state);
            version = state.ETag;
        }
        await storage.WriteStateAsync(secondName, second, secondState);
    }
}
