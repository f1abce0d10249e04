using OrderGrains.Api.Http;
using OrderGrains.Contracts;
using OrderGrains.Domain;

namespace OrderGrains.Api.Shapes;

/// <summary>VTEX's feed and hook filter. Only <c>FromWorkflow</c> (a status list) is supported; <c>FromOrders</c> (JSONata) is refused.</summary>
public sealed record FeedFilterRequest(string? Type, IReadOnlyList<string>? Status, string? Expression = null, bool? DisableSingleFire = null)
{
    /// <summary>
    /// The statuses a filter may name: this service's (the only ones that ever match) and the rest of VTEX's documented
    /// list, accepted so that a VTEX configuration works unchanged (they never match here).
    /// </summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(
    [
        .. Enum.GetValues<SellerOrderStatus>().Select(s => s.Vtex()),
        .. Enum.GetValues<MarketplaceOrderStatus>().Select(s => s.Vtex()),
        "order-created", "order-completed", "on-order-completed", "on-order-completed-ffm", "waiting-for-order-authorization", "approve-payment",
        "request-cancel", "waiting-ffmt-authorization", "waiting-for-authorization", "waiting-for-manual-authorization", "authorize-fulfillment",
        "order-create-error", "order-creation-error", "window-to-change-seller", "waiting-for-mkt-authorization", "waiting-seller-handling",
        "start-handling", "invoice-after-cancellation-deny", "invoice", "replaced", "cancel",
    ]);

    public void Check(Checks c)
    {
        if (Type != "FromWorkflow")
        {
            c.Add("filter.type", Type == "FromOrders"
                ? "FromOrders (JSONata expressions) is not supported; use FromWorkflow with a status list"
                : "must be \"FromWorkflow\"");
            return;
        }
        if (Status is null || Status.Count == 0) c.Add("filter.status", "needs at least one status");
        else if (Status.Count > 50) c.Add("filter.status", "may hold at most 50 statuses");
        else if (Status.Where(s => s is null || !Known.Contains(s)).ToList() is { Count: > 0 } unknown)
        {
            c.Add("filter.status", $"unknown status {string.Join(", ", unknown)}");
        }
    }
}

public sealed record FeedQueueRequest(int? VisibilityTimeoutInSeconds, int? MessageRetentionPeriodInSeconds)
{
    public const int DefaultVisibility = 250, DefaultRetention = 345_600, MaxRetention = 1_209_600, MaxVisibility = 43_200;

    public void Check(Checks c)
    {
        if (VisibilityTimeoutInSeconds is { } v && v is < 1 or > MaxVisibility) c.Add("queue.visibilityTimeoutInSeconds", $"must be between 1 and {MaxVisibility}");
        if (MessageRetentionPeriodInSeconds is { } r && r is < 60 or > MaxRetention) c.Add("queue.MessageRetentionPeriodInSeconds", $"must be between 60 and {MaxRetention}");
    }
}

/// <summary>POST /api/orders/feed/config: VTEX's body.</summary>
public sealed record FeedConfigRequest(FeedFilterRequest? Filter, FeedQueueRequest? Queue) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (Filter is null) c.Add("filter", "is required"); else Filter.Check(c);
        Queue?.Check(c);
        return c.Errors;
    }
}

public sealed record HookTargetRequest(string? Url, Dictionary<string, string>? Headers);

/// <summary>POST /api/orders/hook/config: VTEX's body.</summary>
public sealed record HookConfigRequest(FeedFilterRequest? Filter, HookTargetRequest? Hook) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (Filter is null) c.Add("filter", "is required"); else Filter.Check(c);
        if (Hook is null) { c.Add("hook", "is required"); return c.Errors; }
        if (!Uri.TryCreate(Hook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || Hook.Url!.Length > 2000)
        {
            c.Add("hook.url", "must be an absolute http or https URL of at most 2000 characters");
        }
        if (Hook.Headers is { Count: > 20 }) c.Add("hook.headers", "may hold at most 20 headers");
        foreach (var (name, value) in Hook.Headers ?? [])
        {
            if (name.Length is 0 or > 100 || name.Any(ch => ch <= ' ' || ch >= 127 || ch == ':') || value is null || value.Length > 1000 || value.Any(char.IsControl))
            {
                c.Add($"hook.headers.{name}", "must be a header name and a value of at most 1000 characters without control characters");
            }
        }
        return c.Errors;
    }
}

/// <summary>Replay from a point in time (VTEX's date forms; no offset = UTC), not in the future.</summary>
public sealed record ReplayRequest(DateTimeOffset? Since) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (Since is null) c.Add("since", "is required: the time to replay from");
        else if (Since > DateTimeOffset.UtcNow.AddMinutes(1)) c.Add("since", "must not be in the future");
        return c.Errors;
    }
}

/// <summary>What a replay queued; <c>continueFrom</c> is where to replay from next when it was not complete.</summary>
public sealed record ReplayResponse(int Queued, int Orders, bool Complete, DateTimeOffset? ContinueFrom);

public sealed record FeedCommitRequest(IReadOnlyList<string>? Handles) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (Handles is null || Handles.Count == 0) c.Add("handles", "needs at least one handle");
        else if (Handles.Count > 100) c.Add("handles", "may hold at most 100 handles");
        else if (Handles.Any(h => h is null || h.Length > 200)) c.Add("handles", "each handle is a string of at most 200 characters");
        return c.Errors;
    }
}

public sealed record FeedFilterResponse(string Type, IReadOnlyList<string> Status);

public sealed record FeedQueueResponse(int VisibilityTimeoutInSeconds, int MessageRetentionPeriodInSeconds);

public sealed record FeedConfigResponse(FeedFilterResponse Filter, FeedQueueResponse Queue)
{
    public static FeedConfigResponse From(FeedConfig c) =>
        new(new FeedFilterResponse("FromWorkflow", c.Statuses), new FeedQueueResponse(c.VisibilityTimeoutSeconds, c.RetentionSeconds));
}

public sealed record HookTargetResponse(string Url, IReadOnlyDictionary<string, string> Headers);

/// <summary>A hook's configuration, with the secret its notifications are signed with (beyond VTEX).</summary>
/// <summary>A hook's configuration; <c>disabledAt</c> is set while ops has it disabled (configuring it again enables it).</summary>
public sealed record HookConfigResponse(FeedFilterResponse Filter, HookTargetResponse Hook, string Secret, DateTimeOffset? DisabledAt)
{
    public static HookConfigResponse From(FeedConfig c) =>
        new(new FeedFilterResponse("FromWorkflow", c.Statuses), new HookTargetResponse(c.Url!, c.Headers ?? new Dictionary<string, string>()), c.Secret!, c.DisabledAt);
}

/// <summary>VTEX's feed item.</summary>
public sealed record FeedItemResponse(string EventId, string Handle, string Domain, string State, string LastState, string OrderId, DateTimeOffset? LastChange, DateTimeOffset CurrentChange)
{
    public static FeedItemResponse From(FeedItem i) => new(i.EventId, i.Handle, i.Domain, i.State, i.LastState, i.OrderId, i.LastChange, i.CurrentChange);
}

public sealed record FeedCommitResponse(int Committed);
