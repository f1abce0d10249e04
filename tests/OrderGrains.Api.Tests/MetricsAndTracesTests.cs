using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace OrderGrains.Api.Tests;

/// <summary>
/// Metrics at /metrics in Prometheus' format (Orleans' meter and the service's, for ops keys only) and the trace of one HTTP
/// command through the grains it calls where traces are exported (Orleans' activity propagation carries the request's trace
/// into every grain call), and none into grain calls where they are not.
/// </summary>
[Collection(ApiCollection.Name)]
public class MetricsAndTracesTests(ApiFactory factory)
{
    private readonly Api api = new(factory.CreateCheckedClient());

    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Scrape((string Key, string Token)? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is { } k) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{k.Key}:{k.Token}")));
        var response = await api.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task Metrics_ForOpsOnly_InPrometheusFormat_WithOrleansAndTheServicesOwnInstruments()
    {
        var (anonymous, _, unauthorized) = await Scrape(null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Contains("Basic", unauthorized.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Scrape(Keys.Marketplace)).Status);

        var (orderId, sellerOrderId) = await api.InHandling();
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice())).Status);
        await api.WaitForStatus(orderId, Keys.Marketplace, "invoiced");

        // The exporter caches a scrape for a moment; the index writes with the cursor at most once a second.
        string text = "";
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            var (status, body, response) = await Scrape(Keys.Ops);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? "");
            text = body;
            if (text.Contains("ordergrains_index_lag_milliseconds_count") && text.Contains("to=\"invoiced\"")) break;
            await Task.Delay(500);
        }
        Assert.Contains("ordergrains_commands_total{", text);
        Assert.Matches("ordergrains_commands_total\\{[^}]*command=\"invoice\"[^}]*outcome=\"accepted\"", text);
        Assert.Matches("ordergrains_transitions_total\\{[^}]*order=\"seller\"[^}]*to=\"invoiced\"", text);
        Assert.Contains("ordergrains_changelog_delivery_lag_milliseconds_bucket", text);
        Assert.Contains("ordergrains_index_lag_milliseconds_count", text);
        Assert.Contains("# TYPE orleans_", text);            // Orleans' own meter
        Assert.Contains("http_server_request_duration", text); // ASP.NET Core's
    }

    [Fact]
    public async Task WithoutAnOtlpEndpoint_GrainCallsCarryNoTrace()
    {
        var spans = await TraceTests.OfOnePayment(api);

        Assert.Contains(spans, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, n => n.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
    }
}

/// <summary>A gateway whose traces are exported (over OTLP, to a loopback port where nothing listens: the export fails quietly).</summary>
public sealed class TracingFactory : ApiFactory
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Telemetry:OtlpEndpoint", "http://127.0.0.1:9")];
}

/// <summary>Where traces are exported, one HTTP command is one trace through every grain call it makes.</summary>
public class TraceTests(TracingFactory factory) : IClassFixture<TracingFactory>
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Fact]
    public async Task OneHttpCommand_IsOneTrace_ThroughTheMarketplaceAndTheSellerGrain()
    {
        var names = await OfOnePayment(api);

        Assert.Contains(names, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && n.Contains("IMarketplaceOrderGrain") && n.Contains("ApprovePayment"));
        Assert.Contains(names, n => n.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && n.Contains("ISellerOrderGrain") && n.Contains("DecideForMarketplace"));
    }

    /// <summary>The spans ("source: name") of one payment notification sent with a trace of its own.</summary>
    public static async Task<List<string>> OfOnePayment(Api api)
    {
        var (orderId, _) = await api.Place();
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (activity.TraceId == traceId) spans.Enqueue(activity); },
        };
        ActivitySource.AddActivityListener(listener);

        var request = Api.Request(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" });
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var (status, _, _) = await api.Send(request);
        Assert.Equal(HttpStatusCode.OK, status);

        var until = DateTime.UtcNow.AddSeconds(5);
        while (!spans.Any(s => s.Source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)) && DateTime.UtcNow < until) await Task.Delay(50);
        return [.. spans.Select(s => $"{s.Source.Name}: {s.DisplayName}")];
    }
}
