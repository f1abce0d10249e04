using Orleans.Concurrency;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// The order index: one row per order pair, projected from the change log by the partition readers (the same batch that
/// reaches the marketplace orders, before the cursor moves), so it is behind the log by at most one batch plus a wake-up.
/// The same write enqueues the batch's status changes for every feed and hook that wants them (<see cref="IOrderFeeds"/>):
/// index row and feed items commit together, so a crash can neither lose a change nor report it twice.
/// Applying an entry is idempotent and never goes back: an entry at or below the row's sequence changes nothing.
/// </summary>
public interface IOrderIndex
{
    /// <summary>
    /// Applies log entries (in log order) and moves the reader's cursor to <paramref name="advance"/>, in one transaction:
    /// the cursor never passes an entry the index has not applied. Returns the AppKeys of hooks that received new items.
    /// </summary>
    Task<IReadOnlyList<string>> Apply(IReadOnlyList<LogEntry> entries, CursorAdvance advance, CancellationToken cancellationToken = default);

    Task<OrderPage> Query(OrderQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StatusCount>> Counts(CancellationToken cancellationToken = default);

    /// <summary>Status changes per domain, status and 10-minute bucket (<see cref="StatusTrend"/>) since a moment; kept by <see cref="Apply"/>.</summary>
    Task<IReadOnlyList<StatusTrend>> Trend(DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>Feed and hook configurations and their queues of status changes (Feed v3 semantics: receive, hide, commit).</summary>
public interface IOrderFeeds
{
    Task Configure(FeedConfig config, CancellationToken cancellationToken = default);

    Task<FeedConfig?> GetConfig(string appKey, FeedKind kind, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FeedConfig>> Configs(FeedKind kind, CancellationToken cancellationToken = default);

    Task<bool> Remove(string appKey, FeedKind kind, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="max"/> visible items, oldest first, never one whose order has an earlier item still queued (so
    /// per order they come in order); each is hidden for <paramref name="hideFor"/> under a new handle, its attempts counted.
    /// Items past their retention are dropped.
    /// </summary>
    Task<IReadOnlyList<FeedItem>> Receive(string appKey, FeedKind kind, int max, TimeSpan hideFor, CancellationToken cancellationToken = default);

    /// <summary>Deletes the items whose current handle is one of <paramref name="handles"/>; returns how many.</summary>
    Task<int> Commit(string appKey, FeedKind kind, IReadOnlyList<string> handles, CancellationToken cancellationToken = default);

    /// <summary>Hides the item of <paramref name="handle"/> until <paramref name="after"/> from now (a failed hook delivery).</summary>
    Task Defer(string appKey, FeedKind kind, string handle, TimeSpan after, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues <paramref name="changes"/> (in log order) for this one feed or hook, as the readers queue new ones (same event
    /// ids, in order per order behind what is already queued; one still queued is not queued twice), each kept for the
    /// config's retention from now. Returns how many were queued.
    /// </summary>
    Task<int> Requeue(FeedConfig config, IReadOnlyList<StatusChange> changes, CancellationToken cancellationToken = default);

    /// <summary>Every feed and hook with its queue: how many items, the oldest change, the most attempts.</summary>
    Task<IReadOnlyList<ConsumerHealth>> Health(CancellationToken cancellationToken = default);

    /// <summary>Makes the items of a hook or feed that wait out a backoff visible now (blocked ones stay behind their order's head).</summary>
    Task<int> RetryNow(string appKey, FeedKind kind, CancellationToken cancellationToken = default);

    /// <summary>Marks a configuration disabled (a hook then delivers nothing); false if there is none.</summary>
    Task<bool> Disable(string appKey, FeedKind kind, CancellationToken cancellationToken = default);

    /// <summary>The items still queued for these orders, oldest first.</summary>
    Task<IReadOnlyList<QueuedChange>> Queued(IReadOnlyList<string> orderIds, CancellationToken cancellationToken = default);
}

/// <summary>Where a change-log reader's cursor moves with an index write.</summary>
public sealed record CursorAdvance(string Consumer, int Partition, LogCursor Cursor);

/// <summary>A status change found in the log, before it is matched against the feeds and hooks.</summary>
public sealed record StatusChange(
    string EventId, string OrderId, string Domain, string State, string LastState, DateTimeOffset? LastChange, DateTimeOffset CurrentChange,
    string Account, string SellerId, DateTimeOffset LoggedAt)
{
    public const string Marketplace = "Marketplace", Fulfillment = "Fulfillment";

    /// <summary>Whether a feed or hook with this configuration receives the change (status filter, the key's orders, after its creation).</summary>
    public bool IsFor(FeedConfig config) =>
        config.Statuses.Contains(State)
        && (config.Account is null || config.Account == Account)
        && (config.SellerId is null || (config.SellerId == SellerId && Domain == Fulfillment))
        && LoggedAt >= config.CreatedAt;
}

public static class OrderIndexProjection
{
    /// <summary>
    /// The rows a batch leaves (one per order, its newest entry) and every status change it holds, in log order, each
    /// against the status before it (from <paramref name="previous"/>, the index as it was, then from the batch itself).
    /// Entries the index already has (at or below its sequence) are skipped: a redelivered batch finds nothing new.
    /// </summary>
    public static (IReadOnlyList<IndexedOrder> Rows, IReadOnlyList<StatusChange> Changes) Project(
        IReadOnlyList<LogEntry> batch, IReadOnlyDictionary<string, IndexedOrder> previous, DateTimeOffset now)
    {
        var current = new Dictionary<string, IndexedOrder>();
        var changes = new List<StatusChange>();
        foreach (var entry in batch)
        {
            var before = current.GetValueOrDefault(entry.OrderId) ?? previous.GetValueOrDefault(entry.OrderId);
            if (before is not null && entry.Sequence <= before.Sequence) continue;
            var row = From(entry, now);
            current[entry.OrderId] = row;
            if (before?.SellerStatus != row.SellerStatus)
            {
                changes.Add(Change(entry, StatusChange.Fulfillment, row.SellerOrderId, row.SellerStatus, before?.SellerStatus, before, row));
            }
            if (before?.MarketplaceStatus != row.MarketplaceStatus)
            {
                changes.Add(Change(entry, StatusChange.Marketplace, row.MarketplaceOrderId, row.MarketplaceStatus, before?.MarketplaceStatus, before, row));
            }
        }
        return ([.. current.Values], changes);
    }

    private static StatusChange Change(LogEntry entry, string domain, string orderId, string state, string? lastState, IndexedOrder? before, IndexedOrder row) =>
        new(EventId(orderId, domain, entry.Sequence), orderId, domain, state, lastState ?? "", before?.LastChange ?? before?.CreationDate,
            row.LastChange ?? row.CreationDate, row.Account, row.SellerId, row.LoggedAt);

    /// <summary>Stable across redeliveries: the order, its domain and the sequence of the change, hashed to VTEX's 32 hex digits.</summary>
    public static string EventId(string orderId, string domain, long sequence) =>
        Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{orderId}|{domain}|{sequence}")));

    public static IndexedOrder From(LogEntry entry, DateTimeOffset now)
    {
        var s = entry.Seller;
        return new IndexedOrder(s.MarketplaceOrderId, s.SellerOrderId, s.OrderGroup.Length > 0 ? s.OrderGroup : GroupOf(s.MarketplaceOrderId),
            s.Account, s.SellerId, MarketplaceOrderDecider.Expected(PaymentStatus.Pending, s).Vtex(), s.Status.Vtex(), s.Value,
            s.Items.Sum(i => i.Quantity), s.PlacedAt, s.LastChange, s.Invoices.Any(i => i.Type == InvoiceType.Input), s.Sequence,
            entry.LoggedAt == default ? now : entry.LoggedAt, now);
    }

    /// <summary>Orders placed before seller orders kept their group: the group is the marketplace order id without its <c>-NN</c>.</summary>
    private static string GroupOf(string marketplaceOrderId) =>
        marketplaceOrderId.LastIndexOf('-') is var dash and > 0 ? marketplaceOrderId[..dash] : marketplaceOrderId;

    /// <summary>A handle names one receipt of one item: its id and a random token.</summary>
    public static string Handle(long id) => $"{id}.{Guid.NewGuid():N}";

}

/// <summary>The order index and the feeds in memory (Development profile, tests): dictionaries under one lock.</summary>
public sealed class MemoryOrderIndex(MemoryChangeLog? log = null, TimeProvider? time = null) : IOrderIndex, IOrderFeeds
{
    private sealed class QueuedItem(long id, string appKey, FeedKind kind, StatusChange change, DateTimeOffset expiresAt)
    {
        public long Id { get; } = id;
        public string AppKey { get; } = appKey;
        public FeedKind Kind { get; } = kind;
        public StatusChange Change { get; } = change;
        public DateTimeOffset ExpiresAt { get; } = expiresAt;
        public DateTimeOffset VisibleAt { get; set; }
        public string? Handle { get; set; }
        public int Attempts { get; set; }
    }

    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly Lock gate = new();
    private readonly Dictionary<string, IndexedOrder> rows = [];
    private readonly Dictionary<(string, FeedKind), FeedConfig> configs = [];
    private readonly List<QueuedItem> items = [];
    private readonly Dictionary<(DateTimeOffset Bucket, string Domain, string Status), long> trend = [];
    private long nextItem;

    public async Task<IReadOnlyList<string>> Apply(IReadOnlyList<LogEntry> batch, CursorAdvance advance, CancellationToken cancellationToken = default)
    {
        var hooks = ApplyEntries(batch);
        if (log is not null) await log.SaveCursor(advance.Consumer, advance.Partition, advance.Cursor, cancellationToken);
        return hooks;
    }

    private IReadOnlyList<string> ApplyEntries(IReadOnlyList<LogEntry> batch)
    {
        var now = time.GetUtcNow();
        var hooks = new HashSet<string>();
        lock (gate)
        {
            var (projected, changes) = OrderIndexProjection.Project(batch, rows, now);
            foreach (var row in projected) rows[row.SellerOrderId] = row;
            foreach (var change in changes)
            {
                var key = (StatusTrend.BucketOf(change.LoggedAt), change.Domain, change.State);
                trend[key] = trend.GetValueOrDefault(key) + 1;
                foreach (var config in configs.Values.Where(change.IsFor))
                {
                    items.Add(new QueuedItem(++nextItem, config.AppKey, config.Kind, change, change.LoggedAt.AddSeconds(config.RetentionSeconds)) { VisibleAt = now });
                    if (config.Kind == FeedKind.Hook) hooks.Add(config.AppKey);
                }
            }
        }
        return [.. hooks];
    }

    public Task<OrderPage> Query(OrderQuery q, CancellationToken cancellationToken = default)
    {
        List<IndexedOrder> matching;
        lock (gate)
        {
            matching = [.. rows.Values.Where(r =>
                (q.Account is null || r.Account == q.Account)
                && (q.SellerId is null || r.SellerId == q.SellerId)
                && (q.Statuses.Count == 0 || (!q.SellerStatusOnly && q.Statuses.Contains(r.MarketplaceStatus)) || q.Statuses.Contains(r.SellerStatus))
                && (q.CreatedFrom is null || r.CreationDate >= q.CreatedFrom)
                && (q.CreatedTo is null || r.CreationDate <= q.CreatedTo)
                && (q.HasInputInvoice is null || r.HasInputInvoice == q.HasInputInvoice)
                && (q.OrderGroup is null || r.OrderGroup == q.OrderGroup)
                && (q.ChangedBefore is null || (r.LastChange ?? r.CreationDate) < q.ChangedBefore)
                && (q.Text is null || Contains(r.MarketplaceOrderId, q.Text) || Contains(r.SellerOrderId, q.Text) || Contains(r.OrderGroup, q.Text)))];
        }
        var sellerView = q.SellerId is not null;
        IOrderedEnumerable<IndexedOrder> sorted = q.Sort switch
        {
            OrderSort.OrderId => Order(matching, r => sellerView ? r.SellerOrderId : r.MarketplaceOrderId, q.Descending),
            OrderSort.TotalValue => Order(matching, r => r.Value, q.Descending),
            OrderSort.Items => Order(matching, r => r.TotalItems, q.Descending),
            OrderSort.LastChange => Order(matching, r => r.LastChange ?? r.CreationDate, q.Descending),
            _ => Order(matching, r => r.CreationDate, q.Descending),
        };
        sorted = q.Descending ? sorted.ThenByDescending(r => r.SellerOrderId, StringComparer.Ordinal) : sorted.ThenBy(r => r.SellerOrderId, StringComparer.Ordinal);
        return Task.FromResult(new OrderPage([.. sorted.Skip((q.Page - 1) * q.PerPage).Take(q.PerPage)], matching.Count));
    }

    public Task<IReadOnlyList<StatusTrend>> Trend(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            // A day of buckets is all the board needs: older ones go (what retention does on PostgreSQL).
            foreach (var old in trend.Keys.Where(k => k.Bucket < time.GetUtcNow().AddDays(-1)).ToList()) trend.Remove(old);
            return Task.FromResult<IReadOnlyList<StatusTrend>>([.. trend.Where(t => t.Key.Bucket >= StatusTrend.BucketOf(since))
                .Select(t => new StatusTrend(t.Key.Domain, t.Key.Status, t.Key.Bucket, t.Value))]);
        }
    }

    public Task<IReadOnlyList<StatusCount>> Counts(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<StatusCount>>([
                .. rows.Values.GroupBy(r => r.MarketplaceStatus).Select(g => new StatusCount(StatusChange.Marketplace, g.Key, g.Count())),
                .. rows.Values.GroupBy(r => r.SellerStatus).Select(g => new StatusCount(StatusChange.Fulfillment, g.Key, g.Count())),
            ]);
        }
    }

    private static IOrderedEnumerable<IndexedOrder> Order<T>(List<IndexedOrder> rows, Func<IndexedOrder, T> key, bool descending) =>
        descending ? rows.OrderByDescending(key) : rows.OrderBy(key);

    private static bool Contains(string value, string part) => value.Contains(part, StringComparison.OrdinalIgnoreCase);

    public Task Configure(FeedConfig config, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            // A replaced configuration keeps its creation time: it goes on receiving what it received.
            configs[(config.AppKey, config.Kind)] = configs.TryGetValue((config.AppKey, config.Kind), out var existing)
                ? config with { CreatedAt = existing.CreatedAt }
                : config with { CreatedAt = time.GetUtcNow() };
        }
        return Task.CompletedTask;
    }

    public Task<FeedConfig?> GetConfig(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        lock (gate) return Task.FromResult(configs.GetValueOrDefault((appKey, kind)));
    }

    public Task<IReadOnlyList<FeedConfig>> Configs(FeedKind kind, CancellationToken cancellationToken = default)
    {
        lock (gate) return Task.FromResult<IReadOnlyList<FeedConfig>>([.. configs.Values.Where(c => c.Kind == kind)]);
    }

    public Task<bool> Remove(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            items.RemoveAll(i => i.AppKey == appKey && i.Kind == kind);
            return Task.FromResult(configs.Remove((appKey, kind)));
        }
    }

    public Task<IReadOnlyList<FeedItem>> Receive(string appKey, FeedKind kind, int max, TimeSpan hideFor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var received = new List<FeedItem>();
        lock (gate)
        {
            items.RemoveAll(i => i.ExpiresAt < now);
            var seen = new HashSet<string>();
            foreach (var item in items.Where(i => i.AppKey == appKey && i.Kind == kind))
            {
                if (received.Count == max) break;
                // The oldest queued item of each order is the only one that may go out.
                if (!seen.Add(item.Change.OrderId) || item.VisibleAt > now) continue;
                item.Handle = OrderIndexProjection.Handle(item.Id);
                item.VisibleAt = now + hideFor;
                item.Attempts++;
                received.Add(ToItem(item));
            }
        }
        return Task.FromResult<IReadOnlyList<FeedItem>>(received);
    }

    public Task<int> Commit(string appKey, FeedKind kind, IReadOnlyList<string> handles, CancellationToken cancellationToken = default)
    {
        var named = handles.ToHashSet();
        lock (gate) return Task.FromResult(items.RemoveAll(i => i.AppKey == appKey && i.Kind == kind && i.Handle is { } h && named.Contains(h)));
    }

    public Task<IReadOnlyList<ConsumerHealth>> Health(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<ConsumerHealth>>([.. configs.Values.Select(c =>
            {
                var queued = items.Where(i => i.AppKey == c.AppKey && i.Kind == c.Kind).ToList();
                return new ConsumerHealth(c.AppKey, c.Kind, queued.Count, queued.Count == 0 ? null : queued.Min(i => i.Change.CurrentChange),
                    queued.Count == 0 ? 0 : queued.Max(i => i.Attempts), c.DisabledAt);
            })]);
        }
    }

    public Task<bool> Disable(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!configs.TryGetValue((appKey, kind), out var config)) return Task.FromResult(false);
            configs[(appKey, kind)] = config with { DisabledAt = config.DisabledAt ?? time.GetUtcNow() };
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<QueuedChange>> Queued(IReadOnlyList<string> orderIds, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<QueuedChange>>([.. items.Where(i => orderIds.Contains(i.Change.OrderId))
                .Select(i => new QueuedChange(i.AppKey, i.Kind, i.Change.OrderId, i.Change.State, i.Change.EventId, i.Attempts, i.VisibleAt))]);
        }
    }

    public Task<int> RetryNow(string appKey, FeedKind kind, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            var waiting = items.Where(i => i.AppKey == appKey && i.Kind == kind && i.VisibleAt > now).ToList();
            foreach (var item in waiting) item.VisibleAt = now;
            return Task.FromResult(waiting.Count);
        }
    }

    public Task<int> Requeue(FeedConfig config, IReadOnlyList<StatusChange> changes, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queued = 0;
        lock (gate)
        {
            foreach (var change in changes)
            {
                if (items.Any(i => i.AppKey == config.AppKey && i.Kind == config.Kind && i.Change.EventId == change.EventId)) continue;
                items.Add(new QueuedItem(++nextItem, config.AppKey, config.Kind, change, now.AddSeconds(config.RetentionSeconds)) { VisibleAt = now });
                queued++;
            }
        }
        return Task.FromResult(queued);
    }

    public Task Defer(string appKey, FeedKind kind, string handle, TimeSpan after, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (items.FirstOrDefault(i => i.AppKey == appKey && i.Kind == kind && i.Handle == handle) is { } item)
            {
                item.VisibleAt = time.GetUtcNow() + after;
            }
        }
        return Task.CompletedTask;
    }

    private static FeedItem ToItem(QueuedItem i) => new(i.Id, i.Change.EventId, i.Handle!, i.Change.Domain, i.Change.State, i.Change.LastState,
        i.Change.OrderId, i.Change.LastChange, i.Change.CurrentChange, i.Change.Account, i.Attempts);
}

/// <summary>Answers index queries inside the cluster, on any silo (the gateway needs no database connection of its own).</summary>
[StatelessWorker]
public sealed class OrderIndexGrain(IOrderIndex index) : Grain, IOrderIndexGrain
{
    public Task<OrderPage> Query(OrderQuery query) => index.Query(query);

    public Task<IReadOnlyList<StatusCount>> Counts() => index.Counts();

    public Task<IReadOnlyList<StatusTrend>> Trend(DateTimeOffset since) => index.Trend(since);
}

/// <summary>Feed and hook configuration and the feed's queue, on any silo; a hook's configuration wakes its delivery grain.</summary>
[StatelessWorker]
public sealed class OrderFeedGrain(IOrderFeeds feeds, IChangeLog log, IOrderAlarms alarms, TimeProvider time) : Grain, IOrderFeedGrain
{
    public async Task<ConsumersHealth> Health(TimeSpan mirrorBehind) => new(
        await Consumers(),
        [.. (await log.Undelivered(ChangeLogPartitionGrain.Consumer, mirrorBehind, 50)).Select(e => new UndeliveredChange(e.StreamKey, e.OrderId, e.Sequence, e.LoggedAt))],
        await alarms.List(50));

    public Task<IReadOnlyList<QueuedChange>> Queued(IReadOnlyList<string> orderIds) => feeds.Queued(orderIds);

    public Task<IReadOnlyList<ConsumerHealth>> Consumers() => feeds.Health();

    public Task<bool> DisableHook(string appKey) => feeds.Disable(appKey, FeedKind.Hook);

    public async Task<ReplayResult?> Redeliver(string appKey, FeedKind kind, string sellerOrderId)
    {
        if (await feeds.GetConfig(appKey, kind) is not { } config) return null;
        if (!log.KeepsHistory) return new ReplayResult(0, 0, true, null, Available: false);
        var entries = await log.OrderEntries(sellerOrderId);
        var queued = await Requeue(config, entries, DateTimeOffset.MinValue);
        return new ReplayResult(queued, entries.Count == 0 ? 0 : 1, true, null);
    }

    /// <summary>
    /// Queues again for one config the status changes these entries hold (each told against the entry before it) that were
    /// committed at or after <paramref name="since"/> and that its filter wants; a hook is woken to send them.
    /// </summary>
    private async Task<int> Requeue(FeedConfig config, IReadOnlyList<LogEntry> entries, DateTimeOffset since)
    {
        var (_, changes) = OrderIndexProjection.Project(entries, new Dictionary<string, IndexedOrder>(), time.GetUtcNow());
        var wanted = changes.Where(c => c.LoggedAt >= since && c.IsFor(config with { CreatedAt = since })).ToList();
        var queued = wanted.Count == 0 ? 0 : await feeds.Requeue(config, wanted);
        if (config.Kind == FeedKind.Hook && queued > 0) await GrainFactory.GetGrain<IHookDeliveryGrain>(config.AppKey).Wake();
        return queued;
    }

    public async Task<int> RetryNow(string appKey)
    {
        var made = await feeds.RetryNow(appKey, FeedKind.Hook);
        await GrainFactory.GetGrain<IHookDeliveryGrain>(appKey).Wake();
        return made;
    }

    public async Task<ReplayResult?> Replay(string appKey, FeedKind kind, DateTimeOffset since)
    {
        if (await feeds.GetConfig(appKey, kind) is not { } config) return null;
        if (!log.KeepsHistory) return new ReplayResult(0, 0, true, null, Available: false);
        var entries = await log.History(since, ReplayResult.MaxOrders + 1);
        // The orders by their first change since then; past the limit, the next replay starts where the first left-out one changed.
        var firstChange = entries.Where(e => e.LoggedAt >= since).GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.Min(e => e.LoggedAt));
        var orders = firstChange.OrderBy(o => o.Value).Select(o => o.Key).ToList();
        var complete = orders.Count <= ReplayResult.MaxOrders;
        DateTimeOffset? continueFrom = complete ? null : firstChange[orders[ReplayResult.MaxOrders]];
        if (!complete)
        {
            var kept = orders.Take(ReplayResult.MaxOrders).ToHashSet();
            entries = [.. entries.Where(e => kept.Contains(e.OrderId))];
        }
        var queued = await Requeue(config, entries, since);
        return new ReplayResult(queued, Math.Min(orders.Count, ReplayResult.MaxOrders), complete, continueFrom);
    }

    public async Task Configure(FeedConfig config)
    {
        await feeds.Configure(config);
        if (config.Kind == FeedKind.Hook) await GrainFactory.GetGrain<IHookDeliveryGrain>(config.AppKey).Wake();
    }

    public Task<FeedConfig?> GetConfig(string appKey, FeedKind kind) => feeds.GetConfig(appKey, kind);

    public Task<bool> Remove(string appKey, FeedKind kind) => feeds.Remove(appKey, kind);

    public async Task<IReadOnlyList<FeedItem>?> Read(string appKey, int max)
    {
        var config = await feeds.GetConfig(appKey, FeedKind.Feed);
        return config is null ? null : await feeds.Receive(appKey, FeedKind.Feed, max, TimeSpan.FromSeconds(config.VisibilityTimeoutSeconds));
    }

    public Task<int> Commit(string appKey, IReadOnlyList<string> handles) => feeds.Commit(appKey, FeedKind.Feed, handles);
}
