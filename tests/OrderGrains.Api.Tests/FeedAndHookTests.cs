using System.Net;
using System.Text.Json.Nodes;
using OrderGrains.Testing;

namespace OrderGrains.Api.Tests;

/// <summary>
/// Feed v3 and hooks: one item per committed status change, in order per order, nothing lost while a consumer is slow,
/// failing or gone. Hooks are tested against real HTTP receivers on loopback.
/// </summary>
[Collection(ApiCollection.Name)]
public class FeedAndHookTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    private static readonly string[] EveryStatus =
        ["order-accepted", "window-to-cancel", "ready-for-handling", "handling", "cancellation-requested", "invoiced", "canceled",
         "payment-pending", "payment-approved", "waiting-for-seller-decision"];

    private async Task<(string OrderId, string SellerOrderId)> PlaceAs((string, string) marketplace, string seller = "seller1")
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", marketplace, Api.OneItemOrder(seller));
        Assert.Equal(HttpStatusCode.Created, status);
        return (body!["orders"]![0]!["orderId"]!.GetValue<string>(), body["orders"]![0]!["sellerOrderId"]!.GetValue<string>());
    }

    /// <summary>Reads and commits the feed until the items of <paramref name="orderIds"/> stop coming; returns them in the order read.</summary>
    private async Task<List<JsonNode>> Drain((string, string) key, ISet<string> orderIds, int expected)
    {
        var mine = new List<JsonNode>();
        var until = DateTime.UtcNow.AddSeconds(15);
        while (mine.Count < expected && DateTime.UtcNow < until)
        {
            var (status, body, _) = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=10", key);
            Assert.Equal(HttpStatusCode.OK, status);
            var items = body!.AsArray().Select(i => i!).ToList();
            if (items.Count == 0) { await Task.Delay(50); continue; }
            mine.AddRange(items.Where(i => orderIds.Contains(i["orderId"]!.GetValue<string>())));
            var commit = await api.Send(HttpMethod.Post, "/api/orders/feed", key, new { handles = items.Select(i => i["handle"]!.GetValue<string>()).ToArray() });
            Assert.Equal(items.Count, commit.Body!["committed"]!.GetValue<int>());
        }
        return mine;
    }

    private static string[] Transitions(IEnumerable<JsonNode> items, string domain) =>
        [.. items.Where(i => i["domain"]!.GetValue<string>() == domain).Select(i => $"{i["lastState"]!.GetValue<string>()}>{i["state"]!.GetValue<string>()}")];

    [Fact]
    public async Task Feed_OneItemPerStatusChange_InOrder_BothDomains()
    {
        var key = Keys.OtherMarketplace;
        var configured = await api.Send(HttpMethod.Post, "/api/orders/feed/config", key,
            new { filter = new { type = "FromWorkflow", status = EveryStatus }, queue = new { visibilityTimeoutInSeconds = 60, MessageRetentionPeriodInSeconds = 3600 } });
        Assert.Equal(HttpStatusCode.OK, configured.Status);
        await Drain(key, new HashSet<string>(), 0); // whatever earlier tests left

        var (orderId, sellerOrderId) = await PlaceAs(key);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", key, new { status = "approved" })).Status);
        await api.WaitForStatus(sellerOrderId, Keys.Seller1, "ready-for-handling");
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", key, new { reason = "feed test" })).Status);

        var items = await Drain(key, new HashSet<string> { orderId, sellerOrderId }, expected: 7);
        await Task.Delay(300);
        items.AddRange(await Drain(key, new HashSet<string> { orderId, sellerOrderId }, expected: 0)); // nothing more comes

        Assert.Equal([">order-accepted", "order-accepted>window-to-cancel", "window-to-cancel>ready-for-handling", "ready-for-handling>cancellation-requested"],
            Transitions(items, "Fulfillment"));
        Assert.Equal([">payment-pending", "payment-pending>payment-approved", "payment-approved>waiting-for-seller-decision"], Transitions(items, "Marketplace"));
        Assert.Equal(items.Count, items.Select(i => i["eventId"]!.GetValue<string>()).Distinct().Count());
        Assert.All(items.Where(i => i["domain"]!.GetValue<string>() == "Fulfillment"), i => Assert.Equal(sellerOrderId, i["orderId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Feed_UncommittedItem_ComesBackAfterVisibilityTimeout_AndHoldsBackItsOrder()
    {
        var key = Keys.Ops; // an ops feed sees every order
        await api.Send(HttpMethod.Post, "/api/orders/feed/config", key,
            new { filter = new { type = "FromWorkflow", status = new[] { "order-accepted", "canceled" } }, queue = new { visibilityTimeoutInSeconds = 1 } });
        await Drain(key, new HashSet<string>(), 0);
        var (orderId, sellerOrderId) = await PlaceAs(Keys.Marketplace);
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "feed test" });

        async Task<List<JsonNode>> Mine()
        {
            var (_, body, _) = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=10", key);
            return [.. body!.AsArray().Select(i => i!).Where(i => i["orderId"]!.GetValue<string>() == sellerOrderId)];
        }
        List<JsonNode> first = [];
        for (var i = 0; i < 100 && first.Count == 0; i++) { first = await Mine(); if (first.Count == 0) await Task.Delay(50); }
        var hidden = await Mine();
        await Task.Delay(1300);
        var back = await Mine();
        var stale = await api.Send(HttpMethod.Post, "/api/orders/feed", key, new { handles = new[] { first[0]["handle"]!.GetValue<string>() } });
        var fresh = await api.Send(HttpMethod.Post, "/api/orders/feed", key, new { handles = new[] { back[0]["handle"]!.GetValue<string>() } });
        var next = await Mine();

        Assert.Equal("order-accepted", first.Single()["state"]!.GetValue<string>()); // not its canceled item: that one waits
        Assert.Empty(hidden);
        Assert.Equal(first[0]["eventId"]!.GetValue<string>(), back.Single()["eventId"]!.GetValue<string>());
        Assert.NotEqual(first[0]["handle"]!.GetValue<string>(), back[0]["handle"]!.GetValue<string>());
        Assert.Equal(0, stale.Body!["committed"]!.GetValue<int>());
        Assert.Equal(1, fresh.Body!["committed"]!.GetValue<int>());
        Assert.Equal("canceled", next.Single()["state"]!.GetValue<string>());
        await api.Send(HttpMethod.Delete, "/api/orders/feed/config", key);
    }

    [Fact]
    public async Task FeedConfig_VtexExamples_FromOrdersRefusedClearly_GetAndDelete()
    {
        var key = Keys.Seller2;
        var fromOrders = await api.Send(HttpMethod.Post, "/api/orders/feed/config", key,
            """{"filter":{"type":"FromOrders","expression":"value > 100","disableSingleFire":false},"queue":{"visibilityTimeoutInSeconds":250,"MessageRetentionPeriodInSeconds":345600}}""");
        var unknownStatus = await api.Send(HttpMethod.Post, "/api/orders/feed/config", key, new { filter = new { type = "FromWorkflow", status = new[] { "shipped" } } });
        var none = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=1", key);
        var ok = await api.Send(HttpMethod.Post, "/api/orders/feed/config", key,
            """{"filter":{"type":"FromWorkflow","status":["ready-for-handling","order-completed"]},"queue":{"visibilityTimeoutInSeconds":250,"MessageRetentionPeriodInSeconds":345600}}""");
        var read = await api.Send(HttpMethod.Get, "/api/orders/feed/config", key);
        var badLot = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=11", key);
        var deleted = await api.Send(HttpMethod.Delete, "/api/orders/feed/config", key);
        var gone = await api.Send(HttpMethod.Get, "/api/orders/feed/config", key);

        Assert.Equal(HttpStatusCode.BadRequest, fromOrders.Status);
        Assert.Contains("FromWorkflow", fromOrders.Body!["errors"]!["filter.type"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, unknownStatus.Status);
        Assert.Equal(HttpStatusCode.NotFound, none.Status);
        Assert.Equal("FEED_NOT_CONFIGURED", none.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(345600, read.Body!["queue"]!["messageRetentionPeriodInSeconds"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, badLot.Status);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task Hook_PingMustAnswer200_OrTheConfigIsRefused()
    {
        await using var receiver = new HookReceiver { Answer = (_, _) => (500, TimeSpan.Zero) };
        var refused = await api.Send(HttpMethod.Post, "/api/orders/hook/config", Keys.Seller1,
            new { filter = new { type = "FromWorkflow", status = new[] { "handling" } }, hook = new { url = receiver.Url, headers = new Dictionary<string, string> { ["key"] = "value" } } });
        receiver.Stop();
        var unreachable = await api.Send(HttpMethod.Post, "/api/orders/hook/config", Keys.Seller1,
            new { filter = new { type = "FromWorkflow", status = new[] { "handling" } }, hook = new { url = receiver.Url } });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("HOOK_PING_FAILED", refused.Body!["code"]!.GetValue<string>());
        Assert.Equal("{\"hookConfig\":\"ping\"}", receiver.Requests.Single().Raw);
        Assert.Equal("value", receiver.Requests.Single().Headers["key"]);
        Assert.Equal(HttpStatusCode.BadRequest, unreachable.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Get, "/api/orders/hook/config", Keys.Seller1)).Status);
    }

    [Fact]
    public async Task Hook_ReceiverFailsSlowAndGoesAway_EveryChangeArrives_InOrder_SignedWithStableIds()
    {
        await using var receiver = new HookReceiver();
        var configured = await api.Send(HttpMethod.Post, "/api/orders/hook/config", Keys.Seller2,
            new { filter = new { type = "FromWorkflow", status = EveryStatus }, hook = new { url = receiver.Url, headers = new Dictionary<string, string> { ["X-Test"] = "1" } } });
        Assert.Equal(HttpStatusCode.OK, configured.Status);
        var secret = configured.Body!["secret"]!.GetValue<string>();
        // From now on: the first notification fails, the second is too slow (2 s against the 1 s timeout), then all is well.
        receiver.Answer = (_, n) => n switch { 1 => (500, TimeSpan.Zero), 2 => (200, TimeSpan.FromSeconds(2)), _ => (200, TimeSpan.Zero) };

        var (orderId, sellerOrderId) = await PlaceAs(Keys.Marketplace, seller: "seller2");
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" });
        await api.WaitForStatus(sellerOrderId, Keys.Seller2, "ready-for-handling");
        receiver.Stop(); // the receiver goes away for a while; start-handling happens meanwhile
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller2)).Status);
        await Task.Delay(700);
        receiver.Start();

        var expected = new[] { ">order-accepted", "order-accepted>window-to-cancel", "window-to-cancel>ready-for-handling", "ready-for-handling>handling" };
        var until = DateTime.UtcNow.AddSeconds(20);
        List<HookReceiver.Received> delivered;
        do
        {
            await Task.Delay(100);
            delivered = [.. receiver.Requests.Where(r => r.Body["OrderId"]?.GetValue<string>() == sellerOrderId && r.AnsweredWith == 200)];
        }
        while (delivered.Select(r => r.Body["EventId"]!.GetValue<string>()).Distinct().Count() < expected.Length && DateTime.UtcNow < until);

        var attempts = receiver.Requests.Where(r => r.Body["OrderId"]?.GetValue<string>() == sellerOrderId).ToList();
        // In order: the first delivery of each change comes after the one before it was delivered.
        var firstOk = attempts.Where(r => r.AnsweredWith == 200).GroupBy(r => r.Body["EventId"]!.GetValue<string>()).Select(g => g.First()).ToList();
        Assert.Equal(expected, firstOk.Select(r => $"{r.Body["LastState"]!.GetValue<string>()}>{r.Body["State"]!.GetValue<string>()}"));
        Assert.All(attempts, r =>
        {
            Assert.Equal("Fulfillment", r.Body["Domain"]!.GetValue<string>()); // a seller key's hook: its seller orders only
            Assert.Equal("1", r.Headers["X-Test"]);
            Assert.Equal(Keys.Seller2.Key, r.Body["Origin"]!["Key"]!.GetValue<string>());
            Assert.Equal(r.Body["EventId"]!.GetValue<string>(), r.Headers["X-OrderGrains-Event-Id"]);
            var signature = OrderGrains.Grains.HookDeliveryGrain.Sign(secret, r.Headers["X-OrderGrains-Timestamp"], r.Raw);
            Assert.Equal("sha256=" + signature, r.Headers["X-OrderGrains-Signature"]);
        });
        Assert.True(attempts.Count > firstOk.Count, "the failed and the slow notification were sent again, with the same event id");
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Delete, "/api/orders/hook/config", Keys.Seller2)).Status);
    }

    [Fact]
    public async Task Replay_InMemory_SaysThereIsNothingToReplay_WithoutAConfigIsNotFound_AFutureTimeIsRefused()
    {
        var key = Keys.Seller1; // no test configures a feed for seller1
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Post, "/api/orders/feed/replay", key, new { since = DateTimeOffset.UtcNow.AddHours(-1) })).Status);
        var (future, problem, _) = await api.Send(HttpMethod.Post, "/api/orders/hook/replay", key, new { since = DateTimeOffset.UtcNow.AddHours(1) });
        Assert.Equal(HttpStatusCode.BadRequest, future);
        Assert.NotNull(problem!["errors"]!["since"]);

        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, "/api/orders/feed/config", key, new { filter = new { type = "FromWorkflow", status = new[] { "handling" } } })).Status);
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/orders/feed/replay", key, new { since = "2026-11-29 10:00" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("REPLAY_NOT_AVAILABLE", body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Delete, "/api/orders/feed/config", key)).Status);
    }
}

/// <summary>A gateway whose hooks poll once a minute: only a wake-up or the drain after a delivery can be prompt.</summary>
public sealed class SlowHookPollFactory : ApiFactory
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Hooks:Poll", "00:01:00")];
}

/// <summary>An order's changes queued together reach its hook one after another at once, not one per poll.</summary>
public class HookDrainTests(SlowHookPollFactory factory) : IClassFixture<SlowHookPollFactory>
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Fact]
    public async Task Hook_AnOrdersChangesQueuedTogether_ArriveInOrder_WithinSeconds_NotOnePerPoll()
    {
        await using var receiver = new HookReceiver();
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, "/api/orders/hook/config", Keys.Seller1,
            new { filter = new { type = "FromWorkflow", status = new[] { "order-accepted", "window-to-cancel", "ready-for-handling" } }, hook = new { url = receiver.Url } })).Status);

        // The payment commits window-to-cancel and (a zero window) ready-for-handling in one transaction: queued together.
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder());
        Assert.Equal(HttpStatusCode.Created, status);
        var orderId = body!["orders"]![0]!["orderId"]!.GetValue<string>();
        var sellerOrderId = body["orders"]![0]!["sellerOrderId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" })).Status);

        var expected = new[] { ">order-accepted", "order-accepted>window-to-cancel", "window-to-cancel>ready-for-handling" };
        var until = DateTime.UtcNow.AddSeconds(8); // the poll is a minute away
        string[] delivered;
        do
        {
            await Task.Delay(100);
            delivered = [.. receiver.Requests.Where(r => r.Body["OrderId"]?.GetValue<string>() == sellerOrderId && r.AnsweredWith == 200)
                .Select(r => $"{r.Body["LastState"]!.GetValue<string>()}>{r.Body["State"]!.GetValue<string>()}")];
        }
        while (delivered.Length < expected.Length && DateTime.UtcNow < until);

        Assert.Equal(expected, delivered);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Delete, "/api/orders/hook/config", Keys.Seller1)).Status);
    }
}
