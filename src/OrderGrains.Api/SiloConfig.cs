namespace OrderGrains.Api;

/// <summary>Where the configuration profiles live: <c>silo-config/</c> next to the binary, or <c>ORDERGRAINS_CONFIG_DIR</c>.</summary>
public static class SiloConfig
{
    public static string Directory =>
        Environment.GetEnvironmentVariable("ORDERGRAINS_CONFIG_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "silo-config");
}
