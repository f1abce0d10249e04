using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Npgsql;
using Orleans.Runtime.Hosting;
using Orleans.Statistics;
using Orleans.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderGrains.Api;
using OrderGrains.Contracts;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

public static class SiloHosting
{
    private const string Invariant = "Npgsql";

    public static WebApplicationBuilder AddOrderGrainsSilo(this WebApplicationBuilder builder)
    {
        var silo = ClusterSettings.From(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString(ClusterSettings.ConnectionStringName);
        if (silo.Provider == ClusterProvider.Postgres
            && Migrations.Behind(connectionString!).GetAwaiter().GetResult() is { } behind)
        {
            // The schema is migrated once per deploy (the migrate command), never by a starting silo.
            Console.Error.WriteLine(behind);
            Environment.Exit(Migrations.ExitBehind);
        }

        builder.UseOrleans(orleans => orleans.ConfigureOrderGrainsSilo(silo, builder.Configuration));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.AddOrderGrainsApi();
        return builder;
    }

    /// <summary>The silo itself: clustering, storage, reminders and streams for the configured provider, plus the grains and the dashboard.</summary>
    public static ISiloBuilder ConfigureOrderGrainsSilo(this ISiloBuilder orleans, ClusterSettings silo, IConfiguration configuration)
    {
        if (silo.Provider == ClusterProvider.Postgres)
        {
            var connectionString = PostgresConnections.ForOrleans(configuration.GetConnectionString(ClusterSettings.ConnectionStringName)!);
            orleans.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (silo.ClusterId, silo.ServiceId));
            if (silo.AdvertisedIp.Length > 0)
            {
                orleans.ConfigureEndpoints(IPAddress.Parse(silo.AdvertisedIp), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: silo.ListenOnAnyAddress);
            }
            else
            {
                orleans.ConfigureEndpoints(silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: silo.ListenOnAnyAddress);
            }
            orleans.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString));
            // The ADO.NET provider under its own name; the grains use it behind the read guard (an unreadable row fails one order).
            const string adoNetStorage = StorageNames.Orders + "-adonet";
            var serializer = new DomainJsonStorageSerializer();
            orleans.AddAdoNetGrainStorage(adoNetStorage, o =>
            {
                (o.Invariant, o.ConnectionString) = (Invariant, connectionString);
                o.GrainStorageSerializer = serializer;
            });
            var dataSource = NpgsqlDataSource.Create(connectionString);
            // Writes of many orders share commits and reads are one prepared statement (GroupCommitStorage); clears are the ADO.NET provider's.
            var groupCommit = GroupCommitOptions.From(configuration);
            orleans.Services.AddGrainStorage(StorageNames.Orders, (sp, _) =>
            {
                var adoNet = sp.GetRequiredKeyedService<IGrainStorage>(adoNetStorage);
                return OrderGrains.Grains.SiloBuilderExtensions.Guarded(sp, groupCommit.GroupCommit
                    ? new GroupCommitStorage(adoNet, dataSource, silo.ServiceId, serializer, groupCommit, sp.GetRequiredService<ILogger<GroupCommitStorage>>())
                    : adoNet);
            });
            orleans.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString));
            // The change log: appended by the seller order's state write (migrations/0001_schema.sql), read by the partition readers.
            orleans.Services.AddSingleton<IChangeLog>(_ => new PostgresChangeLog(dataSource, silo.ServiceId));
            var index = new PostgresOrderIndex(dataSource, silo.ServiceId);
            orleans.Services.AddSingleton<IOrderIndex>(index);
            orleans.Services.AddSingleton<IOrderFeeds>(index);
            orleans.Services.AddSingleton<IOrderDocuments>(new PostgresOrderDocuments(dataSource, silo.ServiceId));
            orleans.Services.AddSingleton<IOrderAlarms>(new PostgresOrderAlarms(dataSource, silo.ServiceId));
            // Bounded tables: delivered log entries and old Idempotency-Key records are purged in batches by one silo at a time.
            orleans.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<RetentionService>(sp, dataSource, silo.ServiceId));
            orleans.Configure<ClusterMembershipOptions>(configuration.GetSection("Membership"));
        }
        else
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            orleans.AddInMemoryOrderStorage();
        }
        orleans.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = silo.ResponseTimeout);
        // Each silo sends its load statistics to every other silo for placement; every second by default, which is
        // most of what a one-silo cluster does while idle. Every 10 s is fresh enough for placing new activations.
        orleans.Configure<DeploymentLoadPublisherOptions>(o => o.DeploymentLoadPublisherRefreshTime = TimeSpan.FromSeconds(10));
        // The CPU and memory in those statistics, read when they are published (Orleans' own provider samples every second).
        orleans.Services.Replace(ServiceDescriptor.Singleton<IEnvironmentStatisticsProvider, ProcessStatistics>());
        orleans.AddOrderGrains(configuration);
        // Where traces are exported, a grain call carries the caller's trace (W3C traceparent): an HTTP command's trace runs
        // through its grains. Not otherwise: its two call filters ran on every grain call (~1.5% of the HTTP workload's CPU under perf).
        if (Api.Telemetry.TracesExported(configuration))
        {
            orleans.AddActivityPropagation();
        }
        if (silo.Dashboard)
        {
            orleans.AddDashboard();
        }
        return orleans;
    }

    public static WebApplication MapOrderGrainsSilo(this WebApplication app, ClusterSettings silo)
    {
        app.UseOrderGrainsApi();
        if (silo.Dashboard)
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard");
        }
        return app;
    }
}
