using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace OrderGrains.Bench;

/// <summary>Latency per command name, in microseconds, into HdrHistograms.</summary>
public sealed class Recorder
{
    private readonly ConcurrentDictionary<string, LongConcurrentHistogram> histograms = new();

    private void Record(string name, long startTicks) =>
        histograms.GetOrAdd(name, _ => new LongConcurrentHistogram(1, 600_000_000, 3))
            .RecordValue(Math.Max(1, (Stopwatch.GetTimestamp() - startTicks) * 1_000_000 / Stopwatch.Frequency));

    /// <summary>Records the time since <paramref name="startTicks"/> (a <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void RecordSince(string name, long startTicks) => Record(name, startTicks);

    public T Time<T>(string name, Func<T> action)
    {
        var start = Stopwatch.GetTimestamp();
        var result = action();
        Record(name, start);
        return result;
    }

    public async Task<T> Time<T>(string name, Func<Task<T>> action)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await action();
        Record(name, start);
        return result;
    }

    public async Task Time(string name, Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        Record(name, start);
    }

    /// <summary>p50 and p99 in milliseconds per command.</summary>
    public IReadOnlyDictionary<string, (double P50, double P99)> Percentiles() =>
        histograms.ToDictionary(h => h.Key, h => (h.Value.GetValueAtPercentile(50) / 1000.0, h.Value.GetValueAtPercentile(99) / 1000.0));
}
