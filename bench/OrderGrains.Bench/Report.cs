using System.Text;

namespace OrderGrains.Bench;

/// <summary>One line of the result table: the median of the rounds, their min–max, latencies and CPU.</summary>
public sealed record Row(
    string Workload, string Backend, int Concurrency, double Median, double Min, double Max,
    double CpuMicrosPerUnit, int Violations, IReadOnlyDictionary<string, double[]> LatencyMs, double SecondaryRate, string Unit)
{
    public static Row From(string workload, string backend, int concurrency, List<Sample> samples, Recorder? recorder)
    {
        var rates = samples.Select(s => s.Rate).Order().ToArray();
        var unit = workload switch
        {
            "lifecycle" when backend.StartsWith("pgbench") => "commits/s (pgbench -N)",
            "lifecycle" or "consumers" => "lifecycles/s",
            "http lifecycle" => "HTTP requests/s",
            "grain call" => "calls/s (CPU per call)",
            _ => "pairs/s",
        };
        return new Row(workload, backend, concurrency, MedianOf(rates), rates[0], rates[^1],
            MedianOf(samples.Select(s => s.CpuMicrosPerUnit).Order().ToArray()), samples.Sum(s => s.Violations),
            recorder?.Percentiles().ToDictionary(p => p.Key, p => new[] { Math.Round(p.Value.P50, 2), Math.Round(p.Value.P99, 2) }) ?? [],
            MedianOf(samples.Select(s => s.Requests).Order().ToArray()), unit);
    }

    private static double MedianOf(double[] sorted) =>
        sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

public static class Report
{
    public static object Machine(string postgres) => new
    {
        cores = Environment.ProcessorCount,
        os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        dotnet = Environment.Version.ToString(),
        postgres,
        date = DateTimeOffset.UtcNow,
    };

    public static void Print(List<Row> rows, List<string> notes)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("| workload | backend | c | median | min–max | unit | ratio | CPU µs/unit | latency p50/p99 ms |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var latency = string.Join(", ", row.LatencyMs.OrderBy(l => l.Key).Select(l => $"{l.Key} {l.Value[0]:0.##}/{l.Value[1]:0.##}"));
            sb.AppendLine($"| {row.Workload} | {row.Backend} | {row.Concurrency} | {row.Median:0.#} | {row.Min:0.#}–{row.Max:0.#} | {row.Unit} | {Ratio(rows, row)} | {row.CpuMicrosPerUnit:0} | {latency} |");
        }
        sb.AppendLine();
        foreach (var target in Targets(rows)) sb.AppendLine("- " + target);
        foreach (var note in notes) sb.AppendLine("- " + note);
        var violations = rows.Sum(r => r.Violations);
        sb.AppendLine($"- race check: {(violations == 0 ? "every pair had exactly one winner" : $"{violations} pairs did NOT have exactly one winner")}");
        Console.WriteLine(sb.ToString());
    }

    /// <summary>Ratios against the baselines of the same workload and concurrency, measured in the same run.</summary>
    private static string Ratio(List<Row> rows, Row row)
    {
        Row? Find(string backend) => rows.FirstOrDefault(r => r.Workload == row.Workload && r.Concurrency == row.Concurrency && r.Backend == backend);
        var parts = new List<string>();
        if (row.Workload == "lifecycle" || row.Workload.StartsWith("race"))
        {
            if (Find("locked dictionary") is { } dict && dict != row) parts.Add($"{row.Median / dict.Median:0.###}× dict");
            if (Find("PostgreSQL FOR UPDATE") is { } pg && pg != row) parts.Add($"{row.Median / pg.Median:0.###}× FOR UPDATE");
            if (row.Workload == "lifecycle" && Find("pgbench -N") is { } bench && bench != row && !row.Backend.StartsWith("pgbench"))
                parts.Add($"{row.Median * Load.TransitionsPerLifecycle / bench.Median:0.###}× pgbench (transitions/commits)");
        }
        if (row.Workload == "http lifecycle" && Find("no-op minimal API") is { } noop && noop != row) parts.Add($"{row.Median / noop.Median:0.###}× no-op");
        return parts.Count == 0 ? "—" : string.Join("; ", parts);
    }

    private static IEnumerable<string> Targets(List<Row> rows)
    {
        Row? Get(string workload, string backend, int? c = null) =>
            rows.Where(r => r.Workload == workload && r.Backend == backend && (c is null || r.Concurrency == c)).OrderByDescending(r => r.Concurrency).FirstOrDefault();
        var top = rows.Where(r => r.Workload == "lifecycle").Select(r => r.Concurrency).DefaultIfEmpty(0).Max();
        foreach (var level in rows.Where(r => r.Workload == "lifecycle" && r.Concurrency >= 16).Select(r => r.Concurrency).Distinct().Order())
        {
            if (Get("lifecycle", "OrderGrains, PostgreSQL", level) is { } grains && Get("lifecycle", "PostgreSQL FOR UPDATE", level) is { } locked)
                yield return Verdict($"durable lifecycle ≥ 1.0× FOR UPDATE (c={level})", grains.Median / locked.Median, 1.0);
        }
        if (Get("lifecycle", "OrderGrains, PostgreSQL", top) is { } durable)
        {
            if (Get("lifecycle", "pgbench -N", top) is { } bench)
                yield return Verdict($"durable transitions ≥ 0.5× pgbench TPS (c={top})", durable.Median * Load.TransitionsPerLifecycle / bench.Median, 0.5);
            yield return Verdict("≥ 77 durable lifecycles/s", durable.Median, 77);
        }
        if (Get("lifecycle", "OrderGrains, memory", top) is { } memory && Get("lifecycle", "locked dictionary", top) is { } dict)
            yield return Verdict($"in-memory lifecycle ≥ 0.3× locked dictionary (c={top})", memory.Median / dict.Median, 0.3);
        foreach (var race in rows.Where(r => r.Workload.StartsWith("race") && r.Backend == "OrderGrains, memory"))
            yield return Verdict($"{race.Workload} p99 ≤ 10 ms in memory at 64 pairs (ms)", race.LatencyMs.TryGetValue("pair", out var l) ? l[1] : double.NaN, 10, lowerIsBetter: true);
        if (Get("http lifecycle", "OrderGrains gateway (memory)") is { } http && Get("http lifecycle", "no-op minimal API") is { } noop)
            yield return Verdict("HTTP lifecycle ≥ 0.3× no-op request rate", http.Median / noop.Median, 0.3);
        if (Get("memory", "OrderGrains, PostgreSQL") is { } mem)
            yield return Verdict("≤ 8 KB per active order pair on PostgreSQL (bytes)", mem.Median, 8192, lowerIsBetter: true);
    }

    public static string Verdict(string target, double value, double limit, bool lowerIsBetter = false) =>
        $"{target}: {value:0.###} — {((lowerIsBetter ? value <= limit : value >= limit) ? "met" : "MISSED")}";
}
