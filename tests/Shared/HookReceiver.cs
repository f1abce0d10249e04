using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrderGrains.Testing;

/// <summary>
/// A real HTTP receiver on loopback for hook tests: it records every request and answers as <see cref="Answer"/> says
/// (a status, after a delay), and can go away (stop listening) and come back on the same port.
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    public sealed record Received(DateTimeOffset At, JsonNode Body, IReadOnlyDictionary<string, string> Headers, string Raw, int AnsweredWith);

    private readonly int port;
    private HttpListener? listener;
    private Task? loop;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>How to answer a request (given how many requests came before it): a status code and a delay.</summary>
    public Func<Received, int, (int Status, TimeSpan Delay)> Answer { get; set; } = (_, _) => (200, TimeSpan.Zero);

    public HookReceiver()
    {
        port = FreePort();
        Start();
    }

    private static int FreePort()
    {
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        return ((IPEndPoint)free.LocalEndpoint).Port;
    }

    public string Url => $"http://127.0.0.1:{port}/hooks/";

    public void Start()
    {
        listener = new HttpListener();
        listener.Prefixes.Add(Url);
        listener.Start();
        var current = listener;
        loop = Task.Run(async () =>
        {
            while (current.IsListening)
            {
                HttpListenerContext context;
                try { context = await current.GetContextAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => Handle(context));
            }
        });
    }

    /// <summary>The receiver goes away: connections are refused until <see cref="Start"/>.</summary>
    public void Stop()
    {
        listener?.Stop();
        listener?.Close();
        listener = null;
    }

    private async Task Handle(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        var probe = new Received(DateTimeOffset.UtcNow, JsonNode.Parse(raw.Length == 0 ? "{}" : raw)!, headers, raw, 0);
        var (status, delay) = Answer(probe, Requests.Count);
        if (delay > TimeSpan.Zero) await Task.Delay(delay);
        Requests.Enqueue(probe with { AnsweredWith = status });
        try
        {
            context.Response.StatusCode = status;
            context.Response.Close();
        }
        catch (Exception)
        {
            // The caller gave up (its timeout): nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        if (loop is not null) await loop;
    }
}
