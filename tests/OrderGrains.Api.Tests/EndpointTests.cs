using System.Net;

namespace OrderGrains.Api.Tests;

/// <summary>Each endpoint's success and its documented errors.</summary>
[Collection(ApiCollection.Name)]
public class EndpointTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Fact]
    public async Task PlaceOrder_TwoSellers_Returns201WithOneOrderPerSeller()
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, new
        {
            affiliateId = "MKT",
            items = new[] { new { sellerId = "seller1", skuId = "a", quantity = 1, price = 100 }, new { sellerId = "seller2", skuId = "b", quantity = 3, price = 200 } },
        });

        Assert.Equal(HttpStatusCode.Created, status);
        var orders = body!["orders"]!.AsArray();
        Assert.Equal(2, orders.Count);
        var group = body["orderGroup"]!.GetValue<string>();
        Assert.Equal($"{group}-02", orders[1]!["orderId"]!.GetValue<string>());
        Assert.Equal($"MKT-{group}-02", orders[1]!["sellerOrderId"]!.GetValue<string>());
        Assert.Equal(600, orders[1]!["value"]!.GetValue<long>());
    }

    [Fact]
    public async Task PlaceOrder_SameGroupAgain_200ReplayedWithSameOrders()
    {
        var body = new { orderGroup = "v" + Guid.NewGuid().ToString("N")[..10], items = new[] { new { sellerId = "seller1", skuId = "a", quantity = 1, price = 100 } } };
        var first = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, body);
        var second = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, body);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("replayed", second.Body!["outcome"]!.GetValue<string>());
        Assert.Equal(first.Body!["orders"]!.ToJsonString(), second.Body["orders"]!.ToJsonString());
    }

    [Fact]
    public async Task PlaceOrder_NoItems_400NamesTheField()
    {
        var (status, body, response) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, new { items = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(Api.IsProblem(response));
        Assert.NotNull(body!["errors"]!["items"]);
        Assert.Equal("INVALID_REQUEST", body["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetOrder_BothIds_VtexShapeWithETagAndStatusStrings()
    {
        var (orderId, sellerOrderId) = await api.Place();

        var marketplace = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", Keys.Marketplace);
        var seller = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1);

        Assert.Equal("payment-pending", marketplace.Body!["status"]!.GetValue<string>());
        Assert.Equal("Marketplace", marketplace.Body["origin"]!.GetValue<string>());
        Assert.Equal(sellerOrderId, marketplace.Body["sellerOrderId"]!.GetValue<string>());
        Assert.True(marketplace.Body["allowCancellation"]!.GetValue<bool>());
        Assert.Equal("order-accepted", seller.Body!["status"]!.GetValue<string>());
        Assert.Equal("Fulfillment", seller.Body["origin"]!.GetValue<string>());
        Assert.Equal(orderId, seller.Body["marketplaceOrderId"]!.GetValue<string>());
        Assert.Equal("\"1\"", seller.Response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task GetOrder_Unknown_404Problem()
    {
        var (status, body, response) = await api.Send(HttpMethod.Get, "/api/oms/pvt/orders/v000000nope-01", Keys.Ops);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.True(Api.IsProblem(response));
        Assert.Equal("ORDER_NOT_FOUND", body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task History_ListsEveryCommandWithOutcome()
    {
        var (orderId, sellerOrderId) = await api.Place();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1);

        var (status, body, _) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}/history", Keys.Seller1);

        Assert.Equal(HttpStatusCode.OK, status);
        var entries = body!.AsArray();
        Assert.Equal("place", entries[0]!["command"]!.GetValue<string>());
        Assert.Equal("rejected", entries[^1]!["outcome"]!.GetValue<string>());
        Assert.Equal("OMS003", entries[^1]!["code"]!.GetValue<string>());
        Assert.Equal("seller", entries[^1]!["actor"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}/history", Keys.Marketplace)).Status);
    }

    [Fact]
    public async Task PaymentNotification_ApprovedThenDenied_200Then409()
    {
        var (orderId, _) = await api.Place();

        var approved = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" });
        var denied = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "denied" });
        var bad = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "maybe" });

        Assert.Equal(HttpStatusCode.OK, approved.Status);
        Assert.Equal("payment-approved", approved.Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, denied.Status);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task PaymentDenied_CancelsBothOrders()
    {
        var (orderId, sellerOrderId) = await api.Place();

        var denied = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "denied" });

        Assert.Equal(HttpStatusCode.OK, denied.Status);
        Assert.Equal("canceled", await api.Status(orderId, Keys.Marketplace));
        Assert.Equal("canceled", await api.Status(sellerOrderId, Keys.Seller1));
    }

    [Fact]
    public async Task StartHandling_NotReady_409Oms003_ThenReady_204()
    {
        var (orderId, sellerOrderId) = await api.Place();

        var early = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1);
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" });
        await api.WaitForStatus(sellerOrderId, Keys.Seller1, "ready-for-handling");
        var ready = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1);

        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.Equal("OMS003", early.Body!["code"]!.GetValue<string>());
        Assert.Equal("order-accepted", early.Body["orderStatus"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, ready.Status);
    }

    [Fact]
    public async Task Cancel_BeforePayment_CanceledAtOnce()
    {
        var (orderId, _) = await api.Place();

        var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "customer", requestedByUser = "op@mkt" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("canceled", body!["status"]!.GetValue<string>());
        Assert.NotNull(body["receipt"]);
        Assert.Equal(orderId, body["orderId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_InHandling_OpensRequestThenSellerAccepts()
    {
        var (orderId, sellerOrderId) = await api.InHandling();

        var cancel = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "customer" });
        var requestId = cancel.Body!["cancellationRequestId"]!.GetValue<string>();
        var accept = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/accept-cancellation-request", Keys.Seller1, new { cancellationRequestId = requestId });

        Assert.Equal("waiting-for-seller-decision", cancel.Body["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, accept.Status);
        Assert.Equal("canceled", accept.Body!["status"]!.GetValue<string>());
        await api.WaitForStatus(orderId, Keys.Marketplace, "canceled");
    }

    [Fact]
    public async Task Deny_UnknownRequest_404_ClosedRequest_409()
    {
        var (orderId, sellerOrderId) = await api.InHandling();
        var requestId = (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "x" })).Body!["cancellationRequestId"]!.GetValue<string>();

        var unknown = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1, new { cancellationRequestId = "nope", denyReason = "r" });
        var deny = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1, new { cancellationRequestId = requestId, denyReason = "shipped" });
        var denyAgain = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1, new { cancellationRequestId = requestId, denyReason = "shipped" });
        var acceptLate = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/accept-cancellation-request", Keys.Seller1, new { cancellationRequestId = requestId });
        var missing = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1, new { denyReason = "r" });

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("CANCELLATION_REQUEST_NOT_FOUND", unknown.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, deny.Status);
        Assert.Equal("handling", deny.Body!["status"]!.GetValue<string>());
        Assert.Equal("replayed", denyAgain.Body!["outcome"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, acceptLate.Status);
        Assert.Equal("CANCELLATION_REQUEST_CLOSED", acceptLate.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.NotNull(missing.Body!["errors"]!["cancellationRequestId"]);
    }

    [Fact]
    public async Task Withdraw_ByMarketplace_BackToPaymentApproved_BySeller409NotTheRequester()
    {
        var (orderId, sellerOrderId) = await api.InHandling();
        var requestId = (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "x" })).Body!["cancellationRequestId"]!.GetValue<string>();

        var bySeller = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/withdraw-cancellation-request", Keys.Seller1, new { cancellationRequestId = requestId });
        var byMarketplace = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{orderId}/withdraw-cancellation-request", Keys.Marketplace, new { cancellationRequestId = requestId });

        Assert.Equal(HttpStatusCode.Conflict, bySeller.Status);
        Assert.Equal("NOT_THE_REQUESTER", bySeller.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, byMarketplace.Status);
        Assert.Equal("payment-approved", byMarketplace.Body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invoice_PartialFullAndRepeated()
    {
        var (orderId, sellerOrderId) = await api.InHandling();

        var partial = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-1", 400));
        var tooMuch = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-2", 700));
        var full = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-2", 600));
        var again = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-2", 600));
        var conflict = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-2", 500));
        var input = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, new { type = "Input", invoiceNumber = "R1", invoiceValue = 1 });

        Assert.Equal("handling", partial.Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.Status);
        Assert.Equal("INVOICE_EXCEEDS_TOTAL", tooMuch.Body!["code"]!.GetValue<string>());
        Assert.Equal("invoiced", full.Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("replayed", again.Body!["outcome"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(HttpStatusCode.OK, input.Status); // a return invoice on the invoiced order: recorded, the status stays
        Assert.Equal("invoiced", input.Body!["status"]!.GetValue<string>());
        await api.WaitForStatus(orderId, Keys.Marketplace, "invoiced");
        var packages = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", Keys.Marketplace)).Body!["packageAttachment"]!["packages"]!.AsArray();
        Assert.Equal(["Output", "Output", "Input"], packages.Select(p => p!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Tracking_OnInvoice_200StatusUnchanged_UnknownInvoice404()
    {
        var (_, sellerOrderId) = await api.InHandling();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice());

        var tracking = await api.Send(HttpMethod.Put, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/INV-1/tracking", Keys.Seller1,
            new { isDelivered = true, deliveredDate = "2026-11-29T10:00:00Z", events = new[] { new { city = "Rio", state = "RJ", description = "delivered", date = "2026-11-29T10:00:00Z" } } });
        var unknown = await api.Send(HttpMethod.Put, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NOPE/tracking", Keys.Seller1, new { isDelivered = false });

        Assert.Equal(HttpStatusCode.OK, tracking.Status);
        Assert.Equal("invoiced", tracking.Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("INVOICE_NOT_FOUND", unknown.Body!["code"]!.GetValue<string>());
        var order = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Body!;
        Assert.True(order["packageAttachment"]!["packages"]![0]!["courierStatus"]!["finished"]!.GetValue<bool>());
    }

    [Fact]
    public async Task IfMatch_StaleVersion_412_CurrentVersion_Applies()
    {
        var (_, sellerOrderId) = await api.InHandling();
        var etag = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Response.Headers.ETag!.Tag;

        var stale = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice(), ifMatch: "\"1\"");
        var current = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice(), ifMatch: etag);
        var garbage = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/cancel", Keys.Seller1, new { reason = "x" }, ifMatch: "\"abc\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal("VERSION_MISMATCH", stale.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, current.Status);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.Status);
    }

    [Fact]
    public async Task Body_WrongContentType415_TooLarge413()
    {
        var (orderId, _) = await api.Place();
        var text = new HttpRequestMessage(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel") { Content = new StringContent("reason=x") };
        text.Headers.Add("X-VTEX-API-AppKey", Keys.Marketplace.Key);
        text.Headers.Add("X-VTEX-API-AppToken", Keys.Marketplace.Token);

        var wrongType = await api.Send(text);
        var huge = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = new string('x', 70_000) });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.Status);
        Assert.True(Api.IsProblem(huge.Response));
    }

    [Fact]
    public async Task Health_LiveAndReady_OpenApiAndDocs_Anonymous()
    {
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/ready")).StatusCode);
        var openApi = await api.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/oms/pvt/orders/{orderId}/cancel", openApi);
        Assert.Contains("/api/orders/pvt/document/{orderId}/deny-cancellation-request", openApi);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/docs/index.html")).StatusCode);
    }

    [Fact]
    public async Task Dashboard_OpsOnly_BasicAuthForBrowsers()
    {
        var anonymous = await api.Http.GetAsync("/dashboard/");
        var seller = await api.Send(HttpMethod.Get, "/dashboard/", Keys.Seller1);
        var basic = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Keys.Ops.Key}:{Keys.Ops.Token}")));
        var ops = await api.Http.SendAsync(basic);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.NotEmpty(anonymous.Headers.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.Forbidden, seller.Status);
        Assert.Equal(HttpStatusCode.OK, ops.StatusCode);
    }
}
