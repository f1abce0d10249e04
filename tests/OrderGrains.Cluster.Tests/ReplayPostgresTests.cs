using System.Net.Http.Json;
using OrderGrains.Testing;
using Xunit.Abstractions;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// A consumer replays from a point in time: on PostgreSQL the change log keeps what was read (ChangeLog:Retention), so a hook
/// gets every change since then again — the same event ids, in order per order — and a feed gets them queued again.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ReplayPostgresTests(Postgres postgres, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task HookAndFeed_ReplayFromAPointInTime_SameEventIds_InOrderPerOrder_NothingBeforeIt()
    {
        postgres.SkipIfMissing();
        await using var receiver = new HookReceiver();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 0, new Dictionary<string, string>
        {
            ["Workflow__CancellationWindow"] = "00:00:00",
            ["Hooks__RetryBase"] = "00:00:00.200",
            ["Hooks__Poll"] = "00:00:00.500",
        });
        await cluster.Start();
        var api = new RetryingApi(cluster.Silos[0].BaseAddress);
        var statuses = new[] { "order-accepted", "window-to-cancel", "ready-for-handling", "handling" };
        Assert.Equal(200, (await api.Send(HttpMethod.Post, "/api/orders/hook/config", asSeller: true,
            new { filter = new { type = "FromWorkflow", status = statuses }, hook = new { url = receiver.Url } })).Status);
        Assert.Equal(200, (await api.Send(HttpMethod.Post, "/api/orders/feed/config", asSeller: false,
            new { filter = new { type = "FromWorkflow", status = new[] { "payment-pending", "payment-approved" } } })).Status);

        async Task<string> Handling()
        {
            var (_, placed) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 1, price = 100 } } });
            var orderId = placed!["orders"]![0]!["orderId"]!.GetValue<string>();
            var seller = placed["orders"]![0]!["sellerOrderId"]!.GetValue<string>();
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", false, new { status = "approved" });
            Assert.Equal("ready-for-handling", await api.WaitForSellerStatus(seller, "ready-for-handling", TimeSpan.FromSeconds(30)));
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/start-handling", true);
            return seller;
        }
        var before = await Handling();          // changed before the replay point: must not come again
        await Task.Delay(1500);
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        var orders = new List<string>();
        for (var i = 0; i < 3; i++) orders.Add(await Handling());

        List<HookReceiver.Received> For(IEnumerable<string> ids) =>
            [.. receiver.Requests.Where(r => r.Body["OrderId"] is { } id && ids.Contains(id.GetValue<string>()))];
        async Task WaitFor(Func<bool> done, string what)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!done()) { if (DateTime.UtcNow > until) throw new TimeoutException(what); await Task.Delay(100); }
        }
        await WaitFor(() => For(orders.Append(before)).Count >= 4 * statuses.Length, "first deliveries");
        var first = For(orders).Select(r => r.Body["EventId"]!.GetValue<string>()).ToList();
        await Task.Delay(1000); // the delivery grain commits each item right after its 200
        // The feed: read and commit everything it has (8 items, one per order at a time), so a replay must queue it again.
        var drained = 0;
        while (true)
        {
            var (_, lot) = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=10", false);
            var handles = lot!.AsArray().Select(i => i!["handle"]!.GetValue<string>()).ToArray();
            if (handles.Length == 0) break;
            drained += handles.Length;
            Assert.Equal(200, (await api.Send(HttpMethod.Post, "/api/orders/feed", false, new { handles })).Status);
        }
        Assert.Equal(8, drained);

        var (hookStatus, hookReplay) = await api.Send(HttpMethod.Post, "/api/orders/hook/replay", asSeller: true, new { since });
        Assert.True(hookStatus == 200, hookReplay?.ToJsonString());
        output.WriteLine($"hook replay: {hookReplay!.ToJsonString()}");
        Assert.Equal(orders.Count * statuses.Length, hookReplay["queued"]!.GetValue<int>());
        Assert.True(hookReplay["complete"]!.GetValue<bool>());
        await WaitFor(() => For(orders).Count >= 2 * first.Count, "replayed deliveries");

        var all = For(orders);
        // Every change came twice with the same event id; per order, each pass in the workflow's order.
        Assert.All(all.GroupBy(r => r.Body["EventId"]!.GetValue<string>()), g => Assert.Equal(2, g.Count()));
        Assert.Equal(first.Order(), all.Skip(first.Count).Select(r => r.Body["EventId"]!.GetValue<string>()).Order());
        foreach (var order in all.GroupBy(r => r.Body["OrderId"]!.GetValue<string>()))
        {
            Assert.Equal(statuses.Concat(statuses), order.Select(r => r.Body["State"]!.GetValue<string>()));
        }
        Assert.Equal(statuses.Length, For([before]).Count); // the order changed before `since`: not replayed

        var (feedStatus, feedReplay) = await api.Send(HttpMethod.Post, "/api/orders/feed/replay", asSeller: false, new { since });
        Assert.True(feedStatus == 200, feedReplay?.ToJsonString());
        Assert.Equal(orders.Count * 2, feedReplay!["queued"]!.GetValue<int>()); // payment-pending and payment-approved of each
        var (_, again) = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=10", false);
        Assert.Equal(orders.Count, again!.AsArray().Count); // one per order at a time, oldest first
        Assert.All(again.AsArray(), i => Assert.Equal("payment-pending", i!["state"]!.GetValue<string>()));

        // Ops redelivers one order to the hook: its four changes again, same event ids, and an audit line in its history.
        var one = orders[0];
        var before2 = For([one]).Count;
        using var ops = TestCluster.Ops(cluster.Silos[0]);
        var response = await ops.PostAsJsonAsync($"/api/ops/orders/{one}/redeliver",
            new { reason = "ERP lost the order; ticket OPS-11", confirm = true, appKey = TestCluster.SellerKey, kind = "hook" });
        var redelivered = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(response.IsSuccessStatusCode, redelivered?.ToJsonString());
        Assert.Equal(statuses.Length, redelivered!["queued"]!.GetValue<int>());
        await WaitFor(() => For([one]).Count >= before2 + statuses.Length, "redelivered");
        Assert.Equal(first.Where(e => For([one]).Any(r => r.Body["EventId"]!.GetValue<string>() == e)).Count(), statuses.Length);
        var (_, history) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{one}/history", true);
        Assert.Contains(history!.AsArray(), h => h!["command"]!.GetValue<string>() == "ops-redeliver" && h["reason"]!.GetValue<string>().Contains("OPS-11"));
    }
}
