using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrderGrains.Api;

/// <summary>
/// Refuses to start on a port another process holds. Without it a second instance shared the Orleans ports with the
/// first (both Healthy, each with its own in-memory state) or started completely and then died with a stack trace.
/// Runs after the host is built and before anything listens: one line on stderr naming the port and the option that
/// sets it, and exit code <see cref="ExitCode"/>.
/// </summary>
public static class PortCheck
{
    public const int ExitCode = 3;
    private const string DefaultUrls = "http://localhost:5000";

    /// <summary>A port this process is about to listen on, and the setting an operator changes to move it.</summary>
    public sealed record Planned(IPAddress Address, int Port, string What, string Option);

    /// <summary>Exits the process if any planned port is taken. The HTTP ports are checked only when Kestrel serves them.</summary>
    public static void EnsureFree(WebApplication app, IEnumerable<Planned> orleansPorts)
    {
        var planned = orleansPorts.ToList();
        if (app.Services.GetRequiredService<IServer>().GetType().Name.StartsWith("Kestrel", StringComparison.Ordinal))
        {
            planned.AddRange(HttpPorts(app.Configuration));
        }
        foreach (var port in planned)
        {
            if (InUse(port) is { } reason)
            {
                Console.Error.WriteLine($"OrderGrains cannot start: {port.What} port {port.Port} on {port.Address} is already in use ({reason}); another instance may be running. Choose another with {port.Option}.");
                Environment.Exit(ExitCode);
            }
        }
    }

    /// <summary>The silo-to-silo and client gateway ports a silo will bind.</summary>
    public static IEnumerable<Planned> OrleansPorts(ClusterSettings silo)
    {
        var address = silo.ListenOnAnyAddress || silo.AdvertisedIp.Length == 0 ? IPAddress.Any : IPAddress.Parse(silo.AdvertisedIp);
        if (silo.Provider == ClusterProvider.InMemory) address = IPAddress.Loopback;
        yield return new(address, silo.SiloPort, "silo-to-silo", "--Silo:SiloPort N (environment Silo__SiloPort)");
        yield return new(address, silo.GatewayPort, "client gateway", "--Silo:GatewayPort N (environment Silo__GatewayPort)");
    }

    private static IEnumerable<Planned> HttpPorts(IConfiguration configuration)
    {
        var urls = configuration["urls"] is { Length: > 0 } configured ? configured : DefaultUrls;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel accepts wildcard hosts that Uri does not parse.
            var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Port == 0) continue;
            var address = uri.Host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed : IPAddress.Any;
            yield return new(address, uri.Port, "HTTP", $"--urls (environment ASPNETCORE_URLS; now {urls})");
        }
    }

    private static string? InUse(Planned port)
    {
        try
        {
            using var listener = new TcpListener(port.Address, port.Port);
            listener.Start();
            listener.Stop();
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return ex.SocketErrorCode == SocketError.AccessDenied ? "permission denied" : "address in use";
        }
    }
}
