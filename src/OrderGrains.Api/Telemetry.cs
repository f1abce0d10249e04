using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrderGrains.Api;

/// <summary>
/// Metrics and traces with OpenTelemetry: Orleans' meter (<c>Microsoft.Orleans</c>), the service's (<c>OrderGrains</c>: the
/// grains' commands, transitions, log and index lags, hook deliveries; the gateway's idempotent replays and 503s) and
/// ASP.NET Core's, scraped at <see cref="MetricsPath"/> in Prometheus' format by an ops key; with
/// <c>Telemetry:OtlpEndpoint</c> (or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) also pushed over OTLP, together with traces of
/// every HTTP request through the grains it calls (Orleans' activity propagation).
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";
    public const string OrleansMeter = "Microsoft.Orleans";
    public const string ServiceMeter = "OrderGrains";

    private static readonly Meter Meter = new(ServiceMeter, "1.0");

    public static readonly Counter<long> IdempotentReplays = Meter.CreateCounter<long>("ordergrains.http.idempotent_replays", "{request}",
        "Requests answered again from their Idempotency-Key instead of running again.");

    public static readonly Counter<long> Unavailable = Meter.CreateCounter<long>("ordergrains.http.unavailable", "{request}",
        "Requests answered 503 with Retry-After (the cluster or the database could not answer for a moment).");

    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("ordergrains.http.rate_limited", "{request}",
        "Requests answered 429 with Retry-After: the AppKey (tag app_key) sent more than its rate.");

    /// <summary>Where OTLP goes, if anywhere: <c>Telemetry:OtlpEndpoint</c>, else OpenTelemetry's own environment variable.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration) =>
        configuration["Telemetry:OtlpEndpoint"] is { Length: > 0 } configured ? configured
        : Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } variable ? variable : null;

    /// <summary>
    /// Whether traces go anywhere (an OTLP endpoint). Only then do grain calls carry the caller's trace (Orleans' activity
    /// propagation): its two call filters run on every grain call, and without them Orleans sends a call directly.
    /// </summary>
    public static bool TracesExported(IConfiguration configuration) => OtlpEndpoint(configuration) is not null;

    public static IHostApplicationBuilder AddOrderGrainsTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = OtlpEndpoint(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName.Replace("OrderGrains.", "ordergrains-", StringComparison.Ordinal).ToLowerInvariant()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(OrleansMeter, ServiceMeter).AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (otlp is not null) metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            });
        if (otlp is not null)
        {
            // Traces only where they go somewhere: a sampled span per request and per grain call costs CPU on every command.
            telemetry.WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments("/health"))
                .AddOtlpExporter(o => o.Endpoint = new Uri(otlp)));
        }
        return builder;
    }

    /// <summary>The Prometheus scrape endpoint (ops keys; HTTP Basic with AppKey:AppToken works, as Prometheus' basic_auth sends).</summary>
    public static WebApplication MapOrderGrainsMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
