using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

/// <summary>
/// Reads one partition of the change log and delivers every entry to its marketplace order, in order per order,
/// at least once: a batch is read, delivered (orders in parallel, each order's entries one after the other), and only
/// then is the cursor moved — one cursor write per batch. A crash before that write redelivers the batch; the
/// marketplace order ignores what its sequence says it already has. Polls back off while the partition is idle
/// (<see cref="ChangeLogOptions.MaxIdlePoll"/>); a seller order's commit wakes it at once.
/// This is per partition, never per order: an idle open order costs nothing.
/// </summary>
public sealed partial class ChangeLogPartitionGrain(IChangeLog log, IOptions<ChangeLogOptions> options, ILogger<ChangeLogPartitionGrain> logger)
    : Grain, IChangeLogPartitionGrain
{
    public const string Consumer = "marketplace-mirror";

    private int Partition => (int)this.GetPrimaryKeyLong();
    private LogCursor cursor;
    private bool woken = true;
    private DateTime nextPoll = DateTime.MinValue;
    private TimeSpan idle = TimeSpan.Zero;
    private IGrainTimer? timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        cursor = await log.LoadCursor(Consumer, Partition, cancellationToken);
        // KeepAlive: the reader must not be collected while idle; the timer's tick is in-memory unless a poll is due.
        timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.TickPeriod) { KeepAlive = true });
    }

    public Task Wake()
    {
        woken = true;
        return Task.CompletedTask;
    }

    public Task<long> Status() => Task.FromResult(cursor.Position);

    private async Task Tick(CancellationToken cancellationToken)
    {
        if (!woken && DateTime.UtcNow < nextPoll) return;
        woken = false;
        var o = options.Value;
        IReadOnlyList<LogEntry> batch;
        try
        {
            batch = await log.Read(Partition, cursor, o.BatchSize, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReadFailed(logger, ex, Partition);
            BackOff(o);
            return;
        }
        if (batch.Count == 0)
        {
            BackOff(o);
            return;
        }

        try
        {
            await Task.WhenAll(batch.GroupBy(e => e.StreamKey).Select(async order =>
            {
                var marketplace = GrainFactory.GetGrain<IMarketplaceOrderGrain>(order.Key);
                foreach (var entry in order)
                {
                    await marketplace.Deliver(new SellerOrderChanged($"{entry.OrderId}#{entry.Sequence}", entry.Sequence, "log", entry.Seller));
                }
            }));
        }
        catch (Exception ex)
        {
            // Nothing of this batch counts as delivered: it is read and delivered again (duplicates are ignored by sequence).
            LogDeliveryFailed(logger, ex, Partition, batch.Count);
            BackOff(o);
            return;
        }

        var last = batch[^1];
        cursor = new LogCursor(last.Txid, last.Position);
        await log.SaveCursor(Consumer, Partition, cursor, cancellationToken);
        idle = TimeSpan.Zero;
        nextPoll = DateTime.MinValue;
        woken = batch.Count == o.BatchSize; // a full batch: there is probably more
    }

    private void BackOff(ChangeLogOptions o)
    {
        idle = idle == TimeSpan.Zero ? o.TickPeriod : TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, o.MaxIdlePoll.Ticks));
        nextPoll = DateTime.UtcNow + idle;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: read failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change log partition {Partition}: delivering a batch of {Count} failed; it will be delivered again")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, int partition, int count);
}

/// <summary>The <c>ChangeLog</c> configuration section.</summary>
public sealed class ChangeLogOptions
{
    public const string SectionName = "ChangeLog";

    /// <summary>How often a partition reader checks for work in memory (no database access unless woken or due).</summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest wait between two reads of an idle partition (the backstop for a lost wake-up).</summary>
    public TimeSpan MaxIdlePoll { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Entries read and delivered per cursor write.</summary>
    public int BatchSize { get; set; } = 256;
}

/// <summary>
/// Keeps every partition reader running somewhere in the cluster: each silo asks them all at start and every
/// <see cref="Period"/> (a reader that lived on a silo that died is activated again on a live one).
/// </summary>
public sealed partial class ChangeLogReaders(IGrainFactory grains, ILogger<ChangeLogReaders> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, ChangeLogPartitions.Count).Select(p => grains.GetGrain<IChangeLogPartitionGrain>(p).Status()));
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
