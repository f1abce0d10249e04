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
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi();
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
            var response = context.HttpContext.Response;
            await Problems.Write(context.HttpContext, response.StatusCode, response.StatusCode switch
            {
                404 => "NOT_FOUND",
                405 => "METHOD_NOT_ALLOWED",
                _ => "HTTP_" + response.StatusCode,
            }, response.StatusCode == 404 ? "No such endpoint." : "The request was refused.");
        });
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapOpenApi();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "OrderGrains");
            o.RoutePrefix = "docs";
        });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapOrdersApi();
        app.MapCancellationRequestsApi();
        app.MapInvoicesApi();
        return app;
    }
}
