using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;
using OrderGrains.Contracts;

namespace OrderGrains.Cluster.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<Postgres>
{
    public const string Name = "postgres";
}

/// <summary>N silo processes and M gateway processes of one cluster on the shared PostgreSQL, plus an Orleans client for checks.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string MarketplaceKey = "mk-test", MarketplaceToken = "marketplace-test-token-0001";
    public const string SellerKey = "sk-test", SellerToken = "seller1-test-token-000000001";
    public const string OpsKey = "ops-admin-test", OpsToken = "ops-admin-test-token-000001";

    private readonly Postgres postgres;
    private readonly string clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
    private IHost? client;

    public List<HostProcess> Silos { get; } = [];
    public List<HostProcess> Gateways { get; } = [];

    public TestCluster(Postgres postgres, int silos, int gateways, IDictionary<string, string>? workflow = null)
    {
        this.postgres = postgres;
        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__OrderGrains"] = postgres.ConnectionString!,
            ["Silo__ClusterId"] = clusterId,
            ["Auth__Keys__0__AppKey"] = MarketplaceKey,
            ["Auth__Keys__0__AppToken"] = MarketplaceToken,
            ["Auth__Keys__0__Role"] = "marketplace",
            ["Auth__Keys__0__Account"] = "acme",
            ["Auth__Keys__1__AppKey"] = SellerKey,
            ["Auth__Keys__1__AppToken"] = SellerToken,
            ["Auth__Keys__1__Role"] = "seller",
            ["Auth__Keys__1__SellerId"] = "seller1",
            ["Auth__Keys__2__AppKey"] = OpsKey,
            ["Auth__Keys__2__AppToken"] = OpsToken,
            ["Auth__Keys__2__Role"] = "ops",
            ["Auth__Keys__2__Admin"] = "true",
        };
        foreach (var (k, v) in workflow ?? new Dictionary<string, string>()) common[k] = v;
        for (var i = 0; i < silos; i++)
        {
            Silos.Add(new HostProcess("OrderGrains.Silo", Repo.FreePort(), new Dictionary<string, string>(common)
            {
                ["Silo__SiloPort"] = Repo.FreePort().ToString(),
                ["Silo__GatewayPort"] = Repo.FreePort().ToString(),
            }));
        }
        for (var i = 0; i < gateways; i++)
        {
            Gateways.Add(new HostProcess("OrderGrains.Gateway", Repo.FreePort(), common));
        }
    }

    /// <summary>A client of one host as the ops-admin key, with HTTP Basic (what a browser on the console sends).</summary>
    public static HttpClient Ops(HostProcess host)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{OpsKey}:{OpsToken}")));
        return client;
    }

    public async Task Start()
    {
        foreach (var silo in Silos)
        {
            silo.Start();
            await silo.WaitReady(TimeSpan.FromSeconds(90));
        }
        foreach (var gateway in Gateways)
        {
            gateway.Start();
        }
        foreach (var gateway in Gateways)
        {
            await gateway.WaitReady(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>An Orleans client of the cluster, for checks and for injecting stream faults.</summary>
    public async Task<IGrainFactory> Grains()
    {
        if (client is null)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(c =>
            {
                c.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, "ordergrains"));
                c.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", postgres.ConnectionString));
                c.Services.AddSerializer(s => s.AddOrderGrainsSerialization());
            });
            client = builder.Build();
            await client.StartAsync();
        }
        return client.Services.GetRequiredService<IGrainFactory>();
    }

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            try { await client.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { /* the cluster may be gone */ }
            client.Dispose();
        }
        foreach (var host in Gateways.Concat(Silos)) await host.DisposeAsync();
    }
}

/// <summary>
/// An API client that behaves like a careful integration: every mutation carries an Idempotency-Key and is
/// retried with the same key on 503, timeouts and lost connections; given several gateways, it moves to the next one
/// when a connection fails. Counts what it saw.
/// </summary>
public sealed class RetryingApi(params Uri[] gateways)
{
    private readonly HttpClient[] http = [.. gateways.Select(g => new HttpClient { BaseAddress = g, Timeout = TimeSpan.FromSeconds(15) })];
    private int current;
    public int Retries;
    public int Status500;
    public int Status503;
    public int Status503WithoutRetryAfter;
    /// <summary>Attempts that got no answer within 15 s (the client's timeout).</summary>
    public int TimedOut;
    private long slowestTicks;

    /// <summary>The longest one attempt took (answered or not).</summary>
    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref slowestTicks));

    public async Task<(int Status, JsonNode? Body)> Send(HttpMethod method, string path, bool asSeller, object? body = null, string? key = null, TimeSpan? patience = null)
    {
        key ??= method == HttpMethod.Get ? null : Guid.NewGuid().ToString("N");
        // A careful client keeps trying for minutes: a key whose first attempt died with its gateway answers 409
        // IDEMPOTENCY_KEY_IN_PROGRESS for up to a minute (its lease) before a retry runs again.
        var until = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(180));
        while (true)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-VTEX-API-AppKey", asSeller ? TestCluster.SellerKey : TestCluster.MarketplaceKey);
            request.Headers.Add("X-VTEX-API-AppToken", asSeller ? TestCluster.SellerToken : TestCluster.MarketplaceToken);
            if (key is not null) request.Headers.Add("Idempotency-Key", key);
            if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
            var gateway = Volatile.Read(ref current);
            var started = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using var response = await http[gateway % http.Length].SendAsync(request);
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                Slower(started.Elapsed);
                if (status == 500) Interlocked.Increment(ref Status500);
                if (status == 503)
                {
                    Interlocked.Increment(ref Status503);
                    if (response.Headers.RetryAfter is null) Interlocked.Increment(ref Status503WithoutRetryAfter);
                }
                // 503: the cluster is recovering; 409 IDEMPOTENCY_KEY_IN_PROGRESS: our earlier attempt is still running.
                var retry = status >= 500 || (status == 409 && text.Contains("IDEMPOTENCY_KEY_IN_PROGRESS"));
                if (!retry || DateTime.UtcNow > until)
                {
                    return (status, text.Length == 0 ? null : JsonNode.Parse(text));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Slower(started.Elapsed);
                if (ex is TaskCanceledException) Interlocked.Increment(ref TimedOut);
                // This gateway is gone (or stuck): the next one.
                Interlocked.CompareExchange(ref current, gateway + 1, gateway);
                if (DateTime.UtcNow > until) throw;
            }
            Interlocked.Increment(ref Retries);
            await Task.Delay(300);
        }
    }

    private void Slower(TimeSpan took)
    {
        long seen;
        while (took.Ticks > (seen = Interlocked.Read(ref slowestTicks)) && Interlocked.CompareExchange(ref slowestTicks, took.Ticks, seen) != seen) { }
    }

    public async Task<JsonNode> Get(string orderId, bool asSeller)
    {
        var (status, body) = await Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", asSeller);
        if (status != 200) throw new InvalidOperationException($"GET {orderId}: {status} {body}");
        return body!;
    }

    public async Task<string> WaitForSellerStatus(string sellerOrderId, string status, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = (await Get(sellerOrderId, asSeller: true))["status"]!.GetValue<string>();
            if (current == status || DateTime.UtcNow > until) return current;
            await Task.Delay(150);
        }
    }
}
