using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// The order document on PostgreSQL: the placing write files it in og_order_document (migrations/0006_order_documents.sql) in
/// the same transaction as the order's first state row, the state row never holds it, and it survives a kill -9.
/// </summary>
[Collection(PostgresCollection.Name)]
public class OrderDocumentPostgresTests(Postgres postgres)
{
    [SkippableFact]
    public async Task Document_IsFiledApartFromTheStateRow_AndSurvivesAKill9()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 1, gateways: 0, new Dictionary<string, string> { ["Workflow__CancellationWindow"] = "00:00:00" });
        await cluster.Start();
        var silo = cluster.Silos[0];
        var api = new RetryingApi(silo.BaseAddress);
        var group = "pdoc" + Guid.NewGuid().ToString("N")[..10];

        var (status, placed) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new
        {
            orderGroup = group,
            items = new[] { new { id = "sku", seller = "seller1", name = "Lamp", quantity = 2, price = 1500 } },
            clientProfileData = new { email = "ana@example.com", firstName = "Ana", lastName = "Lima", document = "12345678900", phone = "+5521999990000" },
            shippingData = new
            {
                address = new { receiverName = "Ana Lima", street = "Rua A", number = "10", city = "Rio de Janeiro", state = "RJ", country = "BRA", postalCode = "22000-000" },
                logisticsInfo = new[] { new { itemIndex = 0, selectedSla = "Normal", price = 700, listPrice = 700, sellingPrice = 700, shippingEstimate = "3bd" } },
            },
        });
        Assert.Equal(201, status);
        var orderId = placed!["orders"]![0]!["orderId"]!.GetValue<string>();
        var sellerOrderId = placed["orders"]![0]!["sellerOrderId"]!.GetValue<string>();
        Assert.Equal(3700, placed["orders"]![0]!["value"]!.GetValue<long>());
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", false, new { status = "approved" });
        Assert.Equal("ready-for-handling", await api.WaitForSellerStatus(sellerOrderId, "ready-for-handling", TimeSpan.FromSeconds(20)));

        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        await using (var document = new NpgsqlCommand("SELECT document->'clientProfileData'->>'email', document->'totals' FROM og_order_document WHERE order_id = $1", db))
        {
            document.Parameters.Add(new() { Value = orderId });
            await using var row = await document.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync(), "no og_order_document row");
            Assert.Equal("ana@example.com", row.GetString(0));
        }
        // The workflow state rows (both orders, after several writes) never carry the document.
        await using (var state = new NpgsqlCommand(
            "SELECT count(*), count(*) FILTER (WHERE orleans_try_jsonb(PayloadBinary) ? 'document' OR convert_from(PayloadBinary, 'UTF8') LIKE '%ana@example.com%') FROM OrleansStorage WHERE GrainIdExtensionString IN ($1, $2)", db))
        {
            state.Parameters.Add(new() { Value = orderId });
            state.Parameters.Add(new() { Value = sellerOrderId });
            await using var row = await state.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync());
            Assert.Equal(2L, row.GetInt64(0));
            Assert.Equal(0L, row.GetInt64(1));
        }

        await silo.Kill();
        silo.Start();
        await silo.WaitReady(TimeSpan.FromSeconds(60));
        var order = await api.Get(orderId, asSeller: false);
        Assert.Equal("ana@example.com", order["clientProfileData"]!["email"]!.GetValue<string>());
        Assert.Equal("Rua A", order["shippingData"]!["address"]!["street"]!.GetValue<string>());
        Assert.Equal(3700, order["value"]!.GetValue<long>());
        var sellerView = await api.Get(sellerOrderId, asSeller: true);
        Assert.Equal("Ana", sellerView["clientProfileData"]!["firstName"]!.GetValue<string>());
        Assert.Equal(3700, sellerView["value"]!.GetValue<long>());

        // The ops console reads the index, the consumers' queues and the log's undelivered entries on PostgreSQL too.
        using var ops = TestCluster.Ops(silo);
        // After the restart the index catches up from the last cursor it wrote (within about a second).
        var html = "";
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var board = await ops.GetAsync("/ops");
            html = await board.Content.ReadAsStringAsync();
            Assert.True(board.IsSuccessStatusCode, html);
            if (html.Contains("ready-for-handling") || DateTime.UtcNow > until) break;
            await Task.Delay(200);
        }
        Assert.Contains("ready-for-handling", html);
        Assert.DoesNotContain(orderId, html[html.IndexOf("id=\"attention\"", StringComparison.Ordinal)..]); // not late, not behind (other tests share this database)
        Assert.Matches("class=\"n trend\">\\+[0-9]", html); // the orders entered their statuses within the last hour
        var timeline = await ops.GetStringAsync($"/ops/orders/{orderId}");
        Assert.Contains("ready-for-handling", timeline);
        Assert.Contains("agrees", timeline);
    }
}
