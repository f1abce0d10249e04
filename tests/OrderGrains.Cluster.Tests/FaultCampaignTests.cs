using System.Diagnostics;
using OrderGrains.Testing;
using Xunit.Abstractions;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// The fault campaign: three silos and two gateways on a PostgreSQL server of the test's own, under the lifecycle load
/// (races included) with a hook receiving every seller change. SIGKILLs of silos and gateways at random moments, each
/// restarted (a silo killed under load takes the change-log readers it hosts down in the middle of their batches), and
/// PostgreSQL stopped for 10 s and started again halfway. The client moves to the other gateway when one dies and
/// retries 503s with its Idempotency-Key. At rest: nothing acknowledged lost, nothing applied twice, every pair agrees,
/// every change delivered to the hook, during the outage 503 with Retry-After and no request left hanging for 15 s.
/// ORDERGRAINS_FAULT_KILLS sets the number of kills (6 by default; the README's full campaign: 24);
/// ORDERGRAINS_FAULT_SEED reproduces the victims and moments.
/// </summary>
[Collection(PostgresCollection.Name)]
public class FaultCampaignTests(Postgres shared, ITestOutputHelper output)
{
    private const int Workers = 12;
    private const int MinimumOrders = 100;
    private static readonly string[] SellerStatuses =
        ["order-accepted", "window-to-cancel", "ready-for-handling", "handling", "cancellation-requested", "invoiced", "canceled"];

    [SkippableFact]
    public async Task FaultCampaign_KillsAndADatabaseOutageUnderLoad_NothingLostNothingDoubledAllAgree_EveryHookDelivered()
    {
        shared.SkipIfMissing();
        var kills = Environment.GetEnvironmentVariable("ORDERGRAINS_FAULT_KILLS") is { } k ? int.Parse(k) : 6;
        var seed = Environment.GetEnvironmentVariable("ORDERGRAINS_FAULT_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();
        var random = new Random(seed);
        output.WriteLine($"seed {seed} (ORDERGRAINS_FAULT_SEED={seed} reproduces the victims and moments), {kills} kills");

        var postgres = await Postgres.Own();
        try
        {
            await using var receiver = new HookReceiver();
            await using var cluster = new TestCluster(postgres, silos: 3, gateways: 2, new Dictionary<string, string>
            {
                ["Workflow__CancellationWindow"] = "00:00:01",
                ["Membership__ProbeTimeout"] = "00:00:01",
                ["Membership__NumMissedProbesLimit"] = "2",
                ["Hooks__Timeout"] = "00:00:01",
                ["Hooks__RetryBase"] = "00:00:00.200",
                ["Hooks__RetryMax"] = "00:00:02",
                ["Hooks__Poll"] = "00:00:00.500",
            });
            await cluster.Start();
            var api = new RetryingApi([.. cluster.Gateways.Select(g => g.BaseAddress)]);
            var (configured, hook) = await api.Send(HttpMethod.Post, "/api/orders/hook/config", asSeller: true,
                new { filter = new { type = "FromWorkflow", status = SellerStatuses }, hook = new { url = receiver.Url } });
            Assert.True(configured == 200, hook?.ToJsonString());

            var load = new LifecycleLoad(api);
            var loadDone = new CancellationTokenSource();
            var running = load.Run(Workers, MinimumOrders, loadDone.Token);
            var checker = await cluster.Grains();
            var faults = new List<(string Fault, TimeSpan FirstAck, TimeSpan Converged)>();
            var victims = cluster.Silos.Select((h, i) => ($"silo {i + 1}", h)).Concat(cluster.Gateways.Select((h, i) => ($"gateway {i + 1}", h))).ToArray();
            var outageAt = kills / 2;
            var during503 = 0;

            for (var fault = 0; fault <= kills; fault++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 4000)));
                var at = DateTime.UtcNow;
                string name;
                if (fault == outageAt)
                {
                    // PostgreSQL goes away for 10 s mid-load, then comes back with the same data.
                    var before = api.Status503;
                    await postgres.Stop();
                    await Task.Delay(TimeSpan.FromSeconds(10));
                    await postgres.Restart();
                    during503 = api.Status503 - before;
                    at = DateTime.UtcNow; // recovery and convergence count from the restart
                    name = "postgres down 10 s (from its restart)";
                }
                else
                {
                    var (victimName, victim) = victims[random.Next(victims.Length)];
                    await victim.Kill();
                    victim.Start();
                    await victim.WaitReady(TimeSpan.FromSeconds(90));
                    name = "kill " + victimName;
                }
                faults.Add((name, await load.FirstAcknowledgedAfter(at), await load.ConvergedAfter(checker, at, sample: 20)));
                output.WriteLine($"{name}: first acknowledged write after {faults[^1].FirstAck.TotalSeconds:0.0} s, converged after {faults[^1].Converged.TotalSeconds:0.0} s");
            }
            loadDone.Cancel();
            await running;

            var verdict = await load.Check(cluster, postgres, output);

            // Every seller change reached the hook (at least once, counted by event id): one per committed transition.
            var sellers = load.Orders.Select(o => o.Seller).ToHashSet();
            var expected = new Dictionary<string, long>();
            foreach (var seller in sellers) expected[seller] = (await checker.GetGrain<Contracts.ISellerOrderGrain>(seller).GetView())!.Sequence;
            var hooksWait = Stopwatch.StartNew();
            long missing;
            var redelivered = 0;
            do
            {
                var delivered = receiver.Requests.Where(r => r.Body["OrderId"]?.GetValue<string>() is { } id && sellers.Contains(id))
                    .GroupBy(r => r.Body["OrderId"]!.GetValue<string>())
                    .ToDictionary(g => g.Key, g => (long)g.Select(r => r.Body["EventId"]!.GetValue<string>()).Distinct().Count());
                missing = expected.Sum(e => Math.Max(0, e.Value - delivered.GetValueOrDefault(e.Key)));
                // A consumer killed between sending and recording sends again, with the same event id.
                var ours = receiver.Requests.Where(r => r.Body["OrderId"]?.GetValue<string>() is { } id && sellers.Contains(id)).ToList();
                redelivered = ours.Count - ours.Select(r => r.Body["EventId"]!.GetValue<string>()).Distinct().Count();
                if (missing == 0 || hooksWait.Elapsed > TimeSpan.FromSeconds(120)) break;
                await Task.Delay(500);
            }
            while (true);

            static string Percentile(IEnumerable<TimeSpan> values, double p)
            {
                var sorted = values.OrderBy(v => v).ToList();
                return sorted.Count == 0 ? "-" : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)].TotalSeconds.ToString("0.0");
            }
            var report = $"fault campaign: {verdict} faults={faults.Count} (kills={faults.Count(f => f.Fault.StartsWith("kill", StringComparison.Ordinal))}: " +
                         $"{string.Join(", ", faults.Select(f => f.Fault).GroupBy(f => f).Select(g => $"{g.Key}×{g.Count()}"))}) " +
                         $"hook_deliveries_expected={expected.Values.Sum()} hook_deliveries_missing={missing} hook_redelivered_same_event_id={redelivered} hook_caught_up_s={hooksWait.Elapsed.TotalSeconds:0.0} " +
                         $"http_503_during_outage={during503} http_503_without_retry_after={api.Status503WithoutRetryAfter} http_500={api.Status500} " +
                         $"requests_unanswered_15s={api.TimedOut} slowest_attempt_s={api.Slowest.TotalSeconds:0.0} client_retries={api.Retries} " +
                         $"convergence_after_fault_s p50={Percentile(faults.Select(f => f.Converged), 0.5)} p99={Percentile(faults.Select(f => f.Converged), 0.99)} " +
                         $"first_ack_after_fault_s p50={Percentile(faults.Select(f => f.FirstAck), 0.5)} p99={Percentile(faults.Select(f => f.FirstAck), 0.99)}";
            output.WriteLine(report);
            Console.WriteLine(report);

            Assert.True(verdict.Orders >= MinimumOrders, report);
            Assert.Equal(kills, faults.Count(f => f.Fault.StartsWith("kill", StringComparison.Ordinal)));
            verdict.AssertClean();
            Assert.Equal(0, missing);
            Assert.Equal(0, api.Status500);
            Assert.Equal(0, api.Status503WithoutRetryAfter);
            Assert.Equal(0, api.TimedOut);
            Assert.True(during503 > 0, $"the outage was not seen by any client: {report}");
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }
}
