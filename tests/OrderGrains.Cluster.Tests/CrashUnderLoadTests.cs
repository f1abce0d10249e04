using System.Collections.Concurrent;
using System.Diagnostics;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;
using Xunit.Abstractions;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// Two silo processes and a gateway on PostgreSQL. Clients drive orders through their lifecycles, races
/// included, retrying with their Idempotency-Key, while one silo is killed with SIGKILL and restarted five
/// times. Afterwards every acknowledged transition is there, none was applied twice, every marketplace order
/// agrees with its seller order, none rests without an exit, and every seller order has exactly one change-log
/// entry per committed transition.
/// </summary>
[Collection(PostgresCollection.Name)]
public class CrashUnderLoadTests(Postgres postgres, ITestOutputHelper output)
{
    private const int Workers = 12;
    private const int MinimumOrders = 200;
    private const int Kills = 5;

    [SkippableFact]
    public async Task CrashUnderLoad_KillOneSiloFiveTimes_NothingLostNothingDoubledAllAgree()
    {
        postgres.SkipIfMissing();
        await using var cluster = new TestCluster(postgres, silos: 2, gateways: 1, new Dictionary<string, string>
        {
            ["Workflow__CancellationWindow"] = "00:00:01",
            ["Membership__ProbeTimeout"] = "00:00:01",
            ["Membership__NumMissedProbesLimit"] = "2",
        });
        await cluster.Start();
        var api = new RetryingApi(cluster.Gateways[0].BaseAddress);
        var load = new LifecycleLoad(api);
        var loadDone = new CancellationTokenSource();
        var running = load.Run(Workers, MinimumOrders, loadDone.Token);

        // Kill silo 2 with SIGKILL and restart it, five times, while the load runs.
        var victim = cluster.Silos[1];
        var recoveries = new List<TimeSpan>();
        var convergences = new List<TimeSpan>();
        var checker = await cluster.Grains();
        for (var kill = 0; kill < Kills; kill++)
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            var killedAt = DateTime.UtcNow;
            await victim.Kill();
            victim.Start();
            await victim.WaitReady(TimeSpan.FromSeconds(90));
            // Recovery: the first write acknowledged after the kill (the cluster serves again); convergence: the orders
            // placed before the kill each seen with marketplace and seller agreeing.
            recoveries.Add(await load.FirstAcknowledgedAfter(killedAt));
            convergences.Add(await load.ConvergedAfter(checker, killedAt));
        }
        loadDone.Cancel();
        await running;

        var verdict = await load.Check(cluster, postgres, output);
        var report = $"crash test: {verdict} kills={recoveries.Count} client_retries={api.Retries} http_500={api.Status500} " +
                     $"first_ack_after_each_kill_s=[{string.Join(", ", recoveries.Select(r => r.TotalSeconds.ToString("0.0")))}] " +
                     $"convergence_after_each_kill_s=[{string.Join(", ", convergences.Select(r => r.TotalSeconds.ToString("0.0")))}]";
        output.WriteLine(report);
        Console.WriteLine(report);

        Assert.True(verdict.Orders >= MinimumOrders, report);
        Assert.Equal(Kills, recoveries.Count);
        Assert.Equal(0, api.Status500);
        verdict.AssertClean();
    }
}
