using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Http;
using OrderGrains.Api.Shapes;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using static OrderGrains.Api.Endpoints.EndpointSupport;

namespace OrderGrains.Api.Endpoints;

/// <summary>
/// Guarded repairs, for ops-admin keys: resync a marketplace order from its seller order, fire a deadline that is due.
/// Each takes a reason and an explicit confirmation, is idempotent (nothing to repair answers <c>replayed</c>), moves an
/// order only along the transition table, and leaves one audit line in the order's history when it takes effect.
/// The ops console (<see cref="OpsConsole"/>) runs the same.
/// </summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/api/ops/orders").WithTags("Operations");
        ops.MapPost("/{orderId}/resync", (string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains) => Run(http, locator, grains, orderId, RepairKind.Resync))
            .Allow(Role.Ops).Accepts<RepairRequest>("application/json").Produces<RepairResponse>()
            .WithSummary("ops-admin: takes the seller order's current state into the marketplace order's mirror, along the table.");
        ops.MapPost("/{orderId}/fire-deadline", (string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains) => Run(http, locator, grains, orderId, RepairKind.FireDeadline))
            .Allow(Role.Ops).Accepts<RepairRequest>("application/json").Produces<RepairResponse>()
            .WithSummary("ops-admin: applies the seller order's due deadline (its default outcome) now; never one that is not due.");
        ops.MapPost("/{orderId}/redeliver", Redeliver)
            .Allow(Role.Ops).Accepts<RedeliverRequest>("application/json").Produces<RedeliverResponse>()
            .WithSummary("ops-admin: queues the order's status changes again for one feed or hook (the change log's entries, same event ids).");
        app.MapPost("/api/ops/hooks/{appKey}/disable", DisableHookNow).WithTags("Operations")
            .Allow(Role.Ops).Accepts<RepairRequest>("application/json").Produces<HookDisableResponse>()
            .WithSummary("ops-admin: stops a hook's deliveries; its notifications stay queued until the hook is configured again.");
        app.MapPost("/api/ops/hooks/{appKey}/retry", RetryHookNow).WithTags("Operations")
            .Allow(Role.Ops).Accepts<RepairRequest>("application/json").Produces<HookRetryResponse>()
            .WithSummary("ops-admin: sends a hook's notifications that wait out a retry backoff now.");
        return app;
    }

    private static async Task<IResult> Redeliver(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (!http.Caller().Admin) return NotAdmin();
        var (request, problem) = await JsonBody.Read<RedeliverRequest>(http.Request);
        if (problem is not null) return problem;
        var (order, notFound) = await Locate(http, locator, orderId);
        if (notFound is not null) return notFound;
        var kind = request!.Kind == "hook" ? FeedKind.Hook : FeedKind.Feed;
        return await RedeliverTo(grains, order!, request.AppKey!, kind, new Repair(http.Caller().AppKey, request.Reason!.Trim())) switch
        {
            null => Problems.Result(StatusCodes.Status404NotFound, kind == FeedKind.Hook ? "HOOK_NOT_CONFIGURED" : "FEED_NOT_CONFIGURED", $"AppKey {request.AppKey} has no {request.Kind}."),
            { Available: false } => Problems.Result(StatusCodes.Status409Conflict, "REPLAY_NOT_AVAILABLE",
                "This silo keeps its change log in memory and drops what every consumer has read: there is nothing to redeliver. It needs the PostgreSQL profile."),
            var result => Results.Json(new RedeliverResponse(result.Queued)),
        };
    }

    /// <summary>Requeues the order's changes for one consumer and, when any was queued, leaves the audit line in the seller order's history.</summary>
    public static async Task<ReplayResult?> RedeliverTo(IGrainFactory grains, LocatedOrder order, string appKey, FeedKind kind, Repair repair)
    {
        var result = await grains.GetGrain<IOrderFeedGrain>(0).Redeliver(appKey, kind, order.SellerOrderId);
        if (result is { Available: true, Queued: > 0 })
        {
            await grains.SellerOrder(order.SellerOrderId).RecordRepair(repair, "ops-redeliver",
                $"{result.Queued} status change(s) queued again for the {(kind == FeedKind.Hook ? "hook" : "feed")} of {appKey}");
        }
        return result;
    }

    private static async Task<IResult> RetryHookNow(string appKey, HttpContext http, IGrainFactory grains, ILoggerFactory logs)
    {
        if (!http.Caller().Admin) return NotAdmin();
        var (request, problem) = await JsonBody.Read<RepairRequest>(http.Request);
        if (problem is not null) return problem;
        if (await grains.GetGrain<IOrderFeedGrain>(0).GetConfig(appKey, FeedKind.Hook) is null)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "HOOK_NOT_CONFIGURED", $"No hook for AppKey {appKey}.");
        }
        return Results.Json(new HookRetryResponse(await RetryHook(grains, logs, appKey, new Repair(http.Caller().AppKey, request!.Reason!.Trim()))));
    }

    private static async Task<IResult> DisableHookNow(string appKey, HttpContext http, IGrainFactory grains, ILoggerFactory logs)
    {
        if (!http.Caller().Admin) return NotAdmin();
        var (request, problem) = await JsonBody.Read<RepairRequest>(http.Request);
        if (problem is not null) return problem;
        return await DisableHook(grains, logs, appKey, new Repair(http.Caller().AppKey, request!.Reason!.Trim()))
            ? Results.Json(new HookDisableResponse(true))
            : Problems.Result(StatusCodes.Status404NotFound, "HOOK_NOT_CONFIGURED", $"No hook for AppKey {appKey}.");
    }

    /// <summary>Disables a hook (idempotent); the audit line goes to the log.</summary>
    public static async Task<bool> DisableHook(IGrainFactory grains, ILoggerFactory logs, string appKey, Repair repair)
    {
        var disabled = await grains.GetGrain<IOrderFeedGrain>(0).DisableHook(appKey);
        if (disabled) logs.CreateLogger("OrderGrains.Ops").LogWarning("Ops repair: hook of {AppKey} disabled by {Audit}", appKey, repair.Audit("disabled; configuring it again enables it"));
        return disabled;
    }

    /// <summary>A hook's waiting notifications go out now; a hook is no order, so the audit line goes to the log.</summary>
    public static async Task<int> RetryHook(IGrainFactory grains, ILoggerFactory logs, string appKey, Repair repair)
    {
        var retried = await grains.GetGrain<IOrderFeedGrain>(0).RetryNow(appKey);
        logs.CreateLogger("OrderGrains.Ops").LogWarning("Ops repair: hook of {AppKey} retried now ({Retried} notifications) by {Audit}", appKey, retried, repair.Audit("retry now"));
        return retried;
    }

    public enum RepairKind { Resync, FireDeadline }

    private static async Task<IResult> Run(HttpContext http, OrderLocator locator, IGrainFactory grains, string orderId, RepairKind kind)
    {
        if (!http.Caller().Admin) return NotAdmin();
        var (request, problem) = await JsonBody.Read<RepairRequest>(http.Request);
        if (problem is not null) return problem;
        var (order, notFound) = await Locate(http, locator, orderId);
        if (notFound is not null) return notFound;
        var reply = await Repair(grains, order!, kind, new Repair(http.Caller().AppKey, request!.Reason!.Trim()));
        return Answer(reply);
    }

    /// <summary>Runs one repair on the order's grain (the API and the console both come here).</summary>
    public static Task<RepairReply> Repair(IGrainFactory grains, LocatedOrder order, RepairKind kind, Repair repair) => kind switch
    {
        RepairKind.Resync => grains.MarketplaceOrder(order.MarketplaceOrderId).Resync(repair),
        _ => grains.SellerOrder(order.SellerOrderId).FireDueDeadline(repair),
    };

    public static IResult NotAdmin() =>
        Problems.Result(StatusCodes.Status403Forbidden, "FORBIDDEN", "Repairs need an ops-admin key (an ops key with \"Admin\": true); this key only reads.");

    private static IResult Answer(RepairReply reply) => reply.Outcome == CommandOutcome.Rejected
        ? Problems.Result(StatusCodes.Status409Conflict, reply.Code ?? "REPAIR_REFUSED", reply.Message,
            new Dictionary<string, object?> { ["orderStatus"] = reply.FromStatus })
        : Results.Json(new RepairResponse(reply.Outcome == CommandOutcome.Accepted ? "accepted" : "replayed", reply.FromStatus, reply.ToStatus, reply.Message));
}

/// <summary>A repair's reason (kept in the audit line) and its explicit confirmation.</summary>
public sealed record RepairRequest(string? Reason, bool? Confirm) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (string.IsNullOrWhiteSpace(Reason) || Reason.Trim().Length < 3) c.Add("reason", "is required: say why (it goes into the order's history)");
        else c.Text("reason", Reason, 500);
        if (Confirm != true) c.Add("confirm", "must be true: a repair changes an order");
        return c.Errors;
    }
}

/// <summary>A redelivery: its reason and confirmation, and the consumer (an AppKey's <c>feed</c> or <c>hook</c>).</summary>
public sealed record RedeliverRequest(string? Reason, bool? Confirm, string? AppKey, string? Kind) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new RepairRequest(Reason, Confirm).Validate();
        var c = new Checks();
        c.Text("appKey", AppKey, 200, required: true);
        if (Kind is not ("feed" or "hook")) c.Add("kind", "must be \"feed\" or \"hook\"");
        foreach (var (field, messages) in c.Errors) errors[field] = messages;
        return errors;
    }
}

/// <summary>How many of the order's status changes were queued again (0 when the consumer's filter wants none, or all are still queued).</summary>
public sealed record RedeliverResponse(int Queued);

public sealed record HookDisableResponse(bool Disabled);

/// <summary>How many of the hook's waiting notifications were made due now.</summary>
public sealed record HookRetryResponse(int Retried);

/// <summary><c>accepted</c>: it took effect (one audit line); <c>replayed</c>: nothing to repair.</summary>
public sealed record RepairResponse(string Outcome, string FromStatus, string ToStatus, string Message);
