using System.Net;
using System.Text.Json.Nodes;

namespace OrderGrains.Api.Tests;

/// <summary>VTEX's List orders and order-group lookup, read from the order index that the change log keeps.</summary>
[Collection(ApiCollection.Name)]
public class ListOrdersTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    /// <summary>A group id no other test uses, so <c>q</c> isolates this test's orders in the shared host.</summary>
    private static string UniquePrefix() => "lst" + Guid.NewGuid().ToString("N")[..10];

    private async Task<JsonNode> List(string query, (string, string) as_)
    {
        var (status, body, _) = await api.Send(HttpMethod.Get, "/api/oms/pvt/orders?" + query, as_);
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        return body!;
    }

    /// <summary>The index follows the log within milliseconds; a test waits for it rather than assuming.</summary>
    private async Task<JsonNode> ListWhen(string query, (string, string) as_, Func<JsonNode, bool> ready)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var body = await List(query, as_);
            if (ready(body)) return body;
            if (DateTime.UtcNow > until) throw new TimeoutException($"the index never showed what was expected: {body.ToJsonString()}");
            await Task.Delay(25);
        }
    }

    private static long Total(JsonNode body) => body["paging"]!["total"]!.GetValue<long>();

    private static string[] Ids(JsonNode body) => [.. body["list"]!.AsArray().Select(o => o!["orderId"]!.GetValue<string>())];

    private async Task<string> PlaceGroup(string group, params string[] sellers)
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace,
            new { orderGroup = group, items = sellers.Select(s => new { sellerId = s, skuId = "sku1", quantity = 2, price = 500 }).ToArray() });
        Assert.Equal(HttpStatusCode.Created, status);
        return body!["orders"]![0]!["orderId"]!.GetValue<string>();
    }

    [Fact]
    public async Task ListOrders_FiltersByStatusAndText_SortsAndPages_InVtexShape()
    {
        var prefix = UniquePrefix();
        var a = await PlaceGroup(prefix + "a", "seller1");
        var b = await PlaceGroup(prefix + "b", "seller1");
        var c = await PlaceGroup(prefix + "c", "seller1");
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{b}/payment-notification", Keys.Marketplace, new { status = "approved" });
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{c}/cancel", Keys.Marketplace, new { reason = "test" });

        var all = await ListWhen($"q={prefix}", Keys.Marketplace, body => Total(body) == 3
            && body["list"]!.AsArray().Any(o => o!["status"]!.GetValue<string>() == "canceled")
            && body["list"]!.AsArray().Any(o => o!["status"]!.GetValue<string>() == "payment-approved"));
        Assert.Equal([c, b, a], Ids(all)); // newest first by default
        var first = all["list"]![2]!;
        Assert.Equal("payment-pending", first["status"]!.GetValue<string>());
        Assert.Equal("Marketplace", first["origin"]!.GetValue<string>());
        Assert.Equal(1000, first["totalValue"]!.GetValue<long>());
        Assert.Equal(2, first["totalItems"]!.GetValue<int>());
        Assert.Equal(prefix + "a", first["orderGroup"]!.GetValue<string>());

        var canceled = await List($"q={prefix}&f_status=canceled", Keys.Marketplace);
        Assert.Equal([c], Ids(canceled));
        var sellerStatus = await List($"q={prefix}&f_status=payment-pending,order-accepted", Keys.Marketplace);
        Assert.Equal([a], Ids(sellerStatus));

        var page1 = await List($"q={prefix}&orderBy=orderId,asc&per_page=2&page=1", Keys.Marketplace);
        var page2 = await List($"q={prefix}&orderBy=orderId,asc&per_page=2&page=2", Keys.Marketplace);
        Assert.Equal([a, b], Ids(page1));
        Assert.Equal([c], Ids(page2));
        Assert.Equal(2, page2["paging"]!["pages"]!.GetValue<int>());
        Assert.Equal(2, page2["paging"]!["currentPage"]!.GetValue<int>());
        Assert.Equal(3, Total(page2));

        var today = DateTimeOffset.UtcNow;
        var inRange = await List($"q={prefix}&f_creationDate=creationDate:[{today.AddHours(-1):yyyy-MM-ddTHH:mm:ss.fffZ} TO {today.AddHours(1):yyyy-MM-ddTHH:mm:ss.fffZ}]", Keys.Marketplace);
        var outOfRange = await List($"q={prefix}&f_creationDate=creationDate:[2020-01-01T00:00:00.000Z TO 2020-12-31T23:59:59.999Z]", Keys.Marketplace);
        Assert.Equal(3, Total(inRange));
        Assert.Equal(0, Total(outOfRange));
    }

    [Fact]
    public async Task ListOrders_ScopedToTheCaller_SellerSeesItsSellerOrders_OtherAccountNothing()
    {
        var prefix = UniquePrefix();
        var orderId = await PlaceGroup(prefix, "seller1", "seller2");

        var marketplace = await ListWhen($"q={prefix}", Keys.Marketplace, body => Total(body) == 2);
        var seller1 = await ListWhen($"q={prefix}", Keys.Seller1, body => Total(body) == 1);
        var ops = await ListWhen($"q={prefix}", Keys.Ops, body => Total(body) == 2);
        var other = await List($"q={prefix}", Keys.OtherMarketplace);

        Assert.Equal(2, Total(marketplace));
        var mine = seller1["list"]![0]!;
        Assert.Equal("SLR-" + orderId, mine["orderId"]!.GetValue<string>());
        Assert.Equal(orderId, mine["marketPlaceOrderId"]!.GetValue<string>());
        Assert.Equal("order-accepted", mine["status"]!.GetValue<string>());
        Assert.Equal("Fulfillment", mine["origin"]!.GetValue<string>());
        Assert.Equal("SLR", mine["affiliateId"]!.GetValue<string>());
        Assert.Equal(2, Total(ops));
        Assert.Equal(0, Total(other));
        Assert.Empty(other["list"]!.AsArray());
    }

    [Fact]
    public async Task ListOrders_HasInputInvoice_FindsOrdersWithAReturnInvoice()
    {
        var (_, sellerOrderId) = await api.InHandling();
        await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice("NF-1", 1000));
        var returned = await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, new { type = "Input", invoiceNumber = "RET-1", invoiceValue = "500" });
        Assert.Equal(HttpStatusCode.OK, returned.Status);

        var with = await ListWhen($"q={sellerOrderId}&f_hasInputInvoice=true", Keys.Seller1, body => Total(body) == 1);
        var without = await List($"q={sellerOrderId}&f_hasInputInvoice=false", Keys.Seller1);

        Assert.Equal("invoiced", with["list"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(0, Total(without));
    }

    [Theory]
    [InlineData("per_page=101", "per_page")]
    [InlineData("page=31", "page")]
    [InlineData("page=0", "page")]
    [InlineData("f_status=shipped", "f_status")]
    [InlineData("orderBy=clientName,asc", "orderBy")]
    [InlineData("f_creationDate=yesterday", "f_creationDate")]
    [InlineData("f_hasInputInvoice=maybe", "f_hasInputInvoice")]
    [InlineData("f_invoicedDate=invoicedDate:[2022-01-01T02:00:00.000Z TO 2022-01-02T01:59:59.999Z]", "f_invoicedDate")]
    [InlineData("q=a%2Bb", "q")]
    public async Task ListOrders_BadOrUnsupportedParameter_400NamesIt(string query, string parameter)
    {
        var (status, body, _) = await api.Send(HttpMethod.Get, "/api/oms/pvt/orders?" + query, Keys.Marketplace);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(body!["errors"]!.AsObject().ContainsKey(parameter), body.ToJsonString());
    }

    [Fact]
    public async Task OrderGroup_EachCallerSeesItsOrdersOfTheGroup_InTheGetOrderShape()
    {
        var group = UniquePrefix();
        var orderId = await PlaceGroup(group, "seller1", "seller2");
        await ListWhen($"q={group}", Keys.Marketplace, body => Total(body) == 2);

        var marketplace = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/order-group/{group}", Keys.Marketplace);
        var seller2 = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/order-group/{group}", Keys.Seller2);
        var other = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/order-group/{group}", Keys.OtherMarketplace);
        var malformed = await api.Send(HttpMethod.Get, "/api/oms/pvt/orders/order-group/no%20spaces", Keys.Marketplace);

        Assert.Equal(HttpStatusCode.OK, marketplace.Status);
        Assert.Equal([orderId, group + "-02"], marketplace.Body!.AsArray().Select(o => o!["orderId"]!.GetValue<string>()));
        Assert.All(marketplace.Body.AsArray(), o => Assert.Equal(group, o!["orderGroup"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, seller2.Status);
        Assert.Equal(["SLR-" + group + "-02"], seller2.Body!.AsArray().Select(o => o!["orderId"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, other.Status);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
    }
}
