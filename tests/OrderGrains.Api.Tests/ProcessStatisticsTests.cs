using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Statistics;
using OrderGrains.Silo;

namespace OrderGrains.Api.Tests;

/// <summary>
/// The CPU and memory a silo publishes with its load statistics (and the dashboard shows) come from the process when
/// asked: no listener keeps the runtime's event counters running every second.
/// </summary>
[Collection(ApiCollection.Name)]
public class ProcessStatisticsTests(ApiFactory factory)
{
    [Fact]
    public async Task TheSilosLoadStatistics_AreTheProcesssCpuAndMemory_AndNoRuntimeCounterListenerRuns()
    {
        var provider = factory.Services.GetRequiredService<IEnvironmentStatisticsProvider>();
        Assert.IsType<ProcessStatistics>(provider);

        provider.GetEnvironmentStatistics(); // the interval starts here
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 4;
        while (Stopwatch.GetTimestamp() < until)
        {
            // a quarter of a second of one core
        }
        var statistics = provider.GetEnvironmentStatistics();
        Assert.InRange(statistics.FilteredCpuUsagePercentage, 100f / Environment.ProcessorCount / 4, 100f);
        Assert.True(statistics.FilteredMemoryUsageBytes > 0, $"memory {statistics.FilteredMemoryUsageBytes}");
        Assert.True(statistics.MaximumAvailableMemoryBytes >= statistics.FilteredMemoryUsageBytes);

        // What Orleans publishes is these figures.
        var management = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var silo = Assert.Single(await management.GetRuntimeStatistics([.. (await management.GetHosts(onlyActive: true)).Keys]));
        Assert.True(silo.EnvironmentStatistics.FilteredMemoryUsageBytes > 0);

        // Orleans' own provider enables the runtime's counters (System.Runtime) every second for its CPU figure.
        Assert.False(EventSource.GetSources().Single(s => s.Name == "System.Runtime").IsEnabled(), "the runtime's event counters are on");
    }
}
