using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

/// <summary>Where orders that need a person are recorded for ops (PostgreSQL: <c>og_order_alarm</c>; memory: a dictionary).</summary>
public interface IOrderAlarms
{
    /// <summary>Records (or renews) an order's alarm of one kind.</summary>
    Task Record(OrderAlarm alarm, CancellationToken cancellationToken = default);

    /// <summary>The alarms renewed within a day, most recent first.</summary>
    Task<IReadOnlyList<OrderAlarm>> List(int max, CancellationToken cancellationToken = default);

    /// <summary>Ends an order's alarm of one kind (a repair fixed it).</summary>
    Task Clear(string orderId, string kind, CancellationToken cancellationToken = default);
}

public sealed class MemoryOrderAlarms : IOrderAlarms
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), OrderAlarm> orders = new();

    public Task Record(OrderAlarm alarm, CancellationToken cancellationToken = default)
    {
        orders[(alarm.OrderId, alarm.Kind)] = alarm;
        return Task.CompletedTask;
    }

    public Task Clear(string orderId, string kind, CancellationToken cancellationToken = default)
    {
        orders.TryRemove((orderId, kind), out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OrderAlarm>> List(int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<OrderAlarm>>([.. orders.Values.Where(o => o.SeenAt > DateTimeOffset.UtcNow.AddDays(-1)).OrderByDescending(o => o.SeenAt).Take(max)]);
}

/// <summary>
/// The order storage with a guard on reads: a state that cannot be read (a corrupted row) fails that order's activation
/// with <see cref="OrderStateUnreadableException"/> — one warning line, the order recorded for the ops console — instead of
/// an unexplained error; every other order is untouched. Writes and clears go straight to the storage underneath.
/// </summary>
public sealed partial class GuardedStorage(IGrainStorage inner, IOrderAlarms unreadable, TimeProvider time, ILogger<GuardedStorage> logger) : IGrainStorage, IPairWriter
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var orderId = grainId.Key.ToString() ?? grainId.ToString();
        try
        {
            await inner.ReadStateAsync(stateName, grainId, grainState);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            var error = Innermost(ex).Message;
            LogUnreadable(logger, stateName, orderId, error);
            await unreadable.Record(new OrderAlarm(orderId, OrderAlarm.Unreadable, stateName, error, time.GetUtcNow()));
            throw new OrderStateUnreadableException(orderId, stateName, error);
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>One transaction where the storage behind can; otherwise the first row, then the second.</summary>
    public Task WritePair<TFirst, TSecond>(string firstName, GrainId first, IReadOnlyList<IGrainState<TFirst>> firstStates,
        string secondName, GrainId second, IGrainState<TSecond> secondState) =>
        inner.WritePairOrInOrder(firstName, first, firstStates, secondName, second, secondState);

    /// <summary>What a row that does not deserialize throws (directly, or wrapped by the storage provider).</summary>
    private static bool IsUnreadable(Exception ex) =>
        ex is System.Text.Json.JsonException || (ex.InnerException is { } inner && IsUnreadable(inner));

    private static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored {StateName} state of {OrderId} cannot be read ({Error}): the order answers ORDER_STATE_UNREADABLE and is listed on the ops console")]
    private static partial void LogUnreadable(ILogger logger, string stateName, string orderId, string error);
}
