using OrderGrains.Testing.Histories;
using Xunit.Abstractions;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// The history checker can fail: run against a simulation of the two orders (the real deciders and protocol, one
/// command at a time) it passes, and each deliberate defect is caught, with a minimal history.
/// </summary>
public class HistoryCheckerSensitivityTests(ITestOutputHelper output)
{
    private static CheckerOptions Options => new(Histories: 300, Parallel: 8, CheckerOptions.SeedFromEnvironment) { RaceDeadlinesWithin = TimeSpan.FromMilliseconds(80) };

    [Fact]
    public async Task Simulation_Unbroken_Passes()
    {
        var report = await HistoryChecker.Run(new SimulatedSystem(Breakage.None), Options);

        output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.Failures.FirstOrDefault());
    }

    [Theory]
    [InlineData(Breakage.BothSidesOfARaceWin, "NO serial order")]
    [InlineData(Breakage.MirrorDropsAnEvent, "does not agree at rest")]
    [InlineData(Breakage.DeadlineNeverFires, "overdue at rest")]
    public async Task Simulation_Broken_IsCaught(Breakage breakage, string caughtAs)
    {
        var report = await HistoryChecker.Run(new SimulatedSystem(breakage), Options with { Shrink = true });

        output.WriteLine($"{report}\n{report.Failures.FirstOrDefault()}");
        Assert.NotEmpty(report.Failures);
        Assert.Contains(report.Failures, f => f.Contains(caughtAs, StringComparison.Ordinal));
        Assert.Contains("minimal history", report.Failures[0], StringComparison.Ordinal);
    }
}
