using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Endpoints;
using OrderGrains.Api.Http;
using OrderGrains.Api.OpenApi;

namespace OrderGrains.Api;

/// <summary>Registers and maps the HTTP gateway; the silo host and the standalone gateway host both call these.</summary>
public static class ApiHosting
{
    public static IHostApplicationBuilder AddOrderGrainsApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>().Bind(builder.Configuration.GetSection(ApiKeyOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyValidation>();
        builder.Services.AddSingleton<ApiKeyAuthentication>();
        builder.Services.AddSingleton<OrderLocator>();
        builder.Services.AddProblemDetails();
        builder.AddOrderGrainsTelemetry();
        builder.AddOrderGrainsRateLimits();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var health = builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("cluster", tags: ["ready"]);
        if (ClusterSettings.From(builder.Configuration).Provider == ClusterProvider.Postgres)
        {
            health.AddCheck<DatabaseCheck>("database", tags: ["ready"]);
        }
        return builder;
    }

    /// <summary>Middleware (errors, problem details for bare status codes, keys, idempotency) and every endpoint.</summary>
    public static WebApplication UseOrderGrainsApi(this WebApplication app)
    {
        app.UseOrderGrainsErrors();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            var (code, detail) = status switch
            {
                404 => ("NOT_FOUND", $"No endpoint {http.Request.Method} {http.Request.Path}; the API is described at /docs."),
                405 => ("METHOD_NOT_ALLOWED", $"{http.Request.Method} is not allowed on {http.Request.Path}."),
                // Endpoint routing refuses a body whose Content-Type the endpoint does not accept before the endpoint runs.
                415 => ("UNSUPPORTED_MEDIA_TYPE", $"Send the body as application/json (got {(string.IsNullOrEmpty(http.Request.ContentType) ? "no Content-Type" : http.Request.ContentType)})."),
                _ => ("HTTP_" + status, "The request was refused."),
            };
            await Problems.Write(http, status, code, detail);
        });
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseOrderGrainsRateLimits(); // after the key: limits are per AppKey
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapOpenApiDocument();
        // Only requests under /docs pass through Swagger UI's middleware (it matches every path it sees against its page and
        // its embedded files: ~1% of an order command's CPU when every request went through it).
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/docs"), docs => docs.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint(OpenApiDocument.Path, "OrderGrains");
            o.RoutePrefix = "docs";
            o.DocumentTitle = "OrderGrains API";
            // "Authorize" keeps the AppKey/AppToken (or Basic) across reloads of the page.
            o.EnablePersistAuthorization();
        }));
        app.MapGet("/", () => Results.Redirect("/docs", permanent: false)).ExcludeFromDescription();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapOrderGrainsMetrics();
        app.MapOrdersApi();
        app.MapOrderListsApi();
        app.MapFeedsApi();
        app.MapCancellationRequestsApi();
        app.MapInvoicesApi();
        app.MapOpsApi();
        app.MapOpsConsole();
        return app;
    }
}
