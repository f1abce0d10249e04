namespace OrderGrains.Api;

/// <summary>The <c>Silo</c> configuration section.</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Silo";

    public string ClusterId { get; set; } = "ordergrains-dev";
    public string ServiceId { get; set; } = "ordergrains";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
}
