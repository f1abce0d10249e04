using System.Collections.Concurrent;
using OrderGrains.Contracts;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// The change log as the partition readers see it, able to lose chosen entries (a delivery that never happens), to
/// show what the marketplace order does when a change does not reach it, or to hold them back for a while (as
/// PostgreSQL's reads do behind an older running transaction). Everything else passes through. A lost or held entry's
/// push from the seller order (<see cref="ISellerChangePush"/>, the mirror's fast path) is lost with it.
/// </summary>
public sealed class LosingChangeLog(IChangeLog inner) : IChangeLog, ISellerChangePush
{
    private readonly OneWaySellerChangePush push = new();

    public void Push(IGrainFactory grains, string marketplaceOrderId, SellerOrderChanged change)
    {
        var sellerOrderId = change.Seller.SellerOrderId;
        if (!lost.ContainsKey((sellerOrderId, change.Sequence)) && !pushesHeld.ContainsKey(sellerOrderId))
        {
            push.Push(grains, marketplaceOrderId, change);
        }
    }

    private readonly ConcurrentDictionary<(string SellerOrderId, long Sequence), TaskCompletionSource> lost = new();

    /// <summary>The entry of this seller order at this sequence never reaches a reader; the task completes once a read has skipped it.</summary>
    public Task Lose(string sellerOrderId, long sequence) =>
        lost.GetOrAdd((sellerOrderId, sequence), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private readonly ConcurrentDictionary<string, TaskCompletionSource> held = new();

    /// <summary>
    /// Entries of this seller order are held back, as behind an older transaction still running: a read stops before
    /// the first of them and says so (<see cref="LogRead.HeldBack"/>) until <see cref="Release"/>. The task completes once a read has held one back.
    /// Their pushes are lost unless <paramref name="pushes"/> (the log alone is slow).
    /// </summary>
    public Task Hold(string sellerOrderId, bool pushes = false)
    {
        if (!pushes) pushesHeld[sellerOrderId] = true;
        return held.GetOrAdd(sellerOrderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    private readonly ConcurrentDictionary<string, bool> pushesHeld = new();

    public void Release(string sellerOrderId)
    {
        held.TryRemove(sellerOrderId, out _);
        pushesHeld.TryRemove(sellerOrderId, out _);
    }

    public async Task<LogRead> Read(int partition, LogCursor after, int max, CancellationToken cancellationToken = default)
    {
        var read = await inner.Read(partition, after, max, cancellationToken);
        var stop = read.Entries.ToList().FindIndex(e => held.ContainsKey(e.OrderId));
        if (stop >= 0)
        {
            held.GetValueOrDefault(read.Entries[stop].OrderId)?.TrySetResult();
            read = new LogRead([.. read.Entries.Take(stop)], HeldBack: true);
        }
        return read with
        {
            Entries = [.. read.Entries.Where(e =>
            {
                if (!lost.TryGetValue((e.OrderId, e.Sequence), out var skipped)) return true;
                skipped.TrySetResult();
                return false;
            })],
        };
    }

    public Task<LogCursor> LoadCursor(string consumer, int partition, CancellationToken cancellationToken = default) => inner.LoadCursor(consumer, partition, cancellationToken);
    public bool KeepsHistory => inner.KeepsHistory;
    public Task<IReadOnlyList<LogEntry>> History(DateTimeOffset since, int maxOrders, CancellationToken cancellationToken = default) => inner.History(since, maxOrders, cancellationToken);
    public Task<IReadOnlyList<LogEntry>> OrderEntries(string sellerOrderId, CancellationToken cancellationToken = default) => inner.OrderEntries(sellerOrderId, cancellationToken);
    public Task<IReadOnlyList<LogEntry>> Undelivered(string consumer, TimeSpan olderThan, int max, CancellationToken cancellationToken = default) => inner.Undelivered(consumer, olderThan, max, cancellationToken);
    public Task<IReadOnlyList<string>> DueDeadlines(int partition, DateTimeOffset now, int max, CancellationToken cancellationToken = default) => inner.DueDeadlines(partition, now, max, cancellationToken);
}
