using Orleans.Serialization;
using OrderGrains.Api;
using OrderGrains.Contracts;

namespace OrderGrains.Gateway;

public static class ClientHosting
{
    /// <summary>Joins the cluster as a client, through the silo gateway port(s) of the <c>Silo</c> section.</summary>
    public static WebApplicationBuilder AddOrderGrainsClient(this WebApplicationBuilder builder)
    {
        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(silo.GatewayPort, silo.ServiceId, silo.ClusterId);
            client.Services.AddSerializer(s => s.AddOrderGrainsSerialization());
        });
        return builder;
    }
}
