using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace OrderGrains.Api.Tests;

/// <summary>The API host on a real socket with a one-second service level for <c>handling</c>, so a test can make a late order.</summary>
public sealed class OpsConsoleFactory : KestrelApiFactory
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Ops:Attention:Handling", "00:00:01")];
}

/// <summary>
/// The ops console in a real browser (Debian's Chromium, driven over the DevTools protocol): the board, a late order and a
/// diverged pair the test made, the timeline, a resync with a reason and its audit line; a read-only ops key sees the
/// repairs disabled. Screenshots go to <c>artifacts/ops-console/</c> beside the test binaries.
/// </summary>
public sealed class OpsConsoleBrowserTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "ops-console");

    private static string? Chromium() =>
        new[] { Environment.GetEnvironmentVariable("ORDERGRAINS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    private static async Task<IBrowser> Launch()
    {
        var chromium = Chromium();
        Skip.If(chromium is null && Environment.GetEnvironmentVariable("CI") != "true", "Chromium is not installed (apt-get install chromium)");
        Assert.True(chromium is not null, "CI=true: Chromium is needed for the console's browser tests (.ci/run installs it)");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            DefaultViewport = new ViewPortOptions { Width = 1280, Height = 900 },
        });
    }

    /// <summary>A page in a context of its own: the browser keeps Basic credentials per context, not per page.</summary>
    private static async Task<IPage> Open(IBrowser browser, (string Key, string Token) key)
    {
        var context = await browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        await page.AuthenticateAsync(new Credentials { Username = key.Key, Password = key.Token });
        return page;
    }

    private static Task Shot(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        return page.ScreenshotAsync(Path.Combine(Screenshots, name + ".png"), new ScreenshotOptions { FullPage = true });
    }

    [SkippableFact]
    public async Task Console_FindsALateOrderAndADivergedPair_ResyncWithAReason_ShowsTheAuditLine()
    {
        var api = new Api(factory.CreateClient());
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var (late, _) = await api.InHandling();                          // handling past its (one-second) service level
        var (diverged, _) = await OpsRepairTests.Diverged(api, grains);  // its seller invoiced, the marketplace order missed it
        await Task.Delay(1500);                                          // past the service level; the index follows within a second

        await using var browser = await Launch();
        var page = await Open(browser, OpsRepairTests.OpsAdmin);
        var baseUrl = factory.BaseAddress.ToString().TrimEnd('/');
        Assert.Equal(HttpStatusCode.OK, (await page.GoToAsync(baseUrl + "/ops")).Status);
        var attention = await page.EvaluateExpressionAsync<string>("document.querySelector('#attention').innerText");
        Assert.Contains(late, attention);
        Assert.Contains("in handling without an invoice", attention);
        Assert.Contains("invoiced", await page.EvaluateExpressionAsync<string>("document.querySelector('#board-fulfillment').innerText"));
        await Shot(page, "board");

        // Search finds the diverged order; its timeline says the mirror disagrees.
        await page.TypeAsync("header input[name=q]", diverged);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("header button"));
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync($"#results a[href$='/{diverged}']"));
        Assert.Equal("disagrees", await page.EvaluateExpressionAsync<string>("document.querySelector('#mirror').innerText"));
        Assert.Equal("payment-approved", await page.EvaluateExpressionAsync<string>("document.querySelector('#marketplace-status').innerText"));
        await Shot(page, "timeline-diverged");

        await page.TypeAsync("#resync input[name=reason]", "invoice delivery lost; ticket OPS-7");
        await page.ClickAsync("#resync input[name=confirm]");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#resync button"));
        Assert.Contains("accepted", await page.EvaluateExpressionAsync<string>("document.querySelector('#message').innerText"));
        Assert.Equal("agrees", await page.EvaluateExpressionAsync<string>("document.querySelector('#mirror').innerText"));
        Assert.Equal("invoiced", await page.EvaluateExpressionAsync<string>("document.querySelector('#marketplace-status').innerText"));
        var audit = await page.EvaluateExpressionAsync<string>("[...document.querySelectorAll('#timeline tr.audit')].map(r => r.innerText).join('\\n')");
        Assert.Contains("ops-resync", audit);
        Assert.Contains("ticket OPS-7", audit);
        Assert.Contains(OpsRepairTests.OpsAdmin.Key, audit);
        await Shot(page, "timeline-after-resync");

        // A read-only ops key: the same page with every repair disabled, and the API says 403.
        var readOnly = await Open(browser, Keys.Ops);
        await readOnly.GoToAsync($"{baseUrl}/ops/orders/{late}");
        Assert.True(await readOnly.EvaluateExpressionAsync<bool>("[...document.querySelectorAll('form.repair button')].every(b => b.disabled)"));
        Assert.True(await readOnly.EvaluateExpressionAsync<bool>("document.querySelectorAll('form.repair button').length === 3"));
        await Shot(readOnly, "timeline-read-only");
        var (status, _, _) = await api.Send(HttpMethod.Post, $"/api/ops/orders/{late}/resync", Keys.Ops, new { reason = "try", confirm = true });
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }
}

/// <summary>A failing hook shows on the attention list; ops-admin can send its waiting notifications now; read-only ops cannot.</summary>
public sealed class OpsHookAttentionTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Fact]
    public async Task FailingHook_IsListed_AndRetryNowIsForOpsAdmin()
    {
        var api = new Api(factory.CreateClient());
        var failing = true;
        await using var receiver = new OrderGrains.Testing.HookReceiver { Answer = (r, _) => (r.Body["hookConfig"] is not null || !failing ? 200 : 500, TimeSpan.Zero) };
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, "/api/orders/hook/config", Keys.Seller2,
            new { filter = new { type = "FromWorkflow", status = new[] { "order-accepted", "window-to-cancel", "ready-for-handling" } }, hook = new { url = receiver.Url } })).Status);
        await api.Place("seller2");

        string board = "";
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            board = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, "/ops", OpsRepairTests.OpsAdmin))).Content.ReadAsStringAsync();
            if (board.Contains("the hook is failing")) break;
            await Task.Delay(250);
        }
        Assert.Contains($"hook of {Keys.Seller2.Key}", board);
        Assert.Contains("the hook is failing", board);

        var body = new { reason = "receiver fixed; ticket OPS-9", confirm = true };
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, $"/api/ops/hooks/{Keys.Seller2.Key}/retry", Keys.Ops, body)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Post, "/api/ops/hooks/nobody/retry", OpsRepairTests.OpsAdmin, body)).Status);
        failing = false;
        var (status, result, _) = await api.Send(HttpMethod.Post, $"/api/ops/hooks/{Keys.Seller2.Key}/retry", OpsRepairTests.OpsAdmin, body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(result!["retried"]!.GetValue<int>() >= 0);
        until = DateTime.UtcNow.AddSeconds(20);
        while (!receiver.Requests.Any(r => r.AnsweredWith == 200 && r.Body["State"]?.GetValue<string>() == "order-accepted") && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Contains(receiver.Requests, r => r.AnsweredWith == 200 && r.Body["State"]?.GetValue<string>() == "order-accepted");

        // Disabled: nothing goes out, the notifications wait; configuring the hook again sends them, in order.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Send(HttpMethod.Post, $"/api/ops/hooks/{Keys.Seller2.Key}/disable", Keys.Ops, body)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, $"/api/ops/hooks/{Keys.Seller2.Key}/disable", OpsRepairTests.OpsAdmin, body)).Status);
        var (_, config, _) = await api.Send(HttpMethod.Get, "/api/orders/hook/config", Keys.Seller2);
        Assert.NotNull(config!["disabledAt"]?.GetValue<DateTimeOffset>());
        var (_, held) = await api.Place("seller2");
        await Task.Delay(1500);
        Assert.DoesNotContain(receiver.Requests, r => r.Body["OrderId"]?.GetValue<string>() == held);
        var attention = await (await api.Http.SendAsync(Api.Request(HttpMethod.Get, "/ops", OpsRepairTests.OpsAdmin))).Content.ReadAsStringAsync();
        Assert.Contains("the hook is disabled by ops", attention);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, "/api/orders/hook/config", Keys.Seller2,
            new { filter = new { type = "FromWorkflow", status = new[] { "order-accepted", "window-to-cancel", "ready-for-handling" } }, hook = new { url = receiver.Url } })).Status);
        until = DateTime.UtcNow.AddSeconds(20);
        while (!receiver.Requests.Any(r => r.Body["OrderId"]?.GetValue<string>() == held) && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Equal("order-accepted", receiver.Requests.First(r => r.Body["OrderId"]?.GetValue<string>() == held).Body["State"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Send(HttpMethod.Delete, "/api/orders/hook/config", Keys.Seller2)).Status);
    }
}
