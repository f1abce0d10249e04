using System.Diagnostics;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// A second instance on ports the first one holds stops at once, with one line naming the port and the option that
/// moves it, and a non-zero exit code — it never shares the Orleans ports or starts and then dies.
/// </summary>
public class PortInUseTests
{
    private static Dictionary<string, string> Ports(int silo, int gateway) => new()
    {
        ["Silo__SiloPort"] = silo.ToString(),
        ["Silo__GatewayPort"] = gateway.ToString(),
        ["Logging__LogLevel__Default"] = "Information",
    };

    [Fact]
    public async Task SecondInstance_OnTheSameOrleansPorts_OtherUrl_RefusesToStart()
    {
        var (silo, gateway) = (Repo.FreePort(), Repo.FreePort());
        await using var first = new HostProcess("OrderGrains.Silo", Repo.FreePort(), Ports(silo, gateway), profile: "Development");
        first.Start();
        await first.WaitReady(TimeSpan.FromSeconds(60));

        await using var second = new HostProcess("OrderGrains.Silo", Repo.FreePort(), Ports(silo, gateway), profile: "Development");
        var clock = Stopwatch.StartNew();
        second.Start();
        var exit = await second.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(3, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var line = Assert.Single(second.Log, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains($"port {silo}", line);
        Assert.Contains("--Silo:SiloPort", line);
        Assert.DoesNotContain(second.Log, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)); // no stack trace
        Assert.True(second.Log.Count <= 3, string.Join('\n', second.Log));
        Assert.True(first.IsRunning);
    }

    [Fact]
    public async Task SecondInstance_OnTheSameHttpPort_RefusesToStart_BeforeTheSiloStarts()
    {
        var http = Repo.FreePort();
        await using var first = new HostProcess("OrderGrains.Silo", http, Ports(Repo.FreePort(), Repo.FreePort()), profile: "Development");
        first.Start();
        await first.WaitReady(TimeSpan.FromSeconds(60));

        await using var second = new HostProcess("OrderGrains.Silo", http, Ports(Repo.FreePort(), Repo.FreePort()), profile: "Development");
        second.Start();
        var exit = await second.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(3, exit);
        var line = Assert.Single(second.Log, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains($"HTTP port {http}", line);
        Assert.Contains("--urls", line);
        Assert.DoesNotContain(second.Log, l => l.Contains("Exception", StringComparison.Ordinal));
        Assert.True(first.IsRunning);
    }

    [Fact]
    public async Task HealthyStart_LogFitsOnOneScreen_AndSaysWhereThingsAre()
    {
        await using var host = new HostProcess("OrderGrains.Silo", Repo.FreePort(), Ports(Repo.FreePort(), Repo.FreePort()), profile: "Development");
        host.Start();
        await host.WaitReady(TimeSpan.FromSeconds(60));
        await Task.Delay(2000); // anything logged just after start counts too

        var log = host.Log;
        Assert.True(log.Count <= 24, $"{log.Count} lines:\n{string.Join('\n', log)}");
        Assert.Contains(log, l => l.Contains("/docs", StringComparison.Ordinal) && l.Contains("/dashboard", StringComparison.Ordinal) && l.Contains("/api/", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.StartsWith("warn", StringComparison.Ordinal) || l.StartsWith("fail", StringComparison.Ordinal));
    }
}
