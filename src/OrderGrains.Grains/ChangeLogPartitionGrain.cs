using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

/// <summary>
/// Reads one partition of the change log and delivers every entry to its marketplace order, in order per order, at
/// least once: a batch is read and delivered (orders in parallel, each order's entries in one call, applied one after the other). The cursor
/// then moves at most once per <see cref="ChangeLogOptions.CursorInterval"/>, in one transaction with everything
/// delivered since the last move going into the order index and the feed and hook queues (<see cref="IOrderIndex.Apply"/>):
/// the cursor never passes an entry the index lacks, and the index costs no commit of its own (it is behind the
/// marketplace orders by at most that interval). A crash before that write redelivers what came after the saved cursor;
/// the marketplace order and the index ignore what their sequence says they have. A seller order's commit wakes the
/// reader at once; an idle partition is read once per <see cref="ChangeLogOptions.MaxIdlePoll"/>, the backstop for a
/// lost wake-up.
/// It also sweeps the partition's due deadlines once per <see cref="ChangeLogOptions.DeadlineSweep"/> and wakes those
/// orders (an active order's own timer fires first; the sweep is what fires a deadline of an order that was collected
/// or whose silo died). This is per partition, never per order: an idle open order costs nothing.
/// </summary>
public sealed partial class ChangeLogPartitionGrain(
    IChangeLog log, IOrderIndex index, IOptions<ChangeLogOptions> options, [FromKeyedServices(WorkflowClock.Key)] TimeProvider time, ILogger<ChangeLogPartitionGrain> logger)
    : Grain, IChangeLogPartitionGrain
{
    public const string Consumer = "marketplace-mirror";

    private int Partition => (int)this.GetPrimaryKeyLong();
    private LogCursor cursor;
    private LogCursor saved;
    /// <summary>Entries delivered to their marketplace orders since the last cursor write: the index gets them with the next one.</summary>
    private readonly List<LogEntry> unindexed = [];
    private DateTimeOffset savedAt;
    private TimeSpan retry = TimeSpan.Zero;
    private TimeSpan heldBackWait = TimeSpan.Zero;
    private IGrainTimer? timer;
    private IGrainTimer? sweeper;
    private bool woken;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        cursor = saved = await log.LoadCursor(Consumer, Partition, cancellationToken);
        // One timer: due at once after a wake-up, otherwise every MaxIdlePoll (the backstop for a lost wake-up).
        // KeepAlive: the reader is not collected while idle. An idle partition costs one read per MaxIdlePoll.
        timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.MaxIdlePoll) { KeepAlive = true });
        // The first sweep at once: after a restart, deadlines that fell due meanwhile fire now.
        sweeper = this.RegisterGrainTimer(Sweep, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.DeadlineSweep) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (cursor.CompareTo(saved) > 0)
        {
            await SaveCursor(cancellationToken);
        }
    }

    /// <summary>
    /// Runs interleaved (it only moves the timer): a read at once. Each silo sends this at most once per
    /// <see cref="ChangeLogOptions.WakeDelay"/> (<see cref="ChangeLogWakeups"/>), so the commits of that time share the read.
    /// </summary>
    public Task Wake()
    {
        if (!woken)
        {
            woken = true;
            timer?.Change(TimeSpan.Zero, options.Value.MaxIdlePoll);
        }
        return Task.CompletedTask;
    }

    public Task<long> Status() => Task.FromResult(cursor.Position);

    private async Task Tick(CancellationToken cancellationToken)
    {
        var o = options.Value;
        woken = false;
        if (unindexed.Count >= 8 * o.BatchSize)
        {
            // The index write keeps failing: read no further until it succeeds (memory stays bounded).
            await SaveCursor(cancellationToken);
            if (unindexed.Count >= 8 * o.BatchSize)
            {
                RetryLater(o);
                return;
            }
        }
        IReadOnlyList<LogEntry> batch;
        bool heldBack;
        try
        {
            (batch, heldBack) = await log.Read(Partition, cursor, o.BatchSize, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReadFailed(logger, ex, Partition);
            RetryLater(o);
            return;
        }
        if (heldBack)
        {
            // Committed entries wait for an older transaction to end; no wake-up will come for them, so read again soon.
            ReadAgainSoon(o);
        }
        else
        {
            heldBackWait = TimeSpan.Zero;
        }
        if (batch.Count == 0)
        {
            retry = TimeSpan.Zero;
            await SaveCursorIfDue(o, cancellationToken);
            return;
        }

        try
        {
            var mirrored = Task.WhenAll(batch.GroupBy(e => e.StreamKey).Select(async order =>
            {
                // One call per order and batch: its entries in log order, applied one by one in the order's turn.
                try
                {
                    await GrainFactory.MarketplaceOrder(order.Key).DeliverAll(
                        [.. order.Select(entry => new SellerOrderChanged($"{entry.OrderId}#{entry.Sequence}", entry.Sequence, "log", entry.Seller))]);
                }
                catch (Exception ex) when (OrderStateUnreadableException.In(ex) is { } reason)
                {
                    // That order cannot take it until ops restores its row (it catches up on activation then): never block the partition on it.
                    LogSkippedUnreadable(logger, Partition, order.Key, reason);
                    return;
                }
                var now = time.GetUtcNow();
                foreach (var entry in order.Where(e => e.LoggedAt != default))
                {
                    Metrics.DeliveryLag.Record((now - entry.LoggedAt).TotalMilliseconds);
                }
            }));
            await mirrored;
        }
        catch (Exception ex)
        {
            // Nothing of this batch counts as delivered: it is read and delivered again (duplicates are ignored by sequence).
            LogDeliveryFailed(logger, ex, Partition, batch.Count);
            RetryLater(o);
            return;
        }

        var last = batch[^1];
        cursor = new LogCursor(last.Txid, last.Position);
        unindexed.AddRange(batch); // indexed (and queued for feeds and hooks) with the next cursor write
        retry = TimeSpan.Zero;
        if (batch.Count == o.BatchSize)
        {
            woken = true;
            timer?.Change(TimeSpan.Zero, o.MaxIdlePoll); // a full batch: there is probably more
        }
        await SaveCursorIfDue(o, cancellationToken);
    }

    /// <summary>
    /// Saves the cursor if it moved and the last save is at least <see cref="ChangeLogOptions.CursorInterval"/> old;
    /// otherwise makes sure a tick comes when it is (a busy partition writes its cursor once per interval, not per batch).
    /// </summary>
    private async Task SaveCursorIfDue(ChangeLogOptions o, CancellationToken cancellationToken)
    {
        if (cursor.CompareTo(saved) <= 0) return;
        var wait = savedAt + o.CursorInterval - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            if (!woken) timer?.Change(wait, o.MaxIdlePoll); // unless a wake-up (or a full batch) already asked for a read at once
            return;
        }
        await SaveCursor(cancellationToken);
    }

    private async Task SaveCursor(CancellationToken cancellationToken)
    {
        try
        {
            var moving = cursor;
            var entries = unindexed.ToList();
            // One transaction: the index rows, the feed and hook items, and the cursor (it never passes an unindexed entry).
            var hooks = await index.Apply(entries, new CursorAdvance(Consumer, Partition, moving), cancellationToken);
            unindexed.RemoveRange(0, entries.Count);
            saved = moving;
            savedAt = time.GetUtcNow();
            foreach (var entry in entries.Where(e => e.LoggedAt != default)) Metrics.IndexLag.Record((savedAt - entry.LoggedAt).TotalMilliseconds);
            foreach (var hook in hooks)
            {
                await GrainFactory.GetGrain<IHookDeliveryGrain>(hook).Wake();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Delivered but not recorded: a restart would deliver it again, which the marketplace order ignores.
            LogCursorSaveFailed(logger, ex, Partition);
        }
    }

    /// <summary>Wakes every seller order of this partition whose deadline is due; each decides in its own turn.</summary>
    private async Task Sweep(CancellationToken cancellationToken)
    {
        var o = options.Value;
        try
        {
            var due = await log.DueDeadlines(Partition, time.GetUtcNow(), o.BatchSize, cancellationToken);
            if (due.Count == 0) return;
            LogSweep(logger, Partition, due.Count);
            await Task.WhenAll(due.Select(id => GrainFactory.SellerOrder(id).FireDeadline()));
            if (due.Count == o.BatchSize)
            {
                sweeper?.Change(TimeSpan.Zero, o.DeadlineSweep); // a full batch: there is probably more
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(logger, ex, Partition); // the next sweep tries again
        }
    }

    /// <summary>
    /// Entries were held back: read again after 10 ms, then 20, 40 … up to <see cref="ChangeLogOptions.HeldBackPoll"/>
    /// while they stay held back (the transaction they wait for is a state write or a cursor write: milliseconds, as a
    /// rule), unless a wake-up comes first. Under load the next commit's wake-up usually reads them; this bounds the wait
    /// when none comes.
    /// </summary>
    private void ReadAgainSoon(ChangeLogOptions o)
    {
        var next = heldBackWait == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : heldBackWait * 2;
        heldBackWait = next < o.HeldBackPoll ? next : o.HeldBackPoll;
        woken = true; // a read is due soon: SaveCursorIfDue must not push it back
        timer?.Change(heldBackWait, o.MaxIdlePoll);
    }

    /// <summary>After a failure: try again soon, then less and less often, up to the idle poll.</summary>
    private void RetryLater(ChangeLogOptions o)
    {
        retry = retry == TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, o.MaxIdlePoll.Ticks));
        timer?.Change(retry, o.MaxIdlePoll);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: writing the index and the cursor failed; both are written again with the next batch")]
    private static partial void LogCursorSaveFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: marketplace order {OrderId} skipped ({Reason}); it catches up on activation once its row is restored")]
    private static partial void LogSkippedUnreadable(ILogger logger, int partition, string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Change log partition {Partition}: {Count} deadline(s) due; waking their orders")]
    private static partial void LogSweep(ILogger logger, int partition, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: the deadline sweep failed; the next sweep tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: read failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: delivering a batch of {Count} failed; it will be delivered again")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, int partition, int count);
}

/// <summary>The <c>ChangeLog</c> configuration section.</summary>
public sealed class ChangeLogOptions
{
    public const string SectionName = "ChangeLog";

    /// <summary>The longest wait between two reads of an idle partition (the backstop for a lost wake-up).</summary>
    public TimeSpan MaxIdlePoll { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a commit its partition is read at most: each silo sends a partition's wake-up once per this time
    /// (<see cref="ChangeLogWakeups"/>), so the commits of that time share one message and one read. The marketplace
    /// order has its seller order's change already (<see cref="ISellerChangePush"/>); the read is what the index, the
    /// feeds, the hooks and a lost push wait for (the index and the feeds already wait up to <see cref="CursorInterval"/>).
    /// </summary>
    public TimeSpan WakeDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The longest wait before a partition is read again while committed entries are held back behind an older
    /// transaction still running (the wait starts at 10 ms, or at this if shorter, and doubles).
    /// </summary>
    public TimeSpan HeldBackPoll { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Entries read and delivered per batch (and deadlines woken per sweep).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// The shortest time between two cursor writes of a partition. A crash redelivers at most this much (the marketplace
    /// order ignores what it has); a busy partition writes its cursor once per interval instead of once per batch.
    /// </summary>
    public TimeSpan CursorInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each partition looks for due deadlines of orders that are not active (an active order's own timer
    /// fires on time): a deadline of a collected order, or of one whose silo died, fires at most this late.
    /// </summary>
    public TimeSpan DeadlineSweep { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a delivered entry stays in the log (PostgreSQL) before the retention purge may delete it.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often one silo runs the retention purge (bounded batches).</summary>
    public TimeSpan PurgePeriod { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Keeps every partition reader and every hook's delivery running somewhere in the cluster: each silo asks them all at
/// start and every <see cref="Period"/> (one that lived on a silo that died is activated again on a live one).
/// </summary>
public sealed partial class ChangeLogReaders(IGrainFactory grains, IOrderFeeds feeds, ILogger<ChangeLogReaders> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var round = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, ChangeLogPartitions.Count).Select(p => grains.ChangeLogPartition(p).Status()));
                // Hooks every fourth round (a minute): a hook whose grain died with its silo and gets no new item resumes its
                // retries within a minute; one that gets a new item is woken by it at once.
                if (round++ % 4 == 0)
                {
                    foreach (var hook in await feeds.Configs(FeedKind.Hook, stoppingToken))
                    {
                        await grains.GetGrain<IHookDeliveryGrain>(hook.AppKey).Wake();
                    }
                }
                await Task.Delay(Period, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogNotReady(logger, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Change log readers not reachable yet ({Error}); retrying")]
    private static partial void LogNotReady(ILogger logger, string error);
}
