using System.Text.Json.Nodes;

namespace OrderGrains.Cluster.Tests;

/// <summary>Feed v3 on PostgreSQL, through a gateway: one item per status change, in order per order; an uncommitted item comes back.</summary>
[Collection(PostgresCollection.Name)]
public class FeedPostgresTests(Postgres postgres)
{
    [SkippableFact]
    public async Task Feed_ItemsInOrderPerOrder_UncommittedComesBack_StaleHandleCommitsNothing()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 1, new Dictionary<string, string> { ["Workflow__CancellationWindow"] = "00:00:00" });
        await cluster.Start();
        var api = new RetryingApi(cluster.Gateways[0].BaseAddress);
        var (configured, _) = await api.Send(HttpMethod.Post, "/api/orders/feed/config", false,
            new { filter = new { type = "FromWorkflow", status = new[] { "payment-pending", "payment-approved", "order-accepted", "window-to-cancel", "ready-for-handling" } },
                  queue = new { visibilityTimeoutInSeconds = 2 } });
        Assert.Equal(200, configured);

        var orders = new List<(string Order, string Seller)>();
        for (var i = 0; i < 3; i++)
        {
            var (_, placed) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 1, price = 100 } } });
            orders.Add((placed!["orders"]![0]!["orderId"]!.GetValue<string>(), placed["orders"]![0]!["sellerOrderId"]!.GetValue<string>()));
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orders[^1].Order}/payment-notification", false, new { status = "approved" });
        }
        foreach (var (_, seller) in orders) await api.WaitForSellerStatus(seller, "ready-for-handling", TimeSpan.FromSeconds(20));

        // The first read, not committed: it comes back after the visibility timeout, same event, new handle.
        async Task<List<JsonNode>> Read()
        {
            var (status, body) = await api.Send(HttpMethod.Get, "/api/orders/feed?maxlot=10", false);
            Assert.Equal(200, status);
            return [.. body!.AsArray().Select(i => i!)];
        }
        List<JsonNode> first = [];
        for (var i = 0; i < 100 && first.Count == 0; i++) { first = await Read(); if (first.Count == 0) await Task.Delay(100); }
        Assert.NotEmpty(first);
        Assert.Equal(first.Count, first.Select(i => i["orderId"]!.GetValue<string>() + i["domain"]!.GetValue<string>()).Distinct().Count()); // one per order and domain at a time
        await Task.Delay(2500);
        var again = await Read();
        Assert.Contains(again, i => i["eventId"]!.GetValue<string>() == first[0]["eventId"]!.GetValue<string>() && i["handle"]!.GetValue<string>() != first[0]["handle"]!.GetValue<string>());
        var (_, stale) = await api.Send(HttpMethod.Post, "/api/orders/feed", false, new { handles = new[] { first[0]["handle"]!.GetValue<string>() } });
        Assert.Equal(0, stale!["committed"]!.GetValue<int>());

        // Drain, committing each lot: per order and domain, the changes in order, each once.
        var all = new List<JsonNode>(again);
        await api.Send(HttpMethod.Post, "/api/orders/feed", false, new { handles = again.Select(i => i["handle"]!.GetValue<string>()).ToArray() });
        // Until every expected item came (3 per seller order, 2 per marketplace order), then a second more for any extra.
        var expected = orders.Count * 5;
        for (DateTime until = DateTime.UtcNow.AddSeconds(30), quietUntil = DateTime.MaxValue; DateTime.UtcNow < until && DateTime.UtcNow < quietUntil;)
        {
            if (all.Count >= expected && quietUntil == DateTime.MaxValue) quietUntil = DateTime.UtcNow.AddSeconds(1);
            var lot = await Read();
            if (lot.Count == 0) { await Task.Delay(100); continue; }
            all.AddRange(lot);
            var (_, committed) = await api.Send(HttpMethod.Post, "/api/orders/feed", false, new { handles = lot.Select(i => i["handle"]!.GetValue<string>()).ToArray() });
            Assert.Equal(lot.Count, committed!["committed"]!.GetValue<int>());
        }
        foreach (var (order, seller) in orders)
        {
            Assert.Equal([">order-accepted", "order-accepted>window-to-cancel", "window-to-cancel>ready-for-handling"],
                all.Where(i => i["orderId"]!.GetValue<string>() == seller).Select(i => $"{i["lastState"]}>{i["state"]}"));
            Assert.Equal([">payment-pending", "payment-pending>payment-approved"],
                all.Where(i => i["orderId"]!.GetValue<string>() == order).Select(i => $"{i["lastState"]}>{i["state"]}"));
        }
    }
}
