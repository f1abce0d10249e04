using System.Net;
using System.Text.Json.Nodes;
using Json.Schema;
using Xunit.Abstractions;

namespace OrderGrains.Api.Tests;

/// <summary>
/// The order document: what a checkout sends at placement (VTEX's names), split per seller, kept as placed, returned by Get
/// order in VTEX's Get-order shape (checked against the schema in VTEX's own spec), with the personal-data matrix applied.
/// </summary>
[Collection(ApiCollection.Name)]
public class OrderDocumentTests(ApiFactory factory, ITestOutputHelper output)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    private static readonly JsonNode Spec = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vtex", "vtex-orders-api.json")))!;

    /// <summary>VTEX's own Get-order example: its customer, address and marketing data are sent as they are (unknown members and all).</summary>
    private static JsonNode VtexExample => Spec["paths"]!["/api/oms/pvt/orders/{orderId}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]!;

    private static readonly (string Key, string Token) OpsWithPersonalData = ("vtexappkey-ops-pii-demo", "DEMO-OPS-PII-TOKEN-00000000");

    /// <summary>
    /// A two-seller group: seller1 sells two lines (one discounted), seller2 one; shipping per item; one payment of the group's total.
    /// Group value: items 2×1000 + 1×500 + 3×200 = 3100, discounts −2×100 = −200, shipping 300+0+150 = 450, tax 2×10 = 20 → 3370.
    /// </summary>
    private static JsonObject GroupBody(string group)
    {
        var example = VtexExample;
        var shippingAddress = example["shippingData"]!["address"]!.DeepClone();
        // VTEX's example payment, card data and all (only the summary is kept), for the group's value.
        var payment = example["paymentData"]!["transactions"]![0]!["payments"]![0]!.DeepClone().AsObject();
        payment["value"] = 3370;
        payment["referenceValue"] = 3370;
        return new JsonObject
        {
            ["orderGroup"] = group,
            ["affiliateId"] = "MKP",
            ["salesChannel"] = "2",
            ["orderFormId"] = "caae7471333e403f959fa5fd66951340",
            ["items"] = new JsonArray(
                new JsonObject { ["id"] = "sku-a", ["seller"] = "seller1", ["productId"] = "p-a", ["name"] = "Shirt", ["quantity"] = 2, ["price"] = 1000, ["listPrice"] = 1200, ["sellingPrice"] = 900, ["measurementUnit"] = "un", ["tax"] = 10, ["ean"] = "7891234567895", ["refId"] = "SHIRT-1", ["imageUrl"] = "https://img.example/shirt.jpg", ["detailUrl"] = "/shirt/p" },
                new JsonObject { ["id"] = "sku-b", ["seller"] = "seller2", ["productId"] = "p-b", ["name"] = "Mug", ["quantity"] = 1, ["price"] = 500 },
                new JsonObject { ["id"] = "sku-c", ["seller"] = "seller1", ["productId"] = "p-c", ["name"] = "Socks", ["quantity"] = 3, ["price"] = 200 }),
            ["clientProfileData"] = example["clientProfileData"]!.DeepClone(),
            ["shippingData"] = new JsonObject
            {
                ["address"] = shippingAddress,
                ["logisticsInfo"] = new JsonArray(
                    new JsonObject { ["itemIndex"] = 0, ["selectedSla"] = "Normal", ["price"] = 300, ["listPrice"] = 300, ["sellingPrice"] = 300, ["deliveryCompany"] = "Correios", ["shippingEstimate"] = "4bd", ["shippingEstimateDate"] = "2026-12-05T10:00:00Z", ["selectedDeliveryChannel"] = "delivery", ["slas"] = new JsonArray() },
                    new JsonObject { ["itemIndex"] = 1, ["selectedSla"] = "Express", ["price"] = 150, ["listPrice"] = 150, ["sellingPrice"] = 150, ["deliveryCompany"] = "Loggi", ["shippingEstimate"] = "1bd" },
                    new JsonObject { ["itemIndex"] = 2, ["selectedSla"] = "Normal", ["price"] = 0, ["listPrice"] = 0, ["sellingPrice"] = 0, ["deliveryCompany"] = "Correios", ["shippingEstimate"] = "4bd" }),
            },
            ["paymentData"] = new JsonObject
            {
                ["giftCards"] = new JsonArray(),
                ["transactions"] = new JsonArray(new JsonObject
                {
                    ["transactionId"] = "E4CFCEA1A2BF42AE9A3FAE8ED460CBFE",
                    ["merchantName"] = "demo",
                    ["payments"] = new JsonArray(payment),
                }),
            },
            ["totals"] = new JsonArray(
                new JsonObject { ["id"] = "Items", ["name"] = "Items Total", ["value"] = 3100 },
                new JsonObject { ["id"] = "Discounts", ["name"] = "Discounts Total", ["value"] = -200 },
                new JsonObject { ["id"] = "Shipping", ["name"] = "Shipping Total", ["value"] = 450 },
                new JsonObject { ["id"] = "Tax", ["name"] = "Tax Total", ["value"] = 20 }),
            ["marketingData"] = new JsonObject { ["utmSource"] = "newsletter", ["utmCampaign"] = "black-friday", ["coupon"] = "BF10" },
            ["clientPreferencesData"] = new JsonObject { ["locale"] = "pt-BR", ["optinNewsLetter"] = true },
            ["storePreferencesData"] = example["storePreferencesData"]!.DeepClone(),
        };
    }

    private async Task<(string Seller1Order, string Seller2Order)> PlaceGroup(string group)
    {
        var (status, body, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, GroupBody(group));
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        return (body!["orders"]![0]!["orderId"]!.GetValue<string>(), body["orders"]![1]!["orderId"]!.GetValue<string>());
    }

    private async Task<JsonNode> Get(string orderId, (string, string) as_)
    {
        var (status, body, _) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", as_);
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        return body!;
    }

    [Fact]
    public async Task Placement_SplitsTheDocumentPerSeller_ItemsTotalsShippingAndPaymentShares()
    {
        var group = "doc" + Guid.NewGuid().ToString("N")[..10];
        var (first, second) = await PlaceGroup(group);
        var one = await Get(first, Keys.Marketplace);
        var two = await Get(second, Keys.Marketplace);

        Assert.Equal(["sku-a", "sku-c"], one["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(["sku-b"], two["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal("Shirt", one["items"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(900, one["items"]![0]!["sellingPrice"]!.GetValue<long>());
        // seller1: items 2×1000 + 3×200 = 2600, discounts −200, shipping 300 + 0, tax 20 → 2720; seller2: 500 + 150 → 650.
        Assert.Equal(new long[] { 2600, -200, 300, 20 }, one["totals"]!.AsArray().Select(t => t!["value"]!.GetValue<long>()));
        Assert.Equal(new long[] { 500, 0, 150, 0 }, two["totals"]!.AsArray().Select(t => t!["value"]!.GetValue<long>()));
        Assert.Equal((2720, 650), (one["value"]!.GetValue<long>(), two["value"]!.GetValue<long>()));
        // Shipping lines renumbered to each order's own item positions.
        Assert.Equal([0, 1], one["shippingData"]!["logisticsInfo"]!.AsArray().Select(l => l!["itemIndex"]!.GetValue<int>()));
        Assert.Equal("Loggi", two["shippingData"]!["logisticsInfo"]![0]!["deliveryCompany"]!.GetValue<string>());
        Assert.Equal(0, two["shippingData"]!["logisticsInfo"]![0]!["itemIndex"]!.GetValue<int>());
        // Each order's share of the one payment; the shares add up to it.
        var shares = new[] { one, two }.Select(o => o["paymentData"]!["transactions"]![0]!["payments"]![0]!["value"]!.GetValue<long>()).ToArray();
        Assert.Equal(3370, shares.Sum());
        Assert.Equal(3370, one["paymentData"]!["transactions"]![0]!["payments"]![0]!["referenceValue"]!.GetValue<long>());
        // Card data sent along is not kept.
        Assert.DoesNotContain("cvv2", one["paymentData"]!.ToJsonString());
        Assert.DoesNotContain("lastDigits", one["paymentData"]!.ToJsonString());
        Assert.Equal(("MKP", "2", "caae7471333e403f959fa5fd66951340"), (one["affiliateId"]!.GetValue<string>(), one["salesChannel"]!.GetValue<string>(), one["orderFormId"]!.GetValue<string>()));
        Assert.Equal(VtexExample["clientProfileData"]!["email"]!.GetValue<string>(), one["clientProfileData"]!["email"]!.GetValue<string>());
        Assert.Equal("BRL", one["storePreferencesData"]!["currencyCode"]!.GetValue<string>());
        Assert.Equal("seller1", one["sellers"]![0]!["id"]!.GetValue<string>());

        // The seller order carries the same document: its own items, totals and shipping.
        var sellerOrder = await Get(one["sellerOrderId"]!.GetValue<string>(), Keys.Seller1);
        Assert.Equal(2720, sellerOrder["value"]!.GetValue<long>());
        Assert.Equal(["sku-a", "sku-c"], sellerOrder["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(2, sellerOrder["shippingData"]!["logisticsInfo"]!.AsArray().Count);
    }

    [Fact]
    public async Task GetOrder_AnswersValidateAgainstVtexsGetOrderSchema_WithAtLeast45OfItsTopLevelFields()
    {
        var group = "doc" + Guid.NewGuid().ToString("N")[..10];
        var (first, _) = await PlaceGroup(group);
        var sellerOrderId = (await Get(first, Keys.Marketplace))["sellerOrderId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{first}/payment-notification", Keys.Marketplace, new { status = "approved" })).Status);
        await api.WaitForStatus(sellerOrderId, Keys.Seller1, "ready-for-handling");
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1)).Status);
        var invoice = new { type = "Output", invoiceNumber = "NF-1", invoiceValue = "2720", issuanceDate = "2026-11-29", courier = "Correios", trackingNumber = "TR1", items = new[] { new { id = "sku-a", quantity = 2, price = 900 } } };
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, invoice)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Put, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/NF-1/tracking", Keys.Seller1,
            new { isDelivered = true, deliveredDate = "2026-11-30 10:00", events = new[] { new { city = "Rio", state = "RJ", description = "Entregue", date = "2026-11-30" } } })).Status);
        var (plain, _) = await api.Place(); // an order placed with items only

        var schema = VtexGetOrderSchema();
        var topLevel = Spec["paths"]!["/api/oms/pvt/orders/{orderId}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject()
            .Select(p => p.Key).ToList();
        Assert.Equal(54, topLevel.Count);
        var answers = new List<(string What, JsonNode Body)>
        {
            ("marketplace order, invoiced and delivered, as its marketplace", await Get(first, Keys.Marketplace)),
            ("seller order as its seller", await Get(sellerOrderId, Keys.Seller1)),
            ("marketplace order as ops (masked)", await Get(first, Keys.Ops)),
            ("marketplace order as ops with PersonalData", await Get(first, OpsWithPersonalData)),
            ("seller order as ops", await Get(sellerOrderId, Keys.Ops)),
            ("an order placed with items only", await Get(plain, Keys.Marketplace)),
        };
        foreach (var (what, body) in answers)
        {
            var result = schema.Evaluate(System.Text.Json.JsonDocument.Parse(body.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(10).ToList();
            Assert.True(result.IsValid, $"{what} does not match VTEX's Get-order schema: {string.Join("; ", errors)}");
            var present = topLevel.Where(k => body.AsObject().ContainsKey(k)).ToList();
            var missing = topLevel.Except(present).ToList();
            output.WriteLine($"{what}: {present.Count} of {topLevel.Count} of VTEX's top-level fields; missing: {(missing.Count == 0 ? "none" : string.Join(", ", missing))}");
            Assert.True(present.Count >= 45, $"{what}: only {present.Count} of VTEX's 54 fields; missing {string.Join(", ", missing)}");
        }
        var full = answers[0].Body;
        Assert.Equal("delivered", full["packageAttachment"]!["packages"]![0]!["courierStatus"]!["status"]!.GetValue<string>());
        Assert.Equal(0, full["packageAttachment"]!["packages"]![0]!["items"]![0]!["itemIndex"]!.GetValue<int>());
        Assert.Equal("TR1", full["shippingData"]!["trackingHints"]![0]!["trackingId"]!.GetValue<string>());
        Assert.NotNull(full["authorizedDate"]?.GetValue<DateTimeOffset>());
        Assert.NotNull(full["invoicedDate"]?.GetValue<DateTimeOffset>());
        Assert.Equal(System.Text.Json.JsonValueKind.String, full["sequence"]!.GetValueKind());
    }

    [Fact]
    public async Task PersonalData_MarketplaceSeesAll_SellerWhatItShips_OpsMaskedUnlessGranted_OthersNothing()
    {
        var group = "doc" + Guid.NewGuid().ToString("N")[..10];
        var (first, _) = await PlaceGroup(group);
        var client = VtexExample["clientProfileData"]!;
        var address = VtexExample["shippingData"]!["address"]!;

        var marketplace = await Get(first, Keys.Marketplace);
        Assert.Equal(client["email"]!.GetValue<string>(), marketplace["clientProfileData"]!["email"]!.GetValue<string>());
        Assert.Equal(client["userProfileId"]!.GetValue<string>(), marketplace["clientProfileData"]!["userProfileId"]!.GetValue<string>());
        Assert.Equal("BF10", marketplace["marketingData"]!["coupon"]!.GetValue<string>());

        var sellerOrderId = marketplace["sellerOrderId"]!.GetValue<string>();
        var seller = await Get(sellerOrderId, Keys.Seller1);
        var sellerClient = seller["clientProfileData"]!;
        Assert.Equal((client["firstName"]!.GetValue<string>(), client["document"]!.GetValue<string>(), client["phone"]!.GetValue<string>()),
            (sellerClient["firstName"]!.GetValue<string>(), sellerClient["document"]!.GetValue<string>(), sellerClient["phone"]!.GetValue<string>()));
        Assert.NotEqual(client["email"]!.GetValue<string>(), sellerClient["email"]!.GetValue<string>());
        Assert.Contains("***", sellerClient["email"]!.GetValue<string>());
        Assert.Null(sellerClient["userProfileId"]);
        Assert.Equal(address["street"]!.GetValue<string>(), seller["shippingData"]!["address"]!["street"]!.GetValue<string>());
        Assert.Null(seller["marketingData"]);
        Assert.DoesNotContain("\"tid\"", seller["paymentData"]!.ToJsonString());

        foreach (var opsOrder in new[] { first, sellerOrderId })
        {
            var ops = await Get(opsOrder, Keys.Ops);
            var masked = ops["clientProfileData"]!;
            Assert.Equal(client["firstName"]!.GetValue<string>()[0] + "***", masked["firstName"]!.GetValue<string>());
            Assert.DoesNotContain(client["document"]!.GetValue<string>(), ops.ToJsonString());
            Assert.DoesNotContain(client["phone"]!.GetValue<string>(), ops.ToJsonString());
            Assert.DoesNotContain(client["email"]!.GetValue<string>(), ops.ToJsonString());
            Assert.DoesNotContain(address["street"]!.GetValue<string>(), ops.ToJsonString());
            Assert.Equal(address["city"]!.GetValue<string>(), ops["shippingData"]!["address"]!["city"]!.GetValue<string>());
            Assert.Null(ops["shippingData"]!["address"]!["geoCoordinates"]);

            var granted = await Get(opsOrder, OpsWithPersonalData);
            Assert.Equal(client["document"]!.GetValue<string>(), granted["clientProfileData"]!["document"]!.GetValue<string>());
            Assert.Equal(address["street"]!.GetValue<string>(), granted["shippingData"]!["address"]!["street"]!.GetValue<string>());
        }

        // Another marketplace and another seller see nothing of it: not found, the same as an order that does not exist.
        foreach (var (id, key) in new[] { (first, Keys.OtherMarketplace), (sellerOrderId, Keys.OtherMarketplace), (sellerOrderId, Keys.Seller2), (first, Keys.Seller2) })
        {
            var (status, body, _) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{id}", key);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.DoesNotContain(client["email"]!.GetValue<string>(), body?.ToJsonString() ?? "");
        }
    }

    [Theory]
    [InlineData("totals", "totals[0].value")]
    [InlineData("payments", "paymentData.transactions[0].payments")]
    [InlineData("itemIndex", "shippingData.logisticsInfo[0].itemIndex")]
    [InlineData("sellingPrice", "items[0].sellingPrice")]
    [InlineData("email", "clientProfileData.email")]
    [InlineData("currency", "storePreferencesData.currencyCode")]
    public async Task Placement_RefusesADocumentThatDoesNotAddUp_NamingTheField(string broken, string field)
    {
        var body = GroupBody("doc" + Guid.NewGuid().ToString("N")[..10]);
        switch (broken)
        {
            case "totals": body["totals"]![0]!["value"] = 3000; break;
            case "payments": body["paymentData"]!["transactions"]![0]!["payments"]![0]!["value"] = 100; break;
            case "itemIndex": body["shippingData"]!["logisticsInfo"]![0]!["itemIndex"] = 7; break;
            case "sellingPrice": body["items"]![0]!["sellingPrice"] = 5000; break;
            case "email": body["clientProfileData"]!["email"] = "not-an-address"; break;
            case "currency": body["storePreferencesData"]!["currencyCode"] = "real"; break;
        }
        var (status, problem, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem!["errors"]![field] is not null, problem.ToJsonString());
    }

    [Fact]
    public async Task Document_IsImmutable_TheSameGroupWithAnotherCustomerIsAConflict_TheSameAgainAReplay()
    {
        var group = "doc" + Guid.NewGuid().ToString("N")[..10];
        var (first, _) = await PlaceGroup(group);
        var again = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, GroupBody(group));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("replayed", again.Body!["outcome"]!.GetValue<string>());

        var other = GroupBody(group);
        other["clientProfileData"]!["email"] = "someone.else@example.com";
        var (status, _, _) = await api.Send(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, other);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(VtexExample["clientProfileData"]!["email"]!.GetValue<string>(), (await Get(first, Keys.Marketplace))["clientProfileData"]!["email"]!.GetValue<string>());
    }

    /// <summary>VTEX's Get-order schema (OpenAPI 3.0) as JSON Schema 2020-12: <c>nullable</c> as a null type, its components as $defs.</summary>
    private static JsonSchema VtexGetOrderSchema()
    {
        var schema = Spec["paths"]!["/api/oms/pvt/orders/{orderId}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!.DeepClone();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = Convert(Spec["components"]!["schemas"]!.DeepClone()),
            ["allOf"] = new JsonArray(Convert(schema)),
        };
        var text = root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://vtex.test/{Guid.NewGuid():N}"));

        static JsonNode Convert(JsonNode node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).ToList())
                    {
                        if (o[key] is JsonNode child && key is not ("example" or "examples" or "enum" or "required")) o[key] = Convert(child.DeepClone());
                    }
                    o.Remove("example");
                    if (o["nullable"]?.GetValue<bool>() == true && o["type"] is JsonValue type)
                    {
                        o["type"] = new JsonArray(type.GetValue<string>(), "null");
                    }
                    o.Remove("nullable");
                    return o;
                case JsonArray a:
                    return new JsonArray([.. a.Select(x => x is null ? null : Convert(x.DeepClone()))]);
                default:
                    return node;
            }
        }
    }
}
