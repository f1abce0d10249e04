using OrderGrains.Api;
using OrderGrains.Silo;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = SiloConfig.Directory });
builder.AddOrderGrainsSilo();

var app = builder.Build();
PortCheck.EnsureFree(app, PortCheck.OrleansPorts(ClusterSettings.From(app.Configuration)));
app.MapOrderGrainsSilo();
app.AnnounceWhenStarted(dashboard: true);
app.Run();

/// <summary>Reachable from tests (WebApplicationFactory).</summary>
public partial class Program;
