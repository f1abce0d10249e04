using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrderGrains.Cluster.Tests;

/// <summary>A silo or gateway started as its own OS process, the way an operator runs it (Cluster profile).</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly string project;
    private readonly Dictionary<string, string> environment;
    private readonly ConcurrentQueue<string> log = new();
    private Process? process;

    private readonly string arguments;

    public HostProcess(string project, int httpPort, IDictionary<string, string> environment, string profile = "Cluster", string arguments = "")
    {
        this.project = project;
        this.arguments = arguments;
        HttpPort = httpPort;
        // Defaults first; what the caller passes wins.
        this.environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = profile,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in environment) this.environment[key] = value;
    }

    public int HttpPort { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");
    public bool IsRunning => process is { HasExited: false };
    public string RecentLog => string.Join('\n', log.TakeLast(40));
    public IReadOnlyList<string> Log => [.. log];

    /// <summary>Waits for the process to exit by itself; its exit code, or null if it is still running at the deadline.</summary>
    public async Task<int?> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process!.WaitForExitAsync(cts.Token);
            process.WaitForExit(); // drains the redirected output
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", $"\"{Repo.HostDll(project)}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Repo.HostDll(project))!,
        };
        // Load tests send far more than a key's shipped rate (RateLimits): lift it unless the test sets its own.
        start.Environment["RateLimits__ReadsPerMinute"] = "60000000";
        start.Environment["RateLimits__WritesPerMinute"] = "60000000";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        log.Enqueue(line);
        while (log.Count > 400) log.TryDequeue(out _);
    }

    /// <summary>Waits for /health/ready: the silo joined the cluster and the database answers.</summary>
    public async Task WaitReady(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(3) };
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (process is { HasExited: true }) throw new InvalidOperationException($"{project} exited with {process.ExitCode}:\n{RecentLog}");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{project} on {HttpPort} not ready after {timeout}:\n{RecentLog}");
    }

    /// <summary>SIGKILL: no shutdown, no flush, the process is gone.</summary>
    public async Task Kill()
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then wait for a graceful exit.</summary>
    public async Task Stop(TimeSpan timeout)
    {
        if (process is null || process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{project} did not stop within {timeout} after SIGTERM:\n{RecentLog}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        process?.Dispose();
    }
}
