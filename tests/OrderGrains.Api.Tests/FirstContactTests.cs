using System.Net;
using System.Text;

namespace OrderGrains.Api.Tests;

/// <summary>What a VTEX client or a new user meets first: VTEX's own bodies, clear errors, a way into the docs.</summary>
[Collection(ApiCollection.Name)]
public class FirstContactTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Fact]
    public async Task VtexCancelBody_RequestedByUserTrue_IsAccepted_AndRecordedAsTheCustomers()
    {
        var (orderId, sellerOrderId) = await api.InHandling();

        var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace,
            "{\"reason\":\"Customer changed their mind\",\"requestedByUser\":true}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("waiting-for-seller-decision", body!["status"]!.GetValue<string>());
        var history = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}/history", Keys.Seller1)).Body!.AsArray();
        Assert.Contains(history, h => h!["command"]!.GetValue<string>() == "cancel-by-customer" && h["actor"]!.GetValue<string>() == "customer");
    }

    [Fact]
    public async Task VtexCancelBody_RequestedByUserFalse_IsTheMarketplaces()
    {
        var (orderId, sellerOrderId) = await api.InHandling();

        var (status, _, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, "{\"reason\":\"fraud\",\"requestedByUser\":false}");

        Assert.Equal(HttpStatusCode.OK, status);
        var history = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}/history", Keys.Seller1)).Body!.AsArray();
        Assert.Contains(history, h => h!["command"]!.GetValue<string>() == "cancel-by-marketplace");
    }

    [Fact]
    public async Task CancelBody_RequestedByUserOfAnotherType_400NamesTheField()
    {
        var (orderId, _) = await api.InHandling();

        var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, "{\"reason\":\"x\",\"requestedByUser\":42}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]!["requestedByUser"]);
    }

    [Theory]
    [InlineData("{\"items\":[{\"sellerId\":\"seller1\",\"skuId\":\"s\",\"quantity\":\"2\",\"price\":100}]}", "$.items[0].quantity", "must be a whole number")]
    [InlineData("{\"items\":[{\"sellerId\":\"seller1\",\"skuId\":\"s\",\"quantity\":2,\"price\":\"100\"}]}", "$.items[0].price", "must be a whole number")]
    [InlineData("{\"orderGroup\":7,\"items\":[]}", "$.orderGroup", "must be a string")]
    [InlineData("{\"items\":{}}", "$.items", "must be an array")]
    public async Task ConversionErrors_NameTheFieldAndWhatItExpects_NotTheParentType(string json, string field, string expected)
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body!["errors"]![field]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("PlaceOrder", body.ToJsonString());
        Assert.DoesNotContain("converted to", body.ToJsonString());
    }

    [Theory]
    [InlineData("deny-cancellation-request")]
    [InlineData("accept-cancellation-request")]
    [InlineData("withdraw-cancellation-request")]
    public async Task UnknownCancellationRequestId_404_OnEveryDecision(string decision)
    {
        var (orderId, sellerOrderId) = await api.InHandling();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/cancel", Keys.Seller1, new { reason = "stock" }); // an open request, not the one named

        var (status, body, response) = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/{decision}", Keys.Seller1,
            new { cancellationRequestId = "no-such-request" });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.True(Api.IsProblem(response));
        Assert.Equal("CANCELLATION_REQUEST_NOT_FOUND", body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnotherOrdersCancellationRequestId_404()
    {
        var (_, sellerA) = await api.InHandling();
        var (_, sellerB) = await api.InHandling();
        var requestOfA = (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerA}/cancel", Keys.Seller1, new { reason = "stock" })).Body!["cancellationRequestId"]!.GetValue<string>();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerB}/cancel", Keys.Seller1, new { reason = "stock" });

        var (status, body, _) = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerB}/accept-cancellation-request", Keys.Seller1,
            new { cancellationRequestId = requestOfA });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("CANCELLATION_REQUEST_NOT_FOUND", body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Root_RedirectsToTheDocs()
    {
        var response = await api.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/docs", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task PostWithoutContentType_415SaysJsonIsExpected()
    {
        using var request = Api.Request(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}"));

        var (status, body, response) = await api.Send(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.True(Api.IsProblem(response));
        Assert.Contains("application/json", body!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unauthorized_MentionsBothWaysToSignIn()
    {
        var (status, body, _) = await api.Send(HttpMethod.Get, "/api/oms/pvt/orders/x", null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        var detail = body!["detail"]!.GetValue<string>();
        Assert.Contains("X-VTEX-API-AppKey", detail);
        Assert.Contains("Basic", detail);
    }

    [Fact]
    public async Task Forbidden_UsesTheRightArticle()
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Ops, Api.OneItemOrder());

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.StartsWith("An ops key may not do this; it needs a marketplace key.", body!["detail"]!.GetValue<string>());
    }
}
