using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OrderGrains.Cluster.Tests;

/// <summary>scripts/run-cluster.sh — the compose topology without Docker — starts 2 silos and a gateway that serve the API.</summary>
[Collection(PostgresCollection.Name)]
public class RunClusterScriptTests(Postgres postgres)
{
    [SkippableFact]
    public async Task RunClusterScript_TwoSilosOneGateway_GatewayServesOrders()
    {
        postgres.SkipIfMissing();
        // Silo 2's HTTP port is silo 1's + 1, free when chosen but not reserved: another process may take it before the
        // script starts. A start that fails on a port in use is tried again on new ports (at most three times).
        for (var attempt = 1; ; attempt++)
        {
            var (started, output) = await RunScript();
            if (started || attempt == 3 || !output.Contains("already in use", StringComparison.Ordinal))
            {
                Assert.True(started, output);
                Assert.Contains("cluster stopped", output);
                return;
            }
        }
    }

    /// <summary>Runs the script until its cluster is ready and has served an order; false when it never became ready.</summary>
    private async Task<(bool Started, string Output)> RunScript()
    {
        var baseHttp = Repo.FreePort();
        var gatewayPort = Repo.FreePort();
        var start = new ProcessStartInfo("bash", $"\"{Path.Combine(Repo.Root, "scripts", "run-cluster.sh")}\" 2 1")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        start.Environment["ORDERGRAINS_PG"] = postgres.ConnectionString!;
        start.Environment["OG_NO_BUILD"] = "1";
        start.Environment["OG_CONFIGURATION"] = Repo.Configuration;
        start.Environment["BASE_HTTP"] = (baseHttp - 1).ToString();   // silo 1 on baseHttp, silo 2 on baseHttp + 1
        start.Environment["BASE_GATEWAY"] = gatewayPort.ToString();
        start.Environment["CLUSTER_ID"] = "script-" + Guid.NewGuid().ToString("N")[..8];
        start.Environment["OG_MARKETPLACE_TOKEN"] = "script-marketplace-token-01";
        var output = new StringBuilder();
        using var script = Process.Start(start)!;
        var ready = new TaskCompletionSource();
        script.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); if (e.Data == "cluster ready") ready.TrySetResult(); };
        script.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(ready.Task, script.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(150)));
            if (!ready.Task.IsCompleted)
            {
                return (false, $"the script did not report ready:\n{Text()}");
            }

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/oms/pvt/orders")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { items = new[] { new { sellerId = "seller1", skuId = "s", quantity = 1, price = 100 } } }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-VTEX-API-AppKey", "marketplace");
            request.Headers.Add("X-VTEX-API-AppToken", "script-marketplace-token-01");
            var response = await http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", script.Id.ToString()])) await term.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await script.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { script.Kill(entireProcessTree: true); }
        }
        return (true, Text());

        string Text()
        {
            lock (output) return output.ToString();
        }
    }
}
