using System.Net;
using System.Text.Json.Nodes;

namespace OrderGrains.Api.Tests;

/// <summary>
/// VTEX's own request bodies, unchanged: every example body in VTEX's published Orders API spec (Vtex/vtex-orders-api.json)
/// for an endpoint this service serves is sent as it is, at the point of the workflow where VTEX would send it.
/// </summary>
[Collection(ApiCollection.Name)]
public class VtexBodiesTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    private static readonly JsonNode Spec = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vtex", "vtex-orders-api.json")))!;

    /// <summary>Every example body VTEX's spec gives for one operation (the media type's <c>example</c> and each of its <c>examples</c>).</summary>
    private static IReadOnlyList<JsonNode> Examples(string path, string method)
    {
        var content = Spec["paths"]![path]![method]!["requestBody"]?["content"]?["application/json"];
        if (content is null) return [];
        var found = new List<JsonNode>();
        if (content["example"] is { } one) found.Add(one.DeepClone());
        if (content["examples"] is JsonObject many) found.AddRange(many.Select(e => e.Value!["value"]!.DeepClone()));
        return found;
    }

    /// <summary>The served endpoints whose VTEX example bodies this class sends; a test below covers each.</summary>
    public static readonly (string Path, string Method)[] Served =
    [
        ("/api/oms/pvt/orders/{orderId}/invoice", "post"),
        ("/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}", "patch"),
        ("/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}/tracking", "put"),
        ("/api/oms/pvt/orders/{orderId}/cancel", "post"),
    ];

    [Fact]
    public void Spec_HasAnExampleBodyForEveryServedEndpointWithABody()
    {
        foreach (var (path, method) in Served)
        {
            Assert.NotEmpty(Examples(path, method));
        }
        // VTEX's payment notification and start handling take no body.
        Assert.Null(Spec["paths"]!["/api/oms/pvt/orders/{orderId}/payments/{paymentId}/payment-notification"]!["post"]!["requestBody"]);
        Assert.Null(Spec["paths"]!["/api/oms/pvt/orders/{orderId}/start-handling"]!["post"]!["requestBody"]);
    }

    /// <summary>A VTEX-sized order: one SKU "123" at 24.99, the invoice value of VTEX's example.</summary>
    private async Task<(string OrderId, string SellerOrderId)> HandlingOrderOf2499()
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace,
            new { items = new[] { new { sellerId = "seller1", skuId = "123", quantity = 1, price = 2499 } } });
        Assert.Equal(HttpStatusCode.Created, status);
        var orderId = body!["orders"]![0]!["orderId"]!.GetValue<string>();
        var sellerOrderId = body["orders"]![0]!["sellerOrderId"]!.GetValue<string>();

        // VTEX's payment notification path, no body.
        var paid = await api.Send(new HttpRequestMessage(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payments/F5C1A4E20D3B4E07B7E871F5B5BC9F91/payment-notification")
        {
            Headers = { { "X-VTEX-API-AppKey", Keys.Marketplace.Key }, { "X-VTEX-API-AppToken", Keys.Marketplace.Token } },
        });
        Assert.Equal(HttpStatusCode.OK, paid.Status);
        Assert.Equal("payment-approved", paid.Body!["status"]!.GetValue<string>());
        await api.WaitForStatus(sellerOrderId, Keys.Seller1, "ready-for-handling");
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1)).Status);
        return (orderId, sellerOrderId);
    }

    [Fact]
    public async Task InvoiceExample_StringInvoiceValueAndDescription_InvoicesTheOrder()
    {
        var (orderId, sellerOrderId) = await HandlingOrderOf2499();

        foreach (var example in Examples("/api/oms/pvt/orders/{orderId}/invoice", "post"))
        {
            Assert.Equal("2499", example["invoiceValue"]!.GetValue<string>()); // VTEX's cents as a string
            var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, example.ToJsonString());
            Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
            Assert.Equal("invoiced", body!["status"]!.GetValue<string>());
        }

        await api.WaitForStatus(orderId, Keys.Marketplace, "invoiced");
        var package = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Body!["packageAttachment"]!["packages"]![0]!;
        Assert.Equal(2499, package["invoiceValue"]!.GetValue<long>());
        Assert.Equal("335", package["items"]![0]!["description"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2019, 2, 8, 13, 16, 13, TimeSpan.Zero).AddTicks(4617653), package["dispatchedDate"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task PatchInvoiceExample_UpdatesShippingDetails_StatusUnchanged_SameAgainReplayed()
    {
        var (_, sellerOrderId) = await HandlingOrderOf2499();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1,
            new { type = "Output", invoiceNumber = "NF-1", invoiceValue = "1000", items = Array.Empty<object>() });

        foreach (var example in Examples("/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}", "patch"))
        {
            var first = await api.Send(HttpMethod.Patch, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NF-1", Keys.Seller1, example.ToJsonString());
            var again = await api.Send(HttpMethod.Patch, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NF-1", Keys.Seller1, example.ToJsonString());

            Assert.True(first.Status == HttpStatusCode.OK, first.Body?.ToJsonString());
            Assert.Equal("accepted", first.Body!["outcome"]!.GetValue<string>());
            Assert.Equal("handling", first.Body["status"]!.GetValue<string>());
            Assert.Equal("replayed", again.Body!["outcome"]!.GetValue<string>());
            var package = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Body!["packageAttachment"]!["packages"]![0]!;
            Assert.Equal(example["trackingNumber"]!.GetValue<string>(), package["trackingNumber"]!.GetValue<string>());
            Assert.Equal(example["courier"]!.GetValue<string>(), package["courier"]!.GetValue<string>());
            Assert.Equal(example["trackingUrl"]!.GetValue<string>(), package["trackingUrl"]!.GetValue<string>());
        }

        var unknown = await api.Send(HttpMethod.Patch, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NOPE", Keys.Seller1, new { trackingNumber = "1" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("INVOICE_NOT_FOUND", unknown.Body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task TrackingExample_VtexDateFormats_Accepted()
    {
        var (_, sellerOrderId) = await HandlingOrderOf2499();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1,
            new { type = "Output", invoiceNumber = "NF-1", invoiceValue = "2499", items = Array.Empty<object>() });

        foreach (var example in Examples("/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}/tracking", "put"))
        {
            var (status, body, _) = await api.Send(HttpMethod.Put, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NF-1/tracking", Keys.Seller1, example.ToJsonString());
            Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        }

        // VTEX documents deliveredDate as "yyyy-mm-dd hh:mm" (its schema's example): read as UTC.
        var documented = Spec["paths"]!["/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}/tracking"]!["put"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var deliveredDate = (documented["properties"]?["deliveredDate"]?["example"] ?? Spec["components"]!["schemas"]!["UpdateTrackingStatusRequest"]?["properties"]?["deliveredDate"]?["example"])?.GetValue<string>() ?? "2022-10-01 21:15";
        Assert.Equal("2022-10-01 21:15", deliveredDate);
        var delivered = await api.Send(HttpMethod.Put, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NF-1/tracking", Keys.Seller1,
            new { isDelivered = true, deliveredDate, events = new[] { new { city = "Rio de Janeiro", state = "RJ", description = "Entregue", date = "2022-10-01" } } });
        Assert.Equal(HttpStatusCode.OK, delivered.Status);

        var courier = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Body!["packageAttachment"]!["packages"]![0]!["courierStatus"]!;
        Assert.Equal(new DateTimeOffset(2022, 10, 1, 21, 15, 0, TimeSpan.Zero), courier["deliveredDate"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2022, 10, 1, 0, 0, 0, TimeSpan.Zero), courier["data"]![0]!["createDate"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task CancelExample_OpensARequestAfterTheWindow()
    {
        var (_, sellerOrderId) = await HandlingOrderOf2499();

        foreach (var example in Examples("/api/oms/pvt/orders/{orderId}/cancel", "post"))
        {
            var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/cancel", Keys.Seller1, example.ToJsonString());
            Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
            Assert.Equal("cancellation-requested", body!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task ReturnInvoice_OnlyOnAnInvoicedOrder_NeverMoreThanInvoiced_StatusStays()
    {
        var (_, sellerOrderId) = await HandlingOrderOf2499();
        var ret = new { type = "Input", issuanceDate = "2024-02-01 10:00", invoiceNumber = "RET-1", invoiceValue = "999", items = new[] { new { id = "123", price = 999, quantity = 1, description = "returned" } } };

        var beforeInvoiced = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, ret);
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, new { type = "Output", invoiceNumber = "NF-1", invoiceValue = "2499" });
        var returned = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, ret);
        var tooMuch = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, ret with { invoiceNumber = "RET-2", invoiceValue = "1501" });

        Assert.Equal(HttpStatusCode.Conflict, beforeInvoiced.Status);
        Assert.Equal("TRANSITION_NOT_ALLOWED", beforeInvoiced.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, returned.Status);
        Assert.Equal("invoiced", returned.Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.Status);
        Assert.Equal("INVOICE_EXCEEDS_TOTAL", tooMuch.Body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvoiceValue_NotWholeCents_400NamesTheField()
    {
        var (_, sellerOrderId) = await HandlingOrderOf2499();

        foreach (var bad in new object[] { "24.99", "", "-1", true })
        {
            var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1,
                new { type = "Output", invoiceNumber = "NF-1", invoiceValue = bad });
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.True(body!["errors"]!.AsObject().ContainsKey("invoiceValue"), body.ToJsonString());
        }
    }

    [Fact]
    public async Task Errors_CarryVtexErrorMember_WithTheProblemsCodeAndText()
    {
        var (_, sellerOrderId) = await api.Place();
        var notReady = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1);
        var unauthorized = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", null);

        Assert.Equal(HttpStatusCode.Conflict, notReady.Status);
        Assert.Equal("OMS003", notReady.Body!["code"]!.GetValue<string>());
        Assert.Equal("OMS003", notReady.Body["error"]!["code"]!.GetValue<string>());
        Assert.Equal(notReady.Body["detail"]!.GetValue<string>(), notReady.Body["error"]!["message"]!.GetValue<string>());
        Assert.StartsWith("Order status should be ready-for-handling", notReady.Body["error"]!["message"]!.GetValue<string>());
        Assert.Null(notReady.Body["error"]!["exception"]);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.Status);
        Assert.Equal("UNAUTHORIZED", unauthorized.Body!["error"]!["code"]!.GetValue<string>());
    }
}
