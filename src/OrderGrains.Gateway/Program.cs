using OrderGrains.Api;
using OrderGrains.Gateway;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = SiloConfig.Directory });
builder.AddOrderGrainsClient();
builder.AddOrderGrainsApi();

var app = builder.Build();
PortCheck.EnsureFree(app, []);
app.UseOrderGrainsApi();
app.AnnounceWhenStarted(dashboard: false);
app.Run();
