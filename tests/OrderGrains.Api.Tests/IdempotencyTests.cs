using System.Net;

namespace OrderGrains.Api.Tests;

[Collection(ApiCollection.Name)]
public class IdempotencyTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Fact]
    public async Task PlaceWithAKey_TheGroupFollowsTheKey_SoARunAgainReplaysInsteadOfPlacingTwice()
    {
        var key = Guid.NewGuid().ToString();
        var first = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(), idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var group = first.Body!["orderGroup"]!.GetValue<string>();

        // A second run of the same request (its first attempt's gateway died before the answer was recorded, and the
        // key's lease ran out) computes the same group...
        var rerun = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        rerun.Request.Headers[OrderGrains.Api.Http.IdempotencyMiddleware.Header] = key;
        rerun.Items[typeof(OrderGrains.Api.Auth.Caller)] = new OrderGrains.Api.Auth.Caller(Keys.Marketplace.Key, OrderGrains.Api.Auth.Role.Marketplace, "demo-marketplace", null);
        Assert.Equal(group, OrderGrains.Api.Endpoints.OrdersApi.NewGroupId(rerun));
        // ...which, placed again with the same content, is a replay of the same orders, not a second group.
        var again = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace,
            new { orderGroup = group, items = new[] { new { sellerId = "seller1", skuId = "sku1", quantity = 2, price = 500L } } });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body!["orders"]![0]!["orderId"]!.GetValue<string>(), again.Body!["orders"]![0]!["orderId"]!.GetValue<string>());
        // Another AppKey's same key is another group; no key, a new group each time.
        var other = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.OtherMarketplace, Api.OneItemOrder(), idempotencyKey: key);
        Assert.NotEqual(group, other.Body!["orderGroup"]!.GetValue<string>());
    }

    [Fact]
    public async Task SameKeySameBody_ReturnsFirstResponse()
    {
        var key = Guid.NewGuid().ToString();
        var first = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(), idempotencyKey: key);
        var second = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(), idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(first.Body!.ToJsonString(), second.Body!.ToJsonString());
        Assert.Equal("true", second.Response.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task SameKeyOtherBody_422()
    {
        var key = Guid.NewGuid().ToString();
        await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(price: 100), idempotencyKey: key);

        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(price: 200), idempotencyKey: key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task SameKeyOtherCaller_IsAnotherKey()
    {
        var key = Guid.NewGuid().ToString();
        var a = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(), idempotencyKey: key);
        var b = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.OtherMarketplace, Api.OneItemOrder(), idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, b.Status);
        Assert.NotEqual(a.Body!["orderGroup"]!.ToString(), b.Body!["orderGroup"]!.ToString());
    }

    [Fact]
    public async Task ConcurrentDuplicates_OneTransitionOnly()
    {
        var (orderId, sellerOrderId) = await api.InHandling();
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "dup" }, idempotencyKey: key))));

        // Each answer is the first response (200) or "still running" (409); the order moved once.
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, a.Status.ToString()));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.Conflict), a => Assert.Equal("IDEMPOTENCY_KEY_IN_PROGRESS", a.Body!["code"]!.GetValue<string>()));
        var receipts = answers.Where(a => a.Status == HttpStatusCode.OK).Select(a => a.Body!["receipt"]!.GetValue<string>()).Distinct();
        Assert.Single(receipts);
        var history = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}/history", Keys.Seller1)).Body!.AsArray();
        Assert.Single(history, h => h!["command"]!.GetValue<string>() == "cancel-by-marketplace");
    }

    [Fact]
    public async Task RetryWithKey_AfterSuccess_NoDoubleInvoice()
    {
        var (_, sellerOrderId) = await api.InHandling();
        var key = Guid.NewGuid().ToString();

        var first = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-7", 400), idempotencyKey: key);
        var retry = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("INV-7", 400), idempotencyKey: key);

        Assert.Equal(first.Body!.ToJsonString(), retry.Body!.ToJsonString());
        var order = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Body!;
        Assert.Single(order["packageAttachment"]!["packages"]!.AsArray());
    }

    [Fact]
    public async Task InvalidKey_400()
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(), idempotencyKey: new string('k', 300));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_IDEMPOTENCY_KEY", body!["code"]!.GetValue<string>());
    }
}
