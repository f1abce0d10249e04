namespace OrderGrains.Bench;

/// <summary>
/// The whole machine's CPU time from <c>/proc/stat</c> (Linux; zero elsewhere): busy (user, nice, system, irq, softirq,
/// steal) against all of it. Tells a level bound by CPU (busy near 100%) from one bound by waiting (commits, wake-ups).
/// </summary>
public readonly record struct MachineCpu(double Busy, double Total)
{
    public static MachineCpu Read()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var idle = ticks[3] + ticks[4]; // idle, iowait
            return new MachineCpu(ticks.Sum() - idle, ticks.Sum());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return default;
        }
    }

    public static MachineCpu operator -(MachineCpu after, MachineCpu before) => new(after.Busy - before.Busy, after.Total - before.Total);
}
