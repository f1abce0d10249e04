using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderGrains.Contracts;
using OrderGrains.Domain;

namespace OrderGrains.Api.Tests;

/// <summary>
/// Guarded repairs: only ops-admin keys, with a reason and a confirmation; a resync repairs a marketplace order that missed
/// its seller's change (a lost delivery, made here by delivering a wrong change first), idempotently, with one audit line
/// per repair that took effect — also when two operators run it at once.
/// </summary>
[Collection(ApiCollection.Name)]
public class OpsRepairTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());
    public static readonly (string Key, string Token) OpsAdmin = ("vtexappkey-ops-admin-demo", "DEMO-OPS-ADMIN-TOKEN-000000");

    /// <summary>
    /// A pair that disagrees: the marketplace order took a wrong change at the seller's next sequence, so the real one (the
    /// invoice) is ignored as already applied — the marketplace stays payment-approved while its seller order is invoiced.
    /// </summary>
    public static async Task<(string OrderId, string SellerOrderId)> Diverged(Api api, IGrainFactory grains)
    {
        var (orderId, sellerOrderId) = await api.InHandling();
        var seller = (await grains.GetGrain<ISellerOrderGrain>(sellerOrderId).GetView())!;
        // First the log delivers "handling" to the marketplace order (a change ahead of its mirror would make it pull instead).
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((await grains.GetGrain<IMarketplaceOrderGrain>(orderId).GetView())!.Seller?.Sequence != seller.Sequence && DateTime.UtcNow < until) await Task.Delay(20);
        await grains.GetGrain<IMarketplaceOrderGrain>(orderId).Deliver(new SellerOrderChanged("lost", seller.Sequence + 1, "test", seller with { Sequence = seller.Sequence + 1 }));
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice())).Status);
        await Task.Delay(300); // the change log delivers the invoice, which the marketplace order now ignores
        Assert.Equal("invoiced", await api.Status(sellerOrderId, Keys.Seller1));
        Assert.Equal("payment-approved", await api.Status(orderId, Keys.Marketplace));
        return (orderId, sellerOrderId);
    }

    private IGrainFactory Grains => factory.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task Resync_RepairsADivergedPair_OnlyForOpsAdmin_WithAReasonAndConfirmation_OneAuditLine()
    {
        var (orderId, sellerOrderId) = await Diverged(api, Grains);
        var body = new { reason = "invoice delivery lost; ticket OPS-42", confirm = true };
        // The marketplace order noticed: the log delivered the invoice at a sequence its mirror holds as handling.
        async Task<string> Board() => await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, "/ops", Keys.Ops))).Content.ReadAsStringAsync();
        var board = await Board();
        Assert.Contains($"<tr class=\"late disagrees\"><td><a href=\"/ops/orders/{orderId}\">", board);
        Assert.Contains("delivered seller sequence", board);

        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/resync", Keys.Ops, body)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/resync", Keys.Marketplace, body)).Status);
        var (unconfirmed, problem, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/resync", OpsAdmin, new { reason = "x", confirm = false });
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed);
        Assert.NotNull(problem!["errors"]!["confirm"]);
        Assert.NotNull(problem["errors"]!["reason"]);
        Assert.Equal("payment-approved", await api.Status(orderId, Keys.Marketplace));

        // Addressed by the seller order id too: the repair is the marketplace order's.
        var (status, result, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{sellerOrderId}/resync", OpsAdmin, body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("accepted", "payment-approved", "invoiced"), (result!["outcome"]!.GetValue<string>(), result["fromStatus"]!.GetValue<string>(), result["toStatus"]!.GetValue<string>()));
        Assert.Equal("invoiced", await api.Status(orderId, Keys.Marketplace));

        Assert.DoesNotContain($"<tr class=\"late disagrees\"><td><a href=\"/ops/orders/{orderId}\">", await Board());
        var (again, replay, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/resync", OpsAdmin, body);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal("replayed", replay!["outcome"]!.GetValue<string>());

        var (_, history, _) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}/history", Keys.Ops);
        var audit = history!.AsArray().Where(h => h!["actor"]!.GetValue<string>() == "ops").ToList();
        var line = Assert.Single(audit);
        Assert.Equal("ops-resync", line!["command"]!.GetValue<string>());
        Assert.Equal(("payment-approved", "invoiced"), (line["fromStatus"]!.GetValue<string>(), line["toStatus"]!.GetValue<string>()));
        Assert.Contains(OpsAdmin.Key, line["reason"]!.GetValue<string>());
        Assert.Contains("ticket OPS-42", line["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task TwoOperatorsAtOnce_OneRepairTakesEffect_OneAuditLine()
    {
        var (orderId, _) = await Diverged(api, Grains);
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(i =>
            api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/resync", OpsAdmin, new { reason = $"operator {i}", confirm = true })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(["accepted", "replayed"], answers.Select(a => a.Body!["outcome"]!.GetValue<string>()).Order());
        var (_, history, _) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}/history", Keys.Ops);
        Assert.Single(history!.AsArray(), h => h!["actor"]!.GetValue<string>() == "ops");
    }

    [Fact]
    public async Task FireDeadline_NeverBeforeItIsDue_NothingWhenNothingWaits()
    {
        var (orderId, sellerOrderId) = await api.Place(); // order-accepted: its authorization deadline is 30 days away
        var body = new { reason = "checking the deadline", confirm = true };
        var (notDue, problem, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/fire-deadline", OpsAdmin, body);
        Assert.Equal(HttpStatusCode.Conflict, notDue);
        Assert.Equal("DEADLINE_NOT_DUE", problem!["code"]!.GetValue<string>());
        Assert.Equal("order-accepted", await api.Status(sellerOrderId, Keys.Seller1));

        var (handlingOrder, _) = await api.InHandling();
        var (nothing, result, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{handlingOrder}/fire-deadline", OpsAdmin, body);
        Assert.Equal(HttpStatusCode.OK, nothing);
        Assert.Equal("replayed", result!["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Redeliver_NeedsOpsAdminAndAConsumer_AndThePostgresLog()
    {
        var (orderId, _) = await api.Place();
        var body = new { reason = "consumer lost it", confirm = true, appKey = Keys.Marketplace.Key, kind = "feed" };
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/redeliver", Keys.Ops, body)).Status);
        var (bad, problem, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/redeliver", OpsAdmin, new { reason = "x y", confirm = true, appKey = "k", kind = "queue" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.NotNull(problem!["errors"]!["kind"]);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/redeliver", OpsAdmin, body with { appKey = "nobody" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, "/api/orders/feed/config", Keys.Seller1, new { filter = new { type = "FromWorkflow", status = new[] { "handling" } } })).Status);
        var (status, unavailable, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{orderId}/redeliver", OpsAdmin, body with { appKey = Keys.Seller1.Key });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("REPLAY_NOT_AVAILABLE", unavailable!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Delete, "/api/orders/feed/config", Keys.Seller1)).Status);
    }

    [Fact]
    public async Task Console_ForOpsKeysOnly_ReadOnlyOpsSeesTheRepairsDisabled()
    {
        var (orderId, _) = await api.Place();
        var anonymous = await api.Http.GetAsync("/ops");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Get, "/ops", Keys.Seller1)).Status);

        var board = await api.Http.SendAsync(Api.Request(HttpMethod.Get, "/ops", Keys.Ops));
        Assert.Equal(HttpStatusCode.OK, board.StatusCode);
        Assert.Contains("Orders per status", await board.Content.ReadAsStringAsync());
        // The trend: the placement just made counts in the current 10-minute bucket once the index has it (within a second).
        const string justEntered = "order-accepted</a></td><td class=\"n\">[0-9,]+</td>(<td class=\"n trend\">[^<]*</td>){5}<td class=\"n trend\">\\+[0-9]";
        var until = DateTime.UtcNow.AddSeconds(5);
        var html = "";
        while (true)
        {
            html = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, "/ops", Keys.Ops))).Content.ReadAsStringAsync();
            if (System.Text.RegularExpressions.Regex.IsMatch(html, justEntered) || DateTime.UtcNow > until) break;
            await Task.Delay(100);
        }
        Assert.Matches(justEntered, html);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var search = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, $"/ops/orders?q={orderId}&from={today}&to={today}", Keys.Ops))).Content.ReadAsStringAsync();
        var none = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, $"/ops/orders?q={orderId}&to=2020-01-01", Keys.Ops))).Content.ReadAsStringAsync();
        var indexedBy = DateTime.UtcNow.AddSeconds(5);
        while (!search.Contains($"/ops/orders/{orderId}\"") && DateTime.UtcNow < indexedBy)
        {
            await Task.Delay(100);
            search = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, $"/ops/orders?q={orderId}&from={today}&to={today}", Keys.Ops))).Content.ReadAsStringAsync();
        }
        Assert.Contains($"/ops/orders/{orderId}\"", search);
        Assert.DoesNotContain($"/ops/orders/{orderId}\"", none);
        var timeline = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, $"/ops/orders/{orderId}", Keys.Ops))).Content.ReadAsStringAsync();
        Assert.Contains("order-accepted", timeline);
        Assert.Contains("<button type=\"submit\" disabled>", timeline);
        var admin = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, $"/ops/orders/{orderId}", OpsAdmin))).Content.ReadAsStringAsync();
        Assert.DoesNotContain(" disabled>", admin);
        // A form post from anywhere but the console's own page is refused (the browser would send Basic credentials along).
        var forged = Api.Request(HttpMethod.Post, $"/ops/orders/{orderId}/resync", OpsAdmin);
        forged.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "csrf", ["confirm"] = "true" });
        forged.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Http.SendAsync(forged)).StatusCode);
    }
}
