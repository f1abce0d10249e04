using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

/// <summary>
/// Reads one partition of the change log and delivers every entry to its marketplace order, in order per order,
/// at least once: a batch is read, delivered (orders in parallel, each order's entries one after the other), and only
/// then is the cursor moved — one cursor write per batch. A crash before that write redelivers the batch; the
/// marketplace order ignores what its sequence says it already has. A seller order's commit wakes the reader at
/// once; an idle partition is read once per <see cref="ChangeLogOptions.MaxIdlePoll"/>, the backstop for a lost wake-up.
/// This is per partition, never per order: an idle open order costs nothing.
/// </summary>
public sealed partial class ChangeLogPartitionGrain(IChangeLog log, IOptions<ChangeLogOptions> options, ILogger<ChangeLogPartitionGrain> logger)
    : Grain, IChangeLogPartitionGrain
{
    public const string Consumer = "marketplace-mirror";

    private int Partition => (int)this.GetPrimaryKeyLong();
    private LogCursor cursor;
    private TimeSpan retry = TimeSpan.Zero;
    private IGrainTimer? timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        cursor = await log.LoadCursor(Consumer, Partition, cancellationToken);
        // One timer: due at once after a wake-up, otherwise every MaxIdlePoll (the backstop for a lost wake-up).
        // KeepAlive: the reader is not collected while idle. An idle partition costs one read per MaxIdlePoll.
        timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.MaxIdlePoll) { KeepAlive = true });
    }

    /// <summary>Runs interleaved (it only moves the timer): the next read starts as soon as the current one ends.</summary>
    public Task Wake()
    {
        timer?.Change(TimeSpan.Zero, options.Value.MaxIdlePoll);
        return Task.CompletedTask;
    }

    public Task<long> Status() => Task.FromResult(cursor.Position);

    private async Task Tick(CancellationToken cancellationToken)
    {
        var o = options.Value;
        IReadOnlyList<LogEntry> batch;
        try
        {
            batch = await log.Read(Partition, cursor, o.BatchSize, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReadFailed(logger, ex, Partition);
            RetryLater(o);
            return;
        }
        if (batch.Count == 0)
        {
            retry = TimeSpan.Zero;
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
            RetryLater(o);
            return;
        }

        var last = batch[^1];
        cursor = new LogCursor(last.Txid, last.Position);
        await log.SaveCursor(Consumer, Partition, cursor, cancellationToken);
        retry = TimeSpan.Zero;
        if (batch.Count == o.BatchSize)
        {
            timer?.Change(TimeSpan.Zero, o.MaxIdlePoll); // a full batch: there is probably more
        }
    }

    /// <summary>After a failure: try again soon, then less and less often, up to the idle poll.</summary>
    private void RetryLater(ChangeLogOptions o)
    {
        retry = retry == TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, o.MaxIdlePoll.Ticks));
        timer?.Change(retry, o.MaxIdlePoll);
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

    /// <summary>The longest wait between two reads of an idle partition (the backstop for a lost wake-up).</summary>
    public TimeSpan MaxIdlePoll { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Entries read and delivered per cursor write.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long a delivered entry stays in the log (PostgreSQL) before the retention purge may delete it.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often one silo runs the retention purge (bounded batches).</summary>
    public TimeSpan PurgePeriod { get; set; } = TimeSpan.FromMinutes(10);
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
