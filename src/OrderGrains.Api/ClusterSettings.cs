using System.Net;
using Microsoft.Extensions.Configuration;

namespace OrderGrains.Api;

public enum ClusterProvider
{
    /// <summary>One process, localhost clustering, memory storage, streams and reminders: nothing survives a restart.</summary>
    InMemory,
    /// <summary>PostgreSQL through Orleans' ADO.NET providers: membership, grain state (JSON), reminders, streams.</summary>
    Postgres,
}

/// <summary>The <c>Silo</c> configuration section: how a silo (or a gateway) finds and joins its cluster.</summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Silo";
    public const string ConnectionStringName = "OrderGrains";

    public ClusterProvider Provider { get; set; } = ClusterProvider.InMemory;
    public string ClusterId { get; set; } = "ordergrains-dev";
    public string ServiceId { get; set; } = "ordergrains";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    /// <summary>The address other silos and clients use; empty picks this host's first non-loopback address (containers).</summary>
    public string AdvertisedIp { get; set; } = "127.0.0.1";
    /// <summary>Listen on every interface (containers) instead of the advertised address only.</summary>
    public bool ListenOnAnyAddress { get; set; }
    /// <summary>
    /// Serve the Orleans Dashboard (<c>/dashboard</c>) from this silo. Its collectors poll every second: about half a
    /// CPU-second a minute on an idle silo, so the Development profile turns it on and the cluster runs it on one silo.
    /// </summary>
    public bool Dashboard { get; set; }
    /// <summary>How long a grain call may take before the caller gets a timeout (and the gateway a 503).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reads and checks the section; throws with every problem named.</summary>
    public static ClusterSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        var errors = new List<string>();
        if (options.SiloPort is < 1 or > 65535) errors.Add($"Silo:SiloPort {options.SiloPort} is not a port");
        if (options.GatewayPort is < 1 or > 65535) errors.Add($"Silo:GatewayPort {options.GatewayPort} is not a port");
        if (options.SiloPort == options.GatewayPort) errors.Add("Silo:SiloPort and Silo:GatewayPort must differ");
        if (string.IsNullOrWhiteSpace(options.ClusterId)) errors.Add("Silo:ClusterId is empty");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) errors.Add("Silo:ServiceId is empty");
        if (options.AdvertisedIp.Length > 0 && !IPAddress.TryParse(options.AdvertisedIp, out _)) errors.Add($"Silo:AdvertisedIp '{options.AdvertisedIp}' is not an IP address");
        if (options.ResponseTimeout <= TimeSpan.Zero) errors.Add("Silo:ResponseTimeout must be positive");
        if (options.Provider == ClusterProvider.Postgres && string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName)))
        {
            errors.Add($"Silo:Provider is Postgres but ConnectionStrings:{ConnectionStringName} is not set (environment: ConnectionStrings__{ConnectionStringName})");
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid configuration: " + string.Join("; ", errors));
        }
        return options;
    }
}
