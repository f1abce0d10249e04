using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrderGrains.Contracts;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// One committed seller-order change in the log. <see cref="Txid"/>/<see cref="Position"/> order the log;
/// <see cref="LoggedAt"/> is when it was committed (what consumers measure their lag from).
/// </summary>
public sealed record LogEntry(ulong Txid, long Position, string StreamKey, string OrderId, long Sequence, SellerOrderView Seller, DateTimeOffset LoggedAt = default);

/// <summary>How far a consumer has read a partition: everything at or below this (txid, position) was delivered.</summary>
public readonly record struct LogCursor(ulong Txid, long Position) : IComparable<LogCursor>
{
    public int CompareTo(LogCursor other) => Txid != other.Txid ? Txid.CompareTo(other.Txid) : Position.CompareTo(other.Position);
}

/// <summary>
/// The durable, ordered change log of every committed seller-order transition. Entries are written by the order's
/// own state write (same transaction on PostgreSQL: <c>og_log_append</c> in migrations/0001_schema.sql; same lock in memory), never
/// by a separate publish, so a committed state can never miss its entry.
/// </summary>
public interface IChangeLog
{
    /// <summary>Entries of a partition after <paramref name="after"/>, in log order, at most <paramref name="max"/>.</summary>
    Task<LogRead> Read(int partition, LogCursor after, int max, CancellationToken cancellationToken = default);

    Task<LogCursor> LoadCursor(string consumer, int partition, CancellationToken cancellationToken = default);

    /// <summary>Whether entries stay after every consumer read them (PostgreSQL: for <c>ChangeLog:Retention</c>; memory: no).</summary>
    bool KeepsHistory { get; }

    /// <summary>
    /// Every entry still kept of the (at most <paramref name="maxOrders"/>, earliest first) seller orders that changed at or after
    /// <paramref name="since"/>, in log order — their earlier entries too, so each change can be told against the one before it.
    /// </summary>
    Task<IReadOnlyList<LogEntry>> History(DateTimeOffset since, int maxOrders, CancellationToken cancellationToken = default);

    /// <summary>Every entry still kept of one seller order, in log order.</summary>
    Task<IReadOnlyList<LogEntry>> OrderEntries(string sellerOrderId, CancellationToken cancellationToken = default);

    /// <summary>Entries past <paramref name="consumer"/>'s cursor committed more than <paramref name="olderThan"/> ago, oldest first (at most <paramref name="max"/>).</summary>
    Task<IReadOnlyList<LogEntry>> Undelivered(string consumer, TimeSpan olderThan, int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seller orders of a partition whose deadline is due at <paramref name="now"/>, earliest first, at most <paramref name="max"/>.
    /// The deadline index is kept by the same state write that appends to the log (<c>og_deadline</c>, migrations/0003_deadlines.sql).
    /// </summary>
    Task<IReadOnlyList<string>> DueDeadlines(int partition, DateTimeOffset now, int max, CancellationToken cancellationToken = default);
}

/// <summary>
/// The mirror's fast path. After a seller order's own command (a seller's, a deadline's, a repair's) commits, the grain
/// hands the change to its marketplace order at once, one way: it never waits on the marketplace order (the two never
/// wait on each other, so no call cycle), and the marketplace order applies it by sequence as it applies the log's
/// delivery. The log stays what guarantees delivery: its reader delivers the same change again (ignored by sequence),
/// and a push that is lost, arrives out of order or finds the marketplace order gone changes nothing the log and the
/// pull on a gap do not repair. What it buys is time: the marketplace order shows the change one grain call after the
/// commit instead of after the reader's next read.
/// </summary>
public interface ISellerChangePush
{
    void Push(IGrainFactory grains, string marketplaceOrderId, SellerOrderChanged change);
}

/// <summary>The push as shipped: a one-way grain call (<see cref="IMarketplaceOrderGrain.Take"/>).</summary>
public sealed class OneWaySellerChangePush : ISellerChangePush
{
    public void Push(IGrainFactory grains, string marketplaceOrderId, SellerOrderChanged change) =>
        grains.MarketplaceOrder(marketplaceOrderId).Take(change).Ignore();
}

/// <summary>
/// Commits' wake-ups of their partition's reader, sent from this silo at most once per <see cref="ChangeLogOptions.WakeDelay"/>
/// per partition: the first commit after a wake-up went out schedules the next one that much later, and the commits of
/// that time share it (one message, one read) instead of one message each. Every commit is still followed by a wake-up
/// sent after it: a commit that finds one scheduled finds it not yet sent, since the mark is cleared just before sending.
/// </summary>
public sealed class ChangeLogWakeups(IGrainFactory grains, IOptions<ChangeLogOptions> options)
{
    private readonly int[] scheduled = new int[ChangeLogPartitions.Count];

    /// <summary>After a seller order's write appended to the log of <paramref name="partition"/>.</summary>
    public void Committed(int partition)
    {
        var delay = options.Value.WakeDelay;
        if (delay <= TimeSpan.Zero)
        {
            Send(partition);
        }
        else if (Interlocked.Exchange(ref scheduled[partition], 1) == 0)
        {
            _ = SendAfter(partition, delay);
        }
    }

    private async Task SendAfter(int partition, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        Volatile.Write(ref scheduled[partition], 0);
        try
        {
            Send(partition);
        }
        catch (Exception)
        {
            // The silo is stopping: a lost wake-up costs at most one MaxIdlePoll, the reader's backstop.
        }
    }

    private void Send(int partition) => grains.ChangeLogPartition(partition).Wake().Ignore();
}

/// <summary>
/// What a read of a partition found: its entries, and whether committed entries after them were held back because a
/// transaction older than theirs was still running (PostgreSQL only: they cannot be read before it ends without risking
/// one falling behind the cursor). A held-back entry needs a read again soon: no wake-up comes for it.
/// </summary>
public sealed record LogRead(IReadOnlyList<LogEntry> Entries, bool HeldBack);

/// <summary>The log's partitions: a stream key (marketplace order id) always lands in the same one.</summary>
public static class ChangeLogPartitions
{
    /// <summary>Must equal the modulus in migrations/0001_schema.sql's <c>og_log_partition</c>.</summary>
    public const int Count = 8;

    /// <summary>The first 31 bits of the key's MD5, modulo <see cref="Count"/> — the same as <c>og_log_partition</c> in SQL.</summary>
    public static int Of(string streamKey)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(streamKey));
        var first = (hash[0] << 24) | (hash[1] << 16) | (hash[2] << 8) | hash[3];
        return (first & 0x7fffffff) % Count;
    }
}

/// <summary>The change log in memory (Development profile, tests): appended under the same lock as the state write.</summary>
public sealed class MemoryChangeLog(TimeProvider? time = null) : IChangeLog
{
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly Lock gate = new();
    private readonly List<LogEntry>[] partitions = [.. Enumerable.Range(0, ChangeLogPartitions.Count).Select(_ => new List<LogEntry>())];
    private readonly Dictionary<string, long> lastSequence = [];
    private readonly Dictionary<(string, int), LogCursor> cursors = [];
    private readonly Dictionary<string, (int Partition, DateTimeOffset Due)> deadlines = [];
    private long position;

    /// <summary>
    /// Appends the state's change if its sequence is new (returns the entry's partition, or null when nothing was appended)
    /// and keeps the order's deadline in the index, as the PostgreSQL write function does.
    /// </summary>
    public int? Append(SellerOrderState state)
    {
        if (state.MarketplaceOrderId.Length == 0) return null;
        var partition = ChangeLogPartitions.Of(state.MarketplaceOrderId);
        lock (gate)
        {
            if (state.NextDeadline is { } due)
            {
                deadlines[state.SellerOrderId] = (partition, due);
            }
            else
            {
                deadlines.Remove(state.SellerOrderId);
            }
            if (lastSequence.TryGetValue(state.SellerOrderId, out var last) && last >= state.Sequence) return null;
            lastSequence[state.SellerOrderId] = state.Sequence;
            position++;
            partitions[partition].Add(new LogEntry((ulong)position, position, state.MarketplaceOrderId, state.SellerOrderId, state.Sequence,
                SellerOrderView.From(state), time.GetUtcNow()));
            return partition;
        }
    }

    public Task<LogRead> Read(int partition, LogCursor after, int max, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            // Positions increase within a partition: find the first one after the cursor by binary search.
            var entries = partitions[partition];
            int lo = 0, hi = entries.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (entries[mid].Position <= after.Position) lo = mid + 1; else hi = mid;
            }
            return Task.FromResult(new LogRead(entries.GetRange(lo, Math.Min(max, entries.Count - lo)), HeldBack: false)); // appended under one lock: never held back
        }
    }

    public Task<IReadOnlyList<string>> DueDeadlines(int partition, DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. deadlines
                .Where(d => d.Value.Partition == partition && d.Value.Due <= now)
                .OrderBy(d => d.Value.Due).Take(max).Select(d => d.Key)]);
        }
    }

    public Task<LogCursor> LoadCursor(string consumer, int partition, CancellationToken cancellationToken = default)
    {
        lock (gate) return Task.FromResult(cursors.GetValueOrDefault((consumer, partition)));
    }

    /// <summary>In memory the log drops what every consumer has read: there is no history to replay.</summary>
    public bool KeepsHistory => false;

    public Task<IReadOnlyList<LogEntry>> History(DateTimeOffset since, int maxOrders, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LogEntry>>([]);

    public Task<IReadOnlyList<LogEntry>> OrderEntries(string sellerOrderId, CancellationToken cancellationToken = default)
    {
        lock (gate) return Task.FromResult<IReadOnlyList<LogEntry>>([.. partitions.SelectMany(p => p).Where(e => e.OrderId == sellerOrderId).OrderBy(e => e.Position)]);
    }

    public Task<IReadOnlyList<LogEntry>> Undelivered(string consumer, TimeSpan olderThan, int max, CancellationToken cancellationToken = default)
    {
        var before = time.GetUtcNow() - olderThan;
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<LogEntry>>([.. Enumerable.Range(0, ChangeLogPartitions.Count)
                .SelectMany(p => partitions[p].Where(e => e.Position > cursors.GetValueOrDefault((consumer, p)).Position && e.LoggedAt < before))
                .OrderBy(e => e.LoggedAt).Take(max)]);
        }
    }

    /// <summary>Moves a consumer's cursor (the memory index does, with its write) and drops what every consumer has read.</summary>
    public Task SaveCursor(string consumer, int partition, LogCursor cursor, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            cursors[(consumer, partition)] = cursor;
            // In memory the log keeps nothing that every consumer of the partition has read (there is no retention window to honour).
            var oldest = cursors.Where(c => c.Key.Item2 == partition).Min(c => c.Value.Position);
            partitions[partition].RemoveAll(e => e.Position <= oldest);
        }
        return Task.CompletedTask;
    }
}
