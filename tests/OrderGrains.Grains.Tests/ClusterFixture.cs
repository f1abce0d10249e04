using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;
using OrderGrains.Contracts;
using OrderGrains.Grains;

namespace OrderGrains.Grains.Tests;

/// <summary>An in-process cluster of two silos configured like the Development profile, with the given workflow timings.</summary>
public abstract class ClusterFixture(string window, string requestDeadline, string authorizationDeadline, TimeProvider? workflowClock = null) : IAsyncLifetime
{
    private InProcessTestCluster? cluster;

    public IGrainFactory Grains => cluster!.Client;

    public Orders Orders => new(Grains);

    /// <summary>The change log as the silos' readers see it: a test may make it lose an entry.</summary>
    public LosingChangeLog Log { get; private set; } = null!;

    /// <summary>The order storage both silos write to: a test may write a row behind a grain's back.</summary>
    public MemoryOrderStorage Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workflow:CancellationWindow"] = window,
            ["Workflow:CancellationRequestDeadline"] = requestDeadline,
            ["Workflow:AuthorizationDeadline"] = authorizationDeadline,
            // Sweep due deadlines of collected orders every second (30 s by default), so a test can watch the sweep fire one.
            ["ChangeLog:DeadlineSweep"] = "00:00:01",
        }).Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        var storage = new MemoryOrderStorage(new MemoryChangeLog()); // one store (state and change log) for both silos of the process
        Log = new LosingChangeLog(storage.Log);
        Storage = storage;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOrderGrains(configuration).AddInMemoryOrderStorage(storage);
            silo.Services.AddSingleton<IChangeLog>(Log); // the readers read through it; the last registration wins
            silo.Services.AddSingleton<ISellerChangePush>(Log); // and the seller orders push through it
            if (workflowClock is not null) silo.Services.AddKeyedSingleton(WorkflowClock.Key, workflowClock);
        });
        builder.ConfigureClient(client => client.Services.AddSerializer(s => s.AddOrderGrainsSerialization()));
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}

/// <summary>Window zero: orders reach ready-for-handling at once. Deadlines stay at VTEX's 30 days.</summary>
public sealed class WorkflowCluster() : ClusterFixture("00:00:00", "30.00:00:00", "30.00:00:00");

/// <summary>VTEX's timings (a 30-minute window, 30-day deadlines) on a fake workflow clock that the tests move.</summary>
public sealed class DeadlineCluster() : ClusterFixture("00:30:00", "30.00:00:00", "30.00:00:00", Clock)
{
    public static readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
}

/// <summary>Window zero, request and authorization deadlines of 300 ms: deadlines race the commands of random histories.</summary>
public sealed class HistoryCluster() : ClusterFixture("00:00:00", "00:00:00.300", "00:00:00.300");

[CollectionDefinition(Name)]
public sealed class HistoryCollection : ICollectionFixture<HistoryCluster>
{
    public const string Name = "history cluster";
}

[CollectionDefinition(Name)]
public sealed class WorkflowCollection : ICollectionFixture<WorkflowCluster>
{
    public const string Name = "workflow cluster";
}

[CollectionDefinition(Name)]
public sealed class DeadlineCollection : ICollectionFixture<DeadlineCluster>
{
    public const string Name = "deadline cluster";
}
