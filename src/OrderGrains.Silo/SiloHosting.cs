using Orleans.Dashboard;
using OrderGrains.Api;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

public static class SiloHosting
{
    public static WebApplicationBuilder AddOrderGrainsSilo(this WebApplicationBuilder builder)
    {
        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            orleans.AddOrderGrains(builder.Configuration);
            orleans.AddInMemoryOrderStorage();
            orleans.AddDashboard();
        });
        builder.AddOrderGrainsApi();
        return builder;
    }

    public static WebApplication MapOrderGrainsSilo(this WebApplication app)
    {
        app.UseOrderGrainsApi();
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        return app;
    }
}
