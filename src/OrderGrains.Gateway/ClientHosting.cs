using Orleans.Configuration;
using Orleans.Serialization;
using OrderGrains.Api;
using OrderGrains.Contracts;

namespace OrderGrains.Gateway;

public static class ClientHosting
{
    /// <summary>Joins the cluster as a client: the silos' gateway list from PostgreSQL, or the local silo's gateway port.</summary>
    public static WebApplicationBuilder AddOrderGrainsClient(this WebApplicationBuilder builder)
    {
        var silo = ClusterSettings.From(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString(ClusterSettings.ConnectionStringName);
        builder.UseOrleansClient(client =>
        {
            if (silo.Provider == ClusterProvider.Postgres)
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (silo.ClusterId, silo.ServiceId));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            }
            else
            {
                client.UseLocalhostClustering(silo.GatewayPort, silo.ServiceId, silo.ClusterId);
            }
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = silo.ResponseTimeout);
            client.Services.AddSerializer(s => s.AddOrderGrainsSerialization());
            if (Api.Telemetry.TracesExported(builder.Configuration))
            {
                client.AddActivityPropagation(); // as the silo: only where traces are exported
            }
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}
