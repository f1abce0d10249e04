using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Http;
using OrderGrains.Api.Shapes;
using OrderGrains.Contracts;
using static OrderGrains.Api.Endpoints.EndpointSupport;

namespace OrderGrains.Api.Endpoints;

/// <summary>
/// VTEX's Feed v3 and hooks: one feed and one hook per AppKey, each seeing the orders its key may see. Both are queues of
/// the status changes the change log carries (written with the order index, in the same transaction), so nothing is lost
/// or reported twice and an order's changes come in order.
/// </summary>
public static class FeedsApi
{
    public const int MaxLot = 10;
    private static readonly HttpClient Ping = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static IEndpointRouteBuilder MapFeedsApi(this IEndpointRouteBuilder app)
    {
        var all = new[] { Role.Marketplace, Role.Seller, Role.Ops };
        var feed = app.MapGroup("/api/orders/feed").WithTags("Feed");
        feed.MapPost("/config", ConfigureFeed).Allow(all).Accepts<FeedConfigRequest>("application/json").Produces<FeedConfigResponse>()
            .WithSummary("Creates or replaces this AppKey's feed (FromWorkflow: a status list; visibility timeout; retention).");
        feed.MapGet("/config", GetFeedConfig).Allow(all).Produces<FeedConfigResponse>().WithSummary("This AppKey's feed configuration.");
        feed.MapDelete("/config", DeleteFeed).Allow(all).WithSummary("Removes this AppKey's feed and every item in it.");
        feed.MapGet("/", ReadFeed).Allow(all).Produces<FeedItemResponse[]>()
            .WithSummary("Up to maxlot (1-10) status changes; each is hidden for the visibility timeout until committed.");
        feed.MapPost("/", CommitFeed).Allow(all).Accepts<FeedCommitRequest>("application/json").Produces<FeedCommitResponse>()
            .WithSummary("Commits items by handle: they leave the feed.");
        feed.MapPost("/replay", (HttpContext http, IGrainFactory grains) => Replay(http, grains, FeedKind.Feed)).Allow(all)
            .Accepts<ReplayRequest>("application/json").Produces<ReplayResponse>()
            .WithSummary("Queues again every status change this feed wants since a point in time that the change log still keeps, with the same event ids.");

        var hook = app.MapGroup("/api/orders/hook").WithTags("Hooks");
        hook.MapPost("/config", ConfigureHook).Allow(all).Accepts<HookConfigRequest>("application/json").Produces<HookConfigResponse>()
            .WithSummary("Creates or replaces this AppKey's hook after the URL answers 200 to {\"hookConfig\":\"ping\"}.");
        hook.MapGet("/config", GetHookConfig).Allow(all).Produces<HookConfigResponse>().WithSummary("This AppKey's hook configuration and signing secret.");
        hook.MapDelete("/config", DeleteHook).Allow(all).WithSummary("Removes this AppKey's hook and every notification not yet delivered.");
        hook.MapPost("/replay", (HttpContext http, IGrainFactory grains) => Replay(http, grains, FeedKind.Hook)).Allow(all)
            .Accepts<ReplayRequest>("application/json").Produces<ReplayResponse>()
            .WithSummary("Delivers again every status change this hook wants since a point in time that the change log still keeps, with the same event ids.");
        return app;
    }

    private static IOrderFeedGrain Feeds(IGrainFactory grains) => grains.GetGrain<IOrderFeedGrain>(0);

    /// <summary>A feed or hook sees what its key sees: a marketplace its account's orders, a seller its own, ops every order.</summary>
    private static FeedConfig Scoped(Caller caller, FeedKind kind, IReadOnlyList<string> statuses, int visibility, int retention,
        string? url = null, IReadOnlyDictionary<string, string>? headers = null, string? secret = null) => new(
        caller.AppKey, kind, statuses, caller.VisibleAccount, caller.VisibleSeller,
        visibility, retention, url, headers, secret, DateTimeOffset.UtcNow);

    private static async Task<IResult> ConfigureFeed(HttpContext http, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<FeedConfigRequest>(http.Request);
        if (problem is not null) return problem;
        var config = Scoped(http.Caller(), FeedKind.Feed, [.. request!.Filter!.Status!.Distinct()],
            request.Queue?.VisibilityTimeoutInSeconds ?? FeedQueueRequest.DefaultVisibility,
            request.Queue?.MessageRetentionPeriodInSeconds ?? FeedQueueRequest.DefaultRetention);
        await Feeds(grains).Configure(config);
        return Results.Json(FeedConfigResponse.From(config));
    }

    /// <summary>A replay reads the change log (kept for ChangeLog:Retention on PostgreSQL; the in-memory log keeps nothing read).</summary>
    private static async Task<IResult> Replay(HttpContext http, IGrainFactory grains, FeedKind kind)
    {
        var (request, problem) = await JsonBody.Read<ReplayRequest>(http.Request);
        if (problem is not null) return problem;
        var name = kind == FeedKind.Hook ? "hook" : "feed";
        return await Feeds(grains).Replay(http.Caller().AppKey, kind, request!.Since!.Value) switch
        {
            null => NotConfigured(name),
            { Available: false } => Problems.Result(StatusCodes.Status409Conflict, "REPLAY_NOT_AVAILABLE",
                "This silo keeps its change log in memory and drops what every consumer has read: there is nothing to replay. Replay needs the PostgreSQL profile."),
            var result => Results.Json(new ReplayResponse(result.Queued, result.Orders, result.Complete, result.ContinueFrom)),
        };
    }

    private static async Task<IResult> GetFeedConfig(HttpContext http, IGrainFactory grains) =>
        await Feeds(grains).GetConfig(http.Caller().AppKey, FeedKind.Feed) is { } config ? Results.Json(FeedConfigResponse.From(config)) : NotConfigured("feed");

    private static async Task<IResult> DeleteFeed(HttpContext http, IGrainFactory grains) =>
        await Feeds(grains).Remove(http.Caller().AppKey, FeedKind.Feed) ? Results.NoContent() : NotConfigured("feed");

    private static async Task<IResult> ReadFeed(HttpContext http, IGrainFactory grains)
    {
        var max = 1;
        if (http.Request.Query.TryGetValue("maxlot", out var text) && !(int.TryParse(text, out max) && max is >= 1 and <= MaxLot))
        {
            return Problems.BadRequest("maxlot is malformed.", new Dictionary<string, string[]> { ["maxlot"] = [$"must be a whole number from 1 to {MaxLot}"] });
        }
        return await Feeds(grains).Read(http.Caller().AppKey, max) is { } items
            ? Results.Json(items.Select(FeedItemResponse.From).ToArray())
            : NotConfigured("feed");
    }

    private static async Task<IResult> CommitFeed(HttpContext http, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<FeedCommitRequest>(http.Request);
        if (problem is not null) return problem;
        return Results.Json(new FeedCommitResponse(await Feeds(grains).Commit(http.Caller().AppKey, request!.Handles!)));
    }

    private static async Task<IResult> ConfigureHook(HttpContext http, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<HookConfigRequest>(http.Request);
        if (problem is not null) return problem;
        var caller = http.Caller();
        var url = request!.Hook!.Url!;
        if (await PingFails(url, request.Hook.Headers, http.RequestAborted) is { } why)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "HOOK_PING_FAILED",
                $"The hook URL must answer 200 to POST {{\"hookConfig\":\"ping\"}} within 5 s; {why}. The configuration was not saved.");
        }
        // The signing secret survives a reconfiguration (remove the hook to get a new one).
        var existing = await Feeds(grains).GetConfig(caller.AppKey, FeedKind.Hook);
        var secret = existing?.Secret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var config = Scoped(caller, FeedKind.Hook, [.. request.Filter!.Status!.Distinct()], visibility: 30, retention: (int)TimeSpan.FromDays(4).TotalSeconds,
            url, request.Hook.Headers ?? [], secret);
        await Feeds(grains).Configure(config);
        return Results.Json(HookConfigResponse.From(config));
    }

    private static async Task<string?> PingFails(string url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{\"hookConfig\":\"ping\"}", Encoding.UTF8, "application/json") };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
            using var response = await Ping.SendAsync(request, cancellationToken);
            return response.StatusCode == System.Net.HttpStatusCode.OK ? null : $"it answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex is TaskCanceledException ? "it did not answer in time" : $"it could not be reached ({ex.Message})";
        }
    }

    private static async Task<IResult> GetHookConfig(HttpContext http, IGrainFactory grains) =>
        await Feeds(grains).GetConfig(http.Caller().AppKey, FeedKind.Hook) is { } config ? Results.Json(HookConfigResponse.From(config)) : NotConfigured("hook");

    private static async Task<IResult> DeleteHook(HttpContext http, IGrainFactory grains) =>
        await Feeds(grains).Remove(http.Caller().AppKey, FeedKind.Hook) ? Results.NoContent() : NotConfigured("hook");

    private static IResult NotConfigured(string what) =>
        Problems.Result(StatusCodes.Status404NotFound, what == "feed" ? "FEED_NOT_CONFIGURED" : "HOOK_NOT_CONFIGURED",
            $"This AppKey has no {what}; configure one with POST /api/orders/{what}/config.");
}
