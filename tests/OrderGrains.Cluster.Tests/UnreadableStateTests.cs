using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// A corrupted state row: that order answers a problem with a stable code (ORDER_STATE_UNREADABLE), the ops console lists
/// it, the change log's reader skips it instead of retrying forever, and every other order goes on as before.
/// </summary>
[Collection(PostgresCollection.Name)]
public class UnreadableStateTests(Postgres postgres)
{
    [SkippableFact]
    public async Task CorruptedRow_ThatOrderAnswersAStableProblem_TheConsoleListsIt_OthersUnaffected()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 0, new Dictionary<string, string> { ["Workflow__CancellationWindow"] = "00:00:00" });
        await cluster.Start();
        var silo = cluster.Silos[0];
        var api = new RetryingApi(silo.BaseAddress);
        async Task<(string Order, string Seller)> Place()
        {
            var (_, body) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 1, price = 100 } } });
            return (body!["orders"]![0]!["orderId"]!.GetValue<string>(), body["orders"]![0]!["sellerOrderId"]!.GetValue<string>());
        }
        var broken = await Place();
        var healthy = await Place();

        await silo.Kill();
        await using (var db = new NpgsqlConnection(postgres.ConnectionString))
        {
            await db.OpenAsync();
            await using var corrupt = new NpgsqlCommand(
                "UPDATE OrleansStorage SET PayloadBinary = convert_to('{\"marketplaceOrderId\": [not json', 'UTF8') WHERE GrainTypeString = 'marketplaceOrder' AND GrainIdExtensionString = $1", db);
            corrupt.Parameters.Add(new() { Value = broken.Order });
            Assert.Equal(1, await corrupt.ExecuteNonQueryAsync());
        }
        silo.Start();
        await silo.WaitReady(TimeSpan.FromSeconds(90));

        var (status, problem) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{broken.Order}", false);
        Assert.Equal(409, status);
        Assert.Equal("ORDER_STATE_UNREADABLE", problem!["code"]!.GetValue<string>());
        var (paid, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{broken.Order}/payment-notification", false, new { status = "approved" });
        Assert.Equal(409, paid);

        // Its seller order still works; its change reaches the log, whose reader skips the broken marketplace order.
        Assert.Equal(200, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{broken.Seller}/cancel", true, new { reason = "out of stock" })).Status);
        // Every other order goes on: the healthy one is paid and mirrored, a new one is placed and paid.
        var fresh = await Place();
        foreach (var order in new[] { healthy, fresh })
        {
            Assert.Equal(200, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{order.Order}/payment-notification", false, new { status = "approved" })).Status);
            Assert.Equal("ready-for-handling", await api.WaitForSellerStatus(order.Seller, "ready-for-handling", TimeSpan.FromSeconds(20)));
        }
        var until = DateTime.UtcNow.AddSeconds(20);
        while ((await api.Get(fresh.Order, false))["sellerStatus"]?.GetValue<string>() != "ready-for-handling" && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Equal("ready-for-handling", (await api.Get(fresh.Order, false))["sellerStatus"]!.GetValue<string>());

        using var ops = TestCluster.Ops(silo);
        var board = await ops.GetStringAsync("/ops");
        Assert.Contains(broken.Order, board);
        Assert.Contains("state cannot be read", board);

        // A warning per failed read (a request, or the log reader's one delivery), never a loop: nothing retries it in the background.
        int Reads() => silo.Log.Count(l => l.Contains("cannot be read", StringComparison.Ordinal) && l.Contains("Stored marketplaceOrder state", StringComparison.Ordinal));
        var settled = Reads();
        await Task.Delay(3000);
        Assert.InRange(settled, 1, 10);
        Assert.Equal(settled, Reads());
    }
}
