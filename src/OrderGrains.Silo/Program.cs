using OrderGrains.Api;
using OrderGrains.Silo;

// `migrate`: apply the PostgreSQL migrations of this build once (per deploy), then exit. Everything else runs the silo.
var migrate = args.FirstOrDefault() == "migrate";
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = migrate ? args[1..] : args, ContentRootPath = SiloConfig.Directory });
if (migrate)
{
    return await Migrations.Command(builder.Configuration.GetConnectionString(ClusterSettings.ConnectionStringName));
}
builder.AddOrderGrainsSilo();

var app = builder.Build();
var silo = ClusterSettings.From(app.Configuration);
PortCheck.EnsureFree(app, PortCheck.OrleansPorts(silo));
app.MapOrderGrainsSilo(silo);
app.AnnounceWhenStarted(dashboard: silo.Dashboard);
await app.RunAsync();
return 0;

/// <summary>Reachable from tests (WebApplicationFactory).</summary>
public partial class Program;
