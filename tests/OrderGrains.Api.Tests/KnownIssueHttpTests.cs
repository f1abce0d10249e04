using System.Net;

namespace OrderGrains.Api.Tests;

/// <summary>domain.md §6 over HTTP with the demo keys: what the README's curl walkthrough does.</summary>
[Collection(ApiCollection.Name)]
public class KnownIssueHttpTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Theory]
    [InlineData("accept", "canceled", "canceled")]
    [InlineData("deny", "payment-approved", "handling")]
    [InlineData("invoice", "invoiced", "invoiced")]
    public async Task KnownIssue_OverHttp_EveryAnswerEndsDefined(string answer, string marketplaceEnd, string sellerEnd)
    {
        // 1-2. order, payment, window, handling
        var (orderId, sellerOrderId) = await api.InHandling();
        Assert.Equal("payment-approved", await api.Status(orderId, Keys.Marketplace));

        // 3. the seller requests cancellation of its own order
        var own = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/cancel", Keys.Seller1, new { reason = "out of stock" });
        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Equal("cancellation-requested", own.Body!["status"]!.GetValue<string>());
        var ownRequest = own.Body["cancellationRequestId"]!.GetValue<string>();

        // 4. the seller refuses its own request: withdrawn, handling again (VTEX: stuck in cancellation-request-denied-ffm)
        var deny = await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1,
            new { cancellationRequestId = ownRequest, denyReason = "changed my mind" });
        Assert.Equal(HttpStatusCode.OK, deny.Status);
        Assert.Equal("handling", deny.Body!["status"]!.GetValue<string>());
        Assert.Contains("withdrawal", deny.Body["message"]!.GetValue<string>());

        // 5. the marketplace cancels (VTEX: stuck in request-cancel): a request opens
        var cancel = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "customer asked", requestedByUser = "op@mkt" });
        Assert.Equal(HttpStatusCode.OK, cancel.Status);
        Assert.Equal("waiting-for-seller-decision", cancel.Body!["status"]!.GetValue<string>());
        var request = cancel.Body["cancellationRequestId"]!.GetValue<string>();
        Assert.Equal("cancellation-requested", await api.Status(sellerOrderId, Keys.Seller1));

        // 6. the seller answers
        var reply = answer switch
        {
            "accept" => await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/accept-cancellation-request", Keys.Seller1, new { cancellationRequestId = request }),
            "deny" => await api.Send(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1, new { cancellationRequestId = request, denyReason = "already packed" }),
            _ => await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice()),
        };
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        await api.WaitForStatus(orderId, Keys.Marketplace, marketplaceEnd);
        Assert.Equal(sellerEnd, await api.Status(sellerOrderId, Keys.Seller1));

        var history = (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}/history", Keys.Seller1)).Body!.AsArray();
        Assert.Contains(history, h => h!["command"]!.GetValue<string>() == "deny-cancellation-request" && h["reason"]!.GetValue<string>().Contains("withdrawal"));
    }
}
