using System.Net;
using Xunit.Abstractions;

namespace OrderGrains.Api.Tests;

/// <summary>
/// Every role × every endpoint × own order / another tenant's order. 401 without credentials, 403 for a role
/// that may not call the endpoint, 404 for an order of another tenant, and never a cross-tenant 2xx.
/// </summary>
[Collection(ApiCollection.Name)]
public class AuthorizationMatrixTests(ApiFactory factory, ITestOutputHelper output)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    private enum Who { Anonymous, BadToken, Marketplace, OtherMarketplace, Seller1, Seller2, Ops }

    private sealed record Endpoint(string Name, HttpMethod Method, string Path, Func<object?> Body, Who[] Allowed);

    private static readonly Who[] Everyone = [Who.Marketplace, Who.OtherMarketplace, Who.Seller1, Who.Seller2, Who.Ops];
    private static readonly Who[] Marketplaces = [Who.Marketplace, Who.OtherMarketplace];
    private static readonly Who[] Sellers = [Who.Seller1, Who.Seller2];

    private static (string, string)? Key(Who who) => who switch
    {
        Who.Marketplace => Keys.Marketplace,
        Who.OtherMarketplace => Keys.OtherMarketplace,
        Who.Seller1 => Keys.Seller1,
        Who.Seller2 => Keys.Seller2,
        Who.Ops => Keys.Ops,
        Who.BadToken => (Keys.Marketplace.Key, "not-the-token-at-all"),
        _ => null,
    };

    private static Endpoint[] Endpoints(string id) =>
    [
        new("get", HttpMethod.Get, $"/api/oms/pvt/orders/{id}", () => null, Everyone),
        new("history", HttpMethod.Get, $"/api/oms/pvt/orders/{id}/history", () => null, Everyone),
        new("payment", HttpMethod.Post, $"/api/oms/pvt/orders/{id}/payment-notification", () => new { status = "approved" }, Marketplaces),
        new("start-handling", HttpMethod.Post, $"/api/oms/pvt/orders/{id}/start-handling", () => null, Sellers),
        new("cancel", HttpMethod.Post, $"/api/oms/pvt/orders/{id}/cancel", () => new { reason = "matrix" }, [.. Marketplaces, .. Sellers]),
        new("deny", HttpMethod.Post, $"/api/orders/pvt/document/{id}/deny-cancellation-request", () => new { cancellationRequestId = "x", denyReason = "y" }, Sellers),
        new("accept", HttpMethod.Post, $"/api/orders/pvt/document/{id}/accept-cancellation-request", () => new { cancellationRequestId = "x" }, Sellers),
        new("withdraw", HttpMethod.Post, $"/api/orders/pvt/document/{id}/withdraw-cancellation-request", () => new { cancellationRequestId = "x" }, [.. Marketplaces, .. Sellers]),
        new("invoice", HttpMethod.Post, $"/api/oms/pvt/orders/{id}/invoice", () => Api.Invoice(), Sellers),
        new("tracking", HttpMethod.Put, $"/api/oms/pvt/orders/{id}/invoice/INV-1/tracking", () => new { isDelivered = false }, Sellers),
    ];

    /// <summary>Whose order is it: the demo marketplace's, sold by seller1.</summary>
    private static bool Owns(Who who) => who is Who.Marketplace or Who.Seller1 or Who.Ops;

    /// <summary>
    /// What the owner of the order gets, endpoint after endpoint on one fresh (unpaid) order, in the order of
    /// <see cref="Endpoints"/>: the marketplace pays, cancels (a request opens: the zero window has passed) and withdraws a
    /// request that does not exist; seller1 cannot start handling an unpaid order, cancels it (at once, inside the
    /// window), then finds no request to decide and an order too final to invoice or track.
    /// </summary>
    private static string[] Owner(Who who, string endpoint) => (who, endpoint) switch
    {
        (_, "get" or "history") => ["200"],
        (Who.Marketplace, "payment" or "cancel") => ["200"],
        // The cancel races the zero window's timer: a request opened (no request "x"), or the order was canceled at once.
        (Who.Marketplace, "withdraw") => ["404 CANCELLATION_REQUEST_NOT_FOUND", "409 ORDER_IS_FINAL"],
        (Who.Seller1, "start-handling") => ["409 OMS003"],
        (Who.Seller1, "cancel") => ["200"],
        (Who.Seller1, "deny" or "accept" or "withdraw") => ["404 CANCELLATION_REQUEST_NOT_FOUND"],
        (Who.Seller1, "invoice" or "tracking") => ["409 ORDER_IS_FINAL"],
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), $"{who} {endpoint}: no expectation"),
    };

    [Fact]
    public async Task Matrix_EveryRoleEveryEndpointOwnAndForeignOrder_ExpectedCodes()
    {
        foreach (var useSellerId in new[] { false, true })
        {
            foreach (var who in Enum.GetValues<Who>())
            {
                // A fresh order per row, so one caller's success does not change the next one's answer.
                var (orderId, sellerOrderId) = await api.Place();
                var id = useSellerId ? sellerOrderId : orderId;
                foreach (var endpoint in Endpoints(id))
                {
                    var (status, body, response) = await api.Send(endpoint.Method, endpoint.Path, Key(who), endpoint.Body());
                    var code = (int)status;
                    var problem = (body as System.Text.Json.Nodes.JsonObject)?["code"]?.GetValue<string>();
                    var answer = problem is null || code < 300 ? $"{code}" : $"{code} {problem}";
                    var cell = $"{who} {endpoint.Name} {(useSellerId ? "seller-id" : "order-id")} → {answer}";
                    output.WriteLine(cell);
                    Assert.True(Api.IsProblem(response) || code < 300, $"{cell}: not problem+json");
                    string[] expected = who is Who.Anonymous or Who.BadToken ? ["401 UNAUTHORIZED"]
                        : !endpoint.Allowed.Contains(who) ? ["403 FORBIDDEN"]
                        : !Owns(who) ? ["404 ORDER_NOT_FOUND"] // another tenant's order does not exist for this caller
                        : Owner(who, endpoint.Name);
                    Assert.True(expected.Contains(answer), $"{cell}, expected {string.Join(" or ", expected)}");
                }
            }
        }
    }

    [Fact]
    public async Task PlaceOrder_OnlyMarketplaces()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", null, Api.OneItemOrder())).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Seller1, Api.OneItemOrder())).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Ops, Api.OneItemOrder())).Status);
        Assert.Equal(HttpStatusCode.Created, (await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.OtherMarketplace, Api.OneItemOrder())).Status);
    }

    [Fact]
    public async Task OrderGroupId_TakenByAnotherAccount_409WithoutItsOrders()
    {
        var group = "v" + Guid.NewGuid().ToString("N")[..10];
        var body = new { orderGroup = group, items = new[] { new { sellerId = "seller1", skuId = "a", quantity = 1, price = 100 } } };
        await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, body);

        var (status, json, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.OtherMarketplace, body);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Null(json!["orders"]);
    }
}
