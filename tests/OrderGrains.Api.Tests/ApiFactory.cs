using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrderGrains.Api.Tests;

/// <summary>
/// The real host (silo + gateway, Development profile with its demo keys) in process, on free ports,
/// with a zero cancellation window so orders reach ready-for-handling at once.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    protected virtual int RateLimitsPerMinute => 60_000_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Silo:SiloPort", FreePort().ToString());
        builder.UseSetting("Silo:GatewayPort", FreePort().ToString());
        builder.UseSetting("Silo:ClusterId", "api-tests-" + Guid.NewGuid().ToString("N")[..8]);
        builder.UseSetting("Workflow:CancellationWindow", "00:00:00");
        // The tests send one key's requests far faster than its shipped rate; RateLimitTests checks the limits themselves.
        builder.UseSetting("RateLimits:ReadsPerMinute", RateLimitsPerMinute.ToString());
        builder.UseSetting("RateLimits:WritesPerMinute", RateLimitsPerMinute.ToString());
        // Hook retries in tenths of a second (VTEX-like seconds to minutes by default), a receiver given 1 s instead of 5.
        builder.UseSetting("Hooks:RetryBase", "00:00:00.100");
        builder.UseSetting("Hooks:RetryMax", "00:00:00.500");
        builder.UseSetting("Hooks:Poll", "00:00:00.200");
        builder.UseSetting("Hooks:Timeout", "00:00:01");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A variant's own settings, applied after the ones above (a fixture per variant: xUnit needs a class each).</summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings => [];

    private OpenApiContract? contract;

    /// <summary>The served OpenAPI document, as a checker of answers.</summary>
    public OpenApiContract Contract => contract ??= new OpenApiContract(OrderGrains.Api.OpenApi.OpenApiDocument.Content);

    /// <summary>A client whose every answer must match the served OpenAPI document (redirects are not followed).</summary>
    public HttpClient CreateCheckedClient() => CreateDefaultClient(new ContractCheckingHandler(Contract));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}

/// <summary>The demo keys of silo-config/appsettings.Development.json.</summary>
public static class Keys
{
    public static readonly (string Key, string Token) Marketplace = ("vtexappkey-marketplace-demo", "DEMO-MARKETPLACE-TOKEN-0000");
    public static readonly (string Key, string Token) OtherMarketplace = ("vtexappkey-othermarket-demo", "DEMO-OTHERMARKET-TOKEN-0000");
    public static readonly (string Key, string Token) Seller1 = ("vtexappkey-seller1-demo", "DEMO-SELLER1-TOKEN-00000000");
    public static readonly (string Key, string Token) Seller2 = ("vtexappkey-seller2-demo", "DEMO-SELLER2-TOKEN-00000000");
    public static readonly (string Key, string Token) Ops = ("vtexappkey-ops-demo", "DEMO-OPS-TOKEN-0000000000000");
}

/// <summary>A small VTEX-style client over the factory's HttpClient.</summary>
public sealed class Api(HttpClient http)
{
    public HttpClient Http => http;

    public static HttpRequestMessage Request(HttpMethod method, string path, (string Key, string Token)? as_, object? body = null, string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (as_ is { } k)
        {
            request.Headers.Add("X-VTEX-API-AppKey", k.Key);
            request.Headers.Add("X-VTEX-API-AppToken", k.Token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        }
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Send(HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Send(HttpMethod method, string path, (string, string)? as_, object? body = null, string? idempotencyKey = null, string? ifMatch = null) =>
        Send(Request(method, path, as_, body, idempotencyKey, ifMatch));

    public static object OneItemOrder(string seller = "seller1", long price = 500, int quantity = 2) =>
        new { items = new[] { new { sellerId = seller, skuId = "sku1", quantity, price } } };

    /// <summary>Places an order group for the demo marketplace and returns (orderId, sellerOrderId).</summary>
    public async Task<(string OrderId, string SellerOrderId)> Place(string seller = "seller1", (string, string)? marketplace = null)
    {
        var (status, body, _) = await Send(HttpMethod.Post, "/api/oms/pvt/orders", marketplace ?? Keys.Marketplace, OneItemOrder(seller));
        Assert.Equal(HttpStatusCode.Created, status);
        var order = body!["orders"]![0]!;
        return (order["orderId"]!.GetValue<string>(), order["sellerOrderId"]!.GetValue<string>());
    }

    public async Task<string> Status(string orderId, (string, string) as_)
    {
        var (status, body, _) = await Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", as_);
        Assert.Equal(HttpStatusCode.OK, status);
        return body!["status"]!.GetValue<string>();
    }

    public async Task WaitForStatus(string orderId, (string, string) as_, string expected)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        string current;
        while ((current = await Status(orderId, as_)) != expected)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{orderId} is {current}, expected {expected}");
            await Task.Delay(25);
        }
    }

    /// <summary>Placed, paid, handling; both ids.</summary>
    public async Task<(string OrderId, string SellerOrderId)> InHandling(string seller = "seller1")
    {
        var ids = await Place(seller);
        var sellerKey = seller == "seller1" ? Keys.Seller1 : Keys.Seller2;
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, $"/api/oms/pvt/orders/{ids.OrderId}/payment-notification", Keys.Marketplace, new { status = "approved" })).Status);
        await WaitForStatus(ids.SellerOrderId, sellerKey, "ready-for-handling");
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Post, $"/api/oms/pvt/orders/{ids.SellerOrderId}/start-handling", sellerKey)).Status);
        return ids;
    }

    public static object Invoice(string number = "INV-1", long value = 1000) => new
    {
        type = "Output",
        issuanceDate = "2026-11-28T10:00:00Z",
        invoiceNumber = number,
        invoiceValue = value,
        items = new[] { new { id = "sku1", quantity = 2, price = 500 } },
        courier = "Correios",
        trackingNumber = "TRK1",
        trackingUrl = "https://tracking.example/TRK1",
    };

    public static bool IsProblem(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json";
}
