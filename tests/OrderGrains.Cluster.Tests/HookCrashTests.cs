using OrderGrains.Testing;
using Xunit.Abstractions;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// Hooks on PostgreSQL survive a SIGKILL of the silo in the middle of delivering: every status change reaches the
/// receiver (counted by event id), and per order the changes arrive in order. Redeliveries carry the same event id.
/// </summary>
[Collection(PostgresCollection.Name)]
public class HookCrashTests(Postgres postgres, ITestOutputHelper output)
{
    private const int Orders = 20;

    [SkippableFact]
    public async Task SiloKilledMidDelivery_EveryChangeDelivered_InOrderPerOrder()
    {
        postgres.SkipIfMissing();
        await using var receiver = new HookReceiver { Answer = (_, _) => (200, TimeSpan.FromMilliseconds(100)) }; // a slowish receiver
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 1, new Dictionary<string, string>
        {
            ["Workflow__CancellationWindow"] = "00:00:00",
            ["Hooks__Timeout"] = "00:00:01",
            ["Hooks__RetryBase"] = "00:00:00.200",
            ["Hooks__Poll"] = "00:00:00.500",
        });
        await cluster.Start();
        var api = new RetryingApi(cluster.Gateways[0].BaseAddress);
        var statuses = new[] { "order-accepted", "window-to-cancel", "ready-for-handling", "handling" };
        var (configured, hook) = await api.Send(HttpMethod.Post, "/api/orders/hook/config", asSeller: true,
            new { filter = new { type = "FromWorkflow", status = statuses }, hook = new { url = receiver.Url } });
        Assert.True(configured == 200, hook?.ToJsonString());

        var sellerOrders = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            var (_, placed) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 1, price = 100 } } });
            var orderId = placed!["orders"]![0]!["orderId"]!.GetValue<string>();
            sellerOrders.Add(placed["orders"]![0]!["sellerOrderId"]!.GetValue<string>());
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", false, new { status = "approved" });
        }
        foreach (var seller in sellerOrders)
        {
            Assert.Equal("ready-for-handling", await api.WaitForSellerStatus(seller, "ready-for-handling", TimeSpan.FromSeconds(30)));
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/start-handling", true);
        }

        // Mid-delivery: 80 notifications at ~100 ms each, 8 at a time, are still going out.
        var beforeKill = receiver.Requests.Count;
        await cluster.Silos[0].Kill();
        cluster.Silos[0].Start();
        await cluster.Silos[0].WaitReady(TimeSpan.FromSeconds(90));

        var expected = sellerOrders.Count * statuses.Length;
        var until = DateTime.UtcNow.AddSeconds(90);
        List<HookReceiver.Received> delivered;
        do
        {
            await Task.Delay(250);
            delivered = [.. receiver.Requests.Where(r => r.Body["OrderId"] is not null && sellerOrders.Contains(r.Body["OrderId"]!.GetValue<string>()))];
        }
        while (delivered.Select(r => r.Body["EventId"]!.GetValue<string>()).Distinct().Count() < expected && DateTime.UtcNow < until);

        var distinct = delivered.Select(r => r.Body["EventId"]!.GetValue<string>()).Distinct().Count();
        var outOfOrder = delivered.GroupBy(r => r.Body["OrderId"]!.GetValue<string>())
            .Count(g => !g.GroupBy(r => r.Body["EventId"]!.GetValue<string>()).Select(e => e.First().Body["State"]!.GetValue<string>()).SequenceEqual(statuses));
        var report = $"hook crash test: orders={sellerOrders.Count} changes={expected} delivered_distinct={distinct} deliveries={delivered.Count} " +
                     $"redelivered={delivered.Count - distinct} received_before_kill={beforeKill} orders_out_of_order={outOfOrder}";
        output.WriteLine(report);

        Assert.True(beforeKill < expected, $"the kill came after everything was delivered; {report}");
        Assert.Equal(expected, distinct);
        Assert.Equal(0, outOfOrder);
    }
}
