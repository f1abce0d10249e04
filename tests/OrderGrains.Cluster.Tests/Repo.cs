using System.Net;
using System.Net.Sockets;

namespace OrderGrains.Cluster.Tests;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever this test assembly was built as, so are the hosts.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";

    public static string HostDll(string project) =>
        Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderGrains.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("OrderGrains.sln not found");
    }
}
