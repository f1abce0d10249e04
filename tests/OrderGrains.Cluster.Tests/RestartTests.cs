using Xunit.Abstractions;

namespace OrderGrains.Cluster.Tests;

/// <summary>Orders in every status survive a graceful stop and a kill -9 of a real silo; pending deadlines still fire afterwards.</summary>
[Collection(PostgresCollection.Name)]
public class RestartTests(Postgres postgres, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Restart_GracefulThenKill9_EveryStatusSurvivesAndDeadlinesFire()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 0, new Dictionary<string, string>
        {
            ["Workflow__CancellationWindow"] = "00:00:01",
            ["Workflow__AuthorizationDeadline"] = "00:00:50",
            ["Workflow__CancellationRequestDeadline"] = "00:00:50",
        });
        await cluster.Start();
        var silo = cluster.Silos[0];
        var api = new RetryingApi(silo.BaseAddress);

        async Task<(string Order, string Seller)> Place()
        {
            var (_, body) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 2, price = 500 } } });
            return (body!["orders"]![0]!["orderId"]!.GetValue<string>(), body["orders"]![0]!["sellerOrderId"]!.GetValue<string>());
        }
        async Task<(string Order, string Seller)> Handling()
        {
            var ids = await Place();
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{ids.Order}/payment-notification", false, new { status = "approved" });
            Assert.Equal("ready-for-handling", await api.WaitForSellerStatus(ids.Seller, "ready-for-handling", TimeSpan.FromSeconds(20)));
            await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{ids.Seller}/start-handling", true);
            return ids;
        }

        var pending = await Place();                                        // payment-pending, authorization deadline pending
        var ready = await Place();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{ready.Order}/payment-notification", false, new { status = "approved" });
        await api.WaitForSellerStatus(ready.Seller, "ready-for-handling", TimeSpan.FromSeconds(20));
        var handling = await Handling();
        var requested = await Handling();                                   // waiting-for-seller-decision, request deadline pending
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{requested.Order}/cancel", false, new { reason = "restart test" });
        var partial = await Handling();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{partial.Seller}/invoice", true, new { invoiceNumber = "P1", invoiceValue = 400 });
        var invoiced = await Handling();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{invoiced.Seller}/invoice", true, new { invoiceNumber = "F1", invoiceValue = 1000 });
        var canceled = await Place();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{canceled.Order}/cancel", false, new { reason = "restart test" });
        var orders = new[] { pending, ready, handling, requested, partial, invoiced, canceled };

        async Task<string[]> Snapshot() => await Task.WhenAll(orders.SelectMany(o => new[] { (o.Order, false), (o.Seller, true) }).Select(async x =>
        {
            var order = await api.Get(x.Item1, x.Item2);
            return $"{x.Item1}:{order["status"]}@{order["sequence"]}";
        }));

        // Let the mirror catch up first: the snapshot compares settled orders.
        foreach (var (order, seller) in orders)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while ((await api.Get(order, false))["sellerSequence"]!.GetValue<long>() != long.Parse((await api.Get(seller, true))["sequence"]!.GetValue<string>())
                   && DateTime.UtcNow < until) await Task.Delay(100);
        }
        var before = await Snapshot();
        output.WriteLine(string.Join("\n", before));
        Assert.Contains(before, s => s.Contains("waiting-for-seller-decision"));
        Assert.Contains(before, s => s.Contains(":payment-pending@"));

        await silo.Stop(TimeSpan.FromSeconds(40));
        silo.Start();
        await silo.WaitReady(TimeSpan.FromSeconds(90));
        Assert.Equal(before, await Snapshot());

        await silo.Kill();
        silo.Start();
        await silo.WaitReady(TimeSpan.FromSeconds(90));
        Assert.Equal(before, await Snapshot());

        // The deadlines set before both restarts still fire: authorization (payment-pending) and the open request.
        foreach (var (order, seller) in new[] { pending, requested })
        {
            Assert.Equal("canceled", await api.WaitForSellerStatus(seller, "canceled", TimeSpan.FromSeconds(90)));
            var until = DateTime.UtcNow.AddSeconds(30);
            while ((await api.Get(order, false))["status"]!.GetValue<string>() != "canceled" && DateTime.UtcNow < until) await Task.Delay(200);
            Assert.Equal("canceled", (await api.Get(order, false))["status"]!.GetValue<string>());
        }
        Assert.Equal(0, api.Status500);
    }
}
