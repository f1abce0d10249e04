using System.Net;

namespace OrderGrains.Api.Tests;

/// <summary>A gateway with low limits: 120 reads a minute per key (a burst of 20), 4 requests in flight.</summary>
public sealed class LowLimitsFactory : ApiFactory
{
    protected override int RateLimitsPerMinute => 120;

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("RateLimits:WritesPerMinute", "60000000"), ("RateLimits:MaxConcurrentRequests", "4")];
}

/// <summary>Past its rate a key is shed with 429 and Retry-After; past the gateway's bound on requests in flight, 503.</summary>
public class RateLimitTests(LowLimitsFactory factory) : IClassFixture<LowLimitsFactory>
{
    private readonly Api api = new(factory.CreateCheckedClient());

    [Fact]
    public async Task PastItsRate_AKeyIsShedWith429AndRetryAfter_OtherKeysAndItsCommandsAreNot()
    {
        var (orderId, sellerOrderId) = await api.Place();

        var answers = new List<(HttpStatusCode Status, string? Code, string? RetryAfter)>();
        for (var i = 0; i < 40; i++)
        {
            var (status, body, response) = await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", Keys.Marketplace);
            answers.Add((status, body?["code"]?.GetValue<string>(), response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString()));
        }

        // A burst of 20 (ten seconds of 2 a second) is admitted, a few more as the bucket refills, the rest shed.
        var admitted = answers.Count(a => a.Status == HttpStatusCode.OK);
        var shed = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(admitted, 20, 30);
        Assert.Equal(40, admitted + shed.Count);
        Assert.All(shed, a => Assert.Equal(("TOO_MANY_REQUESTS", "1"), (a.Code, a.RetryAfter)));
        // Another key has its own bucket; the same key's commands have theirs.
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{sellerOrderId}", Keys.Seller1)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" })).Status);

        // Ops see it: the refusals are counted per key (the exporter answers a scrape from its cache for a moment: a
        // scrape just before this test, by another test of this class, can still be what it serves).
        string? counted = null;
        var until = DateTime.UtcNow.AddSeconds(10);
        while (counted != $"{shed.Count}" && DateTime.UtcNow < until)
        {
            var metrics = await factory.CreateDefaultClient().SendAsync(Api.Request(HttpMethod.Get, "/metrics", Keys.Ops));
            var scraped = await metrics.Content.ReadAsStringAsync();
            counted = scraped.Split('\n').SingleOrDefault(l => l.StartsWith("ordergrains_http_rate_limited_total{", StringComparison.Ordinal)
                                                              && l.Contains($"app_key=\"{Keys.Marketplace.Key}\"", StringComparison.Ordinal))?.Split(' ')[^1];
            if (counted != $"{shed.Count}") await Task.Delay(300);
        }
        Assert.Equal($"{shed.Count}", counted);

        // After Retry-After, the key is admitted again.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Get, $"/api/oms/pvt/orders/{orderId}", Keys.Marketplace)).Status);
    }

    [Fact]
    public async Task PastTheRequestsInFlight_ShedWith503AndRetryAfter_NeverQueued()
    {
        // 48 orders placed at once by one key whose command rate is high: at most 4 are in flight, the rest are shed.
        var http = factory.CreateDefaultClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 48).Select(_ => Task.Run(async () =>
        {
            var response = await http.SendAsync(Api.Request(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace, Api.OneItemOrder()));
            return (response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds, await response.Content.ReadAsStringAsync());
        })));

        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"{a.StatusCode}: {a.Item3}"));
        var shed = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(shed, a => Assert.Contains("\"OVERLOADED\"", a.Item3));
        Assert.All(shed, a => Assert.Equal(1, a.TotalSeconds));

        // Each 503 is counted (ordergrains_http_unavailable_total; the exporter caches a scrape for a moment).
        var counted = 0.0;
        var until = DateTime.UtcNow.AddSeconds(10);
        while (counted < shed.Count && DateTime.UtcNow < until)
        {
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            scrape.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Keys.Ops.Key}:{Keys.Ops.Token}")));
            var text = await (await http.SendAsync(scrape)).Content.ReadAsStringAsync();
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("ordergrains_http_unavailable_total", StringComparison.Ordinal));
            counted = line is null ? 0 : double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            if (counted < shed.Count) await Task.Delay(300);
        }
        Assert.True(counted >= shed.Count, $"{counted} counted for {shed.Count} answered 503");
    }
}
