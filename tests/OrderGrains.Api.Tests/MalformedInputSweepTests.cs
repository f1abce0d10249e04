using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace OrderGrains.Api.Tests;

/// <summary>
/// Generated bad requests — broken JSON, wrong types, missing and extra fields, huge values, unknown and
/// malformed ids, bad headers — against every mutating endpoint. Zero 5xx; every error is problem+json.
/// </summary>
[Collection(ApiCollection.Name)]
public class MalformedInputSweepTests(ApiFactory factory, ITestOutputHelper output)
{
    private readonly Api api = new(factory.CreateCheckedClient());
    private readonly Random random = new(20261128);

    private sealed record Target(string Name, HttpMethod Method, string Path, (string, string) Key, JsonObject Valid);

    private static JsonObject Json(object value) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(value, System.Text.Json.JsonSerializerOptions.Web))!.AsObject();

    private static readonly JsonNode?[] WrongValues =
    [
        null, 0, -1, 1.5, long.MaxValue, "text", "", true, new JsonArray(), new JsonObject(), new JsonArray(1, 2, 3),
        JsonValue.Create(new string('z', 5000)), JsonValue.Create("2026-13-45"), JsonValue.Create("\u0000\u0001"),
    ];

    private string Mutate(JsonObject valid)
    {
        var body = valid.DeepClone().AsObject();
        var fields = body.Select(p => p.Key).ToList();
        switch (random.Next(9))
        {
            case 0: // broken JSON: a truncated valid body
                var text = body.ToJsonString();
                return text[..random.Next(0, Math.Max(1, text.Length - 1))];
            case 1: // random garbage
                return new string(Enumerable.Range(0, random.Next(1, 60)).Select(_ => (char)random.Next(1, 127)).ToArray());
            case 2: // wrong type for a field
                if (fields.Count > 0) body[fields[random.Next(fields.Count)]] = WrongValues[random.Next(WrongValues.Length)]?.DeepClone();
                return body.ToJsonString();
            case 3: // missing field
                if (fields.Count > 0) body.Remove(fields[random.Next(fields.Count)]);
                return body.ToJsonString();
            case 4: // extra field
                body["unexpected" + random.Next(100)] = WrongValues[random.Next(WrongValues.Length)]?.DeepClone();
                return body.ToJsonString();
            case 5: // huge numbers
                return body.ToJsonString().Replace(":2,", ":1e400,").Replace(":500", ":99999999999999999999999999").Replace(":1000", ":-5");
            case 6: // not an object
                return new[] { "null", "[]", "\"order\"", "42", "true", "[{}]", "{}" }[random.Next(7)];
            case 7: // deep nesting
                var depth = random.Next(20, 200);
                return new string('[', depth) + new string(']', depth);
            default: // items with wrong shapes
                body["items"] = random.Next(3) switch
                {
                    0 => new JsonArray(JsonValue.Create("sku")),
                    1 => new JsonArray(new JsonObject { ["quantity"] = -3, ["price"] = "free" }),
                    _ => new JsonArray(Enumerable.Range(0, 150).Select(_ => (JsonNode?)new JsonObject { ["sellerId"] = "seller1", ["skuId"] = "a", ["quantity"] = 1, ["price"] = 1 }).ToArray()),
                };
                return body.ToJsonString();
        }
    }

    private HttpRequestMessage BadHeaders(Target target, string body)
    {
        var request = Api.Request(target.Method, target.Path, target.Key);
        request.Content = new StringContent(body, Encoding.UTF8);
        switch (random.Next(6))
        {
            case 0: request.Content.Headers.ContentType = new("text/plain"); break;
            case 1: request.Content.Headers.ContentType = null; break;
            case 2: request.Content.Headers.ContentType = new("application/json"); request.Headers.TryAddWithoutValidation("If-Match", "\"not-a-number\""); break;
            case 3: request.Content.Headers.ContentType = new("application/json"); request.Headers.TryAddWithoutValidation("Idempotency-Key", "bad key with spaces"); break;
            case 4:
                request.Headers.Remove("X-VTEX-API-AppToken");
                request.Headers.TryAddWithoutValidation("X-VTEX-API-AppToken", "wrong");
                request.Content.Headers.ContentType = new("application/json");
                break;
            default:
                request.Headers.Remove("X-VTEX-API-AppKey");
                request.Headers.Remove("X-VTEX-API-AppToken");
                request.Headers.TryAddWithoutValidation("Authorization", "Basic !!!not-base64");
                request.Content.Headers.ContentType = new("application/json");
                break;
        }
        return request;
    }

    [Fact]
    public async Task Sweep_1200GeneratedBadRequests_No5xxAndEveryErrorIsProblemJson()
    {
        var (orderId, sellerOrderId) = await api.InHandling();
        var targets = new[]
        {
            new Target("place", HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Json(new { orderGroup = "vsweep", affiliateId = "SLR", items = new[] { new { sellerId = "seller1", skuId = "a", quantity = 2, price = 500 } } })),
            new Target("payment", HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, Json(new { status = "approved" })),
            new Target("cancel", HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, Json(new { reason = "r", requestedByUser = "u" })),
            new Target("deny", HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1, Json(new { cancellationRequestId = "x", denyReason = "y" })),
            new Target("accept", HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/accept-cancellation-request", Keys.Seller1, Json(new { cancellationRequestId = "x" })),
            new Target("withdraw", HttpMethod.Post, $"/api/orders/pvt/document/{orderId}/withdraw-cancellation-request", Keys.Marketplace, Json(new { cancellationRequestId = "x" })),
            new Target("invoice", HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Json(Api.Invoice("INV-S", 1000))),
            new Target("tracking", HttpMethod.Put, $"/api/oms/pvt/orders/{sellerOrderId}/invoice/INV-S/tracking", Keys.Seller1, Json(new { isDelivered = true, deliveredDate = "2026-11-29T00:00:00Z", events = Array.Empty<object>() })),
        };
        string[] badIds = ["v000unknown-01", "SLR-nope", "a%20b", "%7F", "x".PadRight(300, 'x'), "%E2%9C%93", "..", "a;b", "{id}", "-"];

        var counts = new SortedDictionary<int, int>();
        var total = 0;
        for (var i = 0; i < 1200; i++)
        {
            var target = targets[i % targets.Length];
            HttpRequestMessage request;
            switch (random.Next(10))
            {
                case 0: // unknown or malformed order id with a valid body
                    var path = target.Path.Replace(orderId, badIds[random.Next(badIds.Length)]).Replace(sellerOrderId, badIds[random.Next(badIds.Length)]);
                    request = Api.Request(target.Method, path, target.Key, target.Valid.ToJsonString());
                    break;
                case 1:
                    request = BadHeaders(target, target.Valid.ToJsonString());
                    break;
                default:
                    request = Api.Request(target.Method, target.Path, target.Key, Mutate(target.Valid));
                    break;
            }
            var response = await api.Http.SendAsync(request);
            var code = (int)response.StatusCode;
            counts[code] = counts.GetValueOrDefault(code) + 1;
            total++;
            Assert.True(code < 500, $"{target.Name} #{i} answered {code}: {await response.Content.ReadAsStringAsync()}");
            if (code >= 400)
            {
                Assert.True(Api.IsProblem(response), $"{target.Name} #{i} answered {code} with {response.Content.Headers.ContentType}");
                var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.NotNull(problem["code"]);
                Assert.DoesNotContain("   at ", problem.ToJsonString());
            }
        }

        var summary = $"sweep: {total} requests; status codes: {string.Join(", ", counts.Select(c => $"{c.Key}×{c.Value}"))}";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.Equal(1200, total);
        Assert.True(counts.Where(c => c.Key >= 400).Sum(c => c.Value) >= 1000, summary);
    }
}
