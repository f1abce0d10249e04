namespace OrderGrains.Contracts;

/// <summary>A feed (pulled by its AppKey) or a hook (pushed to a URL): one of each per AppKey, as VTEX has.</summary>
[GenerateSerializer, Alias("OrderGrains.FeedKind")]
public enum FeedKind
{
    Feed,
    Hook,
}

/// <summary>
/// A feed or hook configuration (VTEX's <c>FromWorkflow</c> filter). It sees the orders its key may see: a marketplace key
/// its account's orders in both domains (<c>Marketplace</c>, <c>Fulfillment</c>), a seller key its own seller orders
/// (<c>Fulfillment</c>), an ops key every order. Items exist only for status changes committed after <see cref="CreatedAt"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.FeedConfig")]
public sealed record FeedConfig(
    [property: Id(0)] string AppKey,
    [property: Id(1)] FeedKind Kind,
    [property: Id(2)] IReadOnlyList<string> Statuses,
    [property: Id(3)] string? Account,
    [property: Id(4)] string? SellerId,
    [property: Id(5)] int VisibilityTimeoutSeconds,
    [property: Id(6)] int RetentionSeconds,
    [property: Id(7)] string? Url,
    [property: Id(8)] IReadOnlyDictionary<string, string>? Headers,
    /// <summary>Hooks: the key of the HMAC-SHA256 signature of every notification.</summary>
    [property: Id(9)] string? Secret,
    [property: Id(10)] DateTimeOffset CreatedAt,
    /// <summary>Hooks: when ops disabled it (nothing is sent; notifications stay queued until it is configured again).</summary>
    [property: Id(11)] DateTimeOffset? DisabledAt = null);

/// <summary>
/// One committed status change of one order, as a feed or hook consumer receives it. <see cref="EventId"/> is the same for
/// every delivery of the change (derived from the order, its domain and its sequence); <see cref="Handle"/> names one receipt.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.FeedItem")]
public sealed record FeedItem(
    [property: Id(0)] long Id,
    [property: Id(1)] string EventId,
    [property: Id(2)] string Handle,
    [property: Id(3)] string Domain,
    [property: Id(4)] string State,
    [property: Id(5)] string LastState,
    [property: Id(6)] string OrderId,
    [property: Id(7)] DateTimeOffset? LastChange,
    [property: Id(8)] DateTimeOffset CurrentChange,
    [property: Id(9)] string Account,
    [property: Id(10)] int Attempts);

/// <summary>Feed and hook configuration and the feed's queue, inside the cluster (the gateway needs no database of its own).</summary>
[Alias("OrderGrains.IOrderFeedGrain")]
public interface IOrderFeedGrain : IGrainWithIntegerKey
{
    [Alias("Configure")] Task Configure(FeedConfig config);

    [Alias("GetConfig")] Task<FeedConfig?> GetConfig(string appKey, FeedKind kind);

    /// <summary>Removes the configuration and every item not yet consumed; false if there was none.</summary>
    [Alias("Remove")] Task<bool> Remove(string appKey, FeedKind kind);

    /// <summary>
    /// Up to <paramref name="max"/> visible items, oldest first and never two of one order at once; each is hidden for the
    /// visibility timeout. Null when the AppKey has no feed.
    /// </summary>
    [Alias("Read")] Task<IReadOnlyList<FeedItem>?> Read(string appKey, int max);

    /// <summary>Deletes the items these handles name (a handle from an earlier receipt of an item that came back is ignored).</summary>
    [Alias("Commit")] Task<int> Commit(string appKey, IReadOnlyList<string> handles);

    /// <summary>
    /// Queues again, for this AppKey's feed or hook, every status change its filter wants that was committed at or after
    /// <paramref name="since"/> and is still in the change log — with the same event ids. Null when the key has no such config.
    /// </summary>
    [Alias("Replay")] Task<ReplayResult?> Replay(string appKey, FeedKind kind, DateTimeOffset since);

    /// <summary>
    /// What ops must see of the consumers: every feed and hook with its queue (how many, the oldest change, the most
    /// attempts), and the seller changes the marketplace orders have not been recorded as receiving for longer than
    /// <paramref name="mirrorBehind"/> (at most 50).
    /// </summary>
    [Alias("Health")] Task<ConsumersHealth> Health(TimeSpan mirrorBehind);

    /// <summary>Every feed and hook with its queue (what <see cref="Health"/> reports of the consumers, without the log and the alarms).</summary>
    [Alias("Consumers")] Task<IReadOnlyList<ConsumerHealth>> Consumers();

    /// <summary>Ops: a hook's notifications waiting out a retry backoff are sent now; how many.</summary>
    [Alias("RetryNow")] Task<int> RetryNow(string appKey);

    /// <summary>Ops: stops a hook's deliveries (its notifications stay queued); configuring the hook again enables it. False if there is none.</summary>
    [Alias("DisableHook")] Task<bool> DisableHook(string appKey);

    /// <summary>
    /// Ops: queues again, for one feed or hook, every status change of one seller order (and its marketplace order) that the
    /// config wants and the change log still keeps — same event ids. Null when the key has no such config.
    /// </summary>
    [Alias("Redeliver")] Task<ReplayResult?> Redeliver(string appKey, FeedKind kind, string sellerOrderId);

    /// <summary>The feed and hook items still queued for these orders (the ops timeline: what has not reached its consumer).</summary>
    [Alias("Queued")] Task<IReadOnlyList<QueuedChange>> Queued(IReadOnlyList<string> orderIds);
}

/// <summary>A status change still queued for a feed or hook: not yet received and committed (a hook: not yet delivered).</summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.QueuedChange")]
public sealed record QueuedChange(
    [property: Id(0)] string AppKey, [property: Id(1)] FeedKind Kind, [property: Id(2)] string OrderId, [property: Id(3)] string State,
    [property: Id(4)] string EventId, [property: Id(5)] int Attempts, [property: Id(6)] DateTimeOffset? VisibleAt);

[GenerateSerializer, Immutable, Alias("OrderGrains.ConsumerHealth")]
public sealed record ConsumerHealth(
    [property: Id(0)] string AppKey, [property: Id(1)] FeedKind Kind, [property: Id(2)] long Queued,
    [property: Id(3)] DateTimeOffset? OldestChange, [property: Id(4)] int MaxAttempts, [property: Id(5)] DateTimeOffset? DisabledAt = null);

/// <summary>A seller change not yet recorded as delivered to its marketplace order.</summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.UndeliveredChange")]
public sealed record UndeliveredChange([property: Id(0)] string MarketplaceOrderId, [property: Id(1)] string SellerOrderId, [property: Id(2)] long Sequence, [property: Id(3)] DateTimeOffset CommittedAt);

[GenerateSerializer, Immutable, Alias("OrderGrains.ConsumersHealth")]
public sealed record ConsumersHealth(
    [property: Id(0)] IReadOnlyList<ConsumerHealth> Consumers,
    [property: Id(1)] IReadOnlyList<UndeliveredChange> MirrorBehind,
    /// <summary>Orders that need a person: unreadable state, a mirror that disagrees with the log (the last sign within a day).</summary>
    [property: Id(2)] IReadOnlyList<OrderAlarm> Alarms);

/// <summary>
/// What a replay queued: <see cref="Queued"/> items (changes already queued and not yet consumed are not queued twice) of
/// <see cref="Orders"/> orders. <see cref="Complete"/> is false when more orders changed than one replay takes
/// (<see cref="MaxOrders"/>): replay again from <see cref="ContinueFrom"/>. <see cref="Available"/> is false where the
/// change log keeps no history (the in-memory profile).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.ReplayResult")]
public sealed record ReplayResult(
    [property: Id(0)] int Queued,
    [property: Id(1)] int Orders,
    [property: Id(2)] bool Complete,
    [property: Id(3)] DateTimeOffset? ContinueFrom,
    [property: Id(4)] bool Available = true)
{
    public const int MaxOrders = 10_000;
}

/// <summary>Delivers one AppKey's hook notifications, in order per order, with retries (one activation per hook in the cluster).</summary>
[Alias("OrderGrains.IHookDeliveryGrain")]
public interface IHookDeliveryGrain : IGrainWithStringKey
{
    /// <summary>New items may be waiting: deliver now (one-way).</summary>
    [Alias("Wake"), Orleans.Concurrency.OneWay, Orleans.Concurrency.AlwaysInterleave] Task Wake();
}
