using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderGrains.Api.OpenApi;

namespace OrderGrains.Api;

/// <summary>One line when the host is up, saying where everything is.</summary>
public static partial class StartupBanner
{
    public static void AnnounceWhenStarted(this WebApplication app, bool dashboard)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrderGrains");
            var url = app.Urls.FirstOrDefault()?.TrimEnd('/') ?? "";
            LogReady(logger, app.Environment.EnvironmentName,
                $"API {url}/api/oms/pvt/orders, docs {url}/docs, OpenAPI {url}{OpenApiDocument.Path}"
                + (dashboard ? $", dashboard {url}/dashboard (ops key)" : "") + $", health {url}/health/ready");
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OrderGrains is ready ({Profile} profile): {Where}")]
    private static partial void LogReady(ILogger logger, string profile, string where);
}
