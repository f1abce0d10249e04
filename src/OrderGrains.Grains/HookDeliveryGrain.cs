using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

/// <summary>
/// Delivers one AppKey's hook notifications (one activation per hook in the cluster). The notifications are the hook's
/// queued status changes (<see cref="IOrderFeeds"/>, written with the order index from the change log, so they survive
/// any crash): each is POSTed to the hook's URL with a timeout; a 2xx removes it, anything else hides it for an exponential
/// backoff with jitter and it is tried again, with the same event id. An order's next change waits until the one before it
/// was delivered: per order, notifications arrive in order. Orders are delivered in parallel, up to a bound.
/// </summary>
public sealed partial class HookDeliveryGrain(IOrderFeeds feeds, HookHttp http, IOptions<HookOptions> options, TimeProvider time, ILogger<HookDeliveryGrain> logger)
    : Grain, IHookDeliveryGrain
{
    public const string SignatureHeader = "X-OrderGrains-Signature", TimestampHeader = "X-OrderGrains-Timestamp", EventIdHeader = "X-OrderGrains-Event-Id";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = null };
    private IGrainTimer? timer;

    private string AppKey => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Due at once, then every Poll: deferred retries come due without anyone waking the grain.
        timer = this.RegisterGrainTimer(Deliver, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.Poll) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task Wake()
    {
        timer?.Change(TimeSpan.Zero, options.Value.Poll);
        return Task.CompletedTask;
    }

    private async Task Deliver(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var config = await feeds.GetConfig(AppKey, FeedKind.Hook, cancellationToken);
        if (config?.Url is null || config.DisabledAt is not null)
        {
            DeactivateOnIdle(); // the hook was removed, or ops disabled it (its notifications wait, queued)
            return;
        }
        while (!cancellationToken.IsCancellationRequested)
        {
            // Hidden for longer than a delivery can take, so no other receipt overlaps this one.
            var items = await feeds.Receive(AppKey, FeedKind.Hook, o.Concurrency, o.Timeout * 3, cancellationToken);
            if (items.Count == 0) return;
            var outcomes = await Task.WhenAll(items.Select(item => DeliverOne(config, item, cancellationToken)));
            // One commit for the batch's deliveries (a crash before it redelivers them, with the same event ids).
            await feeds.Commit(AppKey, FeedKind.Hook, [.. items.Where((_, i) => outcomes[i]).Select(item => item.Handle)], cancellationToken);
            // A delivered change may have freed its order's next one (an order's changes go one at a time): receive again
            // at once. Only when nothing went through does the grain wait, for a failure's backoff or the next poll.
            if (!outcomes.Any(delivered => delivered)) return;
        }
    }

    /// <summary>POSTs one notification; true if the receiver took it (a failure is deferred here, for its backoff).</summary>
    private async Task<bool> DeliverOne(FeedConfig config, FeedItem item, CancellationToken cancellationToken)
    {
        var o = options.Value;
        string? failure;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var request = Notification(config, item, time.GetUtcNow());
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(o.Timeout);
            using var response = await http.Client.SendAsync(request, timeout.Token);
            failure = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            failure = ex is OperationCanceledException ? $"no answer within {o.Timeout.TotalSeconds:0.#} s" : ex.Message;
        }

        Metrics.HookLatency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Metrics.HookDeliveries.Add(1, new KeyValuePair<string, object?>("result", failure is null ? "delivered" : "failed"));
        if (failure is null) return true;
        var delay = Backoff(item.Attempts, o);
        LogFailed(logger, AppKey, item.EventId, item.OrderId, item.Attempts, failure, delay.TotalSeconds);
        await feeds.Defer(AppKey, FeedKind.Hook, item.Handle, delay, cancellationToken);
        return false;
    }

    /// <summary>RetryBase × 2^(attempts−1), at most RetryMax, times a jitter between 0.5 and 1.5.</summary>
    public static TimeSpan Backoff(int attempts, HookOptions o)
    {
        var exponential = o.RetryBase.TotalMilliseconds * Math.Pow(2, Math.Min(30, Math.Max(0, attempts - 1)));
        var capped = Math.Min(exponential, o.RetryMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble()));
    }

    /// <summary>
    /// VTEX's hook body (<c>{Domain, OrderId, State, LastState, LastChange, CurrentChange, Origin: {Account, Key}}</c>) with the
    /// event id, a timestamp and an HMAC-SHA256 signature of "<c>{timestamp}.{body}</c>" under the hook's secret.
    /// </summary>
    public static HttpRequestMessage Notification(FeedConfig config, FeedItem item, DateTimeOffset now)
    {
        var body = JsonSerializer.Serialize(new
        {
            item.Domain,
            item.OrderId,
            item.State,
            item.LastState,
            item.LastChange,
            item.CurrentChange,
            Origin = new { item.Account, Key = config.AppKey },
            EventId = item.EventId,
        }, Json);
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, config.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in config.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.Add(EventIdHeader, item.EventId);
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, "sha256=" + Sign(config.Secret ?? "", timestamp, body));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hook {AppKey}: event {EventId} of order {OrderId} not delivered (attempt {Attempts}: {Failure}); trying again in {Seconds:0.0} s")]
    private static partial void LogFailed(ILogger logger, string appKey, string eventId, string orderId, int attempts, string failure, double seconds);
}

/// <summary>The one HTTP client hook deliveries share (pooled connections, renewed every few minutes).</summary>
public sealed class HookHttp
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan };
}

/// <summary>The <c>Hooks</c> configuration section.</summary>
public sealed class HookOptions
{
    public const string SectionName = "Hooks";

    /// <summary>How long a receiver may take to answer (VTEX: 5 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry's delay; each further one doubles, up to <see cref="RetryMax"/> (with a jitter of ±50%).</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a hook looks for deferred notifications that came due (new ones wake it at once).</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Orders delivered at once per hook.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>How long an undelivered notification is kept (VTEX: 4 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(4);
}
