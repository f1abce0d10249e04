using System.Diagnostics;
using System.Reflection;
using Orleans.Statistics;

namespace OrderGrains.Silo;

/// <summary>
/// The process's CPU and memory for Orleans' load statistics, read when Orleans asks (every
/// <c>DeploymentLoadPublisherRefreshTime</c>, 10 s here) instead of sampled every second. Orleans' own provider turns on the
/// runtime's event counters once a second for the CPU figure alone: a thread that woke an idle silo twice a second.
/// CPU is the share of the machine's cores the process used since the previous call; memory is read as Orleans reads it.
/// </summary>
public sealed class ProcessStatistics : IEnvironmentStatisticsProvider
{
    private readonly Lock gate = new();
    private long lastTimestamp = Stopwatch.GetTimestamp();
    private TimeSpan lastCpu = ProcessorTime();

    public EnvironmentStatistics GetEnvironmentStatistics()
    {
        float cpu;
        lock (gate)
        {
            var now = Stopwatch.GetTimestamp();
            var used = ProcessorTime();
            var wall = Stopwatch.GetElapsedTime(lastTimestamp, now);
            cpu = wall > TimeSpan.Zero
                ? (float)Math.Clamp((used - lastCpu) / (wall * Environment.ProcessorCount) * 100, 0, 100)
                : 0f;
            (lastTimestamp, lastCpu) = (now, used);
        }
        var gc = GC.GetGCMemoryInfo();
        var memory = GC.GetTotalMemory(false) + gc.FragmentedBytes;
        var systemAvailable = Math.Max(0, Math.Min(gc.TotalAvailableMemoryBytes - gc.TotalCommittedBytes, gc.HighMemoryLoadThresholdBytes - gc.MemoryLoadBytes));
        var available = systemAvailable + gc.TotalCommittedBytes - gc.HeapSizeBytes;
        var maximum = Math.Min(gc.TotalAvailableMemoryBytes, gc.HighMemoryLoadThresholdBytes);
        // Orleans 10.4.2 constructs these only itself (the constructor is internal): filtered and raw figures alike.
        return (EnvironmentStatistics)Activator.CreateInstance(typeof(EnvironmentStatistics), BindingFlags.Instance | BindingFlags.NonPublic, null,
            [cpu, cpu, memory, memory, available, available, maximum], null)!;
    }

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
