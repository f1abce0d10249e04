using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Streams;
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
        if (silo.Provider == ClusterProvider.Postgres && silo.ApplySchema)
        {
            SchemaInstaller.Apply(connectionString!, Path.Combine(SiloConfig.Directory, "postgres", "schema.sql"));
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
            orleans.AddAdoNetGrainStorage(StorageNames.Orders, o =>
            {
                (o.Invariant, o.ConnectionString) = (Invariant, connectionString);
                o.GrainStorageSerializer = new DomainJsonStorageSerializer();
            });
            orleans.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString));
            // Durable, at-least-once (may reorder after a crash): the marketplace grain's sequence check makes that harmless.
            // Implicit subscriptions only: no pub/sub rendezvous grain (an activation and storage writes per stream, i.e. per order).
            orleans.AddAdoNetStreams(StreamNames.Provider, s =>
            {
                s.ConfigureAdoNet(o => o.Configure(a => (a.Invariant, a.ConnectionString) = (Invariant, connectionString)));
                s.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            });
            orleans.Configure<ClusterMembershipOptions>(configuration.GetSection("Membership"));
        }
        else
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            orleans.AddInMemoryOrderStorage();
        }
        orleans.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = silo.ResponseTimeout);
        // The seller → marketplace hop waits for the pulling agent; the default 100 ms poll dominated a lifecycle's latency.
        orleans.Services.Configure<StreamPullingAgentOptions>(StreamNames.Provider, o => o.GetQueueMsgsTimerPeriod = silo.StreamPollPeriod);
        orleans.AddOrderGrains(configuration);
        orleans.AddDashboard();
        return orleans;
    }

    public static WebApplication MapOrderGrainsSilo(this WebApplication app)
    {
        app.UseOrderGrainsApi();
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        return app;
    }
}
