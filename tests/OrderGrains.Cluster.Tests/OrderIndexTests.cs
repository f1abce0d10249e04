using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// List orders on PostgreSQL: the order index (og_order_index, migrations/0004_order_index.sql) is written by the change-log
/// readers inside the silo and read through the silo, so a gateway with no index of its own lists what the silo indexed.
/// </summary>
[Collection(PostgresCollection.Name)]
public class OrderIndexTests(Postgres postgres)
{
    [SkippableFact]
    public async Task ListOrders_ThroughAGateway_ReadsTheIndexTheLogKeeps()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 1, new Dictionary<string, string> { ["Workflow__CancellationWindow"] = "00:00:00" });
        await cluster.Start();
        var api = new RetryingApi(cluster.Gateways[0].BaseAddress);
        var group = "idx" + Guid.NewGuid().ToString("N")[..10];

        var (_, placed) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { orderGroup = group, items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 3, price = 250 } } });
        var orderId = placed!["orders"]![0]!["orderId"]!.GetValue<string>();
        var sellerOrderId = placed["orders"]![0]!["sellerOrderId"]!.GetValue<string>();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", false, new { status = "approved" });
        Assert.Equal("ready-for-handling", await api.WaitForSellerStatus(sellerOrderId, "ready-for-handling", TimeSpan.FromSeconds(20)));

        async Task<System.Text.Json.Nodes.JsonNode> ListWhen(string query, bool asSeller, Func<System.Text.Json.Nodes.JsonNode, bool> ready)
        {
            var until = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                var (status, body) = await api.Send(HttpMethod.Get, "/api/oms/pvt/orders?" + query, asSeller);
                Assert.Equal(200, status);
                if (ready(body!) || DateTime.UtcNow > until) return body!;
                await Task.Delay(50);
            }
        }
        var marketplace = await ListWhen($"q={group}&f_status=ready-for-handling", false, b => b["paging"]!["total"]!.GetValue<long>() == 1);
        var seller = await ListWhen($"q={group}", true, b => b["list"]!.AsArray().FirstOrDefault()?["status"]?.GetValue<string>() == "ready-for-handling");
        var (groupStatus, groupBody) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/order-group/{group}", false);

        Assert.Equal(orderId, marketplace["list"]![0]!["orderId"]!.GetValue<string>());
        Assert.Equal("payment-approved", marketplace["list"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(750, marketplace["list"]![0]!["totalValue"]!.GetValue<long>());
        Assert.Equal(sellerOrderId, seller["list"]![0]!["orderId"]!.GetValue<string>());
        Assert.Equal(200, groupStatus);
        Assert.Equal(orderId, groupBody!.AsArray().Single()!["orderId"]!.GetValue<string>());

        // The row came from the log: its sequence is the seller order's, its lag is recorded, and the account is the key's.
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT account, sequence, indexed_at >= logged_at, seller_status FROM og_order_index WHERE seller_order_id = $1", db);
        command.Parameters.Add(new() { Value = sellerOrderId });
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal("acme", row.GetString(0));
        Assert.Equal(long.Parse((await api.Get(sellerOrderId, asSeller: true))["sequence"]!.GetValue<string>()), row.GetInt64(1));
        Assert.True(row.GetBoolean(2));
        Assert.Equal("ready-for-handling", row.GetString(3));
    }
}
