using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
/// <remarks>
/// The buckets refill from the clock when a request arrives, not from a timer: an idle gateway runs nothing for them
/// (ASP.NET's partitioned limiters each keep a 100 ms timer, three of them, which woke an idle silo 30 times a second).
/// There is one bucket per configured key and kind, so they need no eviction.
/// </remarks>
public static class RateLimits
{
    public static IHostApplicationBuilder AddOrderGrainsRateLimits(this IHostApplicationBuilder builder)
    {
        var o = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (o.ReadsPerMinute < 60 || o.WritesPerMinute < 60 || o.BurstSeconds < 1 || o.MaxConcurrentRequests < 1)
        {
            throw new InvalidOperationException("RateLimits: ReadsPerMinute and WritesPerMinute at least 60, BurstSeconds at least 1, MaxConcurrentRequests at least 1");
        }
        builder.Services.AddSingleton(o);
        return builder;
    }

    /// <summary>After the key middleware: limits are per AppKey.</summary>
    public static WebApplication UseOrderGrainsRateLimits(this WebApplication app)
    {
        app.UseMiddleware<RateLimitMiddleware>();
        return app;
    }
}

public sealed class RateLimitMiddleware(RequestDelegate next, RateLimitOptions o)
{
    private readonly ConcurrentDictionary<(string AppKey, bool Read), TokenBucket> buckets = new();
    private int inFlight;

    public Task InvokeAsync(HttpContext http)
    {
        if (http.Items[typeof(Caller)] is not Caller caller) return next(http);
        var read = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        var bucket = buckets.GetOrAdd((caller.AppKey, read), static (key, o) =>
        {
            var perSecond = (key.Read ? o.ReadsPerMinute : o.WritesPerMinute) / 60.0;
            return new TokenBucket(perSecond, Math.Max(1, perSecond * o.BurstSeconds));
        }, o);
        if (!bucket.TryTake(out var wait))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString();
            Telemetry.RateLimited.Add(1, new KeyValuePair<string, object?>("app_key", caller.AppKey));
            return Problems.Write(http, StatusCodes.Status429TooManyRequests, "TOO_MANY_REQUESTS",
                $"AppKey {caller.AppKey} sent more than {(read ? $"{o.ReadsPerMinute} reads" : $"{o.WritesPerMinute} commands")} a minute; retry in {seconds} s.");
        }
        if (Interlocked.Increment(ref inFlight) > o.MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref inFlight);
            http.Response.Headers.RetryAfter = "1";
            return Problems.Write(http, StatusCodes.Status503ServiceUnavailable, "OVERLOADED",
                $"The gateway is at its limit of {o.MaxConcurrentRequests} requests in flight; retry in 1 s.");
        }
        return Admitted(http);
    }

    private async Task Admitted(HttpContext http)
    {
        try
        {
            await next(http);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}

/// <summary>A token bucket refilled continuously at <paramref name="perSecond"/> up to <paramref name="capacity"/>, from the clock.</summary>
public sealed class TokenBucket(double perSecond, double capacity)
{
    private readonly Lock gate = new();
    private readonly double capacity = capacity;
    private double tokens = capacity;
    private long stamp = Stopwatch.GetTimestamp();

    /// <summary>Takes a token if there is one; otherwise says how long until there will be.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        lock (gate)
        {
            var now = Stopwatch.GetTimestamp();
            tokens = Math.Min(capacity, tokens + Stopwatch.GetElapsedTime(stamp, now).TotalSeconds * perSecond);
            stamp = now;
            if (tokens >= 1)
            {
                tokens -= 1;
                wait = TimeSpan.Zero;
                return true;
            }
            wait = TimeSpan.FromSeconds((1 - tokens) / perSecond);
            return false;
        }
    }
}
