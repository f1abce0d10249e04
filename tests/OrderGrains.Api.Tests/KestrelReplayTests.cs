using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OrderGrains.Api.Tests;

/// <summary>The same host as <see cref="ApiFactory"/>, on a real Kestrel socket bound to 127.0.0.1.</summary>
public class KestrelApiFactory : ApiFactory
{
    public KestrelApiFactory() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("urls", "http://127.0.0.1:0");
    }

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address);
        }
    }
}

/// <summary>
/// Idempotent replays over a real keep-alive connection: every replay is the first answer byte for byte (status, body,
/// content type, ETag, Location), and the connection stays usable after it — including after a replayed 204.
/// </summary>
public sealed class KestrelReplayTests(KestrelApiFactory factory) : IClassFixture<KestrelApiFactory>
{
    private sealed record Answer(HttpStatusCode Status, byte[] Body, string? ContentType, string? ETag, string? Location, bool Replayed);

    [Fact]
    public async Task Replays_OfEveryKind_AreTheFirstAnswer_AndKeepTheConnectionOpen()
    {
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        // Every answer must also match the served OpenAPI document.
        using var http = new HttpClient(new ContractCheckingHandler(factory.Contract) { InnerHandler = handler }) { BaseAddress = factory.BaseAddress };

        // 201 with a body and a Location.
        var placeKey = Key();
        var placed = await Pair(http, HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder(), placeKey);
        Assert.Equal(HttpStatusCode.Created, placed.First.Status);
        var order = JsonDocument.Parse(placed.First.Body).RootElement.GetProperty("orders")[0];
        var (orderId, sellerOrderId) = (order.GetProperty("orderId").GetString()!, order.GetProperty("sellerOrderId").GetString()!);

        // 200 with a body.
        var paid = await Pair(http, HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" }, Key());
        Assert.Equal(HttpStatusCode.OK, paid.First.Status);
        await WaitForStatus(http, sellerOrderId, "ready-for-handling");

        // 204 without a body: the replay that used to throw inside Kestrel and drop the connection.
        var started = await Pair(http, HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1, null, Key());
        Assert.Equal(HttpStatusCode.NoContent, started.First.Status);
        Assert.Empty(started.Replay.Body);

        // A rejection (409 problem) is stored and replayed too.
        var again = await Pair(http, HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1, null, Key());
        Assert.Equal(HttpStatusCode.Conflict, again.First.Status);

        // Several replayed 204s in a row, each followed by another request on the same connection.
        for (var i = 0; i < 20; i++)
        {
            var replay = await Send(http, HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1, null, started.Key);
            Assert.Equal(HttpStatusCode.NoContent, replay.Status);
            Assert.True(replay.Replayed);
            var read = await Send(http, HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1, null, null);
            Assert.Equal(HttpStatusCode.OK, read.Status);
        }

        foreach (var (first, replay, _) in new[] { placed, paid, started, again })
        {
            Assert.False(first.Replayed);
            Assert.True(replay.Replayed);
            Assert.Equal(first.Status, replay.Status);
            Assert.Equal(first.Body, replay.Body);
            Assert.Equal(first.ContentType, replay.ContentType);
            Assert.Equal(first.ETag, replay.ETag);
            Assert.Equal(first.Location, replay.Location);
        }
        Assert.Equal(1, connections);
    }

    private static string Key() => Guid.NewGuid().ToString("N");

    private static async Task<(Answer First, Answer Replay, string Key)> Pair(HttpClient http, HttpMethod method, string path, (string, string) as_, object? body, string key)
    {
        var first = await Send(http, method, path, as_, body, key);
        var replay = await Send(http, method, path, as_, body, key);
        return (first, replay, key);
    }

    private static async Task<Answer> Send(HttpClient http, HttpMethod method, string path, (string, string) as_, object? body, string? key)
    {
        using var request = Api.Request(method, path, as_, body, key);
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new Answer(response.StatusCode, bytes, response.Content.Headers.ContentType?.ToString(),
            response.Headers.ETag?.ToString(), response.Headers.Location?.ToString(),
            response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true");
    }

    private static async Task WaitForStatus(HttpClient http, string orderId, string expected)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var answer = await Send(http, HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", Keys.Seller1, null, null);
            var status = JsonDocument.Parse(answer.Body).RootElement.GetProperty("status").GetString();
            if (status == expected) return;
            if (DateTime.UtcNow > until) throw new TimeoutException($"{orderId} is {status}, expected {expected}");
            await Task.Delay(25);
        }
    }
}
