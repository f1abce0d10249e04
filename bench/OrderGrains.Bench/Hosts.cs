using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderGrains.Api;
using OrderGrains.Silo;

namespace OrderGrains.Bench;

/// <summary>Starts what the backends need: an in-process silo (memory or PostgreSQL), the whole HTTP host, a no-op endpoint.</summary>
public static class Hosts
{
    public const string MarketplaceKey = "bench-marketplace", MarketplaceToken = "bench-marketplace-token-01";
    public const string SellerKey = "bench-seller", SellerToken = "bench-seller1-token-000001";
    public const string OpsKey = "bench-ops", OpsToken = "bench-ops-token-0000000001";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Dictionary<string, string?> Settings(string? postgres) => new()
    {
        ["Silo:Provider"] = postgres is null ? "InMemory" : "Postgres",
        ["Silo:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
        ["Silo:SiloPort"] = FreePort().ToString(),
        ["Silo:GatewayPort"] = FreePort().ToString(),
        ["ConnectionStrings:OrderGrains"] = postgres,
        ["Workflow:CancellationWindow"] = "00:00:00",
        ["Auth:Keys:0:AppKey"] = MarketplaceKey,
        ["Auth:Keys:0:AppToken"] = MarketplaceToken,
        ["Auth:Keys:0:Role"] = "marketplace",
        ["Auth:Keys:0:Account"] = "bench",
        ["Auth:Keys:1:AppKey"] = SellerKey,
        ["Auth:Keys:1:AppToken"] = SellerToken,
        ["Auth:Keys:1:Role"] = "seller",
        ["Auth:Keys:1:SellerId"] = "seller1",
        ["Auth:Keys:2:AppKey"] = OpsKey,
        ["Auth:Keys:2:AppToken"] = OpsToken,
        ["Auth:Keys:2:Role"] = "ops",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Error",
    };

    /// <summary>A silo configured exactly like the service (SiloHosting), without the web part.</summary>
    public static async Task<GrainsBackend> Grains(string name, string? postgres, TimeSpan? collectionAge = null, Dictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Settings(postgres));
        if (extra is not null)
        {
            builder.Configuration.AddInMemoryCollection(extra);
        }
        if (collectionAge is { } age)
        {
            builder.Services.Configure<Orleans.Configuration.GrainCollectionOptions>(o => (o.CollectionAge, o.CollectionQuantum) = (age, TimeSpan.FromSeconds(10)));
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var settings = ClusterSettings.From(builder.Configuration);
        builder.UseOrleans(silo => silo.ConfigureOrderGrainsSilo(settings, builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new GrainsBackend(name, host.Services.GetRequiredService<IGrainFactory>(), new HostHandle(host));
    }

    /// <summary>
    /// The service as shipped (silo + gateway in one process) on a loopback port. The benchmark's one key sends far
    /// more than a key's shipped rate: the limits are lifted unless <paramref name="shippedRateLimits"/>.
    /// </summary>
    public static async Task<(WebApplication App, Uri Address)> Service(string? postgres, bool shippedRateLimits = false)
    {
        var port = FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Bench" });
        builder.Configuration.AddInMemoryCollection(Settings(postgres));
        if (!shippedRateLimits)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["RateLimits:ReadsPerMinute"] = "60000000",
                ["RateLimits:WritesPerMinute"] = "60000000",
            });
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddOrderGrainsSilo();
        var app = builder.Build();
        app.MapOrderGrainsSilo(ClusterSettings.From(app.Configuration));
        app.Urls.Add($"http://127.0.0.1:{port}");
        await app.StartAsync();
        return (app, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>The floor of the HTTP stack: a minimal-API endpoint that does nothing, same process, same client.</summary>
    public static async Task<(WebApplication App, Uri Address)> NoOp()
    {
        var port = FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Bench" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/noop", () => Results.Json(new { ok = true }));
        app.Urls.Add($"http://127.0.0.1:{port}");
        await app.StartAsync();
        return (app, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>
    /// Stops the web host (silo included) with time to deactivate what it holds, then disposes it: disposing a running
    /// host alone cancels its stop at once, and Orleans logs the services it could not stop (the reminder service).
    /// </summary>
    public static async Task Stop(WebApplication app)
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await app.StopAsync(timeout.Token);
        }
        await app.DisposeAsync();
    }

    private sealed class HostHandle(IHost host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Generous: deactivating tens of thousands of grains takes a while, and a stage that runs out of time logs errors.
            await host.StopAsync(TimeSpan.FromSeconds(60));
            host.Dispose();
        }
    }
}
