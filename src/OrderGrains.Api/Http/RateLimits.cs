using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderGrains.Api.Auth;

namespace OrderGrains.Api.Http;

/// <summary>Per-AppKey request rates and the gateway's bound on requests in flight (section <c>RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>GET requests a minute per AppKey: VTEX documents 6,000 Get-order requests a minute per account.</summary>
    public int ReadsPerMinute { get; set; } = 6_000;

    /// <summary>Commands (POST, PUT, PATCH, DELETE) a minute per AppKey.</summary>
    public int WritesPerMinute { get; set; } = 30_000;

    /// <summary>How many of a minute's requests a key may send at once (a burst), in seconds' worth of its rate.</summary>
    public int BurstSeconds { get; set; } = 10;

    /// <summary>Requests in flight in this gateway, all keys together; one more is shed with 503 at once (no queue).</summary>
    public int MaxConcurrentRequests { get; set; } = 512;
}

/// <summary>
/// Load shedding. Each AppKey has a token bucket for reads and one for commands: past its rate a request is answered
/// 429 with Retry-After (when the bucket will hold a token again) and never queued, so an admitted request's latency does
/// not grow with the excess and nothing piles up in memory. All keys together may have at most
/// <see cref="RateLimitOptions.MaxConcurrentRequests"/> requests in flight; past that, 503 with Retry-After. Requests
/// without a key (health, docs) are not limited; a request with a bad key is refused before it counts.
/// </summary>
public static class RateLimits
{
    public static IHostApplicationBuilder AddOrderGrainsRateLimits(this IHostApplicationBuilder builder)
    {
        var o = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (o.ReadsPerMinute < 60 || o.WritesPerMinute < 60 || o.BurstSeconds < 1 || o.MaxConcurrentRequests < 1)
        {
            throw new InvalidOperationException("RateLimits: ReadsPerMinute and WritesPerMinute at least 60, BurstSeconds at least 1, MaxConcurrentRequests at least 1");
        }
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(PerKey(o), InFlight(o));
            limiter.OnRejected = (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                    http.Response.Headers.RetryAfter = seconds.ToString();
                    var caller = http.Items[typeof(Caller)] as Caller;
                    Telemetry.RateLimited.Add(1, new KeyValuePair<string, object?>("app_key", caller?.AppKey));
                    return new ValueTask(Problems.Write(http, StatusCodes.Status429TooManyRequests, "TOO_MANY_REQUESTS",
                        $"AppKey {caller?.AppKey} sent more than {(IsRead(http.Request) ? $"{o.ReadsPerMinute} reads" : $"{o.WritesPerMinute} commands")} a minute; retry in {seconds} s."));
                }
                http.Response.Headers.RetryAfter = "1";
                return new ValueTask(Problems.Write(http, StatusCodes.Status503ServiceUnavailable, "OVERLOADED",
                    $"The gateway is at its limit of {o.MaxConcurrentRequests} requests in flight; retry in 1 s."));
            };
        });
        return builder;
    }

    private static bool IsRead(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

    private static PartitionedRateLimiter<HttpContext> PerKey(RateLimitOptions o) => PartitionedRateLimiter.Create<HttpContext, (string, bool)>(http =>
    {
        if (http.Items[typeof(Caller)] is not Caller caller) return RateLimitPartition.GetNoLimiter((string.Empty, false));
        var read = IsRead(http.Request);
        var perMinute = read ? o.ReadsPerMinute : o.WritesPerMinute;
        return RateLimitPartition.GetTokenBucketLimiter((caller.AppKey, read), _ => new TokenBucketRateLimiterOptions
        {
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            TokenLimit = Math.Max(1, perMinute / 60 * o.BurstSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    });

    private static PartitionedRateLimiter<HttpContext> InFlight(RateLimitOptions o) => PartitionedRateLimiter.Create<HttpContext, string>(http =>
        http.Items[typeof(Caller)] is null
            ? RateLimitPartition.GetNoLimiter("unlimited")
            : RateLimitPartition.GetConcurrencyLimiter("in-flight", _ => new ConcurrencyLimiterOptions { PermitLimit = o.MaxConcurrentRequests, QueueLimit = 0 }));
}
