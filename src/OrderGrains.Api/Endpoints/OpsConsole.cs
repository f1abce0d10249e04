using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using OrderGrains.Api.Auth;
using OrderGrains.Contracts;
using OrderGrains.Domain;

namespace OrderGrains.Api.Endpoints;

/// <summary>
/// The ops console at /ops: server-rendered pages, no script and no external asset, for ops keys (HTTP Basic with
/// AppKey:AppToken, as the dashboard). The board (orders per status, both domains), the attention list (orders waiting
/// past a service level), search, and one order's timeline (both histories interleaved, the pending deadline and its
/// default outcome, whether the marketplace order mirrors its seller order) with the repairs ops-admin keys may run.
/// Everything it lists comes from the order index; a timeline reads the two grains.
/// </summary>
public static class OpsConsole
{
    public const string Path = "/ops";

    /// <summary>A service level: orders resting in <see cref="Status"/> longer than <see cref="After"/> are listed, with why and what to do.</summary>
    public sealed record AttentionRule(string Status, TimeSpan After, string Why, string WhatToDo);

    /// <summary>
    /// The service levels (<c>Ops:Attention:ReadyForHandling</c>, <c>Ops:Attention:Handling</c>, <c>Ops:Attention:CancellationRequested</c>:
    /// TimeSpans). A cancellation request is listed once less than a day is left before its deadline cancels the order.
    /// </summary>
    private static TimeSpan Setting(IConfiguration configuration, string key, TimeSpan fallback) =>
        TimeSpan.TryParse(configuration[key], CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static IReadOnlyList<AttentionRule> Rules(IConfiguration configuration)
    {
        TimeSpan Get(string key, TimeSpan fallback) => Setting(configuration, key, fallback);
        var requestDeadline = Get("Workflow:CancellationRequestDeadline", TimeSpan.FromDays(30));
        return
        [
            new("ready-for-handling", Get("Ops:Attention:ReadyForHandling", TimeSpan.FromHours(24)),
                "paid and past the cancellation window, but the seller has not started handling", "Ask the seller to start handling; nothing here needs a repair."),
            new("handling", Get("Ops:Attention:Handling", TimeSpan.FromHours(72)),
                "in handling without an invoice", "Ask the seller for the invoice (or a cancellation request)."),
            new("cancellation-requested", Get("Ops:Attention:CancellationRequested", requestDeadline - TimeSpan.FromHours(24)),
                "a cancellation request with less than a day to its deadline (then the order is canceled)", "Ask the other side to accept or deny it before the deadline."),
        ];
    }

    public static IEndpointRouteBuilder MapOpsConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Board).ExcludeFromDescription();
        app.MapGet(Path + "/orders", Search).ExcludeFromDescription();
        app.MapGet(Path + "/orders/{orderId}", Timeline).ExcludeFromDescription();
        app.MapPost(Path + "/orders/{orderId}/{repair:regex(^(resync|fire-deadline|redeliver)$)}", RepairForm).ExcludeFromDescription();
        app.MapPost(Path + "/hooks/{appKey}/{action:regex(^(retry|disable)$)}", HookForm).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Board(HttpContext http, IGrainFactory grains, IConfiguration configuration)
    {
        var index = grains.GetGrain<IOrderIndexGrain>(0);
        var now = DateTimeOffset.UtcNow;
        var rules = Rules(configuration);
        // The counts and each service level's oldest orders at once (one index scan for the counts, an index range per level).
        var countsTask = index.Counts();
        var trendTask = index.Trend(now.AddHours(-1));
        var lateTasks = rules.Select(rule => index.Query(new OrderQuery(null, null, [rule.Status], null, null, null, null, null, OrderSort.LastChange, false, 1, 50,
            now - rule.After, CountTotal: false, SellerStatusOnly: true))).ToList();
        var healthTask = grains.GetGrain<IOrderFeedGrain>(0).Health(Setting(configuration, "Ops:Attention:MirrorBehind", TimeSpan.FromSeconds(30)));
        var counts = await countsTask;
        var trend = await trendTask;
        var buckets = Enumerable.Range(0, 6).Select(i => StatusTrend.BucketOf(now) - StatusTrend.Width * (5 - i)).ToList();
        var late = await Task.WhenAll(lateTasks);
        var health = await healthTask;
        var html = new StringBuilder();
        if (Clean(http.Request.Query["message"]) is { } message) html.Append($"<p class=\"message\" id=\"message\">{E(message)}</p>");
        html.Append("<h2>Orders per status</h2><div class=\"boards\">");
        foreach (var domain in new[] { "Marketplace", "Fulfillment" })
        {
            html.Append($"<table class=\"board\" id=\"board-{domain.ToLowerInvariant()}\"><caption>{(domain == "Marketplace" ? "Marketplace orders (as their seller orders imply)" : "Seller orders")}</caption>")
                .Append("<tr><th rowspan=\"2\">status</th><th rowspan=\"2\">orders now</th><th colspan=\"6\">entered the status, per 10 minutes (UTC)</th></tr><tr>");
            foreach (var bucket in buckets) html.Append($"<th class=\"n\">{bucket:HH:mm}</th>");
            html.Append("</tr>");
            var statuses = counts.Where(c => c.Domain == domain).Select(c => c.Status).Union(trend.Where(t => t.Domain == domain).Select(t => t.Status));
            foreach (var status in statuses.OrderByDescending(s => counts.FirstOrDefault(c => c.Domain == domain && c.Status == s)?.Count ?? 0))
            {
                var count = counts.FirstOrDefault(c => c.Domain == domain && c.Status == status)?.Count ?? 0;
                html.Append($"<tr><td><a href=\"{Path}/orders?status={E(status)}\">{E(status)}</a></td><td class=\"n\">{count:N0}</td>");
                foreach (var bucket in buckets)
                {
                    var changes = trend.FirstOrDefault(t => t.Domain == domain && t.Status == status && t.Bucket == bucket)?.Changes ?? 0;
                    html.Append($"<td class=\"n trend\">{(changes == 0 ? "·" : "+" + changes.ToString("N0", CultureInfo.InvariantCulture))}</td>");
                }
                html.Append("</tr>");
            }
            html.Append("</table>");
        }
        html.Append("</div><h2>Needs attention</h2><table id=\"attention\"><tr><th>order</th><th>seller order</th><th>status</th><th>waiting</th><th>why</th><th>what can be done</th></tr>");
        var listed = 0;
        foreach (var (rule, page) in rules.Zip(late))
        {
            foreach (var o in page.Orders.Where(o => o.SellerStatus == rule.Status))
            {
                listed++;
                var since = o.LastChange ?? o.CreationDate;
                html.Append($"<tr class=\"late\"><td><a href=\"{Path}/orders/{E(o.MarketplaceOrderId)}\">{E(o.MarketplaceOrderId)}</a></td><td>{E(o.SellerOrderId)}</td><td>{E(o.SellerStatus)}</td>")
                    .Append($"<td title=\"since {since:u}\">{Age(now - since)}</td><td>{E(rule.Why)} (service level {Age(rule.After)})</td><td>{E(rule.WhatToDo)}</td></tr>");
            }
        }
        foreach (var behind in health.MirrorBehind)
        {
            listed++;
            html.Append($"<tr class=\"late behind\"><td><a href=\"{Path}/orders/{E(behind.MarketplaceOrderId)}\">{E(behind.MarketplaceOrderId)}</a></td><td>{E(behind.SellerOrderId)}</td><td>—</td>")
                .Append($"<td>{Age(now - behind.CommittedAt)}</td><td>the seller order's change {behind.Sequence} is not recorded as delivered to the marketplace order (the change log's reader is behind or failing)</td>")
                .Append("<td>Open the timeline: if the mirror disagrees, resync; check the silo's log for delivery failures.</td></tr>");
        }
        foreach (var a in health.Alarms)
        {
            listed++;
            if (a.Kind == OrderAlarm.Disagrees)
            {
                html.Append($"<tr class=\"late disagrees\"><td><a href=\"{Path}/orders/{E(a.OrderId)}\">{E(a.OrderId)}</a></td><td>{E(a.Subject)}</td><td>—</td><td title=\"last seen {a.SeenAt:u}\">{Age(now - a.SeenAt)} ago</td>")
                    .Append($"<td>the marketplace order disagrees with its seller order: {E(a.Detail)}</td><td>Open the timeline and resync (ops-admin).</td></tr>");
                continue;
            }
            html.Append($"<tr class=\"late unreadable\"><td>{E(a.OrderId)}</td><td>—</td><td>—</td><td title=\"last failed read {a.SeenAt:u}\">{Age(now - a.SeenAt)} ago</td>")
                .Append($"<td>its stored {E(a.Subject)} state cannot be read ({E(a.Detail)}); the order answers ORDER_STATE_UNREADABLE, no other order is affected</td>")
                .Append("<td>Restore the row from a backup, or fix it by hand; no repair here rewrites an order's state.</td></tr>");
        }
        var failing = int.TryParse(configuration["Ops:Attention:HookAttempts"], CultureInfo.InvariantCulture, out var attempts) ? attempts : 3;
        var unread = Setting(configuration, "Ops:Attention:FeedUnread", TimeSpan.FromHours(1));
        var admin = http.Caller().Admin ? "" : " disabled";
        foreach (var c in health.Consumers.Where(c => c.Queued > 0))
        {
            var oldest = c.OldestChange is { } at ? now - at : TimeSpan.Zero;
            if (c.Kind == FeedKind.Hook && c.DisabledAt is { } disabledAt)
            {
                listed++;
                html.Append($"<tr class=\"late hook\"><td>hook of {E(c.AppKey)}</td><td>—</td><td>—</td><td>{Age(now - disabledAt)}</td>")
                    .Append($"<td>the hook is disabled by ops: {c.Queued:N0} notifications wait</td><td>The integrator configures the hook again (POST /api/orders/hook/config) to resume.</td></tr>");
            }
            else if (c.Kind == FeedKind.Hook && c.MaxAttempts >= failing)
            {
                listed++;
                html.Append($"<tr class=\"late hook\"><td>hook of {E(c.AppKey)}</td><td>—</td><td>—</td><td>{Age(oldest)}</td>")
                    .Append($"<td>the hook is failing: {c.Queued:N0} notifications wait, up to {c.MaxAttempts} attempts each</td>")
                    .Append($"<td>Check the receiver (the silo's log says what it answered), then <form method=\"post\" action=\"{Path}/hooks/{E(c.AppKey)}/retry\" class=\"inline\">")
                    .Append($"<input name=\"reason\" required minlength=\"3\" placeholder=\"reason\"{admin}><label><input type=\"checkbox\" name=\"confirm\" value=\"true\" required{admin}>confirm</label><button{admin}>retry now</button></form>")
                    .Append($" or <form method=\"post\" action=\"{Path}/hooks/{E(c.AppKey)}/disable\" class=\"inline\"><input name=\"reason\" required minlength=\"3\" placeholder=\"reason\"{admin}>")
                    .Append($"<label><input type=\"checkbox\" name=\"confirm\" value=\"true\" required{admin}>confirm</label><button{admin}>disable</button></form></td></tr>");
            }
            else if (c.Kind == FeedKind.Feed && oldest > unread)
            {
                listed++;
                html.Append($"<tr class=\"late feed\"><td>feed of {E(c.AppKey)}</td><td>—</td><td>—</td><td>{Age(oldest)}</td>")
                    .Append($"<td>the feed is not read: {c.Queued:N0} items wait</td><td>Ask the integrator to read and commit; items leave after the feed's retention.</td></tr>");
            }
        }
        if (listed == 0) html.Append("<tr><td colspan=\"6\">Nothing waits past its service level.</td></tr>");
        html.Append("</table>");
        return Page(http, "Board", html.ToString());
    }

    private static async Task<IResult> Search(HttpContext http, IGrainFactory grains)
    {
        var q = Clean(http.Request.Query["q"]);
        var status = Clean(http.Request.Query["status"]);
        var seller = Clean(http.Request.Query["seller"]);
        // Created on a day (from, to: yyyy-MM-dd, UTC; either alone bounds one side).
        DateTimeOffset? Day(string name) => DateTimeOffset.TryParseExact(Clean(http.Request.Query[name]), "yyyy-MM-dd", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var day) ? day : null;
        var from = Day("from");
        var to = Day("to")?.AddDays(1).AddTicks(-1);
        var page = await grains.GetGrain<IOrderIndexGrain>(0).Query(new OrderQuery(null, seller, status is null ? [] : [status], from, to, null, q, null, OrderSort.LastChange, true, 1, 100));
        var html = new StringBuilder($"<h2>Orders</h2><p>{page.Total:N0} found{(page.Total > 100 ? ", the 100 changed last shown" : "")}.</p>");
        html.Append("<table id=\"results\"><tr><th>order</th><th>seller order</th><th>group</th><th>seller</th><th>marketplace</th><th>seller status</th><th>value</th><th>created</th><th>last change</th></tr>");
        foreach (var o in page.Orders)
        {
            html.Append($"<tr><td><a href=\"{Path}/orders/{E(o.MarketplaceOrderId)}\">{E(o.MarketplaceOrderId)}</a></td><td>{E(o.SellerOrderId)}</td><td>{E(o.OrderGroup)}</td><td>{E(o.SellerId)}</td>")
                .Append($"<td>{E(o.MarketplaceStatus)}</td><td>{E(o.SellerStatus)}</td><td class=\"n\">{o.Value:N0}</td><td>{o.CreationDate:u}</td><td>{(o.LastChange ?? o.CreationDate):u}</td></tr>");
        }
        html.Append("</table>");
        return Page(http, "Search", html.ToString(), q, status, seller);
    }

    private static async Task<IResult> Timeline(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (EndpointSupport.CheckOrderId(orderId) is not null || await locator.Find(http.Caller(), orderId) is not { } order)
        {
            return Page(http, "Not found", $"<p>No order {E(orderId)}.</p>", statusCode: StatusCodes.Status404NotFound);
        }
        var marketplace = await grains.MarketplaceOrder(order.MarketplaceOrderId).GetView();
        var seller = await grains.SellerOrder(order.SellerOrderId).GetView();
        var lines = (await grains.MarketplaceOrder(order.MarketplaceOrderId).GetHistory()).Select(h => ("marketplace", h))
            .Concat((await grains.SellerOrder(order.SellerOrderId).GetHistory()).Select(h => ("seller", h)))
            .OrderBy(l => l.h.At).ToList();

        var html = new StringBuilder($"<h2>Order {E(order.MarketplaceOrderId)} / {E(order.SellerOrderId)}</h2>");
        if (Clean(http.Request.Query["message"]) is { } message) html.Append($"<p class=\"message\" id=\"message\">{E(message)}</p>");
        var agree = marketplace?.Seller?.Sequence == seller?.Sequence && marketplace?.Seller?.Status == seller?.Status;
        html.Append("<table class=\"facts\">")
            .Append($"<tr><th>marketplace order</th><td id=\"marketplace-status\">{E(marketplace?.Status.Vtex() ?? "—")}</td><td>payment {E(marketplace?.Payment.ToString().ToLowerInvariant() ?? "—")}, account {E(marketplace?.Account ?? "—")}{(marketplace?.WorkflowIsInError == true ? ", <b>workflow in error</b>" : "")}</td></tr>")
            .Append($"<tr><th>seller order</th><td id=\"seller-status\">{E(seller?.Status.Vtex() ?? "—")}</td><td>seller {E(seller?.SellerId ?? "—")}, sequence {seller?.Sequence}</td></tr>")
            .Append($"<tr><th>mirror</th><td id=\"mirror\">{(agree ? "agrees" : "<b>disagrees</b>")}</td><td>the marketplace order mirrors sequence {marketplace?.Seller?.Sequence} ({E(marketplace?.Seller?.Status.Vtex() ?? "none")}); the seller order is at {seller?.Sequence} ({E(seller?.Status.Vtex() ?? "—")})</td></tr>")
            .Append($"<tr><th>next deadline</th><td>{(seller?.NextDeadline is { } due ? due.ToString("u", CultureInfo.InvariantCulture) : "none")}</td><td>{E(DefaultOutcome(seller))}</td></tr>")
            .Append("</table>");

        html.Append("<h3>Timeline</h3><table id=\"timeline\"><tr><th>when</th><th>order</th><th>actor</th><th>command</th><th>outcome</th><th>from → to</th><th>code</th><th>why</th></tr>");
        foreach (var (side, h) in lines)
        {
            html.Append($"<tr class=\"{h.Outcome.ToString().ToLowerInvariant()} {(h.Actor == Actor.Ops ? "audit" : "")}\"><td>{h.At:yyyy-MM-dd HH:mm:ss.fff}</td><td>{side}</td><td>{E(h.Actor.Vtex())}</td><td>{E(h.Command)}</td>")
                .Append($"<td>{h.Outcome.ToString().ToLowerInvariant()}</td><td>{E(h.FromStatus)} → {E(h.ToStatus)}</td><td>{E(h.Code ?? "")}</td><td>{E(h.Reason)}</td></tr>");
        }
        html.Append("</table>");

        // What has not reached its consumer yet: the feed and hook items still queued for this order.
        var feeds = grains.GetGrain<IOrderFeedGrain>(0);
        var queued = await feeds.Queued([order.MarketplaceOrderId, order.SellerOrderId]);
        html.Append("<h3>Feeds and hooks</h3>");
        if (queued.Count == 0)
        {
            html.Append("<p id=\"queued\">Nothing queued: every feed and hook has received (and committed) what it wants of this order.</p>");
        }
        else
        {
            html.Append("<table id=\"queued\"><tr><th>consumer</th><th>order</th><th>status change</th><th>event id</th><th>attempts</th><th>next attempt</th></tr>");
            foreach (var q in queued)
            {
                html.Append($"<tr><td>{(q.Kind == FeedKind.Hook ? "hook" : "feed")} of {E(q.AppKey)}</td><td>{E(q.OrderId)}</td><td>{E(q.State)}</td><td>{E(q.EventId)}</td><td class=\"n\">{q.Attempts}</td>")
                    .Append($"<td>{(q.VisibleAt is { } at ? at.ToString("u", CultureInfo.InvariantCulture) : "after the order's earlier change")}</td></tr>");
            }
            html.Append("</table>");
        }
        var consumers = await feeds.Consumers();

        var admin = http.Caller().Admin;
        var disabled = admin ? "" : " disabled";
        html.Append("<h3>Repairs</h3>")
            .Append(admin ? "<p>Each needs a reason and a confirmation, moves the order only along the transition table, and leaves an audit line when it takes effect.</p>"
                          : "<p class=\"readonly\">This key only reads: repairs need an ops-admin key.</p>");
        foreach (var (repair, label, what) in new[]
                 {
                     ("resync", "Resync from the seller order", "Takes the seller order's current state into the marketplace order's mirror."),
                     ("fire-deadline", "Fire the due deadline", "Applies the deadline's default outcome now, if it is due."),
                 })
        {
            html.Append($"<form method=\"post\" action=\"{Path}/orders/{E(order.MarketplaceOrderId)}/{repair}\" class=\"repair\" id=\"{repair}\">")
                .Append($"<p><b>{label}</b>: {what}</p>")
                .Append($"<label>Reason <input name=\"reason\" required minlength=\"3\" maxlength=\"500\" size=\"60\"{disabled}></label> ")
                .Append($"<label><input type=\"checkbox\" name=\"confirm\" value=\"true\" required{disabled}> I confirm</label> ")
                .Append($"<button type=\"submit\"{disabled}>{label}</button></form>");
        }
        html.Append($"<form method=\"post\" action=\"{Path}/orders/{E(order.MarketplaceOrderId)}/redeliver\" class=\"repair\" id=\"redeliver\">")
            .Append("<p><b>Redeliver to one consumer</b>: queues this order's status changes again for one feed or hook (the change log's entries, same event ids).</p>")
            .Append($"<label>Consumer <select name=\"consumer\" required{disabled}>");
        foreach (var c in consumers.OrderBy(c => c.AppKey))
        {
            var kind = c.Kind == FeedKind.Hook ? "hook" : "feed";
            html.Append($"<option value=\"{kind}:{E(c.AppKey)}\">{kind} of {E(c.AppKey)}</option>");
        }
        html.Append("</select></label> ")
            .Append($"<label>Reason <input name=\"reason\" required minlength=\"3\" maxlength=\"500\" size=\"40\"{disabled}></label> ")
            .Append($"<label><input type=\"checkbox\" name=\"confirm\" value=\"true\" required{disabled}> I confirm</label> ")
            .Append($"<button type=\"submit\"{disabled}>Redeliver</button></form>");
        return Page(http, "Timeline", html.ToString());
    }

    /// <summary>A form post carries the browser's Basic credentials: only from this console's own pages, and only by ops-admin keys.</summary>
    private static IResult? RefusedForm(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString() is { Length: > 0 } o ? o : http.Request.Headers.Referer.ToString();
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from) || !string.Equals(from.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return Page(http, "Refused", "<p>A repair is posted from the console's own page.</p>", statusCode: StatusCodes.Status403Forbidden);
        }
        return http.Caller().Admin ? null : Page(http, "Refused", "<p>Repairs need an ops-admin key; this key only reads.</p>", statusCode: StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> HookForm(string appKey, string action, HttpContext http, IGrainFactory grains, Microsoft.Extensions.Logging.ILoggerFactory logs)
    {
        if (RefusedForm(http) is { } refused) return refused;
        var (_, repair, refusal) = await ReadRepair(http);
        var message = refusal ?? (action == "retry"
                ? $"hook of {appKey}: {await OpsApi.RetryHook(grains, logs, appKey, repair!)} notifications sent again now"
                : await OpsApi.DisableHook(grains, logs, appKey, repair!) ? $"hook of {appKey}: disabled (configuring it again enables it)" : $"no hook of {appKey}");
        return Results.Redirect($"{Path}?message={Uri.EscapeDataString(message)}");
    }

    private static async Task<IResult> RepairForm(string orderId, string repair, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (RefusedForm(http) is { } refused) return refused;
        if (EndpointSupport.CheckOrderId(orderId) is not null || await locator.Find(http.Caller(), orderId) is not { } order)
        {
            return Page(http, "Not found", $"<p>No order {E(orderId)}.</p>", statusCode: StatusCodes.Status404NotFound);
        }
        var (form, audit, refusal) = await ReadRepair(http);
        string message;
        if (refusal is not null)
        {
            message = refusal;
        }
        else if (repair == "redeliver")
        {
            var consumer = form["consumer"].ToString().Split(':', 2);
            var result = consumer is [("feed" or "hook") and var kind, { Length: > 0 } appKey]
                ? await OpsApi.RedeliverTo(grains, order, appKey, kind == "hook" ? FeedKind.Hook : FeedKind.Feed, audit!)
                : null;
            message = result switch
            {
                null => "Not run: choose a feed or hook that exists",
                { Available: false } => "redeliver: not available — this silo keeps its change log in memory (the PostgreSQL profile keeps it)",
                _ => $"redeliver: {result.Queued} status change(s) queued again for the {consumer[0]} of {consumer[1]}",
            };
        }
        else
        {
            var kind = repair == "resync" ? OpsApi.RepairKind.Resync : OpsApi.RepairKind.FireDeadline;
            var reply = await OpsApi.Repair(grains, order, kind, audit!);
            message = $"{repair}: {reply.Outcome.ToString().ToLowerInvariant()} — {reply.Message}";
        }
        return Results.Redirect($"{Path}/orders/{Uri.EscapeDataString(order.MarketplaceOrderId)}?message={Uri.EscapeDataString(message)}");
    }

    /// <summary>A repair form's reason and confirmation, checked as the API checks them: the repair, or why it is not run.</summary>
    private static async Task<(IFormCollection Form, Repair? Repair, string? Refusal)> ReadRepair(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var request = new RepairRequest(form["reason"].ToString(), form["confirm"].ToString() == "true");
        return request.Validate() is { Count: > 0 } errors
            ? (form, null, "Not run: " + string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")))
            : (form, new Repair(http.Caller().AppKey, request.Reason!.Trim()), null);
    }

    private static string DefaultOutcome(Domain.SellerOrders.SellerOrderView? seller) => seller?.Status switch
    {
        SellerOrderStatus.OrderAccepted => "at the deadline without payment approval: canceled",
        SellerOrderStatus.WindowToCancel => "at the end of the window: ready-for-handling",
        SellerOrderStatus.CancellationRequested => "at the deadline without a decision: canceled",
        _ => "nothing waits on time",
    };

    private static IResult Page(HttpContext http, string title, string body, string? q = null, string? status = null, string? seller = null, int statusCode = 200)
    {
        var caller = http.Caller();
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · OrderGrains ops</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
            header{background:#1d2330;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
            header a{color:#fff;text-decoration:none;font-weight:600} header form{margin-left:auto}
            main{padding:12px 16px} table{border-collapse:collapse;background:#fff;margin:8px 0 16px} th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#eef1f5} td.n{text-align:right} .boards{display:flex;gap:24px;flex-wrap:wrap} caption{text-align:left;font-weight:600;padding:4px 0}
            tr.late td{background:#fff6e0} tr.rejected td{color:#8a1f11} tr.audit td{background:#e8f4ff;font-weight:600}
            form.inline{display:inline} .message{background:#e8f4ff;border:1px solid #9cc8f0;padding:8px} .readonly{color:#666} form.repair{background:#fff;border:1px solid #d5d9e0;padding:8px;margin:8px 0}
            </style></head><body>
            <header><a href="{{Path}}">OrderGrains ops</a><a href="{{Path}}/orders">orders</a><a href="/dashboard">dashboard</a><a href="/metrics">metrics</a>
            <span>{{E(caller.AppKey)}}{{(caller.Admin ? " (ops-admin)" : " (read-only)")}}</span>
            <form method="get" action="{{Path}}/orders"><input name="q" placeholder="order id or group" value="{{E(q ?? "")}}">
            <input name="seller" placeholder="seller" size="8" value="{{E(seller ?? "")}}"><input name="status" placeholder="status" size="14" value="{{E(status ?? "")}}">
            <input name="from" type="date" title="created from" value="{{E(Clean(http.Request.Query["from"]) ?? "")}}"><input name="to" type="date" title="created to" value="{{E(Clean(http.Request.Query["to"]) ?? "")}}"><button>Search</button></form></header>
            <main>{{body}}</main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim()[..Math.Min(value.Trim().Length, 100)];

    private static string Age(TimeSpan age) => age.TotalDays >= 2 ? $"{age.TotalDays:0} days" : age.TotalHours >= 2 ? $"{age.TotalHours:0} h" : age.TotalMinutes >= 2 ? $"{age.TotalMinutes:0} min" : $"{age.TotalSeconds:0} s";
}
